"""Eigensolvers for the leading eigenvalues of a reversible kernel on a support.

Each works on the symmetrised operator ``S = D^{1/2} K D^{-1/2}`` applied by the Rust
kernel (:mod:`natabs.engines._kernel`): ``dense`` builds the matrix; ``lanczos`` is
``scipy.sparse.linalg.eigsh``; ``lobpcg`` (scipy) and ``chebyshev`` (Chebyshev-filtered
subspace iteration) are block solvers that deflate the unit eigenspace exactly.
"""

from __future__ import annotations

import math
import threading
import warnings

import numpy as np

from . import _kernel

__all__ = ["block_size", "chebyshev", "dense", "lanczos", "lobpcg"]

#: Sparse solvers stop when every wanted eigenpair ``(λ, u)`` of ``S`` has
#: ``|Su - λu| <= RESIDUAL_TOL``; the eigenvalue is then off by at most
#: ``RESIDUAL_TOL**2 / gap`` (Kato–Temple), about 1e-10 for a gap of 1e-2.
RESIDUAL_TOL = 1e-6
#: LOBPCG iterates ``S**POWER`` (same eigenvectors, same order since ``S >= 0``): wider
#: relative gaps, so fewer iterations, each dearer in kernel products but not in the
#: dense subspace algebra that dominates a LOBPCG step.
POWER = 4
#: Iteration limit of LOBPCG; reaching it without convergence is reported, never hidden.
MAX_ITER = 400
#: Iteration limit (Rayleigh–Ritz steps) of the Chebyshev solver.
MAX_FILTERS = 200
#: Largest growth the Chebyshev filter may give a vector of the block: the filtered block
#: must stay well conditioned (below ~1e8) for its Cholesky orthonormalisation.
FILTER_GROWTH = 1e5
#: Highest degree of one Chebyshev filter.
MAX_DEGREE = 40

#: Dense eigenproblems from this order up run in a worker thread (LAPACK takes seconds
#: there and cannot be interrupted): see :func:`_interruptible`.
INTERRUPTIBLE_ORDER = 2048


def block_size(want: int) -> int:
    # A margin past the wanted ones: the last wanted vectors converge at the rate set by
    # the gap to the first eigenvalue *outside* the block.
    return max(2 * want, want + 8)


