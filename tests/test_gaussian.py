"""Gaussian systems (THEORY §8) against a plain-numpy reference, Monte Carlo and theory."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import transforms as nt
from natabs.errors import InvalidInputError, TooLargeError, UnsupportedError
from natabs.testing import _gaussian as gtest

LN2 = math.log(2)


# -- the plain-numpy reference --------------------------------------------------------------


def ref_sweep(q: np.ndarray, blocks) -> np.ndarray:
    """One systematic sweep as a matrix: the product of explicit block updates M_B."""
    n = len(q)
    a = np.eye(n)
    for b in blocks:
        b = list(b)
        rest = [i for i in range(n) if i not in b]
        m = np.eye(n)
        m[np.ix_(b, b)] = 0.0
        m[np.ix_(b, rest)] = -np.linalg.solve(q[np.ix_(b, b)], q[np.ix_(b, rest)])
        a = m @ a
    return a


def ref_information(cov: np.ndarray, blocks, t: int) -> float:
    """I(X^0; X^T) in bits = ½ log det Σ - ½ log det(Σ - A^T Σ A^T')."""
    a = np.linalg.matrix_power(ref_sweep(np.linalg.inv(cov), blocks), t)
    return 0.5 * (np.linalg.slogdet(cov)[1] - np.linalg.slogdet(cov - a @ cov @ a.T)[1]) / LN2


def ref_latent(cov: np.ndarray, j: int, blocks, t: int) -> float:
    """I(θ; X^T) in bits, θ = variable j marginalised, chain on the others."""
    rest = [i for i in range(len(cov)) if i != j]
    cx = cov[np.ix_(rest, rest)]
    s = cov[rest, j]
    cond = cx - np.outer(s, s) / cov[j, j]
    a = np.linalg.matrix_power(ref_sweep(np.linalg.inv(cx), blocks), t)
    law = a @ cond @ a.T + cx - a @ cx @ a.T
    return 0.5 * (np.linalg.slogdet(cx)[1] - np.linalg.slogdet(law)[1]) / LN2


def ref_random_scan(q: np.ndarray, blocks) -> np.ndarray:
    """Eigenvalues of M = (1/|B|) Σ_B M_B, descending."""
    n = len(q)
    m = np.zeros((n, n))
    for b in blocks:
        m += ref_sweep(q, [b])
    lam = np.linalg.eigvals(m / len(blocks))
    assert np.allclose(lam.imag, 0, atol=1e-9)
    return np.sort(lam.real)[::-1]


def random_cov(rng, n: int) -> np.ndarray:
    b = rng.normal(size=(n, n))
    return b @ b.T + 0.5 * np.eye(n)


# -- construction and validation ----------------------------------------------------------


def test_variables_protocol():
    g = na.GaussianSystem(np.eye(3), names=["a", "b", "c"])
    assert isinstance(g, na.systems._variables.Variables)
    assert g.n == 3 and g.cards == (0, 0, 0) and g.indices(["c", 0]) == (2, 0)


@pytest.mark.parametrize(
    "cov, match",
    [
        ([[1.0, 2.0], [2.0, 1.0]], "smallest eigenvalue is -1"),
        ([[1.0, 0.5], [0.4, 1.0]], "symmetric"),
        ([[1.0, np.nan], [np.nan, 1.0]], "finite"),
        ([1.0, 2.0], "square"),
    ],
)
def test_validation(cov, match):
    with pytest.raises(InvalidInputError, match=match):
        na.GaussianSystem(cov)


def test_validation_names_and_mean():
    with pytest.raises(InvalidInputError, match="2 names given for 3"):
        na.GaussianSystem(np.eye(3), names=["a", "b"])
    with pytest.raises(InvalidInputError, match="mean must have shape"):
        na.GaussianSystem(np.eye(3), mean=[0, 1])


def test_sparse_not_positive_definite_names_the_pivot():
    q = sp.diags([1.0, -1.0, 2.0])
    with pytest.raises(InvalidInputError, match="pivot .* is -1"):
        na.GaussianSystem.from_precision(q)


def test_too_large_dense_is_refused_before_allocating():
    with pytest.raises(TooLargeError, match="limit"):
        _ = na.GaussianSystem.from_precision(sp.identity(100_000, format="csc")).cov
    g = na.systems.spring_chain(10_000)
    with pytest.raises(TooLargeError, match="dense"):
        na.surviving_information(g, steps=[1], k=1, scan="systematic")


def test_precision_covariance_and_sparse_agree():
    rng = np.random.default_rng(0)
    cov = random_cov(rng, 5)
    q = np.linalg.inv(cov)
    for g in (
        na.GaussianSystem(cov),
        na.GaussianSystem.from_precision(q),
        na.GaussianSystem.from_precision(sp.csc_matrix(q)),
    ):
        assert np.allclose(g.cov, cov)
        assert math.isclose(g.logdet_cov(), np.linalg.slogdet(cov)[1], rel_tol=1e-10)
        assert np.allclose(g.marginal([3, 1]).cov, cov[np.ix_([3, 1], [3, 1])])


def test_from_dag_matches_structural_equations():
    dag = nx.DiGraph()
    dag.add_node("a", variance=2.0, intercept=1.0)
    dag.add_edge("a", "b", weight=0.5)
    dag.add_edge("b", "c", weight=-2.0)
    dag.add_edge("a", "c", weight=1.0)
    dag.nodes["b"]["variance"] = 1.0
    dag.nodes["c"]["variance"] = 0.5
    g = na.GaussianSystem.from_dag(dag)
    b = np.zeros((3, 3))
    b[1, 0], b[2, 1], b[2, 0] = 0.5, -2.0, 1.0
    inv = np.linalg.inv(np.eye(3) - b)
    assert np.allclose(g.cov, inv @ np.diag([2.0, 1.0, 0.5]) @ inv.T)
    assert np.allclose(g.mean, inv @ [1.0, 0.0, 0.0])


def test_sampling_matches_the_covariance():
    g = na.systems.gaussian_chain(4, rho=0.7)
    x = g.sample(100_000, seed=1)
    assert np.allclose(np.cov(x.T), g.cov, atol=0.03)


# -- finite time: exact against the reference ---------------------------------------------


@pytest.mark.parametrize(
    "blocks",
    [
        [(0,), (1,), (2,), (3,)],
        [(0, 1), (2, 3)],
        [(2,), (0, 1, 3)],
        [(0, 1), (1, 2), (2, 3)],
    ],
)
def test_full_information_matches_reference(blocks):
    rng = np.random.default_rng(1)
    cov = random_cov(rng, 4)
    g = na.GaussianSystem(cov)
    c = na.surviving_information(g, steps=[0, 1, 2, 5, 3], blocks=blocks, scan="systematic")
    assert math.isinf(c.bits[0])
    for t, bits in zip(c.steps[1:], c.bits[1:]):
        assert bits == pytest.approx(ref_information(cov, blocks, int(t)), rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
def test_latent_information_matches_reference(sparse):
    rng = np.random.default_rng(2)
    cov = random_cov(rng, 5)
    g = (
        na.GaussianSystem(cov)
        if not sparse
        else na.GaussianSystem.from_precision(sp.csc_matrix(np.linalg.inv(cov)))
    )
    blocks = [(0,), (1, 2), (3,)]
    c = na.surviving_information(g, steps=[0, 1, 4], blocks=blocks, scan="systematic", about=2)
    for t, bits in zip(c.steps, c.bits):
        assert bits == pytest.approx(ref_latent(cov, 2, blocks, int(t)), rel=1e-8, abs=1e-12)


def test_shared_drift_closed_forms():
    g = na.systems.shared_drift(8)
    c = na.surviving_information(g, steps=[0, 1, 3], k=1, scan="systematic", about="theta")
    assert c.bits[0] == pytest.approx(0.5 * math.log2(9), rel=1e-12)
    y = nt.center_of_mass([f"x{i}" for i in range(8)])(g)
    cy = na.surviving_information(y, steps=[0, 1, 3], k=1, scan="systematic", about="theta")
    assert cy.bits[0] == pytest.approx(c.bits[0], rel=1e-12)
    assert cy.bits[1] == pytest.approx(0.0, abs=1e-12) and cy.bits[2] == pytest.approx(
        0.0, abs=1e-12
    )
    assert c.bits[1] > 0.5 and c.bits[2] > 0.1


def test_monte_carlo_chain_agrees_within_error_bars():
    """Explicit conditional draws of the chain, θ kept aside; I(θ; X^T) from the sample
    covariance (the joint law is Gaussian), error bars by batch means."""
    n_x, tau, sigma, sweeps = 4, 1.0, 1.0, 2
    rng = np.random.default_rng(3)
    draws = 40_000
    theta = rng.normal(0, tau, draws)
    x = theta[:, None] + rng.normal(0, sigma, (draws, n_x))
    cx = sigma**2 * np.eye(n_x) + tau**2
    q = np.linalg.inv(cx)
    for _ in range(sweeps):
        for i in range(n_x):
            rest = [j for j in range(n_x) if j != i]
            mean = -(x[:, rest] @ q[i, rest]) / q[i, i]
            x[:, i] = mean + rng.normal(0, 1 / math.sqrt(q[i, i]), draws)

    def info(th, xs):
        c = np.cov(np.column_stack([th, xs]).T)
        r2 = c[0, 1:] @ np.linalg.solve(c[1:, 1:], c[1:, 0]) / c[0, 0]
        return -0.5 * math.log2(1 - r2)

    batches = [info(theta[i::20], x[i::20]) for i in range(20)]
    est, err = info(theta, x), np.std(batches, ddof=1) / math.sqrt(20)
    exact = na.surviving_information(
        na.systems.shared_drift(n_x, tau, sigma),
        steps=[sweeps],
        k=1,
        scan="systematic",
        about="theta",
    ).bits[0]
    assert abs(est - exact) < 4 * err + 2e-3, (est, exact, err)


def test_random_scan_is_refused_with_the_reason():
    g = na.systems.shared_drift(3)
    with pytest.raises(UnsupportedError, match="mixture of Gaussians"):
        na.surviving_information(g, steps=[1], k=1, about="theta")


def test_unmoved_variable_keeps_infinite_information():
    g = na.GaussianSystem(np.eye(2) + 0.5)
    c = na.surviving_information(g, steps=[1, 2], blocks=[[0]], scan="systematic")
    assert np.all(np.isinf(c.bits))
    r = na.conserved(g, blocks=[[0]])
    assert math.isinf(r.bits) and "x1" in r.reason


def test_conserved_is_zero_with_its_reason():
    r = na.conserved(na.systems.shared_drift(4), k=1)
    assert r.bits == 0.0 and "full support" in r.reason
    assert na.conserved_information(na.systems.spring_chain(5), k=2) == 0.0


# -- spectrum: the linear sector ---------------------------------------------------------


@pytest.mark.parametrize(
    "blocks",
    [
        [(0,), (1,), (2,), (3,), (4,)],
        [(0, 1), (2, 3, 4)],
        [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)],
    ],
)
def test_spectrum_matches_reference(blocks):
    rng = np.random.default_rng(4)
    cov = random_cov(rng, 5)
    g = na.GaussianSystem(cov)
    sp_ = na.spectrum(g, blocks=blocks)
    ref = ref_random_scan(np.linalg.inv(cov), blocks)
    assert sp_.eigenvalues[0] == 1.0 and sp_.n_unit == 1
    assert np.allclose(sp_.eigenvalues[1:], ref, atol=1e-10)
    assert sp_.relaxation_time == pytest.approx(1 / (1 - ref[0]), rel=1e-9)
    modes = na.slow_modes(g, blocks=blocks, top=2)
    m = np.zeros((5, 5))
    for b in blocks:
        m += ref_sweep(np.linalg.inv(cov), [b])
    m /= len(blocks)
    for lam, a in zip(modes.eigenvalues, modes.coefficients):
        assert np.allclose(m.T @ a, lam * a, atol=1e-9)  # a·x is mapped to λ a·x
        assert a @ cov @ a == pytest.approx(1.0, rel=1e-9)


def test_sparse_routes_agree_with_dense():
    g = na.systems.spring_chain(60, pinning=0.3)
    dense = na.spectrum(g, k=1, top=4, method="dense")
    lanczos = na.spectrum(g, k=1, top=4, method="lanczos")
    assert np.allclose(dense.eigenvalues, lanczos.eigenvalues, atol=1e-10)
    from natabs.measures import _gaussian_spectrum as ms

    mu, _, ok = ms._banded_sector(g, na.blocks.singletons(60), list(range(60)), 3, True)
    assert ok and np.allclose(1 - mu, dense.eigenvalues[1:4], atol=1e-12)


def test_sparse_relaxation_time_at_scale():
    g = na.systems.spring_chain(100_000, stiffness=1.0, pinning=0.5)
    sp_ = na.spectrum(g, k=1, top=2)
    # single-site: μ_min = min eig of D^{-1/2} Q D^{-1/2} / N, the smooth mode
    assert sp_.relaxation_time == pytest.approx(100_000 * 2.5 / 0.5, rel=1e-3)


def test_shared_drift_mean_mode_is_slowest():
    n = 7
    x = na.systems.shared_drift(n, 0.5, 2.0).marginal([f"x{i}" for i in range(n)])
    modes = na.slow_modes(x, k=1, top=1)
    assert abs(modes.correlation(np.ones(n))[0]) == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 12), st.floats(0.1, 5.0), st.floats(0.1, 5.0))
