"""Exact measures on Gaussian systems (THEORY §8): log-determinants and linear algebra.

Resampling block ``B`` of a centred Gaussian state is ``x ↦ M_B x + noise``, with ``M_B``
the identity except rows ``B``, which are ``-Q_BB^{-1} Q_{B,-B}`` (``Q`` the precision).

- Systematic scan: one sweep is linear, ``X' - μ = A (X - μ) + W``, ``A = M_{B_m}...M_{B_1}``.
  With ``Σ = L L^T`` and the whitened sweep ``Ã = L^{-1} A L``,
  ``I(X^0; X^T) = -½ log det(I - Ã^T (Ã^T)^⊤)``; about a scalar latent ``θ``, with
  ``s = Σ_{xθ} / √Σ_θθ``, ``I(θ; X^T) = -½ log(1 - (A^T s)^⊤ Q_x (A^T s))``: one vector
  pushed through the sweeps, so it scales to sparse systems.
- Random scan: ``E[X^{t+1} - μ | X^t] = M (X^t - μ)``, ``M = I - P Q`` with
  ``P = (1/|𝓑|) Σ_B E_B Q_BB^{-1} E_B^T``; the eigenvalues of ``M`` are eigenvalues of the
  kernel (the linear sector), and the slowest mode of a Gaussian target is linear. ``P Q``
  is self-adjoint for ``<x, y> = x^T Q y``: dense, the eigenvalues of ``R^T Q R``
  (``P = R R^T``); sparse, the generalised problem ``Q^{-1} y = ν P y`` (``ν = 1/μ``, the
  largest first) by Lanczos on a sparse factorisation of ``Q``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import blocks as _blocks
from ..errors import InvalidInputError, TooLargeError, UnsupportedError
from ..systems._gaussian import GaussianSystem, sparse_factor
from ._conserved import Conserved
from ._finite_time import Curve, _frozen, _resolve_observed
from ._spectrum import Spectrum

__all__ = [
    "GaussianConserved",
    "GaussianMeasures",
    "LinearModes",
    "RandomScanBounds",
    "random_scan_bounds",
]

#: Up to this many variables the measures work with dense matrices.
DENSE_ROUTE_MAX = 4096
#: Relative residual tolerance of the sparse (Lanczos) eigensolver: an eigenvalue ``ν`` of
#: the symmetric pencil is then off by at most this much relative to ``ν`` (clustered slow
#: modes converge slowly in their vectors, not in their values).
LANCZOS_TOL = 1e-10
#: Restarts of the sparse eigensolver before it reports ``converged=False``.
LANCZOS_MAXITER = 2000
#: Band limits of the banded eigensolver on sparse systems (its reduction to tridiagonal
#: form grows like n^2 x band, so only chain-like systems take it; lattices use Lanczos).
BANDED_MAX_WIDTH = 16
BANDED_WORK = 1e9
#: Largest number of (block x variable x column) updates of the overlapping-block sweep.
MAX_SWEEP_WORK = 2e10

_RANDOM_SCAN = (
    "surviving_information with scan='random' has no closed form on a GaussianSystem: "
    "after T random-scan steps the law of X^T given X^0 is a mixture of Gaussians over "
    "the sequences of blocks drawn (THEORY §8), and no approximation is made silently. "
    "Exact alternatives: scan='systematic' (one sweep is a linear map; exact "
    "log-determinants), and the linear sector of the random-scan kernel, "
    "natabs.spectrum(g, k=...) and natabs.slow_modes(g, k=...) (eigenvalues of "
    "E[X^(t+1) | X^t] = M X^t; the slowest mode of a Gaussian target is linear, so "
    "relaxation_time is exact); about a latent, natabs.measures.random_scan_bounds gives "
    "an exact lower bound (the linear sector) and a sampled upper bound on I(latent; X^T)"
)


# -- the sweep ----------------------------------------------------------------------------


class _Sweep:
    """One systematic sweep ``x ↦ A x`` of block updates, on a dense or sparse precision."""

    def __init__(self, q: Any, family: tuple[tuple[int, ...], ...]) -> None:
        import scipy.sparse as sp

        self.sparse = sp.issparse(q)
        self.q = q.tocsr() if self.sparse else np.asarray(q)
        n = q.shape[0]
        self.n = n
        in_block = np.zeros(n, bool)
        for b in family:
            in_block[list(b)] = True
        covered = np.flatnonzero(in_block).tolist()
        self.uncovered = np.flatnonzero(~in_block).tolist()
        self.family = family
        self.disjoint = sum(len(b) for b in family) == len(covered)
        if self.disjoint:
            self._partition(family)
        else:
            work = (
                sum(len(b) for b in family) * float(n) * (n if not self.sparse else 1)
            )
            if work > MAX_SWEEP_WORK:
                raise TooLargeError(
                    f"a sweep over {len(family)} overlapping blocks of {n} variables costs "
                    f"~{work:.2g} operations; the limit is {MAX_SWEEP_WORK:.2g}"
                )
            import scipy.linalg as sl

            self.factors = []
            for b in family:
                idx = list(b)
                rows = self.q[idx]
                qbb = rows[:, idx].toarray() if self.sparse else rows[:, idx]
                self.factors.append((idx, rows, sl.cho_factor(qbb, lower=True)))

    def _partition(self, family) -> None:
        import scipy.sparse as sp

        n = self.n
        order = [i for b in family for i in b] + self.uncovered
        self.order = np.asarray(order)
        pos = np.full(n, len(family) + 1)
        for k, b in enumerate(family):
            pos[list(b)] = k
        cov = np.zeros(n, bool)
        cov[[i for b in family for i in b]] = True
        if self.sparse:
            q = self.q.tocoo()
            keep = cov[q.row] & cov[q.col] & (pos[q.col] <= pos[q.row])
            low = sp.csr_matrix(
                (q.data[keep], (q.row[keep], q.col[keep])), shape=(n, n)
            )
            right = sp.csr_matrix(
                (
                    -q.data[~keep & cov[q.row]],
                    (q.row[~keep & cov[q.row]], q.col[~keep & cov[q.row]]),
                ),
                shape=(n, n),
            )
            unc = np.asarray(self.uncovered, dtype=int)
            ident = sp.csr_matrix((np.ones(unc.size), (unc, unc)), shape=(n, n))
            low, right = low + ident, right + ident
            o = self.order
            self.low = low[o][:, o].tocsc()
            self.right = right[o][:, o].tocsr()
            from scipy.sparse.linalg import splu

            self.lu = splu(
                self.low,
                permc_spec="NATURAL",
                diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )
        else:
            q = self.q
            mask = cov[:, None] & cov[None, :] & (pos[None, :] <= pos[:, None])
            low = np.where(mask, q, 0.0)
            right = np.where(~mask & cov[:, None], -q, 0.0)
            for u in self.uncovered:
                low[u, u] = right[u, u] = 1.0
            o = self.order
            self.low = low[np.ix_(o, o)]
            self.right = right[np.ix_(o, o)]
            self.triangular = all(len(b) == 1 for b in family)
            if not self.triangular:
                import scipy.linalg as sl

                self.lu = sl.lu_factor(self.low, check_finite=False)

    def apply(self, v: np.ndarray) -> np.ndarray:
        """``A v`` for a vector or a matrix of columns."""
        v = np.asarray(v, dtype=np.float64)
        if not self.disjoint:
            out = v.copy()
            for idx, rows, fac in self.factors:
                import scipy.linalg as sl

                rhs = rows @ out - rows[:, idx] @ out[idx]
                out[idx] = -sl.cho_solve(fac, rhs)
            return out
        o = self.order
        rhs = self.right @ v[o]
        if self.sparse:
            y = self.lu.solve(np.asarray(rhs))
        elif self.triangular:
            import scipy.linalg as sl

            y = sl.solve_triangular(self.low, rhs, lower=True, check_finite=False)
        else:
            import scipy.linalg as sl

            y = sl.lu_solve(self.lu, rhs, check_finite=False)
        out = np.empty_like(y)
        out[o] = y
        return out

    def matrix(self) -> np.ndarray:
        """The dense sweep matrix ``A``."""
        if not self.disjoint or self.sparse:
            return self.apply(np.eye(self.n))
        import scipy.linalg as sl

        # A[o][:, o] = low^{-1} right: no product with the identity
        if self.triangular:
            y = sl.solve_triangular(self.low, self.right, lower=True, check_finite=False)
        else:
            y = sl.lu_solve(self.lu, self.right, check_finite=False)
        out = np.empty_like(y)
        o = self.order
        out[np.ix_(o, o)] = y
        return out


# -- inputs -------------------------------------------------------------------------------


def _dense(g: GaussianSystem) -> bool:
    return g.n <= DENSE_ROUTE_MAX or not g.is_sparse


def _chain_law(g: GaussianSystem, about: Any):
    """(observed system, its precision, latent direction s or None, latent name)."""
    if about is None:
        q = g.dense_precision() if _dense(g) else g.precision
        return g, q, None, None
    j = g.index(about)
    name = g.names[j]
    rest = [i for i in range(g.n) if i != j]
    if not rest:
        raise InvalidInputError(
            f"about={about!r} leaves no observed variable: the system has only that one"
        )
    e = np.zeros(g.n)
    e[j] = 1.0
    col = g.cov_times(e)
    s = col[rest] / math.sqrt(col[j])
    names = [g.names[i] for i in rest]
    if _dense(g):
        import scipy.linalg as sl

        cov_x = g.cov[np.ix_(rest, rest)]
        obs = GaussianSystem(cov_x, g.mean[rest], names)
        q = sl.cho_solve((sl.cholesky(cov_x, lower=True), True), np.eye(len(rest)))
        return obs, (q + q.T) / 2, s, name
    obs = g.marginal(rest)
    return obs, obs.precision, s, name


# -- surviving information ----------------------------------------------------------------


def surviving_information(
    system: GaussianSystem,
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
    """:func:`natabs.surviving_information` on a Gaussian system: exact, systematic scan.

    ``I(X^0; X^0)`` is infinite for continuous variables (``inf`` at ``T = 0``); it is
    also infinite at every ``T`` when some variable is in no block (it is copied exactly).
    """
    if scan == "random":
        raise UnsupportedError(_RANDOM_SCAN)
    if method == "sampled":
        raise UnsupportedError(
            "method='sampled' is not needed on a GaussianSystem: systematic-scan "
            "information is exact (method='exact' or 'auto')"
        )
    obs, q, s, name = _chain_law(system, about)
    family = _resolve_observed(obs, k, blocks, name)
    times = np.unique(requested)
    if s is None and obs.n > DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"I(X^0; X^T) of {obs.n} variables needs dense {obs.n} x {obs.n} matrices; the "
            f"limit is {DENSE_ROUTE_MAX}. Ask about a latent (about=...), which scales to "
            "sparse systems"
        )
    sweep = _Sweep(q, family)
    if s is not None:
        nats = _latent_curve(sweep, q, s, times)
    elif sweep.uncovered:
        nats = np.full(len(times), math.inf)
    else:
        nats = _full_curve(obs, sweep, times)
    at = np.searchsorted(times, requested)
    bits = np.maximum(nats[at], 0.0) / math.log(base)
    return Curve(
        steps=_frozen(requested),
        bits=_frozen(bits),
        stderr=_frozen(np.zeros(len(requested))),
        method="exact",
        scan=scan,
        about=name,
        base=base,
        blocks=family,
    )


def _latent_curve(sweep: _Sweep, q, s: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``-½ log(1 - v_T^T Q_x v_T)`` with ``v_T = A^T s``, in nats."""
    v = s.copy()
    dense_a = None
    if not sweep.sparse and times[-1] > 4 and sweep.n <= DENSE_ROUTE_MAX:
        dense_a = sweep.matrix()  # one n^3 product, then cheap matrix-vector steps
    out = np.empty(len(times))
    t = 0
    for i, target in enumerate(int(x) for x in times):
        while t < target:
            v = dense_a @ v if dense_a is not None else sweep.apply(v)
            t += 1
        qv = float(v @ (q @ v))
        out[i] = math.inf if qv >= 1.0 else -0.5 * math.log1p(-qv)
    return out


