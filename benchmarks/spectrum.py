"""Leading eigenvalues of the resampling kernel: natabs against scipy's ``eigsh``.

Run:  python benchmarks/spectrum.py [--quick]

Three laws, the top ``TOP`` eigenvalues of the random-scan kernel (single-site blocks,
``k = 2`` for parity):

1. a random support: n = 20 binary variables, each state kept with probability 0.95
   (about 10^6 states), probabilities uniform at random, normalised;
2. noisy copies, n = 20, p = 0.2 (2^20 states; the eigenvalue after the majority has
   multiplicity 19, which ``top`` cuts);
3. parity of n = 16 bits under pairs (k = 2): 2^15 states, 120 blocks.

The peer is ``scipy.sparse.linalg.eigsh`` (ARPACK, ``which="LA"``) on a LinearOperator
whose products are the *same* Rust operator (``Kernel.apply_symmetric``), so the
comparison is between the solvers alone. eigsh may list a repeated eigenvalue fewer times
than it occurs; the check compares the *distinct* values both found (to ``TOL``) and
says when eigsh's list differs in multiplicity from natabs'. ``--quick`` uses n = 14
(a few seconds) to try the script; ``--n N`` sets n (parity then has max(n - 4, 15) bits) and
``--case 13`` runs only the cases named; ``--limit S`` stops eigsh after ``S`` seconds
(default 600) and prints the bound on the ratio instead. ``--n 21`` gives the random
support about 2·10^6 states.

Times are wall-clock seconds measured in this run on this machine.
"""

from __future__ import annotations

import sys
import time

import natabs as na
import numpy as np
from natabs.engines import _kernel

TOP = 10
#: The eigenvalues of both solvers must agree to this (absolute).
TOL = 1e-8


def random_support(n: int, density: float = 0.95, seed: int = 0) -> na.System:
    rng = np.random.default_rng(seed)
    codes = np.flatnonzero(rng.random(1 << n) < density).astype(np.uint64)
    return na.System.from_codes(codes, rng.random(codes.size), [2] * n, normalize=True)


class OutOfTime(Exception):
    """eigsh ran past the time it was given."""


def eigsh_on_the_rust_operator(system: na.System, family, top: int, limit: float) -> np.ndarray:
    """eigsh's ``top`` largest eigenvalues, or :class:`OutOfTime` after ``limit`` seconds
    (checked at every product, so it stops within one product of the limit)."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    kernel = _kernel.build(system, family)
    n = system.size
    start = time.perf_counter()

    def matvec(v):
        if time.perf_counter() - start > limit:
            raise OutOfTime
        return kernel.apply_symmetric(np.ascontiguousarray(v).ravel())

    op = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    v0 = np.random.default_rng(0).standard_normal(n)
    lam = eigsh(op, k=top, which="LA", v0=v0, tol=1e-10, return_eigenvectors=False)
    return np.sort(lam)[::-1]


def distinct(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)[::-1]
    keep = np.r_[True, np.diff(values) < -1e-6]
    return values[keep]


def case(title: str, system: na.System, k: int, limit: float) -> None:
    print(f"{title}: {system.size} states, k = {k}, top = {TOP}", flush=True)
    family = na.blocks.all_subsets(system.n, k)
    t = time.perf_counter()
    ours = na.spectrum(system, k=k, top=TOP, progress=False)
    t_ours = time.perf_counter() - t
    shown = ", ".join(f"{v:.6f}" for v in ours.eigenvalues)
    print(
        f"   natabs {ours.method:9s} {t_ours:7.1f} s   [{shown}]"
        f"   converged={ours.converged} cluster_cut={ours.cluster_cut}",
        flush=True,
    )
    t = time.perf_counter()
    try:
        theirs = eigsh_on_the_rust_operator(system, family, TOP, limit)
    except OutOfTime:
        t_theirs = time.perf_counter() - t
        print(
            f"   eigsh             stopped after {t_theirs:.0f} s without an answer "
            f"(--limit {limit:.0f}): ratio eigsh / natabs > {t_theirs / t_ours:.1f}",
            flush=True,
        )
        return
    t_theirs = time.perf_counter() - t
    a, b = distinct(ours.eigenvalues), distinct(theirs)
    m = min(len(a), len(b))
    diff = float(np.max(np.abs(a[:m] - b[:m])))
    shown = ", ".join(f"{v:.6f}" for v in theirs)
    print(f"   eigsh             {t_theirs:7.1f} s   [{shown}]")
    same_list = np.allclose(np.sort(ours.eigenvalues), np.sort(theirs), rtol=0, atol=TOL)
    verdict = "same" if diff <= TOL else "DIFFERENT"
    print(
        f"   ratio eigsh / natabs = {t_theirs / t_ours:.2f}   distinct values {verdict} "
        f"(max |difference| {diff:.1e}, tolerance {TOL:.0e})"
        + ("" if same_list else "; eigsh lists a repeated value fewer times"),
        flush=True,
    )


def main() -> None:
    n = 14 if "--quick" in sys.argv else 20
    if "--n" in sys.argv:
        n = int(sys.argv[sys.argv.index("--n") + 1])
    only = sys.argv[sys.argv.index("--case") + 1] if "--case" in sys.argv else "123"
    limit = float(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 600.0
    if "1" in only:
        case(f"1. random support, n = {n}, density 0.95", random_support(n), 1, limit)
    if "2" in only:
        case(f"2. noisy copies, n = {n}, p = 0.2", na.systems.noisy_copies(n, 0.2), 1, limit)
    if "3" in only:
        m = n - 6 if "--quick" in sys.argv else max(n - 4, 15)
        case(f"3. parity, n = {m}", na.systems.parity(m), 2, limit)


if __name__ == "__main__":
    main()
