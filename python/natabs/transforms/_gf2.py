"""GF(2)-linear maps of GF(2)-linear systems (THEORY §10): ``Y = M X`` stays a code.

A bijection ``x ↦ M x + b`` over GF(2) maps the affine code ``x_0 + C`` to
``M x_0 + b + M C``, so applying one to a :class:`~natabs.LinearCode` gives a
LinearCode: the generator rows are mapped, never the ``2^d`` states. These maps are
GF(2)-linear: :func:`cnot`, :func:`difference_map`, :func:`prefix_xor`, :func:`star_map`
(XOR is the sum mod 2), :class:`Relabel` of a bit (a flip adds ``b``), :class:`Permute`,
:class:`Linear` (any invertible 0/1 matrix on a block) and their compositions. Maps of
values that are not linear over GF(2) (Merge, Split, Local, Shuffle, centre of mass) are
refused: apply them to ``code.to_system()``.

Light cones come from the matrices: two states that differ in a set ``S`` of ``k``
X-coordinates have images that differ inside the union of the supports of the columns
``S`` of ``M``, at most the ``k`` largest column weights summed; the same with ``M^{-1}``
the other way. These bounds (capped by the static ones from block sizes) hold for every
code, so :func:`survives` at ``n = 10^3`` needs no enumeration.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidInputError, UnsupportedError
from ..systems._gf2 import LinearCode, pack, unpack
from ._algebra import (
    Compose,
    Transform,
    _indices,
)
from ._light_cone import LightCone
from ._linear import Linear
from ._linear import gf2_inverse as _gf2_inverse
from ._maps import Permute, Relabel, _Chain, _Shift, _Star

__all__ = ["Linear", "apply", "light_cone", "matrix_columns", "survival_rows"]


# -- each step as operations on bit columns -----------------------------------------------
# An operation acts on every row x of a bit-packed matrix (generator rows and the offset):
# ("xor", src, dst): x_dst ^= x_src;  ("flip", j): x_j ^= 1 on the offset only;
# ("perm", idx): new column i is old column idx[i];  ("mat", idx, m): x_idx = m @ x_idx.


def _renamed(step: Any, names: tuple[str, ...], idx: Sequence[int]) -> tuple[str, ...]:
    given = getattr(step, "names", None)
    if given is None:
        return names
    if len(given) != len(idx):
        raise InvalidInputError(f"{step!r}: {len(given)} names given for {len(idx)} outputs")
    out = list(names)
    for j, i in enumerate(idx):
        out[i] = given[j]
    if len(set(out)) != len(out):
        dup = next(nm for nm in out if out.count(nm) > 1)
        raise InvalidInputError(
            f"{step!r}: output name {dup!r} collides with another variable; pass names="
        )
    return tuple(out)


@functools.singledispatch
def _ops(step: Transform, names: tuple[str, ...]) -> tuple[list[tuple], tuple[str, ...]]:
    raise UnsupportedError(
        f"{step!r} is not GF(2)-linear, so it does not map a LinearCode to a LinearCode: use "
        "cnot, difference_map, prefix_xor, star_map, Relabel, Permute or Linear, or apply "
        "it to code.to_system()"
    )


@_ops.register
def _(step: _Shift, names):
    c, t = _indices(step.block, names)
    return [("xor", c, t)], _renamed(step, names, (c, t))


@_ops.register
def _(step: _Chain, names):
    v = _indices(step.block, names)
    if step.kind == "difference":
        ops = [("xor", v[i - 1], v[i]) for i in range(len(v) - 1, 0, -1)]
    else:
        ops = [("xor", v[i - 1], v[i]) for i in range(1, len(v))]
    return ops, _renamed(step, names, v)


@_ops.register
def _(step: _Star, names):
    v = _indices(step.block, names)
    return [("xor", v[0], i) for i in v[1:]], _renamed(step, names, v)


@_ops.register
def _(step: Relabel, names):
    (i,) = _indices(step.block, names)
    if step.perm not in ((0, 1), (1, 0)):
        raise InvalidInputError(
            f"{step!r}: variable {names[i]!r} is a bit; perm must be [0, 1] or [1, 0]"
        )
    return ([("flip", i)] if step.perm == (1, 0) else []), names


@_ops.register
def _(step: Permute, names):
    idx = _indices(step.order, names)
    if len(idx) != len(names):
        raise InvalidInputError(
            f"Permute: order lists {len(idx)} variables but the system has {len(names)}; "
            "list every variable once"
        )
    return [("perm", np.asarray(idx, dtype=np.intp))], tuple(names[i] for i in idx)


@_ops.register
def _(step: Linear, names):
    idx = _indices(step.block, names)
    return [("mat", np.asarray(idx, dtype=np.intp), step.bits)], _renamed(step, names, idx)


@_ops.register
def _(step: Compose, names):
    out: list[tuple] = []
    for s in step.steps:
        ops, names = _ops(s, names)
        out.extend(ops)
    return out, names


def _inverse(ops: list[tuple]) -> list[tuple]:
    inv = []
    for op in reversed(ops):
        if op[0] == "perm":
            inv.append(("perm", np.argsort(op[1])))
        elif op[0] == "mat":
            inv.append(("mat", op[1], _gf2_inverse(op[2])))
        else:
            inv.append(op)
    return inv


def _column(a: np.ndarray, j: int) -> np.ndarray:
    return (a[:, j >> 6] >> np.uint64(j & 63)) & np.uint64(1)


def _run(ops: list[tuple], rows: np.ndarray, n: int, offset: int | None) -> np.ndarray:
    """``ops`` applied to the bit-packed ``rows`` (row ``offset`` alone takes flips)."""
    a = np.array(rows, dtype=np.uint64, copy=True)
    for op in ops:
        kind = op[0]
        if kind == "xor":
            _, s, t = op
            a[:, t >> 6] ^= _column(a, s) << np.uint64(t & 63)
        elif kind == "flip":
            if offset is not None:
                a[offset, op[1] >> 6] ^= np.uint64(1) << np.uint64(op[1] & 63)
        elif kind == "perm":
            a = pack(unpack(a, n)[:, op[1]])
        else:
            _, idx, m = op
            bits = np.stack([_column(a, int(j)) for j in idx], axis=1).astype(np.int64)
            new = (bits @ m.T.astype(np.int64)) % 2
            for c, j in enumerate(idx):
                j = int(j)
                mask = np.uint64(1) << np.uint64(j & 63)
                a[:, j >> 6] &= ~mask
                a[:, j >> 6] |= new[:, c].astype(np.uint64) << np.uint64(j & 63)
    return a


def _check(transform: Any) -> None:
    if not isinstance(transform, Transform):
        raise TypeError(
            f"transform must be a natabs transformation (natabs.transforms), "
            f"got {type(transform).__name__}"
        )


def apply(transform: Transform, code: LinearCode) -> LinearCode:
    """The image code ``M (x_0 + C) + b`` (the generator rows mapped, re-reduced).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> y = nt.prefix_xor(range(6))(na.LinearCode.repetition(6))
    >>> y.generator.tolist()  # (B, 0, B, 0, B, 0): three copies left
    [[1, 0, 1, 0, 1, 0]]
    """
    _check(transform)
    ops, names = _ops(transform, code.names)
    n = code.n
    rows = np.concatenate([code._gen, code._offset[None, :]])
    out = _run(ops, rows, n, offset=len(rows) - 1)
    return LinearCode._from_packed(out[:-1], n, out[-1], names)


@functools.lru_cache(maxsize=64)
def matrix_columns(transform: Transform, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Column weights of ``M`` and of ``M^{-1}`` (the linear part of ``transform`` on
    variables ``names``), each sorted in decreasing order."""
    ops, _ = _ops(transform, names)
    n = len(names)
    eye = pack(np.eye(n, dtype=np.uint8)) if n <= 4096 else _packed_eye(n)
    # Row e_i maps to M e_i: the rows of the result are the columns of M.
    fwd = np.bitwise_count(_run(ops, eye, n, None)).sum(axis=1)
    inv = np.bitwise_count(_run(_inverse(ops), eye, n, None)).sum(axis=1)
    return -np.sort(-fwd.astype(np.int64)), -np.sort(-inv.astype(np.int64))


