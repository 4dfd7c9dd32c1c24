"""Conserved information of GF(2)-linear systems: natabs' bit-packed ranks against two peers.

- the support engine (``natabs.conserved`` on ``code.to_system()``, the ``2^d`` states), at
  the largest code it can hold here (dim 20, a million states);
- a numpy elimination a competent user writes: for each block, the kernel of the
  parity-check columns of the block by Gaussian elimination on a 0/1 array, then the rank
  of all the codewords found.

Both are timed in the same run on the same code and family, and must give the same R;
natabs' times include deriving the parity-check columns from the code's basis.
Then natabs alone at the sizes of the issue: n = 10^4 with the connected blocks of a chain
and of a lattice, n = 2,000 with all_subsets(n, 3).

Run:  python benchmarks/gf2.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
import numpy as np

import natabs as na


def fresh(code: na.LinearCode) -> na.LinearCode:
    """The code without its cached parity-check columns: every timing includes them."""
    code._cache.clear()
    return code


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def chain_code(n: int, window: int, seed: int) -> np.ndarray:
    """Parity checks on windows of ``window`` neighbours of a chain (one every 2 sites)."""
    rng = np.random.default_rng(seed)
    h = np.zeros((n // 2, n), dtype=np.uint8)
    for i in range(n // 2):
        lo = 2 * i
        h[i, lo : lo + window] = rng.integers(0, 2, len(h[i, lo : lo + window]))
    return h


def plaquette_code(side: int) -> tuple[np.ndarray, nx.Graph]:
    """Parity checks on every other 2x2 plaquette of a side x side lattice."""
    g = nx.grid_2d_graph(side, side)
    where = {v: i for i, v in enumerate(g.nodes)}
    rows = []
    for i in range(0, side - 1, 2):
        for j in range(side - 1):
            row = np.zeros(side * side, dtype=np.uint8)
            for v in ((i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)):
                row[where[v]] = 1
            rows.append(row)
    return np.array(rows), nx.convert_node_labels_to_integers(g)


def np_kernel(a: np.ndarray) -> np.ndarray:
    """Basis of {x : a x = 0} over GF(2) (rows), by elimination on a 0/1 array."""
    a = a.copy() % 2
    m, n = a.shape
    pivots, r = [], 0
    for c in range(n):
        hit = np.nonzero(a[r:, c])[0] if r < m else []
        if len(hit) == 0:
            continue
        p = r + hit[0]
        a[[r, p]] = a[[p, r]]
        others = np.nonzero(a[:, c])[0]
        a[others[others != r]] ^= a[r]
        pivots.append(c)
        r += 1
    free = [c for c in range(n) if c not in pivots]
    out = np.zeros((len(free), n), dtype=np.uint8)
    for t, f in enumerate(free):
        out[t, f] = 1
        for i, p in enumerate(pivots):
            out[t, p] = a[i, f]
    return out


def np_rank(a: np.ndarray) -> int:
    a = a.copy() % 2
    r = 0
    for c in range(a.shape[1]):
        if r == a.shape[0]:
            break
        hit = np.nonzero(a[r:, c])[0]
        if hit.size == 0:
            continue
        p = r + hit[0]
        a[[r, p]] = a[[p, r]]
        below = np.nonzero(a[r + 1 :, c])[0] + r + 1
        a[below] ^= a[r]
        r += 1
    return r


def numpy_peer(h: np.ndarray, family, d: int) -> int:
    n = h.shape[1]
    found = []
    for b in family:
        b = list(b)
        for u in np_kernel(h[:, b]):
            c = np.zeros(n, dtype=np.uint8)
            c[b] = u
            found.append(c)
    local = np_rank(np.array(found)) if found else 0
    return d - local


def line(label: str, t_na: float, t_peer: float | None, agree: bool | None, extra: str) -> None:
    peer = "" if t_peer is None else f"  peer {t_peer:8.3f} s  ratio {t_peer / t_na:8.1f}x"
    ok = "" if agree is None else f"  agree={agree}"
    print(f"{label:<52} natabs {t_na:8.3f} s{peer}{ok}  {extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rep = args.repeat

    # 1. Against the support engine at the largest code it holds: dim 20 (2^20 states).
    n = 40
    h = chain_code(n, 6, seed=1)
    code = na.LinearCode(parity_check=h)
    while code.dim > 20:  # add checks until the support fits
        h = np.vstack([h, np.eye(n, dtype=np.uint8)[code.dim % n]])
        code = na.LinearCode(parity_check=h)
    system = code.to_system()
    chain = [tuple(range(i, i + 4)) for i in range(n - 3)]
    t_na, r = timed(lambda code=code, chain=chain: na.conserved(fresh(code), blocks=chain), rep)
    t_peer, rs = timed(lambda: na.conserved(system, blocks=chain), 1)
    line(
        f"chain code n={n} dim={code.dim}, 4-site chain blocks",
        t_na,
        t_peer,
        r.bits == rs.bits,
        f"R={r.bits:g} (support engine, {system.size} states)",
    )

    # 2. Against a numpy elimination, n = 1000.
    for n in (1000,):
        h = chain_code(n, 6, seed=2)
        code = na.LinearCode(parity_check=h)
        chain = [tuple(range(i, i + 4)) for i in range(n - 3)]
        t_na, r = timed(lambda code=code, chain=chain: na.conserved(fresh(code), blocks=chain), rep)
        t_peer, rp = timed(lambda h=h, chain=chain, d=code.dim: numpy_peer(h, chain, d), 1)
        line(
            f"chain code n={n} dim={code.dim}, 4-site chain blocks",
            t_na,
            t_peer,
            r.bits == rp,
            f"R={r.bits:g} (numpy elimination)",
        )

    # 3. natabs alone at the sizes of the issue.
    n = 10_000
    h = chain_code(n, 6, seed=3)
    t_build, code = timed(lambda: na.LinearCode(parity_check=h), 1)
    for k in (2, 4, 8):
        chain = [tuple(range(i, i + k)) for i in range(n - k + 1)]
        t_na, r = timed(lambda code=code, chain=chain: na.conserved(fresh(code), blocks=chain), rep)
        line(
            f"chain code n={n} dim={code.dim}, {k}-site chain blocks",
            t_na,
            None,
            None,
            f"R={r.bits:g} (code built in {t_build:.2f} s)",
        )
    h, g = plaquette_code(100)
    code = na.LinearCode(parity_check=h)
    for k in (2, 3, 4):
        t_fam, fam = timed(lambda k=k: na.blocks.connected(g, k), 1)
        t_na, r = timed(lambda fam=fam: na.conserved(fresh(code), blocks=fam), rep)
        line(
            f"plaquette code 100x100 dim={code.dim}, connected({k})",
            t_na,
            None,
            None,
            f"R={r.bits:g}, {len(fam)} blocks (listed in {t_fam:.2f} s)",
        )
    for name, code in [
        ("even_weight(2000)", na.LinearCode.even_weight(2000)),
        ("hamming(11), n=2047", na.LinearCode.hamming(11)),
        ("random checks, n=2000, 3 per column", _sparse_code(2000, seed=4)),
    ]:
        t_na, r = timed(lambda code=code: na.conserved(fresh(code), k=3), rep)
        line(
            f"{name} dim={code.dim}, all_subsets(n, 3)",
            t_na,
            None,
            None,
            f"R={r.bits:g} ({na.blocks.all_subsets.__name__}: {code.n * (code.n - 1) * (code.n - 2) // 6} blocks)",
        )


def _sparse_code(n: int, seed: int) -> na.LinearCode:
    rng = np.random.default_rng(seed)
    m = n // 2
    h = np.zeros((m, n), dtype=np.uint8)
    for j in range(n):
        h[rng.choice(m, 3, replace=False), j] = 1
    return na.LinearCode(parity_check=h)


if __name__ == "__main__":
    main()
