"""Block-Gibbs throughput: natabs against what a user would run instead.

0. THRML (Extropic's JAX block-Gibbs library, CPU) against natabs, end to end from a
   networkx lattice (model construction, compilation and sampling all timed): 256×256
   periodic Ising, beta = 0.44, systematic sweeps, 8 and 64 chains, equal work (skipped
   with a note when thrml is not installed: ``pip install natabs[bench]``); then the
   multi-spin rate (spin updates per ns per core) and the flips-per-ns curve against
   parallel chains × sites (``--figure PATH`` writes it as a PNG).

1. Single-site heat-bath Ising on a 256×256 periodic lattice: natabs (1 and 2 threads)
   against a vectorised numpy checkerboard heat-bath (written below, as a user would).
2. pgmpy's GibbsSampling on a 9-node Bayesian network (skipped with a note if pgmpy is not
   installed), against natabs on the same network.
3. A DAG of 10^5 binary nodes, each with a 3-parent conditional table (target: 50 million
   updates/s).
4. ``lattices``: open 256×256 and periodic 128×512 Ising lattices through the user's call
   (``FactorGraph.ising(nx.grid_2d_graph(...), 0.44)`` then ``sample``), the lattice path
   against the pairwise path on the same model.
5. ``fixed``: the fixed cost of a repeat ``sample`` call on a 512×512 lattice (sweeps=[0]
   and [1], 1 to 64 chains, systematic and random scan; target < 10 ms) and the per-call
   overhead on an 8×8 lattice.

Every ratio is measured in the same run; each section also checks that the samplers
agree on a physical quantity. Run: ``python benchmarks/gibbs.py`` (a few minutes), or
name sections: ``python benchmarks/gibbs.py thrml multispin curve ising pgmpy dag paths
lattices fixed``.
The machine may be shared: timings are medians of repeats.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time

import networkx as nx
import numpy as np

import natabs as na

L = 256
BETA = 0.44


def timed(f, repeat=1):
    """Result and the best wall time of ``repeat`` calls (the machine may be shared)."""
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return out, best


def median_time(f, repeat=3):
    """Result and the median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


# -- 0. THRML, end to end, and the multi-spin path ---------------------------------------------


def thrml_run(G, beta, chains, sweeps, seed=0):
    """THRML as its documentation runs it: SpinNodes, an IsingEBM, the two colour classes
    of the lattice as the blocks (a systematic sweep), chains by ``jax.vmap``. Returns the
    final states as a (chains, n) bool array; everything from the graph on is timed."""
    import jax
    import jax.numpy as jnp
    from thrml import Block, SamplingSchedule, sample_states
    from thrml.models import IsingEBM, IsingSamplingProgram, hinton_init
    from thrml.pgm import SpinNode

    labels = list(G.nodes)
    nodes = [SpinNode() for _ in labels]
    idx = {v: i for i, v in enumerate(labels)}
    edges = [(nodes[idx[u]], nodes[idx[v]]) for u, v in G.edges]
    color = nx.bipartite.color(G)
    blocks = [Block([nodes[idx[v]] for v in labels if color[v] == c]) for c in (0, 1)]
    model = IsingEBM(nodes, edges, jnp.zeros(len(nodes)), jnp.ones(len(edges)), jnp.array(beta))
    program = IsingSamplingProgram(model, blocks, clamped_blocks=[])
    schedule = SamplingSchedule(n_warmup=sweeps, n_samples=1, steps_per_sample=1)
    k_init, k_run = jax.random.split(jax.random.key(seed))
    init = hinton_init(k_init, model, blocks, (chains,))
    keys = jax.random.split(k_run, chains)
    run = jax.jit(jax.vmap(lambda k, s: sample_states(k, program, schedule, s, [], [Block(nodes)])))
    return np.asarray(run(keys, init)[0])[:, 0, :]


def natabs_run(G, beta, chains, sweeps, seed=0, threads=None, record="states"):
    """natabs as a user calls it: the model from the networkx graph, then ``sample``."""
    fg = na.FactorGraph.ising(G, beta)
    run = na.sample(
        fg,
        [sweeps],
        chains=chains,
        scan="systematic",
        seed=seed,
        threads=threads,
        burn_in=0,
        record=record,
    )
    return run


