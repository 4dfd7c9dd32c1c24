"""Canonical Gaussian systems (THEORY §8), each with its known answers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidInputError
from ._gaussian import GaussianSystem

__all__ = ["gaussian_chain", "shared_drift", "spring_chain", "spring_lattice"]


def _positive(v: Any, name: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {v!r}")
    x = float(v)
    if not (math.isfinite(x) and x > 0):
        raise InvalidInputError(f"{name} must be a finite number > 0, got {v!r}")
    return x


def shared_drift(N: int, tau: float = 1.0, sigma: float = 1.0) -> GaussianSystem:
    """``N`` particles with a shared drift: ``x_i = θ + ε_i``, ``θ ~ N(0, τ²)``, ``ε_i ~ N(0, σ²)``.

    Variables ``"theta"`` then ``"x0" .. "x{N-1}"``, held by their sparse (arrow-shaped)
    precision. Known answers (THEORY §8): ``I(θ; X^0) = ½ log2(1 + N τ²/σ²)`` bits; under
    single-site random scan on the ``x`` (θ marginalised) the mean mode has eigenvalue
    ``1 - σ² / (N (σ² + (N - 1) τ²))`` per step, so θ is remembered for about
    ``1 + (N - 1) τ²/σ²`` sweeps; in centre-of-mass coordinates one sweep erases it.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.shared_drift(8)
    >>> g.names[:3], g.n
    (('theta', 'x0', 'x1'), 9)
    >>> c = na.surviving_information(g, steps=[0], k=1, scan="systematic", about="theta")
    >>> round(float(c.bits[0]), 6)  # ½ log2(1 + 8)
    1.584963
    """
    import scipy.sparse as sp

    N = integer(N, "N", 1)
    t2 = _positive(tau, "tau") ** 2
    s2 = _positive(sigma, "sigma") ** 2
    n = N + 1
    rows = np.concatenate([[0], np.zeros(N, int), np.arange(1, n), np.arange(1, n)])
    cols = np.concatenate([[0], np.arange(1, n), np.zeros(N, int), np.arange(1, n)])
    vals = np.concatenate([[1 / t2 + N / s2], np.full(2 * N, -1 / s2), np.full(N, 1 / s2)])
    q = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))
    return GaussianSystem.from_precision(q, names=["theta"] + [f"x{i}" for i in range(N)])


def gaussian_chain(N: int, rho: float = 0.9) -> GaussianSystem:
    """A stationary AR(1) chain: ``x_0 ~ N(0, 1)``, ``x_i = ρ x_{i-1} + √(1-ρ²) ε_i``.

    Unit variances, ``Cov(x_i, x_j) = ρ^|i-j|``; the precision is tridiagonal (sparse).

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.gaussian_chain(4, rho=0.5)
    >>> g.cov[0].round(6).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    import scipy.sparse as sp

    N = integer(N, "N", 1)
    if isinstance(rho, bool) or not isinstance(rho, (int, float, np.integer, np.floating)):
        raise TypeError(f"rho must be a number, got {rho!r}")
    r = float(rho)
    if not -1 < r < 1:
        raise InvalidInputError(f"rho must lie in (-1, 1), got {rho!r}")
    c = 1 / (1 - r * r)
    diag = np.full(N, (1 + r * r) * c)
    diag[[0, -1]] = c
    if N == 1:
        diag[:] = 1.0
    off = np.full(N - 1, -r * c)
    q = sp.diags([off, diag, off], [-1, 0, 1], format="csc")
    return GaussianSystem.from_precision(q)


def spring_chain(N: int, stiffness: float = 1.0, pinning: float = 0.01) -> GaussianSystem:
    """Masses on a line joined by springs, each weakly pinned: ``Q = k L + p I``.

    ``L`` is the Laplacian of the path graph (free ends): the energy is
    ``k/2 Σ (x_{i+1} - x_i)² + p/2 Σ x_i²``. With weak pinning the slowest mode of
    single-site resampling is the smooth, centre-of-mass-like mode, with a relaxation time
    that grows with ``N``.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.spring_chain(3, stiffness=1.0, pinning=0.5)
    >>> g.precision.toarray().tolist()
    [[1.5, -1.0, 0.0], [-1.0, 2.5, -1.0], [0.0, -1.0, 1.5]]
    """
    import scipy.sparse as sp

    N = integer(N, "N", 1)
    k = _positive(stiffness, "stiffness")
    p = _positive(pinning, "pinning")
    deg = np.full(N, 2.0)
    deg[[0, -1]] = 1.0
    if N == 1:
        deg[:] = 0.0
    off = np.full(N - 1, -k)
    q = sp.diags([off, k * deg + p, off], [-1, 0, 1], format="csc")
    return GaussianSystem.from_precision(q)


def spring_lattice(L: int, stiffness: float = 1.0, pinning: float = 0.01) -> GaussianSystem:
    """An ``L x L`` lattice of springs (free boundary), each site weakly pinned.

    ``Q = k (L_path ⊗ I + I ⊗ L_path) + p I``; variable ``"x{r}_{c}"`` sits at row ``r``,
    column ``c`` (row-major). Sparse: ``L = 316`` gives 99,856 variables.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.systems.spring_lattice(2, pinning=1.0)
    >>> g.names, g.precision.toarray()[0].tolist()
    (('x0_0', 'x0_1', 'x1_0', 'x1_1'), [3.0, -1.0, -1.0, 0.0])
    """
    import scipy.sparse as sp

    L = integer(L, "L", 1)
    k = _positive(stiffness, "stiffness")
    p = _positive(pinning, "pinning")
    deg = np.full(L, 2.0)
    deg[[0, -1]] = 1.0
    if L == 1:
        deg[:] = 0.0
    off = np.full(L - 1, -1.0)
    lap = sp.diags([off, deg, off], [-1, 0, 1], format="csr")
    eye = sp.identity(L, format="csr")
    q = (k * (sp.kron(lap, eye) + sp.kron(eye, lap)) + p * sp.identity(L * L)).tocsc()
    names = [f"x{r}_{c}" for r in range(L) for c in range(L)]
    return GaussianSystem.from_precision(q, names=names)
