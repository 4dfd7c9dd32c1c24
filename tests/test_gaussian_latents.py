"""Natural-latent errors on Gaussian systems (THEORY §7, §8): a plain-numpy reference from
the definitions, exact values on the shared drift, and the mutual-information fields
against a fine discretisation on a support System."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import testing
from natabs.errors import InvalidInputError, TooLargeError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the plain-numpy reference: differential entropies of sub-covariances ------------------


def _h(cov: np.ndarray, s: list[int]) -> float:
    """Differential entropy in bits of the marginal on ``s`` (0 for the empty set)."""
    if not s:
        return 0.0
    sign, logdet = np.linalg.slogdet(cov[np.ix_(s, s)])
    assert sign > 0
    return 0.5 * (len(s) * math.log(2 * math.pi * math.e) + logdet) / math.log(2)


def reference(g: na.GaussianSystem, latent, views=None) -> dict:
    """Every mutual-information field as a signed sum of joint differential entropies."""
    cov = np.asarray(g.cov)
    lat = g.index(latent)
    if views is None:
        views = [[i] for i in range(g.n) if i != lat]
    views = [list(g.indices(v if isinstance(v, list) else [v])) for v in views]
    every = [v for view in views for v in view]
    m = len(views)
    h_l, h_x, h_lx = _h(cov, [lat]), _h(cov, every), _h(cov, every + [lat])
    rest = [[v for j, w in enumerate(views) if j != i for v in w] for i in range(m)]
    return {
        "mediation": sum(_h(cov, v + [lat]) for v in views) - (m - 1) * h_l - h_lx,
        "redundancy": np.array([_h(cov, r + [lat]) + h_x - _h(cov, r) - h_lx for r in rest]),
        "strong_redundancy": np.array(
            [_h(cov, v + [lat]) + h_x - _h(cov, v) - h_lx for v in views]
        ),
        "latent_entropy": h_l,
        "latent_noise": h_lx - h_x,
    }


def _assert_matches(e, ref, tol=1e-7):
    assert e.mediation == pytest.approx(ref["mediation"], abs=tol)
    np.testing.assert_allclose(e.redundancy, ref["redundancy"], atol=tol)
    np.testing.assert_allclose(e.strong_redundancy, ref["strong_redundancy"], atol=tol)
    assert e.latent_entropy == pytest.approx(ref["latent_entropy"], abs=tol)
    assert e.latent_noise == pytest.approx(ref["latent_noise"], abs=tol)


@st.composite
def _system_latent_views(draw):
    g = draw(testing.gaussian_systems(min_vars=2, max_vars=5))
    lat = draw(st.integers(0, g.n - 1))
    others = [i for i in range(g.n) if i != lat]
    order = draw(st.permutations(others))
    kept = order[: draw(st.integers(1, len(order)))]
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(kept) - 1)), max_size=len(kept) - 1)))
    groups, at = [], 0
    for c in [*cuts, len(kept)]:
        if c > at:
            groups.append([int(v) for v in kept[at:c]])
            at = c
    return g, lat, groups


@SETTINGS
@given(_system_latent_views())
def test_matches_the_reference_on_random_systems(case):
    g, lat, views = case
    e = na.natural_latent_errors(g, lat, views=views)
    _assert_matches(e, reference(g, lat, views))
    assert e.mediation >= 0 and np.all(e.redundancy >= 0) and np.all(e.strong_redundancy >= 0)
    info = e.latent_entropy - e.latent_noise  # I(latent; X)
    assert np.all(e.redundancy <= info + 1e-9) and np.all(e.strong_redundancy <= info + 1e-9)
    assert np.all(np.isnan(e.deterministic_redundancy)) and np.isnan(e.max_view_determinism)
    if len(views) == 2:  # THEORY §7: with two views, (2) for view 1 is (1) for view 2
        assert e.strong_redundancy[0] == pytest.approx(e.redundancy[1], abs=1e-9)


@SETTINGS
@given(testing.gaussian_systems(min_vars=2, max_vars=4), st.sampled_from([2, math.e, 10]))
def test_default_views_and_bases(g, base):
    e = na.natural_latent_errors(g, 0, base=base)
    two = na.natural_latent_errors(g, 0)
    assert e.views == tuple((name,) for name in g.names[1:])
    scale = math.log(2) / math.log(base)
    assert e.mediation == pytest.approx(two.mediation * scale, abs=1e-9)
    np.testing.assert_allclose(e.redundancy, two.redundancy * scale, atol=1e-9)
    assert e.base == base


# -- exact values ------------------------------------------------------------------------


@pytest.mark.parametrize(("N", "tau", "sigma"), [(1, 1.0, 1.0), (4, 1.0, 1.0), (9, 2.0, 0.5)])
def test_shared_drift_closed_forms(N, tau, sigma):
    """x_i = θ + ε_i: independent given θ; Var(θ | k positions) = 1 / (1/τ² + k/σ²)."""
    g = na.systems.shared_drift(N, tau, sigma)
    e = na.natural_latent_errors(g, "theta")
    r = tau**2 / sigma**2
    assert e.mediation == 0.0
    np.testing.assert_allclose(e.redundancy, 0.5 * np.log2((1 + N * r) / (1 + (N - 1) * r)))
    np.testing.assert_allclose(e.strong_redundancy, 0.5 * np.log2((1 + N * r) / (1 + r)))
    assert e.latent_entropy == pytest.approx(0.5 * math.log2(2 * math.pi * math.e * tau**2))
    info = e.latent_entropy - e.latent_noise
    assert info == pytest.approx(0.5 * math.log2(1 + N * r))  # I(θ; X), THEORY §8
    assert e.max_redundancy == pytest.approx(float(e.redundancy.max()))
    _assert_matches(e, reference(g, "theta"))


def test_shared_drift_grouped_views_and_redundancy_falls_with_N():
    g = na.systems.shared_drift(6)
    e = na.natural_latent_errors(g, "theta", views=[["x0", "x1", "x2"], ["x3", "x4", "x5"]])
    assert e.mediation == 0.0
    np.testing.assert_allclose(e.redundancy, 0.5 * math.log2(7 / 4))
    red = [
        na.natural_latent_errors(na.systems.shared_drift(n), "theta").max_redundancy
        for n in (2, 4, 8, 16)
    ]
    assert all(a > b for a, b in itertools.pairwise(red))


def test_a_position_as_latent_is_not_a_mediator():
    """x0 as the latent of the other positions: they share θ beyond x0, so mediation > 0."""
    g = na.systems.shared_drift(3)
    e = na.natural_latent_errors(g, "x0", views=["x1", "x2"])
    # given x0, x1 and x2 share θ with Var(θ | x0) = 1/2: correlation (1/2) / (3/2) = 1/3
    assert e.mediation == pytest.approx(-0.5 * math.log2(1 - 1 / 9))
    _assert_matches(e, reference(g, "x0", ["x1", "x2"]))


def test_independent_latent_has_zero_errors_and_sparse_equals_dense():
    g = na.GaussianSystem(np.diag([1.0, 2.0, 3.0]), names=["L", "a", "b"])
    e = na.natural_latent_errors(g, "L")
    assert e.mediation == 0.0 and np.all(e.redundancy == 0) and np.all(e.strong_redundancy == 0)
    assert e.latent_noise == pytest.approx(e.latent_entropy)
    sparse = na.systems.shared_drift(5)
    dense = na.GaussianSystem(sparse.cov, names=sparse.names)
    a = na.natural_latent_errors(sparse, "theta", views=[["x0", "x1"], "x3"])
    b = na.natural_latent_errors(dense, "theta", views=[["x0", "x1"], "x3"])
    np.testing.assert_allclose(a.redundancy, b.redundancy, atol=1e-12)
    assert a.views == (("x0", "x1"), ("x3",))


def test_bad_input_is_refused():
    g = na.systems.shared_drift(3)
    with pytest.raises(InvalidInputError, match="contains the latent"):
        na.natural_latent_errors(g, "theta", views=[["theta", "x0"]])
    with pytest.raises(InvalidInputError, match="disjoint"):
        na.natural_latent_errors(g, "theta", views=[["x0"], ["x0", "x1"]])
    with pytest.raises(TooLargeError, match="limit"):
        na.natural_latent_errors(na.systems.shared_drift(5000), "theta")


# -- against a fine discretisation on a support System -----------------------------------


def _discretised(g: na.GaussianSystem, K: int, width: float = 7.0) -> na.System:
    """The Gaussian's density on a K^n grid over ±width standard deviations, normalised."""
    cov = np.asarray(g.cov)
    sd = np.sqrt(np.diag(cov))
    axes = [np.linspace(-width * s, width * s, K) for s in sd]
    points = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, g.n)
    logp = -0.5 * np.einsum("ni,ij,nj->n", points, np.linalg.inv(cov), points)
    p = np.exp(logp - logp.max())
    keep = p > 1e-300
    states = np.stack(np.meshgrid(*[np.arange(K)] * g.n, indexing="ij"), -1).reshape(-1, g.n)
    return na.System(states[keep], p[keep], cards=[K] * g.n, names=g.names, normalize=True)