def thrml_section():
    print(
        f"== 0. natabs against THRML: {L}x{L} periodic Ising, beta = {BETA}, systematic "
        f"sweeps, end to end from the networkx graph =="
    )
    try:
        import jax
        import thrml
    except ImportError as e:
        print(f"skipped: thrml is not installed ({e}); pip install 'natabs[bench]'")
        return None
    print(
        f"thrml {thrml.__version__ if hasattr(thrml, '__version__') else '?'}, "
        f"jax {jax.__version__} on {jax.devices()[0].platform}"
    )
    G = nx.grid_2d_graph(L, L, periodic=True)
    out = {}
    for chains, sweeps, repeat in ((8, 200, 3), (64, 50, 3)):
        work = chains * sweeps * L * L
        x_th, t_th = median_time(lambda c=chains, s=sweeps: thrml_run(G, BETA, c, s), repeat)
        run, t_na = median_time(lambda c=chains, s=sweeps: natabs_run(G, BETA, c, s), repeat)
        out[chains] = (work / t_na, work / t_th)
        print(
            f"{chains:3d} chains x {sweeps} sweeps: natabs {t_na:6.2f} s "
            f"({work / t_na / 1e6:7.1f} M updates/s, path {run.path}), THRML {t_th:6.2f} s "
            f"({work / t_th / 1e6:6.1f} M updates/s): natabs / THRML = {t_th / t_na:5.1f}x "
            f"(target >= 20x)"
        )
    # agreement: energy per site at beta = 0.3, 32x32, after 300 sweeps from each start
    small = nx.grid_2d_graph(32, 32, periodic=True)
    x_th = thrml_run(small, 0.3, 64, 300, seed=1).reshape(64, 32, 32)
    e_th = energy_per_site(2 * x_th.astype(np.int8) - 1)
    x_na = natabs_run(small, 0.3, 64, 300, seed=1).states[0].reshape(64, 32, 32)
    e_na = energy_per_site(2 * x_na.astype(np.int8) - 1)
    print(
        f"agreement at beta=0.3, 32x32, 64 chains: energy/site THRML {e_th.mean():.4f} "
        f"+- {e_th.std() / 8:.4f}, natabs {e_na.mean():.4f} +- {e_na.std() / 8:.4f}"
    )
    return out


def multispin_rate(L_, chains, sweeps, repeat=5, threads=1):
    """Median spin updates per ns of ``sample`` on the multi-spin path, setup subtracted."""
    fg = na.FactorGraph.ising(nx.grid_2d_graph(L_, L_, periodic=True), BETA)
    run = lambda s: na.sample(
        fg,
        [s],
        chains=chains,
        scan="systematic",
        seed=1,
        threads=threads,
        burn_in=0,
        record="magnetization",
    )
    run(1)
    rates = []
    for _ in range(repeat):
        _, t0 = timed(lambda: run(0))
        r, t = timed(lambda: run(sweeps))
        rates.append(chains * sweeps * L_ * L_ / max(t - t0, 1e-9) / 1e9)
    return statistics.median(rates), r.path


def cpu_rate(run, updates, repeat=5):
    """Median updates per ns of CPU time of a 1-thread ``run(sweeps)`` (setup subtracted):
    the per-core rate, whatever else the machine is running."""
    run(1)
    rates = []
    for _ in range(repeat):
        t = time.process_time()
        run(0)
        t0 = time.process_time() - t
        t = time.process_time()
        out = run(None)
        rates.append(updates / max(time.process_time() - t - t0, 1e-9) / 1e9)
    return statistics.median(rates), out


def multispin_section():
    print(f"\n== multi-spin coding: {L}x{L}, systematic sweeps ==")
    fg = na.FactorGraph.ising(nx.grid_2d_graph(L, L, periodic=True), BETA)
    for chains in (8, 64, 256, 1024):
        sweeps = max(10, int(4e8 / (chains * L * L)))

        def run(s, chains=chains, sweeps=sweeps):
            return na.sample(
                fg,
                [sweeps if s is None else s],
                chains=chains,
                scan="systematic",
                seed=1,
                threads=1,
                burn_in=0,
                record="magnetization",
            )

        per_core, r = cpu_rate(run, chains * sweeps * L * L)
        wall, _ = multispin_rate(L, chains, sweeps, threads=1)
        print(
            f"{chains:4d} chains, 1 thread: {per_core:5.2f} spin updates per ns of CPU time "
            f"({wall:5.2f} per ns of wall time; path {r.path}; target >= 5 per core)"
        )


