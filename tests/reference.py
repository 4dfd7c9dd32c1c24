"""Plain-numpy reference implementations of THEORY.md, written for clarity, not speed.

The engines are checked against these on random small systems: the move graph and its
components (THEORY §3); the block kernels, their dense products and the surviving
information by dense matrix powers (THEORY §2, §4); spectra; push-forwards and light cones
by brute force (THEORY §5); exact laws after T sweeps of a chain, and split-R-hat. Test
strategies live in ``natabs.testing`` (re-exported with the test-private extras by
``tests/strategies.py``).
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

import natabs as na
from natabs import transforms as nt


def move_graph(states: np.ndarray, blocks) -> np.ndarray:
    """Adjacency of THEORY §3: x ~ y iff they agree outside some block."""
    n_states, n = states.shape
    adj = np.eye(n_states, dtype=bool)
    for block in blocks:
        outside = np.ones(n, dtype=bool)
        outside[list(block)] = False
        proj = states[:, outside]
        adj |= (proj[:, None, :] == proj[None, :, :]).all(axis=2)
    return adj


def components(states: np.ndarray, blocks) -> np.ndarray:
    """Component labels by repeated squaring of the reachability matrix."""
    reach = move_graph(np.asarray(states, dtype=np.int64), blocks)
    while True:
        nxt = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    # Label = the first state of the component, renumbered by first appearance.
    first = reach.argmax(axis=1)
    _, labels = np.unique(first, return_inverse=True)
    return labels.ravel()


def entropy_bits(p: np.ndarray) -> float:
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def conserved_bits(states: np.ndarray, probs: np.ndarray, blocks) -> float:
    """R = H(C) for the given block family."""
    labels = components(states, blocks)
    return entropy_bits(np.bincount(labels, weights=probs))


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return bool(np.array_equal(a[:, None] == a[None, :], b[:, None] == b[None, :]))


# -- kernels and surviving information (THEORY §2, §4) ------------------------------------


def block_kernel(system: na.System, block) -> np.ndarray:
    """Π_B(x, y) = P(y) / P(fibre) when y agrees with x outside B, else 0."""
    states = system.states.astype(np.int64)
    outside = [i for i in range(system.n) if i not in block]
    key = states[:, outside]
    same = (key[:, None, :] == key[None, :, :]).all(axis=-1)
    m = same * system.probs[None, :]
    return m / m.sum(axis=1, keepdims=True)


def dense_kernel(system: na.System, family, scan: str = "random") -> np.ndarray:
    n = system.size
    if not family:
        return np.eye(n)
    pis = [block_kernel(system, b) for b in family]
    if scan == "random":
        return sum(pis) / len(pis)
    k = np.eye(n)
    for p in pis:
        k = k @ p
    return k


def mean_kl(starts: np.ndarray, weights: np.ndarray, p: np.ndarray) -> float:
    """Σ_i w_i KL(starts_i || p) in nats."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(starts > 0, starts * np.log(starts / p[None, :]), 0.0)
    return float(weights @ terms.sum(axis=1))


def reference_curve(system, family, steps, scan="random", base=2.0) -> np.ndarray:
    """I(X^0; X^T) = Σ_x P(x) KL(K^T(x, .) || P), by dense matrix powers."""
    k = dense_kernel(system, family, scan)
    p = system.probs
    return np.array([mean_kl(np.linalg.matrix_power(k, t), p, p) / np.log(base) for t in steps])


def reference_latent_curve(system, latent, observed_family, steps, scan="random", base=2.0):
    """I(Λ; X^T) = Σ_λ P(λ) KL(P(.|λ) K^T || P) on the observed marginal."""
    j = system.index(latent)
    rest = [system.names[i] for i in range(system.n) if i != j]
    observed = system.marginal(rest)
    index = {tuple(r): i for i, r in enumerate(observed.states.tolist())}
    values = sorted(set(system.states[:, j].tolist()))
    joint = np.zeros((len(values), observed.size))
    for row, p in zip(system.states.tolist(), system.probs):
        lam = row[j]
        x = tuple(v for i, v in enumerate(row) if i != j)
        joint[values.index(lam), index[x]] += p
    weights = joint.sum(axis=1)
    laws = joint / weights[:, None]
    k = dense_kernel(observed, observed_family, scan)
    return np.array(
        [
            mean_kl(laws @ np.linalg.matrix_power(k, t), weights, observed.probs) / np.log(base)
            for t in steps
        ]
    )


# -- block families (natabs.blocks) --------------------------------------------------------


def brute_connected(g: nx.Graph, k: int) -> set[frozenset]:
    out = set()
    for comp in nx.connected_components(g):
        if len(comp) <= k:
            out.add(frozenset(comp))
            continue
        for sub in itertools.combinations(comp, k):
            if nx.is_connected(g.subgraph(sub)):
                out.add(frozenset(sub))
    return out


# -- transformations and light cones (THEORY §5) -------------------------------------------


def reference_pushforward(system, fn):
    """Plain dict reference: map every support state with ``fn`` and add probabilities."""
    out: dict[tuple, float] = {}
    for row, p in zip(system.states.tolist(), system.probs):
        key = tuple(fn(tuple(row)))
        out[key] = out.get(key, 0.0) + p
    return out


