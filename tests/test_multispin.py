"""The lattice path through the call a user writes, and multi-spin coding on it.

- ``FactorGraph.ising(nx.grid_2d_graph(L, L, periodic=True), beta)``, whatever the node
  labels and order, is recognised as a periodic lattice and sampled on the lattice path
  (``SampleRun.path``), with the states returned in the model's own variable order;
- with systematic scan and at least 64 chains (or up to 32 on a lattice of even side) the
  chains are packed one bit a lane, 256 lanes a batch, fewer chains as column strips
  (``path == 'multispin'``): exact in law (χ² against the exact law of small tori, strips
  across words included, and against the one-site-at-a-time generic path after a few
  sweeps), the same for any thread count, and Ctrl-C still stops it.
"""

from __future__ import annotations


import natabs as na
import networkx as nx
import numpy as np
import pytest
from natabs.systems._factor_graph import torus_order
from scipy import stats

from .strategies import relabelled

#: Smallest p-value a χ² test may give (the tests are seeded: a fixed draw, not a flake).
ALPHA = 1e-4


def torus(L: int, shuffle: int | None = None, labels: str = "tuples") -> nx.Graph:
    """The periodic lattice, its nodes and edges in a shuffled order and relabelled."""
    G = nx.grid_2d_graph(L, L, periodic=True)
    return relabelled(G, shuffle, "strings" if labels == "strings" else "ints")


# -- the natural call reaches the lattice path ---------------------------------------------


@pytest.mark.parametrize("shuffle, labels", [(None, "tuples"), (1, "ints"), (2, "strings")])
def test_networkx_lattices_take_the_lattice_path(shuffle, labels):
    fg = na.FactorGraph.ising(torus(9, shuffle, labels), 0.4)
    assert fg._torus_order() is not None
    for chains, scan, path in [
        (8, "systematic", "lattice"),
        (8, "random", "lattice"),
        (64, "systematic", "multispin"),
        (130, "random", "lattice"),
    ]:
        run = na.sample(fg, [0, 2], chains=chains, scan=scan, seed=0, record="magnetization")
        assert run.path == path, (chains, scan)
        assert run.fast


def test_other_graphs_are_not_taken_for_lattices():
    for G in [nx.random_regular_graph(4, 49, seed=1), nx.cycle_graph(25)]:
        fg = na.FactorGraph.ising(G, 0.4)
        assert fg._torus_order() is None
        run = na.sample(fg, [1], chains=64, scan="systematic", seed=0, record="majority")
        assert run.path == "pairwise"
    # Open and rectangular lattices take the lattice path, but never multi-spin coding.
    for G in [nx.grid_2d_graph(8, 8), nx.grid_2d_graph(6, 8, periodic=True)]:
        run = na.sample(
            na.FactorGraph.ising(G, 0.4),
            [1],
            chains=64,
            scan="systematic",
            seed=0,
            record="majority",
        )
        assert run.path == "lattice"
    # A torus with two edges swapped between rows: still 4-regular, not a lattice.
    G = nx.grid_2d_graph(7, 7, periodic=True)
    G.remove_edges_from([((0, 0), (0, 1)), ((3, 3), (3, 4))])
    G.add_edges_from([((0, 0), (3, 3)), ((0, 1), (3, 4))])
    assert na.FactorGraph.ising(G, 0.4)._torus_order() is None


def test_torus_order_is_a_lattice_order():
    G = torus(11, shuffle=5)
    fg = na.FactorGraph.ising(G, 0.1)
    order = fg._torus_order()
    L = 11
    assert sorted(order.tolist()) == list(range(L * L))
    nodes = fg.nodes
    for r in range(L):
        for c in range(L):
            v = nodes[order[r * L + c]]
            assert G.has_edge(v, nodes[order[r * L + (c + 1) % L]])
            assert G.has_edge(v, nodes[order[((r + 1) % L) * L + c]])
    # The natural order is kept as it is.
    edges = np.array([[0, 1]])
    assert torus_order(4, edges) is None


