"""Hypothesis strategies and theorem checks for Gaussian systems (THEORY §8)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..systems._gaussian import GaussianSystem

__all__ = [
    "check_information_monotone",
    "check_scale_invariance",
    "gaussian_systems",
    "linear_maps",
]

#: Slack for comparisons of information computed in floating point (bits).
TOLERANCE = 1e-7


def _check_bounds(min_vars: int, max_vars: int) -> None:
    for name, v in (("min_vars", min_vars), ("max_vars", max_vars)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidArgument(f"{name}={v!r} must be an integer")
    if not 1 <= min_vars <= max_vars:
        raise InvalidArgument(f"need 1 <= min_vars <= max_vars, got {min_vars}, {max_vars}")


@st.composite
def _gaussians(draw, min_vars: int, max_vars: int, sparse: bool) -> GaussianSystem:
    n = draw(st.integers(min_vars, max_vars))
    entries = draw(
        st.lists(
            st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
            min_size=n * n,
            max_size=n * n,
        )
    )
    ridge = draw(st.floats(0.1, 2.0))
    b = np.array(entries).reshape(n, n)
    cov = b @ b.T + ridge * np.eye(n)
    mean = draw(st.lists(st.floats(-5.0, 5.0), min_size=n, max_size=n))
    if sparse:
        import scipy.sparse as sp

        return GaussianSystem.from_precision(sp.csc_matrix(np.linalg.inv(cov)), mean=mean)
    return GaussianSystem(cov, mean=mean)


def gaussian_systems(
    *, min_vars: int = 1, max_vars: int = 5, sparse: bool | None = None
) -> st.SearchStrategy[GaussianSystem]:
    """Random non-degenerate Gaussian systems: ``Σ = B B^T + r I`` with bounded entries.

    ``sparse=True`` holds them by a sparse precision, ``False`` by the covariance,
    ``None`` draws either. Shrinks towards one variable and ``B = 0``.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.gaussian_systems(max_vars=3), lambda g: g.n > 1).n
    2
    """
    _check_bounds(min_vars, max_vars)
    if sparse is None:
        return st.booleans().flatmap(lambda s: _gaussians(min_vars, max_vars, s))
    return _gaussians(min_vars, max_vars, bool(sparse))


@st.composite
def _maps(draw, system: GaussianSystem):
    from ..transforms import Linear, Permute, center_of_mass, scale

    n = system.n
    kind = draw(st.sampled_from(["linear", "scale", "permute", "com"]))
    if kind == "scale" or n == 1:
        return scale(draw(st.integers(0, n - 1)), draw(st.sampled_from([-2.0, 0.5, 3.0])))
    if kind == "permute":
        return Permute(draw(st.permutations(range(n))))
    size = draw(st.integers(2, n))
    block = draw(st.permutations(range(n)))[:size]
    if kind == "com":
        return center_of_mass(block)
    m = np.eye(size) + np.triu(
        np.array(
            draw(st.lists(st.floats(-2, 2), min_size=size * size, max_size=size * size))
        ).reshape(size, size),
        1,
    )
    return Linear(block, m)


def linear_maps(system: GaussianSystem) -> st.SearchStrategy[Any]:
    """Invertible linear maps of ``system``: a block :class:`~natabs.transforms.Linear`
    (unit upper triangular, so well conditioned), a scaling, a permutation or a centre of
    mass of a random block.

    Examples
    --------
    >>> from hypothesis import find
    >>> import natabs as na
    >>> from natabs import testing
    >>> g = na.GaussianSystem([[1.0, 0.5], [0.5, 1.0]])
    >>> t = find(testing.linear_maps(g), lambda t: True)
    >>> t(g).n
    2
    """
    if not isinstance(system, GaussianSystem):
        raise InvalidArgument(
            f"system must be a natabs.GaussianSystem, got {type(system).__name__}"
        )
    return _maps(system)


def check_information_monotone(
    system: GaussianSystem, steps=(1, 2, 3, 5, 8), *, k: int = 1, about: Any = None
) -> None:
    """``I(X^0; X^T)`` (or ``I(Λ; X^T)``) never increases with ``T`` (systematic scan),
    and lies in ``[0, I_0]``.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_information_monotone(na.systems.shared_drift(4), about="theta")
    """
    from ..measures._finite_time import surviving_information

    if about is not None and system.n == 1:
        return
    ts = sorted({int(t) for t in steps})
    c = surviving_information(system, ts, k=k, scan="systematic", about=about)
    bits = np.asarray(c.bits)
    assert np.all(bits >= 0), f"negative information {bits}"
    finite = bits[np.isfinite(bits)]
    diffs = np.diff(finite)
    assert np.all(diffs <= TOLERANCE * (1 + np.abs(finite[:-1]))), (
        f"information increased with T: steps {ts}, bits {bits.tolist()}"
    )


def check_scale_invariance(system: GaussianSystem, var: Any, factor: float, *, k: int = 1) -> None:
    """Scaling one variable (a 1-variable relabelling) changes no finite-time number
    and no eigenvalue of the linear sector (THEORY §5, b = 1).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import testing
    >>> testing.check_scale_invariance(na.systems.gaussian_chain(4, 0.6), "x1", -3.0)
    """
    from ..measures._finite_time import surviving_information
    from ..measures._spectrum import spectrum
    from ..transforms import scale

    y = scale(var, factor)(system)
    before = surviving_information(system, [1, 2, 4], k=k, scan="systematic").bits
    after = surviving_information(y, [1, 2, 4], k=k, scan="systematic").bits
    close = np.isclose(before, after, rtol=1e-6, atol=1e-8) | (np.isinf(before) & np.isinf(after))
    assert np.all(close), f"scaling {var!r} by {factor} changed I_T: {before} -> {after}"
    lb = spectrum(system, k).eigenvalues
    la = spectrum(y, k).eigenvalues
    assert np.allclose(lb, la, atol=1e-8), f"scaling changed the spectrum: {lb} -> {la}"
    if system.n > 1:
        name = system.names[system.index(var)]
        other = next(nm for nm in system.names if nm != name)
        ib = surviving_information(system, [0, 1, 3], k=k, scan="systematic", about=other).bits
        ia = surviving_information(y, [0, 1, 3], k=k, scan="systematic", about=other).bits
        assert np.allclose(ib, ia, rtol=1e-6, atol=1e-8) or math.isinf(ib[0]), (ib, ia)