def hamming_cones(system, transform, k):
    """Plain double-loop reference for the light cones: maxima over pairs of distinct
    support states, None over an empty set (vacuous)."""
    a = system.states.astype(int).tolist()
    y = transform(system)
    b = nt.Compose(transform)._image(system)[0].tolist()
    fwd = inv = None
    for i in range(len(a)):
        for j in range(len(a)):
            if i == j:
                continue
            da = sum(u != v for u, v in zip(a[i], a[j]))
            db = sum(u != v for u, v in zip(b[i], b[j]))
            if da <= k:
                inv = db if inv is None else max(inv, db)
            if 0 < db <= k:
                fwd = da if fwd is None else max(fwd, da)
    return (fwd if y.size == system.size else None), inv


# -- spectra (THEORY §4) -------------------------------------------------------------------


def reference_eigenvalues(system, family) -> np.ndarray:
    """Eigenvalues of K itself (not symmetrised), descending."""
    lam = np.linalg.eigvals(dense_kernel(system, family)).real
    return np.sort(lam)[::-1]


# -- information about a latent, by hand (THEORY §4, §5 failure 4) -------------------------


def reference_offset_information(system, steps, latent="offset"):
    """I(θ; X^T) under random-scan single-site resampling of the observed variables,
    dense numpy (THEORY §4, information about a latent)."""
    li = system.index(latent)
    obs = [i for i in range(system.n) if i != li]
    states = system.states.astype(int)
    keys = {}
    for row in states:
        keys.setdefault(tuple(row[obs]), len(keys))
    m = len(keys)
    thetas = sorted(set(states[:, li].tolist()))
    joint = np.zeros((len(thetas), m))
    for row, p in zip(states, system.probs):
        joint[thetas.index(row[li]), keys[tuple(row[obs])]] += p
    pt = joint.sum(axis=1)
    px = joint.sum(axis=0)
    xs = list(keys)
    kernel = np.zeros((m, m))
    for i in range(len(obs)):
        for a, xa in enumerate(xs):
            fib = [
                b
                for b, xb in enumerate(xs)
                if all(xb[j] == xa[j] for j in range(len(obs)) if j != i)
            ]
            kernel[a, fib] += px[fib] / px[fib].sum() / len(obs)
    hx = -(px * np.log2(px)).sum()
    out = []
    for t in steps:
        kt = np.linalg.matrix_power(kernel, t)
        h_cond = 0.0
        for th in range(len(thetas)):
            mu = (joint[th] / pt[th]) @ kt
            mu = mu[mu > 0]
            h_cond += pt[th] * -(mu * np.log2(mu)).sum()
        out.append(hx - h_cond)
    return np.array(out)


# -- chains: exact laws and informations after T sweeps ------------------------------------


def law_after(system, family, x0_index, sweeps, scan):
    """Exact law of X^T over the support, from the support state ``x0_index``."""
    kernels = [block_kernel(system, b) for b in family]
    v = np.zeros(system.size)
    v[x0_index] = 1.0
    if scan == "random":
        covered = len({i for b in family for i in b})
        steps = max(1, round(covered * len(family) / sum(map(len, family))))
        k = sum(kernels) / len(kernels)
        return v @ np.linalg.matrix_power(k, steps * sweeps)
    for _ in range(sweeps):
        for k in kernels:
            v = v @ k
    return v


def exact_majority_information(fg, sweeps):
    """Exact I(maj(X^0); maj(X^T)) under random-scan single-site resampling."""
    system = fg.to_system()
    n = system.n
    k = sum(block_kernel(system, (i,)) for i in range(n)) / n
    ones = system.states.sum(axis=1)
    f = np.where(2 * ones > n, 1, np.where(2 * ones < n, 0, 2))
    out = []
    for t in sweeps:
        kt = np.linalg.matrix_power(k, n * t)
        joint = np.zeros((3, 3))
        np.add.at(
            joint,
            (f[:, None].repeat(len(f), 1), f[None, :].repeat(len(f), 0)),
            system.probs[:, None] * kt,
        )
        pa, pb = joint.sum(1), joint.sum(0)
        nz = joint > 0
        out.append(float((joint[nz] * np.log2(joint[nz] / np.outer(pa, pb)[nz])).sum()))
    return np.array(out)


def exact_information(joint: np.ndarray) -> float:
    pa, pb = joint.sum(1), joint.sum(0)
    nz = joint > 0
    return float((joint[nz] * np.log2(joint[nz] / np.outer(pa, pb)[nz])).sum())


# -- mixing diagnostics --------------------------------------------------------------------


def split_rhat(x: np.ndarray) -> float:
    """Plain split-R-hat (Gelman et al., BDA3 §11.4) of x with shape (chains, draws)."""
    half = x.shape[1] // 2
    s = np.concatenate([x[:, :half], x[:, x.shape[1] - half :]])
    n = s.shape[1]
    w = s.var(axis=1, ddof=1).mean()
    b = n * s.mean(axis=1).var(ddof=1)
    return float(np.sqrt(((n - 1) / n * w + b / n) / w))


def rank_rhat(x: np.ndarray) -> float:
    """Rank-normalised split-R-hat, bulk and folded (Vehtari et al. 2021), x: (chains, draws)."""

    def z(v):
        r = rankdata(v, method="average").reshape(v.shape)
        return ndtri((r - 3 / 8) / (v.size + 1 / 4))

    return max(split_rhat(z(x)), split_rhat(z(np.abs(x - np.median(x)))))
