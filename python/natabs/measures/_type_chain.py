"""The Markov chain of the type of an exchangeable law, and its accurate gaps (THEORY §9).

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
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import TooLargeError
from ..systems._symmetric import (
    SymmetricSystem,
    enumerate_types,
    log_multinomial,
    type_codes,
)

__all__ = ["DENSE_MAX", "RELATIVE_BELOW", "TypeChain", "permutation_levels"]

#: Largest number of types (in one component) decomposed densely (eigenvectors).
DENSE_MAX = 4096
#: Gaps below this fraction of the largest rate are refined (where an absolute error of
#: 1e-16 would cost more than 1e-10 relative).
RELATIVE_BELOW = 1e-6
#: Points per round of the multisection that refines a gap.
_SECTIONS = 64


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
