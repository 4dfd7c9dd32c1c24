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
    assert d.resolved and d.mixed


@pytest.mark.parametrize(
    ("rho", "chains", "draws"),
    [
        (0.8, 2000, 40),
        (0.5, 2000, 10),
        (0.0, 2000, 6),
        (0.5, 4, 5000),
        (-0.5, 2000, 20),
        (-0.4, 4, 5000),
    ],
)
def test_ar1_autocorrelation_time_for_many_short_and_few_long_chains(rho, chains, draws):
    """tau = (1 + rho) / (1 - rho) draws, stationary AR(1) chains; rho < 0 is antithetic:
    tau < 1 and more effective draws than draws, which is right, not a bug."""
    tau = (1 + rho) / (1 - rho)
    d = diagnose(ar1(rho, chains, draws, seed=3), sweeps=range(0, 3 * draws, 3))
    assert d.tau == pytest.approx(3 * tau, rel=0.12)  # 3 sweeps between recorded draws
    assert d.ess == pytest.approx(chains * draws / tau, rel=0.12)
    assert d.mixed
    n = chains * draws
    assert 0 < d.ess <= n * np.log10(n)
    if rho != 0:
        assert (d.ess > n) == (rho < 0) and (d.tau < 3) == (rho < 0)


def test_short_independent_chains_do_not_report_more_draws_than_they_have():
    """Each chain's own mean over 6 draws takes a sixth of its variance: estimators that
    centre every chain on itself (ArviZ's ESS) report ~3.8 times the draws here."""
    d = diagnose(np.random.default_rng(4).normal(size=(6, 1000)), sweeps=range(6))
    assert d.ess == pytest.approx(6000, rel=0.1) and d.tau == pytest.approx(1, rel=0.1)


def test_period_two_oscillation_is_bounded():
    """A statistic that flips at every draw (antithetic to the extreme): tau is floored and
    the effective sample size capped at draws * log10(draws), as in Stan and ArviZ."""
    rng = np.random.default_rng(5)
    sign = rng.choice([-1.0, 1.0], size=500)
    x = np.array([(-1) ** t * sign for t in range(10)]) + 0.01 * rng.normal(size=(10, 500))
    d = diagnose(x, sweeps=range(10))
    assert d.ess == pytest.approx(5000 * np.log10(5000)) and 0 < d.tau < 1


@pytest.mark.parametrize("seed", range(30))
def test_every_number_is_in_its_range(seed):
    rng = np.random.default_rng(seed)
    draws, chains = int(rng.integers(2, 30)), int(rng.integers(1, 50))
    kind = seed % 3
    x = (
        rng.integers(0, 3, (draws, chains))
        if kind == 0
        else np.cumsum(rng.normal(size=(draws, chains)), axis=0)
        if kind == 1
        else rng.normal(size=(draws, chains)) * rng.exponential(size=chains)
    )
    d = diagnose(x, sweeps=sorted(rng.choice(1000, draws, replace=False)))
    half = draws // 2
    assert np.isnan(d.rhat) or d.rhat >= np.sqrt(1 - 1 / half) - 1e-9
    assert np.isnan(d.nrhat) or d.nrhat >= 1
    n = draws * chains
    assert np.isnan(d.ess) or 0 < d.ess <= n * np.log10(max(n, 10))
    assert np.isnan(d.tau) or d.tau > 0
    assert 0 <= d.frozen <= 1


def test_unevenly_spaced_sweeps_have_no_time_in_sweeps():
    d = diagnose(ar1(0.5, 500, 5, seed=6), sweeps=[0, 1, 2, 4, 8])
    assert np.isnan(d.tau) and d.ess > 0


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
        run = na.sample(
            fg,
            [0, 1, 2, 4, 8],
            chains=chains,
            seed=0,
            record="majority",
            init=ordered_start(L, chains, 0),
        )
    assert run.diagnostics.frozen == 1.0 and not run.diagnostics.mixed
    with pytest.warns(NotMixedWarning, match="no chain changed 'majority'"):
        s = na.sampled_surviving_information(
            fg,
            "majority",
            sweeps=[1, 4, 8],
            chains=chains,
            seed=0,
            init=ordered_start(L, chains, 0),
        )
    assert s.diagnostics is not None and s.diagnostics.frozen == 1.0


