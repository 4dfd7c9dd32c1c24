"""Permutation-symmetric systems: exact at n = 10^3 - 10^4 on the types (THEORY §9).

Run:  python benchmarks/symmetric.py

1. I(B; X^T) for noisy copies (n = 1,001, p = 0.45, latent source B), single-site random
   scan, 25 times T from 0 to 10^6 steps: natabs (eigendecomposition of the type chain,
   any T at the cost of one product) against the same type chain stepped T times in
   numpy (the tridiagonal update, the cheapest honest peer), which must agree to 1e-9.
2. The relaxation time of noisy copies at n = 10,001 (p = 0.45: a gap near 1e-25) and at
   n = 1,001 (p = 0.1: a gap near 1e-224): natabs (bisection on a Sturm count from the
   rates, relatively accurate) against 1 / (1 - λ) from scipy's tridiagonal eigensolver
   on the same symmetrised chain (fast, but its absolute error of 1e-16 swamps the gap).
   With random 2-site blocks the chain is banded, not birth-death: its relaxation time at
   n = 1,001 comes from a twisted GTH factorization and inverse iteration.
3. The support engine at the largest n it handles comfortably (n = 12 noisy copies with
   the source, 8,192 states): the same curve and relaxation time, and the time ratio.

Times are wall-clock seconds measured in this run on this machine.
"""

from __future__ import annotations

import math

import natabs as na
import numpy as np
from _timing import timed
from natabs.measures._symmetric import TypeChain, permutation_levels


def stepped_numpy(system: na.SymmetricSystem, steps: np.ndarray) -> np.ndarray:
    """I(B; t^T) by stepping the birth-death type chain T times (bits), plain numpy."""
    n = system.n
    chain = TypeChain(system, permutation_levels(n, na.blocks.all_subsets(n, 1)))
    up = np.r_[np.asarray(chain.rates.diagonal(1)).ravel(), 0.0]
    down = np.r_[0.0, np.asarray(chain.rates.diagonal(-1)).ravel()]
    stay = 1.0 - up - down
    prior = system.latent_probs
    laws = np.exp(system.log_type_probs_given_latent)  # rows: P(t | λ)
    q = np.exp(system.log_type_probs)
    out, done = [], 0
    for target in steps:
        for _ in range(int(target) - done):
            moved = laws * stay
            moved[:, 1:] += laws[:, :-1] * up[:-1]
            moved[:, :-1] += laws[:, 1:] * down[1:]
            laws = moved
        done = int(target)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(laws > 0, laws * np.log2(laws / q[None, :]), 0.0)
        out.append(float(prior @ terms.sum(axis=1)))
    return np.array(out)


def case_long_times() -> None:
    n, p = 1001, 0.45
    print(f"1. I(B; X^T), noisy copies n = {n}, p = {p}, single-site, T = 0 .. 10^6 (25 times)")
    s = na.systems.noisy_copies(n, p, latent=True, symmetric=True)
    steps = np.unique(np.r_[0, np.geomspace(1, 1e6, 24).astype(int)])
    ours, t_ours = timed(lambda: na.surviving_information(s, steps, k=1, about="source"), 3)
    theirs, t_theirs = timed(lambda: stepped_numpy(s, steps))
    diff = float(np.max(np.abs(ours.bits - theirs)))
    shown = ", ".join(f"T={t}: {b:.4f}" for t, b in list(zip(steps, ours.bits))[::6])
    print(
        f"   natabs        {t_ours:8.2f} s   {shown}, T=10^6: {ours.bits[-1]:.4f} bits (best of 3)"
    )
    print(f"   numpy stepped {t_theirs:8.2f} s   10^6 tridiagonal steps of the type chain")
    print(f"   ratio stepped / natabs = {t_theirs / t_ours:.1f}   max |difference| = {diff:.1e}")
    assert diff < 1e-9


def naive_relaxation(system: na.SymmetricSystem) -> float:
    """1 / (1 - λ_2) from scipy.linalg.eigh_tridiagonal of the symmetrised type chain K."""
    from scipy.linalg import eigh_tridiagonal

    n = system.n
    chain = TypeChain(system, permutation_levels(n, na.blocks.all_subsets(n, 1)))
    up = np.asarray(chain.rates.diagonal(1)).ravel()
    down = np.asarray(chain.rates.diagonal(-1)).ravel()
    lam = eigh_tridiagonal(
        1.0 - chain.exit, np.sqrt(up * down), eigvals_only=True, select="i", select_range=(n - 1, n)
    )
    gap = 1.0 - float(lam[0])
    return math.inf if gap <= 0 else 1.0 / gap


def case_relaxation() -> None:
    print("2. relaxation time of noisy copies, single-site random scan (steps)")
    for n, p in [(10001, 0.45), (1001, 0.1)]:
        s = na.systems.noisy_copies(n, p, symmetric=True)
        ours, t_ours = timed(lambda s=s: na.spectrum(s, k=1, top=2), 3)
        theirs, t_theirs = timed(lambda s=s: naive_relaxation(s), 3)
        print(
            f"   n = {n}, p = {p}: natabs {ours.relaxation_time:.10e} in {t_ours:.2f} s; "
            f"scipy 1/(1 - λ) {theirs:.3e} in {t_theirs:.2f} s "
            f"(predicted scale (4p(1-p))^(-n/2) = "
            f"{math.exp(-0.5 * n * math.log(4 * p * (1 - p))):.1e})"
        )


def case_blocks() -> None:
    n, p = 1001, 0.2
    print(f"2b. relaxation time with random 2-site blocks, n = {n}, p = {p} (banded chain)")
    s = na.systems.noisy_copies(n, p, symmetric=True)
    family = na.blocks.all_subsets(n, 2)  # 500,500 blocks, built once, not timed
    sp, t = timed(lambda: na.spectrum(s, blocks=family, top=2), 3)
    print(f"   natabs {sp.relaxation_time:.10e} in {t:.2f} s (twisted GTH + inverse iteration)")


def case_support() -> None:
    n, p = 12, 0.45
    print(f"3. the support engine at n = {n} (with the source: {2 ** (n + 1)} states)")
    s = na.systems.noisy_copies(n, p, latent=True, symmetric=True)
    sup = na.systems.noisy_copies(n, p, latent=True)
    steps = [0, 10, 100, 1000, 10**4]
    ours, t_ours = timed(lambda: na.surviving_information(s, steps, k=1, about="source"), 3)
    theirs, t_theirs = timed(lambda: na.surviving_information(sup, steps, k=1, about="source"))
    diff = float(np.max(np.abs(ours.bits - theirs.bits)))
    print(
        f"   I(B; X^T), T up to 10^4: types {t_ours:.3f} s, support {t_theirs:.2f} s, "
        f"ratio {t_theirs / t_ours:.0f}, max |difference| = {diff:.1e}"
    )
    marg = s.without_latent()
    sp, t_ours = timed(lambda: na.spectrum(marg, k=1, top=2), 3)
    ref, t_theirs = timed(lambda: na.spectrum(marg.to_system(), k=1, top=2))
    print(
        f"   relaxation time: types {sp.relaxation_time:.10g} in {t_ours:.3f} s, support "
        f"{ref.relaxation_time:.10g} in {t_theirs:.2f} s, ratio {t_theirs / t_ours:.0f}"
    )


if __name__ == "__main__":
    case_long_times()
    case_relaxation()
    case_blocks()
    case_support()