def _full_curve(obs: GaussianSystem, sweep: _Sweep, times: np.ndarray) -> np.ndarray:
    """``-½ log det(I - C C^T)``, ``C = Ã^T``, in nats, sharing powers across times."""
    import scipy.linalg as sl
    from scipy.linalg import blas, lapack

    n = obs.n
    if n > DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"I(X^0; X^T) of {n} variables needs dense {n} x {n} matrices; the limit is "
            f"{DENSE_ROUTE_MAX}. Ask about a latent (about=...), which scales to sparse systems"
        )
    chol = sl.cholesky(obs.cov, lower=True, check_finite=False)
    a = sweep.matrix()
    whitened = sl.solve_triangular(chol, a @ chol, lower=True, check_finite=False)
    squares = [whitened]
    power = None
    t = 0
    out = np.empty(len(times))
    for i, target in enumerate(int(x) for x in times):
        if target == 0:
            out[i] = math.inf
            continue
        d = target - t
        for j in range(d.bit_length()):
            while len(squares) <= j:
                squares.append(squares[-1] @ squares[-1])
            if d >> j & 1:
                power = squares[j] if power is None else squares[j] @ power
        t = target
        gram = blas.dsyrk(-1.0, power)  # upper triangle of -C C^T
        gram[np.diag_indices(n)] += 1.0
        factor, info = lapack.dpotrf(gram, lower=0, clean=0, overwrite_a=1)
        if info != 0:  # I - C C^T numerically singular: X^T all but determines X^0
            out[i] = math.inf
            continue
        out[i] = -float(np.sum(np.log(np.diag(factor))))
    return out


