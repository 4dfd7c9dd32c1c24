"""Finite-time information: what ``T`` resampling steps leave of the start (THEORY §4).

Conserved information is zero as soon as noise has full support, so real systems are read
through

    I_T = I(X^0; X^T) = Σ_x P(x) KL(K^T(x, .) || P),

which starts at ``H(X)``, never increases, and tends to the conserved information. With
``about="name"`` that variable ``Λ`` is a hidden cause: the chain runs on the other
variables with ``Λ`` marginalised out, starts from ``P(X | Λ)``, and the curve is

    I(Λ; X^T) = Σ_λ P(λ) KL(P(. | λ) K^T || P)  <=  I(X^0; X^T).

Three routes compute the same numbers:

- *propagation* (exact): every start state's row ``K^T(x, .)`` is pushed through the
  fibres of each block in Rust, all requested ``T`` in one pass;
- *dense* (exact, small supports): powers of the dense kernel by shared repeated squaring
  (of the symmetrised kernel for random scan), when that is cheaper than propagation (a
  symmetric eigendecomposition costs about twenty products, so squaring wins below
  T ~ 2^20);
- *sampled*: start states ``x ~ P``, rows still propagated exactly, the mean of the
  divergences estimated with a standard error (stratified on the divergence at ``T = 0``,
  which is known for every start).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import blocks as _blocks
from .._results import Result, show
from .._validation import (
    check_base,
    check_bool,
    check_bytes,
    check_scan,
    check_seed,
    check_steps,
    choice,
    fmt_count,
    frozen,
    integer,
)
from ..engines import _kernel as _kernel
from ..errors import InvalidInputError, MethodSwitchWarning, TooLargeError
from ..systems._support import System
from ._dispatch import implementation

__all__ = ["Curve", "surviving_information"]

#: ``method="auto"`` runs exactly while the work (``starts x N x max(T) x blocks`` for
#: propagation; see ``_dense_work`` for the dense route) stays below this.
EXACT_WORK = 1e10
#: Largest support for the dense route (its matrices are N x N).
DENSE_MAX = 4096
#: Cost of one dense matrix product, per N^3, relative to one propagation element-step
#: (measured with OpenBLAS on two cores; only used to choose a route).
DENSE_COST = 0.05
#: Start states per native call, so a progress bar can advance (and Ctrl-C is heard).
CHUNK = 256
#: Sampled method: draws per stratum, and at most this many strata.
STRATUM_DRAWS = 25
MAX_STRATA = 64
#: Start states drawn by the sampled method unless ``samples=`` says otherwise.
DEFAULT_SAMPLES = 1000

METHODS = ("auto", "exact", "sampled")
#: ``progress=None`` shows a bar (when tqdm is installed) from this much work, in
#: propagation element-steps: a few seconds.
AUTO_BAR_WORK = 3e9
#: Times above this are never reached by repeated squaring of a dense kernel (whose
#: rounding drifts upward from about T = 2^20) nor by single steps: first the time from
#: which the chain is provably within ``LIMIT_TOL`` of its limit is found (from the
#: spectral gap); later times get the limit exactly, earlier ones the eigendecomposition
#: (random scan) or row-normalised squaring (systematic scan).
LARGE_T = 1 << 12
#: Nats within which a value replaced by its limit is guaranteed to be (per start state
#: mass, summed: ``N σ^{2T} <= LIMIT_TOL``; see ``_converged_from``).
LIMIT_TOL = 1e-13
#: Exact (or sampled) work, in propagation element-steps, refused up front: a quarter of
#: an hour or more on a laptop. The refusal names the work and what to ask instead.
REFUSE_WORK = 1e12


@dataclass(frozen=True, repr=False)
class Curve(Result):
    """Information left after ``T`` resampling steps, for each requested ``T``.

    Attributes
    ----------
    steps : numpy.ndarray
        The numbers of steps ``T``, in the order they were requested.
    bits : numpy.ndarray
        ``I(X^0; X^T)`` (or ``I(Λ; X^T)`` with ``about``), in units of ``base``.
    stderr : numpy.ndarray
        Standard error of each value; zeros when exact.
    method : str
        ``"exact"`` or ``"sampled"``.
    scan : str
        ``"random"`` or ``"systematic"``.
    about : str or None
        Name of the latent variable, when the curve is about one.
    base : float
        Logarithm base of ``bits``.
    blocks : tuple of tuple of int
        The block family, as indices of the variables the chain runs on.
    """

    steps: np.ndarray
    bits: np.ndarray
    stderr: np.ndarray = field(metadata=show(unless=lambda e: not np.any(e)))
    method: str
    scan: str
    about: str | None = field(metadata=show(unless=None))
    base: float = field(metadata=show(unless=2))
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))


def surviving_information(
    system: System,
    steps: Iterable[int],
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    scan: str = "random",
    about: int | str | None = None,
    method: str = "auto",
    samples: int | None = None,
    seed: int | None = None,
    base: float = 2,
    progress: bool | None = None,
) -> Curve:
    """Mutual information between the start and the state after ``T`` resampling steps.

    ``I_T = I(X^0; X^T)`` with ``X^0 ~ P`` and ``T`` steps of the block-resampling chain
    (THEORY §4). Give exactly one of ``k`` (every subset of ``k`` variables) or ``blocks``.

    Parameters
    ----------
    system : System
        The joint law.
    steps : iterable of int
        Numbers of steps ``T >= 0``, in any order (repeats allowed); ``bits[i]`` belongs
        to ``steps[i]``. One pass computes them all.
    k, blocks
        The block family; with ``about`` it refers to the *observed* variables: ``k``
        counts them, and blocks are best given by name (indices count positions among the
        observed variables, i.e. with the latent removed). No block may contain the latent.
    scan : {"random", "systematic"}
        A step draws one block uniformly at random, or makes one pass over the blocks in
        the given order.
    about : str or int, optional
        A latent variable ``Λ``: return ``I(Λ; X^T)`` for the chain on the other variables,
        with ``Λ`` marginalised out and ``X^0 ~ P(X | Λ)``.
    method : {"auto", "exact", "sampled"}
        ``"auto"`` runs exactly while the cheaper exact route's work (start states x
        support x max(T) x blocks for propagation) stays under ``EXACT_WORK``, and
        samples otherwise, saying so with a one-line
        :class:`~natabs.errors.MethodSwitchWarning` (naming the work and how to force
        either method). Work over ``REFUSE_WORK`` is refused up front
        (:class:`~natabs.errors.TooLargeError`).

        Large ``T`` is computed in closed form, never step by step nor by drifting
        repeated squaring: from the spectral gap a time ``T*`` is found past which the
        value is its limit (the conserved information ``R``, or ``I(Λ; C)``) within
        ``LIMIT_TOL``; those times get the limit, earlier ones the eigendecomposition
        of the kernel (or row-normalised squaring for systematic scan). Every value
        lies within ``[limit, I_0]``, ``I_0 = H(X)`` (or ``I(Λ; X)``).
    samples : int, optional
        Start states (or latent values) drawn by the sampled method (default 1000).
    seed : int, optional
        Seed of the sampled method's draws.
    base : float
        Logarithm base (2: bits).
    progress : bool or None
        A progress bar: always (``True``, needs ``tqdm``: ``pip install
        natabs[progress]``), never (``False``), or by default (``None``) when the work
        takes more than a few seconds and tqdm is installed.

    Returns
    -------
    Curve

    Examples
    --------
    >>> import natabs as na
    >>> na.surviving_information(na.systems.copies(3), steps=[0, 1, 100], k=1)
    Curve(steps=[0, 1, 100], bits=[1, 1, 1], method='exact', scan='random', blocks='3 blocks of size 1')
    >>> s = na.systems.noisy_copies(6, 0.1)
    >>> c = na.surviving_information(s, steps=[0, 10, 100], k=1)
    >>> [round(float(b), 4) for b in c.bits]  # starts at H(X), the majority lingers
    [3.7891, 0.8623, 0.1317]
    >>> latent = na.systems.noisy_copies(6, 0.1, latent=True)
    >>> na.surviving_information(latent, steps=[0, 10, 100], k=1, about="source")
    Curve(steps=[0, 10, 100], bits=[0.97517, 0.739635, 0.127455], method='exact', scan='random', about='source', blocks='6 blocks of size 1')
    """
    compute = implementation(system, "surviving_information")
    requested = _check_steps(steps)
    scan = check_scan(scan)
    b = check_base(base)
    method = choice(method, "method", METHODS)
    seed = check_seed(seed)
    if samples is not None:
        samples = integer(samples, "samples", 1)
        if method == "exact":
            raise InvalidInputError("samples= only applies to method='sampled' or 'auto'")
        # the draws, their divergence rows (one per requested time) and the strata
        check_bytes(samples * (len(np.unique(requested)) + 4) * 8, _kernel.MEMORY_BUDGET,
                    f"samples={fmt_count(samples)} start states", "ask for fewer samples")
    if progress is not None:  # None: a bar when the work would take more than a few seconds
        progress = check_bool(progress, "progress")
    return compute(
        system, requested, k=k, blocks=blocks, scan=scan, about=about, method=method,
        samples=samples, seed=seed, base=b, progress=progress,
    )


def on_support(
    system: System, requested: np.ndarray, *, k, blocks, scan: str, about, method: str,
    samples: int | None, seed, base: float, progress: bool | None,
) -> Curve:
    """:func:`surviving_information` on a support system (exact, dense, or sampled routes)."""
    b = base
    make_bar = _tqdm() if progress else None  # fails early when tqdm is missing
    asked = method

    if about is None:
        chain_on, laws, weights, name = system, None, system.probs, None
    else:
        chain_on, laws, weights, name = _condition_on(system, about)
    family = _resolve_observed(chain_on, k, blocks, name)
    kernel = _kernel.build(chain_on, family)

    times = np.unique(requested)  # sorted, distinct: what the engine runs
    start, limit, t_conv = _ends(chain_on, family, kernel, laws, weights, scan, times)
    # Times at or past convergence are the limit itself; the engines see only the rest.
    run = times[(times > 0) & (times < t_conv)]
    n_starts = len(weights)
    n = chain_on.size
    dense = run.size > 0 and _dense_pays(n, len(family), run, n_starts)
    if method == "auto":
        work = _dense_work(n, run) if dense else _propagation_work(n_starts, n, len(family), run)
        few_starts = n_starts <= (samples or DEFAULT_SAMPLES)  # sampling would cost more
        method = "exact" if work <= EXACT_WORK or (few_starts and work <= REFUSE_WORK) else "sampled"
    if asked == "auto" and method == "sampled" and not run.size:
        method = "exact"  # nothing to sample: every value is the start or the limit
    if method == "sampled":
        _refuse(samples or DEFAULT_SAMPLES, n, len(family), run, "sampled")
    elif not dense:
        _refuse(n_starts, n, len(family), run, "exact")
    if asked == "auto" and method == "sampled":
        exact_work = _propagation_work(n_starts, n, len(family), run)
        warnings.warn(
            f"surviving_information: sampling {samples or DEFAULT_SAMPLES} start states "
            f"instead of the exact sum over {n_starts} ({exact_work:.1e} element-steps, "
            f"over EXACT_WORK = {EXACT_WORK:.0e}); method='exact' forces the exact value, "
            "method='sampled' the estimate without this notice",
            MethodSwitchWarning,
            stacklevel=3,
        )
    if progress is None:  # auto: a bar where the work takes more than a few seconds
        work = (_dense_work(n, run) if dense else _propagation_work(
            samples or DEFAULT_SAMPLES if method == "sampled" else n_starts, n, len(family), run))
        if work >= AUTO_BAR_WORK:
            try:
                make_bar = _tqdm()
            except ImportError:
                make_bar = None
    bar = make_bar(total=0, unit="start", desc="surviving information") if make_bar else None

    nats = np.empty(len(times))
    err = np.zeros(len(times))
    nats[times == 0] = start
    nats[times >= t_conv] = limit
    if run.size:
        where = np.isin(times, run)
        if method == "exact":
            if dense:
                got = _dense_curve(kernel, chain_on.probs, laws, weights, run, scan, bar)
            else:
                got = _exact(kernel, chain_on.probs, laws, weights, run, scan, bar)
            nats[where] = got
        else:
            draws = samples or DEFAULT_SAMPLES
            got, e = _sampled(kernel, laws, weights, run, scan, draws, seed, bar)
            nats[where], err[where] = got, e
    if bar is not None:
        bar.close()
    nats = _bounded(nats, start, limit, exact=method == "exact")

    at = np.searchsorted(times, requested)
    unit = math.log(b)
    return Curve(
        steps=_frozen(requested),
        bits=_frozen(nats[at] / unit),
        stderr=_frozen(err[at] / unit),
        method=method,
        scan=scan,
        about=name,
        base=b,
        blocks=family,
    )


# -- the three routes ---------------------------------------------------------------------


def _exact(kernel, probs, laws, weights, times, scan, bar) -> np.ndarray:
    """Σ_start weight · KL(start K^T || P) in nats, over every start."""
    n = len(probs)
    if laws is None and times[-1] <= LARGE_T and _dense_pays(n, kernel.n_blocks, times):
        if bar is not None:
            bar.total = 1
        if scan == "random":
            sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
            out = _dense_information(sym, probs, times, symmetrised=True)
        else:
            kt1 = kernel.dense(scan, _kernel.MEMORY_BUDGET)
            out = _dense_information(kt1, probs, times, symmetrised=False)
        if bar is not None:
            bar.update(1)
        return out
    if bar is not None:
        bar.total = len(weights)
    total = np.zeros(len(times))
    for first in range(0, len(weights), CHUNK):
        last = min(first + CHUNK, len(weights))
        kl = _kl(kernel, laws, np.arange(first, last), times, scan)
        total += weights[first:last] @ kl
        if bar is not None:
            bar.update(last - first)
    return total


def _kl(kernel, laws, starts: np.ndarray, times: np.ndarray, scan: str) -> np.ndarray:
    """KL(start K^T || P) in nats, shape (len(starts), len(times))."""
    t = times.astype(np.uint64)
    if laws is None:
        return kernel.kl_from_starts(starts.astype(np.uint32), t, scan, _kernel.MEMORY_BUDGET)
    return kernel.kl_from_laws(np.ascontiguousarray(laws[starts]), t, scan, _kernel.MEMORY_BUDGET)


def _sampled(kernel, laws, weights, times, scan, samples, seed, bar):
    """Mean of KL(start K^T || P) over starts ``x ~ weights``, with its standard error.

    Stratified sampling: starts are sorted by their divergence at ``T = 0`` (``-ln P(x)``,
    or ``KL(P(.|λ) || P)``), which is known for every start and tracks the divergence at
    short times, and cut into strata of equal mass; each stratum gets the same number of
    draws. The estimate is unbiased and its standard error honest even though the
    divergences are heavily skewed (rare starts diverge most), where a regression on the
    same control understates the error.
    """
    rng = np.random.default_rng(seed)
    p = weights / weights.sum()
    at_zero = _divergence_at_zero(kernel, laws, weights)
    order = np.argsort(at_zero, kind="stable")
    n_strata = max(1, min(samples // STRATUM_DRAWS, MAX_STRATA))
    # Stratum h holds the starts whose cumulative mass (in `order`) falls in [h/H, (h+1)/H),
    # with every cut moved back to the start of its run of equal divergences: starts that
    # symmetry makes equivalent stay in one stratum, and a stratum of equivalent starts
    # has no sampling error at all.
    cum = np.cumsum(p[order])
    key = np.round(at_zero[order], 9)
    edges = np.searchsorted(cum, np.arange(1, n_strata) / n_strata, side="right")
    edges = np.searchsorted(key, key[np.minimum(edges, len(order) - 1)], side="left")
    bounds = np.unique(np.concatenate([[0], edges, [len(order)]]))
    n_strata = len(bounds) - 1
    per = np.full(n_strata, samples // n_strata)
    per[: samples - per.sum()] += 1
    strata, draws = [], []
    for h in range(n_strata):
        members = order[bounds[h] : bounds[h + 1]]
        if len(members) == 0:
            continue
        mass = p[members].sum()
        strata.append((mass, len(draws), per[h]))
        draws.extend(rng.choice(members, size=per[h], p=p[members] / mass))
    draws = np.asarray(draws)
    starts, inverse = np.unique(draws, return_inverse=True)
    if bar is not None:
        bar.total = len(starts)
    rows = []
    for first in range(0, len(starts), CHUNK):
        chunk = starts[first : first + CHUNK]
        rows.append(_kl(kernel, laws, chunk, times, scan))
        if bar is not None:
            bar.update(len(chunk))
    kl = np.vstack(rows)[inverse.ravel()]  # one row per draw
    mean = np.zeros(len(times))
    var = np.zeros(len(times))
    total = sum(m for m, _, _ in strata)
    for mass, first, count in strata:
        values = kl[first : first + count]
        w = mass / total
        mean += w * values.mean(axis=0)
        if count > 1:
            var += w**2 * values.var(axis=0, ddof=1) / count
    zero = times == 0  # known exactly: H(X), or I(Λ; X)
    mean[zero], var[zero] = p @ at_zero, 0.0
    return mean, np.sqrt(var)


def _divergence_at_zero(kernel, laws, weights) -> np.ndarray:
    """KL(start || P) in nats for every start: ``-ln P(x)``, or ``KL(P(.|λ) || P)``."""
    if laws is None:
        return -np.log(weights)
    p = laws.T @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(laws > 0, laws * np.log(laws / p), 0.0)
    return terms.sum(axis=1)


def _dense_pays(n: int, n_blocks: int, times: np.ndarray, n_starts: int | None = None) -> bool:
    """Whether the dense route fits in memory and is cheaper than propagation."""
    if n > DENSE_MAX or n_blocks == 0 or times[-1] == 0:
        return False
    if (min(int(times[-1]).bit_length(), 64) + 3) * n * n * 8 > _kernel.MEMORY_BUDGET:
        return False
    starts = n if n_starts is None else n_starts
    return _dense_work(n, times) < _propagation_work(starts, n, n_blocks, times)


def _propagation_work(n_starts: int, n: int, n_blocks: int, times: np.ndarray) -> float:
    if not len(times):
        return 0.0
    return float(n_starts) * n * max(int(times[-1]), 1) * max(n_blocks, 1)


def _dense_work(n: int, times: np.ndarray) -> float:
    """Matrix products of the shared squaring in ``_dense_information``, in propagation units."""
    if not len(times):
        return 0.0
    top = int(times[-1])
    if top > LARGE_T:  # one eigendecomposition (~20 products) and one product per time
        return DENSE_COST * float(n) ** 3 * (20 + 2 * len(times))
    products = max(top.bit_length() - 1, 0) + sum(max(bin(int(t)).count("1") - 1, 0) for t in times)
    return DENSE_COST * float(n) ** 3 * max(products, 1)


def _dense_information(
    base: np.ndarray, probs: np.ndarray, times: np.ndarray, *, symmetrised: bool
) -> np.ndarray:
    """Σ_x P(x) KL(K^T(x, .) || P) in nats from the dense one-step kernel ``base``: ``K``,
    or for a reversible kernel ``S = D^{1/2} K D^{-1/2}`` (``symmetrised``).

    Every power is a product of shared squares ``base^(2^j)``, so a list of times costs
    about as much as its largest one.
    """
    root = np.sqrt(probs)
    entropy = float(-probs @ np.log(probs))
    squares = [base]
    out = np.empty(len(times))
    for i, t in enumerate(int(t) for t in times):
        if t == 0:
            out[i] = entropy
            continue
        power = None
        for j in range(t.bit_length()):
            while len(squares) <= j:
                squares.append(squares[-1] @ squares[-1])
            if t >> j & 1:
                power = squares[j] if power is None else power @ squares[j]
        if symmetrised:
            from scipy.special import (
                xlogy,  # here, not at import: scipy.special is slow to load
            )

            # K^T(x, y) = S^T(x, y) √P(y) / √P(x) and S^T √P = √P give
            # I_T = √P' [S^T log S^T] √P + H(X): one pass over the matrix, no rescaling.
            out[i] = float(root @ xlogy(power, power) @ root) + entropy
        else:
            out[i] = _mean_kl(power, probs)
    return out


def _mean_kl(kt: np.ndarray, probs: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(kt > 0, kt * np.log(kt / probs[None, :]), 0.0)
    return float(probs @ terms.sum(axis=1))


def _ends(chain_on: System, family, kernel, laws, weights, scan, times):
    """``(I_0, I_∞, T*)`` in nats: the value at ``T = 0``, the limit, and a time from which
    every value is the limit within ``LIMIT_TOL`` (``inf`` when none is known or needed).

    ``I_0`` is ``H(X)`` (or ``I(Λ; X)``), ``I_∞`` the information in the component of
    the move graph (the conserved information ``R``, or ``I(Λ; C)``). From the L²(P)
    norm ``σ`` of the kernel on the functions orthogonal to the components,
    ``χ²(K^T(x, .) || P(. | c(x))) <= (1/P(x | c) - 1) σ^{2T}``, so
    ``0 <= I_T - I_∞ <= N σ^{2T}`` (for ``I(Λ; X^T)`` too, by data processing given the
    component). For random scan ``σ = λ₂``, the largest eigenvalue below the unit ones;
    for a systematic pass over ``m`` blocks (a product of the blocks' conditional
    expectations) ``σ² <= 1 - 2 (1 - λ₂) / (m + 1)``.
    """
    probs = chain_on.probs
    start = float(_divergence_at_zero(None, laws, weights) @ weights) if laws is not None else (
        float(-probs @ np.log(probs))
    )
    if kernel.n_blocks == 0:
        return start, start, 1  # nothing moves: every T is T = 0
    if times[-1] <= LARGE_T:
        return start, math.nan, math.inf
    from ._conserved import conserved

    comp = conserved(chain_on, blocks=family)
    labels, masses = np.asarray(comp.labels), np.asarray(comp.masses, dtype=np.float64)
    if laws is None:
        limit = max(float(-masses @ np.log(masses)), 0.0)
    else:
        by_comp = np.zeros((laws.shape[0], len(masses)))
        np.add.at(by_comp.T, labels, laws.T)  # P(c | λ)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(by_comp > 0, by_comp * np.log(by_comp / masses[None, :]), 0.0)
        limit = min(max(float(weights @ terms.sum(axis=1)), 0.0), start)
    lam2 = _second_eigenvalue(kernel, probs, labels, masses)
    if lam2 is None:
        return start, limit, math.inf
    if scan == "random":
        sigma2 = lam2 * lam2
    else:
        sigma2 = 1.0 - 2.0 * (1.0 - lam2) / (kernel.n_blocks + 1)
    if sigma2 <= 0.0:
        return start, limit, 1
    if sigma2 >= 1.0:
        return start, limit, math.inf
    t_conv = math.log(len(probs) / LIMIT_TOL) / -math.log(sigma2)
    return start, limit, (math.ceil(t_conv) if t_conv < 2.0**63 else math.inf)


def _second_eigenvalue(kernel, probs, labels, masses) -> float | None:
    """An upper bound on the largest eigenvalue of the random-scan kernel below its unit
    eigenvalues (0 when every state is its own component); None when unknown."""
    import warnings

    from ..engines import _eigensolvers as solvers

    n, m = len(probs), len(masses)
    if m >= n:
        return 0.0
    if n <= DENSE_MAX:
        sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        lam = np.linalg.eigvalsh(sym)[::-1]
        # Rounding of the m unit eigenvalues is of order n ε; the next one is below them.
        return float(min(max(lam[m], 0.0) + 1e-12, 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            with solvers.progress(False):
                lam, _, ok, _ = solvers.chebyshev(kernel, probs, labels, masses, 1, vectors=False)
        except TooLargeError:
            return None
    if not ok:
        return None
    # A converged Ritz value is within RESIDUAL_TOL of an eigenvalue.
    return float(min(max(lam[0], 0.0) + solvers.RESIDUAL_TOL, 1.0))


def _refuse(n_starts: int, n: int, n_blocks: int, run: np.ndarray, method: str) -> None:
    if not run.size:
        return
    work = _propagation_work(n_starts, n, n_blocks, run)
    if work > REFUSE_WORK:
        raise TooLargeError(
            f"the {method} route would push {n_starts} start laws over {n} states through "
            f"{int(run[-1])} steps of {n_blocks} blocks ({work:.1e} element-steps, the "
            f"limit is {REFUSE_WORK:.0e}), and the chain is not known to have converged "
            "by then; ask for fewer steps, or fewer samples="
        )


def _bounded(nats: np.ndarray, start: float, limit: float, *, exact: bool) -> np.ndarray:
    """Every value within ``[I_∞, I_0]`` (``[0, H]`` where the limit is not computed).

    Exact values outside by more than rounding are an internal error (raised, never
    returned); estimates are clipped into the range of the quantity.
    """
    low = limit if math.isfinite(limit) else 0.0
    slack = 1e-9 * max(1.0, start)
    if exact and (np.any(nats < low - slack) or np.any(nats > start + slack)):
        raise ArithmeticError(
            f"internal error: surviving information {nats.tolist()} nats outside "
            f"[{low}, {start}]; please report this with the system and arguments"
        )
    return np.clip(nats, low, start)


def _dense_curve(kernel, probs, laws, weights, times, scan, bar) -> np.ndarray:
    """The dense route: exact values from ``K^T`` for every time (``0 < T < T*``)."""
    if bar is not None:
        bar.total = 1
    if laws is None and int(times[-1]) <= LARGE_T:
        if scan == "random":
            sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
            out = _dense_information(sym, probs, times, symmetrised=True)
        else:
            kt1 = kernel.dense(scan, _kernel.MEMORY_BUDGET)
            out = _dense_information(kt1, probs, times, symmetrised=False)
    else:
        out = np.array([
            _mean_kl(kt, probs) if laws is None else _laws_kl(laws @ kt, weights, probs)
            for kt in _dense_powers(kernel, probs, times, scan)
        ])
    if bar is not None:
        bar.update(1)
    return out


def _dense_powers(kernel, probs, times, scan):
    """``K^T`` for each time, stable for every ``T < 2^63``: the eigendecomposition of the
    symmetrised kernel (random scan), or squaring with every square put back on the
    stochastic matrices (rows non-negative, summing to 1: spectral radius exactly 1, so
    rounding cannot grow)."""
    root = np.sqrt(probs)
    if scan == "random":
        sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        lam, u = np.linalg.eigh(sym)
        lam = np.clip(lam, 0.0, 1.0)
        for t in times:
            with np.errstate(under="ignore"):
                st = (u * lam ** float(t)) @ u.T
            yield _stochastic(st * root[None, :] / root[:, None])
        return
    squares = [_stochastic(kernel.dense(scan, _kernel.MEMORY_BUDGET))]
    for t in (int(t) for t in times):
        power = None
        for j in range(t.bit_length()):
            while len(squares) <= j:
                squares.append(_stochastic(squares[-1] @ squares[-1]))
            if t >> j & 1:
                power = squares[j] if power is None else _stochastic(power @ squares[j])
        yield power


def _stochastic(k: np.ndarray) -> np.ndarray:
    np.maximum(k, 0.0, out=k)
    k /= k.sum(axis=1, keepdims=True)
    return k


def _laws_kl(mu: np.ndarray, weights: np.ndarray, probs: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(mu > 0, mu * np.log(mu / probs[None, :]), 0.0)
    return float(weights @ terms.sum(axis=1))


# -- inputs -------------------------------------------------------------------------------


def _condition_on(system: System, about: Any):
    """The observed system (latent marginalised out), P(X | λ) per row, and P(λ)."""
    j = system.index(about)
    name = system.names[j]
    rest = [i for i in range(system.n) if i != j]
    if not rest:
        raise InvalidInputError(
            f"about={about!r} leaves no observed variable: the system has only that one"
        )
    states = system.states
    observed, where = np.unique(states[:, rest], axis=0, return_inverse=True)
    values, which = np.unique(states[:, j], return_inverse=True)
    if len(values) * len(observed) * 8 > _kernel.MEMORY_BUDGET:
        raise TooLargeError(
            f"the start laws P(X | {name}) for {len(values)} values over {len(observed)} states"
        )
    joint = np.zeros((len(values), len(observed)))
    np.add.at(joint, (which.ravel(), where.ravel()), system.probs)
    weights = joint.sum(axis=1)
    marginal = System(
        observed,
        joint.sum(axis=0),
        [system.cards[i] for i in rest],
        [system.names[i] for i in rest],
        normalize=True,
    )
    return marginal, joint / weights[:, None], weights / weights.sum(), name


def _resolve_observed(observed: System, k, blocks, latent: str | None):
    if latent is not None and blocks is not None and not isinstance(blocks, (str, bytes)):
        blocks = [list(b) if isinstance(b, Iterable) and not isinstance(b, (str, bytes)) else b
                  for b in blocks]
        for j, b in enumerate(blocks):
            if isinstance(b, list) and latent in b:
                raise InvalidInputError(
                    f"block {j} contains the latent {latent!r}; with about= the chain runs "
                    "on the observed variables only"
                )
    return _blocks.resolve(observed, k, blocks)


def _check_steps(steps: Any) -> np.ndarray:
    return check_steps(steps, "steps")


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm; install it with `pip install natabs[progress]` "
            "or `pip install tqdm`"
        ) from None
    return tqdm


def _frozen(a: np.ndarray) -> np.ndarray:
    return frozen(a)
