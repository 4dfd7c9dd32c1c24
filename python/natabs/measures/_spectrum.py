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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import blocks as _blocks
from .._results import Result, show
from .._validation import (
    check_bytes,
    check_nonneg_int,
    check_real_array,
    choice,
    frozen,
    integer,
)
from ._conserved import conserved
from ..engines import _eigensolvers as _solvers
from ..engines import _kernel as _kernel
from ..errors import InvalidInputError, TooLargeError
from ..systems._support import System
from ._dispatch import implementation

__all__ = ["SlowModes", "Spectrum", "slow_modes", "spectrum"]

#: Eigenvalues within this distance of 1 count as unit eigenvalues.
UNIT_TOLERANCE = 1e-9
#: Supports up to this size use the dense eigensolver (all eigenvalues, exact).
DENSE_MAX = 2048
#: Largest support whose whole spectrum (``top=None``) is computed densely (above it the
#: matrix takes gigabytes and its eigendecomposition minutes).
FULL_MAX = _solvers.DENSE_LIMIT
METHODS = ("auto", "dense", "chebyshev", "lobpcg", "lanczos")


@dataclass(frozen=True, repr=False)
class Spectrum(Result):
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
    cluster_cut : int
        How many eigenvalues *past* the listed ones equal the last listed one (within
        ``CLUSTER_TOL``, 1e-8): ``top`` cut a repeated eigenvalue, which occurs
        ``cluster_cut`` more times than listed (for the block solvers, at least that many
        when the cluster filled their block). 0 when the list ends between two distinct
        eigenvalues; not counted by ``"lanczos"``.
    """

    eigenvalues: np.ndarray
    n_unit: int
    relaxation_time: float
    complete: bool
    size: int = field(repr=False)
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))
    method: str = field(default="dense", repr=False)
    converged: bool = True
    cluster_cut: int = 0

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
        t = check_nonneg_int(steps, "steps")
        lam = np.clip(self.eigenvalues, 0.0, 1.0)
        return max(float(np.sum(lam ** (2 * t))) - 1.0, 0.0)


def spectrum(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    top: int | None = None,
    method: str = "auto",
    progress: bool | None = None,
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

    When ``top`` ends inside a repeated eigenvalue the result says how far the cluster
    goes on (``cluster_cut``); the block solvers solve for the whole cluster, so a cut
    never slows them down. The whole spectrum (``top=None``) and ``method="dense"`` are
    refused (:class:`~natabs.errors.TooLargeError`) above ``FULL_MAX`` states.

    ``progress``: a progress bar of the sparse solver's kernel products, always
    (``True``, needs tqdm), never (``False``), or by default (``None``) where each
    product is large (a million states) and tqdm is installed.

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

    Asking for five cuts that eigenvalue after three of its seven copies:

    >>> na.spectrum(s, k=1, top=5).cluster_cut
    4
    """
    compute = implementation(system, "spectrum")
    family = _blocks.resolve(system, k, blocks)
    top = None if top is None else integer(top, "top", 1)
    method = _check_method(method)
    _check_progress(progress)
    with _solvers.progress(progress):
        return compute(system, family, top=top, method=method)


def spectrum_on_support(system: System, family, *, top: int | None, method: str) -> Spectrum:
    """:func:`spectrum` on a support system: dense, or block solvers on the Rust kernel."""
    n = system.size
    if top is None and n > FULL_MAX:
        raise TooLargeError(
            f"the whole spectrum of a support of {n} states (dense, the limit is {FULL_MAX}); "
            "ask for the largest few with top="
        )
    want = n if top is None else min(top, n)
    method = _choose(method, n, want)
    _check_memory(method, n, want)
    summary = dict(complete=want == n, size=n, family=family, method=method)
    if not family:  # nothing moves: K is the identity, every eigenvalue is 1
        return _summary(np.ones(want), n_unit=want, all_unit=True, **summary)
    kernel = _kernel.build(system, family)
    if method == "dense":
        # Every eigenvalue is computed anyway: the relaxation time is always defined.
        values, _, _ = _solvers.dense(kernel, system.probs, n, vectors=False)
        full = _summary(values, complete=True, size=n, family=family, method=method)
        return Spectrum(
            eigenvalues=frozen(full.eigenvalues[:want]),
            n_unit=min(full.n_unit, want),
            relaxation_time=full.relaxation_time,
            complete=want == n,
            size=n,
            blocks=family,
            method=method,
            cluster_cut=_solvers.cluster_after(values, want),
        )
    if method == "lanczos":
        values, _ = _solvers.lanczos(kernel, system.probs, want, vectors=False)
        return _summary(values, **summary)
    comp = conserved(system, blocks=family)
    m = comp.n_components
    if want <= m:
        return _summary(
            np.ones(want), n_unit=want, all_unit=m == n, cluster_cut=m - want, **summary
        )
    solver = _solvers.chebyshev if method == "chebyshev" else _solvers.lobpcg
    rest, _, ok, cut = solver(
        kernel, system.probs, comp.labels, comp.masses, want - m, vectors=False
    )
    values = np.concatenate([np.ones(m), rest])
    return _summary(values, n_unit=m, converged=ok, cluster_cut=cut, **summary)


