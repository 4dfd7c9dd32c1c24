"""Eigensolvers for the leading eigenvalues of a reversible kernel on a support.

Each works on the symmetrised operator ``S = D^{1/2} K D^{-1/2}`` applied by the Rust
kernel (:mod:`natabs.engines._kernel`): ``dense`` builds the matrix; ``lanczos`` is
``scipy.sparse.linalg.eigsh``; ``lobpcg`` (scipy) and ``chebyshev`` (Chebyshev-filtered
subspace iteration) are block solvers that deflate the unit eigenspace exactly.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import threading
import warnings

import numpy as np

from . import _kernel

__all__ = ["block_size", "chebyshev", "cluster_after", "dense", "lanczos", "lobpcg", "progress"]

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
#: Eigenvalues closer than this are one repeated eigenvalue (a *cluster*): a list cut
#: inside a cluster is extended to its end while solving, and the cut is reported.
CLUSTER_TOL = 1e-8
#: The Chebyshev solver widens its block when the residual of the last wanted vector
#: shrinks by less than about ``exp(-MIN_RATE)`` per kernel product, ``rate =
#: acosh(2θ_want / θ_last - 1)``, once a filter has made the Ritz values meaningful.
MIN_RATE = 0.15
#: Fewest vectors the Chebyshev block holds past the wanted ones (at first: ``max(want,
#: MIN_GUARD)``).
MIN_GUARD = 8
#: Filters a block runs before it may be widened (the Ritz values of a random block say
#: nothing of the spectrum; after one filter they do, and waiting for a second costs a
#: whole filter of the narrow block when its end cuts a cluster).
WIDEN_AFTER = 1
#: Most times the block is widened (its guard doubles each time).
MAX_WIDEN = 4

#: Dense eigenproblems from this order up run in a worker thread (LAPACK takes seconds
#: there and cannot be interrupted): see :func:`_interruptible`.
INTERRUPTIBLE_ORDER = 2048


def block_size(want: int) -> int:
    # A margin past the wanted ones: the last wanted vectors converge at the rate set by
    # the gap to the first eigenvalue *outside* the block.
    return max(2 * want, want + 8)


def dense(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """The ``want`` largest eigenvalues (descending) of S, or of S - √P√P' with ``deflate``.

    Returns ``(values, vectors or None, cut)``, ``cut`` as for :func:`chebyshev`. Refuses
    (:class:`~natabs.errors.TooLargeError`) a support over ``DENSE_LIMIT`` states: the
    matrix alone would take gigabytes and its eigendecomposition minutes.
    """
    check_dense(len(probs))
    s = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
    if deflate:
        # Move the constant √P to eigenvalue -1, below every other (S >= 0): taking it
        # only to 0 lets it stand in for a wanted eigenvalue 0 and be returned as a mode.
        root = np.sqrt(probs)
        s -= 2.0 * np.outer(root, root)
    if vectors:
        lam, vec = _eigh(s)
        lam = lam[::-1]
        return lam[:want].copy(), vec[:, ::-1][:, :want].copy(), cluster_after(lam, want)
    lam = _eigh(s, vectors=False)[::-1]
    return lam[:want].copy(), None, cluster_after(lam, want)


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


#: Largest support a dense eigendecomposition is run on: 128 MiB of matrix and a few
#: seconds; 8,192 states took 49 s and 1.2 GB on two cores.
DENSE_LIMIT = 4096


def check_dense(n: int) -> None:
    """Refuse a dense eigendecomposition of an ``n``-state support above ``DENSE_LIMIT``."""
    if n > DENSE_LIMIT:
        from ..errors import TooLargeError

        raise TooLargeError(
            f"a dense eigendecomposition of a support of {n} states needs "
            f"{8 * n * n / 2**30:.1f} GiB and minutes (the limit is {DENSE_LIMIT} states); "
            "ask for the largest few with top= and a sparse method (method='auto')"
        )


def lanczos(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """``eigsh`` from one start vector: may under-count repeated eigenvalues."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    n = len(probs)
    if want >= n - 1:
        lam, vec, _ = dense(kernel, probs, want, vectors=vectors, deflate=deflate)
        return lam, vec
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
    lam, vec = eigsh(op, k=want, which="LA", v0=v0, ncv=ncv, tol=1e-10, return_eigenvectors=True)
    order = np.argsort(lam)[::-1]
    return lam[order], (vec[:, order] if vectors else None)