def paths_section():
    """Random scan and the DAG path, per ns of CPU time on 1 thread; with
    ``NATABS_BASELINE=<python dir of another build>`` the same in a child process on it."""
    import subprocess

    code = (
        "import sys; sys.argv = ['gibbs.py']; import runpy; "
        f"m = runpy.run_path({os.path.abspath(__file__)!r}); m['paths_rates']()"
    )
    print("\n== random scan and DAG paths, 1 thread, updates per second of CPU time ==")
    here = paths_rates()
    base = os.environ.get("NATABS_BASELINE")
    if base:
        env = dict(os.environ, PYTHONPATH=base)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        there = [float(x) for x in out.split("RATES")[1].split()]
        for name, a, b in zip(
            (
                "Ising 256x256 random scan, 16 chains",
                "DAG 10^5 nodes random scan, 16 chains",
                "DAG 10^5 nodes systematic, 16 chains",
            ),
            here,
            there,
        ):
            print(
                f"{name}: this build {a * 1e3:.1f} M/s, baseline ({base}) {b * 1e3:.1f} M/s "
                f"= {a / b:.2f}x (per s of CPU time)"
            )


def paths_rates():
    fg = na.FactorGraph.ising_lattice(L, BETA)
    init = np.zeros((16, L * L), dtype=np.uint8)
    ising = lambda s: na.sample(
        fg,
        [30 if s is None else s],
        chains=16,
        seed=1,
        init=init,
        threads=1,
        record="majority",
        scan="random",
    )
    r1, _ = cpu_rate(ising, 16 * 30 * L * L, repeat=3)
    G = big_dag(100_000, 1000, np.random.default_rng(7))
    dag = na.FactorGraph.from_dag(G)
    rates = [r1]
    for scan in ("random", "systematic"):

        def run(s, scan=scan):
            return na.sample(
                dag, [3 if s is None else s], chains=16, seed=0, threads=1, record=[0], scan=scan
            )

        rates.append(cpu_rate(run, 16 * 3 * 100_000, repeat=3)[0])
    print("RATES", *rates)
    return rates