@pytest.mark.parametrize(
    ("cov", "views"),
    [
        ([[1.0, 0.8, 0.6], [0.8, 1.5, 0.7], [0.6, 0.7, 1.2]], None),
        ([[2.0, 0.8, 0.6], [0.8, 1.5, -0.3], [0.6, -0.3, 1.0]], None),
        ([[1.0, 0.6], [0.6, 1.0]], None),
        ([[1.0, 0.5, 0.5], [0.5, 1.0, 0.3], [0.5, 0.3, 1.0]], [["x0", "x1"]]),
    ],
)
def test_mutual_informations_converge_to_a_fine_discretisation(cov, views):
    """Mutual informations of the grid law converge to the Gaussian ones; the differential
    entropies do not (the grid's entropies grow like log K), so only MI fields compare."""
    names = ["theta"] + [f"x{i}" for i in range(len(cov) - 1)]
    g = na.GaussianSystem(cov, names=names)
    exact = na.natural_latent_errors(g, "theta", views=views)
    errors = []
    for K in (6, 12, 24):
        d = na.natural_latent_errors(_discretised(g, K), "theta", views=views)
        assert d.views == exact.views
        errors.append(
            max(
                abs(d.mediation - exact.mediation),
                float(np.abs(d.redundancy - exact.redundancy).max()),
                float(np.abs(d.strong_redundancy - exact.strong_redundancy).max()),
            )
        )
    assert errors[0] > errors[2]
    assert errors[2] < 1e-6, errors


def test_centre_of_mass_puts_all_of_theta_in_one_view():
    """THEORY §8: the mean carries all the information about θ, the relative coordinates
    none, so the drift stops being redundant (and they are no longer independent given θ)."""
    from natabs import transforms as nt

    N = 5
    g = na.systems.shared_drift(N)
    y = nt.center_of_mass([f"x{i}" for i in range(N)])(g)
    e = na.natural_latent_errors(y, "theta")
    assert e.redundancy[0] == pytest.approx(0.5 * math.log2(1 + N))  # I(θ; X): all in com
    np.testing.assert_allclose(e.redundancy[1:], 0.0, atol=1e-12)
    assert e.mediation > 0.1
    _assert_matches(e, reference(y, "theta"))
    with pytest.raises(na.errors.UnsupportedError, match="natural_latent_errors"):
        na.survives(g, nt.center_of_mass(["x0", "x1"]), k=1, latent="theta")
