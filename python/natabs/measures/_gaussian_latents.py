"""Natural-latent errors on Gaussian systems in closed form (THEORY §7, §8).

The latent ``Λ`` is one scalar variable of the system; the views and the latent are taken
from the marginal law ``N(μ, Σ)`` of their variables (the rest is marginalised). Every
quantity is a log-determinant of a conditional covariance (a Schur complement), with
``P = Σ^{-1}`` the precision of that marginal (ordered views, then ``Λ``):

- mediation ``TC(X | Λ) = ½ (Σ_i log det C_ii - log det C)``, ``C = Σ_{X|Λ} =
  Σ_XX - s s^T / σ_ΛΛ``; computed on ``C`` scaled to unit diagonal, by Cholesky factors;
- ``I(Λ; X_i | X_{-i}) = ½ log(Var(Λ | X_{-i}) / Var(Λ | X))
  = -½ log(1 - P_Λi P_ii^{-1} P_iΛ / P_ΛΛ)`` (leave-one-out);
- ``I(Λ; X_{-i} | X_i) = ½ log(Var(Λ | X_i) P_ΛΛ)``, ``Var(Λ | X_i) = σ_ΛΛ -
  Σ_Λi Σ_ii^{-1} Σ_iΛ`` (strong).

The deterministic conventions ``H(Λ | X_{-i})`` and ``H(Λ | X_i)`` are discrete entropies
and do not apply to a continuous latent (THEORY §7): they are reported as ``nan``.
``latent_entropy`` and ``latent_noise`` are the *differential* entropies ``h(Λ)`` and
``h(Λ | X)`` (they may be negative; their difference is ``I(Λ; X)``).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import TooLargeError
from ..systems._gaussian import GaussianSystem
from ._gaussian_linalg import DENSE_ROUTE_MAX
from ._latents import NaturalLatentErrors, _checked

__all__ = ["natural_latent_errors"]

_LOG_2PIE = math.log(2 * math.pi * math.e)
#: Largest number of entries of the covariance columns taken from a sparse precision.
_COLUMNS_MAX = 1 << 26


def _logdet_spd(a: np.ndarray, what: str) -> float:
    """``log det a`` of a symmetric positive-definite matrix, by its Cholesky factor."""
    if a.shape[0] == 0:
        return 0.0
    try:
        chol = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise RuntimeError(
            f"{what} is not numerically positive definite: the conditional covariance is "
            "singular to working precision (a view all but determines another given the latent)"
        ) from None
    return 2.0 * float(np.sum(np.log(np.diag(chol))))


def _explained(cross: np.ndarray, block: np.ndarray) -> float:
    """``cross^T block^{-1} cross`` for a positive-definite ``block``, by Cholesky."""
    chol = np.linalg.cholesky(block)
    w = np.linalg.solve(chol, cross)
    return float(w @ w)


def natural_latent_errors(
    system: GaussianSystem,
    latent: int,
    views: tuple[tuple[int, ...], ...],
    *,
    base: float,
) -> NaturalLatentErrors:
    """:func:`natabs.natural_latent_errors` on a Gaussian system: exact log-determinants.

    The stochastic conventions and the mediation error are mutual informations, exact and
    finite. The deterministic conventions (discrete entropies of the latent) do not apply
    to a continuous latent and are ``nan``; ``latent_entropy`` and ``latent_noise`` are the
    differential entropies ``h(Λ)`` and ``h(Λ | X)``.

    Examples
    --------
    ``x_i = θ + ε_i``: the positions are independent given the drift (mediation 0);
    ``Var(θ | any k positions) = 1 / (1/τ² + k/σ²)``, so one position adds
    ``½ log2((σ² + N τ²) / (σ² + (N - 1) τ²))`` to the others, and the others add
    ``½ log2((σ² + N τ²) / (σ² + τ²))`` to one:

    >>> import natabs as na
    >>> g = na.systems.shared_drift(4)
    >>> e = na.natural_latent_errors(g, "theta")
    >>> e.mediation
    0.0
    >>> e.redundancy.round(6)  # ½ log2(5 / 4)
    array([0.160964, 0.160964, 0.160964, 0.160964])
    >>> e.strong_redundancy.round(6)  # ½ log2(5 / 2)
    array([0.660964, 0.660964, 0.660964, 0.660964])
    >>> e.deterministic_redundancy  # discrete entropies: not defined here
    array([nan, nan, nan, nan])
    """
    every = [v for view in views for v in view]
    order = every + [latent]
    n = len(order)
    if n > DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"natural_latent_errors on a GaussianSystem needs the dense {n} x {n} covariance "
            f"of the views and the latent; the limit is {DENSE_ROUTE_MAX} variables. Use "
            "fewer or smaller views (variables in no view are marginalised out)"
        )
    if system.is_sparse:
        # one column per variable kept, through the sparse factorisation
        full = system.n
        if full * n > _COLUMNS_MAX:
            raise TooLargeError(
                f"natural_latent_errors needs {n} covariance columns of {full} entries "
                f"({full * n} numbers); the limit is {_COLUMNS_MAX}. Use fewer or smaller views"
            )
        cols = np.zeros((full, n))
        cols[order, np.arange(n)] = 1.0
        sigma = np.asarray(system.cov_times(cols))[order]
    else:
        sigma = np.asarray(system.cov)[np.ix_(order, order)]
    sigma = 0.5 * (sigma + sigma.T)
    m = len(views)
    slices, at = [], 0
    for view in views:
        slices.append(np.arange(at, at + len(view)))
        at += len(view)
    lam = n - 1
    s_ll = float(sigma[lam, lam])
    s_x = sigma[:lam, lam]
    # the precision of the marginal, by Cholesky: P = L^-T L^-1
    chol = np.linalg.cholesky(sigma)
    linv = np.linalg.solve(chol, np.eye(n))
    prec = linv.T @ linv
    prec = 0.5 * (prec + prec.T)
    p_ll = float(prec[lam, lam])
    # Var(Λ | X) = 1 / P_ΛΛ; I(Λ; X) = ½ log(σ_ΛΛ P_ΛΛ) (the bound of every redundancy)
    info = 0.5 * math.log(s_ll * p_ll)
    # mediation: C = Σ_{X|Λ}, scaled to unit diagonal
    cond = sigma[:lam, :lam] - np.outer(s_x, s_x) / s_ll
    d = np.sqrt(np.diag(cond))
    corr = cond / np.outer(d, d)
    corr = 0.5 * (corr + corr.T)
    parts = sum(
        _logdet_spd(corr[np.ix_(ix, ix)], "a view's covariance given the latent") for ix in slices
    )
    whole = _logdet_spd(corr, "the views' covariance given the latent")
    mediation = 0.5 * (parts - whole)
    red = np.empty(m)
    strong = np.empty(m)
    for i, ix in enumerate(slices):
        # leave-one-out: Var(Λ | X_-i) / Var(Λ | X) = 1 / (1 - P_Λi P_ii^-1 P_iΛ / P_ΛΛ)
        frac = _explained(prec[ix, lam], prec[np.ix_(ix, ix)]) / p_ll
        red[i] = math.inf if frac >= 1.0 else -0.5 * math.log1p(-frac)
        # strong: Var(Λ | X_i) = σ_ΛΛ (1 - ρ²), ρ² = Σ_Λi Σ_ii^-1 Σ_iΛ / σ_ΛΛ
        rho2 = _explained(sigma[ix, lam], sigma[np.ix_(ix, ix)]) / s_ll
        strong[i] = info + 0.5 * math.log1p(-min(rho2, 1.0)) if rho2 < 1.0 else -math.inf
    scale = abs(parts) + abs(whole) + abs(info) + 1.0
    to_base = 1.0 / math.log(base)
    mediation_b = float(_checked(mediation * to_base, math.inf, "mediation", scale))
    info_b = float(_checked(info * to_base, math.inf, "I(latent; X)", scale))
    red_b = _checked(red * to_base, info_b, "I(latent; X_i | X_-i)", scale)
    strong_b = _checked(strong * to_base, info_b, "I(latent; X_-i | X_i)", scale)
    nan = np.full(m, math.nan)
    det, view_det = nan, nan.copy()
    for a in (red_b, strong_b, det, view_det):
        a.flags.writeable = False
    names = system.names
    h_lat = 0.5 * (_LOG_2PIE + math.log(s_ll)) * to_base
    return NaturalLatentErrors(
        mediation=mediation_b,
        redundancy=red_b,
        strong_redundancy=strong_b,
        deterministic_redundancy=det,
        view_determinism=view_det,
        max_redundancy=float(red_b.max()),
        max_strong_redundancy=float(strong_b.max()),
        max_deterministic_redundancy=math.nan,
        max_view_determinism=math.nan,
        latent_entropy=h_lat,
        latent_noise=h_lat - info_b,
        latent=names[latent],
        views=tuple(tuple(names[v] for v in view) for view in views),
        base=base,
    )
