"""Plain-numpy references for the kernel measures, written straight from THEORY §2 and §4,
and hypothesis strategies for the small random systems they are compared on."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

import natabs as na


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


@st.composite
def small_systems(draw, *, min_n: int = 2, max_n: int = 4, max_card: int = 3):
    """A random law on a random support of 2–4 variables of 2–3 values."""
    n = draw(st.integers(min_n, max_n))
    cards = draw(st.lists(st.integers(2, max_card), min_size=n, max_size=n))
    space = list(itertools.product(*[range(c) for c in cards]))
    chosen = draw(
        st.lists(st.sampled_from(range(len(space))), min_size=1, max_size=len(space), unique=True)
    )
    weights = draw(
        st.lists(
            st.floats(0.05, 1.0, allow_nan=False), min_size=len(chosen), max_size=len(chosen)
        )
    )
    states = np.array([space[i] for i in chosen])
    return na.System(states, np.array(weights), cards, normalize=True)


@st.composite
def families(draw, n: int, *, min_size: int = 1):
    """A random block family: distinct non-empty blocks, in random order."""
    subsets = [c for r in range(1, n + 1) for c in itertools.combinations(range(n), r)]
    return tuple(
        draw(st.lists(st.sampled_from(subsets), min_size=min_size, max_size=5, unique=True))
    )