# -- the linear sector of the random-scan kernel ------------------------------------------


def _block_inverses(q, family):
    """``Q_BB^{-1}`` for every block, grouped by block size: [(idx (nb, b), inv (nb, b, b))]."""
    import scipy.sparse as sp

    groups: dict[int, list[tuple[int, ...]]] = {}
    for b in family:
        groups.setdefault(len(b), []).append(b)
    out = []
    qs = q.tocsr() if sp.issparse(q) else q
    for size, blocks in groups.items():
        idx = np.asarray(blocks, dtype=np.int64)
        rr = np.repeat(idx, size, axis=1)
        cc = np.tile(idx, (1, size))
        if sp.issparse(qs):
            vals = np.asarray(qs[rr.ravel(), cc.ravel()]).reshape(
                len(blocks), size, size
            )
        else:
            vals = qs[rr, cc].reshape(len(blocks), size, size)
        vals = (vals + np.swapaxes(vals, 1, 2)) / 2
        out.append((idx, np.linalg.inv(vals)))
    return out


def _precision_mix(q, family, covered: list[int], *, sparse: bool):
    """``P_CC = (1/|𝓑|) Σ_B E_B Q_BB^{-1} E_B^T`` on the covered variables."""
    import scipy.sparse as sp

    where = np.full(q.shape[0], -1)
    where[covered] = np.arange(len(covered))
    m = len(family)
    rows, cols, vals = [], [], []
    for idx, inv in _block_inverses(q, family):
        loc = where[idx]
        size = idx.shape[1]
        rows.append(np.repeat(loc, size, axis=1).ravel())
        cols.append(np.tile(loc, (1, size)).ravel())
        vals.append((inv / m).ravel())
    c = len(covered)
    p = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(c, c),
    )
    return p if sparse else p.toarray()