def _packed_eye(n: int) -> np.ndarray:
    w = -(-n // 64)
    eye = np.zeros((n, w), dtype=np.uint64)
    i = np.arange(n)
    eye[i, i >> 6] = np.uint64(1) << (i & 63).astype(np.uint64)
    return eye


def _cones(code: LinearCode, transform: Transform) -> tuple[np.ndarray, np.ndarray]:
    """Forward and inverse light cones for every ``k = 0..n`` (matrix and static bounds)."""
    n = code.n
    wf, wi = transform._widening()
    fwd_w, inv_w = matrix_columns(transform, code.names)
    ks = np.arange(n + 1)
    zero = np.zeros(1, dtype=np.int64)
    # X -> Y moves through the columns of M, Y -> X through those of M^{-1}.
    inverse = np.minimum(np.concatenate([zero, np.cumsum(fwd_w)]), np.minimum(ks + wi, n))
    forward = np.minimum(np.concatenate([zero, np.cumsum(inv_w)]), np.minimum(ks + wf, n))
    inverse[0] = forward[0] = 0
    return forward, inverse


def light_cone(code: LinearCode, transform: Transform, k: int) -> LightCone:
    """Light cones of a GF(2)-linear map on a code, from its matrix and inverse.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> c = na.LinearCode.repetition(1000)
    >>> nt.light_cone(c, nt.difference_map(range(1000)), 3)
    LightCone(k=3, forward=1000, inverse=6, static_forward=1000, static_inverse=1000, bijective=True)
    """
    from .._validation import integer

    _check(transform)
    k = integer(k, "k", 0)
    n = code.n
    forward, inverse = _cones(code, transform)
    j = min(k, n)
    wf, wi = transform._widening()
    sf = 0 if k == 0 else min(k + wf, n)
    si = 0 if k == 0 else min(k + wi, n)
    return LightCone(
        k=k,
        forward=int(forward[j]),
        inverse=int(inverse[j]),
        static_forward=sf,
        static_inverse=si,
        bijective=True,
    )


def survival_rows(code: LinearCode, transform: Transform, ks: Iterable[int], rx, ry, base):
    """:class:`~natabs.transforms.Survival` rows on a code for each ``k`` in ``ks``.

    ``rx`` and ``ry`` give ``R_j`` of the code and of its image (memoised).
    """
    from ._survival import TOLERANCE, Survival

    n = code.n
    forward, inverse = _cones(code, transform)
    rows = []
    for k in ks:
        before, after = rx(k), ry(k)
        lower = rx(int(forward[min(k, n)]))
        # Largest j whose inverse cone fits in k: R_k(Y) <= R_j(X).
        j = int(np.searchsorted(inverse, k, side="right")) - 1
        upper = rx(j)
        rows.append(
            Survival(
                k=k,
                before=before,
                after=after,
                lower=lower,
                upper=upper,
                bounds="light cone",
                preserved=abs(before - after) <= TOLERANCE,
                bijective=True,
                base=base,
            )
        )
    return rows