def test_shared_drift_mean_mode_eigenvalue(n, tau, sigma):
    x = na.systems.shared_drift(n, tau, sigma).marginal([f"x{i}" for i in range(n)])
    lam = na.spectrum(x, k=1, top=2).eigenvalues[1]
    expected = 1 - sigma**2 / (n * (sigma**2 + (n - 1) * tau**2))
    assert lam == pytest.approx(expected, rel=1e-10, abs=1e-12)


# -- hypothesis properties ----------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(gtest.gaussian_systems(max_vars=5), st.data())
def test_information_non_increasing_in_T(g, data):
    gtest.check_information_monotone(g, steps=[1, 2, 3, 5, 8])
    if g.n > 1:
        gtest.check_information_monotone(
            g, steps=[0, 1, 2, 4], about=data.draw(st.integers(0, g.n - 1))
        )


@settings(max_examples=30, deadline=None)
@given(gtest.gaussian_systems(max_vars=5), st.data())
def test_scaling_one_variable_changes_nothing(g, data):
    var = data.draw(st.integers(0, g.n - 1))
    factor = data.draw(st.sampled_from([-3.0, -0.5, 0.01, 2.0, 100.0]))
    gtest.check_scale_invariance(g, var, factor)


@settings(max_examples=20, deadline=None)
@given(gtest.gaussian_systems(min_vars=2, max_vars=5), st.data())
def test_linear_maps_push_the_law(g, data):
    t = data.draw(gtest.linear_maps(g))
    y = t(g)
    big, big_inv, _ = nt._gaussian.linear_matrix(t, g.names)
    tm = big.toarray()
    assert np.allclose(y.cov, tm @ g.cov @ tm.T, atol=1e-8 * (1 + np.abs(y.cov).max()))
    assert np.allclose(big_inv.toarray() @ tm, np.eye(g.n), atol=1e-8)