def _linear_sector(
    g: GaussianSystem, family, want: int | None, method: str, vectors: bool
):
    """The ``want`` smallest ``μ = 1 - λ`` of ``P Q`` on the covered variables, ascending,
    with the functionals ``a`` (rows, unit variance) when ``vectors``; and ``converged``."""
    covered = sorted({i for b in family for i in b})
    c = len(covered)
    if c == 0:
        return np.zeros(0), np.zeros((0, g.n)), True
    want = c if want is None else min(want, c)
    if want <= 0:
        return np.zeros(0), np.zeros((0, g.n)), True
    if method in ("auto", "dense") and (_dense(g) or method == "dense"):
        if c > DENSE_ROUTE_MAX:
            raise TooLargeError(
                f"a dense eigensolver on {c} variables; the limit is {DENSE_ROUTE_MAX}"
            )
        import scipy.linalg as sl

        q = g.dense_precision()
        q_cc = q[np.ix_(covered, covered)]
        r = sl.cholesky(_precision_mix(q, family, covered, sparse=False), lower=True)
        s = r.T @ q_cc @ r
        mu, w = sl.eigh((s + s.T) / 2, subset_by_index=[0, want - 1], driver="evr")
        if not vectors:
            return mu, None, True
        x = r @ w  # right eigenvectors of P Q on C
        a = q[:, covered] @ x  # functionals: Q x
        a /= np.sqrt(np.maximum(mu, 1e-300))[None, :]
        return mu, a.T, True
    if method == "auto":
        banded = _banded_sector(g, family, covered, want, vectors)
        if banded is not None:
            return banded
    if method not in ("auto", "lanczos"):
        raise InvalidInputError(
            f"method={method!r} does not apply to a GaussianSystem; use 'auto', 'dense' or 'lanczos'"
        )
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh, splu

    q = g.precision.tocsc()
    q_cc = q[covered][:, covered].tocsc()
    if want >= c - 1:
        raise TooLargeError(
            f"the sparse eigensolver finds a few of {c} eigenvalues; ask for top= well below {c}"
        )
    fq = sparse_factor(q_cc)
    p = _precision_mix(q, family, covered, sparse=True).tocsc()
    fp = splu(
        p,
        permc_spec="MMD_AT_PLUS_A",
        diag_pivot_thresh=0.0,
        options={"SymmetricMode": True},
    )
    op = LinearOperator((c, c), matvec=fq.solve, dtype=np.float64)
    pinv = LinearOperator((c, c), matvec=fp.solve, dtype=np.float64)
    ok = True
    try:
        nu, y = eigsh(
            op,
            k=want,
            M=p,
            Minv=pinv,
            which="LA",
            tol=LANCZOS_TOL,
            maxiter=LANCZOS_MAXITER,
            v0=np.random.default_rng(0).standard_normal(c),
            ncv=min(c, max(2 * want + 1, 20)),
        )
    except ArpackNoConvergence as e:
        nu, y, ok = e.eigenvalues, e.eigenvectors, False
        warnings.warn(
            f"the Lanczos solver did not converge for all {want} eigenvalues; "
            "the listed values are its last estimates",
            RuntimeWarning,
            stacklevel=4,
        )
    order = np.argsort(-nu)
    nu, y = nu[order], y[:, order]
    mu = 1.0 / nu
    if not vectors:
        return mu, None, ok
    x = np.column_stack(
        [fq.solve(np.ascontiguousarray(y[:, j])) for j in range(y.shape[1])]
    )
    a = (q[:, covered] @ x / np.sqrt(nu)[None, :]).T  # functionals Q x, unit variance
    return mu, a, ok


