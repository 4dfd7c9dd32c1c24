"""Strategies, theorem checks and the counterexample search."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from .. import transforms as _t
from ..transforms._light_cone import static_widening
from ..measures._conserved import conserved_information
from ..systems._support import System
from ..transforms._survival import _R

__all__ = [
    "systems",
    "block_families",
    "local_bijections",
    "compositions",
    "check_monotone_in_k",
    "check_relabel_invariance",
    "check_permute_invariance",
    "check_sandwich",
    "check_light_cone_bound",
    "check_chi2_bound",
    "Counterexample",
    "find_counterexample",
]

#: Slack on inequalities between entropies computed in floating point.
TOLERANCE = 1e-9


def _int_arg(value: Any, name: str, minimum: int) -> int:
    try:
        v = operator.index(value)
    except TypeError:
        raise InvalidArgument(f"{name}={value!r} must be an integer") from None
    if v < minimum:
        raise InvalidArgument(f"{name}={v} must be at least {minimum}")
    return v


# -- strategies ---------------------------------------------------------------------------


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
                st.lists(st.integers(0, total - 1), min_size=1,
                         max_size=min(max_support, total), unique=True)
            )
        weights = draw(st.lists(st.integers(1, 8), min_size=len(codes), max_size=len(codes)))
        return System.from_codes(np.asarray(codes, dtype=np.uint64), np.asarray(weights, float),
                                 cards, normalize=True)

    return draw_system()


def block_families(
    n: int, *, min_size: int = 1, max_size: int | None = None, min_blocks: int = 1,
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
    block = st.integers(min_size, max_size).flatmap(
        lambda s: st.lists(st.integers(0, n - 1), min_size=s, max_size=s, unique=True)
    ).map(lambda b: tuple(sorted(b)))
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


# -- theorem checks -----------------------------------------------------------------------


def _values(r: _R, n: int) -> str:
    return ", ".join(f"R_{j}={r(j):.6g}" for j in range(n + 1))


def check_monotone_in_k(system: System) -> None:
    """R_0 = H(X) >= R_1 >= ... >= R_n = 0 (THEORY §3).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_monotone_in_k(na.systems.parity(4))
    """
    r = _R(system, 2.0)
    for j in range(system.n):
        assert r(j + 1) <= r(j) + TOLERANCE, (
            f"R_k increased from k={j} to k={j + 1} on {system!r}: {_values(r, system.n)}"
        )
    assert abs(r(system.n)) <= TOLERANCE, f"R_n = {r(system.n)} != 0 on {system!r}"


def _check_invariant(system: System, transform: _t.Transform) -> None:
    y = transform(system)
    rx, ry = _R(system, 2.0), _R(y, 2.0)
    for k in range(1, system.n + 1):
        assert abs(rx(k) - ry(k)) <= TOLERANCE, (
            f"{transform!r} changed R_{k} from {rx(k)} to {ry(k)} on {system!r}"
        )


def check_relabel_invariance(system: System, var: Any, perm: Any) -> None:
    """Relabelling the values of one variable leaves every R_k unchanged.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_relabel_invariance(na.systems.coupled_pair(3, 3), 0, [2, 0, 1])
    """
    _check_invariant(system, _t.Relabel(var, perm))


def check_permute_invariance(system: System, order: Any) -> None:
    """Reordering the variables leaves every R_k unchanged.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_permute_invariance(na.systems.coupled_pair(2, 3), [2, 0, 1])
    """
    _check_invariant(system, _t.Permute(order))


def _require_bijective(system: System, y: System, transform: _t.Transform, what: str) -> None:
    if y.size != system.size:
        from ..errors import InvalidInputError

        raise InvalidInputError(
            f"{what} holds for maps one-to-one on the support; {transform!r} merges "
            f"{system.size} states into {y.size}"
        )


def check_sandwich(system: System, transform: _t.Transform, k: int) -> None:
    """The sandwich from block sizes: R_{k+b-1}(X) <= R_k(Y) <= R_{k-b+1}(X) (THEORY §5).

    ``b - 1`` is summed over the steps of a composition (inputs on the left, outputs on
    the right). ``transform`` must be one-to-one on the support.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing, transforms as nt
    >>> testing.check_sandwich(na.systems.copies(5), nt.difference_map([0, 1, 2]), k=2)
    """
    y = transform(system)
    _require_bijective(system, y, transform, "the sandwich")
    rx, ry = _R(system, 2.0), _R(y, 2.0)
    wf, wi = static_widening(transform, system)
    j_lo, j_hi = min(k + wf, system.n), max(k - wi, 0)
    lo, hi, after = rx(j_lo), rx(j_hi), ry(k)
    assert lo <= after + TOLERANCE and after <= hi + TOLERANCE, (
        f"sandwich violated by {transform!r} on {system!r} at k={k}: "
        f"R_{j_lo}(X)={lo:.6g} <= R_{k}(Y)={after:.6g} <= R_{j_hi}(X)={hi:.6g} fails"
    )


def check_light_cone_bound(system: System, transform: _t.Transform, k: int) -> None:
    """The light-cone lemma both ways, and exact cones within the static ones (THEORY §5).

    ``R_{ℓ(k)}(X) <= R_k(Y)`` (for a map one-to-one on the support) and
    ``R_{ℓ⁻¹(j)}(Y) <= R_j(X)`` for ``j = k``.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing, transforms as nt
    >>> testing.check_light_cone_bound(na.systems.noisy_copies(3, 0.2), nt.prefix_xor([0, 1, 2]), 1)
    """
    y = transform(system)
    cone = _t.light_cone(system, transform, k)
    rx, ry = _R(system, 2.0), _R(y, 2.0)
    assert cone.inverse <= cone.static_inverse, (
        f"inverse light cone {cone.inverse} exceeds its static bound {cone.static_inverse}"
        f" for {transform!r} on {system!r} at k={k}"
    )
    assert ry(cone.inverse) <= rx(k) + TOLERANCE, (
        f"R_{cone.inverse}(Y)={ry(cone.inverse):.6g} > R_{k}(X)={rx(k):.6g} "
        f"for {transform!r} on {system!r} (inverse light cone)"
    )
    if cone.forward is not None:
        assert cone.forward <= cone.static_forward, (
            f"light cone {cone.forward} exceeds its static bound {cone.static_forward}"
            f" for {transform!r} on {system!r} at k={k}"
        )
        assert rx(cone.forward) <= ry(k) + TOLERANCE, (
            f"R_{cone.forward}(X)={rx(cone.forward):.6g} > R_{k}(Y)={ry(k):.6g} "
            f"for {transform!r} on {system!r} (light cone)"
        )


def check_chi2_bound(system: System, k: int, steps: Any) -> None:
    """``I_T <= log2(1 + I_χ²(T))`` at each time T (THEORY §4); needs the finite-time
    engine (``natabs.surviving_information`` and ``natabs.spectrum``)."""
    import natabs

    try:
        surviving_information = natabs.surviving_information  # type: ignore[attr-defined]
        spectrum = natabs.spectrum  # type: ignore[attr-defined]
    except AttributeError:
        raise ImportError(
            "check_chi2_bound needs natabs.surviving_information and natabs.spectrum "
            "(the finite-time engine), which this build of natabs does not have"
        ) from None
    ts = [int(t) for t in steps]
    bits = surviving_information(system, ts, k=k).bits
    spec = spectrum(system, k=k)
    for t, i_t in zip(ts, bits):
        chi2 = spec.chi2(t) if callable(spec.chi2) else spec.chi2[t]
        bound = math.log2(1.0 + float(chi2))
        assert float(i_t) <= bound + 1e-7, (
            f"I_T={float(i_t):.6g} > log2(1 + chi2)={bound:.6g} at T={t}, k={k} on {system!r}"
        )


# -- counterexample search ----------------------------------------------------------------


@dataclass(frozen=True)
class Counterexample:
    """A (system, transform, k) that breaks a claim, as small as hypothesis could shrink it.

    Attributes
    ----------
    system : System
    transform : Transform
    k : int
    before, after : float
        ``R_k`` of the system and of its image, for the reader.
    """

    system: System
    transform: _t.Transform
    k: int
    before: float
    after: float

    def __repr__(self) -> str:
        s = self.system
        rows = ", ".join(
            "".join(str(int(v)) for v in row) + f" ({p:.3g})"
            for row, p in zip(s.states[:8], s.probs[:8])
        )
        more = ", ..." if s.size > 8 else ""
        return (
            f"Counterexample(k={self.k}, transform={self.transform!r}, "
            f"cards={s.cards}, support=[{rows}{more}], "
            f"R_k before={self.before:.6g}, after={self.after:.6g})"
        )


def find_counterexample(
    claim: Callable[[System, _t.Transform, int], bool],
    *,
    max_vars: int = 4,
    max_card: int = 2,
    max_block: int = 2,
    max_len: int = 1,
    max_examples: int = 2000,
    seed: int | None = None,
) -> Counterexample | None:
    """Search for a (system, transform, k) on which ``claim`` returns False; shrink it.

    Systems come from :func:`systems` (up to ``max_vars`` variables of cardinality up to
    ``max_card``), transforms from :func:`compositions` of up to ``max_len`` local
    bijections on ``max_block`` variables, and ``k`` from ``1 .. n``. Returns None when no
    counterexample is found in ``max_examples`` tries.

    Examples
    --------
    "A bijection on fewer than k variables preserves R_k" is false (THEORY §5 failure 1):

    >>> from natabs import testing
    >>> import natabs as na
    >>> def claim(system, transform, k):
    ...     r = na.conserved_information
    ...     return transform.size >= k or abs(r(transform(system), k) - r(system, k)) < 1e-9
    >>> ce = testing.find_counterexample(claim, seed=0)
    >>> ce.system.n <= 4 and set(ce.system.cards) == {2}, ce.before != ce.after
    (True, True)
    """
    if not callable(claim):
        raise InvalidArgument(f"claim={claim!r} must be a function (system, transform, k) -> bool")
    max_vars = _int_arg(max_vars, "max_vars", 1)
    max_examples = _int_arg(max_examples, "max_examples", 1)

    # Strategies are built once: building them inside the draw dominates the run time.
    system_st = systems(max_vars=max_vars, max_card=max_card)
    transform_st = {
        n: compositions(n, max_len=max_len, max_block=max_block) for n in range(1, max_vars + 1)
    }

    @st.composite
    def cases(draw):
        s = draw(system_st)
        t = draw(transform_st[s.n])
        k = draw(st.integers(1, s.n))
        return s, t, k

    import random

    config = settings(
        max_examples=max_examples, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        s, t, k = find(
            cases(), lambda c: not claim(*c), settings=config,
            random=None if seed is None else random.Random(seed),
        )
    except NoSuchExample:
        return None
    y = t(s)
    return Counterexample(
        system=s, transform=t, k=k,
        before=conserved_information(s, k), after=conserved_information(y, k),
    )
