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

The estimate needs chains in equilibrium at sweep 0, and near ``T_c`` a short burn-in
may not get there. So every point also checks its chains, as :doc:`plot_ising_2d` does:
the size ``|m|`` of the magnetisation, recorded every 4 sweeps over the 160 sweeps from
sweep 0, must be stationary (nested R̂ of the two halves at most 1.01, chains that move:
``mixed``) with an autocorrelation time the window resolves (``resolved``), by
:func:`natabs.sampling.diagnose`; a window that long needs a burn-in of only 72 sweeps
before it for the same work. Points that fail are printed with the reason and left
out of the figure. The sign itself is *expected* not to mix below ``T_c`` (it is the
information measured), so the warning ``sample`` gives for it is silenced.
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
from natabs.sampling import diagnose

T_C = 2 / math.log(1 + math.sqrt(2))
GRID = {"L": [4, 8, 12], "T": [1.6, 1.9, 2.1, 2.3, 2.5, 2.8, 3.2]}
CHAINS, BURN_IN, T_SHOW = 300, 72, 32
RECORD = list(range(0, 161, 4))  # |m| every 4 sweeps, for the diagnostics


def sign_information(L, T, seed):
    """I(sign m(X^0); sign m(X^t)) at t = T_SHOW sweeps, from chains started ordered with
    a random sign and burnt in (below T_c: the two phases; above: the order melts), and
    whether |m| says the chains were in equilibrium."""
    fg = na.FactorGraph.ising_lattice(L, beta=1 / T)
    up = np.random.default_rng(seed).integers(0, 2, CHAINS)
    init = np.repeat(up[:, None], L * L, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotMixedWarning)  # the sign is meant to stick
        m = na.sample(
            fg,
            RECORD,
            chains=CHAINS,
            seed=seed,
            init=init,
            burn_in=BURN_IN,
            record="magnetization",
            threads=1,
        ).values
    sign = np.sign(m).astype(int)  # 0 for an exact tie
    est = mutual_information(sign[0], sign[RECORD.index(T_SHOW)], seed=seed)
    diag = diagnose(np.abs(m), RECORD, burn_in=BURN_IN)
    return {
        "bits": est.bits,
        "low": est.low,
        "high": est.high,
        "mixed": diag.mixed,
        "resolved": diag.resolved,
        "nrhat": diag.nrhat,
        "tau": diag.tau,
    }


def verdict(r):
    """'' for an equilibrated point (mixed and resolved), else why it is left out."""
    why = []
    if not r["mixed"]:
        why.append(f"not mixed (nested R-hat {r['nrhat']:.3f})")
    if not r["resolved"]:
        why.append(f"not resolved (tau >= {r['tau']:.0f} sweeps)")
    return "; ".join(why)


def main():
    store = tempfile.mkdtemp(prefix="natabs-sweep-")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        res = na.sweep(
            sign_information,
            GRID,
            seed=2026,
            executor=client.get_executor(),
            store=store,
            progress=False,
        )
        took = time.perf_counter() - start
        again = na.sweep(
            sign_information,
            GRID,
            seed=2026,
            executor=client.get_executor(),
            store=store,
            progress=False,
        )

    assert again.records == res.records and again.computed == 0
    print(
        f"{len(res)} points on 2 Dask workers in {took:.1f} s; run again: "
        f"{again.computed} computed, {again.reused} from the store"
    )
    print(f"I(sign m(X^0); sign m(X^{T_SHOW})) in bits, {CHAINS} chains, T_c = {T_C:.3f}")
    print("('*': left out of the figure, chains not in equilibrium; reasons below)")
    print("    T  " + "".join(f"     L={L:<3d}" for L in GRID["L"]))
    by_point = {(r["L"], r["T"]): r for r in res}
    for T in GRID["T"]:
        print(
            f"{T:5.2f}  "
            + "".join(
                f"  {by_point[L, T]['bits']:7.3f}{'*' if verdict(by_point[L, T]) else ' '}"
                for L in GRID["L"]
            )
        )
    for r in res:
        assert 0 <= r["low"] <= r["bits"] <= r["high"] <= math.log2(3)
        if verdict(r):
            print(f"  L = {r['L']}, T = {r['T']}: {verdict(r)}")
    kept = [r for r in res if not verdict(r)]
    print(f"{len(kept)} of {len(res)} points equilibrated")
    # THEORY §6 item 6: kept below T_c (more so for larger L), forgotten above
    assert not verdict(by_point[12, 1.6]) and not verdict(by_point[12, 3.2])
    assert by_point[12, 1.6]["bits"] > 0.8 and by_point[12, 3.2]["bits"] < 0.2

    fig, ax = plt.subplots(figsize=(6, 4))
    for L in GRID["L"]:
        rows = [r for r in kept if r["L"] == L]
        bits = np.array([r["bits"] for r in rows])
        err = [bits - [r["low"] for r in rows], [r["high"] for r in rows] - bits]
        ax.errorbar([r["T"] for r in rows], bits, yerr=err, marker="o", capsize=3, label=f"L = {L}")
    ax.axvline(T_C, color="grey", ls="--", lw=1, label="T_c")
    ax.set(
        xlabel="temperature T",
        ylabel="bits",
        ylim=(-0.05, 1.1),
        title=f"sign information after {T_SHOW} sweeps "
        f"({len(kept)} equilibrated points of {len(res)})",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()


# Dask's worker processes import this script again: the cluster starts only in the main one.
if __name__ == "__main__":
    main()
