"""Exact measures on Gaussian systems (THEORY §8): log-determinants and linear algebra.

Resampling block ``B`` of a centred Gaussian state is ``x ↦ M_B x + noise``, with ``M_B``
the identity except rows ``B``, which are ``-Q_BB^{-1} Q_{B,-B}`` (``Q`` the precision).

- Systematic scan: one sweep is linear, ``X' - μ = A (X - μ) + W``, ``A = M_{B_m}...M_{B_1}``.
  With ``Σ = L L^T`` and the whitened sweep ``Ã = L^{-1} A L``,
  ``I(X^0; X^T) = -½ log det(I - Ã^T (Ã^T)^⊤)``; about a scalar latent ``θ``, with
  ``s = Σ_{xθ} / √Σ_θθ``, ``I(θ; X^T) = -½ log(1 - (A^T s)^⊤ Q_x (A^T s))``: one vector
  pushed through the sweeps, so it scales to sparse systems.
- Random scan: ``E[X^{t+1} - μ | X^t] = M (X^t - μ)``, ``M = I - P Q`` with
  ``P = (1/|𝓑|) Σ_B E_B Q_BB^{-1} E_B^T``; the eigenvalues of ``M`` are eigenvalues of the
  kernel (the linear sector), and the slowest mode of a Gaussian target is linear. ``P Q``
  is self-adjoint for ``<x, y> = x^T Q y``: dense, the eigenvalues of ``R^T Q R``
  (``P = R R^T``); sparse, the generalised problem ``Q^{-1} y = ν P y`` (``ν = 1/μ``, the
  largest first) by Lanczos on a sparse factorisation of ``Q``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import TooLargeError, UnsupportedError
from ..systems._gaussian import GaussianSystem
from . import _gaussian_linalg as _la
from ._conserved import Conserved
from ._finite_time import Curve, _frozen, _resolve_observed
from ._gaussian_latents import natural_latent_errors
from ._gaussian_linalg import _chain_law, _Sweep
from ._gaussian_random import RandomScanBounds, random_scan_bounds
from ._gaussian_spectrum import LinearModes, slow_modes, spectrum

__all__ = [
    "GaussianConserved",
    "GaussianMeasures",
    "LinearModes",
    "RandomScanBounds",
    "random_scan_bounds",
]

_RANDOM_SCAN = (
    "surviving_information with scan='random' has no closed form on a GaussianSystem: "
    "after T random-scan steps the law of X^T given X^0 is a mixture of Gaussians over "
    "the sequences of blocks drawn (THEORY §8), and no approximation is made silently. "
    "Exact alternatives: scan='systematic' (one sweep is a linear map; exact "
    "log-determinants), and the linear sector of the random-scan kernel, "
    "natabs.spectrum(g, k=...) and natabs.slow_modes(g, k=...) (eigenvalues of "
    "E[X^(t+1) | X^t] = M X^t; the slowest mode of a Gaussian target is linear, so "
    "relaxation_time is exact); about a latent, natabs.measures.random_scan_bounds gives "
    "an exact lower bound (the linear sector) and a sampled upper bound on I(latent; X^T)"
)


# -- surviving information ----------------------------------------------------------------


def surviving_information(
    system: GaussianSystem,
    requested: np.ndarray,
    *,
    k,
    blocks,
    scan: str,
    about,
    method: str,
    samples,
    seed,
    base: float,
    progress: bool,
) -> Curve:
    """:func:`natabs.surviving_information` on a Gaussian system: exact, systematic scan.

    ``I(X^0; X^0)`` is infinite for continuous variables (``inf`` at ``T = 0``); it is
    also infinite at every ``T`` when some variable is in no block (it is copied exactly).
    """
    if scan == "random":
        raise UnsupportedError(_RANDOM_SCAN)
    if method == "sampled":
        raise UnsupportedError(
            "method='sampled' is not needed on a GaussianSystem: systematic-scan "
            "information is exact (method='exact' or 'auto')"
        )
    obs, q, s, name = _chain_law(system, about)
    family = _resolve_observed(obs, k, blocks, name)
    times = np.unique(requested)
    if s is None and obs.n > _la.DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"I(X^0; X^T) of {obs.n} variables needs dense {obs.n} x {obs.n} matrices; the "
            f"limit is {_la.DENSE_ROUTE_MAX}. Ask about a latent (about=...), which scales to "
            "sparse systems"
        )
    sweep = _Sweep(q, family)
    if s is not None:
        nats = _latent_curve(sweep, q, s, times)
    elif sweep.uncovered:
        nats = np.full(len(times), math.inf)
    else:
        nats = _full_curve(obs, sweep, times)
    at = np.searchsorted(times, requested)
    bits = np.maximum(nats[at], 0.0) / math.log(base)
    return Curve(
        steps=_frozen(requested),
        bits=_frozen(bits),
        stderr=_frozen(np.zeros(len(requested))),
        method="exact",
        scan=scan,
        about=name,
        base=base,
        blocks=family,
    )


def _latent_curve(sweep: _Sweep, q, s: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``-½ log(1 - v_T^T Q_x v_T)`` with ``v_T = A^T s``, in nats."""
    v = s.copy()
    dense_a = None
    if not sweep.sparse and times[-1] > 4 and sweep.n <= _la.DENSE_ROUTE_MAX:
        dense_a = sweep.matrix()  # one n^3 product, then cheap matrix-vector steps
    out = np.empty(len(times))
    t = 0
    for i, target in enumerate(int(x) for x in times):
        while t < target:
            v = dense_a @ v if dense_a is not None else sweep.apply(v)
            t += 1
        qv = float(v @ (q @ v))
        out[i] = math.inf if qv >= 1.0 else -0.5 * math.log1p(-qv)
    return out


