"""Convergence diagnostics of sampled chains: split-R̂, effective sample size, and the
integrated autocorrelation time of a recorded statistic.

The numbers are those of ArviZ's statistics package (``arviz-stats``): the rank-normalised
split-R̂ and the bulk effective sample size of Vehtari, Gelman, Simpson, Carpenter and
Bürkner, "Rank-normalization, folding, and localization: an improved R̂ for assessing
convergence of MCMC", *Bayesian Analysis* 16 (2021) 667–718. Draws are the recorded sweeps
of each chain; chains are the independent chains of a run.

Examples
--------
>>> import numpy as np
>>> from natabs.sampling import diagnose
>>> rng = np.random.default_rng(0)
>>> d = diagnose(rng.normal(size=(20, 200)), sweeps=range(20))   # 20 sweeps, 200 chains
>>> bool(d.mixed), round(d.rhat, 2)
(True, 1.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._results import Result
from .._validation import check_nonneg_int, check_real_array, check_sequence
from ..errors import InvalidInputError, NotMixedWarning

__all__ = ["ChainDiagnostics", "diagnose", "RHAT_LIMIT"]

#: Split-R̂ above this means the chains have not mixed. Vehtari et al. (2021) advise 1.01
#: for a few long chains; a run here is many short chains (a few recorded sweeps each),
#: whose R̂ exceeds 1.01 by chance even from exact starts, so the limit is the classic 1.1
#: (Gelman et al., *Bayesian Data Analysis*, 3rd ed., 2013, section 11.5).
RHAT_LIMIT = 1.1


@dataclass(frozen=True, repr=False)
class ChainDiagnostics(Result):
    """Mixing of a statistic recorded over sweeps of many independent chains.

    Attributes
    ----------
    sweeps : tuple of int
        The recorded sweeps used as draws.
    chains : int
    rhat : float
        Rank-normalised split-R̂ (``nan`` with fewer than 4 sweeps, when the statistic
        never varies, or without ``arviz-stats``: ``pip install "natabs[diagnostics]"``).
        Near 1 when chains agree with each other and with themselves over time; above
        :data:`RHAT_LIMIT` they have not mixed.
    ess : float
        Bulk effective sample size over all chains and sweeps.
    tau : float
        Integrated autocorrelation time in sweeps: ``chains * len(sweeps) / ess`` draws,
        times the mean spacing of the recorded sweeps (exact for evenly spaced sweeps).
    frozen : float
        Fraction of chains whose statistic took one value at every recorded sweep.
    mixed : bool
        ``False`` when ``rhat > RHAT_LIMIT`` (1.1), or when every chain is frozen while chains
        disagree (each keeps its start's value: the run shows the start, not the law).

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

    def advice(self, what: str = "the statistic") -> str:
        """A sentence saying what went wrong and what to do ('' when mixed)."""
        if self.mixed:
            return ""
        span = f"sweeps {self.sweeps[0]}..{self.sweeps[-1]}"
        if self.frozen == 1.0:
            head = (f"no chain changed {what} over {span}: every chain keeps its start's "
                    f"value, so the numbers describe the initial states, not the law (right "
                    f"only if the starts are draws of the law and {what} is meant to be "
                    f"kept, like the sign of an ordered Ising lattice)")
        else:
            head = (f"the chains have not mixed over {span} (split-R-hat = {self.rhat:.3g} > "
                    f"{RHAT_LIMIT}, effective sample size {self.ess:.0f})")
        return (f"{head}. Otherwise run longer (larger sweeps, or a larger burn_in before "
                f"sweep 0), start from exact draws of the law (init=, see natabs.sample), or "
                f"use blocks that move {what} (larger k or connected blocks)")


def diagnose(values: Any, sweeps: Sequence[int]) -> ChainDiagnostics:
    """Split-R̂, effective sample size and autocorrelation time of a recorded statistic.

    Parameters
    ----------
    values : array_like
        The statistic at each recorded sweep (rows) of each chain (columns), shape
        ``(len(sweeps), chains)``, as in
        :attr:`natabs.SampleRun.values`. Labels (codes, majorities) are diagnosed through
        their ranks.
    sweeps : sequence of int
        The recorded sweeps, increasing.

    Returns
    -------
    ChainDiagnostics

    Examples
    --------
    >>> import numpy as np
    >>> from natabs.sampling import diagnose
    >>> x = np.cumsum(np.random.default_rng(2).normal(size=(50, 100)), axis=0)  # random walks
    >>> diagnose(x, sweeps=range(50)).mixed
    False
    """
    sweeps_t = tuple(
        check_nonneg_int(s, "each sweep") for s in check_sequence(sweeps, "sweeps", what="integers")
    )
    x = check_real_array(values, "values")
    if not np.all(np.isfinite(x)):
        raise InvalidInputError("values must be finite")
    if x.ndim != 2 or x.shape[0] != len(sweeps_t):
        raise InvalidInputError(f"values must have shape (len(sweeps), chains) = "
                                f"({len(sweeps_t)}, chains), got {x.shape}")
    draws, chains = x.shape
    frozen = float(np.mean(np.all(x == x[:1], axis=0))) if draws else 1.0
    varies = bool(draws and np.ptp(x) > 0)
    rhat = ess = tau = math.nan
    array_stats = None
    if draws >= 4 and varies:
        try:
            from arviz_stats.base import array_stats  # the `diagnostics` extra
        except ImportError:  # pragma: no cover - the test extra installs it
            array_stats = None
    if draws >= 4 and varies and array_stats is not None:
        chain_draw = np.ascontiguousarray(x.T)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant chains: 0/0 inside
            rhat = float(array_stats.rhat(chain_draw, chain_axis=-2, draw_axis=-1))
            ess = float(array_stats.ess(chain_draw, chain_axis=-2, draw_axis=-1))
        spacing = (sweeps_t[-1] - sweeps_t[0]) / (draws - 1)
        if ess > 0 and math.isfinite(ess):
            tau = chains * draws / ess * spacing
    stuck = frozen == 1.0 and varies
    if stuck:  # one independent value per chain, and no decay within the run
        ess, tau = float(chains), math.inf
    mixed = not stuck and not (math.isfinite(rhat) and rhat > RHAT_LIMIT)
    if array_stats is not None and not math.isfinite(rhat) and not stuck:
        mixed = False  # R-hat undefined although the chains vary: treat as not mixed
    return ChainDiagnostics(sweeps=sweeps_t, chains=chains, rhat=rhat, ess=ess, tau=tau,
                            frozen=frozen, mixed=mixed)


def warn_unmixed(diag: ChainDiagnostics | None, what: str, stacklevel: int = 3) -> None:
    """A :class:`~natabs.errors.NotMixedWarning` naming what to do, if the chains did not mix."""
    if diag is not None and not diag.mixed:
        warnings.warn(diag.advice(what), NotMixedWarning, stacklevel=stacklevel)
