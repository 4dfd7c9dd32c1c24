"""Entropy and unit handling shared by the measures."""

from __future__ import annotations

import math

import numpy as np

from ._validation import check_base

__all__ = ["check_base", "entropy"]


def entropy(p: np.ndarray, base: float = 2.0) -> float:
    """Shannon entropy of a probability vector (zeros contribute nothing).

    The vector is divided by its sum first, so rounding in a sum of masses cannot make a
    single certain outcome carry 1e-16 bits.
    """
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    p = p / p.sum()
    h = -float(np.sum(p * np.log(p))) / math.log(base)
    return h if h > 0.0 else 0.0