def _full_curve(obs: GaussianSystem, sweep: _Sweep, times: np.ndarray) -> np.ndarray:
    """``-½ log det(I - C C^T)``, ``C = Ã^T``, in nats, sharing powers across times."""
    import scipy.linalg as sl
    from scipy.linalg import blas, lapack

    n = obs.n
    if n > _la.DENSE_ROUTE_MAX:
        raise TooLargeError(
            f"I(X^0; X^T) of {n} variables needs dense {n} x {n} matrices; the limit is "
            f"{_la.DENSE_ROUTE_MAX}. Ask about a latent (about=...), which scales to sparse systems"
        )
    chol = obs.cov_cholesky()
    a = sweep.matrix()
    # Every product and factorisation below goes to scipy's BLAS. numpy's ``@`` runs on
    # numpy's own copy of OpenBLAS, whose threads spin for a while after each product; on
    # a busy machine they hold the cores the next factorisation's threads wait for (a
    # Cholesky of 500 rows after numpy's product: 40-100 ms; after scipy's: 2 ms).
    whitened = sl.solve_triangular(chol, blas.dgemm(1.0, a, chol), lower=True, check_finite=False)
    squares = [whitened]
    power = None
    t = 0
    out = np.empty(len(times))
    for i, target in enumerate(int(x) for x in times):
        if target == 0:
            out[i] = math.inf
            continue
        d = target - t
        for j in range(d.bit_length()):
            while len(squares) <= j:
                squares.append(blas.dgemm(1.0, squares[-1], squares[-1]))
            if d >> j & 1:
                power = squares[j] if power is None else blas.dgemm(1.0, squares[j], power)
        t = target
        gram = blas.dsyrk(-1.0, power)  # upper triangle of -C C^T
        gram[np.diag_indices(n)] += 1.0
        factor, info = lapack.dpotrf(gram, lower=0, clean=0, overwrite_a=1)
        if info != 0:  # I - C C^T numerically singular: X^T all but determines X^0
            out[i] = math.inf
            continue
        out[i] = -float(np.sum(np.log(np.diag(factor))))
    return out


# -- the linear sector of the random-scan kernel ------------------------------------------


@dataclass(frozen=True, repr=False)
class GaussianConserved(Conserved):
    """:class:`~natabs.Conserved` for a Gaussian system, with the reason for its value.

    ``labels`` is empty (there are no support states to label); ``n_components`` is 1
    when every variable is in some block and 0 (a continuum) otherwise.
    """

    reason: str = ""


def conserved(system: GaussianSystem, family, *, base: float) -> GaussianConserved:
    """:func:`natabs.conserved` on a Gaussian system: 0, or infinite for unmoved variables."""
    covered = {i for b in family for i in b}
    missing = [system.names[i] for i in range(system.n) if i not in covered]
    labels = np.zeros(0, dtype=np.uint32)
    labels.flags.writeable = False
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        masses = np.zeros(0)
        masses.flags.writeable = False
        return GaussianConserved(
            bits=math.inf,
            labels=labels,
            masses=masses,
            n_components=0,
            base=base,
            blocks=family,
            reason=f"{shown} in no block: continuous values kept forever",
        )
    masses = np.ones(1)
    masses.flags.writeable = False
    return GaussianConserved(
        bits=0.0,
        labels=labels,
        masses=masses,
        n_components=1,
        base=base,
        blocks=family,
        reason="full support: the move graph is connected (THEORY §8)",
    )


class GaussianMeasures:
    """Exact linear-algebra engines for Gaussian systems (numpy/scipy)."""

    kind = "GaussianSystem"
    conserved = staticmethod(conserved)
    surviving_information = staticmethod(surviving_information)
    spectrum = staticmethod(spectrum)
    slow_modes = staticmethod(slow_modes)
    natural_latent_errors = staticmethod(natural_latent_errors)
