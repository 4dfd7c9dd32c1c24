"""Plain-numpy reference implementations of THEORY.md, written for clarity, not speed.

The Rust engines are checked against these on random small systems.
"""

from __future__ import annotations

import numpy as np


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
