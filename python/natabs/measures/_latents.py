"""Natural latents: how well a latent mediates between views and is redundant over them
(THEORY §7).

Views ``X_1 .. X_m`` are disjoint groups of a system's variables; the latent ``Λ`` is one
more variable of the same system. Every error is a signed sum of joint entropies of a few
sets of variables, so one group-by over the support per set (Rust, in parallel) gives them
all exactly:

- mediation ``TC(X | Λ) = Σ_i H(Λ, X_i) - (m - 1) H(Λ) - H(Λ, X)``;
- ``I(Λ; X_i | X_{-i}) = H(Λ, X_{-i}) + H(X) - H(X_{-i}) - H(Λ, X)`` (leave-one-out);
- ``I(Λ; X_{-i} | X_i) = H(Λ, X_i) + H(X) - H(X_i) - H(Λ, X)`` (strong);
- ``H(Λ | X_{-i})`` and ``H(Λ | X_i)`` (the deterministic conventions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _native
from .._info import check_base
from .._results import Result, show
from ..engines import _kernel
from ..errors import InvalidInputError
from ._dispatch import implementation

__all__ = ["NaturalLatentErrors", "group_entropies", "natural_latent_errors", "resolve_views"]

#: Slack (relative to the entropies involved) within which a rounding error below 0 or
#: above its bound is clipped, and a value near 0 made 0; anything further out raises.
TOLERANCE = 1e-9


@dataclass(frozen=True, repr=False)
class NaturalLatentErrors(Result):
    """How far a latent is from natural over some views (THEORY §7), in units of ``base``.

    Attributes
    ----------
    mediation : float
        ``TC(X | Λ)``: the views' total correlation given the latent.
    redundancy : numpy.ndarray
        Per view, ``I(Λ; X_i | X_{-i})`` (stochastic, leave-one-out).
    strong_redundancy : numpy.ndarray
        Per view, ``I(Λ; X_{-i} | X_i)`` (stochastic, strong).
    deterministic_redundancy : numpy.ndarray
        Per view, ``H(Λ | X_{-i})`` (deterministic, leave-one-out); ``nan`` on a Gaussian
        system (a discrete entropy: it does not apply to a continuous latent, THEORY §7).
    view_determinism : numpy.ndarray
        Per view, ``H(Λ | X_i)`` (deterministic, per view); ``nan`` on a Gaussian system.
    max_redundancy, max_strong_redundancy, max_deterministic_redundancy, max_view_determinism : float
        The largest value of each array.
    latent_entropy : float
        ``H(Λ)`` (on a Gaussian system the differential entropy ``h(Λ)``, any sign).
    latent_noise : float
        ``H(Λ | X)`` (0 when the latent is a function of the views; on a Gaussian system
        the differential entropy ``h(Λ | X)``, so ``I(Λ; X)`` is their difference).
    latent : str
        Name of the latent variable.
    views : tuple of tuple of str
        The views, as variable names.
    base : float
        Logarithm base of every number (2: bits).
    """

    latent: str
    views: tuple[tuple[str, ...], ...] = field(metadata=show(len))
    mediation: float
    max_redundancy: float
    max_strong_redundancy: float
    max_deterministic_redundancy: float
    max_view_determinism: float
    redundancy: np.ndarray = field(repr=False)
    strong_redundancy: np.ndarray = field(repr=False)
    deterministic_redundancy: np.ndarray = field(repr=False)
    view_determinism: np.ndarray = field(repr=False)
    latent_entropy: float = field(repr=False)
    latent_noise: float = field(repr=False)
    base: float = field(default=2.0, metadata=show(unless=2.0))


def resolve_views(system: Any, latent: int, views: Any) -> tuple[tuple[int, ...], ...]:
    """Views as disjoint, non-empty tuples of variable indices that avoid the latent.

    ``None`` means every other variable alone; a single name or index is a one-variable view.
    """
    if views is None:
        out = tuple((i,) for i in range(system.n) if i != latent)
        if not out:
            raise InvalidInputError("the system has no variable besides the latent: no views")
        return out
    if isinstance(views, (str, bytes)) or not isinstance(views, Iterable):
        raise TypeError(f"views must be a list of variable groups, got {views!r}")
    out, seen = [], {}
    for j, group in enumerate(views):
        members = [group] if isinstance(group, (str, int, np.integer)) else group
        if isinstance(members, bytes) or not isinstance(members, Iterable):
            raise TypeError(f"view {j} must be a variable or a list of variables, got {group!r}")
        idx = system.indices(list(members))
        if not idx:
            raise InvalidInputError(f"view {j} is empty; every view needs a variable")
        for v in idx:
            if v == latent:
                raise InvalidInputError(
                    f"view {j} contains the latent {system.names[v]!r}; views must not"
                )
            if v in seen:
                raise InvalidInputError(
                    f"variable {system.names[v]!r} is in views {seen[v]} and {j}; "
                    "views must be disjoint"
                )
            seen[v] = j
        out.append(tuple(idx))
    if not out:
        raise InvalidInputError("views is empty; give at least one view (or None for all)")
    return tuple(out)


def natural_latent_errors(
    system: Any, latent: Any, *, views: Sequence[Any] | None = None, base: float = 2
) -> NaturalLatentErrors:
    """Mediation and redundancy errors of a latent variable over views (THEORY §7).

    Parameters
    ----------
    system : System, FactorGraph or GaussianSystem
        A system containing the views and the latent (a support :class:`~natabs.System`,
        a factor graph small enough to enumerate, or a :class:`~natabs.GaussianSystem`,
        in closed form by log-determinants: the deterministic conventions are then
        ``nan``, see :class:`NaturalLatentErrors`). Build a latent with
        :meth:`System.with_latent`, :func:`natabs.resampled_latent` or
        :func:`natabs.find_natural_latent`.
    latent : str or int
        The latent variable, by name or index.
    views : list, optional
        Disjoint groups of variables (each a name, an index or a list of them); by default
        every variable but the latent is a view of its own. Variables in no view are
        marginalised out.
    base : float
        Logarithm base of the results (2: bits).

    Returns
    -------
    NaturalLatentErrors
        The mediation error and, per view, the four redundancy conventions.

    Examples
    --------
    The majority of 3 noisy copies: the others tie with probability ``2 p (1 - p)``, and
    then the majority is the remaining copy, a fair bit.

    >>> import natabs as na
    >>> s = na.systems.noisy_copies(3, 0.1)
    >>> s = s.with_latent(lambda x: x.sum(axis=1) >= 2, name="M", card=2)
    >>> e = na.natural_latent_errors(s, "M")
    >>> e.deterministic_redundancy
    array([0.18, 0.18, 0.18])
    >>> round(e.mediation, 4), round(e.max_redundancy, 4)
    (0.04, 0.18)

    Views may be groups of variables:

    >>> e = na.natural_latent_errors(s, "M", views=[["x0", "x1"], "x2"])
    >>> e.views
    (('x0', 'x1'), ('x2',))
    """
    compute = implementation(system, "natural_latent_errors")
    b = check_base(base)
    lat = system.index(latent)
    return compute(system, lat, resolve_views(system, lat, views), base=b)


# -- the support engine ---------------------------------------------------------------------


def group_entropies(system: Any, sets: Sequence[Sequence[int]]) -> np.ndarray:
    """Joint entropies in nats of the marginals of ``sets`` of variables of a System.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs.measures._latents import group_entropies
    >>> group_entropies(na.systems.copies(2), [[0], [0, 1], []]) / np.log(2)
    array([1., 1., 0.])
    """
    sets = [list(s) for s in sets]
    if system.is_coded:
        probs = np.ascontiguousarray(system.probs, dtype=np.float64)
        cards, budget = list(system.cards), _kernel.MEMORY_BUDGET
        return np.asarray(_native.marginal_entropies(cards, system.codes, probs, sets, budget))
    rows, p, out = system.states, system.probs, []
    for s in sets:
        if not s:
            out.append(0.0)
            continue
        _, inv = np.unique(rows[:, s], axis=0, return_inverse=True)
        m = np.bincount(inv.ravel(), weights=p)
        m = m[m > 0]
        out.append(float(-(m * np.log(m)).sum()))
    return np.asarray(out)


def _checked(value: Any, upper: Any, what: str, scale: float) -> Any:
    """``value`` clipped to ``[0, upper]`` if it is within rounding of that range.

    Values within rounding of 0 become exactly 0 (a deterministic latent has no noise).
    """
    v, hi = np.asarray(value, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    slack = TOLERANCE * max(1.0, scale)
    if np.any(v < -slack) or np.any(v > hi + slack):
        raise RuntimeError(f"{what} = {value} lies outside [0, {upper}]: an internal error")
    v = np.where(np.abs(v) <= slack, 0.0, v)
    return np.clip(v, 0.0, np.maximum(hi, 0.0))


def on_support(
    system: Any, latent: int, views: tuple[tuple[int, ...], ...], *, base: float
) -> NaturalLatentErrors:
    """:func:`natural_latent_errors` on a support system: group-by entropies in Rust."""
    m = len(views)
    every = tuple(sorted(v for view in views for v in view))
    rest = [
        tuple(sorted(v for j, view in enumerate(views) if j != i for v in view)) for i in range(m)
    ]
    sets: dict[tuple[int, ...], int] = {}
    for s in [(), (latent,), every, every + (latent,)] + [
        t
        for i in range(m)
        for t in (
            tuple(sorted(views[i])),
            tuple(sorted(views[i])) + (latent,),
            rest[i],
            rest[i] + (latent,),
        )
    ]:
        sets.setdefault(s, len(sets))
    hs = group_entropies(system, list(sets)) / math.log(base)

    def H(s):  # the entropy of a set, as in THEORY
        return float(hs[sets[s]])

    h_lat, h_x, h_lx = H((latent,)), H(every), H(every + (latent,))
    hv = np.array([H(tuple(sorted(v))) for v in views])
    hvl = np.array([H(tuple(sorted(v)) + (latent,)) for v in views])
    hr = np.array([H(r) for r in rest])
    hrl = np.array([H(r + (latent,)) for r in rest])
    scale = h_lx + float(hv.sum())
    noise = float(_checked(h_lx - h_x, h_lat, "H(latent | X)", scale))
    mediation = float(_checked(hvl.sum() - (m - 1) * h_lat - h_lx, hv.sum(), "mediation", scale))
    det = _checked(hrl - hr, h_lat, "H(latent | X_-i)", scale)
    view_det = _checked(hvl - hv, h_lat, "H(latent | X_i)", scale)
    # (1) = (3) - H(latent | X) and (2) = (4) - H(latent | X) (THEORY §7), from the checked
    # noise: a deterministic latent then has (1) = (3) and (2) = (4) exactly.
    red = _checked(det - noise, det, "I(latent; X_i | X_-i)", scale)
    strong = _checked(view_det - noise, view_det, "I(latent; X_-i | X_i)", scale)
    for a in (red, strong, det, view_det):
        a.flags.writeable = False
    names = system.names
    return NaturalLatentErrors(
        mediation=mediation,
        redundancy=red,
        strong_redundancy=strong,
        deterministic_redundancy=det,
        view_determinism=view_det,
        max_redundancy=float(red.max()),
        max_strong_redundancy=float(strong.max()),
        max_deterministic_redundancy=float(det.max()),
        max_view_determinism=float(view_det.max()),
        latent_entropy=h_lat,
        latent_noise=noise,
        latent=names[latent],
        views=tuple(tuple(names[v] for v in view) for view in views),
        base=base,
    )
