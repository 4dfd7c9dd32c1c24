"""The spectrum of the random-scan kernel and its slow modes (THEORY §4).

``K`` is reversible with respect to ``P``, so ``S = D^{1/2} K D^{-1/2}`` (``D = diag P``) is
symmetric with the same eigenvalues, all in ``[0, 1]``:

    1 = λ_1 = ... = λ_m > λ_{m+1} >= ...,   m = number of components,

and an eigenvector ``u`` of ``S`` is the eigenfunction ``u / √P`` of ``K``. A mode with
``1 - λ << 1/T`` is quasi-conserved at time ``T``; the relaxation time is
``1 / (1 - λ_{m+1})``. Small supports use a dense symmetric eigensolver. Large ones use
a Chebyshev-filtered subspace iteration (LOBPCG on request), a *block* solver, on an operator whose product with a block of vectors is one pass
of the Rust kernel: it iterates a whole subspace, so repeated eigenvalues (variables that
are interchangeable give many) are found as often as they occur. The unit eigenspace is
known exactly — the indicators of the components, weighted by ``√P`` — so it is
projected out and the solver works only on its complement.
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engines import _kernel as _kernel
from .._validation import choice, integer
from .. import blocks as _blocks
from ._conserved import conserved
from ..errors import InvalidInputError, TooLargeError
from ..systems._support import System
from ._dispatch import implementation

__all__ = ["Spectrum", "spectrum", "SlowModes", "slow_modes"]

#: Eigenvalues within this distance of 1 count as unit eigenvalues.
UNIT_TOLERANCE = 1e-9
#: Supports up to this size use the dense eigensolver (all eigenvalues, exact).
DENSE_MAX = 2048
#: Largest support whose whole spectrum (``top=None``) is computed densely.
FULL_MAX = 8192
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
METHODS = ("auto", "dense", "chebyshev", "lobpcg", "lanczos")


@dataclass(frozen=True, repr=False)
class Spectrum:
    """Eigenvalues of the random-scan resampling kernel, in descending order.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        The largest eigenvalues (all of them when ``complete``), descending.
    n_unit : int
        How many of them equal 1 (within ``UNIT_TOLERANCE``): the number of components of
        the move graph, when all unit eigenvalues are among those computed.
    relaxation_time : float
        ``1 / (1 - λ)`` for the first eigenvalue below 1; ``inf`` when every eigenvalue is
        1 (nothing moves), ``nan`` when none of the computed ones is below 1.
    complete : bool
        Whether every eigenvalue is known (then ``chi2`` is exact).
    size : int
        Number of support states (= number of eigenvalues in all).
    blocks : tuple of tuple of int
        The block family.
    method : str
        The solver that ran: ``"dense"``, ``"chebyshev"``, ``"lobpcg"`` or ``"lanczos"``.
    converged : bool
        Whether the sparse solver met its tolerance (``RESIDUAL_TOL``) for every listed
        eigenvalue; always true for ``"dense"``. When false a ``RuntimeWarning`` was issued
        as well, and the listed values are the solver's last estimates.
    """

    eigenvalues: np.ndarray
    n_unit: int
    relaxation_time: float
    complete: bool
    size: int
    blocks: tuple[tuple[int, ...], ...]
    method: str = "dense"
    converged: bool = True

    def chi2(self, steps: int) -> float:
        """χ² information ``I_χ²(T) = tr K^{2T} - 1 = Σ_j λ_j^{2T} - 1`` (a number, not bits).

        Exact when ``complete``; otherwise the sum over the computed eigenvalues only, a
        *lower bound* (the missing terms are non-negative). It bounds the surviving
        information: ``I_T <= log(1 + I_χ²(T))``.

        Examples
        --------
        >>> import natabs as na
        >>> sp = na.spectrum(na.systems.copies(3), k=1)
        >>> sp.chi2(5)
        1.0
        """
        try:
            t = operator.index(steps)
        except TypeError:
            raise TypeError(f"steps must be an integer, got {steps!r}") from None
        if t < 0:
            raise InvalidInputError(f"steps must be >= 0, got {t}")
        lam = np.clip(self.eigenvalues, 0.0, 1.0)
        return max(float(np.sum(lam ** (2 * t))) - 1.0, 0.0)

    def __repr__(self) -> str:
        shown = ", ".join(f"{v:.6g}" for v in self.eigenvalues[:6])
        more = ", ..." if self.eigenvalues.size > 6 else ""
        return (
            f"Spectrum(eigenvalues=[{shown}{more}], n_unit={self.n_unit}, "
            f"relaxation_time={self.relaxation_time:.6g}, complete={self.complete}, "
            f"blocks='{_blocks.describe(self.blocks)}'"
            f"{'' if self.converged else ', converged=False'})"
        )


def spectrum(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    top: int | None = None,
    method: str = "auto",
) -> Spectrum:
    """Eigenvalues of the random-scan kernel ``K = (1/|B|) Σ_B Π_B``, largest first.

    Give exactly one of ``k`` or ``blocks``. With ``top=None`` every eigenvalue is
    computed (dense, small supports only); with ``top=m`` the ``m`` largest.

    ``method`` picks the solver; ``"auto"`` takes ``"dense"`` up to ``DENSE_MAX`` states
    and ``"chebyshev"`` above.

    - ``"dense"``: every eigenvalue of the symmetrised matrix ``D^{1/2} K D^{-1/2}``.
    - ``"chebyshev"``: Chebyshev-filtered subspace iteration, a block solver on the
      Rust kernel with the same guarantees as ``"lobpcg"`` below (block size, seeded
      start, exact unit eigenvalues, multiplicities, residual check), several times
      faster on large supports: its dense algebra is a few small products per filter.
    - ``"lobpcg"``: a block solver on the Rust kernel, started from ``max(2m, m + 8)``
      seeded random vectors, so results are reproducible. The unit eigenvalues are the
      components of the move graph (``natabs.conserved``): they are listed exactly and
      the solver runs on the complement of their eigenspace. Repeated eigenvalues are
      listed with their multiplicity (up to ``top``). If the solver misses its tolerance
      the result says ``converged=False`` and a ``RuntimeWarning`` is issued.
    - ``"lanczos"``: ``scipy.sparse.linalg.eigsh`` from one start vector. It finds every
      *distinct* leading eigenvalue but may list a repeated one fewer times than its
      multiplicity (interchangeable variables, such as noisy copies, give repeated
      eigenvalues), and ``n_unit`` is then a lower bound. Kept for comparison.

    Examples
    --------
    >>> import natabs as na
    >>> sp = na.spectrum(na.systems.copies(3), k=1)
    >>> sp
    Spectrum(eigenvalues=[1, 1], n_unit=2, relaxation_time=inf, complete=True, blocks='3 blocks of size 1')
    >>> sp = na.spectrum(na.systems.noisy_copies(6, 0.1), k=1, top=3)
    >>> sp
    Spectrum(eigenvalues=[1, 0.991359, 0.827028], n_unit=1, relaxation_time=115.725, complete=False, blocks='6 blocks of size 1')

    Eight noisy copies are interchangeable, so the mode after the majority comes seven
    times (one per direction orthogonal to the sum of the copies); the block solver lists
    it that often:

    >>> s = na.systems.noisy_copies(8, 0.2)
    >>> sp = na.spectrum(s, k=1, top=9, method="lobpcg")
    >>> [round(float(v), 6) for v in sp.eigenvalues]
    [1.0, 0.980972, 0.867945, 0.867945, 0.867945, 0.867945, 0.867945, 0.867945, 0.867945]
    >>> sp.method, sp.converged
    ('lobpcg', True)
    """
    compute = implementation(system, "spectrum")
    family = _blocks.resolve(system, k, blocks)
    top = None if top is None else integer(top, "top", 1)
    return compute(system, family, top=top, method=_check_method(method))


def spectrum_on_support(system: System, family, *, top: int | None, method: str) -> Spectrum:
    """:func:`spectrum` on a support system: dense, or block solvers on the Rust kernel."""
    n = system.size
    if top is None and n > FULL_MAX:
        raise TooLargeError(
            f"the whole spectrum of a support of {n} states (dense, the limit is {FULL_MAX}); "
            "ask for the largest few with top="
        )
    kernel = _kernel.build(system, family)
    want = n if top is None else min(top, n)
    method = _choose(method, n, want)
    summary = dict(complete=want == n, size=n, family=family, method=method)
    if method == "dense":
        values, _ = _dense(kernel, system.probs, want, vectors=False)
        return _summary(values, **summary)
    if method == "lanczos":
        values, _ = _lanczos(kernel, system.probs, want, vectors=False)
        return _summary(values, **summary)
    comp = conserved(system, blocks=family)
    m = comp.n_components
    if want <= m:
        return _summary(np.ones(want), n_unit=want, **summary)
    solver = _chebyshev if method == "chebyshev" else _lobpcg
    rest, _, ok = solver(kernel, system.probs, comp.labels, comp.masses, want - m, vectors=False)
    values = np.concatenate([np.ones(m), rest])
    return _summary(values, n_unit=m, converged=ok, **summary)


@dataclass(frozen=True, repr=False)
class SlowModes:
    """The slowest non-constant eigenfunctions of the random-scan kernel.

    Attributes
    ----------
    eigenvalues : numpy.ndarray
        Their eigenvalues, descending (unit eigenvalues are exactly conserved modes).
    functions : numpy.ndarray
        Shape ``(top, N)``: mode ``j`` as a function over the support states, normalised
        to mean 0 and variance 1 under ``P``; its first clearly non-zero entry is positive.
    probs : numpy.ndarray
        ``P`` over the support (for weighting statistics).
    blocks : tuple of tuple of int
        The block family.
    """

    eigenvalues: np.ndarray
    functions: np.ndarray
    probs: np.ndarray
    blocks: tuple[tuple[int, ...], ...]

    def correlation(self, values: Any) -> np.ndarray:
        """Correlation under ``P`` of each mode with a statistic given over the support.

        Examples
        --------
        >>> import natabs as na
        >>> s = na.systems.noisy_copies(5, 0.1)
        >>> majority = (s.states.sum(axis=1) > 2).astype(float)
        >>> modes = na.slow_modes(s, k=1, top=2)
        >>> [round(abs(float(c)), 3) for c in modes.correlation(majority)]
        [0.978, 0.0]
        """
        g = np.asarray(values, dtype=np.float64)
        if g.shape != self.probs.shape:
            raise InvalidInputError(
                f"values must give one number per support state, shape {self.probs.shape}; "
                f"got shape {g.shape}"
            )
        if not np.all(np.isfinite(g)):
            raise InvalidInputError("values must be finite")
        scale = float(np.max(np.abs(g)))
        g = g - self.probs @ g
        sd = math.sqrt(float(self.probs @ g**2))
        if sd <= 1e-12 * scale:
            raise InvalidInputError("values are constant under P: their correlation is undefined")
        return self.functions @ (self.probs * g) / sd

    def __repr__(self) -> str:
        shown = ", ".join(f"{v:.6g}" for v in self.eigenvalues)
        return (
            f"SlowModes(eigenvalues=[{shown}], support={self.probs.size}, "
            f"blocks='{_blocks.describe(self.blocks)}')"
        )


def slow_modes(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    top: int = 3,
    method: str = "auto",
) -> SlowModes:
    """The ``top`` leading non-constant eigenfunctions: *what* is approximately conserved.

    The constant function (eigenvalue 1) is removed first; exactly conserved modes of a
    disconnected move graph come next with eigenvalue 1, then the slow ones. ``method``
    is as for :func:`spectrum`; within a repeated eigenvalue the functions are one
    orthonormal basis of its eigenspace, not a unique choice.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.noisy_copies(3, 0.1)
    >>> modes = na.slow_modes(s, k=1, top=1)
    >>> modes
    SlowModes(eigenvalues=[0.926829], support=8, blocks='3 blocks of size 1')
    >>> [round(float(f), 3) for f in modes.functions[0]]  # a softened majority vote
    [1.147, 0.382, 0.382, -0.382, 0.382, -0.382, -0.382, -1.147]
    """
    compute = implementation(system, "slow_modes")
    family = _blocks.resolve(system, k, blocks)
    if top is None:
        raise TypeError("top must be an integer")
    top = integer(top, "top", 1)
    return compute(system, family, top=top, method=_check_method(method))


def slow_modes_on_support(system: System, family, *, top: int, method: str) -> SlowModes:
    """:func:`slow_modes` on a support system."""
    n = system.size
    if top > n - 1:
        raise InvalidInputError(f"top must be at most {n - 1} for a support of {n} states")
    method = _choose(method, n, top + 1)
    kernel = _kernel.build(system, family)
    if method == "dense":
        values, vectors = _dense(kernel, system.probs, top, vectors=True, deflate=True)
    elif method == "lanczos":
        values, vectors = _lanczos(kernel, system.probs, top, vectors=True, deflate=True)
    else:
        # Only the constant is removed: one "component" holding every state.
        labels, masses = np.zeros(n, dtype=np.int64), np.ones(1)
        solver = _chebyshev if method == "chebyshev" else _lobpcg
        values, vectors, _ = solver(kernel, system.probs, labels, masses, top, vectors=True)
    root = np.sqrt(system.probs)
    functions = vectors.T / root[None, :]
    norms = np.sqrt((functions**2) @ system.probs)
    functions /= norms[:, None]
    # Eigenvectors have no sign: make each mode's first clearly non-zero entry positive.
    big = np.abs(functions) > 1e-6 * np.abs(functions).max(axis=1, keepdims=True)
    first = np.argmax(big, axis=1)
    functions *= np.sign(functions[np.arange(top), first])[:, None]
    functions.flags.writeable = False
    values.flags.writeable = False
    return SlowModes(eigenvalues=values, functions=functions, probs=system.probs, blocks=family)


# -- internals ----------------------------------------------------------------------------


def _check_method(method: object) -> str:
    return choice(method, "method", METHODS)


def _choose(method: str, n: int, want: int) -> str:
    """The solver for ``want`` leading eigenvalues of an ``n``-state support."""
    if method != "auto":
        return method
    # LOBPCG needs a block well below n; where it would not have one, dense is cheaper.
    if n <= DENSE_MAX or (n <= FULL_MAX and 5 * _block_size(want) > n):
        return "dense"
    return "chebyshev"


def _block_size(want: int) -> int:
    # A margin past the wanted ones: the last wanted vectors converge at the rate set by
    # the gap to the first eigenvalue *outside* the block.
    return max(2 * want, want + 8)


def _dense(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """The ``want`` largest eigenvalues (descending) of S, or of S - √P√P' with ``deflate``."""
    s = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
    if deflate:
        root = np.sqrt(probs)
        s -= np.outer(root, root)
    if vectors:
        lam, vec = np.linalg.eigh(s)
        return lam[::-1][:want].copy(), vec[:, ::-1][:, :want].copy()
    return np.linalg.eigvalsh(s)[::-1][:want].copy(), None


