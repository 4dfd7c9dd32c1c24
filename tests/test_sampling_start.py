"""The uniform start of :func:`natabs.sample`, drawn by the engine in its own form.

- the start is what the docstring says: every variable uniform and independent (χ² on many
  chains), chain ``c`` from its own stream, so the same for any number of chains, threads or
  the path that runs it; binary variables are the bits of the stream in the engine's order;
- runs from it are the runs from the same states given with ``init=`` (the packed
  multi-spin form is the same bits), and ``init=`` is honoured;
- the default burn-in of a large MRF still runs;
- a call with ``sweeps=[0]`` on a large model builds no ``(chains, n)`` array in Python.
"""

from __future__ import annotations

import tracemalloc

import natabs as na
import networkx as nx
import numpy as np
import pytest
from natabs.measures._sampling import DEFAULT_BURN_IN
from scipy import stats

#: Smallest p-value a χ² test may give (the tests are seeded: a fixed draw, not a flake).
ALPHA = 1e-4


def lattice(L: int, beta: float = 0.3, shuffled: bool = False) -> na.FactorGraph:
    G = nx.grid_2d_graph(L, L, periodic=True)
    if shuffled:
        nodes = list(G.nodes)
        np.random.default_rng(1).shuffle(nodes)
        G = nx.relabel_nodes(G, {v: i for i, v in enumerate(nodes)})
        H = nx.Graph()
        H.add_nodes_from(sorted(G.nodes))
        H.add_edges_from(G.edges)
        G = H
    return na.FactorGraph.ising(G, beta)


def potts(n: int = 20, q: int = 3) -> na.FactorGraph:
    """A Potts chain of ``n`` variables with ``q`` values (``q**n`` states: not exact)."""
    table = np.eye(q) * 0.4
    return na.FactorGraph.from_factors(
        [(i, i + 1) for i in range(n - 1)], [np.exp(table)] * (n - 1)
    )


def start(fg, chains, scan="random", seed=3, **kw):
    return na.sample(
        fg, [0], chains=chains, scan=scan, seed=seed, burn_in=0, progress=False, **kw
    ).states[0]


@pytest.mark.parametrize("scan,chains", [("random", 300), ("systematic", 300), ("systematic", 8)])
def test_the_binary_start_is_uniform_and_independent(scan, chains):
    fg = lattice(16)
    x = start(fg, chains, scan)
    assert x.shape == (chains, 256) and set(np.unique(x)) <= {0, 1}
    # Every variable: fair. Pairs of neighbours and of one chain's words: independent.
    ones = x.sum(axis=0)
    p_sites = stats.chisquare(np.stack([ones, chains - ones]).ravel()).pvalue
    pairs = 2 * x[:, :-1] + x[:, 1:]
    counts = np.array([(pairs == v).sum() for v in range(4)])
    p_pairs = stats.chisquare(counts).pvalue
    assert p_sites > ALPHA and p_pairs > ALPHA, (p_sites, p_pairs)


def test_the_start_of_other_cards_is_uniform():
    fg = potts()
    x = start(fg, 3000)
    counts = np.stack([(x == v).sum(axis=0) for v in range(3)])
    assert stats.chisquare(counts.ravel()).pvalue > ALPHA
    pairs = 3 * x[:, :-1] + x[:, 1:]
    assert stats.chisquare(np.bincount(pairs.ravel(), minlength=9)).pvalue > ALPHA


def test_a_chain_start_depends_on_the_seed_and_its_index_only():
    fg = lattice(16)
    many = start(fg, 300, "systematic")  # multi-spin, packed
    assert np.array_equal(start(fg, 300, "random"), many)  # u16 states
    assert np.array_equal(start(fg, 8, "systematic"), many[:8])  # column strips
    assert np.array_equal(start(fg, 5, "random", threads=1), many[:5])
    assert np.array_equal(start(fg, 300, "systematic", threads=1), many)
    assert not np.array_equal(start(fg, 8, seed=4), many[:8])
    # Binary variables: bit k of word b of the chain's stream is variable 64 b + k, here
    # in the model's own order; a non-lattice model has the same start.
    ring = na.FactorGraph.ising(nx.cycle_graph(256), 0.3)
    assert np.array_equal(start(ring, 8), many[:8])


def test_results_do_not_depend_on_threads():
    fg = lattice(16, beta=0.44, shuffled=True)
    for scan, chains in [("systematic", 70), ("systematic", 8), ("random", 9)]:
        runs = [
            na.sample(
                fg,
                [0, 3],
                chains=chains,
                scan=scan,
                seed=5,
                threads=t,
                progress=False,
                record="states",
            ).states
            for t in (1, 2, None)
        ]
        assert all(np.array_equal(runs[0], r) for r in runs[1:])


@pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning")
@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("scan,chains", [("systematic", 300), ("systematic", 8), ("random", 6)])
def test_runs_from_the_start_are_runs_from_those_states(shuffled, scan, chains):
    fg = lattice(16, beta=0.44, shuffled=shuffled)
    kw = {"chains": chains, "scan": scan, "seed": 8, "burn_in": 0, "progress": False}
    run = na.sample(fg, [0, 1, 4], record="states", **kw)
    given = na.sample(fg, [0, 1, 4], record="states", init=run.states[0], **kw)
    assert run.path == given.path
    assert np.array_equal(run.states, given.states)
    for rec in ("magnetization", "majority", [3, 17, 200]):
        a = na.sample(fg, [0, 1, 4], record=rec, **kw).values
        b = na.sample(fg, [0, 1, 4], record=rec, init=run.states[0], **kw).values
        assert np.array_equal(a, b), rec


def test_init_is_honoured():
    fg = lattice(16)
    init = np.zeros((70, 256), dtype=np.uint8)
    init[::2] = 1
    run = na.sample(fg, [0], chains=70, scan="systematic", init=init, seed=1, progress=False)
    assert np.array_equal(run.states[0], init)


def test_the_default_burn_in_still_runs():
    fg = lattice(16, beta=0.3)
    for scan, chains in [("systematic", 70), ("random", 5)]:
        kw = {"chains": chains, "scan": scan, "seed": 2, "progress": False, "record": "states"}
        default = na.sample(fg, [0], **kw).states
        explicit = na.sample(fg, [0], burn_in=DEFAULT_BURN_IN, **kw).states
        none = na.sample(fg, [0], burn_in=0, **kw).states
        assert np.array_equal(default, explicit)
        assert not np.array_equal(default, none)


def test_split_runs_draw_the_same_start():
    from concurrent.futures import ThreadPoolExecutor

    fg = lattice(16, beta=0.44)
    kw = {
        "chains": 600,
        "scan": "systematic",
        "seed": 4,
        "progress": False,
        "record": "magnetization",
    }
    one = na.sample(fg, [0, 2], **kw).values
    with ThreadPoolExecutor(2) as ex:
        split = na.sample(fg, [0, 2], executor=ex, **kw).values
    assert np.array_equal(one, split)


@pytest.mark.parametrize("scan", ["systematic", "random"])
def test_a_run_of_no_sweeps_builds_no_state_array(scan):
    fg = na.FactorGraph.ising_lattice(256, beta=0.44)
    chains = 64
    kw = {
        "chains": chains,
        "scan": scan,
        "burn_in": 0,
        "progress": False,
        "record": "magnetization",
    }
    na.sample(fg, [0], seed=0, **kw)  # compiles the model (kept on it)
    tracemalloc.start()
    try:
        run = na.sample(fg, [0], seed=1, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.values.shape == (1, chains)
    assert abs(run.values).max() < 0.05  # uniform starts: magnetisation near 0
    assert peak < chains * fg.n / 4, peak


def test_repeat_calls_reusing_memory_give_fresh_results():
    # A compiled model keeps the last run's state buffer for the next uniform start.
    fg = lattice(16, beta=0.44)
    kw = {"scan": "random", "progress": False, "record": "states", "burn_in": 2}
    got = [
        na.sample(fg, [0, 3], chains=c, seed=s, **kw).states
        for c, s in [(5, 1), (3, 2), (5, 1), (7, 3)]
    ]
    fresh = [
        na.sample(lattice(16, beta=0.44), [0, 3], chains=c, seed=s, **kw).states
        for c, s in [(5, 1), (3, 2), (5, 1), (7, 3)]
    ]
    assert all(np.array_equal(a, b) for a, b in zip(got, fresh, strict=True))
    assert np.array_equal(got[0], got[2])


@pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning")
@pytest.mark.parametrize("periodic", [False, True])
def test_rectangular_lattices_run_from_the_start_as_from_those_states(periodic):
    fg = na.FactorGraph.ising(nx.grid_2d_graph(6, 9, periodic=periodic), 0.44)
    for scan in ("systematic", "random"):
        kw = {
            "chains": 70,
            "scan": scan,
            "seed": 8,
            "burn_in": 0,
            "progress": False,
            "record": "states",
        }
        run = na.sample(fg, [0, 2], **kw)
        given = na.sample(fg, [0, 2], init=run.states[0], **kw)
        assert run.path == given.path == "lattice"
        assert np.array_equal(run.states, given.states)