def test_mixed_chains_give_rhat_near_one_and_no_warning():
    fg = na.FactorGraph.ising(nx.cycle_graph(8), beta=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NotMixedWarning)
        run = na.sample(fg, list(range(0, 60, 3)), chains=400, seed=1, record="magnetization")
        s = na.sampled_surviving_information(fg, "majority", sweeps=[1, 2, 5], chains=400, seed=1)
    d = run.diagnostics
    assert d.mixed and d.rhat < 1.05 and d.frozen < 0.5
    assert 0 < d.tau < 10 and d.ess > 400
    assert s.diagnostics.frozen < 0.5  # chains change their majority: no warning
    assert d.to_dict()["chains"] == 400 and "rhat=" in repr(d)


def test_states_records_have_no_diagnostics():
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.2)
    assert na.sample(fg, [0, 1], chains=10, seed=0).diagnostics is None


BETA_C = np.log(1 + np.sqrt(2)) / 2


def _warned(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotMixedWarning)
        run = na.sample(*args, **kwargs)
    return run, [w for w in caught if issubclass(w.category, NotMixedWarning)]


def test_no_warning_on_exact_starts_of_a_fast_mixing_law():
    """Chains started from exact draws (the support engine's law of a 3x3 Ising lattice) are
    stationary: a run over sweeps 0..20 must pass, although split-R-hat reads ~1.6 there."""
    fg = na.FactorGraph.ising_lattice(3, beta=0.3)
    law = fg.to_system()
    flagged = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        init = law.states[rng.choice(law.size, size=1000, p=law.probs)]
        run, caught = _warned(
            fg,
            list(range(21)),
            chains=1000,
            seed=seed,
            record="magnetization",
            init=init.astype(np.int64),
        )
        flagged.append(bool(caught))
        assert run.diagnostics.nrhat < 1.01 and run.diagnostics.rhat > 1.2
    assert sum(flagged) <= 1


@pytest.mark.parametrize("scan", ["random", "systematic"])
@pytest.mark.parametrize("record", ["magnetization", "majority"])
def test_no_warning_after_an_adequate_burn_in(scan, record):
    """The reported case: L = 8 at beta = 0.3, random starts and the default burn-in of 100
    sweeps, recorded over sweeps 0..20 (split-R-hat 1.3-1.9 there, which is tau / N)."""
    fg = na.FactorGraph.ising_lattice(8, beta=0.3)
    run, caught = _warned(fg, list(range(21)), chains=1000, seed=0, record=record, scan=scan)
    d = run.diagnostics
    assert not caught and d.mixed and d.burn_in == 100
    assert 1 <= d.nrhat < 1.01 and 0 < d.ess <= 21 * 1000


def test_warning_names_the_diagnosed_sweeps_when_starts_are_far_from_the_law():
    fg = na.FactorGraph.ising_lattice(8, beta=0.3)
    up = np.ones((500, 64), dtype=np.int64)  # every chain all up: far from the law at T = 3.3
    run, caught = _warned(fg, list(range(21)), chains=500, seed=0, record="magnetization", init=up)
    assert caught and "nested R-hat" in str(caught[0].message)
    assert "sweeps 0..20" in str(caught[0].message) and run.diagnostics.nrhat > 1.1
    run, caught = _warned(
        fg, list(range(21)), chains=500, seed=0, record="magnetization", init=up, burn_in=200
    )
    assert not caught and run.diagnostics.mixed
    assert (
        "after a burn-in of 200 sweeps"
        in diagnose(np.tile(np.arange(2.0), (4, 1)), sweeps=range(4), burn_in=200).advice()
    )


@pytest.mark.parametrize("record", ["majority", "magnetization"])
def test_warns_when_every_chain_keeps_its_sign_at_the_critical_point(record):
    """The original case: 64 x 64 at beta_c, ordered starts of random sign: no chain flips,
    and |m| drifts from 1 (the ordered start is no draw of the law)."""
    L, chains = 64, 100
    fg = na.FactorGraph.ising_lattice(L, beta=BETA_C)
    run, caught = _warned(
        fg,
        list(range(0, 21, 2)),
        chains=chains,
        seed=0,
        record=record,
        init=ordered_start(L, chains, 0),
    )
    assert caught and not run.diagnostics.mixed
    assert "sweeps 0..20" in str(caught[0].message)
    if record == "majority":
        assert run.diagnostics.frozen == 1.0 and "keeps its start's value" in str(caught[0].message)
    else:
        assert run.diagnostics.nrhat > 1.1
