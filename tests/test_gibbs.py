"""The block-Gibbs engine against a plain-numpy reference kernel on small models.

The reference builds the exact kernel Π_B of every block on the support of
``FactorGraph.to_system()`` (THEORY §2) and propagates the law of ``X^T``; the engine's
chains must match it in a chi-square test with a fixed seed (the tolerance comes from the
sample size through the chi-square distribution).
"""

from __future__ import annotations

import signal
import time

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from scipy import stats

import natabs as na
from natabs.errors import InvalidInputError, TooLargeError

from .reference import law_after
from .strategies import factor_graph_cases

# A chi-square p-value below this fails a test. Seeds are fixed, so runs are reproducible;
# the level only bounds how unlucky a fixed seed may be.
ALPHA = 1e-4


# -- reference ---------------------------------------------------------------------------------


def support_index(system: na.System) -> dict[bytes, int]:
    return {row.astype(np.int64).tobytes(): i for i, row in enumerate(system.states)}


def chi2_pvalue(states: np.ndarray, system: na.System, probs: np.ndarray) -> float:
    """Chi-square goodness of fit of sampled states to ``probs`` over the support."""
    index = support_index(system)
    counts = np.zeros(system.size)
    for row in states.astype(np.int64):
        key = row.tobytes()
        assert key in index, f"sampled state {row} is outside the support"
        counts[index[key]] += 1
    expected = probs * len(states)
    big = expected >= 5
    obs = np.append(counts[big], counts[~big].sum())
    exp = np.append(expected[big], expected[~big].sum())
    keep = exp > 0
    if keep.sum() < 2:
        return 1.0
    return float(stats.chisquare(obs[keep], exp[keep]).pvalue)


def stationary_pvalue(fg, run_states):
    system = fg.to_system()
    return chi2_pvalue(run_states, system, system.probs)


# -- models ------------------------------------------------------------------------------------


def small_dag() -> na.FactorGraph:
    G = nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    G.nodes["a"]["cpd"] = np.array([0.2, 0.5, 0.3])
    G.nodes["b"]["cpd"] = np.array([[0.9, 0.1], [0.4, 0.6], [0.0, 1.0]])
    G.nodes["c"]["cpd"] = np.array([[0.7, 0.3], [0.5, 0.5], [0.1, 0.9]])
    G.nodes["d"]["cpd"] = np.array([[[1.0, 0.0], [0.3, 0.7]], [[0.6, 0.4], [0.2, 0.8]]])
    return na.FactorGraph.from_dag(G)


MODELS = {
    "ising ring with field": lambda: na.FactorGraph.ising(nx.cycle_graph(5), beta=0.6, h=0.3),
    "potts path": lambda: na.FactorGraph.potts(nx.path_graph(3), q=3, beta=0.8),
    "dag with zeros": small_dag,
    "mrf with hard zeros": lambda: na.FactorGraph.from_factors(
        [(0, 1), (1, 2), (2,)], [[[1, 0, 2], [3, 1, 0]], [[1, 2], [0, 1], [2, 2]], [1, 4]]
    ),
}


# -- stationary law ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("scan", ["random", "systematic"])
def test_long_run_frequencies_match_the_exact_law(name, scan):
    fg = MODELS[name]()
    run = na.sample(fg, sweeps=[40], chains=4000, scan=scan, seed=7)
    assert stationary_pvalue(fg, run.states[0]) > ALPHA


@pytest.mark.parametrize("name", sorted(MODELS))
def test_pair_blocks_keep_the_exact_law(name):
    fg = MODELS[name]()
    run = na.sample(fg, sweeps=[20], chains=4000, k=2, seed=8)
    assert stationary_pvalue(fg, run.states[0]) > ALPHA


def test_initial_states_are_exact_for_small_models():
    for name in sorted(MODELS):
        fg = MODELS[name]()
        run = na.sample(fg, sweeps=[0], chains=5000, seed=9)
        assert stationary_pvalue(fg, run.states[0]) > ALPHA, name


def test_frequencies_track_a_chain_far_from_equilibrium():
    # A frozen-ish state is the start; after 1 and 3 sweeps the law is far from P, and
    # the engine must follow the exact transient, not just the stationary law.
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.9, h=0.2)
    system = fg.to_system()
    x0 = np.zeros((4000, 4), dtype=np.uint8)
    start = support_index(system)[np.zeros(4, np.int64).tobytes()]
    family = [(i,) for i in range(4)]
    for scan in ("random", "systematic"):
        run = na.sample(fg, sweeps=[1, 3], chains=4000, init=x0, scan=scan, seed=10)
        for slot, t in enumerate(run.sweeps):
            want = law_after(system, family, start, t, scan)
            assert chi2_pvalue(run.states[slot], system, want) > ALPHA, (scan, t)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(factor_graph_cases())
