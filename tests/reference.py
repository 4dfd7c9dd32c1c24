"""Plain-numpy reference implementations of THEORY.md, written for clarity, not speed.

The Rust engines are checked against these on random small systems: the move graph and its
components (THEORY §3), and the block kernels, their dense products and the surviving
information by dense matrix powers (THEORY §2, §4). Test strategies live in
``natabs.testing`` (re-exported with the test-private extras by ``tests/strategies.py``).
"""

from __future__ import annotations

import numpy as np

import natabs as na


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
    return np.array(
        [mean_kl(np.linalg.matrix_power(k, t), p, p) / np.log(base) for t in steps]
    )


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