def lobpcg(kernel, probs, labels, masses, want: int, *, vectors: bool):
    """The ``want`` largest eigenpairs of S on the complement of the component indicators.

    ``labels[x]`` is the component of state ``x`` and ``masses[c] = P(c)``; the vectors
    ``q_c = √P · 1_c / √P(c)`` are orthonormal eigenvectors of S for eigenvalue 1 and are
    projected out (exactly, in O(N) per column), so what remains is the spectrum below 1.
    Returns ``(values, vectors or None, converged, cut)``, ``cut`` as for :func:`chebyshev`
    (counted among the block's Ritz values past ``want``).
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
        check_dense(n)
        dense = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        q = e.toarray() * np.sqrt(inv_mass)[None, :]
        dense -= q @ q.T  # unit eigenvalues of the components become 0
        lam, vec = _eigh(dense)
        lam, vec = lam[::-1], vec[:, ::-1]
        cut = cluster_after(lam, want)
        return lam[:want].copy(), (vec[:, :want].copy() if vectors else None), True, cut
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
    order = np.argsort(lam)[::-1]
    cut = cluster_after(lam[order], want)
    order = order[:want]
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
    return lam, (vec if vectors else None), converged, cut


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
        self.e = csr_matrix((self.root[:, 0], (np.arange(n), self.labels)), shape=(n, len(masses)))
        self.inv_mass = 1.0 / np.asarray(masses, dtype=np.float64)

    def project(self, v: np.ndarray, scratch: np.ndarray) -> None:
        """``v -= Q Q' v`` in place: ``(Q Q' v)(x) = √P(x) (E' v)[c(x)] / P(c(x))``."""
        coef = self.inv_mass[:, None] * (self.e.T @ v)
        if len(coef) == 1:
            # One component (the usual case): an outer product, no gather of N rows.
            np.multiply(self.root, coef, out=scratch)
        else:
            np.take(coef, self.labels, axis=0, out=scratch)
            scratch *= self.root
        v -= scratch


def _orthonormalize(y: np.ndarray, out: np.ndarray) -> bool:
    """Orthonormal basis of the columns of ``y`` written back into ``y`` (Cholesky QR
    twice, through ``out``: orthonormal to rounding for condition numbers up to ~1e8,
    which the filter's growth bound keeps). False, ``y`` untouched, when the block is too
    ill-conditioned for it."""
    for src, dst in ((y, out), (out, y)):
        gram = src.T @ src
        try:
            r = np.linalg.cholesky(gram).T  # gram = r' r
        except np.linalg.LinAlgError:
            return False
        np.matmul(src, np.linalg.inv(r), out=dst)
    return True


def cluster_after(values: np.ndarray, want: int) -> int:
    """How many of ``values[want:]`` (descending) equal ``values[want - 1]`` within
    :data:`CLUSTER_TOL`, following the chain of close neighbours: where a list of the
    ``want`` largest eigenvalues cuts a repeated (or nearly repeated) eigenvalue."""
    j = want
    while 0 < j < len(values) and values[j - 1] - values[j] <= CLUSTER_TOL:
        j += 1
    return j - want


_PROGRESS: contextvars.ContextVar[bool | None] = contextvars.ContextVar("progress", default=None)
#: ``progress=None`` (auto) shows a bar when one kernel product touches at least this many
#: numbers (states x block columns): about a second per product on two cores.
AUTO_BAR = 4_000_000


@contextlib.contextmanager
def progress(flag: bool | None):
    """Within the block, the solvers show a progress bar: always (``True``, tqdm needed),
    never (``False``) or where the work is large (``None``, when tqdm is installed)."""
    token = _PROGRESS.set(flag)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _bar(work: int, desc: str):
    flag = _PROGRESS.get()
    if flag is False or (flag is None and work < AUTO_BAR):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if flag:
            raise ImportError(
                "progress=True needs tqdm; install it with `pip install natabs[progress]`"
            ) from None
        return None
    return tqdm(desc=desc, unit="product", leave=False)


class _Block:
    """Preallocated ``N x b`` buffers of the Chebyshev solver (reallocated when ``b`` changes)."""

    def __init__(self, n: int, b: int) -> None:
        self.x, self.w, self.y0, self.y1 = (np.empty((n, b)) for _ in range(4))


def chebyshev(kernel, probs, labels, masses, want: int, *, vectors: bool):
    """The ``want`` largest eigenpairs of S on the complement of the unit eigenspace, by
    Chebyshev-filtered subspace iteration with locking and a widening guard. Returns
    ``(values, vectors or None, converged, cut)``: ``cut`` eigenvalues past the listed ones
    equal the last listed one within :data:`CLUSTER_TOL` (a cluster cut by ``want``).

    A block ``X`` of ``want + guard`` orthonormal vectors (``guard = max(want, MIN_GUARD)``) is
    alternately Rayleigh–Ritz-rotated (one product with S) and filtered with the Chebyshev
    polynomial ``T_d`` mapped onto ``[0, a]``, ``a`` the smallest Ritz value of the block:
    S is positive semidefinite, so everything the block should lose lies in ``[0, a]``,
    where ``|T_d| <= 1``, while the wanted eigenvalues, above ``a``, grow like ``cosh``.
    The degree is the highest that keeps the growth below ``FILTER_GROWTH``, and no
    higher than the residuals need: at the rate of the last needed pair, enough to bring
    the worst to a quarter of ``RESIDUAL_TOL`` (the last filter would otherwise overshoot
    by orders of magnitude).

    - *Locking*: leading Ritz pairs whose residual ``|Su - θu|`` is below
      ``RESIDUAL_TOL`` leave the block; the rest is kept orthogonal to them, so later
      filters cost only the unconverged columns.
    - *Guard*: when the block's end cuts a cluster of close or equal eigenvalues the
      filter cannot separate the wanted vectors from the rest; a small ``rate`` (see
      ``MIN_RATE``) after the block's first filter makes the guard double (at most
      ``MAX_WIDEN`` times, within ``MEMORY_BUDGET``) with fresh random columns.
    - *Clusters*: guard pairs that may belong to the last wanted eigenvalue (their Ritz
      value plus residual reaches it) are solved for as well, and those equal to it
      (within ``CLUSTER_TOL``) counted: by interlacing (the j-th Ritz value is at most
      the j-th eigenvalue) at least that many eigenvalues past ``want`` lie in the
      cluster, so a list cut inside a repeated eigenvalue says so.

    Every product is one fused pass of the Rust kernel over all columns; the unit
    eigenspace is projected out after every filter. It stops when every wanted pair has
    met ``RESIDUAL_TOL``, which the result reports as ``converged``.
    """
    op = _Complement(kernel, probs, labels, masses)
    n = op.n
    free = n - len(masses)
    guard = max(want, MIN_GUARD)
    size = min(want + guard, free)
    if 5 * size > free:
        return lobpcg(kernel, probs, labels, masses, want, vectors=vectors)
    if _room(n, size, 0) < 0:
        from ..errors import TooLargeError

        raise TooLargeError(
            f"{want} eigenvectors of a support of {n} states: the solver's blocks of "
            f"{size} vectors need {5 * 8 * n * size / 2**30:.1f} GiB (the budget is "
            f"{_kernel.MEMORY_BUDGET / 2**30:.0f} GiB); ask for fewer with a smaller top="
        )
    rng = np.random.default_rng(0)
    locked_vals: list[float] = []
    locked = np.empty((n, 0))
    buf = _Block(n, size)
    _start(buf, op, rng, locked, fresh=size)
    bar = _bar(n * size, "spectrum")
    converged, widened, since = False, 0, 0
    theta = residual = np.zeros(0)
    try:
        for it in range(MAX_FILTERS):
            active = buf.x.shape[1]
            # Rayleigh–Ritz: X <- X Q, W = S X <- W Q, θ descending.
            kernel.apply_symmetric_into(buf.x, buf.w)
            h = buf.x.T @ buf.w
            theta, rot = np.linalg.eigh((h + h.T) / 2)
            theta, rot = theta[::-1].copy(), rot[:, ::-1].copy()
            np.matmul(buf.x, rot, out=buf.y0)
            np.matmul(buf.w, rot, out=buf.y1)
            buf.x, buf.y0, buf.w, buf.y1 = buf.y0, buf.x, buf.y1, buf.w
            np.multiply(buf.x, theta, out=buf.y0)
            np.subtract(buf.w, buf.y0, out=buf.y0)
            residual = np.sqrt(np.einsum("ij,ij->j", buf.y0, buf.y0))
            n_locked = len(locked_vals)
            need = want - n_locked
            # Guard pairs that may still belong to the last wanted eigenvalue (an eigenvalue
            # lies within its residual of each Ritz value) are solved for too, so that a
            # cluster cut by `want` is counted (all but the last two columns).
            last = theta[need - 1] if need > 0 else locked_vals[want - 1]
            while (
                need < active - 2
                and theta[need] + residual[need] >= last - CLUSTER_TOL
                and (residual[need] > RESIDUAL_TOL or last - theta[need] <= CLUSTER_TOL)
            ):
                need += 1
            worst = float(residual[:need].max()) if need > 0 else 0.0
            if bar is not None:
                bar.update(1)
                bar.set_postfix(locked=n_locked, block=active, residual=f"{worst:.1e}")
            if worst <= RESIDUAL_TOL:
                converged = True
                break
            if it == MAX_FILTERS - 1:
                break
            # Lock the leading converged pairs, keeping at least a few columns active.
            lock = 0
            while (
                lock < want - n_locked - 1 and lock < active - 4 and residual[lock] <= RESIDUAL_TOL
            ):
                lock += 1
            # The filter barely separates the last wanted Ritz value from the block's end
            # (rate): the end cuts a cluster of close or equal eigenvalues. Widen the guard
            # past it (and judge the wider block after a filter of its own).
            a = max(float(theta[-1]), 1e-3 * float(theta[0]), 1e-12)
            rate = math.acosh(max(2.0 * float(theta[min(need, active) - 1]) / a - 1.0, 1.0))
            grow = 0
            if since >= WIDEN_AFTER and widened < MAX_WIDEN and rate < MIN_RATE:
                grow = min(2 * guard, free // 5 - (n_locked + active), _room(n, active, n_locked))
                # Only when it pays: a nearly converged block finishes sooner at its slow
                # rate than a wider one warms its fresh columns up.
                if grow > 0 and not _widening_pays(active, grow, worst, rate):
                    grow = 0
            since += 1
            if lock or grow > 0:
                keep = buf.x[:, lock:].copy()
                if lock:
                    locked = np.hstack([locked, buf.x[:, :lock]])
                    locked_vals.extend(float(t) for t in theta[:lock])
                    theta = theta[lock:]
                if grow > 0:
                    widened += 1
                    guard += grow
                    since = 0
                buf = _Block(n, keep.shape[1] + max(grow, 0))
                buf.x[:, : keep.shape[1]] = keep
                del keep
                _start(buf, op, rng, locked, fresh=max(grow, 0))
                if grow > 0:
                    continue  # Rayleigh–Ritz on the new block before filtering it
                # Locking rotated nothing: the kept Ritz values still hold for the filter.
            # Enough degree to bring the worst residual to a quarter of the tolerance at
            # the rate of the last needed pair, no more (a full-growth filter overshoots it
            # by orders of magnitude on the last step).
            shrink = (worst / RESIDUAL_TOL * 4, rate)
            _filter(kernel, buf, op, locked, theta, bar, shrink=shrink)
    finally:
        if bar is not None:
            bar.close()
    # Every locked pair, then the active Ritz pairs, in descending order.
    values = np.concatenate([locked_vals, theta])
    order = np.argsort(-values, kind="stable")
    values = values[order]
    cut = cluster_after(values, want)
    lam = values[:want].copy()
    if not converged:
        worst = float(residual[: want - len(locked_vals)].max())
        warnings.warn(
            f"the Chebyshev solver stopped after {MAX_FILTERS} filters with eigenvector "
            f"residuals up to {worst:.1e} (wanted {RESIDUAL_TOL:.0e}); the listed "
            "eigenvalues are estimates. method='dense' is exact where the support is "
            "small enough.",
            RuntimeWarning,
            stacklevel=3,
        )
    vecs = None
    if vectors:
        vecs = np.hstack([locked, buf.x])[:, order[:want]].copy()
    return lam, vecs, converged, cut


#: Kernel products a widened block spends bringing its fresh random columns up to the
#: others (about one low-degree filter), in the cost estimate of :func:`_widening_pays`.
WARM_UP = 15


def _widening_pays(active: int, grow: int, worst: float, rate: float) -> bool:
    """Whether widening a block of ``active`` columns by ``grow`` costs fewer column
    products than going on: the worst residual must shrink ``worst / RESIDUAL_TOL`` times,
    at ``rate`` per product now and at least ``MIN_RATE`` once widened (after
    ``WARM_UP`` products)."""
    need = math.log(2.0 * max(worst / RESIDUAL_TOL * 4, 1.0))
    stay = active * need / max(rate, 1e-6)
    widen = (active + grow) * (need / MIN_RATE + WARM_UP)
    return widen < stay


def _room(n: int, active: int, n_locked: int) -> int:
    """Columns the block may still gain within ``MEMORY_BUDGET`` (five ``N x b`` arrays)."""
    return int(_kernel.MEMORY_BUDGET // (8 * n)) // 5 - active - n_locked


def _start(buf: _Block, op: _Complement, rng, locked: np.ndarray, *, fresh: int) -> None:
    """Fill the last ``fresh`` columns of ``buf.x`` with random vectors and make the block
    orthonormal and orthogonal to the unit eigenspace and to the locked vectors."""
    x = buf.x
    if fresh:
        x[:, x.shape[1] - fresh :] = rng.standard_normal((x.shape[0], fresh))
    op.project(x, buf.w)
    if locked.shape[1]:
        x -= locked @ (locked.T @ x)
    if not _orthonormalize(x, buf.y0):
        x[:] = np.linalg.qr(x)[0]


def _filter(
    kernel, buf: _Block, op: _Complement, locked: np.ndarray, theta, bar, *, shrink=None
) -> None:
    """One Chebyshev filter of the block on ``[0, a]``; the new orthonormal basis in ``buf.x``."""
    # t(λ) = 2λ/a - 1, T_{k+1} = 2 t T_k - T_{k-1}.
    a = max(float(theta[-1]), 1e-3 * float(theta[0]), 1e-12)
    top = max(2.0 * float(theta[0]) / a - 1.0, 1.0 + 1e-12)
    degree = int(np.clip(math.acosh(FILTER_GROWTH) / math.acosh(top), 1, MAX_DEGREE))
    if shrink is not None and shrink[1] > 0:
        # T_d grows like e^{d rate} / 2 at the last needed Ritz value: the residual there
        # shrinks about that much (plus two for the estimate's optimism).
        factor, rate = shrink
        degree = min(degree, max(2, math.ceil(math.log(2 * max(factor, 1.0)) / rate) + 2))
    prev, cur, nxt = buf.x, buf.y0, buf.y1  # T_0 X = X
    # T_1 X = (2/a) S X - X, then T_{k+1} X = (4/a) S T_k X - 2 T_k X - T_{k-1} X: each
    # one pass of the Rust kernel (the combination made in the product's pass).
    kernel.chebyshev_step_into(prev, prev, cur, 2.0 / a, -1.0, 0.0)
    for _ in range(degree - 1):
        kernel.chebyshev_step_into(cur, prev, nxt, 4.0 / a, -2.0, -1.0)
        prev, cur, nxt = cur, nxt, prev
    if bar is not None:
        bar.update(degree)
    op.project(cur, buf.w)
    if locked.shape[1]:
        cur -= locked @ (locked.T @ cur)
    if not _orthonormalize(cur, prev):
        cur[:] = np.linalg.qr(cur)[0]
    buf.x, buf.y0, buf.y1 = cur, prev, nxt