def _banded_sector(
    g: GaussianSystem, family, covered: list[int], want: int, vectors: bool
):
    """Disjoint blocks on a sparse precision: ``S = R^T Q_CC R`` (``P = R R^T`` block
    diagonal) is sparse; after a reverse Cuthill-McKee ordering it is banded, and LAPACK's
    banded eigensolver finds its smallest eigenvalues exactly, however clustered (chains
    and lattices have many nearly equal slow modes, where Lanczos crawls). ``None`` when
    the blocks overlap or the band is too wide."""
    import scipy.linalg as sl
    import scipy.sparse as sp
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    if sum(len(b) for b in family) != len(covered):
        return None
    where = np.full(g.n, -1)
    where[covered] = np.arange(len(covered))
    q = g.precision.tocsc()
    q_cc = q[covered][:, covered].tocsr()
    m = len(family)
    rows, cols, vals = [], [], []
    for idx, inv in _block_inverses(q, family):
        loc = where[idx]
        size = idx.shape[1]
        r_b = np.linalg.cholesky((inv + np.swapaxes(inv, 1, 2)) / (2 * m))
        rows.append(np.repeat(loc, size, axis=1).ravel())
        cols.append(np.tile(loc, (1, size)).ravel())
        vals.append(r_b.ravel())
    c = len(covered)
    r = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(c, c),
    )
    s = (r.T @ q_cc @ r).tocsr()
    perm = reverse_cuthill_mckee(s, symmetric_mode=True)
    s = s[perm][:, perm].tocoo()
    width = int(np.max(np.abs(s.row - s.col))) if s.nnz else 0
    if width > BANDED_MAX_WIDTH or c * float(width + 1) ** 2 > BANDED_WORK:
        return None
    band = np.zeros((width + 1, c))
    upper = s.row <= s.col
    band[width + s.row[upper] - s.col[upper], s.col[upper]] = s.data[upper]
    out = sl.eig_banded(
        band,
        lower=False,
        select="i",
        select_range=(0, want - 1),
        eigvals_only=not vectors,
        check_finite=False,
    )
    if not vectors:
        return out, None, True
    mu, w = out
    w_orig = np.empty_like(w)
    w_orig[perm] = w
    x = r @ w_orig
    a = (
        q[:, covered] @ x / np.sqrt(np.maximum(mu, 1e-300))[None, :]
    ).T  # functionals Q x
    return mu, a, True


