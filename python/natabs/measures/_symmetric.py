"""The measures on a permutation-symmetric system: exact on its types (THEORY §9).

**Lumping.** A block family invariant under every permutation of the variables is a union
of levels ``all_subsets(n, s)`` (for each size ``s`` it holds either every ``s``-subset or
none). Random scan with such a family commutes with permutations, so from an exchangeable
start the law stays exchangeable and the type ``t(X^T)`` is a Markov chain: from ``t``,
draw the level ``s`` (weight ``C(n, s) / |family|``), the values ``u`` of the chosen
sites (multivariate hypergeometric, ``Π_a C(t_a, u_a) / C(n, s)``), and redraw them as
``v`` with probability ``∝ multinomial(v) P(one state of type t - u + v)``. The chain is
reversible with respect to ``q``. Single-site random scan is the level ``s = 1``; for
two values it is a birth–death chain on ``0 .. n`` ones. Families that are not
permutation-invariant (chunks, connected blocks, one block) and systematic scan break
the lumping (the law leaves the exchangeable ones); those are served by the support
engine when the system is small enough to enumerate, and refused otherwise.

**Surviving information about the latent.** ``X | Λ`` is exchangeable, so the type is
sufficient for ``Λ`` at time 0 and at every ``T`` and ``I(Λ; X^T) = I(Λ; t^T)``: the
likelihood ratio ``r_λ(t) = P(t^T = t | λ) / q(t)`` is expanded in the eigenfunctions of
the type chain, ``r_λ = Σ_j λ_j^T c_{λ j} φ_j``, with ``λ_j^T = exp(T log1p(-g_j))`` and
``g_j = 1 - λ_j`` an eigenvalue of ``-Q``, ``Q = K - I`` built directly from the rates.
Any ``T`` costs one matrix–vector product: never ``T`` steps.

**Spectrum (the symmetric sector).** The eigenvalues of ``K`` on functions of the type.
They are those of ``-Q`` symmetrised, ``S_tt' = -sqrt(Q_tt' Q_t't)``, ``S_tt = Σ_t' Q_tt'``,
with each component's stationary vector ``sqrt(q)`` deflated (shifted away) so that the
slow modes are well separated and their eigenvectors accurate. A gap below
``RELATIVE_BELOW`` times the largest rate is too small for such a solver (its absolute
error is ``~1e-16``) and is recomputed to high *relative* accuracy, however small:

- birth–death chains (two values, single-site scan): every such gap, by bisection on a
  Sturm count computed from the rates (the recurrence of the flux
  ``π_i b_i (f_{i+1} - f_i)``, scaled so that nothing overflows); ``1 - λ`` of the
  majority mode of noisy copies is ``~1e-224`` at ``n = 1001, p = 0.1`` and the
  relaxation time agrees with a 600-digit computation to ``1e-12``;
- any other permutation-invariant family: the first gap (the relaxation time), by inverse
  iteration with a twisted GTH factorization of ``-Q`` (:meth:`TypeChain.smallest_gap`,
  subtraction-free); later tiny gaps keep the absolute error, with a warning.

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
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .. import blocks as _blocks
from ..errors import InvalidInputError, TooLargeError, UnsupportedError
from ..systems._symmetric import (
    MAX_ENUMERATED,
    SymmetricSystem,
    enumerate_types,
    log_multinomial,
    type_codes,
)
from ._conserved import Conserved
from ._finite_time import Curve
from ._spectrum import SlowModes, Spectrum

__all__ = ["SymmetricConserved", "SymmetricMeasures", "SymmetricSpectrum", "TypeChain"]

#: Largest number of types (in one component) decomposed densely (eigenvectors).
DENSE_MAX = 4096
#: Gaps below this fraction of the largest rate are refined (where an absolute error of
#: 1e-16 would cost more than 1e-10 relative).
RELATIVE_BELOW = 1e-6
#: Points per round of the multisection that refines a gap.
_SECTIONS = 64


# -- result classes -------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SymmetricConserved(Conserved):
    """:class:`~natabs.measures.Conserved` for a :class:`~natabs.SymmetricSystem`.

    The components can be far too many to list, so ``labels`` and ``masses`` describe
    *groups*: ``labels[i]`` is the group of the support type ``system.types[i]``,
    ``masses[g]`` the probability of group ``g``, and ``multiplicities[g]`` how many
    components of equal mass it splits into (``n_components`` is their sum, a Python int).
    """

    multiplicities: tuple[int, ...] = ()


@dataclass(frozen=True, repr=False)
class SymmetricSpectrum(Spectrum):
    """:class:`~natabs.measures.Spectrum` of the symmetric sector (functions of the type).

    ``size`` counts types, ``complete`` is false (the other sectors are not computed:
    ``chi2`` is a lower bound and ``relaxation_time`` a lower bound on the whole
    kernel's), and ``gaps`` holds ``1 - λ`` computed from the rates, accurate where
    ``eigenvalues`` round to 1.
    """

    gaps: np.ndarray = None  # type: ignore[assignment]


# -- the type chain -------------------------------------------------------------------------


def permutation_levels(n: int, family) -> dict[int, float] | None:
    """``{size: weight}`` when the family is a union of levels ``all_subsets(n, s)``.

    ``None`` when it is not invariant under permutations (then the type is not Markov).
    """
    counts: dict[int, int] = {}
    for b in family:
        counts[len(b)] = counts.get(len(b), 0) + 1
    if any(c != math.comb(n, s) for s, c in counts.items()):
        return None
    total = len(family)
    return {s: c / total for s, c in sorted(counts.items())}


class TypeChain:
    """The Markov chain of the type under random scan with a permutation-invariant family.

    Attributes: ``rates`` (sparse, off-diagonal transition probabilities per step),
    ``exit`` (their row sums: ``-Q_tt``), ``labels`` / ``n_components`` (components).
    """

    def __init__(self, system: SymmetricSystem, levels: dict[int, float]) -> None:
        from scipy import sparse
        from scipy.sparse.csgraph import connected_components

        self.system = system
        self.levels = levels
        types, logq = system.types, system.log_type_probs
        n, card = system.n, system.card
        size = len(types)
        self.size = size
        codes = type_codes(types, n)
        logw = logq - log_multinomial(types)  # log P(one state of type t)

        def lookup(cand: np.ndarray) -> np.ndarray:
            c = type_codes(cand, n)
            j = np.minimum(np.searchsorted(codes, c), size - 1)
            return np.where(codes[j] == c, j, -1)

        rows, cols, vals = [], [], []
        for s, weight in levels.items():
            if s == 0:
                continue
            sub = enumerate_types(s, card)
            log_sub = log_multinomial(sub)
            log_choose = math.lgamma(n + 1) - math.lgamma(s + 1) - math.lgamma(n - s + 1)
            for u in sub:
                ok = np.all(types >= u, axis=1)
                start = np.flatnonzero(ok)
                if start.size == 0:
                    continue
                rest = types[start] - u
                from scipy.special import gammaln

                log_hyper = (gammaln(types[start] + 1) - gammaln(rest + 1) - gammaln(u + 1)).sum(
                    axis=1
                ) - log_choose
                dest = np.stack([lookup(rest + v) for v in sub], axis=1)
                lw = np.where(dest >= 0, logw[np.maximum(dest, 0)], -np.inf) + log_sub[None, :]
                with np.errstate(invalid="ignore"):
                    top = lw.max(axis=1, keepdims=True)
                    norm = top[:, 0] + np.log(np.exp(lw - top).sum(axis=1))
                logp = lw - norm[:, None] + log_hyper[:, None]
                for jv in range(len(sub)):
                    d = dest[:, jv]
                    keep = (d >= 0) & (d != start) & np.isfinite(logp[:, jv])
                    rows.append(start[keep])
                    cols.append(d[keep])
                    vals.append(weight * np.exp(logp[keep, jv]))
        if rows:
            r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
        else:
            r = c = np.zeros(0, dtype=np.int64)
            v = np.zeros(0)
        self.rates = sparse.csr_matrix((v, (r, c)), shape=(size, size))
        self.rates.sum_duplicates()
        self.exit = np.asarray(self.rates.sum(axis=1)).ravel()
        pattern = self.rates + self.rates.T
        self.n_components, self.labels = connected_components(pattern, directed=False)
        self.birth_death = card == 2 and set(levels) <= {0, 1}

    def components(self) -> list[np.ndarray]:
        """Indices of the types of each component, in order of first type."""
        order = np.argsort(self.labels, kind="stable")
        cuts = np.flatnonzero(np.diff(self.labels[order])) + 1
        comps = np.split(order, cuts)
        return sorted(comps, key=lambda c: int(c[0]))

    def symmetric_generator(self, comp: np.ndarray) -> np.ndarray:
        """Dense ``-Q`` symmetrised on one component: ``S = D^{1/2} (-Q) D^{-1/2}``."""
        sub = self.rates[comp][:, comp].toarray()
        off = np.sqrt(sub * sub.T)  # detailed balance: sqrt(K(t,t') K(t',t))
        out = -off
        out[np.diag_indices_from(out)] = self.exit[comp]
        return out

    def root_q(self, comp: np.ndarray) -> np.ndarray:
        """The unit vector ``sqrt(q / q(component))`` on one component."""
        lq = self.system.log_type_probs[comp]
        v = np.exp(0.5 * (lq - lq.max()))
        return v / np.linalg.norm(v)

    def eigen(self, comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gaps ``g`` (ascending, the first 0) and orthonormal eigenvectors of one component."""
        from scipy.linalg import eigh

        m = len(comp)
        if m > DENSE_MAX:
            raise TooLargeError(
                f"a component of {m} types needs a dense eigendecomposition; the limit is "
                f"{DENSE_MAX}"
            )
        root = self.root_q(comp)
        if m == 1:
            return np.zeros(1), root[:, None]
        if self.birth_death:
            return self._eigen_birth_death(comp, root)
        gen = self.symmetric_generator(comp)
        shift = 2.0 * float(self.exit[comp].max()) + 1.0
        g, vec = eigh(gen + shift * np.outer(root, root))
        # The deflated stationary vector sits at `shift`, above the rest (Gershgorin).
        g = np.concatenate([[0.0], np.clip(g[:-1], 0.0, None)])
        vec = np.column_stack([root, vec[:, :-1]])
        self._refine_first(comp, g)
        return g, vec

    def _refine_first(self, comp: np.ndarray, g: np.ndarray) -> None:
        """Replace, in place, a first gap too small for the dense solver (GTH route)."""
        scale = 2.0 * float(self.exit[comp].max())
        if len(g) > 1 and g[1] < RELATIVE_BELOW * scale:
            g[1] = self.smallest_gap(comp)

    def _eigen_birth_death(self, comp: np.ndarray, root: np.ndarray):
        """Tridiagonal eigensolver (MRRR), then the slow cluster repaired.

        Eigenvectors whose gaps are all below ``RELATIVE_BELOW`` (the stationary one and,
        e.g., the majority mode) are mixed by an absolute-accuracy solver, but the
        subspace they span is accurate (it is separated from the rest). Inside it the
        stationary vector is known exactly, and the other slow modes are the solutions
        of the three-term recurrence at their refined gaps, orthonormalised in order.
        """
        from scipy.linalg import eigh_tridiagonal

        sub = self.rates[comp][:, comp]
        up = np.asarray(sub.diagonal(1)).ravel()
        down = np.asarray(sub.diagonal(-1)).ravel()
        g, vec = eigh_tridiagonal(self.exit[comp], -np.sqrt(up * down))
        g = np.clip(g, 0.0, None)
        g[0] = 0.0
        scale = 2.0 * float(self.exit[comp].max())
        d = max(1, int(np.sum(g < RELATIVE_BELOW * scale)))
        self._refine(comp, g)
        space = vec[:, :d]
        basis = [root]
        for j in range(1, d):
            if d == 2:
                cand = space[:, np.argmin(np.abs(space.T @ root))]
            else:
                cand = space @ (space.T @ self._recurrence_vector(comp, g[j]))
            for b in basis:
                cand = cand - (b @ cand) * b
            basis.append(cand / np.linalg.norm(cand))
        vec = vec.copy()
        vec[:, :d] = np.column_stack(basis)
        return g, vec

    def _recurrence_vector(self, comp: np.ndarray, gap: float) -> np.ndarray:
        """``f · sqrt(q)`` (unit norm) for the solution ``f`` of the first rows at ``gap``."""
        sub = self.rates[comp][:, comp]
        b = np.asarray(sub.diagonal(1)).ravel()
        d = np.asarray(sub.diagonal(-1)).ravel()
        f = np.empty(len(comp))
        f[0], h = 1.0, gap
        for i in range(len(b)):
            f[i + 1] = f[i] - h / b[i]
            h = h * d[i] / b[i] + gap * f[i + 1]
            if abs(f[i + 1]) > 1e150 or abs(h) > 1e150:
                f[: i + 2] *= 1e-150
                h *= 1e-150
        lq = self.system.log_type_probs[comp]
        u = f * np.exp(0.5 * (lq - lq.max()))
        return u / np.linalg.norm(u)

    def _refine(self, comp: np.ndarray, g: np.ndarray) -> None:
        """Replace, in place, the gaps too small for an absolute-accuracy solver."""
        scale = 2.0 * float(self.exit[comp].max())
        small = int(np.sum(g[1:] < RELATIVE_BELOW * scale))
        if small:
            k = min(small, len(g) - 1)
            g[1 : 1 + k] = self.refined_gaps(comp, k)

    def gaps_only(self, comp: np.ndarray, want: int | None) -> np.ndarray:
        """The smallest ``want`` gaps of a component (all if ``None``), ascending."""
        m = len(comp)
        want = m if want is None else min(want, m)
        if not self.birth_death:
            if want <= 2 and m > 256:  # the relaxation time needs no eigenvectors
                return np.array([0.0, self.smallest_gap(comp)])[:want]
            if m > DENSE_MAX:
                raise TooLargeError(
                    f"a component of {m} types (the dense limit is {DENSE_MAX}); beyond it "
                    "the symmetric sector gives all eigenvalues only for two values and "
                    "single-site scan, and the relaxation time (top=2) for any family"
                )
            return self.eigen(comp)[0][:want]
        from scipy.linalg import eigh_tridiagonal

        diag = self.exit[comp]
        sub = self.rates[comp][:, comp]
        up = np.asarray(sub.diagonal(1)).ravel()
        down = np.asarray(sub.diagonal(-1)).ravel()
        off = -np.sqrt(up * down)
        g = eigh_tridiagonal(diag, off, eigvals_only=True, select="i", select_range=(0, want - 1))
        g = np.clip(np.sort(g), 0.0, None)
        g[0] = 0.0
        self._refine(comp, g)
        return g

    def smallest_gap(self, comp: np.ndarray, max_iterations: int = 60) -> float:
        """The smallest non-zero gap of one component, to high relative accuracy.

        GTH elimination (Grassmann, Taksar and Heyman) factors ``-Q`` without a single
        subtraction: the generator's row sums are exactly 0, so each pivot is the sum of
        the magnitudes of the off-diagonal entries left in its row (every Schur
        complement is again a generator: the chain watched on the states left), and
        every update adds terms of one sign. The factorization is *twisted*: states
        below the most probable type ``k`` are eliminated from the top, those above it
        from the bottom, so the free unknown of the singular system sits where ``q`` is
        largest (a free unknown where ``q`` is tiny amplifies rounding by ``1 / q``).
        Inverse iteration with these factors on functions centred under ``q`` (the range
        of ``-Q``) converges at the ratio of the two smallest gaps (in a few iterations
        where the gap is tiny, the case that needs it), and the gap is read as
        ``<x, x>_q / <x, (-Q)^+ x>_q``. Banded storage: the cost is ``N w^2`` for
        bandwidth ``w`` (``w = s_max`` for two values).
        """
        m = len(comp)
        if m == 1:
            return math.nan
        sub = self.rates[comp][:, comp].tocoo()
        lq = self.system.log_type_probs[comp]
        q = np.exp(lq - lq.max())
        w = max(1, int(np.max(np.abs(sub.row - sub.col))))
        band = np.zeros((m, 2 * w + 1))  # band[i, j - i + w] = (-Q)[i, j], off-diagonal
        band[sub.row, sub.col - sub.row + w] = -sub.data
        k = int(np.argmax(lq))
        top = _band_gth(band, w, k)
        rest = band[k:, ::-1].copy()[::-1]  # the censored chain on k.., reversed
        for i in range(rest.shape[0]):  # drop what points back into the top part
            rest[i, w + (rest.shape[0] - 1 - i) + 1 :] = 0.0
        bottom = _band_gth(rest, w, m - k - 1)

        def solve(b: np.ndarray) -> np.ndarray:
            """``x`` with ``-Q x = b`` (``b`` centred under ``q``), centred under ``q``."""
            y = b.copy()
            _band_forward(band, w, y, k)
            y2 = y[k:][::-1].copy()
            _band_forward(rest, w, y2, m - k - 1)
            x2 = np.zeros(m - k)
            _band_backward(rest, w, y2, bottom, m - k - 1, x2)
            x = np.zeros(m)
            x[k:] = x2[::-1]
            _band_backward(band, w, y, top, k, x)
            return x - (q @ x) / q.sum()

        x = np.random.default_rng(0).standard_normal(m)
        x -= (q @ x) / q.sum()
        gap = math.nan
        for i in range(max_iterations):
            x /= np.max(np.abs(x))  # (-Q)^+ multiplies by up to 1 / gap: rescale first
            x /= np.sqrt(q @ (x * x))
            nxt = solve(x)
            # <x, (-Q)^+ x>_q = Σ_j c_j^2 / g_j: dominated by the smallest gap.
            new = 1.0 / float(q @ (x * nxt))
            x = nxt
            if i >= 2 and abs(new - gap) <= 1e-13 * abs(new):
                return new
            gap = new
        warnings.warn(
            f"inverse iteration for the spectral gap did not settle in {max_iterations} "
            f"iterations (the two smallest gaps are close); relaxation_time is approximate",
            RuntimeWarning,
            stacklevel=4,
        )
        return gap

    def refined_gaps(self, comp: np.ndarray, count: int) -> np.ndarray:
        """The ``count`` smallest non-zero gaps of a birth–death component, relatively accurate.

        Bisection (64-fold multisection in ``log g``) on the Sturm count: the number of
        eigenvalues of ``-Q`` below ``g`` is the number of negative pivots of
        ``-Q - g``, read off the solution of its first ``N - 1`` rows, ``f_0 = 1``,
        ``f_{i+1} = f_i - h_i / b_i``, ``h_{i+1} = h_i d_{i+1} / b_i + g f_{i+1}``
        (``h_i = g Σ_{j<=i} π_j f_j / π_i`` is the scaled flux, so no ``π`` is needed and
        nothing overflows at the bottleneck): pivot ``i`` is negative where ``f`` changes
        sign, and the last one where ``h_{N-1} f_{N-1} > 0``.
        """
        sub = self.rates[comp][:, comp]
        b = np.asarray(sub.diagonal(1)).ravel()  # births i -> i+1
        d = np.asarray(sub.diagonal(-1)).ravel()  # deaths i+1 -> i
        inv_b = 1.0 / b
        ratio = d * inv_b
        top = 2.0 * float(self.exit[comp].max()) * (1 + 1e-12) + 1e-300

        def sturm(g: np.ndarray) -> np.ndarray:
            f = np.ones_like(g)
            h = g.copy()
            count = np.zeros(g.shape, dtype=np.int64)
            neg = f < 0
            for i in range(len(b)):
                f = f - h * inv_b[i]
                now = f < 0
                count += now != neg
                neg = now
                h = h * ratio[i] + g * f
                if i % 32 == 31:
                    big = np.maximum(np.abs(f), np.abs(h)) > 1e150
                    if big.any():
                        scale = np.where(big, 1e-150, 1.0)
                        f *= scale
                        h *= scale
            return count + (np.sign(h) * np.sign(f) > 0)

        out = np.empty(count)
        for j in range(1, count + 1):
            lo, hi = math.log(1e-300), math.log(top)
            while hi - lo > 1e-15 * max(1.0, abs(hi)):
                grid = np.linspace(lo, hi, _SECTIONS)
                c = sturm(np.exp(grid))
                # count(g) <= j below the j-th gap (0 is eigenvalue number 0).
                below = np.flatnonzero(c <= j)
                above = np.flatnonzero(c > j)
                if below.size == 0:  # the gap is below 1e-300
                    hi = lo
                    break
                new_lo = grid[below[-1]]
                new_hi = grid[above[0]] if above.size else hi
                if new_hi - new_lo >= hi - lo:
                    break
                lo, hi = new_lo, new_hi
            out[j - 1] = math.exp(0.5 * (lo + hi)) if hi > math.log(1e-300) else 0.0
        return out


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
            mult.append(_multinomial(counts))
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


def _band_gth(band: np.ndarray, w: int, count: int) -> np.ndarray:
    """GTH elimination of the first ``count`` rows of a banded generator, in place.

    ``band[i, j - i + w]`` holds the off-diagonal ``(-Q)[i, j] <= 0`` (the diagonal is
    implicit: minus the sum of the row, which stays 0 in every Schur complement). On
    return the multipliers sit below the diagonal and the pivots are returned.
    """
    m = band.shape[0]
    pivots = np.zeros(count)
    steps = np.arange(1, w + 1)
    for s in range(count):
        right = band[s, w + 1 :].copy()  # (-Q)[s, s+1 .. s+w]
        pivots[s] = -right.sum()
        rows = s + steps
        rows = rows[rows < m]
        mult = band[rows, s - rows + w] / pivots[s]  # <= 0
        band[rows, s - rows + w] = mult
        cols = s + steps
        keep = cols < m
        cols = cols[keep]
        ii = np.repeat(rows, len(cols))
        jj = np.tile(cols, len(rows))
        upd = (mult[:, None] * right[None, keep]).ravel()
        off = ii != jj  # the diagonal stays implicit
        band[ii[off], jj[off] - ii[off] + w] -= upd[off]
    return pivots


def _band_forward(band: np.ndarray, w: int, y: np.ndarray, count: int) -> None:
    """Apply the first ``count`` elimination steps (unit lower factor) to ``y``, in place."""
    m = band.shape[0]
    for s in range(count):
        rows = np.arange(s + 1, min(m, s + w + 1))
        y[rows] -= band[rows, s - rows + w] * y[s]


def _band_backward(
    band: np.ndarray, w: int, y: np.ndarray, pivots: np.ndarray, count: int, x: np.ndarray
) -> None:
    """Back substitution for unknowns ``count - 1 .. 0``; ``x[count:]`` already known."""
    m = band.shape[0]
    for s in range(count - 1, -1, -1):
        hi = min(m, s + w + 1)
        x[s] = (y[s] - band[s, w + 1 : w + hi - s] @ x[s + 1 : hi]) / pivots[s]


def _group_logsumexp(logq: np.ndarray, labels: np.ndarray, groups: int) -> np.ndarray:
    top = np.full(groups, -np.inf)
    np.maximum.at(top, labels, logq)
    sums = np.zeros(groups)
    np.add.at(sums, labels, np.exp(logq - top[labels]))
    return top + np.log(sums)


def _multinomial(counts: list[int]) -> int:
    out, left = 1, sum(counts)
    for v in counts:
        out *= math.comb(left, v)
        left -= v
    return out
