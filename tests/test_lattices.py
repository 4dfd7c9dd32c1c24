"""Open lattices and rectangular tori on the lattice path.

- a graph that is the periodic (``R, C >= 3``) or open (``R, C >= 2``) ``R × C`` lattice,
  under any labelling and node order, is recognised (``lattice_shape``) and nothing else
  is: an edge missing, added or moved, a twisted torus, sides too small to wrap;
- ``sample`` on it reports ``path == 'lattice'`` (never multi-spin, which handles square
  tori only), has the exact law of small lattices and the law of the other paths, gives
  the same states for any thread count, and hears Ctrl-C.
"""

from __future__ import annotations

import random
import signal
import time

import natabs as na
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from natabs.systems._graphs import _graph_arrays, lattice_shape
from scipy import stats

from .strategies import relabelled

#: Smallest p-value a χ² test may give (the tests are seeded: a fixed draw, not a flake).
ALPHA = 1e-4

SHAPES = [
    (3, 3, True),
    (3, 4, True),
    (4, 3, True),
    (3, 8, True),
    (5, 7, True),
    (6, 4, True),
    (9, 9, True),
    (2, 2, False),
    (2, 5, False),
    (5, 2, False),
    (3, 3, False),
    (4, 7, False),
    (8, 8, False),
]


def shape_of(G: nx.Graph):
    nodes, _, edges = _graph_arrays(G)
    return lattice_shape(len(nodes), edges), nodes


def assert_lattice_order(G: nx.Graph, found, nodes, rows, cols, periodic):
    """The order puts every edge of ``G`` between lattice neighbours, one for one (plain
    Python against networkx: the reference for the vectorised check)."""
    order, R, C, per = found
    assert per == periodic and {R, C} == {rows, cols}
    assert sorted(order.tolist()) == list(range(len(nodes)))
    at = {nodes[order[r * C + c]]: (r, c) for r in range(R) for c in range(C)}
    want = set()
    for r in range(R):
        for c in range(C):
            for dr, dc in [(0, 1), (1, 0)]:
                r2, c2 = r + dr, c + dc
                if periodic:
                    r2, c2 = r2 % R, c2 % C
                elif r2 >= R or c2 >= C:
                    continue
                want.add(frozenset([(r, c), (r2, c2)]))
    assert {frozenset([at[u], at[v]]) for u, v in G.edges} == want