def test_transient_law_matches_reference_kernel(case):
    fg, blocks, scan, seed = case
    try:
        system = fg.to_system()
    except InvalidInputError:  # contradictory factors: no state has positive probability
        assume(False)
    start = int(np.argmax(system.probs))
    x0 = np.repeat(system.states[start][None, :], 3000, axis=0)
    run = na.sample(fg, sweeps=[1, 2], chains=3000, blocks=blocks, init=x0, scan=scan, seed=seed)
    for slot, t in enumerate(run.sweeps):
        want = law_after(system, [tuple(b) for b in blocks], start, t, scan)
        assert chi2_pvalue(run.states[slot], system, want) > ALPHA


# -- fast path ---------------------------------------------------------------------------------


def test_ising_fast_path_and_generic_path_agree_with_exact():
    fg = na.FactorGraph.ising_lattice(3, beta=0.35, J=1.0, h=0.1)
    fast = na.sample(fg, sweeps=[30], chains=6000, seed=11)
    slow = na.sample(fg, sweeps=[30], chains=6000, seed=11, fast=False)
    assert fast.fast and not slow.fast
    assert stationary_pvalue(fg, fast.states[0]) > ALPHA
    assert stationary_pvalue(fg, slow.states[0]) > ALPHA
    # and the two agree with each other (two-sample test on the magnetisation)
    m_fast = fast.states[0].sum(axis=1)
    m_slow = slow.states[0].sum(axis=1)
    table = np.array([np.bincount(m_fast, minlength=10), np.bincount(m_slow, minlength=10)])
    table = table[:, table.sum(axis=0) > 0]
    assert stats.chi2_contingency(table).pvalue > ALPHA


def test_fast_path_handles_unequal_couplings():
    # couplings differ per edge: the logit is computed, not looked up
    scopes = [(0, 1), (1, 2), (2, 0), (0,)]
    tables = [
        np.exp([[0.5, -0.5], [-0.5, 0.5]]),
        np.exp([[1.0, 0.0], [0.0, 1.0]]),
        np.exp([[-0.3, 0.3], [0.3, -0.3]]),
        np.exp([0.2, -0.2]),
    ]
    fg = na.FactorGraph.from_factors(scopes, tables)
    run = na.sample(fg, sweeps=[30], chains=4000, seed=12)
    assert run.fast
    assert stationary_pvalue(fg, run.states[0]) > ALPHA


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["potts path", "dag with zeros"])
def test_same_seed_same_result_for_any_thread_count(name):
    fg = MODELS[name]()
    a = na.sample(fg, sweeps=[0, 3, 9], chains=64, seed=5, threads=1)
    b = na.sample(fg, sweeps=[0, 3, 9], chains=64, seed=5, threads=2)
    np.testing.assert_array_equal(a.states, b.states)
    c = na.sample(fg, sweeps=[0, 3, 9], chains=64, seed=6, threads=2)
    assert not np.array_equal(a.states, c.states)


def test_lattice_with_burn_in_is_deterministic_across_threads():
    fg = na.FactorGraph.ising_lattice(20, beta=0.3)  # too big for exact initial states
    a = na.sample(fg, sweeps=[0, 2], chains=8, seed=1, threads=1, record="magnetization")
    b = na.sample(fg, sweeps=[0, 2], chains=8, seed=1, threads=2, record="magnetization")
    np.testing.assert_array_equal(a.values, b.values)


@pytest.mark.parametrize("scan", ["random", "systematic"])
def test_a_progress_bar_does_not_change_the_run(scan):
    """With a bar the engine is advanced in small steps, without one in a single call."""
    fg = na.FactorGraph.ising_lattice(8, beta=0.4)
    kw = dict(sweeps=[0, 7, 250], chains=16, seed=3, scan=scan, threads=2)
    a = na.sample(fg, **kw)
    b = na.sample(fg, progress=True, **kw)
    np.testing.assert_array_equal(a.states, b.states)


