"""The measures on a permutation-symmetric system: exact on its types (THEORY §9).

The type chain, which resampling lumps onto it, and how its gaps are computed to high
relative accuracy are in :mod:`natabs.measures._type_chain`.

**Surviving information about the latent.** ``X | Λ`` is exchangeable, so the type is
sufficient for ``Λ`` at time 0 and at every ``T`` and ``I(Λ; X^T) = I(Λ; t^T)``: the
likelihood ratio ``r_λ(t) = P(t^T = t | λ) / q(t)`` is expanded in the eigenfunctions of
the type chain, ``r_λ = Σ_j λ_j^T c_{λ j} φ_j``, with ``λ_j^T = exp(T log1p(-g_j))`` and
``g_j = 1 - λ_j`` an eigenvalue of ``-Q``, ``Q = K - I`` built directly from the rates.
Any ``T`` costs one matrix–vector product: never ``T`` steps.

**Spectrum (the symmetric sector).** The eigenvalues of ``K`` on functions of the type,
as gaps ``1 - λ`` computed from the rates (never as ``1 - λ`` of a computed ``λ``), the
small ones to high relative accuracy (:mod:`natabs.measures._type_chain` says how). The
relaxation time of this sector is a lower bound on the whole kernel's.

**Conserved information.** Components of the move graph, on types. If the family has a
level ``s >= 2``, every type class is connected (a transposition is a 2-site move) and
classes ``t, t'`` are joined when ``Σ_a max(t_a - t'_a, 0) <= s_max``. With single
sites only (``s_max = 1``) a component ``Γ`` of the type graph (moves of one unit)
splits: a move ``a -> b`` inside ``Γ`` joins the values ``a`` and ``b``; the sites whose
values lie in one class ``V`` of joined values stay in that class for ever, so each
pattern of classes over the sites is its own component: ``Γ`` splits into
``multinomial(n; (Σ_{a in V} t_a)_V)`` components of equal mass (every state alone when
no move is possible, as for parity). ``R = H(Γ) + Σ_Γ P(Γ) log multinomial(...)``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .. import blocks as _blocks
from ..errors import InvalidInputError, UnsupportedError
from ..systems._symmetric import (
    MAX_ENUMERATED,
    SymmetricSystem,
    log_multinomial,
    multinomial,
)
from ._conserved import Conserved
from ._finite_time import Curve
from ._spectrum import SlowModes, Spectrum
from ._type_chain import DENSE_MAX, RELATIVE_BELOW, TypeChain, permutation_levels

__all__ = [
    "DENSE_MAX",
    "SymmetricConserved",
    "SymmetricMeasures",
    "SymmetricSpectrum",
    "TypeChain",
    "permutation_levels",
]


# -- result classes -------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SymmetricConserved(Conserved):
    """:class:`~natabs.measures.Conserved` for a :class:`~natabs.SymmetricSystem`.

    The components can be far too many to list, so ``labels`` and ``masses`` describe
    *groups*: ``labels[i]`` is the group of the support type ``system.types[i]``,
    ``masses[g]`` the probability of group ``g``, and ``multiplicities[g]`` how many
    components of equal mass it splits into (``n_components`` is their sum, a Python int).
    """

    multiplicities: tuple[int, ...] = field(default=(), repr=False)


@dataclass(frozen=True, repr=False)
class SymmetricSpectrum(Spectrum):
    """:class:`~natabs.measures.Spectrum` of the symmetric sector (functions of the type).

    ``size`` counts types, ``complete`` is false (the other sectors are not computed:
    ``chi2`` is a lower bound and ``relaxation_time`` a lower bound on the whole
    kernel's), and ``gaps`` holds ``1 - λ`` computed from the rates, accurate where
    ``eigenvalues`` round to 1. ``top`` is at most ``size`` (a larger one is refused: it
    would list fewer eigenvalues than the kernel has).
    """

    gaps: np.ndarray = None  # type: ignore[assignment]


# -- measures -------------------------------------------------------------------------------


def _levels_or_none(system: SymmetricSystem, family, scan: str = "random"):
    if scan != "random":
        return None
    return permutation_levels(system.n, family)


def _enumerable(system: SymmetricSystem, latent: bool) -> bool:
    m = len(system.latent_probs) if latent else 1
    return system.card**system.n * m <= MAX_ENUMERATED


def _on_support(system: SymmetricSystem, measure: str, why: str, *, latent: bool = False):
    """The support engine's ``measure`` on the enumerated law, or a refusal saying why."""
    if not _enumerable(system, latent):
        raise UnsupportedError(
            f"{measure} of a SymmetricSystem is exact on its types only for block families "
            f"invariant under permuting the variables (all_subsets(n, k) and unions) and "
            f"random scan; {why}, and the system is too large to enumerate "
            f"({system.card}**{system.n} states)"
        )
    from ._support import SupportMeasures

    return getattr(SupportMeasures, measure), system.to_system(latent=latent)


def conserved(system: SymmetricSystem, family, *, base: float) -> SymmetricConserved:
    """``R`` on the types: components of the type graph and how each splits (module doc)."""
    levels = permutation_levels(system.n, family)
    if levels is None:
        fn, sup = _on_support(system, "conserved", "this family is not")
        return fn(sup, family, base=base)
    chain = TypeChain(system, levels)
    q = system.type_probs
    logq = system.log_type_probs
    labels = chain.labels.astype(np.uint32)
    groups = chain.n_components
    masses = np.exp(_group_logsumexp(logq, chain.labels, groups))
    largest = max((s for s in levels if s > 0), default=0)
    types = system.types
    mult: list[int] = []
    log_mult = np.zeros(groups)
    if largest >= 2:
        mult = [1] * groups
    else:
        # Values joined by a move inside each group (union-find over values).
        coo = chain.rates.tocoo()
        parent = [list(range(system.card)) for _ in range(groups)]

        def find(p: list[int], a: int) -> int:
            while p[a] != a:
                p[a] = p[p[a]]
                a = p[a]
            return a

        diff = types[coo.col] - types[coo.row]
        for g, a, b in zip(chain.labels[coo.row], diff.argmin(axis=1), diff.argmax(axis=1)):
            pa, pb = find(parent[g], int(a)), find(parent[g], int(b))
            if pa != pb:
                parent[g][pa] = pb
        first = np.zeros(groups, dtype=np.int64)
        first[chain.labels[::-1]] = np.arange(len(labels))[::-1]
        for g in range(groups):
            t = types[first[g]]
            coarse: dict[int, int] = {}
            for a in range(system.card):
                r = find(parent[g], a)
                coarse[r] = coarse.get(r, 0) + int(t[a])
            counts = list(coarse.values())
            mult.append(multinomial(counts))
            log_mult[g] = float(log_multinomial(np.array([counts]))[0])
    masses = masses / masses.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        h_groups = -float(np.sum(np.where(masses > 0, masses * np.log(masses), 0.0)))
    nats = h_groups + float(masses @ log_mult)
    h_x = float(q @ (log_multinomial(types) - logq))
    bits = min(max(nats, 0.0), max(h_x, 0.0)) / math.log(base)
    labels.flags.writeable = False
    masses.flags.writeable = False
    return SymmetricConserved(
        bits=bits,
        labels=labels,
        masses=masses,
        n_components=sum(mult),
        base=base,
        blocks=family,
        multiplicities=tuple(mult),
    )


def surviving_information(
    system: SymmetricSystem,
    requested: np.ndarray,
    *,
    k,
    blocks,
    scan: str,
    about,
    method: str,
    samples,
    seed,
    base: float,
    progress: bool,
) -> Curve:
    """``I(Λ; X^T)`` on the type chain, exact at any ``n`` and ``T`` (module doc)."""
    family = _blocks.resolve(system, k, blocks)
    levels = _levels_or_none(system, family, scan)
    kwargs = {
        "k": None,
        "blocks": family,
        "scan": scan,
        "method": method,
        "samples": samples,
        "seed": seed,
        "base": base,
        "progress": progress,
    }
    latent = system.latent
    if about is None or about != latent:
        if about is not None and isinstance(about, str) and about not in system.names:
            known = f"its latent is {latent!r}" if latent else "it keeps no latent"
            raise InvalidInputError(f"about={about!r} names no variable of the system; {known}")
        why = (
            "about=None asks for I(X^0; X^T), for which the type is not sufficient"
            if about is None
            else f"about={about!r} is an observed variable, not the latent"
        )
        fn, sup = _on_support(system, "surviving_information", why)
        return fn(sup, requested, about=about, **kwargs)
    if levels is None:
        why = "systematic scan is not" if scan != "random" else "this family is not"
        fn, sup = _on_support(system, "surviving_information", why, latent=True)
        family_named = [[system.names[i] for i in b] for b in family]
        kwargs["blocks"] = family_named
        return fn(sup, requested, about=about, **kwargs)
    if method == "sampled":
        raise UnsupportedError(
            "surviving_information of a SymmetricSystem is exact on its types; use "
            "method='exact' or 'auto'"
        )
    chain = TypeChain(system, levels)
    times = np.unique(requested)
    nats = _latent_information(chain, times)
    at = np.searchsorted(times, requested)
    unit = math.log(base)
    bits = np.ascontiguousarray(nats[at] / unit)
    steps = np.ascontiguousarray(requested)
    stderr = np.zeros_like(bits)
    for a in (bits, steps, stderr):
        a.flags.writeable = False
    return Curve(
        steps=steps,
        bits=bits,
        stderr=stderr,
        method="exact",
        scan=scan,
        about=latent,
        base=base,
        blocks=family,
    )


def _latent_information(chain: TypeChain, times: np.ndarray) -> np.ndarray:
    """``Σ_λ P(λ) Σ_t q(t) φ(r_λ(t) - 1)`` in nats, ``φ(ε) = (1+ε) log1p(ε) - ε``."""
    system = chain.system
    logq = system.log_type_probs
    prior = system.latent_probs
    prior = prior / prior.sum()
    log_given = system.log_type_probs_given_latent
    h_latent = float(-prior @ np.log(prior))
    out = np.zeros(len(times))
    for comp in chain.components():
        g, vec = chain.eigen(comp)
        lq = logq[comp]
        q = np.exp(lq)
        root = np.exp(0.5 * lq)
        mass = float(q.sum())
        # r0[λ, t] = P(t | λ) / q(t), bounded by 1 / P(λ).
        r0 = np.exp(log_given[:, comp] - lq[None, :])
        coef = (r0 * root[None, :]) @ vec  # (latent values, modes)
        rho = (r0 @ q) / mass  # P(λ | component) / P(λ)
        slow = vec[:, 1:]
        with np.errstate(divide="ignore"):
            decay = np.log1p(-np.minimum(g[1:], 1.0))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            inv_root = np.where(root > 0, 1.0 / root, 0.0)
        for i, t in enumerate(times):
            if t == 0:
                eps = r0 - 1.0
            else:
                lam = np.exp(float(t) * decay) if decay.size else decay
                eps = (rho - 1.0)[:, None] + ((coef[:, 1:] * lam[None, :]) @ slow.T) * inv_root
            eps = np.clip(eps, -1.0, (1.0 / prior - 1.0)[:, None])
            with np.errstate(divide="ignore", invalid="ignore"):
                phi = np.where(eps > -1.0, (1.0 + eps) * np.log1p(eps) - eps, 1.0)
            out[i] += float(prior @ (phi @ q))
    return np.clip(out, 0.0, h_latent)


def spectrum(system: SymmetricSystem, family, *, top: int | None, method: str) -> SymmetricSpectrum:
    """Eigenvalues of the kernel on functions of the type (the symmetric sector)."""
    levels = permutation_levels(system.n, family)
    if levels is None:
        fn, sup = _on_support(system, "spectrum", "this family is not")
        return fn(sup, family, top=top, method=method)
    if method not in ("auto", "dense"):
        raise UnsupportedError(
            f"spectrum of a SymmetricSystem runs on its type chain (method='auto'); "
            f"got method={method!r}"
        )
    chain = TypeChain(system, levels)
    if top is not None and top > chain.size:
        # The support engine lists min(top, size) eigenvalues of the whole kernel; this
        # one computes the symmetric sector only, so a larger top would list fewer than
        # the kernel has, without saying so.
        raise InvalidInputError(
            f"top must be at most {chain.size} for {chain.size} types, got top={top}: the "
            f"symmetric sector (functions of the type) has {chain.size} eigenvalues, all "
            "listed by top=None; the kernel's other sectors are not computed "
            "(system.to_system() has them all, for a small system)"
        )
    gaps = []
    for comp in chain.components():
        gaps.append(chain.gaps_only(comp, top))
    g = np.sort(np.concatenate(gaps))
    if top is not None:
        g = g[:top]
    n_unit = chain.n_components if top is None else min(chain.n_components, len(g))
    g[:n_unit] = 0.0
    values = np.clip(1.0 - g, 0.0, 1.0)
    below = g[n_unit:]
    if below.size:
        relaxation = math.inf if below[0] == 0 else 1.0 / float(below[0])
    else:
        relaxation = math.inf if len(g) == chain.size else math.nan
    scale = 2.0 * float(chain.exit.max()) if chain.size else 1.0
    if below.size > 1 and not chain.birth_death and below[1] < RELATIVE_BELOW * scale:
        warnings.warn(
            f"the second gap {below[1]:.3g} is also below what the dense solver resolves "
            f"relatively (its absolute error is ~1e-16 x {scale:.3g}): the gaps after the "
            "first are approximate. The first (the relaxation time) is refined by inverse "
            "iteration, accurate when the second gap is much larger",
            RuntimeWarning,
            stacklevel=3,
        )
    if below.size and below[0] == 0:
        warnings.warn(
            "the spectral gap is below 1e-300: relaxation_time is reported as inf",
            RuntimeWarning,
            stacklevel=3,
        )
    values.flags.writeable = False
    g.flags.writeable = False
    return SymmetricSpectrum(
        eigenvalues=values,
        n_unit=int(n_unit),
        relaxation_time=relaxation,
        complete=False,
        size=chain.size,
        blocks=family,
        method="birth-death" if chain.birth_death else "dense",
        converged=True,
        gaps=g,
    )


def slow_modes(system: SymmetricSystem, family, *, top: int, method: str) -> SlowModes:
    """The slowest non-constant eigenfunctions of the type (functions over ``system.types``)."""
    levels = permutation_levels(system.n, family)
    if levels is None:
        fn, sup = _on_support(system, "slow_modes", "this family is not")
        return fn(sup, family, top=top, method=method)
    chain = TypeChain(system, levels)
    if top > chain.size - 1:
        raise InvalidInputError(f"top must be at most {chain.size - 1} for {chain.size} types")
    logq = system.log_type_probs
    q = np.exp(logq)
    root_all = np.exp(0.5 * logq)
    cols, gs, units = [], [], []
    for comp in chain.components():
        g, vec = chain.eigen(comp)
        full = np.zeros((chain.size, vec.shape[1]))
        full[comp] = vec
        units.append(full[:, 0])
        cols.append(full[:, 1:])
        gs.append(g[1:])
    # Conserved modes: the component indicators orthogonal to the constant.
    unit = np.column_stack(units)
    weights = np.sqrt(np.array([q[c].sum() for c in chain.components()]))
    if unit.shape[1] > 1:
        from scipy.linalg import null_space

        cols.insert(0, unit @ null_space(weights[None, :]))
        gs.insert(0, np.zeros(unit.shape[1] - 1))
    vec = np.column_stack(cols)
    g = np.concatenate(gs)
    order = np.argsort(g, kind="stable")[:top]
    g, vec = g[order], vec[:, order]
    with np.errstate(divide="ignore", invalid="ignore"):
        functions = np.where(root_all[None, :] > 0, vec.T / root_all[None, :], 0.0)
    norms = np.sqrt((functions**2) @ q)
    functions /= norms[:, None]
    big = np.abs(functions) > 1e-6 * np.abs(functions).max(axis=1, keepdims=True)
    first = np.argmax(big, axis=1)
    functions *= np.sign(functions[np.arange(len(order)), first])[:, None]
    values = 1.0 - g
    functions.flags.writeable = False
    values.flags.writeable = False
    return SlowModes(eigenvalues=values, functions=functions, probs=q, blocks=family)


class SymmetricMeasures:
    """Exact measures on the Markov chain of the type (THEORY §9)."""

    kind = "SymmetricSystem"
    conserved = staticmethod(conserved)
    surviving_information = staticmethod(surviving_information)
    spectrum = staticmethod(spectrum)
    slow_modes = staticmethod(slow_modes)
    unsupported: ClassVar[dict[str, str]] = {
        "natural_latent_errors": "natural latents are computed on support systems; "
        "convert a small one with to_system()",
    }


# -- helpers --------------------------------------------------------------------------------


def _group_logsumexp(logq: np.ndarray, labels: np.ndarray, groups: int) -> np.ndarray:
    top = np.full(groups, -np.inf)
    np.maximum.at(top, labels, logq)
    sums = np.zeros(groups)
    np.add.at(sums, labels, np.exp(logq - top[labels]))
    return top + np.log(sums)