def swapped(G):
    """``G`` with two far-apart horizontal edges exchanged between their ends: every degree
    and so every threshold table kept, one long-range pair of edges, not a lattice."""
    H = G.copy()
    rows = 1 + max(r for r, _ in G.nodes)
    cols = 1 + max(c for _, c in G.nodes)
    (u1, v1), (u2, v2) = ((10, 10), (10, 11)), ((rows // 2, cols // 2), (rows // 2, cols // 2 + 1))
    H.remove_edges_from([(u1, v1), (u2, v2)])
    H.add_edges_from([(u1, v2), (u2, v1)])
    return H


def lattices_section():
    """Open and rectangular lattices through the user's call, against the pairwise path on
    the same model with two edges swapped (every degree and threshold table kept, so the
    pairwise path runs as it did on these graphs before they took the lattice path)."""
    print(
        "\n== open 256x256 and periodic 128x512 lattices, Ising beta = 0.44: the lattice "
        "path against the pairwise path on the model with two edges swapped, updates per "
        "ns of CPU time (1 thread) =="
    )
    out = {}
    for name, make in (
        ("open 256x256", lambda: nx.grid_2d_graph(256, 256)),
        ("periodic 128x512", lambda: nx.grid_2d_graph(128, 512, periodic=True)),
    ):
        G = make()
        t = time.perf_counter()
        fg = na.FactorGraph.ising(G, BETA)
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        first = na.sample(
            fg, [1], chains=8, scan="systematic", seed=0, burn_in=0, record="magnetization"
        )
        t_first = time.perf_counter() - t
        n = fg.n
        H = swapped(G)
        other = na.FactorGraph.ising(H, BETA)
        print(
            f"{name}: FactorGraph.ising {t_build * 1e3:.0f} ms, first sample "
            f"(recognition, compilation, 1 sweep of 8 chains) {t_first * 1e3:.0f} ms, "
            f"path {first.path}"
        )
        # End to end, as a user runs it: a fresh model from the graph, 8 chains x 100
        # systematic sweeps on all threads (median of 3).
        ends = {}
        for path, graph in (("lattice", G), ("pairwise", H)):
            r, ends[path] = median_time(
                lambda g=graph: na.sample(
                    na.FactorGraph.ising(g, BETA),
                    [100],
                    chains=8,
                    scan="systematic",
                    seed=2,
                    burn_in=0,
                    record="magnetization",
                )
            )
            assert r.path == path, (r.path, path)
        out[name, "end to end"] = ends
        print(
            f"  end to end (FactorGraph.ising + sample, 8 chains x 100 sweeps, all threads): "
            f"lattice {ends['lattice']:.2f} s, pairwise {ends['pairwise']:.2f} s = "
            f"{ends['pairwise'] / ends['lattice']:.2f}x"
        )
        for chains, scan, sweeps in (
            (1, "systematic", 40),
            (8, "systematic", 10),
            (8, "random", 10),
        ):
            rates = {}
            for path, model in (("lattice", fg), ("pairwise", other)):

                def run(s, model=model, chains=chains, scan=scan, sweeps=sweeps):
                    return na.sample(
                        model,
                        [sweeps if s is None else s],
                        chains=chains,
                        scan=scan,
                        seed=1,
                        threads=1,
                        burn_in=0,
                        record="magnetization",
                    )

                rate, r = cpu_rate(run, chains * sweeps * n, repeat=3)
                assert r.path == path, (r.path, path)
                rates[path] = rate
            out[name, chains, scan] = rates
            print(
                f"  {chains} chain{'s' if chains > 1 else ''}, {scan:10s}: lattice "
                f"{rates['lattice']:.3f}, pairwise {rates['pairwise']:.3f} updates/ns = "
                f"{rates['lattice'] / rates['pairwise']:.2f}x"
            )
    return out


def curve_section(figure=None, thrml_rates=None):
    """Flips per ns against parallel chains x sites (THRML's published axes)."""
    print("\n== flips per ns (wall time) against parallel chains x sites (natabs, all threads) ==")
    points = []
    for L_, chains in (
        (32, 8),
        (32, 64),
        (64, 64),
        (64, 256),
        (128, 64),
        (128, 512),
        (256, 8),
        (256, 64),
        (256, 256),
        (512, 128),
    ):
        sweeps = max(2, int(2e8 / (chains * L_ * L_)))
        rate, path = multispin_rate(L_, chains, sweeps, repeat=3, threads=None)
        points.append((chains * L_ * L_, rate, path, L_, chains))
        print(
            f"L={L_:3d} chains={chains:4d} chains x sites={chains * L_ * L_:>10d}: "
            f"{rate:5.2f} flips/ns ({path})"
        )
    if figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        for path, marker in (("multispin", "o"), ("lattice", "s")):
            pts = [p for p in points if p[2] == path]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker, label=f"natabs ({path})")
        if thrml_rates:
            xs = [c * L * L for c in thrml_rates]
            ax.plot(xs, [r[1] / 1e9 for r in thrml_rates.values()], "^", label="THRML (JAX, CPU)")
            ax.plot(xs, [r[0] / 1e9 for r in thrml_rates.values()], "v", label="natabs, end to end")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parallel chains x sites")
        ax.set_ylabel("flips / ns")
        ax.set_title(f"heat-bath Ising, beta = {BETA}, {os.cpu_count()} CPUs")
        ax.legend()
        fig.tight_layout()
        fig.savefig(figure, dpi=110)
        print(f"figure written to {figure}")
    return points


# -- 1. Ising 256 x 256 ------------------------------------------------------------------------


def numpy_checkerboard(L, beta, sweeps, rng, spins=None):
    """Heat-bath on the two sublattices in turn, vectorised (one sweep = L*L updates)."""
    s = rng.choice(np.array([-1, 1], dtype=np.int8), size=(L, L)) if spins is None else spins
    ii, jj = np.indices((L, L))
    masks = [(ii + jj) % 2 == c for c in (0, 1)]
    for _ in range(sweeps):
        for m in masks:
            field = (
                np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
            ).astype(np.float64)
            p_up = 1.0 / (1.0 + np.exp(-2.0 * beta * field))
            new = np.where(rng.random((L, L)) < p_up, 1, -1).astype(np.int8)
            s[m] = new[m]
    return s


def energy_per_site(s):
    """-(1/N) Σ_<ij> s_i s_j on the torus, for ±1 spins of shape (..., L, L)."""
    return -(s * np.roll(s, 1, -1) + s * np.roll(s, 1, -2)).mean(axis=(-1, -2))


def ising_section():
    print(f"== 1. heat-bath Ising {L}x{L} periodic, beta = {BETA} ==")
    fg, t_build = timed(lambda: na.FactorGraph.ising_lattice(L, BETA))
    print(f"model built in {t_build:.2f} s")
    rng = np.random.default_rng(0)
    sweeps_np = 20
    _, t_np = timed(lambda: numpy_checkerboard(L, BETA, sweeps_np, rng), repeat=3)
    rate_np = sweeps_np * L * L / t_np
    print(f"numpy checkerboard     : {rate_np / 1e6:8.2f} M updates/s")

    chains, sweeps = 16, 60
    init = np.zeros((chains, L * L), dtype=np.uint8)
    rates = {}
    for scan in ("random", "systematic"):
        run = lambda threads, s: na.sample(
            fg,
            sweeps=[s],
            chains=chains,
            seed=1,
            init=init,
            threads=threads,
            record="majority",
            scan=scan,
        )
        _, t0 = timed(lambda: run(None, 0), repeat=3)
        for threads in (1, 2):
            _, t = timed(lambda: run(threads, sweeps), repeat=3)
            rates[scan, threads] = chains * sweeps * L * L / (t - t0)
            print(
                f"natabs {scan:10s} {threads} thread{'s' if threads > 1 else ' '}: "
                f"{rates[scan, threads] / 1e6:8.2f} M updates/s "
                f"({rates[scan, threads] / rate_np:5.1f}x numpy; setup {t0:.2f} s subtracted)"
            )
        print(
            f"  {scan}: speed-up 1 -> 2 threads {rates[scan, 2] / rates[scan, 1]:.2f}x; "
            f"2 threads / numpy = {rates[scan, 2] / rate_np:.1f}x (target >= 20x)"
        )

    # agreement: mean energy per site at beta = 0.3 (fast mixing), both samplers
    b = 0.3
    s = numpy_checkerboard(64, b, 300, np.random.default_rng(2))
    e_np = []
    for _ in range(50):
        s = numpy_checkerboard(64, b, 2, np.random.default_rng(len(e_np)), spins=s)
        e_np.append(energy_per_site(s))
    small = na.FactorGraph.ising_lattice(64, b)
    states = na.sample(small, sweeps=[300, 400], chains=16, seed=3).states
    spins = 2 * states.astype(np.int8).reshape(2, 16, 64, 64) - 1
    e_na = energy_per_site(spins).ravel()
    print(
        f"agreement at beta=0.3, 64x64: energy/site numpy {np.mean(e_np):.4f} "
        f"+- {np.std(e_np) / math.sqrt(len(e_np)):.4f}, natabs {e_na.mean():.4f} "
        f"+- {e_na.std() / math.sqrt(e_na.size):.4f}"
    )
    return rates, rate_np


# -- 2. pgmpy ----------------------------------------------------------------------------------


def nine_node_network(rng):
    """A 9-node binary network: node i has up to 2 parents among the 3 before it."""
    G = nx.DiGraph()
    G.add_nodes_from(range(9))
    for i in range(9):
        parents = (
            sorted(rng.choice(range(max(0, i - 3), i), size=min(i, 2), replace=False)) if i else []
        )
        G.add_edges_from((int(p), i) for p in parents)
        t = rng.dirichlet([2.0, 2.0], size=2 ** len(parents)).reshape(*([2] * len(parents)), 2)
        G.nodes[i]["cpd"] = t
        G.nodes[i]["parents"] = [int(p) for p in parents]
    return G


def pgmpy_section():
    print("\n== 2. pgmpy GibbsSampling, 9-node Bayesian network ==")
    try:
        import logging
        import warnings

        warnings.filterwarnings("ignore")
        logging.getLogger("pgmpy").setLevel(logging.ERROR)
        from pgmpy import config
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork
        from pgmpy.sampling import GibbsSampling
    except ImportError as e:
        print(f"skipped: pgmpy is not installed ({e}); pip install pgmpy to compare")
        return None
    config.set_show_progress(False)
    G = nine_node_network(np.random.default_rng(5))
    model = DiscreteBayesianNetwork(list(G.edges))
    model.add_nodes_from(G.nodes)
    for v in G.nodes:
        pa = G.nodes[v]["parents"]
        t = G.nodes[v]["cpd"]
        values = t.reshape(-1, 2).T  # (card, prod parent cards), first parent slowest
        model.add_cpds(
            TabularCPD(v, 2, values, evidence=pa or None, evidence_card=[2] * len(pa) or None)
        )
    model.check_model()
    fg = na.FactorGraph.from_pgmpy(model)
    gibbs = GibbsSampling(model)
    size = 400
    samples, t_pg = timed(lambda: gibbs.sample(size=size, seed=0))
    rate_pg = size * 9 / t_pg
    chains, sweeps = 2000, 500
    run, t_na = timed(
        lambda: na.sample(fg, sweeps=[sweeps], chains=chains, seed=0, threads=1), repeat=3
    )
    rate_na = chains * sweeps * 9 / t_na
    print(f"pgmpy GibbsSampling    : {rate_pg / 1e3:10.2f} k updates/s")
    print(
        f"natabs, 1 thread       : {rate_na / 1e3:10.2f} k updates/s  ({rate_na / rate_pg:.0f}x pgmpy)"
    )
    exact = fg.to_system()
    want = np.array([exact.marginal([i]).to_table()[1] for i in range(9)])
    got_na = run.states[0].mean(axis=0)
    columns = {str(c): c for c in samples.columns}
    got_pg = np.array([samples[columns[name]].to_numpy().astype(float).mean() for name in fg.names])
    print(
        f"agreement, P(x_i = 1): max |natabs - exact| = {np.abs(got_na - want).max():.3f}, "
        f"max |pgmpy - exact| = {np.abs(got_pg - want).max():.3f} ({size} correlated samples)"
    )
    return rate_na / rate_pg


# -- 3. A large DAG ------------------------------------------------------------------------------


def big_dag(n, window, rng):
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for i in range(n):
        k = min(i, 3)
        lo = max(0, i - window)
        parents = sorted(rng.choice(np.arange(lo, i), size=k, replace=False).tolist()) if k else []
        G.add_edges_from((p, i) for p in parents)
        G.nodes[i]["cpd"] = rng.dirichlet([1.0, 1.0], size=2**k).reshape(*([2] * k), 2)
        G.nodes[i]["parents"] = parents
    return G


def dag_section():
    n = 100_000
    print(f"\n== 3. DAG of {n} binary nodes, 3 parents each (within the previous 1000) ==")
    G, t_g = timed(lambda: big_dag(n, 1000, np.random.default_rng(7)))
    fg, t_b = timed(lambda: na.FactorGraph.from_dag(G))
    print(f"graph built in {t_g:.1f} s, FactorGraph.from_dag in {t_b:.1f} s")
    chains, sweeps = 16, 5
    rates = {}
    for scan in ("random", "systematic"):
        run = lambda threads, s: na.sample(
            fg, sweeps=[s], chains=chains, seed=0, threads=threads, record=[0], scan=scan
        )
        _, t0 = timed(lambda: run(None, 0), repeat=2)
        for threads in (1, 2):
            _, t = timed(lambda: run(threads, sweeps), repeat=2)
            rates[scan, threads] = chains * sweeps * n / (t - t0)
            print(
                f"natabs {scan:10s} {threads} thread{'s' if threads > 1 else ' '}: "
                f"{rates[scan, threads] / 1e6:8.2f} M updates/s (setup and exact ancestral "
                f"start, {t0:.2f} s, subtracted)"
            )
        print(
            f"  {scan}: speed-up 1 -> 2 threads {rates[scan, 2] / rates[scan, 1]:.2f}x "
            f"(target >= 50 M updates/s)"
        )
    return rates


# -- the fixed cost of a call --------------------------------------------------------------


def call_times(f, repeat=9):
    """Median wall and median CPU time (all threads of the process) of ``repeat`` calls."""
    wall, cpu = [], []
    f()  # the first call compiles the model (kept on it): not a fixed cost
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        f()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return statistics.median(wall), statistics.median(cpu)


def fixed_section(side=512):
    """What a repeat ``sample`` call costs before its first update (sweeps=[0]) and with
    one sweep, on a model built once: the time that is not proportional to the work."""
    print(
        f"\n== fixed cost of a sample call: {side}x{side} periodic Ising (built once), "
        f"record='magnetization', burn_in=0 =="
    )
    fg = na.FactorGraph.ising(nx.grid_2d_graph(side, side, periodic=True), BETA)
    worst = 0.0
    for scan in ("systematic", "random"):
        for chains in (1, 8, 64):
            kw = {
                "chains": chains,
                "progress": False,
                "scan": scan,
                "burn_in": 0,
                "record": "magnetization",
            }
            path = na.sample(fg, [0], seed=0, **kw).path
            seeds = iter(range(1, 1000))

            def call(sweeps, kw=kw, seeds=seeds):
                return na.sample(fg, sweeps, seed=next(seeds), **kw)

            w0, c0 = call_times(lambda: call([0]))
            w1, c1 = call_times(lambda: call([1]))
            worst = max(worst, w0)
            print(
                f"{scan:10s} {path:9s} {chains:2d} chains: sweeps=[0] {w0 * 1e3:6.1f} ms "
                f"(CPU {c0 * 1e3:6.1f} ms)   sweeps=[1] {w1 * 1e3:6.1f} ms "
                f"(CPU {c1 * 1e3:6.1f} ms)"
            )
    print(
        f"fixed cost {worst * 1e3:.1f} ms (target < 10 ms): the largest median time before "
        f"the first sweep above"
    )
    small = na.FactorGraph.ising(nx.grid_2d_graph(8, 8, periodic=True), BETA)
    for rec in ("magnetization", "states"):
        kw = {"chains": 1, "progress": False, "scan": "random", "record": rec, "burn_in": 0}
        seeds = iter(range(1, 100000))

        def call_small(kw=kw, seeds=seeds):
            return na.sample(small, [1], seed=next(seeds), **kw)

        w, c = call_times(call_small, repeat=301)
        print(
            f"8x8 lattice, 1 chain, sweeps=[1], burn_in=0, record={rec!r}: {w * 1e6:.0f} us "
            f"per call "
            f"(CPU {c * 1e6:.0f} us)"
        )
    return worst


def main(argv):
    figure = None
    if "--figure" in argv:
        figure = argv[argv.index("--figure") + 1]
        argv = [a for a in argv if a not in ("--figure", figure)]
    want = set(argv) or {
        "thrml",
        "multispin",
        "ising",
        "pgmpy",
        "dag",
        "paths",
        "lattices",
        "fixed",
    }
    print(f"natabs {na.__version__}, {os.cpu_count()} logical CPUs\n")
    th = thrml_section() if "thrml" in want else None
    if "multispin" in want:
        multispin_section()
    if "curve" in want or figure:
        curve_section(figure, th)
    rates = ising_section() if "ising" in want else None
    pg = pgmpy_section() if "pgmpy" in want else None
    dag = dag_section() if "dag" in want else None
    if "paths" in want:
        paths_section()
    lat = lattices_section() if "lattices" in want else None
    fixed = fixed_section() if "fixed" in want else None
    print("\n== summary (median or best of repeated timings; shared machine) ==")
    if th:
        for chains, (r_na, r_th) in th.items():
            print(
                f"THRML 256x256 {chains} chains end to end: natabs {r_na / 1e6:.0f} M/s, "
                f"THRML {r_th / 1e6:.1f} M/s = {r_na / r_th:.1f}x"
            )
    if rates is not None:
        rates, rate_np = rates
        for scan in ("random", "systematic"):
            print(
                f"Ising 256x256 {scan:10s}: natabs {rates[scan, 1] / 1e6:6.1f} / "
                f"{rates[scan, 2] / 1e6:6.1f} M updates/s (1 / 2 threads) = "
                f"{rates[scan, 2] / rate_np:.1f}x numpy checkerboard ({rate_np / 1e6:.1f} M/s); "
                f"1->2 threads {rates[scan, 2] / rates[scan, 1]:.2f}x"
            )
    if fixed is not None:
        print(
            f"fixed cost of a sample call (512x512, up to 64 chains): {fixed * 1e3:.1f} ms "
            f"(target < 10 ms)"
        )
    if pg is not None:
        print(f"9-node BN: natabs (1 thread) / pgmpy GibbsSampling = {pg:.0f}x")
    if lat:
        for key, r in lat.items():
            if key[1] == "end to end":
                print(
                    f"{key[0]} end to end, 8 chains x 100 sweeps: pairwise time / lattice "
                    f"time = {r['pairwise'] / r['lattice']:.2f}x"
                )
            else:
                name, chains, scan = key
                print(
                    f"{name} {chains} chains {scan}: lattice path / pairwise path = "
                    f"{r['lattice'] / r['pairwise']:.2f}x (per ns of CPU time)"
                )
    for scan in ("random", "systematic") if dag else ():
        print(
            f"DAG 10^5 nodes {scan:10s}: {dag[scan, 1] / 1e6:6.1f} / {dag[scan, 2] / 1e6:6.1f} "
            f"M updates/s (1 / 2 threads)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
