"""
A sweep on a Dask cluster: the 2D Ising sign information over (L, T)
=====================================================================

How much does the sign of the magnetisation of an ``L × L`` Ising lattice at time 0 say
about its sign ``t`` sweeps later, ``I(sign m(X^0); sign m(X^t))``? Below
``T_c = 2 / ln(1 + √2) ≈ 2.269`` the sign is kept (about 1 bit, longer the larger the
lattice); above, it is forgotten within a few sweeps (THEORY §6 item 6; the full study is
the example :doc:`plot_ising_2d`).

Each ``(L, T)`` is one point of a grid, so the study is a *sweep*: :func:`natabs.sweep`
runs the task at every point on a local Dask cluster of two worker processes (the same
call runs on a cluster of many machines: see :doc:`../guide/sweeps`). Every point gets its
own seed from the sweep's seed and the point, so the numbers do not depend on where or in
which order the points ran; the store keeps every finished point, and running the sweep
again computes nothing.
"""

import math
import tempfile
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import natabs as na
import numpy as np
from distributed import Client, LocalCluster
from natabs.errors import NotMixedWarning
from natabs.estimate import mutual_information

T_C = 2 / math.log(1 + math.sqrt(2))
GRID = {"L": [4, 8, 12], "T": [1.6, 1.9, 2.1, 2.3, 2.5, 2.8, 3.2]}
CHAINS, BURN_IN, T_SHOW = 300, 200, 32


def sign_information(L, T, seed):
    """I(sign m(X^0); sign m(X^t)) at t = T_SHOW sweeps, from chains started ordered with
    a random sign and burnt in (below T_c: the two phases; above: the order melts)."""
    fg = na.FactorGraph.ising_lattice(L, beta=1 / T)
    up = np.random.default_rng(seed).integers(0, 2, CHAINS)
    init = np.repeat(up[:, None], L * L, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotMixedWarning)  # the sign is meant to stick
        m = na.sample(fg, [0, T_SHOW], chains=CHAINS, seed=seed, init=init, burn_in=BURN_IN,
                      record="magnetization", threads=1).values
    sign = np.sign(m).astype(int)  # 0 for an exact tie
    return mutual_information(sign[0], sign[1], seed=seed)


def main():
    store = tempfile.mkdtemp(prefix="natabs-sweep-")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        res = na.sweep(sign_information, GRID, seed=2026, executor=client.get_executor(),
                       store=store, progress=False)
        took = time.perf_counter() - start
        again = na.sweep(sign_information, GRID, seed=2026, executor=client.get_executor(),
                         store=store, progress=False)

    assert again.records == res.records and again.computed == 0
    print(f"{len(res)} points on 2 Dask workers in {took:.1f} s; run again: "
          f"{again.computed} computed, {again.reused} from the store")
    print(f"I(sign m(X^0); sign m(X^{T_SHOW})) in bits, {CHAINS} chains, T_c = {T_C:.3f}")
    print("    T  " + "".join(f"     L={L:<3d}" for L in GRID["L"]))
    by_point = {(r["L"], r["T"]): r for r in res}
    for T in GRID["T"]:
        print(f"{T:5.2f}  " + "".join(f"  {by_point[L, T]['bits']:8.3f}" for L in GRID["L"]))
    for r in res:
        assert 0 <= r["low"] <= r["bits"] <= r["high"] <= math.log2(3)
    # THEORY §6 item 6: kept below T_c (more so for larger L), forgotten above
    assert by_point[12, 1.6]["bits"] > 0.8 and by_point[12, 3.2]["bits"] < 0.2

    fig, ax = plt.subplots(figsize=(6, 4))
    for L in GRID["L"]:
        rows = [by_point[L, T] for T in GRID["T"]]
        bits = np.array([r["bits"] for r in rows])
        err = [bits - [r["low"] for r in rows], [r["high"] for r in rows] - bits]
        ax.errorbar(GRID["T"], bits, yerr=err, marker="o", capsize=3, label=f"L = {L}")
    ax.axvline(T_C, color="grey", ls="--", lw=1, label="T_c")
    ax.set(xlabel="temperature T", ylabel="bits", ylim=(-0.05, 1.1),
           title=f"sign information after {T_SHOW} sweeps ({len(res)} points)")
    ax.legend(fontsize=8)
    fig.tight_layout()


# Dask's worker processes import this script again: the cluster starts only in the main one.
if __name__ == "__main__":
    main()