def test_seed_is_reported_and_reproduces_the_run():
    fg = MODELS["potts path"]()
    a = na.sample(fg, sweeps=[2], chains=10)
    b = na.sample(fg, sweeps=[2], chains=10, seed=a.seed)
    np.testing.assert_array_equal(a.states, b.states)


# -- recording ---------------------------------------------------------------------------------


def test_statistics_equal_their_definition_on_states():
    fg = na.FactorGraph.ising(nx.cycle_graph(6), beta=0.4)
    kw = dict(sweeps=[0, 2, 5], chains=200, seed=3)
    x = na.sample(fg, **kw).states.astype(np.int64)
    mag = na.sample(fg, record="magnetization", **kw).values
    np.testing.assert_allclose(mag, (2 * x - 1).mean(axis=2), atol=1e-15)
    maj = na.sample(fg, record="majority", **kw).values
    ones = x.sum(axis=2)
    np.testing.assert_array_equal(maj, np.where(ones > 3, 1, np.where(ones < 3, 0, 2)))
    codes = na.sample(fg, record=[4, 1], **kw).values
    np.testing.assert_array_equal(codes, x[..., 4] + 2 * x[..., 1])
    assert codes.dtype == np.uint64 and maj.dtype == np.uint8


def test_state_dtype_is_the_smallest_that_fits():
    big = na.FactorGraph.from_factors([(0, 1)], [np.ones((300, 2))])
    run = na.sample(big, sweeps=[1], chains=5, seed=0)
    assert run.states.dtype == np.uint16 and run.states.max() < 300
    assert run.states.shape == (1, 5, 2)


def test_sweep_length_follows_the_block_family():
    fg = na.FactorGraph.ising(nx.path_graph(6), beta=0.1)
    assert na.sample(fg, sweeps=[0], chains=1, seed=0).steps_per_sweep == 6
    assert na.sample(fg, sweeps=[0], chains=1, k=2, seed=0).steps_per_sweep == 3
    assert na.sample(fg, sweeps=[0], chains=1, k=2, scan="systematic", seed=0).steps_per_sweep == 15
    blocks = na.blocks.connected(fg.graph, 2)
    assert na.sample(fg, sweeps=[0], chains=1, blocks=blocks, seed=0).steps_per_sweep == 3


def test_repr_is_readable():
    run = na.sample(MODELS["potts path"](), sweeps=[0, 1], chains=2, seed=0)
    assert repr(run) == (
        "SampleRun(record='states', sweeps=(0, 1), chains=2, n=3, "
        "scan='random', blocks='3 blocks of size 1', seed=0, fast=False)"
    )


# -- bad input ---------------------------------------------------------------------------------


def test_bad_arguments_are_refused():
    fg = MODELS["potts path"]()
    with pytest.raises(InvalidInputError, match="strictly increasing"):
        na.sample(fg, sweeps=[3, 1])
    with pytest.raises(TypeError, match="list of sweep counts"):
        na.sample(fg, sweeps=10)
    with pytest.raises(InvalidInputError, match="binary"):
        na.sample(fg, sweeps=[1], record="magnetization")
    with pytest.raises(InvalidInputError, match="record must be"):
        na.sample(fg, sweeps=[1], record="energy")
    with pytest.raises(InvalidInputError, match="scan"):
        na.sample(fg, sweeps=[1], scan="sideways")
    with pytest.raises(InvalidInputError, match="init"):
        na.sample(fg, sweeps=[1], chains=2, init=[[0, 0, 3], [0, 0, 0]])
    with pytest.raises(InvalidInputError, match="joint values"):
        na.sample(
            na.FactorGraph.ising_lattice(5, beta=0.1), sweeps=[1], blocks=[range(17)], chains=1
        )
    with pytest.raises(InvalidInputError, match="threads"):
        na.sample(fg, sweeps=[1], threads=0)
    with pytest.raises(TypeError):
        na.sample("not a model", sweeps=[1])
    with pytest.raises(TooLargeError, match="GiB"):
        na.sample(
            na.FactorGraph.ising_lattice(256, beta=0.1), sweeps=list(range(100)), chains=10**4
        )


# -- interruption ------------------------------------------------------------------------------


def test_ctrl_c_stops_a_long_run_quickly():
    fg = na.FactorGraph.ising_lattice(64, beta=0.4)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            na.sample(fg, sweeps=[10**9], chains=4, seed=0, record="majority", burn_in=0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    # a run of 10**9 sweeps stopped: generous bound, the chunks are about 0.1 s
    assert time.perf_counter() - start < 10