def spectrum(
    system: GaussianSystem, family, *, top: int | None, method: str
) -> Spectrum:
    """:func:`natabs.spectrum` on a Gaussian system: 1 (the constants), then the linear sector.

    ``eigenvalues`` lists 1 for the constant functions, 1 again for each variable in no
    block (its value is kept forever), then the eigenvalues of ``M = I - P Q``
    (descending). ``complete`` is False: the kernel has further eigenvalues on
    polynomials of higher degree, none slower than the linear ones for a Gaussian target.
    ``size`` is the number of variables.
    """
    covered = {i for b in family for i in b}
    n_unit = 1 + system.n - len(covered)
    if top is None and not _dense(system):
        raise TooLargeError(
            f"the whole linear sector of {system.n} variables (dense, the limit is "
            f"{DENSE_ROUTE_MAX}); ask for the largest few with top="
        )
    want = None if top is None else max(top - n_unit, 0)
    mu, _, ok = _linear_sector(system, family, want, method, vectors=False)
    lam = np.minimum(1.0 - mu, 1.0)
    values = np.concatenate([np.ones(n_unit), lam])
    if top is not None:
        values = values[:top]
    values.flags.writeable = False
    below = mu[mu > 0]
    if below.size:
        relaxation = 1.0 / float(below[0])
    else:  # nothing moves (no block): inf; moving modes not computed (top too small): nan
        relaxation = math.inf if not covered else math.nan
    used = (
        "dense"
        if method in ("auto", "dense") and (_dense(system) or method == "dense")
        else "lanczos"
    )
    return Spectrum(
        eigenvalues=values,
        n_unit=min(n_unit, values.size),
        relaxation_time=relaxation,
        complete=False,
        size=system.n,
        blocks=family,
        method=used,
        converged=ok,
    )


@dataclass(frozen=True, repr=False)
class LinearModes:
    """The slowest linear functionals ``a · (x - μ)`` of random-scan resampling.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        Their eigenvalues, descending (1 for a variable in no block: kept exactly).
    coefficients : numpy.ndarray
        Shape ``(top, n)``: row ``j`` is ``a_j``, normalised to unit variance under the
        law; its first clearly non-zero entry is positive.
    names : tuple of str
        The variables the coefficients refer to.
    blocks : tuple of tuple of int
        The block family.
    """

    eigenvalues: np.ndarray
    coefficients: np.ndarray
    names: tuple[str, ...]
    blocks: tuple[tuple[int, ...], ...]
    system: GaussianSystem

    @property
    def functions(self) -> np.ndarray:
        """The coefficient vectors (the name :class:`~natabs.SlowModes` uses)."""
        return self.coefficients

    def correlation(self, coefficients: Any) -> np.ndarray:
        """Correlation under the law of each mode with the functional ``b · x``.

        Examples
        --------
        >>> import numpy as np
        >>> import natabs as na
        >>> g = na.systems.shared_drift(6).marginal([f"x{i}" for i in range(6)])
        >>> modes = na.slow_modes(g, k=1, top=1)
        >>> [round(float(c), 6) for c in modes.correlation(np.ones(6))]  # the mean mode
        [1.0]
        """
        b = np.asarray(coefficients, dtype=np.float64)
        if b.shape != (self.system.n,):
            raise InvalidInputError(
                f"coefficients must have shape ({self.system.n},), got {b.shape}"
            )
        sb = self.system.cov_times(b)
        var = float(b @ sb)
        if not var > 0:
            raise InvalidInputError(
                "the functional b · x is constant: its correlation is undefined"
            )
        return self.coefficients @ sb / math.sqrt(var)

    def __repr__(self) -> str:
        shown = ", ".join(f"{v:.6g}" for v in self.eigenvalues)
        return (
            f"LinearModes(eigenvalues=[{shown}], n={self.system.n}, "
            f"blocks='{_blocks.describe(self.blocks)}')"
        )


def slow_modes(system: GaussianSystem, family, *, top: int, method: str) -> LinearModes:
    """:func:`natabs.slow_modes` on a Gaussian system: the slowest linear functionals."""
    n = system.n
    if top > n:
        raise InvalidInputError(
            f"top must be at most {n}: the linear sector has {n} modes"
        )
    covered = {i for b in family for i in b}
    fixed = [i for i in range(n) if i not in covered][:top]
    coef = np.zeros((len(fixed), n))
    for r, i in enumerate(fixed):
        coef[r, i] = 1.0 / math.sqrt(float(system.cov_times(np.eye(n)[i])[i]))
    values = [np.ones(len(fixed))]
    if top > len(fixed):
        mu, a, _ = _linear_sector(
            system, family, top - len(fixed), method, vectors=True
        )
        values.append(1.0 - mu)
        coef = np.vstack([coef, a])
    big = np.abs(coef) > 1e-6 * np.abs(coef).max(axis=1, keepdims=True)
    first = np.argmax(big, axis=1)
    coef *= np.sign(coef[np.arange(len(coef)), first])[:, None]
    vals = np.concatenate(values)
    vals.flags.writeable = False
    coef.flags.writeable = False
    return LinearModes(
        eigenvalues=vals,
        coefficients=coef,
        names=system.names,
        blocks=family,
        system=system,
    )