# -- transformations ----------------------------------------------------------------------


def test_center_of_mass_is_a_bijection_with_independent_mean():
    g = na.systems.shared_drift(5)
    t = nt.center_of_mass([f"x{i}" for i in range(5)])
    y = t(g)
    assert y.names[1] == "com" and y.names[2] == "x1-com"
    c = y.cov
    assert np.allclose(c[1, 2:], 0.0)  # the mean is independent of the relative coordinates
    assert t.is_bijective(g)
    assert np.allclose(t(na.GaussianSystem(g.cov, names=g.names)).cov, c)


def test_permute_and_compose():
    g = na.GaussianSystem([[1.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 1.0]])
    y = (nt.Permute([2, 0, 1]) >> nt.scale("x2", 2.0))(g)
    assert y.names == ("x2", "x0", "x1")
    assert y.cov[0, 0] == pytest.approx(4.0) and y.cov[0, 2] == pytest.approx(0.4)


def test_discrete_maps_are_refused_on_gaussians():
    g = na.GaussianSystem(np.eye(2))
    with pytest.raises(UnsupportedError, match="no linear part"):
        nt.Merge([0, 1])(g)
    with pytest.raises(UnsupportedError, match="GaussianSystem"):
        nt.Linear([0, 1], [[1, 1], [1, -1]])(na.systems.copies(2))


