"""Does redundant information survive a transformation? (THEORY §5)

:func:`survives` compares ``R_k(X)`` with ``R_k(Y)`` for ``Y = φ(X)`` and gives the proven
bounds on ``R_k(Y)``:

- from the exact light cones (when the support is small enough to enumerate pairs):
  ``R_{ℓ(k)}(X) <= R_k(Y) <= R_{j*}(X)``, with ``j*`` the largest ``j`` whose inverse cone
  ``ℓ⁻¹(j) <= k``;
- otherwise the sandwich from block sizes: ``R_{k+b-1}(X) <= R_k(Y) <= R_{k-b+1}(X)``
  (``b - 1`` summed over the steps of a composition; ``R_j`` with ``j <= 0`` is ``H(X)``).

The lower bounds need the map to be one-to-one on the support; for a coarse-graining the
lower bound is 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .._info import check_base
from .._results import Result, show
from .._validation import check_sequence, check_steps, check_system, check_transform, integer
from ..errors import InvalidInputError, TooLargeError, UnsupportedError
from ..measures._conserved import conserved_information
from ..measures._finite_time import surviving_information
from ..measures._latents_survival import LatentSurvival, latent_survival
from ..systems._support import System
from ._algebra import Transform, _is_code, _is_gaussian
from ._light_cone import light_cone, static_widening

__all__ = ["Survival", "SurvivalTable", "survival_table", "survives"]

#: Slack when deciding ``preserved`` (before == after) on floating-point entropies.
TOLERANCE = 1e-9
#: A finite-time value counts as changed by a transformation beyond this (in its unit).
FINITE_TIME_TOLERANCE = 1e-6


@dataclass(frozen=True, repr=False)
class Survival(Result):
    """Redundant information before and after a transformation, at one ``k``.

    Attributes
    ----------
    k : int
        Block size: every subset of ``k`` variables is resampled.
    before, after : float
        ``R_k(X)`` and ``R_k(Y)``.
    lower, upper : float
        Proven bounds on ``after`` (see the module docstring).
    bounds : str
        ``"light cone"`` (exact cones) or ``"sandwich"`` (block sizes).
    preserved : bool
        Whether ``after == before`` (within 1e-9).
    bijective : bool
        Whether the map is one-to-one on the support.
    base : float
        Logarithm base of the numbers.
    steps : tuple of int or None
        With ``steps=``: the times of the finite-time comparison.
    surviving_before, surviving_after : tuple of float or None
        ``I(X^0; X^T)`` on X and on Y at those times, same block family.
    latent : LatentSurvival or None
        With ``latent=``: that latent's natural-latent errors before and after
        (:func:`natabs.latent_survival`).
    verdict : str or None
        With ``steps=``: one sentence covering both comparisons, R_k and the finite-time
        information (``preserved`` speaks of R_k only), e.g. ``"R_1 preserved (0 bits);
        finite-time information at T=20 fell from 0.41 to 0.10 bits"``.
    """

    k: int
    before: float
    after: float
    lower: float
    upper: float
    bounds: str
    preserved: bool
    bijective: bool = field(repr=False)
    base: float = 2.0
    steps: tuple[int, ...] | None = None
    surviving_before: tuple[float, ...] | None = None
    surviving_after: tuple[float, ...] | None = None
    latent: LatentSurvival | None = field(
        default=None,
        metadata=show(
            lambda ls: (
                ls
                if ls is None
                else f"{ls.before.latent}: max_redundancy {ls.before.max_redundancy:.4g} -> "
                f"{ls.after.max_redundancy:.4g}"
            ),
            unless=None,
        ),
    )
    verdict: str | None = None


@dataclass(frozen=True, repr=False)
class SurvivalTable(Result):
    """:class:`Survival` rows for several ``k``; prints as a table.

    Attributes
    ----------
    transform : Transform
        The transformation.
    rows : tuple of Survival
        One row per ``k``, in the order asked.
    """

    transform: Transform
    rows: tuple[Survival, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i: int) -> Survival:
        return self.rows[i]

    # A table: the rows side by side say more than a one-line repr of each. With steps=,
    # one column pair per T (I_T before -> after) and a verdict line per row that changed.
    def __repr__(self) -> str:
        head = f"SurvivalTable({self.transform!r})\n"
        steps = self.rows[0].steps if self.rows else None
        cols = f"{'k':>3}  {'before':>8}  {'after':>8}  {'lower':>8}  {'upper':>8}  preserved"
        if steps is not None:
            cols += "".join(f"  {'I_' + str(t) + ' before->after':>24}" for t in steps)
        lines = [cols]
        for r in self.rows:
            line = (
                f"{r.k:>3}  {r.before:>8.4g}  {r.after:>8.4g}  {r.lower:>8.4g}  "
                f"{r.upper:>8.4g}  {'yes' if r.preserved else 'NO':<9}"
            )
            if r.steps is not None:
                line += "".join(
                    f"  {f'{a:.4g} -> {b:.4g}':>24}"
                    for a, b in zip(r.surviving_before, r.surviving_after)
                )
            lines.append(line.rstrip())
        verdicts = [f"k={r.k}: {r.verdict}" for r in self.rows if r.verdict]
        return head + "\n".join(lines + verdicts)


class _R:
    """R_j of one system, memoised; R_j with j <= 0 is H(X), with j >= n is 0."""

    def __init__(self, system: System, base: float) -> None:
        self.system, self.base, self.memo = system, base, {}

    def __call__(self, j: int) -> float:
        j = max(0, min(j, self.system.n))
        if j not in self.memo:
            if j == 0:
                self.memo[j] = self.system.entropy(self.base)
            else:
                self.memo[j] = conserved_information(self.system, j, base=self.base)
        return self.memo[j]


def _check(system: Any, transform: Any) -> None:
    if not _is_code(system):
        check_system(system)
    check_transform(transform)


def _survival(system, transform, y, k, rx, ry, base, *, exact=True) -> Survival:
    before, after = rx(k), ry(k)
    bijective = y.size == system.size
    bounds = "sandwich"
    wf, wi = static_widening(transform, system)
    lower = rx(k + wf) if bijective else 0.0
    upper = rx(k - wi)
    if exact:
        try:
            cone = light_cone(system, transform, k)
            # A vacuous cone (no support pairs within k: nothing moves) bounds like 0.
            if "forward" in cone.vacuous:
                lower = max(lower, rx(0))
            elif cone.forward is not None:
                lower = max(lower, rx(cone.forward))
            # Largest j whose inverse cone fits in k: R_k(Y) <= R_{ℓ⁻¹(j)}(Y) <= R_j(X).
            j = 0
            while j < system.n and (light_cone(system, transform, j + 1).inverse or 0) <= k:
                j += 1
            upper = min(upper, rx(j))
            bounds = "light cone"
        except TooLargeError:
            pass
    return Survival(
        k=k,
        before=before,
        after=after,
        lower=lower,
        upper=upper,
        bounds=bounds,
        preserved=abs(before - after) <= TOLERANCE,
        bijective=bijective,
        base=base,
    )


def survives(
    system: System,
    transform: Transform,
    k: int,
    *,
    steps: Sequence[int] | None = None,
    scan: str | None = None,
    about: int | str | None = None,
    base: float = 2,
    latent: Any = None,
) -> Survival:
    """Redundant information ``R_k`` before and after ``transform``, with its bounds.

    Parameters
    ----------
    system : System
        The system ``X``.
    transform : Transform
        The map ``φ``; ``Y = transform(system)``.
    k : int
        Block size (>= 1): every subset of ``k`` variables is resampled.
    steps : sequence of int, optional
        Also compare the finite-time information ``I(X^0; X^T)`` on X and Y with the same
        blocks; the result then shows both curves and a ``verdict`` covering R_k *and*
        the finite-time numbers (``preserved`` speaks of R_k only).
    scan : {"random", "systematic"}, optional
        The scan of that comparison: ``"random"`` by default, ``"systematic"`` on a
        :class:`~natabs.GaussianSystem` (the exact one there).
    about : str or int, optional
        Compare ``I(Λ; X^T)`` about this latent instead (left untouched by the map).
    base : float
        Logarithm base (2: bits).
    latent : str or int, optional
        A latent variable of the system that ``transform`` leaves alone: also report its
        natural-latent errors over the other variables before and after
        (:func:`natabs.latent_survival`; ``R_k`` is then that of the system with the latent).

    Examples
    --------
    THEORY §5 failure 1: a CNOT on 2 < 3 of 4 copies destroys R_3.

    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> na.survives(na.systems.copies(4), nt.cnot(0, 1), k=3)
    Survival(k=3, before=1, after=0, lower=0, upper=0, bounds='light cone', preserved=False)

    The exact light cones pin the answer here; the sandwich from block sizes alone
    (b = 2) only says ``R_4(X) = 0 <= R_3(Y) <= R_2(X) = 1``.

    Away from a change of R_j in j the sandwich pins R_k (plateau corollary):

    >>> na.survives(na.systems.copies(6), nt.cnot(0, 1), k=2).preserved
    True

    R_k can be kept while the information that survives a finite time is not:

    >>> x = na.systems.noisy_copies(5, 0.1)
    >>> out = na.survives(x, nt.difference_map([0, 1, 2, 3, 4]), k=1, steps=[20])
    >>> out.preserved
    True
    >>> out.verdict
    'R_1 preserved (0 bits); finite-time information at T=20 fell from 0.412 to 0.0965 bits'
    """
    if _is_gaussian(system):
        from ._gaussian import survives as linear_survives

        k = integer(k, "k", 1)
        if latent is not None:
            raise UnsupportedError(
                "survives(..., latent=) is not available for a GaussianSystem: compare "
                "natabs.natural_latent_errors(system, latent) with "
                "natabs.natural_latent_errors(transform(system), latent), or I(latent; X^T) "
                "with about= and steps="
            )
        return linear_survives(
            system, transform, k, steps=steps, scan=scan, about=about, base=check_base(base)
        )
    _check(system, transform)
    k = integer(k, "k", 0)
    if k == 0:
        raise InvalidInputError("k must be >= 1 (R_0 is H(X), which every bijection keeps)")
    b = check_base(base)
    y = transform(system)
    if _is_code(system):  # light cones from the matrices, R_j by ranks
        from ._gf2 import survival_rows

        if steps is not None or latent is not None:
            raise InvalidInputError(
                "steps= and latent= need the support engines; use code.to_system()"
            )
        return survival_rows(system, transform, [k], _R(system, b), _R(y, b), b)[0]
    out = _survival(system, transform, y, k, _R(system, b), _R(y, b), b)
    if latent is not None:
        out = replace(out, latent=latent_survival(system, latent, transform, base=b))
    if steps is None:
        return out
    return _with_steps(out, system, y, steps, b, scan=scan, about=about)


def _with_steps(
    out: Survival, system: System, y: System, steps, base: float, *, scan=None, about=None
) -> Survival:
    """``out`` with the finite-time comparison at ``steps`` and a verdict covering both."""
    steps = tuple(int(t) for t in check_steps(steps, "steps"))
    scan = "random" if scan is None else scan
    cx = surviving_information(system, steps, k=out.k, scan=scan, about=about, base=base)
    cy = surviving_information(y, steps, k=out.k, scan=scan, about=about, base=base)
    st = tuple(int(t) for t in cx.steps)
    before = tuple(float(v) for v in cx.bits)
    after = tuple(float(v) for v in cy.bits)
    return replace(
        out,
        steps=st,
        surviving_before=before,
        surviving_after=after,
        verdict=_verdict(out, st, before, after, base),
    )


def _verdict(out: Survival, steps, before, after, base: float) -> str:
    unit = "bits" if base == 2 else "nats" if abs(base - math.e) < 1e-12 else f"log{base:g} units"
    if out.preserved:
        first = f"R_{out.k} preserved ({out.before:.3g} {unit})"
    else:
        verb = "fell" if out.after < out.before else "rose"
        first = f"R_{out.k} {verb} from {out.before:.3g} to {out.after:.3g} {unit}"
    changes = [(abs(b - a), t, a, b) for t, a, b in zip(steps, before, after)]
    size, t, a, b = max(changes)
    if size <= FINITE_TIME_TOLERANCE:
        return (
            first + "; finite-time information unchanged at " + ", ".join(f"T={t}" for t in steps)
        )
    verb = "fell" if b < a else "rose"
    others = sum(1 for c in changes if c[0] > FINITE_TIME_TOLERANCE) - 1
    more = f" (and changed at {others} other T)" if others > 0 else ""
    return f"{first}; finite-time information at T={t} {verb} from {a:.3g} to {b:.3g} {unit}{more}"


def survival_table(
    system: System,
    transform: Transform,
    ks: Iterable[int] | None = None,
    *,
    steps: Sequence[int] | None = None,
    base: float = 2,
) -> SurvivalTable:
    """:func:`survives` for several ``k`` (default ``1 .. max(n_X, n_Y)``), as a table.

    With ``steps=`` every row also compares the finite-time information ``I(X^0; X^T)``
    on X and Y (``before -> after`` per T) and carries a verdict covering both; the table
    prints one verdict line per row.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> na.survival_table(na.systems.copies(4), nt.cnot(0, 1))
    SurvivalTable(cnot(0 -> 1))
      k    before     after     lower     upper  preserved
      1         1         1         1         1  yes
      2         1         1         1         1  yes
      3         1         0         0         0  NO
      4         0         0         0         0  yes

    With ``steps=``, the finite-time information before and after, and a verdict:

    >>> x = na.systems.noisy_copies(5, 0.1)
    >>> na.survival_table(x, nt.difference_map([0, 1, 2, 3, 4]), [1], steps=[20])
    SurvivalTable(difference_map([0, 1, 2, 3, 4]))
      k    before     after     lower     upper  preserved        I_20 before->after
      1         0         0         0     3.302  yes               0.4118 -> 0.09648
    k=1: R_1 preserved (0 bits); finite-time information at T=20 fell from 0.412 to 0.0965 bits
    """
    _check(system, transform)
    b = check_base(base)
    y = transform(system)
    if ks is None:
        ks = range(1, max(system.n, y.n) + 1)
    ks = check_sequence(ks, "ks", what="integers")
    rx, ry = _R(system, b), _R(y, b)
    rows = []
    for k in ks:
        k = integer(k, "k", 0)
        if k == 0:
            raise InvalidInputError("ks must be >= 1")
        if _is_code(system):
            from ._gf2 import survival_rows

            if steps is not None:
                raise InvalidInputError("steps= needs the support engines; use code.to_system()")
            rows.extend(survival_rows(system, transform, [k], rx, ry, b))
            continue
        row = _survival(system, transform, y, k, rx, ry, b)
        if steps is not None:
            row = _with_steps(row, system, y, steps, b)
        rows.append(row)
    return SurvivalTable(transform=transform, rows=tuple(rows))
