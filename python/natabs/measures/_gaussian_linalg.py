"""Linear algebra shared by the Gaussian measures (THEORY §8): the systematic sweep as a
linear map, the block inverses ``Q_BB^{-1}`` and their mixture ``P``, and the law of the
chain (observed variables, their precision, the latent direction)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidInputError, TooLargeError
from ..systems._gaussian import GaussianSystem

#: Up to this many variables the measures work with dense matrices.
DENSE_ROUTE_MAX = 4096
#: Largest number of (block x variable x column) updates of the overlapping-block sweep.
MAX_SWEEP_WORK = 2e10

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
            work = sum(len(b) for b in family) * float(n) * (n if not self.sparse else 1)
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
            low = sp.csr_matrix((q.data[keep], (q.row[keep], q.col[keep])), shape=(n, n))
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


# -- inputs ------------------------------------------------------------------------------


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
            vals = np.asarray(qs[rr.ravel(), cc.ravel()]).reshape(len(blocks), size, size)
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
