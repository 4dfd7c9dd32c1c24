"""Searching for a natural latent: optimise ``P[Λ | X]`` over the views' states (THEORY §7).

The latent is parametrised by softmax logits ``θ[u, λ]``, one row per distinct state ``u`` of
the views: ``P[Λ = λ | u] = exp θ[u, λ] / Σ_μ exp θ[u, μ]``. Every objective offered is a
signed sum of joint entropies ``H(Λ, X_S)`` for sets ``S`` of views (plus constants), so its
gradient is exact and cheap: ``∂H(Λ, X_S) / ∂P(u, λ) = -(log P(x_S, λ) + 1)``. L-BFGS
(scipy.optimize) runs from several starts: random ones and the baselines that fit in
``card`` values. The answer is the best of the optimised latents and those baselines,
recomputed exactly with :func:`natabs.natural_latent_errors`, so it is never worse than a
reported baseline that fits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._results import Result, show
from .._validation import choice, integer
from ..errors import InvalidInputError, TooLargeError
from ..systems._latents import resampled_latent
from ..systems._support import System
from ._conserved import component_labels
from ._latents import NaturalLatentErrors, natural_latent_errors

__all__ = [
    "OBJECTIVES",
    "FoundLatent",
    "LatentBaseline",
    "LatentPareto",
    "find_natural_latent",
    "latent_pareto",
]

#: Objectives: the redundancy convention summed over the views and added to the mediation.
OBJECTIVES = {
    "mediation+redundancy": "redundancy",
    "mediation+strong_redundancy": "strong_redundancy",
    "mediation+deterministic_redundancy": "deterministic_redundancy",
}
#: Largest number of parameters (view states x card) the search accepts.
MAX_PARAMETERS = 1 << 20


def _brief(e: NaturalLatentErrors) -> str:
    return f"mediation {e.mediation:.4g}, max_redundancy {e.max_redundancy:.4g}"


def _best(baselines: tuple[LatentBaseline, ...]) -> str:
    fit = [b for b in baselines if b.fits]
    if not fit:
        return "none"
    b = min(fit, key=lambda b: b.objective)
    return f"{b.name}: {b.objective:.6g}"


@dataclass(frozen=True, repr=False)
class LatentBaseline(Result):
    """A reference latent and its errors.

    Attributes
    ----------
    name : str
        ``"constant"``, ``"view <i>"`` (a copy of view ``i``), ``"component label"`` (the
        conserved label with blocks = views) or ``"resampled"``.
    card : int
        Number of values it takes.
    objective : float
        The search objective at this latent.
    errors : NaturalLatentErrors
        Its errors.
    fits : bool
        Whether it takes at most ``card`` values (only those bound the search's answer).
    """

    name: str
    card: int
    objective: float
    errors: NaturalLatentErrors = field(repr=False)
    fits: bool


@dataclass(frozen=True, repr=False)
class FoundLatent(Result):
    """A searched latent, its exact errors and the baselines it was compared with.

    Attributes
    ----------
    system : System
        The input system with the latent added last.
    latent : str
        The latent's name.
    table : numpy.ndarray
        ``P[Λ | x]`` for each support state of the input system, shape ``(N, card)``.
    errors : NaturalLatentErrors
        Its errors, recomputed exactly.
    objective : float
        The objective at the answer (mediation + the sum over views of the convention).
    objective_name : str
        Which objective.
    source : str
        ``"search"``, or the name of the baseline that the search did not beat.
    baselines : tuple of LatentBaseline
        The reference latents.
    """

    latent: str
    objective: float
    source: str
    errors: NaturalLatentErrors = field(metadata=show(_brief))
    baselines: tuple[LatentBaseline, ...] = field(metadata=show(_best, name="best_baseline"))
    objective_name: str = field(
        default="mediation+redundancy", metadata=show(unless="mediation+redundancy")
    )
    table: np.ndarray = field(default=None, repr=False)
    system: System = field(default=None, repr=False)


# -- the objective on the views' states ------------------------------------------------------


class _Problem:
    """The views' marginal law and the entropy sets of an objective."""

    def __init__(
        self,
        system: System,
        views: tuple[tuple[int, ...], ...],
        convention: str,
        weight: float,
        card: int = 1,
    ) -> None:
        every = [v for view in views for v in view]
        rows = np.asarray(system.states)[:, every]
        u, inv = np.unique(rows, axis=0, return_inverse=True)
        if len(u) * card > MAX_PARAMETERS:  # refused before the entropy sets are built
            raise TooLargeError(
                f"{len(u)} view states x card {card} = {len(u) * card} parameters; the "
                f"search accepts at most {MAX_PARAMETERS}"
            )
        self.inverse = inv.ravel()  # support state -> view state
        self.p = np.bincount(self.inverse, weights=system.probs, minlength=len(u))
        self.u = u
        m = len(views)
        cols, pos = [], 0
        for view in views:
            cols.append(list(range(pos, pos + len(view))))
            pos += len(view)
        ids: dict[tuple[int, ...], np.ndarray] = {}

        def gid(s: tuple[int, ...]) -> np.ndarray:
            if s not in ids:
                c = [x for i in s for x in cols[i]]
                if not c:
                    ids[s] = np.zeros(len(u), dtype=np.intp)
                else:
                    ids[s] = np.unique(u[:, c], axis=0, return_inverse=True)[1].ravel()
            return ids[s]

        coef: dict[tuple[int, ...], float] = {}

        def add(s: tuple[int, ...], c: float) -> None:
            coef[s] = coef.get(s, 0.0) + c

        full = tuple(range(m))
        for i in range(m):  # mediation
            add((i,), 1.0)
        add((), -(m - 1.0))
        add(full, -1.0)
        for i in range(m):
            rest = tuple(j for j in range(m) if j != i)
            if convention == "redundancy":
                add(rest, weight)
                add(full, -weight)
            elif convention == "strong_redundancy":
                add((i,), weight)
                add(full, -weight)
            else:
                add(rest, weight)
        self.terms = [(gid(s), int(gid(s).max()) + 1, c) for s, c in coef.items() if c != 0.0]
        self.empty = gid(())

    def value_and_grad(
        self, theta: np.ndarray, card: int, target: float | None = None, stiffness: float = 0.0
    ) -> tuple[float, np.ndarray]:
        t = theta.reshape(-1, card)
        t = t - t.max(axis=1, keepdims=True)
        q = np.exp(t)
        q /= q.sum(axis=1, keepdims=True)
        r = self.p[:, None] * q
        f, g = 0.0, np.zeros_like(r)
        ln2 = math.log(2)
        for ids, k, c in self.terms:
            if k == len(r):  # one view state per group (e.g. all views): a permutation
                rs = np.empty_like(r)
                rs[ids] = r
            else:
                rs = np.stack(
                    [np.bincount(ids, weights=r[:, j], minlength=k) for j in range(card)], axis=1
                )
            logs = np.log(np.where(rs > 0, rs, 1.0))
            f -= c * float((rs * logs).sum()) / ln2
            g -= c * (logs[ids] + 1.0) / ln2
        if target is not None:
            rl = r.sum(axis=0)
            logl = np.log(np.where(rl > 0, rl, 1.0))
            h = -float((rl * logl).sum()) / ln2
            f += stiffness * (h - target) ** 2
            g += 2 * stiffness * (h - target) * (-(logl[None, :] + 1.0) / ln2)
        grad = r * (g - (q * g).sum(axis=1, keepdims=True))
        return f, grad.ravel()

    def optimise(self, theta0: np.ndarray, card: int, maxiter: int, **kw: Any) -> np.ndarray:
        from scipy.optimize import minimize

        res = minimize(
            self.value_and_grad,
            theta0.ravel(),
            args=(card,) + tuple(kw.values()),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": maxiter},
        )
        t = res.x.reshape(-1, card)
        q = np.exp(t - t.max(axis=1, keepdims=True))
        return q / q.sum(axis=1, keepdims=True)


def _objective(e: NaturalLatentErrors, convention: str, weight: float) -> float:
    return float(e.mediation + weight * getattr(e, convention).sum())


def _one_hot(values: np.ndarray, card: int) -> np.ndarray:
    t = np.zeros((len(values), card))
    t[np.arange(len(values)), values] = 1.0
    return t


def _baselines(
    system: System, prob: _Problem, views, name: str, card: int, convention: str, weight: float
) -> list[tuple[LatentBaseline, np.ndarray | None]]:
    """Reference latents, each with its table per view state when it fits in ``card``."""
    vlist = [list(v) for v in views]
    out: list[tuple[str, np.ndarray]] = [("constant", np.ones((len(prob.u), 1)))]
    pos = 0
    for i, view in enumerate(views):
        vals = np.unique(prob.u[:, pos : pos + len(view)], axis=0, return_inverse=True)[1].ravel()
        pos += len(view)
        out.append((f"view {i}", _one_hot(vals, int(vals.max()) + 1)))
    usys = System(prob.u, prob.p, [system.cards[v] for view in views for v in view], normalize=True)
    blocks = []
    pos = 0
    for view in views:
        blocks.append(tuple(range(pos, pos + len(view))))
        pos += len(view)
    labels, count = component_labels(usys, tuple(blocks))
    out.append(("component label", _one_hot(labels.astype(np.intp), int(count))))
    try:
        r = resampled_latent(usys, views=[list(b) for b in blocks], name="__r", max_states=1 << 16)
        # prob.u is sorted (np.unique), so the sorted ids of r's view rows index it.
        state = np.unique(r.states[:, :-1], axis=0, return_inverse=True)[1].ravel()
        t = np.zeros((len(prob.u), int(r.cards[-1])))
        t[state, r.states[:, -1].astype(np.intp)] = r.probs
        out.append(("resampled", t / t.sum(axis=1, keepdims=True)))
    except TooLargeError:
        pass
    res = []
    for bname, table in out:
        s = system.with_latent(table[prob.inverse], name=name)
        e = natural_latent_errors(s, name, views=vlist)
        fits = table.shape[1] <= card
        padded = np.pad(table, ((0, 0), (0, card - table.shape[1]))) if fits else None
        res.append(
            (
                LatentBaseline(bname, table.shape[1], _objective(e, convention, weight), e, fits),
                padded,
            )
        )
    return res


def _check_args(system: Any, card: Any, views: Any, name: Any) -> tuple[int, Any]:
    if not isinstance(system, System):
        raise TypeError(
            f"the latent search needs a support natabs.System (use FactorGraph.to_system() "
            f"for a small factor graph), got {type(system).__name__}"
        )
    card = integer(card, "card", 1)
    if not isinstance(name, str) or name in system.names:
        raise InvalidInputError(f"name must be a new variable name, got {name!r}")
    from ._latents import resolve_views

    vs = resolve_views(system, -1, views)
    return card, vs


def find_natural_latent(
    system: System,
    card: int,
    *,
    views: Sequence[Any] | None = None,
    objective: str = "mediation+redundancy",
    weight: float = 1.0,
    restarts: int = 4,
    maxiter: int = 500,
    seed: int | None = 0,
    name: str = "latent",
) -> FoundLatent:
    """Search for a stochastic latent ``P[Λ | X]`` with ``card`` values that is most natural.

    The objective is ``ε_med + weight · Σ_i R_i`` where ``R_i`` is the chosen redundancy
    convention of view ``i`` (THEORY §7):

    - ``"mediation+redundancy"`` (default): ``R_i = I(Λ; X_i | X_{-i})``;
    - ``"mediation+strong_redundancy"``: ``R_i = I(Λ; X_{-i} | X_i)``;
    - ``"mediation+deterministic_redundancy"``: ``R_i = H(Λ | X_{-i})``.

    The latent depends on the views only (variables outside them are marginalised). The
    search starts from ``restarts`` random logits and from every baseline that fits in
    ``card`` values, runs L-BFGS on the exact gradient, and returns the best latent found
    or the best fitting baseline, whichever is better: never worse than a reported
    baseline with at most ``card`` values.

    Parameters
    ----------
    system : System
        The views (and possibly other variables).
    card : int
        Number of latent values.
    views : list, optional
        Disjoint groups of variables; by default every variable alone.
    objective : str
        One of the objectives above.
    weight : float
        Weight of the redundancy sum (>= 0).
    restarts : int
        Random starts (>= 0) besides the baselines.
    maxiter : int
        L-BFGS iterations per start.
    seed : int or None
        Seed of the random starts.
    name : str
        Name of the latent in the returned system.

    Returns
    -------
    FoundLatent
        The latent (as a table and as a variable of ``result.system``), its errors and the
        baselines: the constant latent, a copy of each view, the component label of
        blocks = views, and the resampled latent where it fits in memory.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.noisy_copies(3, 0.1)
    >>> f = na.find_natural_latent(s, card=2, seed=0)
    >>> f.objective <= min(b.objective for b in f.baselines if b.fits) + 1e-12
    True
    >>> f.source, round(f.objective, 3) == round(f.errors.mediation + float(f.errors.redundancy.sum()), 3)
    ('search', True)
    """
    card, vs = _check_args(system, card, views, name)
    key = choice(objective, "objective", tuple(OBJECTIVES))
    convention = OBJECTIVES[key]
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        raise TypeError(f"weight must be a number, got {weight!r}") from None
    if not (math.isfinite(weight) and weight >= 0):
        raise InvalidInputError(f"weight must be a finite number >= 0, got {weight!r}")
    restarts = integer(restarts, "restarts", 0)
    maxiter = integer(maxiter, "maxiter", 1)
    prob = _Problem(system, vs, convention, weight, card)
    base = _baselines(system, prob, vs, name, card, convention, weight)
    rng = np.random.default_rng(seed)
    starts = [rng.normal(scale=2.0, size=(len(prob.u), card)) for _ in range(restarts)]
    starts += [4.0 * t for _, t in base if t is not None and t.shape[1] > 1]
    vlist = [list(v) for v in vs]
    candidates: list[tuple[float, str, np.ndarray, NaturalLatentErrors]] = []
    for theta in starts:
        q = prob.optimise(theta, card, maxiter)
        e = natural_latent_errors(system.with_latent(q[prob.inverse], name=name), name, views=vlist)
        candidates.append((_objective(e, convention, weight), "search", q, e))
    for b, t in base:
        if t is not None:
            candidates.append((b.objective, b.name, t, b.errors))
    best = min(candidates, key=lambda c: c[0])
    table = best[2][prob.inverse]
    table.flags.writeable = False
    return FoundLatent(
        system=system.with_latent(table, name=name),
        latent=name,
        table=table,
        errors=best[3],
        objective=best[0],
        objective_name=key,
        source=best[1],
        baselines=tuple(b for b, _ in base),
    )


# -- the Pareto sweep over H(Λ) ----------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class LatentPareto(Result):
    """Mediation against redundancy for latents searched at several entropies ``H(Λ)``.

    Attributes
    ----------
    target : numpy.ndarray
        The entropy each search aimed at (bits).
    latent_entropy : numpy.ndarray
        ``H(Λ)`` of the latent found.
    mediation : numpy.ndarray
        Its mediation error.
    redundancy : numpy.ndarray
        Its redundancy error summed over the views (the objective's convention).
    pareto : numpy.ndarray
        Whether each point is non-dominated (no other point is as good in both errors and
        better in one).
    objective_name : str
        The objective whose convention is summed.
    """

    target: np.ndarray = field(metadata=show(len, name="points"))
    pareto: np.ndarray = field(metadata=show(lambda a: int(a.sum())))
    latent_entropy: np.ndarray = field(repr=False)
    mediation: np.ndarray = field(repr=False)
    redundancy: np.ndarray = field(repr=False)
    objective_name: str = field(
        default="mediation+redundancy", metadata=show(unless="mediation+redundancy")
    )

    def plot(self, ax: Any = None) -> Any:
        """Mediation against redundancy, coloured by ``H(Λ)`` (needs matplotlib).

        Returns the matplotlib axes.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 4))
        sc = ax.scatter(
            self.redundancy, self.mediation, c=self.latent_entropy, cmap="viridis", zorder=3
        )
        front = np.flatnonzero(self.pareto)
        front = front[np.argsort(self.redundancy[front])]
        ax.plot(self.redundancy[front], self.mediation[front], "k--", lw=1, label="Pareto front")
        ax.figure.colorbar(sc, ax=ax, label="H(Λ) (bits)")
        ax.set_xlabel(f"Σ_i {OBJECTIVES[self.objective_name]} (bits)")
        ax.set_ylabel("mediation TC(X | Λ) (bits)")
        ax.legend()
        return ax


def latent_pareto(
    system: System,
    card: int,
    *,
    views: Sequence[Any] | None = None,
    levels: int = 8,
    objective: str = "mediation+redundancy",
    restarts: int = 2,
    stiffness: float = 20.0,
    maxiter: int = 300,
    seed: int | None = 0,
) -> LatentPareto:
    """Sweep the latent's entropy: at each target ``h``, search ``P[Λ | X]`` minimising
    ``objective + stiffness · (H(Λ) - h)²``, and record its exact errors.

    ``h`` runs over ``levels`` values from 0 to ``log2(card)``. The points trace how much
    mediation a latent of a given entropy can remove and how much redundancy error that
    costs; :meth:`LatentPareto.plot` draws them.

    Examples
    --------
    >>> import natabs as na
    >>> p = na.latent_pareto(na.systems.noisy_copies(3, 0.1), card=2, levels=3, restarts=1)
    >>> p.latent_entropy.round(1)
    array([0. , 0.5, 1. ])
    >>> bool(p.pareto.any())
    True
    """
    card, vs = _check_args(system, card, views, "__latent")
    key = choice(objective, "objective", tuple(OBJECTIVES))
    convention = OBJECTIVES[key]
    levels = integer(levels, "levels", 1)
    restarts = integer(restarts, "restarts", 1)
    maxiter = integer(maxiter, "maxiter", 1)
    prob = _Problem(system, vs, convention, 1.0, card)
    rng = np.random.default_rng(seed)
    targets = np.linspace(0.0, math.log2(card), levels)
    vlist = [list(v) for v in vs]
    rows = []
    previous = None
    for h in targets:
        starts = [rng.normal(scale=2.0, size=(len(prob.u), card)) for _ in range(restarts)]
        if previous is not None:
            starts.append(np.log(np.clip(previous, 1e-12, None)))
        best = None
        for theta in starts:
            q = prob.optimise(theta, card, maxiter, target=h, stiffness=float(stiffness))
            e = natural_latent_errors(
                system.with_latent(q[prob.inverse], name="__latent"), "__latent", views=vlist
            )
            score = _objective(e, convention, 1.0) + stiffness * (e.latent_entropy - h) ** 2
            if best is None or score < best[0]:
                best = (score, q, e)
        previous = best[1]
        e = best[2]
        rows.append((e.latent_entropy, e.mediation, float(getattr(e, convention).sum())))
    ent, med, red = (np.array(c) for c in zip(*rows))
    pareto = np.array(
        [
            not np.any((med <= med[i]) & (red <= red[i]) & ((med < med[i]) | (red < red[i])))
            for i in range(len(med))
        ]
    )
    return LatentPareto(
        target=targets,
        latent_entropy=ent,
        mediation=med,
        redundancy=red,
        pareto=pareto,
        objective_name=key,
    )
