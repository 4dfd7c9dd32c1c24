"""Dense routes and long times of the finite-time information (THEORY §4).

For supports up to ``DENSE_MAX`` states the kernel is a matrix: the information at many
times comes from its powers, and at long times from the spectral gap, so no time is
reached by drifting repeated squaring nor by single steps. From the time at which the
chain is provably within ``LIMIT_TOL`` of its limit, the value is the limit itself; before
it, the eigendecomposition of the symmetrised kernel (random scan) or row-normalised
squaring (systematic scan). Every value is checked to lie between the limit and H.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..engines import _kernel
from ..errors import TooLargeError
from ..systems._support import System

#: Largest support for the dense route (its matrices are N x N).
DENSE_MAX = 4096
#: Cost of one dense matrix product, per N^3, relative to one propagation element-step
#: (measured with OpenBLAS on two cores; only used to choose a route).
DENSE_COST = 0.05
#: Times above this are never reached by repeated squaring of a dense kernel (whose
#: rounding drifts upward from about T = 2^20) nor by single steps: first the time from
#: which the chain is provably within ``LIMIT_TOL`` of its limit is found (from the
#: spectral gap); later times get the limit exactly, earlier ones the eigendecomposition
#: (random scan) or row-normalised squaring (systematic scan).
LARGE_T = 1 << 12
#: Nats within which a value replaced by its limit is guaranteed to be (per start state
#: mass, summed: ``N σ^{2T} <= LIMIT_TOL``; see ``_converged_from``).
LIMIT_TOL = 1e-13


def _divergence_at_zero(kernel, laws, weights) -> np.ndarray:
    """KL(start || P) in nats for every start: ``-ln P(x)``, or ``KL(P(.|λ) || P)``."""
    if laws is None:
        return -np.log(weights)
    p = laws.T @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(laws > 0, laws * np.log(laws / p), 0.0)
    return terms.sum(axis=1)


def _dense_pays(n: int, n_blocks: int, times: np.ndarray, n_starts: int | None = None) -> bool:
    """Whether the dense route fits in memory and is cheaper than propagation."""
    if n > DENSE_MAX or n_blocks == 0 or times[-1] == 0:
        return False
    if (min(int(times[-1]).bit_length(), 64) + 3) * n * n * 8 > _kernel.MEMORY_BUDGET:
        return False
    starts = n if n_starts is None else n_starts
    return _dense_work(n, times) < _propagation_work(starts, n, n_blocks, times)


def _propagation_work(n_starts: int, n: int, n_blocks: int, times: np.ndarray) -> float:
    if not len(times):
        return 0.0
    return float(n_starts) * n * max(int(times[-1]), 1) * max(n_blocks, 1)


def _dense_work(n: int, times: np.ndarray) -> float:
    """Matrix products of the shared squaring in ``_dense_information``, in propagation units."""
    if not len(times):
        return 0.0
    top = int(times[-1])
    if top > LARGE_T:  # one eigendecomposition (~20 products) and one product per time
        return DENSE_COST * float(n) ** 3 * (20 + 2 * len(times))
    products = max(top.bit_length() - 1, 0) + sum(max(bin(int(t)).count("1") - 1, 0) for t in times)
    return DENSE_COST * float(n) ** 3 * max(products, 1)


def _dense_information(
    base: np.ndarray, probs: np.ndarray, times: np.ndarray, *, symmetrised: bool
) -> np.ndarray:
    """Σ_x P(x) KL(K^T(x, .) || P) in nats from the dense one-step kernel ``base``: ``K``,
    or for a reversible kernel ``S = D^{1/2} K D^{-1/2}`` (``symmetrised``).

    Every power is a product of shared squares ``base^(2^j)``, so a list of times costs
    about as much as its largest one.
    """
    root = np.sqrt(probs)
    entropy = float(-probs @ np.log(probs))
    squares = [base]
    out = np.empty(len(times))
    for i, t in enumerate(int(t) for t in times):
        if t == 0:
            out[i] = entropy
            continue
        power = None
        for j in range(t.bit_length()):
            while len(squares) <= j:
                squares.append(squares[-1] @ squares[-1])
            if t >> j & 1:
                power = squares[j] if power is None else power @ squares[j]
        if symmetrised:
            from scipy.special import (
                xlogy,  # here, not at import: scipy.special is slow to load
            )

            # K^T(x, y) = S^T(x, y) √P(y) / √P(x) and S^T √P = √P give
            # I_T = √P' [S^T log S^T] √P + H(X): one pass over the matrix, no rescaling.
            out[i] = float(root @ xlogy(power, power) @ root) + entropy
        else:
            out[i] = _mean_kl(power, probs)
    return out


def _mean_kl(kt: np.ndarray, probs: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(kt > 0, kt * np.log(kt / probs[None, :]), 0.0)
    return float(probs @ terms.sum(axis=1))


def _ends(chain_on: System, family, kernel, laws, weights, scan, times):
    """``(I_0, I_∞, T*)`` in nats: the value at ``T = 0``, the limit, and a time from which
    every value is the limit within ``LIMIT_TOL`` (``inf`` when none is known or needed).

    ``I_0`` is ``H(X)`` (or ``I(Λ; X)``), ``I_∞`` the information in the component of
    the move graph (the conserved information ``R``, or ``I(Λ; C)``). From the L²(P)
    norm ``σ`` of the kernel on the functions orthogonal to the components,
    ``χ²(K^T(x, .) || P(. | c(x))) <= (1/P(x | c) - 1) σ^{2T}``, so
    ``0 <= I_T - I_∞ <= N σ^{2T}`` (for ``I(Λ; X^T)`` too, by data processing given the
    component). For random scan ``σ = λ₂``, the largest eigenvalue below the unit ones;
    for a systematic pass over ``m`` blocks (a product of the blocks' conditional
    expectations) ``σ² <= 1 - 2 (1 - λ₂) / (m + 1)``.
    """
    probs = chain_on.probs
    start = (
        float(_divergence_at_zero(None, laws, weights) @ weights)
        if laws is not None
        else (float(-probs @ np.log(probs)))
    )
    if kernel.n_blocks == 0:
        return start, start, 1  # nothing moves: every T is T = 0
    if times[-1] <= LARGE_T:
        return start, math.nan, math.inf
    from ._conserved import conserved

    comp = conserved(chain_on, blocks=family)
    labels, masses = np.asarray(comp.labels), np.asarray(comp.masses, dtype=np.float64)
    if laws is None:
        limit = max(float(-masses @ np.log(masses)), 0.0)
    else:
        by_comp = np.zeros((laws.shape[0], len(masses)))
        np.add.at(by_comp.T, labels, laws.T)  # P(c | λ)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(by_comp > 0, by_comp * np.log(by_comp / masses[None, :]), 0.0)
        limit = min(max(float(weights @ terms.sum(axis=1)), 0.0), start)
    lam2 = _second_eigenvalue(kernel, probs, labels, masses)
    if lam2 is None:
        return start, limit, math.inf
    if scan == "random":
        sigma2 = lam2 * lam2
    else:
        sigma2 = 1.0 - 2.0 * (1.0 - lam2) / (kernel.n_blocks + 1)
    if sigma2 <= 0.0:
        return start, limit, 1
    if sigma2 >= 1.0:
        return start, limit, math.inf
    t_conv = math.log(len(probs) / LIMIT_TOL) / -math.log(sigma2)
    return start, limit, (math.ceil(t_conv) if t_conv < 2.0**63 else math.inf)


def _second_eigenvalue(kernel, probs, labels, masses) -> float | None:
    """An upper bound on the largest eigenvalue of the random-scan kernel below its unit
    eigenvalues (0 when every state is its own component); None when unknown."""

    from ..engines import _eigensolvers as solvers

    n, m = len(probs), len(masses)
    if m >= n:
        return 0.0
    if n <= DENSE_MAX:
        sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        lam = np.linalg.eigvalsh(sym)[::-1]
        # Rounding of the m unit eigenvalues is of order n ε; the next one is below them.
        return float(min(max(lam[m], 0.0) + 1e-12, 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            with solvers.progress(False):
                lam, _, ok, _ = solvers.chebyshev(kernel, probs, labels, masses, 1, vectors=False)
        except TooLargeError:
            return None
    if not ok:
        return None
    # A converged Ritz value is within RESIDUAL_TOL of an eigenvalue.
    return float(min(max(lam[0], 0.0) + solvers.RESIDUAL_TOL, 1.0))


def _bounded(nats: np.ndarray, start: float, limit: float, *, exact: bool) -> np.ndarray:
    """Every value within ``[I_∞, I_0]`` (``[0, H]`` where the limit is not computed).

    Exact values outside by more than rounding are an internal error (raised, never
    returned); estimates are clipped into the range of the quantity.
    """
    low = limit if math.isfinite(limit) else 0.0
    slack = 1e-9 * max(1.0, start)
    if exact and (np.any(nats < low - slack) or np.any(nats > start + slack)):
        raise ArithmeticError(
            f"internal error: surviving information {nats.tolist()} nats outside "
            f"[{low}, {start}]; please report this with the system and arguments"
        )
    return np.clip(nats, low, start)


def _dense_curve(kernel, probs, laws, weights, times, scan, bar) -> np.ndarray:
    """The dense route: exact values from ``K^T`` for every time (``0 < T < T*``)."""
    if bar is not None:
        bar.total = 1
    if laws is None and int(times[-1]) <= LARGE_T:
        if scan == "random":
            sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
            out = _dense_information(sym, probs, times, symmetrised=True)
        else:
            kt1 = kernel.dense(scan, _kernel.MEMORY_BUDGET)
            out = _dense_information(kt1, probs, times, symmetrised=False)
    else:
        out = np.array(
            [
                _mean_kl(kt, probs) if laws is None else _laws_kl(laws @ kt, weights, probs)
                for kt in _dense_powers(kernel, probs, times, scan)
            ]
        )
    if bar is not None:
        bar.update(1)
    return out


def _dense_powers(kernel, probs, times, scan):
    """``K^T`` for each time, stable for every ``T < 2^63``: the eigendecomposition of the
    symmetrised kernel (random scan), or squaring with every square put back on the
    stochastic matrices (rows non-negative, summing to 1: spectral radius exactly 1, so
    rounding cannot grow)."""
    root = np.sqrt(probs)
    if scan == "random":
        sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        lam, u = np.linalg.eigh(sym)
        lam = np.clip(lam, 0.0, 1.0)
        for t in times:
            with np.errstate(under="ignore"):
                st = (u * lam ** float(t)) @ u.T
            yield _stochastic(st * root[None, :] / root[:, None])
        return
    squares = [_stochastic(kernel.dense(scan, _kernel.MEMORY_BUDGET))]
    for t in (int(t) for t in times):
        power = None
        for j in range(t.bit_length()):
            while len(squares) <= j:
                squares.append(_stochastic(squares[-1] @ squares[-1]))
            if t >> j & 1:
                power = squares[j] if power is None else _stochastic(power @ squares[j])
        yield power


def _stochastic(k: np.ndarray) -> np.ndarray:
    np.maximum(k, 0.0, out=k)
    k /= k.sum(axis=1, keepdims=True)
    return k


def _laws_kl(mu: np.ndarray, weights: np.ndarray, probs: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(mu > 0, mu * np.log(mu / probs[None, :]), 0.0)
    return float(weights @ terms.sum(axis=1))
