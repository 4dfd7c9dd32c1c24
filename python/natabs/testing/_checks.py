"""The theorems of THEORY.md as checks that raise an AssertionError naming the numbers."""

from __future__ import annotations

import math
from typing import Any

from .. import transforms as _t
from ..errors import InvalidInputError
from ..measures import spectrum, surviving_information
from ..systems import System
from ..transforms._light_cone import static_widening
from ..transforms._survival import _R

__all__ = [
    "check_chi2_bound",
    "check_light_cone_bound",
    "check_monotone_in_k",
    "check_permute_invariance",
    "check_relabel_invariance",
    "check_sandwich",
]

#: Slack on inequalities between entropies computed in floating point.
TOLERANCE = 1e-9


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
    # A vacuous cone (no support pairs within k: nothing moves, R_k = H) bounds like 0.
    inverse = 0 if cone.inverse is None else cone.inverse
    forward = 0 if "forward" in cone.vacuous else cone.forward
    assert inverse <= cone.static_inverse, (
        f"inverse light cone {cone.inverse} exceeds its static bound {cone.static_inverse}"
        f" for {transform!r} on {system!r} at k={k}"
    )
    assert ry(inverse) <= rx(k) + TOLERANCE, (
        f"R_{inverse}(Y)={ry(inverse):.6g} > R_{k}(X)={rx(k):.6g} "
        f"for {transform!r} on {system!r} (inverse light cone)"
    )
    if forward is not None:
        assert forward <= cone.static_forward, (
            f"light cone {cone.forward} exceeds its static bound {cone.static_forward}"
            f" for {transform!r} on {system!r} at k={k}"
        )
        assert rx(forward) <= ry(k) + TOLERANCE, (
            f"R_{forward}(X)={rx(forward):.6g} > R_{k}(Y)={ry(k):.6g} "
            f"for {transform!r} on {system!r} (light cone)"
        )


def check_chi2_bound(system: System, k: int, steps: Any) -> None:
    """``I_T <= log2(1 + I_χ²(T))`` at each time T (THEORY §4).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_chi2_bound(na.systems.noisy_copies(3, 0.2), 1, [0, 1, 5])
    """
    ts = [int(t) for t in steps]
    bits = surviving_information(system, ts, k=k).bits
    spec = spectrum(system, k=k)
    for t, i_t in zip(ts, bits):
        chi2 = spec.chi2(t)
        bound = math.log2(1.0 + float(chi2))
        assert float(i_t) <= bound + 1e-7, (
            f"I_T={float(i_t):.6g} > log2(1 + chi2)={bound:.6g} at T={t}, k={k} on {system!r}"
        )
