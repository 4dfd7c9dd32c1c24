"""Estimators against known mutual information, and sampled against exact finite time."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import natabs as na
from natabs.errors import InvalidInputError
from natabs.estimate import mutual_information

from .reference import exact_majority_information


def h2(p):
    return -p * np.log2(p) - (1 - p) * np.log2(1 - p)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.5])
def test_binary_symmetric_channel(p):
    rng = np.random.default_rng(int(p * 10))
    x = rng.integers(0, 2, 20000)
    y = x ^ (rng.random(20000) < p)
    est = mutual_information(x, y, seed=1)
    exact = 1 - (h2(p) if 0 < p < 1 else 0.0)
    assert est.low - 1e-3 <= exact <= est.high + 1e-3
    assert abs(est.bits - exact) < 0.02
    assert est.n == 20000


def test_miller_madow_removes_most_of_the_bias():
    # independent variables with 8 x 8 values and few samples: plug-in is biased upward
    rng = np.random.default_rng(0)
    mm, plug = [], []
    for _ in range(30):
        a, b = rng.integers(0, 8, 300), rng.integers(0, 8, 300)
        mm.append(mutual_information(a, b, bootstrap=0).bits)
        joint = np.bincount(a * 8 + b, minlength=64) / 300
        pa, pb = joint.reshape(8, 8).sum(1), joint.reshape(8, 8).sum(0)
        nz = joint > 0
        plug.append(float((joint[nz] * np.log2(joint[nz] / np.outer(pa, pb).ravel()[nz])).sum()))
    assert np.mean(mm) < 0.5 * np.mean(plug)


def test_rows_are_joint_values_and_base_changes_units():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 2, (5000, 2))
    est = mutual_information(x, x[:, 0] + 2 * x[:, 1], bootstrap=0)
    assert abs(est.bits - 2) < 0.01
    nats = mutual_information(x, x[:, 0] + 2 * x[:, 1], bootstrap=0, base=np.e)
    assert abs(nats.bits - est.bits * np.log(2)) < 1e-12


def test_estimator_errors():
    with pytest.raises(InvalidInputError, match="paired"):
        mutual_information([0, 1], [0, 1, 1])
    with pytest.raises(InvalidInputError, match="confidence"):
        mutual_information([0, 1], [0, 1], confidence=1.5)
    with pytest.raises(InvalidInputError, match="no samples"):
        mutual_information([], [])


def test_sampled_surviving_information_agrees_with_exact_finite_time():
    fg = na.FactorGraph.ising(nx.cycle_graph(5), beta=0.5)
    sweeps = [0, 1, 3, 6]
    s = na.sampled_surviving_information(fg, "majority", sweeps=sweeps, chains=20000, seed=4)
    exact = exact_majority_information(fg, sweeps)
    assert s.sweeps == tuple(sweeps)
    for lo, hi, e in zip(s.low, s.high, exact):
        assert lo - 0.005 <= e <= hi + 0.005
    assert abs(s.bits[0] - 1.0) < 0.01 and exact[0] == pytest.approx(1.0)


def test_callable_and_variable_statistics():
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.3)
    a = na.sampled_surviving_information(fg, [0], sweeps=[2], chains=3000, seed=1)
    b = na.sampled_surviving_information(fg, lambda x: x[:, 0], sweeps=[2], chains=3000, seed=1)
    np.testing.assert_allclose(a.bits, b.bits)
    with pytest.raises(InvalidInputError, match="majority"):
        na.sampled_surviving_information(fg, "magnetization", sweeps=[1])


def test_information_about_a_latent_source():
    # Noisy copies of a latent bit, as a DAG. At T = 0 the information is I(source; X),
    # exact; under resampling of the observed bits (source summed out) it decays, and the
    # majority keeps most of it for a while (THEORY §6 item 2).
    n, p = 3, 0.1
    G = nx.DiGraph([("source", i) for i in range(n)])
    G.nodes["source"]["cpd"] = np.array([0.5, 0.5])
    for i in range(n):
        G.nodes[i]["cpd"] = np.array([[1 - p, p], [p, 1 - p]])
    fg = na.FactorGraph.from_dag(G)
    s = na.sampled_surviving_information(
        fg, list(range(n)), sweeps=[0, 1, 50], chains=20000, seed=2, about="source"
    )
    exact = na.systems.noisy_copies(n, p, latent=True)
    i0 = 1 + exact.marginal(list(range(n))).entropy() - exact.entropy()
    assert s.low[0] - 0.005 <= i0 <= s.high[0] + 0.005
    assert s.bits[0] > s.bits[1] > s.bits[2] and s.bits[2] < 0.05
    maj = na.sampled_surviving_information(
        fg, "majority", sweeps=[0], chains=20000, seed=2, about="source"
    )
    assert maj.bits[0] <= s.bits[0] + 0.01  # data processing
    with pytest.raises(InvalidInputError, match="latent"):
        na.sampled_surviving_information(fg, ["source", 0], sweeps=[1], about="source")


def test_marginalize_sums_out_a_variable():
    fg = na.FactorGraph.from_factors(
        [(0, 1), (1, 2), (2, 3), (1,)],
        [[[2, 1, 0], [1, 2, 1]], [[1, 3], [2, 1], [0, 1]], [[1, 2], [2, 1]], [1, 2, 3]],
    )
    full = fg.to_system().to_table()
    for v in range(4):
        m = fg.marginalize(v)
        np.testing.assert_allclose(m.to_system().to_table(), full.sum(axis=v), atol=1e-12)