# -- conserved information ----------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class GaussianConserved(Conserved):
    """:class:`~natabs.Conserved` for a Gaussian system, with the reason for its value.

    ``labels`` is empty (there are no support states to label); ``n_components`` is 1
    when every variable is in some block and 0 (a continuum) otherwise.
    """

    reason: str = ""

    def __repr__(self) -> str:
        return f"GaussianConserved(bits={self.bits:.6g}, reason={self.reason!r})"


def conserved(system: GaussianSystem, family, *, base: float) -> GaussianConserved:
    """:func:`natabs.conserved` on a Gaussian system: 0, or infinite for unmoved variables."""
    covered = {i for b in family for i in b}
    missing = [system.names[i] for i in range(system.n) if i not in covered]
    labels = np.zeros(0, dtype=np.uint32)
    labels.flags.writeable = False
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        masses = np.zeros(0)
        masses.flags.writeable = False
        return GaussianConserved(
            bits=math.inf,
            labels=labels,
            masses=masses,
            n_components=0,
            base=base,
            blocks=family,
            reason=f"variables {shown} are in no block: their continuous values are kept "
            "forever (infinite information)",
        )
    masses = np.ones(1)
    masses.flags.writeable = False
    return GaussianConserved(
        bits=0.0,
        labels=labels,
        masses=masses,
        n_components=1,
        base=base,
        blocks=family,
        reason="a non-degenerate Gaussian has full support, so the move graph is connected "
        "and nothing is conserved exactly (THEORY §8); see surviving_information "
        "and spectrum for what lingers",
    )


# -- random scan: exact lower bound, sampled upper bound ------------------------------------


@dataclass(frozen=True, repr=False)
class RandomScanBounds:
    """Bounds on ``I(Λ; X^T)`` after ``T`` random-scan steps of a Gaussian system.

    Attributes
    ----------
    steps : numpy.ndarray
        The numbers of single-block steps ``T``.
    lower : numpy.ndarray
        Exact lower bound (the linear sector): ``-½ log(1 - v^T Q_x v)``, ``v = M^T s``.
    upper : numpy.ndarray
        Sampled upper bound ``E_S I(Λ; X^T | S)`` over block sequences ``S``.
    upper_stderr : numpy.ndarray
        Standard error of ``upper``.
    samples : int
        Block sequences drawn.
    about : str
        The latent.
    base : float
        Logarithm base.
    blocks : tuple of tuple of int
        The block family (indices among the observed variables).
    """

    steps: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    upper_stderr: np.ndarray
    samples: int
    about: str
    base: float
    blocks: tuple[tuple[int, ...], ...]

    def __repr__(self) -> str:
        def fmt(a):
            return (
                "["
                + ", ".join(f"{v:.4g}" for v in a[:8])
                + (", ..." if a.size > 8 else "")
                + "]"
            )

        return (
            f"RandomScanBounds(steps={self.steps.tolist()[:8]}, lower={fmt(self.lower)}, "
            f"upper={fmt(self.upper)}, upper_stderr={fmt(self.upper_stderr)}, "
            f"about={self.about!r}, samples={self.samples})"
        )