def test_linear_light_cone_from_sparsity():
    g = na.systems.spring_chain(8)
    pairs = nt.Compose(*[nt.Linear([2 * i, 2 * i + 1], [[1, 1], [1, -1]]) for i in range(4)])
    cone = nt.light_cone(g, pairs, 2)
    assert cone.forward == 4 and cone.inverse == 4
    cone = nt.light_cone(g, nt.prefix_xor(range(8)), 1)
    assert cone.inverse == 8 and cone.forward == 2


def test_survives_reports_finite_time():
    g = na.systems.shared_drift(6)
    s = na.survives(
        g,
        nt.center_of_mass([f"x{i}" for i in range(6)]),
        k=1,
        steps=[0, 1, 2],
        about="theta",
    )
    assert s.before == s.after == 0.0 and s.bounds == "full support"
    assert s.surviving_before[0] == pytest.approx(s.surviving_after[0])
    assert s.surviving_after[1] == pytest.approx(0.0, abs=1e-12)
    assert s.surviving_before[1] > 0.1


# -- a discretised Gaussian approaches the Gaussian numbers --------------------------------


def _discretised_shared_drift(m: int, span: float = 6.0) -> na.System:
    """θ, x0, x1 on a grid of m points per axis over ±span standard deviations."""
    grid = np.linspace(-span, span, m)
    th, x0, x1 = np.meshgrid(grid * 1.0, grid * math.sqrt(2), grid * math.sqrt(2), indexing="ij")
    logp = -0.5 * th**2 - 0.5 * (x0 - th) ** 2 - 0.5 * (x1 - th) ** 2
    p = np.exp(logp - logp.max())
    return na.System.from_table(p / p.sum(), names=["theta", "x0", "x1"])


