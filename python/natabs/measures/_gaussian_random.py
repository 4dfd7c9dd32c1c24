"""Random scan on a Gaussian system: bounds on ``I(Λ; X^T)`` where no closed form exists."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import blocks as _blocks
from .._results import Result, show
from ..errors import InvalidInputError, TooLargeError
from ..systems._gaussian import GaussianSystem
from . import _gaussian_linalg as _la
from ._finite_time import _frozen, _resolve_observed
from ._gaussian_linalg import _block_inverses, _chain_law, _precision_mix

__all__ = ["RandomScanBounds", "random_scan_bounds"]

# -- random scan: exact lower bound, sampled upper bound ------------------------------------


@dataclass(frozen=True, repr=False)
class RandomScanBounds(Result):
    """Bounds on ``I(Λ; X^T)`` after ``T`` random-scan steps of a Gaussian system.

    Attributes
    ----------
    steps : numpy.ndarray
        The numbers of single-block steps ``T``.
    lower : numpy.ndarray
        Exact lower bound (the linear sector): ``-½ log(1 - v^T Q_x v)``, ``v = M^T s``.
    upper : numpy.ndarray
        Sampled upper bound ``E_S I(Λ; X^T | S)`` over block sequences ``S``.
    upper_stderr : numpy.ndarray
        Standard error of ``upper``.
    samples : int
        Block sequences drawn.
    about : str
        The latent.
    base : float
        Logarithm base.
    blocks : tuple of tuple of int
        The block family (indices among the observed variables).
    """

    steps: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    upper_stderr: np.ndarray
    samples: int
    about: str
    base: float = field(metadata=show(unless=2.0))
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))


def random_scan_bounds(
    system: GaussianSystem,
    steps: Any,
    k: int | None = None,
    *,
    blocks: Any = None,
    about: Any,
    samples: int = 200,
    seed: int | None = None,
    base: float = 2,
) -> RandomScanBounds:
    """Bounds on ``I(Λ; X^T)`` under random scan, where no closed form exists.

    After ``T`` random-scan steps the law of ``X^T`` given ``Λ`` is a mixture over the
    block sequences ``S`` drawn (THEORY §8), so :func:`natabs.surviving_information`
    refuses ``scan="random"`` on a Gaussian system. Two honest bounds instead:

    - **lower, exact** (the linear sector): ``X^T`` is exactly ``N(μ_x, Σ_x)`` at every
      ``T``; Gaussians maximise entropy at a given covariance and ``log det`` is concave,
      so ``h(X^T | Λ) <= ½ log det(2πe E_Λ Cov(X^T | Λ))``, and by total covariance
      ``E_Λ Cov(X^T | Λ) = Σ_x - v v^T`` with ``v = M^T s`` (``M`` the one-step mean map,
      ``s = Σ_{xΛ} / √Σ_ΛΛ``). Hence ``I >= -½ log(1 - v^T Q_x v)``.
    - **upper, sampled**: ``S`` is independent of ``Λ``, so
      ``I(Λ; X^T) <= I(Λ; X^T, S) = E_S I(Λ; X^T | S)``, and given ``S`` the chain is
      linear: ``-½ log(1 - v_S^T Q_x v_S)`` with ``v_S = A_S s``. The mean over ``samples``
      sequences is reported with its standard error.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.shared_drift(4)
    >>> b = na.measures.random_scan_bounds(g, [0, 4, 8], k=1, about="theta", seed=0)
    >>> b.lower.round(3).tolist(), b.upper.round(3).tolist()
    ([1.161, 0.468, 0.242], [1.161, 0.608, 0.328])
    """
    from .._info import check_base
    from .._validation import integer
    from ._finite_time import _check_steps

    requested = _check_steps(steps)
    samples = integer(samples, "samples", 1)
    b = check_base(base)
    if about is None:
        raise InvalidInputError("about= is required: the bounds are about a latent variable")
    if system.n > _la.DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"random-scan bounds on {system.n} variables; the limit is {_la.DENSE_ROUTE_MAX}"
        )
    obs, q, s, name = _chain_law(system, about)
    q = q.toarray() if hasattr(q, "toarray") else np.asarray(q)
    family = _resolve_observed(obs, k, blocks, name)
    if not family:
        raise InvalidInputError("the block family is empty: nothing is resampled")
    covered = sorted({i for bl in family for i in bl})
    p = np.zeros_like(q)
    p[np.ix_(covered, covered)] = _precision_mix(q, family, covered, sparse=False)
    times = np.unique(requested)

    def info(v):
        qv = float(v @ (q @ v))
        return math.inf if qv >= 1.0 else -0.5 * math.log1p(-qv)

    lower = np.empty(len(times))
    v, t = s.copy(), 0
    for i, target in enumerate(int(x) for x in times):
        while t < target:
            v = v - p @ (q @ v)
            t += 1
        lower[i] = info(v)
    updates = []
    for idx, inv in _block_inverses(q, family):
        for row, block_inv in zip(idx, inv):
            updates.append((row, q[row], block_inv, q[np.ix_(row, row)]))
    rng = np.random.default_rng(seed)
    draws = np.empty((samples, len(times)))
    for r in range(samples):
        v, t = s.copy(), 0
        for i, target in enumerate(int(x) for x in times):
            for j in rng.integers(len(updates), size=target - t):
                row, q_rows, block_inv, q_bb = updates[j]
                v[row] = -block_inv @ (q_rows @ v - q_bb @ v[row])
            t = target
            draws[r, i] = info(v)
    at = np.searchsorted(times, requested)
    unit = math.log(b)
    upper = draws.mean(axis=0)
    err = draws.std(axis=0, ddof=1) / math.sqrt(samples) if samples > 1 else np.zeros(len(times))
    return RandomScanBounds(
        steps=_frozen(requested),
        lower=_frozen(np.maximum(lower[at], 0.0) / unit),
        upper=_frozen(np.maximum(upper[at], 0.0) / unit),
        upper_stderr=_frozen(err[at] / unit),
        samples=samples,
        about=name,
        base=b,
        blocks=family,
    )
