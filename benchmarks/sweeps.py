"""One sweep of 64 points, serially and on a 2-worker Dask LocalCluster.

The points are the 2D Ising sign information ``I(sign m(X^0); sign m(X^t))`` over a grid
of lattice sizes L and temperatures T (the study of docs/examples/plot_sweep_ising.py);
each point samples its chains on one thread (``threads=1``), so the serial run uses one
core and the cluster one core per worker. The CPU seconds spent inside the points are
printed too: on a machine shared with other work, they show whether the workers did the
same work as the serial run (the wall-clock ratio then depends on the free cores). Both runs are timed in the same process on the
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

# One thread a point everywhere: numpy's BLAS too (Dask's workers set this for themselves;
# the serial run must not use more cores than one worker).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

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
        m = na.sample(
            fg,
            [0, t],
            chains=chains,
            seed=seed,
            init=init,
            burn_in=burn_in,
            record="magnetization",
            threads=1,
        ).values
    sign = np.sign(m).astype(int)
    return mutual_information(sign[0], sign[1], seed=seed, bootstrap=200)


def timed_point(L, T, seed, chains=400):
    """A point's record, with the CPU seconds it took (``cpu_s``; left out when comparing)."""
    start = time.process_time()
    record = sign_information(L, T, seed, chains=chains).to_dict()
    record["cpu_s"] = time.process_time() - start
    return record


def _warm_up() -> None:
    sign_information(4, 2.0, seed=0, chains=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chains", type=int, default=400)
    args = ap.parse_args()
    from functools import partial

    from distributed import Client, LocalCluster

    grid = {"L": SIZES, "T": TEMPS}
    task = partial(timed_point, chains=args.chains)
    points = len(SIZES) * len(TEMPS)
    print(
        f"natabs {na.__version__}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; {points} points (L in {SIZES}, {len(TEMPS)} "
        f"temperatures), {args.chains} chains each, 1 thread a point"
    )

    start = time.perf_counter()
    serial = na.sweep(task, grid, seed=1, executor="serial", progress=False)
    t_serial = time.perf_counter() - start
    print(
        f"serial (this process):          {t_serial:7.2f} s   "
        f"(CPU in the points {_cpu(serial):.2f} s)"
    )

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm_up)  # workers import natabs now, as this process already has
        t_start = time.perf_counter() - start
        start = time.perf_counter()
        dask = na.sweep(task, grid, seed=1, executor=client.get_executor(), progress=False)
        t_dask = time.perf_counter() - start
    print(
        f"Dask LocalCluster, {args.workers} workers:   {t_dask:7.2f} s   "
        f"(CPU in the points {_cpu(dask):.2f} s; cluster start-up {t_start:.2f} s, "
        f"not included)"
    )
    print(
        f"ratio serial / Dask:            {t_serial / t_dask:7.2f}x"
        f"   (with start-up: {t_serial / (t_dask + t_start):.2f}x)"
    )
    assert _without_cpu(dask) == _without_cpu(serial), "records differ: serial and Dask"
    assert all(0 <= r["bits"] <= math.log2(3) for r in serial)
    print(f"records identical: yes; load average now {os.getloadavg()[0]:.1f}")


def _cpu(res) -> float:
    return sum(r["cpu_s"] for r in res)


def _without_cpu(res) -> list:
    return [{k: v for k, v in r.items() if k != "cpu_s"} for r in res]


if __name__ == "__main__":
    main()
