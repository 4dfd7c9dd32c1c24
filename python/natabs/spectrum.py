"""The spectrum of the random-scan kernel and its slow modes (THEORY §4).

``K`` is reversible with respect to ``P``, so ``S = D^{1/2} K D^{-1/2}`` (``D = diag P``) is
symmetric with the same eigenvalues, all in ``[0, 1]``:

    1 = λ_1 = ... = λ_m > λ_{m+1} >= ...,   m = number of components,

and an eigenvector ``u`` of ``S`` is the eigenfunction ``u / √P`` of ``K``. A mode with
``1 - λ << 1/T`` is quasi-conserved at time ``T``; the relaxation time is
``1 / (1 - λ_{m+1})``. Small supports use a dense symmetric eigensolver; large ones
``scipy.sparse.linalg.eigsh`` on an operator whose product is the Rust kernel.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _kernel
from . import blocks as _blocks
from .errors import InvalidInputError, TooLargeError
from .system import System

__all__ = ["Spectrum", "spectrum", "SlowModes", "slow_modes"]

#: Eigenvalues within this distance of 1 count as unit eigenvalues.
UNIT_TOLERANCE = 1e-9
#: Supports up to this size use the dense eigensolver (all eigenvalues, exact).
DENSE_MAX = 2048
#: Largest support whose whole spectrum (``top=None``) is computed densely.
FULL_MAX = 8192


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
    """

    eigenvalues: np.ndarray
    n_unit: int
    relaxation_time: float
    complete: bool
    size: int
    blocks: tuple[tuple[int, ...], ...]

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
            f"blocks='{_blocks.describe(self.blocks)}')"
        )


def spectrum(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    top: int | None = None,
) -> Spectrum:
    """Eigenvalues of the random-scan kernel ``K = (1/|B|) Σ_B Π_B``, largest first.

    Give exactly one of ``k`` or ``blocks``. With ``top=None`` every eigenvalue is
    computed (dense, small supports only); with ``top=m`` the ``m`` largest, by a Lanczos
    solver on the Rust kernel when the support is large (over ``DENSE_MAX`` states).

    Lanczos builds its space from one start vector, so on a support above ``DENSE_MAX``
    it finds every *distinct* leading eigenvalue but may list a repeated one fewer times
    than its multiplicity (systems with symmetries between variables, such as exact
    noisy copies, have repeated eigenvalues); ``n_unit`` is then a lower bound as well.
    Clustered leading eigenvalues also make it slow; ask for few.

    Examples
    --------
    >>> import natabs as na
    >>> sp = na.spectrum(na.systems.copies(3), k=1)
    >>> sp
    Spectrum(eigenvalues=[1, 1], n_unit=2, relaxation_time=inf, complete=True, blocks='3 blocks of size 1')
    >>> sp = na.spectrum(na.systems.noisy_copies(6, 0.1), k=1, top=3)
    >>> sp
    Spectrum(eigenvalues=[1, 0.991359, 0.827028], n_unit=1, relaxation_time=115.725, complete=False, blocks='6 blocks of size 1')
    """
    system, family, top = _check(system, k, blocks, top)
    n = system.size
    if top is None and n > FULL_MAX:
        raise TooLargeError(
            f"the whole spectrum of a support of {n} states (dense, the limit is {FULL_MAX}); "
            "ask for the largest few with top="
        )
    kernel = _kernel.build(system, family)
    want = n if top is None else min(top, n)
    values, _ = _leading(kernel, system.probs, want, vectors=False)
    return _summary(values, complete=want == n, size=n, family=family)


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
) -> SlowModes:
    """The ``top`` leading non-constant eigenfunctions: *what* is approximately conserved.

    The constant function (eigenvalue 1) is removed first; exactly conserved modes of a
    disconnected move graph come next with eigenvalue 1, then the slow ones.

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
    system, family, top = _check(system, k, blocks, top)
    if top is None:
        raise TypeError("top must be an integer")
    n = system.size
    if top > n - 1:
        raise InvalidInputError(f"top must be at most {n - 1} for a support of {n} states")
    kernel = _kernel.build(system, family)
    values, vectors = _leading(kernel, system.probs, top, vectors=True, deflate=True)
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


def _check(system, k, blocks, top):
    if not isinstance(system, System):
        raise TypeError(f"system must be a natabs.System, got {type(system).__name__}")
    family = _blocks.resolve(system, k, blocks)
    if top is not None:
        if isinstance(top, bool):
            raise TypeError(f"top must be an integer, got {top!r}")
        try:
            top = operator.index(top)
        except TypeError:
            raise TypeError(f"top must be an integer, got {top!r}") from None
        if top < 1:
            raise InvalidInputError(f"top must be >= 1, got {top}")
    return system, family, top


def _leading(kernel, probs, want: int, *, vectors: bool, deflate: bool = False):
    """The ``want`` largest eigenvalues (descending) of S, or of S - √P√P' with ``deflate``."""
    n = len(probs)
    root = np.sqrt(probs)
    if n <= DENSE_MAX or want >= n - 1:
        s = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        if deflate:
            s -= np.outer(root, root)
        if vectors:
            lam, vec = np.linalg.eigh(s)
            return lam[::-1][:want].copy(), vec[:, ::-1][:, :want].copy()
        return np.linalg.eigvalsh(s)[::-1][:want].copy(), None
    from scipy.sparse.linalg import LinearOperator, eigsh

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


def _summary(values: np.ndarray, *, complete: bool, size: int, family) -> Spectrum:
    values = np.minimum(values, 1.0)
    unit = values >= 1.0 - UNIT_TOLERANCE
    values = np.where(unit, 1.0, values)
    values.flags.writeable = False
    below = values[~unit]
    if below.size:
        relaxation = 1.0 / (1.0 - float(below[0]))
    else:
        relaxation = math.inf if complete else math.nan
    return Spectrum(
        eigenvalues=values,
        n_unit=int(unit.sum()),
        relaxation_time=relaxation,
        complete=complete,
        size=size,
        blocks=family,
    )
