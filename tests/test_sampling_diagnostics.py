"""Split-R-hat, effective sample size and autocorrelation time of recorded statistics, and
the warning when chains have not mixed."""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pytest

import natabs as na
from natabs.errors import InvalidInputError, NotMixedWarning
from natabs.sampling import diagnose

from .reference import rank_rhat


def ar1(rho: float, chains: int, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.empty((draws, chains))
    x[0] = rng.normal(size=chains)
    for t in range(1, draws):
        x[t] = rho * x[t - 1] + np.sqrt(1 - rho**2) * rng.normal(size=chains)
    return x


@pytest.mark.parametrize("shift", [0.0, 1.0])
def test_rhat_matches_a_plain_numpy_reference(shift):
    x = ar1(0.5, 8, 400, seed=1)
    x[:, :4] += shift  # half of the chains off: between-chain variance
    d = diagnose(x, sweeps=range(400))
    assert d.rhat == pytest.approx(rank_rhat(x.T), rel=1e-6)
    assert d.mixed == (shift == 0.0)


def test_autocorrelation_time_of_ar1_chains_is_known():
    rho = 0.8  # tau = (1 + rho) / (1 - rho) = 9 draws
    d = diagnose(ar1(rho, 50, 1000, seed=2), sweeps=range(0, 2000, 2))  # 2 sweeps a draw
    assert d.tau == pytest.approx(2 * 9, rel=0.15)
    assert d.ess == pytest.approx(50 * 1000 / 9, rel=0.15)


def test_diagnose_validates_shapes():
    with pytest.raises(InvalidInputError, match="len\\(sweeps\\)"):
        diagnose(np.zeros((3, 4)), sweeps=[0, 1])


def ordered_start(L, chains, seed):
    up = np.random.default_rng(seed).integers(0, 2, chains)
    return np.repeat(up[:, None], L * L, axis=1)


def test_sample_reports_diagnostics_and_warns_when_every_chain_keeps_its_sign():
    L, chains = 12, 200
    fg = na.FactorGraph.ising_lattice(L, beta=0.7)  # T = 1.43, deep in the ordered phase
    with pytest.warns(NotMixedWarning, match="keeps its start's value.*burn_in.*init="):
        run = na.sample(fg, [0, 1, 2, 4, 8], chains=chains, seed=0, record="majority",
                        init=ordered_start(L, chains, 0))
    assert run.diagnostics.frozen == 1.0 and not run.diagnostics.mixed
    with pytest.warns(NotMixedWarning, match="no chain changed 'majority'"):
        s = na.sampled_surviving_information(fg, "majority", sweeps=[1, 4, 8], chains=chains,
                                             seed=0, init=ordered_start(L, chains, 0))
    assert s.diagnostics is not None and s.diagnostics.frozen == 1.0


def test_mixed_chains_give_rhat_near_one_and_no_warning():
    fg = na.FactorGraph.ising(nx.cycle_graph(8), beta=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotMixedWarning)
        run = na.sample(fg, list(range(0, 60, 3)), chains=400, seed=1, record="magnetization")
        s = na.sampled_surviving_information(fg, "majority", sweeps=[1, 2, 5], chains=400,
                                             seed=1)
    d = run.diagnostics
    assert d.mixed and d.rhat < 1.05 and d.frozen < 0.5
    assert 0 < d.tau < 10 and d.ess > 400
    assert s.diagnostics.frozen < 0.5  # chains change their majority: no warning
    assert d.to_dict()["chains"] == 400 and "rhat=" in repr(d)


def test_states_records_have_no_diagnostics():
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.2)
    assert na.sample(fg, [0, 1], chains=10, seed=0).diagnostics is None