@dataclass(frozen=True, repr=False)
class SlowModes(Result):
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
    cluster_cut : int
        As for :class:`Spectrum`: how many more modes share the last one's eigenvalue;
        the functions of a cut cluster are one choice among the rotations of its
        eigenspace.
    """

    eigenvalues: np.ndarray
    functions: np.ndarray = field(repr=False)
    probs: np.ndarray = field(metadata=show(len, name="support"))
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))
    cluster_cut: int = 0

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
        g = check_real_array(values, "values")
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


def slow_modes(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    top: int = 3,
    method: str = "auto",
    progress: bool | None = None,
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
    top = integer(top, "top", 1)
    method = _check_method(method)
    _check_progress(progress)
    with _solvers.progress(progress):
        return compute(system, family, top=top, method=method)


def slow_modes_on_support(system: System, family, *, top: int, method: str) -> SlowModes:
    """:func:`slow_modes` on a support system."""
    n = system.size
    if top > n - 1:
        raise InvalidInputError(f"top must be at most {n - 1} for a support of {n} states")
    method = _choose(method, n, top + 1)
    _check_memory(method, n, top + 1, vectors=True)
    kernel = _kernel.build(system, family)
    cut = 0
    if method == "dense":
        values, vectors, cut = _solvers.dense(kernel, system.probs, top, vectors=True, deflate=True)
    elif method == "lanczos":
        values, vectors = _solvers.lanczos(kernel, system.probs, top, vectors=True, deflate=True)
    else:
        # Only the constant is removed: one "component" holding every state.
        labels, masses = np.zeros(n, dtype=np.int64), np.ones(1)
        solver = _solvers.chebyshev if method == "chebyshev" else _solvers.lobpcg
        values, vectors, _, cut = solver(kernel, system.probs, labels, masses, top, vectors=True)
    _check_range(values)
    root = np.sqrt(system.probs)
    functions = vectors.T / root[None, :]
    norms = np.sqrt((functions**2) @ system.probs)
    functions /= norms[:, None]
    # Eigenvectors have no sign: make each mode's first clearly non-zero entry positive.
    big = np.abs(functions) > 1e-6 * np.abs(functions).max(axis=1, keepdims=True)
    first = np.argmax(big, axis=1)
    functions *= np.sign(functions[np.arange(top), first])[:, None]
    return SlowModes(
        eigenvalues=frozen(values),
        functions=frozen(functions),
        probs=system.probs,
        blocks=family,
        cluster_cut=int(cut),
    )


# -- internals ----------------------------------------------------------------------------


def _check_method(method: object) -> str:
    return choice(method, "method", METHODS)


def _check_memory(method: str, n: int, want: int, *, vectors: bool = False) -> None:
    """Refuse, before building anything, a solver whose matrices would not fit."""
    if method == "dense" or (method == "lanczos" and want >= n - 1):
        if n > FULL_MAX:
            raise TooLargeError(
                f"the dense eigensolver on a support of {n} states ({n * n * 8 / 2**30:.1f} GiB "
                f"and minutes of work; the limit is {FULL_MAX} states): use "
                "method='chebyshev' or 'auto' with top="
            )
        return
    # A block solver keeps a few blocks of `block_size` vectors of n entries (the block,
    # its image, residuals and search directions, and the filter's recurrence).
    width = (
        _solvers.block_size(want) if method in ("chebyshev", "lobpcg") else max(2 * want + 2, 32)
    )
    check_bytes(
        6 * width * n * 8,
        _kernel.MEMORY_BUDGET,
        f"top={want} eigenvalues of a support of {n} states by {method!r}",
        "ask for fewer with a smaller top=",
    )


def _check_progress(progress: object) -> None:
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, got {progress!r}")


def _choose(method: str, n: int, want: int) -> str:
    """The solver for ``want`` leading eigenvalues of an ``n``-state support."""
    if method != "auto":
        return method
    # LOBPCG needs a block well below n; where it would not have one, dense is cheaper.
    if n <= DENSE_MAX or (n <= FULL_MAX and 5 * _solvers.block_size(want) > n):
        return "dense"
    return "chebyshev"


def _summary(
    values: np.ndarray,
    *,
    complete: bool,
    size: int,
    family,
    method: str,
    n_unit: int | None = None,
    converged: bool = True,
    all_unit: bool = False,
    cluster_cut: int = 0,
) -> Spectrum:
    _check_range(values)
    values = np.minimum(values, 1.0)
    if n_unit is None:
        n_unit = int(np.sum(values >= 1.0 - UNIT_TOLERANCE))
    unit = np.arange(values.size) < n_unit
    values = frozen(np.where(unit, 1.0, values))
    below = values[~unit]
    if below.size:
        relaxation = 1.0 / (1.0 - float(below[0]))
    else:
        # inf when nothing relaxes (every eigenvalue is 1), nan when it is only unknown
        relaxation = math.inf if complete or all_unit else math.nan
    return Spectrum(
        eigenvalues=values,
        n_unit=int(n_unit),
        relaxation_time=relaxation,
        complete=complete,
        size=size,
        blocks=family,
        method=method,
        converged=converged,
        cluster_cut=int(cluster_cut),
    )


#: How far past [0, 1] an eigenvalue of the kernel may lie from rounding alone.
RANGE_TOLERANCE = 1e-9


def _check_range(values: np.ndarray) -> None:
    """Eigenvalues of a reversible resampling kernel (an average of projections in
    L²(P)) lie in [0, 1]; past rounding, a value outside is an internal error, raised
    rather than clipped."""
    bad = (values < -RANGE_TOLERANCE) | (values > 1.0 + RANGE_TOLERANCE)
    if np.any(bad):
        raise ArithmeticError(
            f"internal error: eigenvalues {values[bad].tolist()} lie outside [0, 1]; "
            "please report it with the system that gave them"
        )