def dense(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """The ``want`` largest eigenvalues (descending) of S, or of S - √P√P' with ``deflate``."""
    s = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
    if deflate:
        # Move the constant √P to eigenvalue -1, below every other (S >= 0): taking it
        # only to 0 lets it stand in for a wanted eigenvalue 0 and be returned as a mode.
        root = np.sqrt(probs)
        s -= 2.0 * np.outer(root, root)
    if vectors:
        lam, vec = _eigh(s)
        return lam[::-1][:want].copy(), vec[:, ::-1][:, :want].copy()
    return _eigh(s, vectors=False)[::-1][:want].copy(), None


def _eigh(s: np.ndarray, *, vectors: bool = True):
    """``numpy.linalg.eigh`` (or ``eigvalsh``) of a symmetric matrix, interruptible when big."""
    solve = np.linalg.eigh if vectors else np.linalg.eigvalsh
    if len(s) < INTERRUPTIBLE_ORDER:
        return solve(s)
    return _interruptible(solve, s)


def _interruptible(fn, *args):
    """``fn(*args)`` in a worker thread while this thread waits, so Ctrl-C reaches the caller.

    Numpy releases the GIL inside LAPACK but never checks for signals, so a dense
    eigenproblem of 8,192 states would hold Ctrl-C off for a minute. Waiting on the worker
    in short slices lets the interrupt through at once; the worker cannot be stopped and
    finishes in the background, its result dropped.
    """
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 -- handed to the caller below
            out["error"] = e

    worker = threading.Thread(target=run, name="natabs-dense-eigh", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["value"]


def lanczos(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """``eigsh`` from one start vector: may under-count repeated eigenvalues."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    n = len(probs)
    if want >= n - 1:
        return dense(kernel, probs, want, vectors=vectors, deflate=deflate)
    root = np.sqrt(probs)

    def matvec(v: np.ndarray) -> np.ndarray:
        v = np.ascontiguousarray(v, dtype=np.float64).ravel()
        out = kernel.apply_symmetric(v)
        if deflate:
            out -= 2.0 * root * (root @ v)  # the constant to -1, as in `dense`
        return out

    op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    v0 = np.random.default_rng(0).standard_normal(n)  # deterministic start
    # A wider Krylov space than scipy's default (2k + 1) needs fewer products when the
    # leading eigenvalues cluster near 1, as they do for slow modes.
    ncv = min(n - 1, max(2 * want + 2, 32))
    lam, vec = eigsh(
        op, k=want, which="LA", v0=v0, ncv=ncv, tol=1e-10, return_eigenvectors=True
    )
    order = np.argsort(lam)[::-1]
    return lam[order], (vec[:, order] if vectors else None)


def lobpcg(kernel, probs, labels, masses, want: int, *, vectors: bool):
    """The ``want`` largest eigenpairs of S on the complement of the component indicators.

    ``labels[x]`` is the component of state ``x`` and ``masses[c] = P(c)``; the vectors
    ``q_c = √P · 1_c / √P(c)`` are orthonormal eigenvectors of S for eigenvalue 1 and are
    projected out (exactly, in O(N) per column), so what remains is the spectrum below 1.
    Returns ``(values, vectors or None, converged)``.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import LinearOperator, lobpcg

    n = len(probs)
    labels = np.asarray(labels, dtype=np.int64)
    root = np.sqrt(probs)
    # Q = E diag(1/√P(c)) with E[x, c] = √P(x) [labels[x] = c]; Q Q' V = E diag(1/P(c)) E' V.
    e = csr_matrix((root, (np.arange(n), labels)), shape=(n, len(masses)))
    inv_mass = 1.0 / np.asarray(masses, dtype=np.float64)

    def project(v: np.ndarray) -> np.ndarray:
        return v - e @ (inv_mass[:, None] * (e.T @ v))

    def apply(v: np.ndarray) -> np.ndarray:
        return kernel.apply_symmetric_block(np.ascontiguousarray(v, dtype=np.float64))

    def power(v: np.ndarray) -> np.ndarray:
        v = np.ascontiguousarray(np.asarray(v, dtype=np.float64).reshape(n, -1))
        out, work = np.empty_like(v), np.empty_like(v)
        kernel.apply_symmetric_into(v, out, work, power=POWER)
        v = out
        # S commutes with the projection (its range is an eigenspace); projecting again
        # only keeps rounding from leaking back into the unit eigenspace.
        return project(v)

    free = n - len(masses)
    size = min(block_size(want), free)
    if 5 * size > free:
        # Too small for a sparse solver to pay: a dense problem on the complement.
        dense = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        q = e.toarray() * np.sqrt(inv_mass)[None, :]
        dense -= q @ q.T  # unit eigenvalues of the components become 0
        lam, vec = _eigh(dense)
        lam, vec = lam[::-1][:want].copy(), vec[:, ::-1][:, :want].copy()
        return lam, (vec if vectors else None), True
    op = LinearOperator((n, n), matvec=power, matmat=power, dtype=np.float64)
    start = project(np.random.default_rng(0).standard_normal((n, size)))
    with warnings.catch_warnings():
        # Its own convergence report is replaced by the residual check below.
        warnings.simplefilter("ignore", UserWarning)
        _, x = lobpcg(op, start, largest=True, tol=RESIDUAL_TOL, maxiter=MAX_ITER)
    # Rayleigh–Ritz with S itself on the final subspace: eigenvalues of S, not of S**POWER,
    # and residuals that say how far each one may be off.
    basis, _ = np.linalg.qr(project(x))
    image = project(apply(basis))
    lam, rot = np.linalg.eigh(basis.T @ image)
    order = np.argsort(lam)[::-1][:want]
    lam, rot = lam[order], rot[:, order]
    vec = basis @ rot
    residual = np.linalg.norm(image @ rot - vec * lam, axis=0)
    converged = bool(np.all(residual <= RESIDUAL_TOL))
    if not converged:
        warnings.warn(
            f"LOBPCG stopped after {MAX_ITER} iterations with eigenvector residuals up to "
            f"{residual.max():.1e} (wanted {RESIDUAL_TOL:.0e}); the listed eigenvalues are "
            "estimates. method='dense' is exact where the support is small enough.",
            RuntimeWarning,
            stacklevel=3,
        )
    return lam, (vec if vectors else None), converged


class _Complement:
    """``S`` on the complement of the unit eigenspace, on preallocated ``N × b`` blocks.

    ``labels[x]`` is the component of state ``x`` and ``masses[c] = P(c)``; the vectors
    ``q_c = √P · 1_c / √P(c)`` are orthonormal eigenvectors of S for eigenvalue 1. Big
    blocks are written in place: a fresh ``N × b`` array costs a page fault per 4 KiB,
    which on a million states is more than the kernel product itself.
    """

    def __init__(self, kernel, probs, labels, masses):
        from scipy.sparse import csr_matrix

        n = len(probs)
        self.kernel, self.n = kernel, n
        self.labels = np.asarray(labels, dtype=np.int64)
        self.root = np.sqrt(probs)[:, None]
        self.e = csr_matrix(
            (self.root[:, 0], (np.arange(n), self.labels)), shape=(n, len(masses))
        )
        self.inv_mass = 1.0 / np.asarray(masses, dtype=np.float64)

    def project(self, v: np.ndarray, scratch: np.ndarray) -> None:
        """``v -= Q Q' v`` in place: ``(Q Q' v)(x) = √P(x) (E' v)[c(x)] / P(c(x))``."""
        coef = self.inv_mass[:, None] * (self.e.T @ v)
        np.take(coef, self.labels, axis=0, out=scratch)
        scratch *= self.root
        v -= scratch


def _orthonormalize(y: np.ndarray, out: np.ndarray) -> bool:
    """Orthonormal basis of the columns of ``y`` into ``out`` (Cholesky QR, twice); ``y``
    is overwritten. False when the block is too ill-conditioned for it."""
    for src, dst in ((y, out), (out, y), (y, out)):
        gram = src.T @ src
        try:
            r = np.linalg.cholesky(gram).T  # gram = r' r
        except np.linalg.LinAlgError:
            return False
        np.matmul(src, np.linalg.inv(r), out=dst)
    return True


def chebyshev(kernel, probs, labels, masses, want: int, *, vectors: bool):
    """The ``want`` largest eigenpairs of S on the complement of the unit eigenspace, by
    Chebyshev-filtered subspace iteration. Returns ``(values, vectors or None, converged)``.

    A block ``X`` of ``b = max(2 want, want + 8)`` orthonormal vectors is alternately
    Rayleigh–Ritz-rotated (one product with S) and filtered with the Chebyshev polynomial
    ``T_d`` mapped onto ``[0, a]``, ``a`` the smallest Ritz value of the block: S is
    positive semidefinite, so everything the block should lose lies in ``[0, a]``, where
    ``|T_d| <= 1``, while the wanted eigenvalues, above ``a``, grow like ``cosh``. The
    degree is the highest that keeps the growth below ``FILTER_GROWTH``. Every product is
    one fused pass of the Rust kernel over all columns, into buffers allocated once; the
    unit eigenspace is projected out after every filter (S keeps the complement, the
    projection only stops rounding from growing there). It stops when the ``want``
    leading Ritz pairs ``(θ, u)`` have ``|Su - θu| <= RESIDUAL_TOL``, the check that the
    result reports as ``converged``.
    """
    op = _Complement(kernel, probs, labels, masses)
    n = op.n
    free = n - len(masses)
    size = min(block_size(want), free)
    if 5 * size > free:
        return lobpcg(kernel, probs, labels, masses, want, vectors=vectors)
    x, w, y0, y1 = (np.empty((n, size)) for _ in range(4))
    x[:] = np.random.default_rng(0).standard_normal((n, size))
    op.project(x, w)
    if not _orthonormalize(x, y0):
        raise AssertionError("random start block is rank deficient")  # pragma: no cover
    x, y0 = y0, x
    converged = False
    for _ in range(MAX_FILTERS):
        # Rayleigh–Ritz: X <- X Q, W = S X <- W Q, θ descending.
        kernel.apply_symmetric_into(x, w)
        h = x.T @ w
        theta, rot = np.linalg.eigh((h + h.T) / 2)
        theta, rot = theta[::-1].copy(), rot[:, ::-1].copy()
        np.matmul(x, rot, out=y0)
        np.matmul(w, rot, out=y1)
        x, y0, w, y1 = y0, x, y1, w
        np.multiply(x, theta, out=y0)
        np.subtract(w, y0, out=y0)
        residual = np.sqrt(np.einsum("ij,ij->j", y0, y0))
        if np.all(residual[:want] <= RESIDUAL_TOL):
            converged = True
            break
        # Filter on [0, a]: t(λ) = 2λ/a - 1, T_{k+1} = 2 t T_k - T_{k-1}.
        a = max(float(theta[-1]), 1e-3 * float(theta[0]), 1e-12)
        top = max(2.0 * float(theta[0]) / a - 1.0, 1.0 + 1e-12)
        degree = int(
            np.clip(math.acosh(FILTER_GROWTH) / math.acosh(top), 1, MAX_DEGREE)
        )
        prev, cur, nxt = x, y0, y1  # T_0 X = X
        kernel.apply_symmetric_into(prev, cur)  # T_1 X = (2/a) S X - X
        cur *= 2.0 / a
        cur -= prev
        for _ in range(degree - 1):
            kernel.apply_symmetric_into(cur, nxt)
            nxt *= 4.0 / a
            nxt -= cur
            nxt -= cur
            nxt -= prev
            prev, cur, nxt = cur, nxt, prev
        op.project(cur, w)
        # T_{d-1} X in `prev` is spent: the new basis goes there.
        if not _orthonormalize(cur, prev):
            q, _ = np.linalg.qr(cur)
            prev[:] = q
        x, y0, y1 = prev, cur, nxt
    lam = theta[:want].copy()
    if not converged:
        warnings.warn(
            f"the Chebyshev solver stopped after {MAX_FILTERS} filters with eigenvector "
            f"residuals up to {residual[:want].max():.1e} (wanted {RESIDUAL_TOL:.0e}); the "
            "listed eigenvalues are estimates. method='dense' is exact where the support "
            "is small enough.",
            RuntimeWarning,
            stacklevel=3,
        )
    return lam, (x[:, :want].copy() if vectors else None), converged