# -- recognition -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows, cols, periodic", SHAPES)
@pytest.mark.parametrize("how", ["natural", "sorted", "degree", "shuffled", "strings"])
def test_lattices_are_recognised_under_any_labelling(rows, cols, periodic, how):
    G = nx.grid_2d_graph(rows, cols, periodic=periodic)
    if how == "sorted":
        G = nx.convert_node_labels_to_integers(G, ordering="sorted")
    elif how == "degree":
        G = nx.convert_node_labels_to_integers(G, ordering="increasing degree")
    elif how in ("shuffled", "strings"):
        G = relabelled(G, rows * 100 + cols, "strings" if how == "strings" else "ints")
    found, nodes = shape_of(G)
    assert found is not None, (rows, cols, periodic, how)
    assert_lattice_order(G, found, nodes, rows, cols, periodic)
    if how == "natural":  # networkx's own order is kept
        assert np.array_equal(found[0], np.arange(rows * cols))
        assert found[1:] == (rows, cols, periodic)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(2, 12),
    cols=st.integers(2, 12),
    periodic=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_relabellings_are_recognised(rows, cols, periodic, seed):
    G = nx.grid_2d_graph(rows, cols, periodic=periodic)
    found, nodes = shape_of(relabelled(G, seed))
    if periodic and min(rows, cols) < 3:
        # The wrap would double edges: not a torus (the 2 x 2 one is the open square).
        assert (found is None) if (rows, cols) != (2, 2) else found[1:] == (2, 2, False)
        return
    if periodic and rows == cols == 4 and found is None:
        # The 4 x 4 torus is the 4-cube: its natural order is recognised; a relabelled
        # one may not be (a walk cannot tell its rows from its columns).
        return
    assert found is not None
    assert_lattice_order(relabelled(G, seed), found, nodes, rows, cols, periodic)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(2, 9),
    cols=st.integers(2, 9),
    periodic=st.booleans(),
    change=st.sampled_from(["remove", "add", "move", "swap"]),
    seed=st.integers(0, 10**6),
)
def test_near_lattices_are_not_recognised(rows, cols, periodic, change, seed):
    G = nx.Graph(nx.grid_2d_graph(rows, cols, periodic=periodic))
    rnd = random.Random(seed)
    nodes, edges = list(G.nodes), list(G.edges)
    if change == "remove":
        G.remove_edge(*rnd.choice(edges))
    elif change == "add":
        u, v = rnd.sample(nodes, 2)
        if G.has_edge(u, v):
            return
        G.add_edge(u, v)
    elif change == "move":
        u, v = rnd.choice(edges)
        w = rnd.choice(nodes)
        if w in (u, v) or G.has_edge(u, w):
            return
        G.remove_edge(u, v)
        G.add_edge(u, w)
    else:  # two edges swapped between their ends: the degrees unchanged
        (a, b), (c, d) = rnd.sample(edges, 2)
        if len({a, b, c, d}) < 4 or G.has_edge(a, d) or G.has_edge(c, b):
            return
        G.remove_edges_from([(a, b), (c, d)])
        G.add_edges_from([(a, d), (c, b)])
    H = relabelled(G, seed)
    found, nodes = shape_of(H)
    if found is not None:
        # A change may give a lattice back (a graph isomorphic to one): then the order
        # found must place every edge of the changed graph on the lattice, one for one.
        assert_lattice_order(H, found, nodes, *found[1:])
        assert nx.is_isomorphic(G, nx.grid_2d_graph(*found[1:]))


def test_small_lattices_in_another_order_keep_it():
    # Below RELABEL_SITES sites a relabelled lattice is not reordered: a systematic sweep
    # then visits the variables in the model's order, as sample documents.
    G = relabelled(nx.grid_2d_graph(3, 4, periodic=True), 1)
    fg = na.FactorGraph.ising(G, 0.4)
    assert shape_of(G)[0] is not None and fg._torus_order() is None
    assert na.sample(fg, [1], chains=4, seed=0).path == "pairwise"
    ring = na.FactorGraph.ising(nx.cycle_graph(4), 0.4)  # the 2 x 2 lattice, as 0 1 3 2
    assert ring._torus_order() is None


def test_other_graphs_are_not_lattices():
    twisted = nx.Graph()  # a helical torus: 4-regular, locally a lattice
    n = 49
    twisted.add_edges_from((i, (i + 1) % n) for i in range(n))
    twisted.add_edges_from((i, (i + 8) % n) for i in range(n))
    for G in [
        nx.grid_2d_graph(2, 6, periodic=True),
        nx.grid_2d_graph(1, 7),
        nx.grid_2d_graph(1, 7, periodic=True),
        nx.path_graph(2),
        nx.cycle_graph(12),
        nx.random_regular_graph(4, 36, seed=2),
        twisted,
        nx.convert_node_labels_to_integers(nx.grid_2d_graph(3, 4), ordering="sorted").subgraph(
            range(11)
        ),
        nx.disjoint_union(nx.grid_2d_graph(3, 3), nx.grid_2d_graph(3, 3)),
        nx.hypercube_graph(3),
        nx.triangular_lattice_graph(3, 4),
    ]:
        assert shape_of(G)[0] is None, G


def test_recognition_is_fast_on_large_lattices():
    for G in [nx.grid_2d_graph(128, 128), nx.grid_2d_graph(64, 256, periodic=True)]:
        H = nx.convert_node_labels_to_integers(G, ordering="sorted")
        nodes, _, edges = _graph_arrays(H)
        rng = np.random.default_rng(0)
        perm = rng.permutation(len(nodes))
        t = time.perf_counter()
        found = lattice_shape(len(nodes), perm[edges])
        took = time.perf_counter() - t
        assert found is not None and took < 2.0, took


