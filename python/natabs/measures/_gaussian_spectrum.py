"""The linear sector of random-scan resampling on a Gaussian system (THEORY §8).

``E[X^{t+1} - μ | X^t] = M (X^t - μ)`` with ``M = I - P Q``; its eigenvalues are eigenvalues
of the kernel and the slowest mode of a Gaussian target is linear. Dense: the eigenvalues of
``R^T Q R`` (``P = R R^T``). Sparse: an exact banded eigensolver for chain-like systems,
Lanczos on the pencil ``Q^{-1} y = ν P y`` otherwise.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np

from .. import blocks as _blocks
from .._results import Result, show
from ..errors import InvalidInputError, TooLargeError
from ..systems._gaussian import GaussianSystem, sparse_factor
from . import _gaussian_linalg as _la
from ._gaussian_linalg import _block_inverses, _precision_mix
from ._spectrum import Spectrum

__all__ = ["LinearModes", "slow_modes", "spectrum"]

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


def _linear_sector(g: GaussianSystem, family, want: int | None, method: str, vectors: bool):
    """The ``want`` smallest ``μ = 1 - λ`` of ``P Q`` on the covered variables, ascending,
    with the functionals ``a`` (rows, unit variance) when ``vectors``; and ``converged``."""
    covered = sorted({i for b in family for i in b})
    c = len(covered)
    if c == 0:
        return np.zeros(0), np.zeros((0, g.n)), True
    want = c if want is None else min(want, c)
    if want <= 0:
        return np.zeros(0), np.zeros((0, g.n)), True
    if method in ("auto", "dense") and (_la._dense(g) or method == "dense"):
        if c > _la.DENSE_ROUTE_MAX:
            raise TooLargeError(
                f"a dense eigensolver on {c} variables; the limit is {_la.DENSE_ROUTE_MAX}"
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
    x = np.column_stack([fq.solve(np.ascontiguousarray(y[:, j])) for j in range(y.shape[1])])
    a = (q[:, covered] @ x / np.sqrt(nu)[None, :]).T  # functionals Q x, unit variance
    return mu, a, ok


def _banded_sector(g: GaussianSystem, family, covered: list[int], want: int, vectors: bool):
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
    a = (q[:, covered] @ x / np.sqrt(np.maximum(mu, 1e-300))[None, :]).T  # functionals Q x
    return mu, a, True


def spectrum(system: GaussianSystem, family, *, top: int | None, method: str) -> Spectrum:
    """:func:`natabs.spectrum` on a Gaussian system: 1 (the constants), then the linear sector.

    ``eigenvalues`` lists 1 for the constant functions, 1 again for each variable in no
    block (its value is kept forever), then the eigenvalues of ``M = I - P Q``
    (descending). ``complete`` is False: the kernel has further eigenvalues on
    polynomials of higher degree, none slower than the linear ones for a Gaussian target.
    ``size`` is the number of variables; ``top`` is at most ``size + 1``.
    """
    covered = {i for b in family for i in b}
    n_unit = 1 + system.n - len(covered)
    if top is None and not _la._dense(system):
        raise TooLargeError(
            f"the whole linear sector of {system.n} variables (dense, the limit is "
            f"{_la.DENSE_ROUTE_MAX}); ask for the largest few with top="
        )
    if top is not None and top > system.n + 1:
        # As for symmetric systems: the sectors of higher degree are not computed, so a
        # larger top would silently list fewer eigenvalues than the kernel has.
        raise InvalidInputError(
            f"top must be at most {system.n + 1} for {system.n} variables, got top={top}: "
            f"the constants and the linear sector have {system.n + 1} eigenvalues, all "
            "listed by top=None; the sectors of higher degree are not computed"
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
        if method in ("auto", "dense") and (_la._dense(system) or method == "dense")
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
class LinearModes(Result):
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
    coefficients: np.ndarray = field(repr=False)
    names: tuple[str, ...] = field(metadata=show(len, name="n"))
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))
    law: InitVar[GaussianSystem | None] = None

    def __post_init__(self, law: GaussianSystem | None) -> None:
        object.__setattr__(self, "_law", law)

    @property
    def system(self) -> GaussianSystem:
        """The Gaussian system whose modes these are (for :meth:`correlation`; not one of
        the result's data fields, so not in ``to_dict()``)."""
        return self._law

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


def slow_modes(system: GaussianSystem, family, *, top: int, method: str) -> LinearModes:
    """:func:`natabs.slow_modes` on a Gaussian system: the slowest linear functionals."""
    n = system.n
    if top > n:
        raise InvalidInputError(f"top must be at most {n}: the linear sector has {n} modes")
    covered = {i for b in family for i in b}
    fixed = [i for i in range(n) if i not in covered][:top]
    coef = np.zeros((len(fixed), n))
    for r, i in enumerate(fixed):
        coef[r, i] = 1.0 / math.sqrt(float(system.cov_times(np.eye(n)[i])[i]))
    values = [np.ones(len(fixed))]
    if top > len(fixed):
        mu, a, _ = _linear_sector(system, family, top - len(fixed), method, vectors=True)
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
        law=system,
    )


# -- conserved information ----------------------------------------------------------------