def test_construction_from_networkx_matches_the_factor_lists():
    G = torus(6, shuffle=3)
    fg = na.FactorGraph.ising(G, 0.3, J=0.7, h=0.2)
    index = {v: i for i, v in enumerate(G.nodes)}
    assert fg.n_factors == G.number_of_edges() + G.number_of_nodes()
    assert sorted(fg._scopes[: G.number_of_edges()]) == sorted(
        tuple(sorted((index[u], index[v]))) for u, v in G.edges
    )
    small = na.FactorGraph.ising(nx.cycle_graph(5), 0.3, J=0.7, h=0.2)
    ref = na.FactorGraph.from_factors(list(small._scopes), [np.exp(t) for t in small._logs])
    assert np.allclose(small.to_system().probs, ref.to_system().probs)
    with pytest.raises(na.errors.InvalidInputError, match="self-loop"):
        na.FactorGraph.ising(nx.Graph([(0, 1), (1, 1)]), 0.3)


def test_relabelled_lattices_return_states_in_the_models_order():
    # Strong coupling: neighbours agree far more often than other pairs. A mix-up of the
    # variable order on the way in or out would destroy that on the graph's edges.
    G = torus(8, shuffle=7, labels="strings")
    fg = na.FactorGraph.ising(G, 1.0)
    index = {v: i for i, v in enumerate(G.nodes)}
    edges = np.array([(index[u], index[v]) for u, v in G.edges])
    for chains, scan in [(16, "systematic"), (70, "systematic"), (16, "random")]:
        run = na.sample(fg, [0, 40], chains=chains, scan=scan, seed=2)
        x = run.states[-1].astype(int)
        agree = (x[:, edges[:, 0]] == x[:, edges[:, 1]]).mean()
        assert agree > 0.9, (chains, scan, agree)
        code = na.sample(
            fg, [3], chains=chains, scan=scan, seed=2, record=[list(G.nodes)[5]]
        ).values[0]
        states = na.sample(fg, [3], chains=chains, scan=scan, seed=2).states[0]
        assert np.array_equal(code, states[:, 5])


def test_second_runs_reuse_the_compiled_model():
    fg = na.FactorGraph.ising(torus(16), 0.4)
    a = na.sample(fg, [5], chains=70, scan="systematic", seed=4).states
    assert len(fg._engines) == 1
    b = na.sample(fg, [5], chains=70, scan="systematic", seed=4).states
    assert len(fg._engines) == 1
    assert np.array_equal(a, b)


# -- multi-spin coding: exact in law -------------------------------------------------------


