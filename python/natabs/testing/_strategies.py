"""Hypothesis strategies: small random systems, block families and local bijections.

Functions returning strategies, keyword-only ``min_*`` / ``max_*`` bounds, and
:class:`hypothesis.errors.InvalidArgument` for bad arguments (hypothesis's API style).
"""

from __future__ import annotations

import math
import operator
from functools import reduce
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .. import transforms as _t
from ..systems import System

__all__ = ["block_families", "compositions", "local_bijections", "systems"]


def _int_arg(value: Any, name: str, minimum: int) -> int:
    try:
        v = operator.index(value)
    except TypeError:
        raise InvalidArgument(f"{name}={value!r} must be an integer") from None
    if v < minimum:
        raise InvalidArgument(f"{name}={v} must be at least {minimum}")
    return v


def systems(
    *,
    min_vars: int = 1,
    max_vars: int = 5,
    max_card: int = 3,
    max_support: int = 64,
    full_support: bool = False,
) -> st.SearchStrategy[System]:
    """Small random systems.

    Cardinalities lie in ``2 .. max_card`` (1 only where a full support would exceed
    ``max_support``). The support is either a random subset of the states or the image of a
    hidden variable under random functions (which makes copies, parities and other
    redundant structures likely); probabilities are random positive integer weights,
    normalised. With ``full_support=True`` every state has positive probability.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> s = find(testing.systems(min_vars=2, max_card=2, full_support=True), lambda s: True)
    >>> s.n, s.size
    (2, 4)
    """
    min_vars = _int_arg(min_vars, "min_vars", 1)
    max_vars = _int_arg(max_vars, "max_vars", min_vars)
    max_card = _int_arg(max_card, "max_card", 1)
    max_support = _int_arg(max_support, "max_support", 1)
    if not isinstance(full_support, bool):
        raise InvalidArgument(f"full_support={full_support!r} must be a bool")

    @st.composite
    def draw_system(draw):
        n = draw(st.integers(min_vars, max_vars))
        cards, total = [], 1
        for _ in range(n):
            cap = min(max_card, max(1, max_support // total)) if full_support else max_card
            c = draw(st.integers(min(2, cap), cap))
            cards.append(c)
            total *= c
        if full_support:
            codes = list(range(total))
        elif draw(st.booleans()):
            # The image of a hidden variable A under random functions f_i: redundancy.
            # Each f_i is a shifted copy of A (the simplest case, shrunk to) or arbitrary.
            m = draw(st.integers(1, min(max_support, 8)))
            tables = []
            for c in cards:
                if draw(st.booleans()):
                    tables.append(draw(st.lists(st.integers(0, c - 1), min_size=m, max_size=m)))
                else:
                    shift = draw(st.integers(0, c - 1))
                    tables.append([(a + shift) % c for a in range(m)])
            strides = [math.prod(cards[:i]) for i in range(n)]
            codes = sorted({sum(tab[a] * s for tab, s in zip(tables, strides)) for a in range(m)})
        else:
            codes = draw(
                st.lists(
                    st.integers(0, total - 1),
                    min_size=1,
                    max_size=min(max_support, total),
                    unique=True,
                )
            )
        weights = draw(st.lists(st.integers(1, 8), min_size=len(codes), max_size=len(codes)))
        return System.from_codes(
            np.asarray(codes, dtype=np.uint64), np.asarray(weights, float), cards, normalize=True
        )

    return draw_system()


def block_families(
    n: int,
    *,
    min_size: int = 1,
    max_size: int | None = None,
    min_blocks: int = 1,
    max_blocks: int = 6,
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Families of distinct blocks (sorted index tuples) over ``n`` variables.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.block_families(4, max_size=2), lambda fam: len(fam) >= 2)
    ((0,), (1,))
    """
    n = _int_arg(n, "n", 1)
    min_size = _int_arg(min_size, "min_size", 1)
    max_size = n if max_size is None else _int_arg(max_size, "max_size", min_size)
    if min_size > n:
        raise InvalidArgument(f"min_size={min_size} exceeds the number of variables n={n}")
    max_size = min(max_size, n)
    min_blocks = _int_arg(min_blocks, "min_blocks", 0)
    max_blocks = _int_arg(max_blocks, "max_blocks", min_blocks)
    block = (
        st.integers(min_size, max_size)
        .flatmap(lambda s: st.lists(st.integers(0, n - 1), min_size=s, max_size=s, unique=True))
        .map(lambda b: tuple(sorted(b)))
    )
    return st.lists(block, min_size=min_blocks, max_size=max_blocks, unique=True).map(tuple)


def local_bijections(n: int, *, max_block: int = 2) -> st.SearchStrategy[_t.Transform]:
    """Bijections acting on at most ``max_block`` of ``n`` variables (any cardinalities).

    Draws CNOTs, :class:`~natabs.transforms.Shuffle` (a random bijection of a block's
    joint values), star and difference maps, and permutations of the variables. Variables
    are given by index.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.local_bijections(4), lambda t: True)
    cnot(0 -> 1)
    """
    n = _int_arg(n, "n", 1)
    max_block = _int_arg(max_block, "max_block", 1)
    b = min(max_block, n)

    def block(lo: int) -> st.SearchStrategy[list[int]]:
        return st.integers(lo, b).flatmap(
            lambda s: st.lists(st.integers(0, n - 1), min_size=s, max_size=s, unique=True)
        )

    options = []
    if b >= 2:
        pair = st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)
        options.append(pair.map(lambda p: _t.cnot(p[0], p[1])))
    options.append(st.builds(_t.Shuffle, block(1), st.integers(0, 1000)))
    if b >= 2:
        options.append(block(2).map(lambda v: _t.star_map(v[1:], ref=v[0])))
        options.append(block(2).map(_t.difference_map))
        options.append(block(2).map(_t.prefix_xor))
    options.append(st.permutations(range(n)).map(_t.Permute))
    return st.one_of(options)


def compositions(
    n: int, *, max_len: int = 3, max_block: int = 2
) -> st.SearchStrategy[_t.Transform]:
    """Compositions of 1 .. ``max_len`` local bijections on ``n`` variables.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.compositions(3, max_len=2), lambda t: len(getattr(t, "steps", ())) == 2)
    Compose(cnot(0 -> 1), cnot(0 -> 1))
    """
    max_len = _int_arg(max_len, "max_len", 1)
    steps = local_bijections(n, max_block=max_block)
    return st.lists(steps, min_size=1, max_size=max_len).map(
        lambda ts: reduce(lambda a, c: a >> c, ts)
    )
