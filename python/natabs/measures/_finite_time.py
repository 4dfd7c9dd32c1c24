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
from ._long_time import (
    LARGE_T,
    _divergence_at_zero,
    _dense_pays,
    _propagation_work,
    _dense_work,
    _dense_information,
    _ends,
    _bounded,
    _dense_curve,
)

__all__ = ["Curve", "surviving_information"]

#: ``method="auto"`` runs exactly while the work (``starts x N x max(T) x blocks`` for
#: propagation; see ``_dense_work`` for the dense route) stays below this.
EXACT_WORK = 1e10
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
        check_bytes(
            samples * (len(np.unique(requested)) + 4) * 8,
            _kernel.MEMORY_BUDGET,
            f"samples={fmt_count(samples)} start states",
            "ask for fewer samples",
        )
    if progress is not None:  # None: a bar when the work would take more than a few seconds
        progress = check_bool(progress, "progress")
    return compute(
        system,
        requested,
        k=k,
        blocks=blocks,
        scan=scan,
        about=about,
        method=method,
        samples=samples,
        seed=seed,
        base=b,
        progress=progress,
    )


def on_support(
    system: System,
    requested: np.ndarray,
    *,
    k,
    blocks,
    scan: str,
    about,
    method: str,
    samples: int | None,
    seed,
    base: float,
    progress: bool | None,
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
        method = (
            "exact" if work <= EXACT_WORK or (few_starts and work <= REFUSE_WORK) else "sampled"
        )
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
        work = (
            _dense_work(n, run)
            if dense
            else _propagation_work(
                samples or DEFAULT_SAMPLES if method == "sampled" else n_starts, n, len(family), run
            )
        )
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
        blocks = [
            list(b) if isinstance(b, Iterable) and not isinstance(b, (str, bytes)) else b
            for b in blocks
        ]
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
