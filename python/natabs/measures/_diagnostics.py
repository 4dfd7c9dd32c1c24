"""Convergence diagnostics of sampled chains: split-R̂, nested R̂ over time, effective sample
size, and the integrated autocorrelation time of a recorded statistic.

See :func:`diagnose` for what each number tests and which regime of the literature it
belongs to (few long chains: Vehtari et al. 2021; many short chains: Margossian et al. 2024).

Examples
--------
>>> import numpy as np
>>> from natabs.sampling import diagnose
>>> rng = np.random.default_rng(0)
>>> d = diagnose(rng.normal(size=(20, 200)), sweeps=range(20))   # 20 sweeps, 200 chains
>>> bool(d.mixed), round(d.rhat, 2), round(d.tau, 1)
(True, 1.0, 1.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.fft import irfft, next_fast_len, rfft
from scipy.special import ndtri
from scipy.stats import rankdata

from .._results import Result
from .._validation import check_array, check_nonneg_int, check_sequence, integer
from ..errors import InvalidInputError, NotMixedWarning

__all__ = ["NESTED_RHAT_LIMIT", "RHAT_LIMIT", "ChainDiagnostics", "diagnose"]

#: Split-R̂ above this means the chains have not mixed, where split-R̂ is a test of mixing:
#: chains long against their own autocorrelation time (:data:`LONG_CHAINS`). The classic
#: limit (Gelman et al., *Bayesian Data Analysis*, 3rd ed., 2013, section 11.5); stationary
#: chains of ``50 τ`` draws read about ``sqrt(1 + 2 / 25) = 1.04`` at most, so the stricter
#: 1.01 of Vehtari et al. (2021) would raise false alarms there.
RHAT_LIMIT = 1.1
#: Nested R̂ over the two halves of the recorded sweeps above this (and a drift beyond
#: chance, see :func:`diagnose`) means the ensemble is not stationary. The threshold
#: ``1 + δ`` with ``δ = 0.01`` of Margossian et al. (2024).
NESTED_RHAT_LIMIT = 1.01
#: Split-R̂ judges mixing only when chains have at least this many autocorrelation times.
LONG_CHAINS = 50
#: R-hats are computed over evenly spaced chains holding at most this many values (or 64
#: chains, if more).
MAX_RANKED_VALUES = 1 << 20
#: A drift is beyond chance when its z-score (over independent chains) exceeds this: a
#: two-sided test at level 0.1%, so that stationary runs are flagged in about 1 of 1000.
DRIFT_Z = 3.29


@dataclass(frozen=True, repr=False)
class ChainDiagnostics(Result):
    """Mixing of a statistic recorded over sweeps of many independent chains.

    Attributes
    ----------
    sweeps : tuple of int
        The recorded sweeps used as draws (counted after ``burn_in``).
    chains : int
    rhat : float
        Rank-normalised split-R̂ (bulk and folded, Vehtari et al. 2021), at least
        ``sqrt(1 - 1 / h)`` with ``h = len(sweeps) // 2`` (its variance estimate is never
        below ``(h - 1) / h`` times the within-chain one), near 1 or above; ``inf`` when every
        chain is frozen (``nan`` with fewer than 4 sweeps, when the statistic never varies, or
        without ``arviz-stats``: ``pip install "natabs[diagnostics]"``).
        For stationary chains it is about ``sqrt(1 + 2 τ / len(sweeps))``: large on short
        healthy runs, so it judges mixing only for chains long against ``τ``.
    nrhat : float
        Nested R̂ (Margossian et al. 2024) with the first and the second half of the recorded
        sweeps as the two superchains, each over all chains, on rank-normalised and folded
        values (the larger; over evenly spaced chains holding at most 2^20 values, as
        ``rhat``):
        ``>= 1``, near 1 when the distribution of the statistic across
        chains does not change over the sweeps (``nan`` with fewer than 2 sweeps or a
        constant statistic).
    ess : float
        Effective sample size of the mean of the statistic over all chains and recorded
        sweeps: ``chains * len(sweeps) / τ_draws``, with ``τ_draws`` the integrated
        autocorrelation time in recorded draws (below). ``0 < ess <=
        chains * len(sweeps) * log10(chains * len(sweeps))``: it exceeds the number of
        draws for antithetic chains (negative autocorrelation, ``τ_draws < 1``); the
        upper bound is the cap of Stan and ArviZ.
    tau : float
        Integrated autocorrelation time ``1 + 2 Σ_t ρ(t)`` of the recorded sequence, in
        sweeps: ``τ_draws`` times the spacing of the recorded sweeps (``nan`` when they are
        not evenly spaced). ``ρ(t)`` is the autocorrelation at lag ``t`` draws, estimated
        over all chains around the ensemble mean (unbiased for a stationary ensemble of
        short chains, where each chain's own mean is not), and summed with Geyer's (1992)
        initial monotone sequence. With spacing ``Δ`` this is the time of the chain seen
        every ``Δ`` sweeps: it approaches the per-sweep time when ``Δ`` is small against
        it, and is about ``Δ`` (one draw) when the draws are nearly independent, so it is
        resolved only to the spacing. Below ``Δ`` means antithetic draws (allowed).
    resolved : bool
        Whether the autocorrelation fell to noise within the run; if not, ``tau`` is a
        lower bound (the run is shorter than the time it measures).
    frozen : float
        Fraction of chains whose statistic took one value at every recorded sweep.
    mixed : bool
        ``False`` when every chain is frozen while chains disagree (each keeps its start's
        value), when the ensemble drifts (``nrhat > NESTED_RHAT_LIMIT`` beyond chance), or
        when chains are long against ``τ`` and ``rhat > RHAT_LIMIT``.
    burn_in : int
        Sweeps run before sweep 0 (as given to :func:`natabs.sample`; 0 if unknown).

    Examples
    --------
    >>> import numpy as np
    >>> from natabs.sampling import diagnose
    >>> start = np.random.default_rng(1).integers(0, 2, 500)
    >>> stuck = np.tile(start, (6, 1))          # every chain keeps its start's sign
    >>> d = diagnose(stuck, sweeps=[0, 1, 2, 4, 8, 16])
    >>> d.mixed, d.frozen
    (False, 1.0)
    """

    sweeps: tuple[int, ...]
    chains: int
    rhat: float
    ess: float
    tau: float
    frozen: float
    mixed: bool
    nrhat: float = math.nan
    resolved: bool = True
    burn_in: int = 0

    def advice(self, what: str = "the statistic") -> str:
        """A sentence saying what went wrong and what to do ('' when mixed)."""
        if self.mixed:
            return ""
        span = f"sweeps {self.sweeps[0]}..{self.sweeps[-1]}"
        if self.burn_in:
            span += f" (after a burn-in of {self.burn_in} sweeps)"
        if self.frozen == 1.0:
            head = (
                f"no chain changed {what} over {span}: every chain keeps its start's "
                f"value, so the numbers describe the initial states, not the law (right "
                f"only if the starts are draws of the law and {what} is meant to be "
                f"kept, like the sign of an ordered Ising lattice)"
            )
        elif _drifts(self.nrhat):
            head = (
                f"the distribution of {what} across chains changed over {span} (nested "
                f"R-hat of its two halves = {self.nrhat:.3g} > {NESTED_RHAT_LIMIT}): the "
                f"chains have not forgotten where they started, so the early sweeps "
                f"are not draws of the law"
            )
        else:
            head = (
                f"the chains have not mixed over {span} (split-R-hat = {self.rhat:.3g} > "
                f"{RHAT_LIMIT} on chains long against their autocorrelation time "
                f"{self.tau:.3g} sweeps: they disagree with each other)"
            )
        return (
            f"{head}. Otherwise run longer (larger sweeps, or a larger burn_in before "
            f"sweep 0), start from exact draws of the law (init=, see natabs.sample), or "
            f"use blocks that move {what} (larger k or connected blocks)"
        )


def diagnose(values: Any, sweeps: Sequence[int], burn_in: int = 0) -> ChainDiagnostics:
    """Split-R̂, nested R̂, effective sample size and autocorrelation time of a statistic.

    Many short chains are judged by whether their ensemble is stationary over the recorded
    sweeps (nested R̂ of the two halves), not by whether each chain explored the law: see
    the Notes.

    Parameters
    ----------
    values : array_like
        The statistic at each recorded sweep (rows) of each chain (columns), shape
        ``(len(sweeps), chains)``, as in
        :attr:`natabs.SampleRun.values`. Labels (codes, majorities) are diagnosed through
        their ranks (R̂) or as numbers (ESS).
    sweeps : sequence of int
        The recorded sweeps, increasing.
    burn_in : int
        Sweeps run before sweep 0, to be named in the advice.

    Returns
    -------
    ChainDiagnostics

    Notes
    -----
    A run of :func:`natabs.sample` is many independent chains read at a few sweeps each. Two
    regimes of the literature meet there:

    - *Few long chains* (Gelman and Rubin 1992; Vehtari, Gelman, Simpson, Carpenter and Bürkner,
      "Rank-normalization, folding, and localization: an improved R̂", *Bayesian Analysis* 16
      (2021) 667–718): each chain should explore the whole law, and split-R̂ compares chains
      with each other. For stationary chains of length ``N`` split-R̂ exceeds 1 by about
      ``τ / N`` (``τ`` the autocorrelation time), so it is only a test of mixing when every
      chain is long against its own ``τ``.
    - *Many short chains* (Margossian, Hoffman, Sountsov, Riou-Durand, Vehtari and Gelman,
      "Nested R̂: assessing the convergence of Markov chain Monte Carlo when running many short
      chains", *Bayesian Analysis* (2024), doi:10.1214/24-BA1453): each chain is too short to
      explore the law, and that is no fault; what matters is that the chains have forgotten the
      *distribution* they started from, so that the ensemble at each sweep is a draw of the law.
      Split-R̂ then reads ``1.5``–``2`` on healthy runs (``τ / N`` is not small), while a nested
      R̂ whose groups average over many chains tests what matters.

    This function reports split-R̂ (ArviZ's ``arviz-stats``, rank-normalised, bulk and folded)
    and a nested R̂ whose two groups ("superchains") are the first and the second half of the
    recorded sweeps over all chains: it is near 1 when the ensemble is stationary, whatever
    ``τ / N``, and above 1 when the distribution of the statistic drifts, as it does while the
    starts are being forgotten. A run is judged not mixed when (a) every chain kept one value
    while chains differ, (b) the ensemble drifts (nested R̂ above :data:`NESTED_RHAT_LIMIT` and
    the drift beyond chance), or (c) the chains are long against their own autocorrelation time
    (``N >= 50 τ``, the few-long-chains regime) and split-R̂ is above :data:`RHAT_LIMIT`.

    Examples
    --------
    >>> import numpy as np
    >>> from natabs.sampling import diagnose
    >>> rng = np.random.default_rng(2)
    >>> x = np.cumsum(rng.normal(size=(50, 100)), axis=0)  # random walks from 0: drift
    >>> d = diagnose(x, sweeps=range(50))
    >>> d.mixed, round(d.nrhat, 2)   # the spread grows: the halves differ
    (False, 1.08)
    """
    sweeps_t = tuple(
        check_nonneg_int(s, "each sweep") for s in check_sequence(sweeps, "sweeps", what="integers")
    )
    x = check_array(values, "values")
    if x.dtype.kind not in "biuf" and x.size:  # labels of any kind: their codes
        x = np.unique(x, return_inverse=True)[1].reshape(x.shape)
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise InvalidInputError("values must be finite")
    if x.ndim != 2 or x.shape[0] != len(sweeps_t):
        raise InvalidInputError(
            f"values must have shape (len(sweeps), chains) = "
            f"({len(sweeps_t)}, chains), got {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise InvalidInputError("values must be finite numbers (no nan or inf)")
    draws, chains = x.shape
    frozen = float(np.mean(np.all(x == x[:1], axis=0))) if draws else 1.0
    varies = bool(draws and np.ptp(x) > 0)
    rhat = nrhat = ess = tau = math.nan
    resolved = True
    long_chains = False
    if varies:
        tau_draws, resolved = _tau_draws(x - x.mean())
        tau_draws = max(tau_draws, 1 / math.log10(max(draws * chains, 10)))  # ESS cap
        ess = float(draws * chains / tau_draws)
        if len(set(np.diff(sweeps_t))) == 1:  # evenly spaced
            tau = float(tau_draws * (sweeps_t[1] - sweeps_t[0]))
        # R-hats rank every value: over evenly spaced chains holding at most
        # MAX_RANKED_VALUES values (ample for both; ranking 10^7 values takes a minute).
        keep = max(64, MAX_RANKED_VALUES // draws)
        ranked = x[:, :: -(-chains // keep)]
        nrhat = _nested_halves(ranked)
        if draws >= 4:
            rhat = _split_rhat(ranked)
        if draws >= LONG_CHAINS:  # N >= 50 max(tau, 1) needs 50 draws at least
            tau_own, own_resolved = _tau_draws(x - x.mean(axis=0))
            long_chains = own_resolved and draws >= LONG_CHAINS * max(tau_own, 1.0)
    stuck = frozen == 1.0 and varies
    if stuck:  # one independent value per chain, and no decay within the run
        ess, tau, resolved = float(chains), math.inf, False
        rhat = math.inf if draws >= 4 else rhat  # no within-chain variance at all
    mixed = (
        not stuck
        and not _drifts(nrhat)
        and not (long_chains and math.isfinite(rhat) and rhat > RHAT_LIMIT)
    )
    _check_ranges(rhat, nrhat, ess, draws, chains)
    return ChainDiagnostics(
        sweeps=sweeps_t,
        chains=chains,
        rhat=rhat,
        ess=ess,
        tau=tau,
        frozen=frozen,
        mixed=mixed,
        nrhat=nrhat,
        resolved=resolved,
        burn_in=integer(burn_in, "burn_in", 0),
    )


def warn_unmixed(diag: ChainDiagnostics | None, what: str, stacklevel: int = 3) -> None:
    """A :class:`~natabs.errors.NotMixedWarning` naming what to do, if the chains did not mix."""
    if diag is not None and not diag.mixed:
        warnings.warn(diag.advice(what), NotMixedWarning, stacklevel=stacklevel)


# -- the numbers -----------------------------------------------------------------------------


def _drifts(nrhat: float) -> bool:
    """Nested R-hat above its limit; NaN (no test possible) and chance drifts are not.

    A drift that is not beyond chance is reported as its R-hat capped at the limit
    by :func:`_nested_halves`, so this one comparison carries both conditions.
    """
    return math.isfinite(nrhat) and nrhat > NESTED_RHAT_LIMIT


def _tau_draws(centred: np.ndarray) -> tuple[float, bool]:
    """Integrated autocorrelation time (in draws) of (draws, chains) values already centred.

    Autocovariances at each lag are averaged over chains and time pairs; the sum of
    autocorrelations is cut by Geyer's initial monotone sequence (pairs of lags summed,
    stopped at the first non-positive pair, made non-increasing). Returns the time and
    whether the cut happened inside the run.
    """
    draws = centred.shape[0]
    c0 = float(np.mean(centred * centred))
    if c0 <= 0:
        return math.nan, False
    if draws == 1:
        return 1.0, False
    # Autocovariances of every chain at once by FFT (zero-padded: no wrap-around), then
    # averaged over chains and over the draws - t pairs at each lag t.
    n_fft = next_fast_len(2 * draws, real=True)
    f = rfft(np.ascontiguousarray(centred.T), n=n_fft, axis=-1)
    acov = irfft(f.real**2 + f.imag**2, n=n_fft, axis=-1)[:, :draws].sum(axis=0)
    rho = acov / (np.arange(draws, 0, -1) * centred.shape[1]) / c0
    total, last, resolved = 0.0, math.inf, False
    for k in range(draws // 2):
        pair = rho[2 * k] + rho[2 * k + 1]
        if pair <= 0:
            resolved = True
            break
        pair = min(pair, last)
        total += pair
        last = pair
    return float(-1.0 + 2.0 * total), resolved


def _z(v: np.ndarray) -> np.ndarray:
    """Rank normalisation (Vehtari et al. 2021, eq. 14): normal scores of pooled ranks."""
    r = rankdata(v, method="average").reshape(v.shape)
    return ndtri((r - 3 / 8) / (v.size + 1 / 4))


def _split_rhat(x: np.ndarray) -> float:
    """ArviZ's rank-normalised split-R-hat of (draws, chains) values (nan without it)."""
    try:
        from arviz_stats.base import array_stats  # the `diagnostics` extra
    except ImportError:  # pragma: no cover - the test extra installs it
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # constant chains: 0/0 inside
        r = float(array_stats.rhat(np.ascontiguousarray(x.T), chain_axis=-2, draw_axis=-1))
    return r if math.isfinite(r) else math.inf


def _nested_halves(x: np.ndarray) -> float:
    """Nested R-hat with the two halves of the run as superchains (Margossian et al. 2024).

    Superchain ``h`` holds every chain over half ``h`` of the draws (the middle draw of an
    odd count is left out, as in split-R-hat). With ``K = 2`` superchains,
    ``nR² = 1 + B / W``: ``B`` the variance of the two half means, ``W`` the mean over halves
    of the within-half variance (between-chain plus within-chain). On rank-normalised and
    folded values, the larger. A drift whose z-score over the independent chains is below
    :data:`DRIFT_Z` is chance: its R-hat is reported capped at the limit.
    """
    draws = x.shape[0]
    if draws < 2:
        return math.nan
    half = draws // 2
    worst = 1.0
    for v in (_z(x), _z(np.abs(x - np.median(x)))):
        a, b = v[:half], v[draws - half :]
        w = 0.5 * (a.var() + b.var())
        if w <= 0:
            continue
        per_chain = a.mean(axis=0) - b.mean(axis=0)
        d = float(per_chain.mean())
        nr = math.sqrt(1.0 + d * d / 2 / w)
        spread = float(per_chain.std(ddof=1)) if per_chain.size > 1 else 0.0
        chance = (
            spread == 0.0
            and d == 0.0
            or (spread > 0 and abs(d) / (spread / math.sqrt(per_chain.size)) < DRIFT_Z)
        )
        if per_chain.size < 2:
            chance = True  # one chain: no estimate of what chance gives
        worst = max(worst, min(nr, NESTED_RHAT_LIMIT) if chance else nr)
    return worst


def _check_ranges(rhat: float, nrhat: float, ess: float, draws: int, chains: int) -> None:
    """Every number within its documented range (NaN: not computed); a failure is a bug."""
    half = draws // 2
    floor = math.sqrt(1 - 1 / half) if half >= 1 else 0.0
    n = draws * chains
    cap = n * math.log10(max(n, 10)) * (1 + 1e-9)
    if rhat < floor - 1e-9 or nrhat < 1 or not (math.isnan(ess) or 0 < ess <= cap):
        raise AssertionError(
            f"diagnostics out of range: split-R-hat {rhat} (>= {floor}), "
            f"nested R-hat {nrhat} (>= 1), ESS {ess} (in (0, {cap}])"
        )
