"""Linear maps of Gaussian systems (THEORY §8): ``Y = T X`` stays Gaussian.

A transformation applied to a :class:`~natabs.GaussianSystem` acts by its real-linear
part: :class:`Linear` (any invertible matrix on a block), :func:`scale` (one variable: the
Gaussian relabelling), :class:`~natabs.transforms.Permute`, the shear ``cnot``
(``target + control``), ``difference_map`` / ``prefix_xor`` (differences and running sums),
``star_map`` (``x_i - x_ref``) and ``center_of_mass`` (the mean in the slot of ``ref`` and
``x_i - mean`` for the others: a linear bijection, THEORY §8), and compositions of these
with ``>>``. Maps of discrete values (Relabel, Merge, Split, Local, Shuffle) are refused.
The light cone of a linear map is read from the sparsity of its matrix and its inverse.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .._validation import integer
from ..errors import InvalidInputError, TooLargeError, UnsupportedError
from ..systems._gaussian import DENSE_MAX, GaussianSystem
from ._algebra import (
    Compose,
    Transform,
    Var,
    _BlockMap,
    _check_var,
    _indices,
)
from ._linear import Linear
from ._maps import Permute, _CenterOfMass, _Chain, _Shift, _Star

__all__ = ["Linear", "apply", "light_cone", "linear_matrix", "scale", "survives"]

#: Sparse systems stay sparse under maps of blocks up to this size (a wider block fills
#: the precision in; below ``DENSE_MAX`` variables the dense covariance is used instead).
SPARSE_BLOCK_MAX = 64
#: Largest number of coordinate subsets the exact light cone of a linear map enumerates.
MAX_SUBSETS = 200_000


def scale(var: Var, factor: float) -> Linear:
    """Multiply one variable by a non-zero ``factor``: the relabelling of a real variable.

    Every finite-time number is unchanged (THEORY §5, b = 1).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.scale("x0", 3.0)(na.GaussianSystem([[1.0]])).cov.tolist()
    [[9.0]]
    """
    v = _check_var(var, "scale")
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)):
        raise TypeError(f"scale: factor must be a number, got {factor!r}")
    f = float(factor)
    if not math.isfinite(f) or f == 0.0:
        raise InvalidInputError(f"scale: factor must be finite and non-zero, got {factor!r}")
    return Linear([v], [[f]])


# -- the linear part of each transformation -----------------------------------------------


@dataclass
class _Step:
    """One step as a block map: rows ``idx`` of the new state are ``m @ x[idx]``."""

    idx: list[int] | None  # None: a permutation of all variables (``perm``)
    m: np.ndarray | None
    m_inv: np.ndarray | None
    names: tuple[str, ...]
    perm: list[int] | None = None


@functools.singledispatch
def _linear_step(step: Transform, names: tuple[str, ...]) -> _Step:
    raise UnsupportedError(
        f"{step!r} maps discrete values and has no linear part: on a GaussianSystem use "
        "transforms.Linear, scale, Permute, cnot (a shear), difference_map, prefix_xor, "
        "star_map or center_of_mass"
    )


def _block(step: _BlockMap, names, m: np.ndarray, default: Sequence[str] | None = None) -> _Step:
    idx = list(_indices(step.block, names))
    out = list(names)
    given = step.names
    new = given if given is not None else (default or tuple(names[i] for i in idx))
    if len(new) != len(idx):
        raise InvalidInputError(f"{step!r}: {len(new)} names given for {len(idx)} outputs")
    for j, i in enumerate(idx):
        out[i] = new[j]
    if len(set(out)) != len(out):
        dup = next(nm for nm in out if out.count(nm) > 1)
        raise InvalidInputError(
            f"{step!r}: output name {dup!r} collides with another variable; pass names="
        )
    return _Step(idx, m, np.linalg.inv(m), tuple(out))


@_linear_step.register
def _(step: Linear, names):
    if not step.real:
        raise InvalidInputError(f"{step!r} is not invertible over the reals")
    return _block(step, names, step.array)


@_linear_step.register
def _(step: _Shift, names):
    return _block(step, names, np.array([[1.0, 0.0], [float(step.sign), 1.0]]))


@_linear_step.register
def _(step: _Chain, names):
    b = len(step.block)
    if step.kind == "difference":
        m = np.eye(b) - np.eye(b, k=-1)
    else:
        m = np.tril(np.ones((b, b)))
    return _block(step, names, m)


@_linear_step.register
def _(step: _Star, names):
    b = len(step.block)
    m = np.eye(b)
    m[1:, 0] = -1.0
    return _block(step, names, m)


@_linear_step.register
def _(step: _CenterOfMass, names):
    b = len(step.block)
    m = np.eye(b) - 1.0 / b
    m[0, :] = 1.0 / b
    idx = _indices(step.block, names)
    default = ("com",) + tuple(f"{names[i]}-com" for i in idx[1:])
    return _block(step, names, m, default)


@_linear_step.register
def _(step: Permute, names):
    idx = list(_indices(step.order, names))
    if len(idx) != len(names):
        raise InvalidInputError(
            f"Permute: order lists {len(idx)} variables but the system has {len(names)}; "
            "list every variable once"
        )
    return _Step(None, None, None, tuple(names[i] for i in idx), perm=idx)


def _steps(transform: Transform) -> tuple[Transform, ...]:
    return transform.steps if isinstance(transform, Compose) else (transform,)


def linear_matrix(transform: Transform, names: Sequence[str]):
    """The whole map as sparse matrices ``T`` and ``T^{-1}`` (``y = T x``), and the output
    names, for a system with variables ``names``.

    Examples
    --------
    >>> from natabs import transforms as nt
    >>> from natabs.transforms._gaussian import linear_matrix
    >>> t, t_inv, out = linear_matrix(nt.star_map([1, 2], ref=0), ("a", "b", "c"))
    >>> t.toarray().tolist(), out
    ([[1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]], ('a', 'b', 'c'))
    """
    import scipy.sparse as sp

    names = tuple(names)
    n = len(names)
    t = sp.identity(n, format="csr")
    t_inv = sp.identity(n, format="csr")
    for step in _steps(transform):
        s = _linear_step(step, names)
        fwd, inv = _embed(s, n)
        t, t_inv = (fwd @ t).tocsr(), (t_inv @ inv).tocsr()
        names = s.names
    t.eliminate_zeros()
    t_inv.eliminate_zeros()
    return t, t_inv, names


def _embed(s: _Step, n: int):
    import scipy.sparse as sp

    if s.perm is not None:
        p = sp.csr_matrix((np.ones(n), (np.arange(n), s.perm)), shape=(n, n))
        return p, p.T.tocsr()
    idx = np.asarray(s.idx)
    b = idx.size
    rest = np.ones(n, bool)
    rest[idx] = False
    diag = np.flatnonzero(rest)
    rows = np.concatenate([diag, np.repeat(idx, b)])
    cols = np.concatenate([diag, np.tile(idx, b)])
    out = []
    for m in (s.m, s.m_inv):
        vals = np.concatenate([np.ones(diag.size), m.ravel()])
        out.append(sp.csr_matrix((vals, (rows, cols)), shape=(n, n)))
    return out[0], out[1]


def apply(transform: Transform, g: GaussianSystem) -> GaussianSystem:
    """``transform(g)``: the law of ``Y = T X``, as covariance or (sparse) precision."""
    names = g.names
    mean = g.mean
    wide = max(
        (len(st.block) for st in _steps(transform) if not isinstance(st, Permute)),
        default=0,
    )
    if g.is_sparse and (wide <= SPARSE_BLOCK_MAX or g.n > DENSE_MAX):  # stays sparse
        q = g.precision
        for step in _steps(transform):
            s = _linear_step(step, names)
            fwd, inv = _embed(s, g.n)
            q = (inv.T @ q @ inv).tocsc()
            mean = fwd @ mean
            names = s.names
        return GaussianSystem.from_precision(q, mean, names)
    cov = np.array(g.cov)
    for step in _steps(transform):
        s = _linear_step(step, names)
        if s.perm is not None:
            cov = cov[np.ix_(s.perm, s.perm)]
            mean = mean[s.perm]
        else:
            idx = s.idx
            cov[idx, :] = s.m @ cov[idx, :]
            cov[:, idx] = cov[:, idx] @ s.m.T
            mean = np.array(mean)
            mean[idx] = s.m @ mean[idx]
        names = s.names
    return GaussianSystem((cov + cov.T) / 2, mean, names)


# -- light cones and survival -------------------------------------------------------------


def _max_union(cols: list[np.ndarray], k: int, n: int) -> int:
    """The most rows covered by the supports of ``k`` columns (exact, or refused)."""
    if k == 0:
        return 0
    k = min(k, len(cols))
    sizes = np.array([len(c) for c in cols])
    order = np.argsort(-sizes, kind="stable")
    bound = min(n, int(sizes[order[:k]].sum()))
    picked: set[int] = set()
    count = 0
    for j in order:  # greedy disjoint pick among the largest: exact when it meets the bound
        if count == k:
            break
        if picked.isdisjoint(cols[j].tolist()):
            picked.update(cols[j].tolist())
            count += 1
    if count == k and len(picked) == bound:
        return bound
    if math.comb(len(cols), k) > MAX_SUBSETS:
        raise TooLargeError(
            f"the exact light cone at k={k} would enumerate {math.comb(len(cols), k)} sets of "
            f"coordinates; the limit is {MAX_SUBSETS}"
        )
    sets = [set(c.tolist()) for c in cols]
    return max(
        len(set().union(*(sets[j] for j in sub))) for sub in combinations(range(len(cols)), k)
    )


def light_cone(g: GaussianSystem, transform: Transform, k: int):
    """:func:`natabs.light_cone` for a linear map of a Gaussian system.

    The support is all of ``R^n``, so two X-states differing in the coordinates ``S``
    map to Y-states differing in the union of the supports of the columns ``S`` of ``T``
    (generic values): the inverse cone is the largest such union over ``|S| <= k``, the
    forward cone the same for ``T^{-1}``.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> g = na.systems.spring_chain(6)
    >>> nt.light_cone(g, nt.difference_map(range(6)), 1)
    LightCone(k=1, forward=6, inverse=2, static_forward=6, static_inverse=6, bijective=True)
    """
    from ._light_cone import LightCone

    k = integer(k, "k", 0)
    t, t_inv, _ = linear_matrix(transform, g.names)
    n = g.n
    tc, ti = t.tocsc(), t_inv.tocsc()
    cols = [tc.indices[tc.indptr[j] : tc.indptr[j + 1]] for j in range(n)]
    cols_inv = [ti.indices[ti.indptr[j] : ti.indptr[j + 1]] for j in range(n)]
    wf, wi = transform._widening()
    sf = 0 if k == 0 else min(k + wf, n)
    si = 0 if k == 0 else min(k + wi, n)
    return LightCone(
        k=k,
        forward=_max_union(cols_inv, k, n),
        inverse=_max_union(cols, k, n),
        static_forward=sf,
        static_inverse=si,
        bijective=True,
    )


def survives(g: GaussianSystem, transform: Transform, k: int, *, steps, scan, about, base):
    """:func:`natabs.survives` on a Gaussian system: ``R_k = 0`` on both sides (full
    support, THEORY §8), so the comparison that matters is the finite-time one."""
    from ..measures._finite_time import surviving_information
    from ._survival import Survival

    y = apply(transform, g)
    out = dict(
        k=k,
        before=0.0,
        after=0.0,
        lower=0.0,
        upper=0.0,
        bounds="full support",
        preserved=True,
        bijective=True,
        base=base,
    )
    if steps is None:
        return Survival(**out)
    st = tuple(int(t) for t in steps)
    scan = "systematic" if scan is None else scan
    cx = surviving_information(g, st, k=k, scan=scan, about=about, base=base)
    cy = surviving_information(y, st, k=k, scan=scan, about=about, base=base)
    return Survival(
        **out,
        steps=st,
        surviving_before=tuple(float(v) for v in cx.bits),
        surviving_after=tuple(float(v) for v in cy.bits),
    )