def random_scan_bounds(
    system: GaussianSystem,
    steps: Any,
    k: int | None = None,
    *,
    blocks: Any = None,
    about: Any,
    samples: int = 200,
    seed: int | None = None,
    base: float = 2,
) -> RandomScanBounds:
    """Bounds on ``I(Λ; X^T)`` under random scan, where no closed form exists.

    After ``T`` random-scan steps the law of ``X^T`` given ``Λ`` is a mixture over the
    block sequences ``S`` drawn (THEORY §8), so :func:`natabs.surviving_information`
    refuses ``scan="random"`` on a Gaussian system. Two honest bounds instead:

    - **lower, exact** (the linear sector): ``X^T`` is exactly ``N(μ_x, Σ_x)`` at every
      ``T``; Gaussians maximise entropy at a given covariance and ``log det`` is concave,
      so ``h(X^T | Λ) <= ½ log det(2πe E_Λ Cov(X^T | Λ))``, and by total covariance
      ``E_Λ Cov(X^T | Λ) = Σ_x - v v^T`` with ``v = M^T s`` (``M`` the one-step mean map,
      ``s = Σ_{xΛ} / √Σ_ΛΛ``). Hence ``I >= -½ log(1 - v^T Q_x v)``.
    - **upper, sampled**: ``S`` is independent of ``Λ``, so
      ``I(Λ; X^T) <= I(Λ; X^T, S) = E_S I(Λ; X^T | S)``, and given ``S`` the chain is
      linear: ``-½ log(1 - v_S^T Q_x v_S)`` with ``v_S = A_S s``. The mean over ``samples``
      sequences is reported with its standard error.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.shared_drift(4)
    >>> b = na.measures.random_scan_bounds(g, [0, 4, 8], k=1, about="theta", seed=0)
    >>> b.lower.round(3).tolist(), b.upper.round(3).tolist()
    ([1.161, 0.468, 0.242], [1.161, 0.608, 0.328])
    """
    from .._info import check_base
    from .._validation import integer
    from ._finite_time import _check_steps

    requested = _check_steps(steps)
    samples = integer(samples, "samples", 1)
    b = check_base(base)
    if about is None:
        raise InvalidInputError(
            "about= is required: the bounds are about a latent variable"
        )
    if system.n > DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"random-scan bounds on {system.n} variables; the limit is {DENSE_ROUTE_MAX}"
        )
    obs, q, s, name = _chain_law(system, about)
    q = q.toarray() if hasattr(q, "toarray") else np.asarray(q)
    family = _resolve_observed(obs, k, blocks, name)
    if not family:
        raise InvalidInputError("the block family is empty: nothing is resampled")
    covered = sorted({i for bl in family for i in bl})
    p = np.zeros_like(q)
    p[np.ix_(covered, covered)] = _precision_mix(q, family, covered, sparse=False)
    times = np.unique(requested)

    def info(v):
        qv = float(v @ (q @ v))
        return math.inf if qv >= 1.0 else -0.5 * math.log1p(-qv)

    lower = np.empty(len(times))
    v, t = s.copy(), 0
    for i, target in enumerate(int(x) for x in times):
        while t < target:
            v = v - p @ (q @ v)
            t += 1
        lower[i] = info(v)
    updates = []
    for idx, inv in _block_inverses(q, family):
        for row, block_inv in zip(idx, inv):
            updates.append((row, q[row], block_inv, q[np.ix_(row, row)]))
    rng = np.random.default_rng(seed)
    draws = np.empty((samples, len(times)))
    for r in range(samples):
        v, t = s.copy(), 0
        for i, target in enumerate(int(x) for x in times):
            for j in rng.integers(len(updates), size=target - t):
                row, q_rows, block_inv, q_bb = updates[j]
                v[row] = -block_inv @ (q_rows @ v - q_bb @ v[row])
            t = target
            draws[r, i] = info(v)
    at = np.searchsorted(times, requested)
    unit = math.log(b)
    upper = draws.mean(axis=0)
    err = (
        draws.std(axis=0, ddof=1) / math.sqrt(samples)
        if samples > 1
        else np.zeros(len(times))
    )
    return RandomScanBounds(
        steps=_frozen(requested),
        lower=_frozen(np.maximum(lower[at], 0.0) / unit),
        upper=_frozen(np.maximum(upper[at], 0.0) / unit),
        upper_stderr=_frozen(err[at] / unit),
        samples=samples,
        about=name,
        base=b,
        blocks=family,
    )


class GaussianMeasures:
    """Exact linear-algebra engines for Gaussian systems (numpy/scipy)."""

    kind = "GaussianSystem"
    conserved = staticmethod(conserved)
    surviving_information = staticmethod(surviving_information)
    spectrum = staticmethod(spectrum)
    slow_modes = staticmethod(slow_modes)
    unsupported = {  # noqa: RUF012  (read-only, as in the other kinds)
        "natural_latent_errors": "its log-determinant formulas (THEORY §7) are not "
        "implemented yet, and the deterministic conventions do not apply to continuous latents",
    }