def test_discretised_gaussian_approaches_the_exact_numbers():
    exact = na.surviving_information(
        na.systems.shared_drift(2),
        steps=[0, 1, 2],
        k=1,
        scan="systematic",
        about="theta",
    ).bits
    errors = []
    for m in (5, 9, 17):
        s = _discretised_shared_drift(m)
        c = na.surviving_information(s, steps=[0, 1, 2], k=1, scan="systematic", about="theta")
        errors.append(np.max(np.abs(c.bits - exact)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-6, errors


def test_sparse_marginal_by_schur_complement_stays_sparse():
    g = na.systems.spring_chain(50, pinning=0.2)
    keep = [i for i in range(50) if i != 20]
    m = g.marginal(keep)
    assert m.is_sparse
    assert np.allclose(m.cov, g.cov[np.ix_(keep, keep)], atol=1e-10)


def test_spectrum_relaxation_time_not_computed_is_nan():
    g = na.systems.gaussian_chain(4, 0.5)
    assert math.isnan(na.spectrum(g, k=1, top=1).relaxation_time)


def test_random_scan_bounds():
    g = na.systems.shared_drift(5)
    b = na.measures.random_scan_bounds(g, [0, 1, 5, 10, 20], k=1, about="theta", seed=1)
    exact0 = na.surviving_information(g, steps=[0], k=1, scan="systematic", about="theta")
    assert b.lower[0] == pytest.approx(exact0.bits[0]) == b.upper[0]
    assert np.all(b.lower <= b.upper + 4 * b.upper_stderr + 1e-12)
    assert np.all(np.diff(b.lower) <= 1e-12)
    # one block holding every observed variable: every sequence is the same, bounds meet
    one = na.measures.random_scan_bounds(
        g, [1, 3], blocks=[[f"x{i}" for i in range(5)]], about="theta", seed=0
    )
    sysc = na.surviving_information(
        g,
        steps=[1, 3],
        blocks=[[f"x{i}" for i in range(5)]],
        scan="systematic",
        about="theta",
    )
    assert np.allclose(one.lower, sysc.bits, atol=1e-12)
    assert np.allclose(one.upper, sysc.bits, atol=1e-12)


@pytest.mark.parametrize(
    "blocks", [None, [(0, 1), (2, 3, 4), (5,)], [(0, 1), (1, 2), (3, 4, 5), (2, 3)]]
)
def test_sparse_sweeps_agree_with_dense(monkeypatch, blocks):
    """The sparse routes (used above DENSE_ROUTE_MAX variables) on a small chain."""
    from natabs.measures import _gaussian_linalg as mg

    g = na.systems.gaussian_chain(7, rho=0.8)
    kw = {"k": 1} if blocks is None else {"blocks": blocks}
    steps = [0, 1, 2, 5]
    dense = na.surviving_information(g, steps, scan="systematic", about="x3", **kw)
    ref = [ref_latent(np.array(g.cov), 3, dense.blocks, t) for t in steps]
    assert np.allclose(dense.bits, ref, rtol=1e-9, atol=1e-12)
    monkeypatch.setattr(mg, "DENSE_ROUTE_MAX", 0)
    sparse = na.surviving_information(g, steps, scan="systematic", about="x3", **kw)
    assert np.allclose(sparse.bits, dense.bits, rtol=1e-9, atol=1e-12)
    if blocks is None or len({i for b in blocks for i in b}) == sum(map(len, blocks)):
        fam = na.blocks.singletons(7) if blocks is None else blocks
        sp_sparse = na.spectrum(g, blocks=fam, top=3)
        monkeypatch.setattr(mg, "DENSE_ROUTE_MAX", 4096)
        sp_dense = na.spectrum(g, blocks=fam, top=3)
        assert np.allclose(sp_sparse.eigenvalues, sp_dense.eigenvalues, atol=1e-10)


def test_spectrum_top_beyond_the_linear_sector_is_refused():
    # 1 (constants) and n linear modes: a larger top would silently list fewer.
    g = na.systems.gaussian_chain(4, 0.5)
    assert na.spectrum(g, k=1, top=5).eigenvalues.size == 5
    assert na.spectrum(g, k=1).eigenvalues.size == 5
    with pytest.raises(na.errors.InvalidInputError, match="top must be at most 5 for 4 variables"):
        na.spectrum(g, k=1, top=100)


def test_full_curve_factorises_once_per_time(monkeypatch):
    # I(X^0; X^T) needs one Cholesky factorisation per time (log det(I - C C^T)); the
    # factor of the covariance, formed when the system is built, serves the precision
    # and the whitening (no second and third factorisation of Sigma).
    import scipy.linalg
    from scipy.linalg import lapack

    g = na.systems.shared_drift(30)
    x = g.marginal([f"x{i}" for i in range(30)])
    calls = []
    potrf, cholesky = lapack.dpotrf, scipy.linalg.cholesky
    monkeypatch.setattr(lapack, "dpotrf", lambda a, *s, **k: calls.append(1) or potrf(a, *s, **k))
    monkeypatch.setattr(
        scipy.linalg, "cholesky", lambda a, *s, **k: calls.append(1) or cholesky(a, *s, **k)
    )
    curve = na.surviving_information(x, steps=list(range(1, 11)), k=1, scan="systematic")
    assert len(calls) == 10
    monkeypatch.undo()
    q = np.linalg.inv(np.array(x.cov))
    np.testing.assert_allclose(x.precision, q, rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(curve.bits) <= 1e-12) and curve.bits[0] > 0
