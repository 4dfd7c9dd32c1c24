"""Light cones of transformations (THEORY §5): exact, and the static bounds."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .._results import Result, show
from .._validation import check_system, check_transform, integer
from ..errors import TooLargeError
from ..systems._support import System
from ._algebra import (
    _UNBOUNDED,
    Compose,
    Transform,
    _distinct_rows,
    _indices,
    _is_code,
    _is_gaussian,
)
from ._maps import Local

__all__ = ["LightCone", "light_cone", "static_widening"]

#: Support pairs compared one against all (pairwise distances) up to this support size.
MAX_ALL_PAIRS_SUPPORT = 4096
#: Largest number of support pairs the light cone enumerates before refusing.
MAX_PAIRS = 50_000_000
#: Largest number of coordinate subsets the light cone groups by.
MAX_SUBSETS = 100_000


def static_widening(transform: Transform, system: System) -> tuple[int, int]:
    """Static light-cone widening of ``transform`` on ``system`` (forward, inverse).

    A step on ``b`` inputs and ``m`` outputs widens the inverse cone by ``m - 1``, and the
    forward cone by ``b - 1`` provided its block map is one-to-one on the block values
    that occur (then the inverse is local too). A :class:`Local` that is one-to-one only
    thanks to the other variables has a non-local inverse: its forward cone is unbounded.
    """
    if _is_code(system):  # GF(2)-linear maps are invertible block by block
        return transform._widening()
    steps = transform.steps if isinstance(transform, Compose) else (transform,)
    rows = np.asarray(system.states, dtype=np.int64)
    cards, names = system.cards, system.names
    f = i = 0
    for step in steps:
        a, b = step._widening()
        if isinstance(step, Local):
            idx = _indices(step.block, names)
            vals = np.unique(rows[:, list(idx)], axis=0)
            out, out_cards = step._outputs(vals, tuple(cards[j] for j in idx))
            if _distinct_rows(out, out_cards) != len(vals):
                a = _UNBOUNDED
            b = out.shape[1] - 1
        f, i = f + a, i + b
        rows, cards, names = step._apply(rows, cards, names)
    return f, i


# -- light cones --------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class LightCone(Result):
    """The light cones of a transformation on a system, at one ``k`` (THEORY §5).

    Attributes
    ----------
    k : int
        The number of coordinates of a move.
    forward : int or None
        ℓ(k): the most X-coordinates in which the preimages of two Y-support states that
        differ in at most ``k`` coordinates differ. Then ``R_{ℓ(k)}(X) <= R_k(Y)``.
        None when the map is not injective on the support (the lemma needs an inverse),
        or when no two Y-support states are within ``k`` coordinates (a maximum over an
        empty set: *vacuous*, see ``vacuous``).
    inverse : int or None
        The most Y-coordinates in which the images of two X-support states that differ in
        at most ``k`` coordinates differ; then ``R_{inverse}(Y) <= R_k(X)``. None when no
        two X-support states are within ``k`` coordinates (vacuous).
    static_forward, static_inverse : int
        The bounds from block sizes alone: ``k + Σ(b_in - 1)`` and ``k + Σ(b_out - 1)``
        over the steps (0 for k = 0). The exact cones never exceed them.
    bijective : bool
        Whether the map is one-to-one on the support.
    vacuous : tuple of str
        The cones that are maxima over an empty set (``"forward"``, ``"inverse"``): no
        two support states are within ``k`` coordinates, so no move of ``k``
        coordinates changes the state and every bound from that cone holds trivially
        (nothing moves: ``R_k = H``). Empty when both cones are real.
    """

    k: int
    forward: int | None
    inverse: int | None
    static_forward: int
    static_inverse: int
    bijective: bool
    vacuous: tuple[str, ...] = field(default=(), metadata=show(unless=()))


def light_cone(system: System, transform: Transform, k: int) -> LightCone:
    """The exact light cones ℓ(k) of ``transform`` on ``system``, both directions.

    Support pairs within ``k`` coordinates of each other are enumerated (all pairs for
    supports up to 4096 states, else by grouping on projections); more than
    ``MAX_PAIRS`` pairs raise :class:`~natabs.errors.TooLargeError`.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.light_cone(na.systems.copies(4), nt.cnot(0, 1), 3)
    LightCone(k=3, forward=4, inverse=None, static_forward=4, static_inverse=4, bijective=True, vacuous=('inverse',))

    On a full support, one flipped X-coordinate moves two Y-coordinates under the
    difference map, but all of them under its inverse (a global light cone):

    >>> x = na.systems.noisy_copies(4, 0.1)
    >>> nt.light_cone(x, nt.difference_map([0, 1, 2, 3]), 1).inverse
    2
    >>> nt.light_cone(x, nt.prefix_xor([0, 1, 2, 3]), 1).inverse
    4

    Two copies of a bit never differ in just one coordinate: at k = 1 no move changes
    the state, and both cones are maxima over an empty set.

    >>> nt.light_cone(na.systems.copies(5), nt.cnot(0, 1), 1)
    LightCone(k=1, forward=None, inverse=None, static_forward=2, static_inverse=2, bijective=True, vacuous=('forward', 'inverse'))
    """
    check_transform(transform)
    if _is_code(system):  # cones from the matrix of the map and of its inverse
        from ._gf2 import light_cone as code_light_cone

        return code_light_cone(system, transform, k)
    if _is_gaussian(system):  # a linear map: cones from the sparsity of T and T^{-1}
        from ._gaussian import light_cone as linear_light_cone

        return linear_light_cone(system, transform, k)
    check_system(system)
    k = integer(k, "k", 0)
    a = np.asarray(system.states, dtype=np.int64)
    b, cards_y, _ = transform._image(system)
    bij = _distinct_rows(b, cards_y) == system.size
    inv = _cone(a, b, k)
    fwd = _cone(b, a, k) if bij else None
    wf, wi = static_widening(transform, system)
    sf = 0 if k == 0 else min(k + wf, system.n)
    si = 0 if k == 0 else min(k + wi, len(cards_y))
    vacuous = tuple(
        name
        for name, cone, real in (("forward", fwd, bij), ("inverse", inv, True))
        if real and cone is None
    )
    return LightCone(
        k=k,
        forward=fwd,
        inverse=inv,
        static_forward=sf,
        static_inverse=si,
        bijective=bij,
        vacuous=vacuous,
    )


def _cone(a: np.ndarray, b: np.ndarray, k: int) -> int | None:
    """Largest Hamming distance in ``b`` over row pairs within distance ``k`` in ``a``;
    None when there is no such pair (a maximum over an empty set)."""
    n_a = a.shape[1]
    N = a.shape[0]
    if k == 0 or N < 2:
        return None
    if N <= MAX_ALL_PAIRS_SUPPORT:
        best = None
        width = max(a.shape[1], b.shape[1], 1)
        chunk = max(1, (1 << 22) // (N * width))
        for s in range(0, N, chunk):
            da = (a[s : s + chunk, None, :] != a[None, :, :]).sum(axis=2)
            db = (b[s : s + chunk, None, :] != b[None, :, :]).sum(axis=2)
            near = (da <= k) & (da > 0)
            if near.any():
                best = max(best or 0, int(db[near].max()))
        return best
    if k >= n_a:
        raise TooLargeError(
            f"a light cone with k >= n compares all {N * (N - 1) // 2} support pairs; "
            f"the limit for all pairs is a support of {MAX_ALL_PAIRS_SUPPORT} states"
        )
    n_sub = math.comb(n_a, k)
    if n_sub > MAX_SUBSETS:
        raise TooLargeError(f"a light cone at k={k} groups by {n_sub} subsets; limit {MAX_SUBSETS}")
    best, pairs = None, 0
    for free in combinations(range(n_a), k):
        # Pairs within distance k agree outside some k coordinates: group on the rest.
        rest = [i for i in range(n_a) if i not in free]
        _, gid = np.unique(a[:, rest], axis=0, return_inverse=True)
        gid = gid.ravel()
        order = np.argsort(gid, kind="stable")
        g = gid[order]
        sizes = np.bincount(g)
        pairs += int((sizes * (sizes - 1) // 2).sum())
        if pairs > MAX_PAIRS:
            raise TooLargeError(
                f"a light cone at k={k} would compare more than {MAX_PAIRS} support pairs"
            )
        bs = b[order]
        for d in range(1, int(sizes.max())):
            same = g[d:] == g[:-d]
            if same.any():
                dist = (bs[d:][same] != bs[:-d][same]).sum(axis=1)
                best = max(best or 0, int(dist.max()))
    return best
