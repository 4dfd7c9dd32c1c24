"""One sweep of 64 points, serially and on a 2-worker Dask LocalCluster.

The points are the 2D Ising sign information ``I(sign m(X^0); sign m(X^t))`` over a grid
of lattice sizes L and temperatures T (the study of docs/examples/plot_sweep_ising.py);
each point samples its chains on one thread (``threads=1``), so the serial run uses one
core and the cluster one core per worker. Both runs are timed in the same process on the
same grid, and their records must be identical (each point's seed comes from the sweep's
seed and the point, not from where it ran). The cluster's start-up is timed apart.

Run:  python benchmarks/sweeps.py [--workers 2] [--chains 400]
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import time
import warnings

import natabs as na
import numpy as np
from natabs.errors import NotMixedWarning
from natabs.estimate import mutual_information

SIZES = [8, 16]
TEMPS = [round(1.5 + 0.06 * i, 2) for i in range(32)]  # 1.5 .. 3.36, across T_c = 2.269


def sign_information(L, T, seed, chains=400, burn_in=100, t=50):
    fg = na.FactorGraph.ising_lattice(L, beta=1 / T)
    up = np.random.default_rng(seed).integers(0, 2, chains)
    init = np.repeat(up[:, None], L * L, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotMixedWarning)
        m = na.sample(fg, [0, t], chains=chains, seed=seed, init=init, burn_in=burn_in,
                      record="magnetization", threads=1).values
    sign = np.sign(m).astype(int)
    return mutual_information(sign[0], sign[1], seed=seed, bootstrap=200)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chains", type=int, default=400)
    args = ap.parse_args()
    from functools import partial

    from distributed import Client, LocalCluster

    grid = {"L": SIZES, "T": TEMPS}
    task = partial(sign_information, chains=args.chains)
    points = len(SIZES) * len(TEMPS)
    print(f"natabs {na.__version__}, {os.cpu_count()} cores; {points} points "
          f"(L in {SIZES}, {len(TEMPS)} temperatures), {args.chains} chains each, 1 thread a point")

    start = time.perf_counter()
    serial = na.sweep(task, grid, seed=1, executor="serial", progress=False)
    t_serial = time.perf_counter() - start
    print(f"serial (this process):          {t_serial:7.2f} s")

    start = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        t_start = time.perf_counter() - start
        start = time.perf_counter()
        dask = na.sweep(task, grid, seed=1, executor=client.get_executor(), progress=False)
        t_dask = time.perf_counter() - start
    print(f"Dask LocalCluster, {args.workers} workers:   {t_dask:7.2f} s"
          f"   (cluster start-up {t_start:.2f} s, not included)")
    print(f"ratio serial / Dask:            {t_serial / t_dask:7.2f}x"
          f"   (with start-up: {t_serial / (t_dask + t_start):.2f}x)")
    assert dask.records == serial.records, "records differ between serial and Dask"
    assert all(0 <= r["bits"] <= math.log2(3) for r in serial)
    print("records identical: yes")


if __name__ == "__main__":
    main()
