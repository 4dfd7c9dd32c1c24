"""Validation and dense/sparse factorisations behind :class:`GaussianSystem`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidInputError, TooLargeError

#: Largest number of variables held as a dense matrix (a few n x n matrices must fit).
DENSE_MAX = 8192
#: Largest number of stored non-zeros of a sparse precision.
SPARSE_MAX_NNZ = 50_000_000
#: Relative tolerance on the symmetry of a covariance or precision.
SYMMETRY_TOLERANCE = 1e-9


def _check_dense_size(n: int, what: str) -> None:
    if n > DENSE_MAX:
        raise TooLargeError(
            f"{what} for {n} variables is a dense {n} x {n} matrix "
            f"({n * n * 8 / 2**30:.1f} GiB); the limit is {DENSE_MAX} variables. "
            "Give a sparse precision (GaussianSystem.from_precision with a scipy.sparse "
            "matrix) for larger systems"
        )


def _sparse():
    import scipy.sparse as sp

    return sp


def _dense_matrix(a: Any, what: str) -> np.ndarray:
    try:
        m = np.array(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{what} must be a square matrix of numbers, got {type(a).__name__}"
        ) from None
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] == 0:
        raise InvalidInputError(f"{what} must be a non-empty square matrix, got shape {m.shape}")
    _check_dense_size(m.shape[0], what)
    if not np.all(np.isfinite(m)):
        i, j = map(int, np.argwhere(~np.isfinite(m))[0])
        raise InvalidInputError(f"{what} must be finite; entry ({i}, {j}) is {m[i, j]}")
    scale = float(np.max(np.abs(m)))
    asym = np.abs(m - m.T)
    if asym.max() > SYMMETRY_TOLERANCE * max(scale, 1e-300):
        i, j = map(int, np.unravel_index(np.argmax(asym), asym.shape))
        raise InvalidInputError(
            f"{what} must be symmetric; entries ({i}, {j}) = {m[i, j]!r} and "
            f"({j}, {i}) = {m[j, i]!r} differ"
        )
    m = (m + m.T) / 2
    m.flags.writeable = False
    return m


def _dense_cholesky(m: np.ndarray, what: str) -> np.ndarray:
    """Lower Cholesky factor, or an error naming the smallest eigenvalue."""
    import scipy.linalg as sl

    try:
        return sl.cholesky(m, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        low = float(np.linalg.eigvalsh(m)[0])
        raise InvalidInputError(
            f"{what} must be positive definite; its smallest eigenvalue is {low:.6g}"
        ) from None


def _sparse_matrix(a: Any, what: str):
    sp = _sparse()
    m = sp.csc_matrix(a, dtype=np.float64)
    n = m.shape[0]
    if m.shape[0] != m.shape[1] or n == 0:
        raise InvalidInputError(f"{what} must be a non-empty square matrix, got shape {m.shape}")
    if m.nnz > SPARSE_MAX_NNZ:
        raise TooLargeError(f"{what} has {m.nnz} non-zeros; the limit is {SPARSE_MAX_NNZ}")
    m.sum_duplicates()
    m.eliminate_zeros()
    if not np.all(np.isfinite(m.data)):
        raise InvalidInputError(
            f"{what} must be finite; it holds {m.data[~np.isfinite(m.data)][0]}"
        )
    scale = float(np.max(np.abs(m.data))) if m.nnz else 0.0
    diff = (m - m.T).tocoo()
    if diff.nnz and np.max(np.abs(diff.data)) > SYMMETRY_TOLERANCE * max(scale, 1e-300):
        k = int(np.argmax(np.abs(diff.data)))
        i, j = int(diff.row[k]), int(diff.col[k])
        raise InvalidInputError(
            f"{what} must be symmetric; entries ({i}, {j}) = {m[i, j]!r} and "
            f"({j}, {i}) = {m[j, i]!r} differ"
        )
    m = ((m + m.T) / 2).tocsc()
    m.sort_indices()
    return m


def sparse_factor(q, what: str = "precision"):
    """A symmetric LU factorisation of a sparse symmetric matrix, checked positive definite.

    With a symmetric permutation and no pivoting the diagonal of ``U`` holds the pivots of
    ``P Q P^T = L D L^T``; by Sylvester's law of inertia ``Q`` is positive definite iff
    they are all positive. Returns the ``scipy.sparse.linalg.SuperLU`` object.
    """
    from scipy.sparse.linalg import splu

    try:
        lu = splu(
            q.tocsc(),
            permc_spec="MMD_AT_PLUS_A",
            diag_pivot_thresh=0.0,
            options={"SymmetricMode": True},
        )
    except RuntimeError as e:
        raise InvalidInputError(
            f"{what} must be positive definite; its factorisation failed ({e})"
        ) from None
    pivots = lu.U.diagonal()
    symmetric = np.array_equal(lu.perm_r, lu.perm_c)
    if not symmetric:  # pragma: no cover - SuperLU kept the diagonal in every test
        raise InvalidInputError(
            f"{what}: the factorisation pivoted off the diagonal; give a dense matrix"
        )
    bad = np.flatnonzero(~(pivots > 0))
    if bad.size:
        k = int(bad[0])
        var = int(np.flatnonzero(lu.perm_c == k)[0]) if k < len(lu.perm_c) else k
        raise InvalidInputError(
            f"{what} must be positive definite; pivot {k} of its LDL^T factorisation "
            f"(variable {var}) is {pivots[k]:.6g}"
        )
    return lu


def _spd_inverse(m: np.ndarray, low: np.ndarray | None = None) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix (LAPACK potrf + potri), symmetric.

    ``low``: its lower Cholesky factor when already known (potri only).
    """
    from scipy.linalg import lapack

    if low is None:
        c, info = lapack.dpotrf(m, lower=1, clean=1)
    else:
        c, info = low, 0
    if info == 0:
        c, info = lapack.dpotri(c, lower=1)
    if info != 0:  # pragma: no cover - validated positive definite at construction
        raise InvalidInputError("the matrix is numerically singular; it cannot be inverted")
    low = np.tril(c)
    return low + np.tril(c, -1).T


def _check_mean(mean: Any, n: int) -> np.ndarray:
    if mean is None:
        m = np.zeros(n)
    else:
        try:
            m = np.array(mean, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"mean must be a vector of numbers, got {type(mean).__name__}"
            ) from None
        if m.shape != (n,):
            raise InvalidInputError(f"mean must have shape ({n},), got {m.shape}")
        if not np.all(np.isfinite(m)):
            raise InvalidInputError("mean must be finite")
    m.flags.writeable = False
    return m


def _number(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} must be a number, got {v!r}")
    x = float(v)
    if not math.isfinite(x):
        raise InvalidInputError(f"{what} must be finite, got {x}")
    return x
