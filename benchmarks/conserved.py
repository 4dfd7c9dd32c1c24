"""Exact conserved information: natabs against the numpy/scipy route a competent user writes.

The peer, for each block, groups states by their projection outside the block
(``np.unique`` on codes with the block's digits cleared), joins each state to its group's
first member, and hands the edges to ``scipy.sparse.csgraph.connected_components``.
Both are timed in the same run on the same support; the answers must agree to 1e-9.

The large case (n = 26, density 0.5, about 33 million states) runs natabs alone in a child
process, so that process's peak memory can be reported per support state.

Run:  python benchmarks/conserved.py [--repeat 3] [--skip-large]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

import natabs as na
import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components


def random_support(n: int, density: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a random support of n binary variables, made in chunks to bound memory."""
    rng = np.random.default_rng(seed)
    chunk = 1 << 22
    parts = []
    for start in range(0, 2**n, chunk):
        stop = min(start + chunk, 2**n)
        parts.append(start + np.flatnonzero(rng.random(stop - start) < density))
    codes = np.concatenate(parts).astype(np.uint64)
    del parts
    probs = rng.random(codes.size) + 0.5
    probs /= probs.sum()
    return codes, probs


def peer(codes: np.ndarray, probs: np.ndarray, n: int, family) -> tuple[float, int]:
    """What a user writes with numpy and scipy: bits and number of components."""
    size = codes.size
    codes = codes.astype(np.int64)
    heads, tails = [], []
    for block in family:
        key = codes.copy()
        for i in block:
            key -= ((codes >> i) & 1) << i
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        heads.append(np.arange(size))
        tails.append(first[inverse.ravel()])
    rows, cols = np.concatenate(heads), np.concatenate(tails)
    graph = scipy.sparse.coo_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(size, size))
    count, labels = connected_components(graph.tocsr(), directed=False)
    masses = np.bincount(labels, weights=probs)
    masses = masses[masses > 0] / masses.sum()
    return float(-(masses * np.log2(masses)).sum()), int(count)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def compare(n: int, density: float, k: int, repeat: int) -> None:
    codes, probs = random_support(n, density, seed=n)
    family = na.blocks.all_subsets(n, k)
    system = na.System.from_codes(codes, probs, [2] * n, copy=False)
    t_na, res = timed(lambda: na.conserved(system, k=k), repeat)
    t_peer, (bits, count) = timed(lambda: peer(codes, probs, n, family), repeat)
    agree = abs(res.bits - bits) <= 1e-9 and res.n_components == count
    print(
        f"n={n:<3} density={density:<5} k={k}  states={codes.size:>10,}  "
        f"natabs {t_na:8.3f} s  numpy/scipy {t_peer:8.3f} s  "
        f"ratio {t_peer / t_na:7.1f}x  R={res.bits:.6f} bits  "
        f"components={res.n_components:,}  agree={'yes' if agree else 'NO'}"
    )
    if not agree:
        raise SystemExit(f"answers differ: natabs {res.bits} vs peer {bits}")


def large_child(n: int, density: float, k: int) -> None:
    """Runs in a child process: build, time, and report peak memory per support state."""
    codes, probs = random_support(n, density, seed=n)
    t0 = time.perf_counter()
    system = na.System.from_codes(codes, probs, [2] * n, copy=False)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = na.conserved(system, k=k)
    t_run = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{codes.size} {t_build} {t_run} {peak} {res.bits} {res.n_components}")


def large(n: int, density: float, k: int, repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), str(density), str(k)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append([float(v) for v in out])
    size = int(runs[0][0])
    t_build = statistics.median(r[1] for r in runs)
    t_run = statistics.median(r[2] for r in runs)
    peak = max(r[3] for r in runs)
    print(
        f"n={n:<3} density={density:<5} k={k}  states={size:>10,}  "
        f"natabs {t_run:8.3f} s (target < 20 s; validation {t_build:.2f} s)  "
        f"peak memory {peak / 2**30:.2f} GiB = {peak / size:.1f} bytes/state (target < 64)  "
        f"R={runs[0][4]:.6f} bits  components={int(runs[0][5]):,}"
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per case; medians are printed")
    p.add_argument("--skip-large", action="store_true", help="skip the n = 26 case")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        large_child(int(args.child[0]), float(args.child[1]), int(args.child[2]))
        return
    print(
        f"natabs {na.__version__}; medians of {args.repeat} runs; "
        f"ratio = numpy/scipy time / natabs time"
    )
    compare(20, 0.3, 1, args.repeat)
    compare(22, 0.3, 1, args.repeat)
    compare(20, 0.05, 2, args.repeat)
    if not args.skip_large:
        large(26, 0.5, 1, args.repeat)


if __name__ == "__main__":
    main()