def chi2_against(counts: np.ndarray, probs: np.ndarray) -> float:
    """p-value of counts against probabilities, cells of expectation < 5 pooled."""
    n = counts.sum()
    expected = n * probs
    small = expected < 5
    obs = np.append(counts[~small], counts[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


@pytest.mark.parametrize("L, beta, h", [(3, 0.3, 0.0), (3, -0.6, 0.25), (4, 0.25, -0.3)])
def test_multispin_has_the_exact_law_of_small_tori(L, beta, h):
    fg = na.FactorGraph.ising(nx.grid_2d_graph(L, L, periodic=True), beta, h=h)
    exact = fg.to_system()
    n = L * L
    chains = 64 * 160 + 37  # a partial last group too
    init = np.zeros((chains, n), dtype=np.uint8)
    run = na.sample(fg, [40], chains=chains, scan="systematic", seed=11, init=init)
    assert run.path == "multispin"
    codes = run.states[0].astype(np.int64) @ (1 << np.arange(n))
    want = np.zeros(2**n)
    want[exact.states.astype(np.int64) @ (1 << np.arange(n))] = exact.probs
    assert chi2_against(np.bincount(codes, minlength=2**n), want) > ALPHA


@pytest.mark.parametrize("chains, beta, h", [(100, 0.3, 0.1), (128, -0.4, 0.0), (40, 0.35, 0.2)])
def test_column_strips_across_words_have_the_exact_law(chains, beta, h):
    # A 4x4 torus holds 2 strips of each chain: 100 chains fill 200 lanes (strips that
    # straddle words), 128 chains all 256, 40 chains 80 (the second strip across the
    # first two words). Many seeds, the law of the state after 30 sweeps from all zeros.
    L = 4
    fg = na.FactorGraph.ising(nx.grid_2d_graph(L, L, periodic=True), beta, h=h)
    exact = fg.to_system()
    n = L * L
    init = np.zeros((chains, n), dtype=np.uint8)
    runs = [
        na.sample(fg, [30], chains=chains, scan="systematic", seed=s, init=init, burn_in=0)
        for s in range(12000 // chains)
    ]
    assert runs[0].path == "multispin"
    codes = np.concatenate([r.states[0] for r in runs]).astype(np.int64) @ (1 << np.arange(n))
    want = np.zeros(2**n)
    want[exact.states.astype(np.int64) @ (1 << np.arange(n))] = exact.probs
    assert chi2_against(np.bincount(codes, minlength=2**n), want) > ALPHA


def test_multispin_matches_the_one_site_path_after_each_sweep():
    # From one fixed state, after 1, 2 and 3 systematic sweeps the law is not stationary;
    # the packed chains and the generic heat-bath path must agree on it.
    L = 4
    fg = na.FactorGraph.ising(nx.grid_2d_graph(L, L, periodic=True), 0.45, h=0.1)
    chains = 64 * 200
    start = np.zeros((chains, L * L), dtype=np.uint8)
    start[:, ::3] = 1
    fast = na.sample(fg, [1, 2, 3], chains=chains, scan="systematic", seed=5, init=start)
    slow = na.sample(
        fg, [1, 2, 3], chains=chains, scan="systematic", seed=6, init=start, fast=False
    )
    assert (fast.path, slow.path) == ("multispin", "generic")
    for t in range(3):
        # number of up spins, and the state of the first row (two-sample χ²)
        for stat in (lambda x: x.sum(axis=1), lambda x: x[:, :L] @ (1 << np.arange(L))):
            a = np.bincount(stat(fast.states[t].astype(int)), minlength=17)
            b = np.bincount(stat(slow.states[t].astype(int)), minlength=17)
            keep = (a + b) > 0
            p = stats.chi2_contingency(np.stack([a[keep], b[keep]])).pvalue
            assert p > ALPHA, (t, p)


@pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning")  # 7 chains a run
def test_multispin_matches_the_lattice_path_on_a_long_run():
    # 16x16 at beta = 0.35: the law of the magnetisation after burn-in, multi-spin coding
    # against the one-chain lattice path (7 chains per run, less than a word of lanes, 18
    # seeds).
    fg = na.FactorGraph.ising(nx.grid_2d_graph(16, 16, periodic=True), 0.35)
    sweeps = list(range(50, 450, 20))
    packed = na.sample(
        fg, sweeps, chains=128, scan="systematic", seed=1, record="magnetization", burn_in=50
    )
    single = [
        na.sample(
            fg, sweeps, chains=7, scan="systematic", seed=s, record="magnetization", burn_in=50
        )
        for s in range(2, 20)
    ]
    assert packed.path == "multispin" and single[0].path == "lattice"
    bins = np.linspace(-1, 1, 9)
    a = np.histogram(np.abs(packed.values).ravel(), bins)[0]
    b = np.histogram(np.abs(np.concatenate([r.values for r in single], 1)).ravel(), bins)[0]
    keep = (a + b) > 0
    assert stats.chi2_contingency(np.stack([a[keep], b[keep]])).pvalue > ALPHA


def test_multispin_is_the_same_for_any_thread_count():
    fg = na.FactorGraph.ising(nx.grid_2d_graph(12, 12, periodic=True), 0.4)
    runs = [
        na.sample(fg, [0, 3, 7], chains=200, scan="systematic", seed=9, threads=t)
        for t in (1, 2, 3)
    ]
    assert all(r.path == "multispin" for r in runs)
    for r in runs[1:]:
        assert np.array_equal(r.states, runs[0].states)
    # recording at more sweeps does not change a chain's trajectory
    once = na.sample(fg, [7], chains=200, scan="systematic", seed=9)
    assert np.array_equal(once.states[0], runs[0].states[-1])


def test_split_runs_with_a_small_last_batch_are_bit_identical():
    # 300 chains of a 9x9 torus (odd side: no strips): the last batch holds 44 chains, too
    # few to fill a word alone, yet a range starting there is part of a multi-spin run.
    from concurrent.futures import ThreadPoolExecutor

    fg = na.FactorGraph.ising(nx.grid_2d_graph(9, 9, periodic=True), 0.4)
    kw = {
        "sweeps": [0, 4],
        "chains": 300,
        "scan": "systematic",
        "seed": 3,
        "burn_in": 1,
        "record": "states",
        "progress": False,
    }
    whole = na.sample(fg, **kw)
    assert whole.path == "multispin"
    with ThreadPoolExecutor(2) as ex:
        split = na.sample(fg, executor=ex, **kw)
    np.testing.assert_array_equal(split.states, whole.states)
    assert na.sample(fg, [1], chains=44, scan="systematic", seed=3).path == "lattice"


@pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning")  # 7 chains a run
def test_few_chains_fill_the_word_with_column_strips():
    # 8 chains on a 16x16 torus: 8 strips of 2 columns a chain, 64 lanes. The law of
    # |magnetisation| after burn-in against the one-chain lattice path (7 chains: 56
    # lanes, less than a word, run one chain at a time).
    fg = na.FactorGraph.ising(nx.grid_2d_graph(16, 16, periodic=True), 0.35)
    sweeps = list(range(50, 450, 20))
    strips = [
        na.sample(
            fg, sweeps, chains=8, scan="systematic", seed=s, record="magnetization", burn_in=50
        )
        for s in range(8)
    ]
    single = [
        na.sample(
            fg, sweeps, chains=7, scan="systematic", seed=s, record="magnetization", burn_in=50
        )
        for s in range(1, 7)
    ]
    assert strips[0].path == "multispin" and single[0].path == "lattice"
    bins = np.linspace(0, 1, 9)
    a = np.histogram(np.abs(np.concatenate([r.values for r in strips], 1)), bins)[0]
    b = np.histogram(np.abs(np.concatenate([r.values for r in single], 1)), bins)[0]
    keep = (a + b) > 0
    assert stats.chi2_contingency(np.stack([a[keep], b[keep]])).pvalue > ALPHA
    # and the same for any thread count
    again = na.sample(fg, [0, 5], chains=8, scan="systematic", seed=3, threads=1)
    other = na.sample(fg, [0, 5], chains=8, scan="systematic", seed=3, threads=2)
    assert np.array_equal(again.states, other.states)


def test_relabelled_lattices_start_from_the_given_states():
    G = torus(7, shuffle=4, labels="strings")
    fg = na.FactorGraph.ising(G, 0.4)
    assert fg._torus_order() is not None
    rng = np.random.default_rng(0)
    for chains, scan in [(3, "systematic"), (70, "systematic"), (5, "random")]:
        init = rng.integers(0, 2, size=(chains, fg.n), dtype=np.uint8)
        run = na.sample(fg, [0, 1], chains=chains, scan=scan, seed=1, init=init)
        assert np.array_equal(run.states[0], init)
        m = na.sample(
            fg, [0], chains=chains, scan=scan, seed=1, init=init, record="magnetization"
        ).values[0]
        assert np.allclose(m, 2 * init.mean(axis=1) - 1)
