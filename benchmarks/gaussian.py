"""Gaussian systems: natabs against the numpy a user would write instead.

Run:  python benchmarks/gaussian.py

1. The exact information curve I(X^0; X^T), T = 1..10 systematic single-site sweeps, for
   N = 500 and N = 2,000 particles with a shared drift (theta marginalised). The peer
   builds the sweep matrix by explicit conditional updates (one M_B per site, multiplied
   in), takes numpy.linalg.matrix_power for each T and two slogdets. Values must agree to
   1e-9 bits; the target for natabs at N = 2,000 is under 10 s.
2. I(theta; X^T) about the drift, T = 0..10, same systems: natabs pushes one vector
   through the sweeps; the peer uses its matrix powers and slogdets.
3. The linear-sector relaxation time of single-site random scan on a sparse 2D spring
   lattice of 316 x 316 = 99,856 variables (target under 60 s); no dense peer can allocate
   it, so it is checked against the dense solver on a 40 x 40 lattice.

Times are wall-clock seconds measured in this run on this machine.
"""

from __future__ import annotations

import time

import numpy as np

import natabs as na

LN2 = np.log(2)


def timed(f, repeat: int = 1):
    """Result and best wall time of ``repeat`` runs (the machine may be shared)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return out, best


def peer_sweep(q: np.ndarray) -> np.ndarray:
    """One systematic single-site sweep as a matrix, by explicit conditional updates."""
    n = len(q)
    a = np.eye(n)
    for i in range(n):
        # x_i <- -(1/Q_ii) sum_{j != i} Q_ij x_j : only row i of the state changes
        row = -q[i] / q[i, i]
        row[i] = 0.0
        a[i] = row @ a
    return a


def peer_full(cov: np.ndarray, steps) -> np.ndarray:
    q = np.linalg.inv(cov)
    a = peer_sweep(q)
    logdet = np.linalg.slogdet(cov)[1]
    out = []
    for t in steps:
        at = np.linalg.matrix_power(a, t)
        out.append(0.5 * (logdet - np.linalg.slogdet(cov - at @ cov @ at.T)[1]) / LN2)
    return np.array(out)


def peer_latent(cov: np.ndarray, steps) -> np.ndarray:
    cx = cov[1:, 1:]
    s = cov[1:, 0]
    cond = cx - np.outer(s, s) / cov[0, 0]
    a = peer_sweep(np.linalg.inv(cx))
    logdet = np.linalg.slogdet(cx)[1]
    out = []
    for t in steps:
        at = np.linalg.matrix_power(a, t)
        law = at @ cond @ at.T + cx - at @ cx @ at.T
        out.append(0.5 * (logdet - np.linalg.slogdet(law)[1]) / LN2)
    return np.array(out)


def case_curves() -> None:
    for n in (500, 2000):
        g = na.systems.shared_drift(n)
        x = g.marginal([f"x{i}" for i in range(n)])
        steps = list(range(1, 11))
        cov_x = np.array(x.cov)
        ours, t_ours = timed(
            lambda x=x, steps=steps: (
                na.surviving_information(x, steps=steps, k=1, scan="systematic").bits
            )
        )
        theirs, t_peer = timed(lambda c=cov_x, s=steps: peer_full(c, s))
        diff = float(np.max(np.abs(ours - theirs)))
        assert diff < 1e-9, diff
        print(
            f"1. I(X^0; X^T), N = {n:>5}, T = 1..10: natabs {t_ours:6.2f} s, numpy "
            f"{t_peer:6.2f} s, ratio {t_peer / t_ours:5.1f}x, max |diff| {diff:.1e} bits"
        )
        cov = np.array(g.cov)
        lsteps = list(range(11))
        ours, t_ours = timed(
            lambda g=g, lsteps=lsteps: (
                na.surviving_information(
                    g, steps=lsteps, k=1, scan="systematic", about="theta"
                ).bits
            )
        )
        theirs, t_peer = timed(lambda c=cov, s=lsteps: peer_latent(c, s))
        diff = float(np.max(np.abs(ours - theirs)))
        assert diff < 1e-9, diff
        print(
            f"2. I(theta; X^T), N = {n:>5}, T = 0..10: natabs {t_ours:6.2f} s, numpy "
            f"{t_peer:6.2f} s, ratio {t_peer / t_ours:5.1f}x, max |diff| {diff:.1e} bits"
        )


def case_lattice() -> None:
    small = na.systems.spring_lattice(40, pinning=0.01)
    dense = na.spectrum(small, k=1, top=3, method="dense").relaxation_time
    sparse = na.spectrum(small, k=1, top=3, method="lanczos").relaxation_time
    assert abs(dense - sparse) < 1e-8 * dense, (dense, sparse)
    g = na.systems.spring_lattice(316, pinning=0.01)
    sp, t = timed(lambda: na.spectrum(g, k=1, top=2))
    print(
        f"3. relaxation time, 2D spring lattice of {g.n} variables (sparse): "
        f"{sp.relaxation_time:.6g} steps in {t:.1f} s (target < 60 s; 40 x 40 check "
        f"dense vs sparse {dense:.6g} / {sparse:.6g})"
    )


if __name__ == "__main__":
    import os

    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    print(f"{os.cpu_count()} CPUs, BLAS threads: {threads or 'default'} (same for both sides)")
    case_curves()
    case_lattice()
