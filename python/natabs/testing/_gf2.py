"""Hypothesis strategies for GF(2)-linear systems: random affine codes and GF(2)-linear maps."""

from __future__ import annotations

from functools import reduce

import numpy as np
from hypothesis import strategies as st

from .. import transforms as _t
from ..systems import LinearCode
from ._strategies import _int_arg

__all__ = ["gf2_maps", "linear_codes"]


def linear_codes(
    *, min_vars: int = 1, max_vars: int = 8, max_rows: int | None = None, affine: bool = True
) -> st.SearchStrategy[LinearCode]:
    """Random affine codes: ``min_vars .. max_vars`` bits, spanned by up to ``max_rows``
    random rows (default ``max_vars``; dependent rows are fine), with a random offset
    unless ``affine=False``. Rows are sparse or dense, so repetition-like and
    parity-like codes are both common.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.linear_codes(max_vars=4), lambda c: c.dim >= 2)
    LinearCode(n=2, dim=2, names=('x0', 'x1'))
    """
    min_vars = _int_arg(min_vars, "min_vars", 1)
    max_vars = _int_arg(max_vars, "max_vars", min_vars)
    max_rows = max_vars if max_rows is None else _int_arg(max_rows, "max_rows", 0)

    @st.composite
    def draw_code(draw):
        n = draw(st.integers(min_vars, max_vars))
        r = draw(st.integers(0, max_rows))
        bits = st.lists(st.integers(0, 1), min_size=n, max_size=n)
        rows = draw(st.lists(bits, min_size=r, max_size=r))
        gen = np.asarray(rows, dtype=np.uint8).reshape(r, n)
        offset = draw(bits) if affine else None
        return LinearCode(generator=gen, offset=offset)

    return draw_code()


def gf2_maps(n: int, *, max_len: int = 3, max_block: int = 3) -> st.SearchStrategy[_t.Transform]:
    """Compositions of 1 .. ``max_len`` GF(2)-linear bijections on ``n`` bits: CNOTs,
    difference, prefix-XOR and star maps, bit flips, permutations and random invertible
    :class:`~natabs.transforms.Linear` maps on up to ``max_block`` bits.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.gf2_maps(3), lambda t: True)
    Relabel(0, [0, 1])
    """
    n = _int_arg(n, "n", 1)
    max_len = _int_arg(max_len, "max_len", 1)
    b = min(_int_arg(max_block, "max_block", 1), n)

    def block(lo: int) -> st.SearchStrategy[list[int]]:
        return st.integers(lo, b).flatmap(
            lambda s: st.lists(st.integers(0, n - 1), min_size=s, max_size=s, unique=True)
        )

    @st.composite
    def linear(draw):
        vs = draw(block(1))
        k = len(vs)
        # Invertible: a product of a unit lower and a unit upper triangular matrix.
        lower = np.tril(
            np.asarray(
                draw(st.lists(st.integers(0, 1), min_size=k * k, max_size=k * k)), dtype=np.int64
            ).reshape(k, k),
            -1,
        ) + np.eye(k, dtype=np.int64)
        upper = np.triu(
            np.asarray(
                draw(st.lists(st.integers(0, 1), min_size=k * k, max_size=k * k)), dtype=np.int64
            ).reshape(k, k),
            1,
        ) + np.eye(k, dtype=np.int64)
        return _t.Linear(vs, (lower @ upper) % 2)

    options = [
        st.builds(_t.Relabel, st.integers(0, n - 1), st.sampled_from([[0, 1], [1, 0]])),
        st.permutations(range(n)).map(_t.Permute),
        linear(),
    ]
    if b >= 2:
        pair = st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)
        options += [
            pair.map(lambda p: _t.cnot(p[0], p[1])),
            block(2).map(lambda v: _t.star_map(v[1:], ref=v[0])),
            block(2).map(_t.difference_map),
            block(2).map(_t.prefix_xor),
        ]
    step = st.one_of(options)
    return st.lists(step, min_size=1, max_size=max_len).map(
        lambda ts: reduce(lambda a, c: a >> c, ts)
    )