def _lanczos(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """``eigsh`` from one start vector: may under-count repeated eigenvalues."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    n = len(probs)
    if want >= n - 1:
        return _dense(kernel, probs, want, vectors=vectors, deflate=deflate)
    root = np.sqrt(probs)

    def matvec(v: np.ndarray) -> np.ndarray:
        v = np.ascontiguousarray(v, dtype=np.float64).ravel()
        out = kernel.apply_symmetric(v)
        if deflate:
            out -= root * (root @ v)
        return out

    op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    v0 = np.random.default_rng(0).standard_normal(n)  # deterministic start
    # A wider Krylov space than scipy's default (2k + 1) needs fewer products when the
    # leading eigenvalues cluster near 1, as they do for slow modes.
    ncv = min(n - 1, max(2 * want + 2, 32))
    lam, vec = eigsh(op, k=want, which="LA", v0=v0, ncv=ncv, tol=1e-10, return_eigenvectors=True)
    order = np.argsort(lam)[::-1]
    return lam[order], (vec[:, order] if vectors else None)


def _lobpcg(kernel, probs, labels, masses, want: int, *, vectors: bool):
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
    size = min(_block_size(want), free)
    if 5 * size > free:
        # Too small for a sparse solver to pay: a dense problem on the complement.
        dense = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        q = e.toarray() * np.sqrt(inv_mass)[None, :]
        dense -= (q @ q.T)  # unit eigenvalues of the components become 0
        lam, vec = np.linalg.eigh(dense)
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
        self.e = csr_matrix((self.root[:, 0], (np.arange(n), self.labels)), shape=(n, len(masses)))
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


def _chebyshev(kernel, probs, labels, masses, want: int, *, vectors: bool):
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
    size = min(_block_size(want), free)
    if 5 * size > free:
        return _lobpcg(kernel, probs, labels, masses, want, vectors=vectors)
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
        degree = int(np.clip(math.acosh(FILTER_GROWTH) / math.acosh(top), 1, MAX_DEGREE))
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


def _summary(
    values: np.ndarray,
    *,
    complete: bool,
    size: int,
    family,
    method: str,
    n_unit: int | None = None,
    converged: bool = True,
) -> Spectrum:
    values = np.minimum(values, 1.0)
    if n_unit is None:
        n_unit = int(np.sum(values >= 1.0 - UNIT_TOLERANCE))
    unit = np.arange(values.size) < n_unit
    values = np.where(unit, 1.0, values)
    values.flags.writeable = False
    below = values[~unit]
    if below.size:
        relaxation = 1.0 / (1.0 - float(below[0]))
    else:
        relaxation = math.inf if complete else math.nan
    return Spectrum(
        eigenvalues=values,
        n_unit=int(n_unit),
        relaxation_time=relaxation,
        complete=complete,
        size=size,
        blocks=family,
        method=method,
        converged=converged,
    )