# -- sampling on the lattice path -----------------------------------------------------------


@pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning")
@pytest.mark.parametrize(
    "rows, cols, periodic, seed",
    [
        (3, 4, True, None),
        (6, 10, True, 3),
        (2, 5, False, None),
        (2, 13, False, 4),
        (7, 7, False, 3),
    ],
)
def test_sample_reports_the_lattice_path(rows, cols, periodic, seed):
    G = relabelled(nx.grid_2d_graph(rows, cols, periodic=periodic), seed, "strings")
    fg = na.FactorGraph.ising(G, 0.4, h=0.1)
    assert fg._torus_order() is not None
    for chains, scan in [
        (1, "systematic"),
        (8, "systematic"),
        (64, "systematic"),
        (130, "systematic"),
        (8, "random"),
        (70, "random"),
    ]:
        run = na.sample(fg, [0, 2], chains=chains, scan=scan, seed=0, record="magnetization")
        assert run.path == "lattice" and run.fast, (chains, scan)


def chi2_against(counts: np.ndarray, probs: np.ndarray) -> float:
    """p-value of counts against probabilities, cells of expectation < 5 pooled."""
    expected = counts.sum() * probs
    small = expected < 5
    obs = np.append(counts[~small], counts[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


@pytest.mark.parametrize(
    "rows, cols, periodic, beta, h",
    [(3, 4, True, 0.3, 0.2), (3, 3, False, 0.5, -0.3), (2, 5, False, -0.6, 0.25)],
)
@pytest.mark.parametrize("scan", ["systematic", "random"])
def test_lattice_path_has_the_exact_law(rows, cols, periodic, beta, h, scan):
    G = nx.grid_2d_graph(rows, cols, periodic=periodic)
    fg = na.FactorGraph.ising(G, beta, h=h)
    n = rows * cols
    exact = fg.to_system()
    chains = 6000
    init = np.zeros((chains, n), dtype=np.uint8)
    run = na.sample(fg, [30], chains=chains, scan=scan, seed=11, init=init)
    assert run.path == "lattice"
    codes = run.states[0].astype(np.int64) @ (1 << np.arange(n))
    want = np.zeros(2**n)
    want[exact.states.astype(np.int64) @ (1 << np.arange(n))] = exact.probs
    assert chi2_against(np.bincount(codes, minlength=2**n), want) > ALPHA


def two_sample_p(a: np.ndarray, b: np.ndarray, n: int) -> float:
    """χ² p-value that two samples of states have one law of the number of ones."""
    a, b = (np.bincount(x.sum(axis=1), minlength=n + 1) for x in (a, b))
    keep = (a + b) > 0
    return stats.chi2_contingency(np.stack([a[keep], b[keep]])).pvalue


@pytest.mark.parametrize("rows, cols, periodic", [(5, 9, True), (6, 6, False)])
def test_lattice_path_matches_the_other_paths_after_each_sweep(rows, cols, periodic):
    # From one fixed state the law after 1, 2 and 3 sweeps is not stationary; the lattice
    # path and the generic path must agree on it. Systematic scan visits the lattice in
    # row-major order (networkx's node order here), random scan in any order, so it is
    # compared on a relabelled graph with the pairwise path too (the same model as plain
    # factors, which are not relabelled).
    G = nx.grid_2d_graph(rows, cols, periodic=periodic)
    chains, n = 4000, rows * cols
    start = np.zeros((chains, n), dtype=np.uint8)
    start[:, ::3] = 1
    for scan, graph in [("systematic", G), ("random", relabelled(G, 5))]:
        fg = na.FactorGraph.ising(graph, 0.45, h=0.1)
        plain = na.FactorGraph.from_factors(list(fg._scopes), [np.exp(t) for t in fg._logs])
        runs = {}
        for name, model, fast, seed in [
            ("lattice", fg, True, 1),
            ("pairwise", plain, True, 2),
            ("generic", fg, False, 3),
        ]:
            if scan == "systematic" and name == "pairwise":
                continue  # in row-major order, plain factors are recognised as well
            run = na.sample(
                model, [1, 2, 3], chains=chains, scan=scan, seed=seed, init=start, fast=fast
            )
            assert run.path == name
            runs[name] = run.states.astype(int)
        for other in set(runs) - {"lattice"}:
            for t in range(3):
                p = two_sample_p(runs["lattice"][t], runs[other][t], n)
                assert p > ALPHA, (scan, other, t, p)


def test_systematic_scan_in_lattice_order_has_the_law_of_the_models_order():
    # A relabelled lattice is swept in row-major lattice order, the plain factors in the
    # model's order: after burn-in both are draws of the one law.
    G = relabelled(nx.grid_2d_graph(6, 8), 8)
    fg = na.FactorGraph.ising(G, 0.3, h=0.1)
    plain = na.FactorGraph.from_factors(list(fg._scopes), [np.exp(t) for t in fg._logs])
    a = na.sample(fg, [30], chains=4000, scan="systematic", seed=1, burn_in=0)
    b = na.sample(plain, [30], chains=4000, scan="systematic", seed=2, burn_in=0)
    assert (a.path, b.path) == ("lattice", "pairwise")
    p = two_sample_p(a.states[0].astype(int), b.states[0].astype(int), 48)
    assert p > ALPHA, p


def test_states_come_back_in_the_models_order():
    # Strong coupling: neighbours agree far more often than other pairs; a mix-up of the
    # order on the way in or out would destroy that on the graph's edges.
    for G in [nx.grid_2d_graph(12, 20), nx.grid_2d_graph(10, 16, periodic=True)]:
        H = relabelled(G, 9, "strings")
        fg = na.FactorGraph.ising(H, 1.2)
        index = {v: i for i, v in enumerate(H.nodes)}
        edges = np.array([(index[u], index[v]) for u, v in H.edges])
        for chains, scan in [(3, "systematic"), (70, "systematic"), (5, "random")]:
            run = na.sample(fg, [0, 60], chains=chains, scan=scan, seed=2)
            assert run.path == "lattice"
            x = run.states[-1].astype(int)
            assert (x[:, edges[:, 0]] == x[:, edges[:, 1]]).mean() > 0.9
            init = np.random.default_rng(0).integers(0, 2, (chains, fg.n), dtype=np.uint8)
            assert np.array_equal(
                na.sample(fg, [0], chains=chains, scan=scan, seed=1, init=init).states[0], init
            )


@pytest.mark.parametrize("G", [nx.grid_2d_graph(9, 14), nx.grid_2d_graph(6, 11, periodic=True)])
def test_same_states_for_any_thread_count(G):
    fg = na.FactorGraph.ising(relabelled(G, 4), 0.4, h=0.05)
    for chains, scan in [(1, "systematic"), (13, "systematic"), (70, "systematic"), (9, "random")]:
        runs = [
            na.sample(fg, [0, 3, 7], chains=chains, scan=scan, seed=9, threads=t) for t in (1, 2, 3)
        ]
        assert runs[0].path == "lattice"
        for r in runs[1:]:
            assert np.array_equal(r.states, runs[0].states), (chains, scan)


@pytest.mark.parametrize(
    ("G", "path"),
    [
        (nx.grid_2d_graph(64, 96), "lattice"),
        (nx.grid_2d_graph(48, 80, periodic=True), "lattice"),
        (nx.grid_2d_graph(64, 64, periodic=True), "multispin"),
    ],
)
def test_lattice_paths_hear_ctrl_c(G, path):
    fg = na.FactorGraph.ising(G, 0.44)
    assert na.sample(fg, [0], chains=128, scan="systematic", seed=0, burn_in=0).path == path

    def handler(signum, frame):
        sent.append(time.perf_counter())
        raise KeyboardInterrupt

    sent: list[float] = []
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            na.sample(
                fg,
                [10**9],
                chains=128,
                scan="systematic",
                seed=0,
                record="magnetization",
                burn_in=0,
            )
        done = time.perf_counter()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert sent and done - sent[0] < 2.0
