"""Large T computed right: closed forms and limits instead of drifting repeated squaring
or T single steps (THEORY §4: I_T is non-increasing from H(X) to the conserved
information R). References are plain numpy (float64) on cases whose powers are exact."""

from __future__ import annotations

import math
import time
import warnings

import natabs as na
import numpy as np
import pytest
from natabs.errors import MethodSwitchWarning, TooLargeError
from natabs.measures import _finite_time as finite_time
from natabs.measures import _long_time as long_time

from .reference import dense_kernel

HUGE = [2**20, 2**40, 2**52, 2**62, 2**63 - 1]


def lazy_system(m: int, a: float) -> na.System:
    """Variable 0 takes values 0/1 with P = (a, 1 - a); variables 1..m-1 are constant.

    Under singleton blocks the random-scan kernel is ``K = (1/m) 1P' + (1 - 1/m) I``, so
    ``K^T(x, y) = λ^T δ_xy + (1 - λ^T) P(y)`` with ``λ = 1 - 1/m``: a closed form for
    every T.
    """
    states = np.zeros((2, m), dtype=np.int64)
    states[1, 0] = 1
    return na.System(states, [a, 1 - a], [2] * m)


def lazy_curve(a: float, lam: float, t: int) -> float:
    """I_T in bits for :func:`lazy_system`, in closed form."""
    p = np.array([a, 1 - a])
    decay = lam**t if t < 10**6 else 0.0  # underflows to 0 long before
    total = 0.0
    for x in range(2):
        row = (1 - decay) * p
        row[x] += decay
        total += p[x] * sum(r * math.log2(r / q) for r, q in zip(row, p) if r > 0)
    return total


@pytest.mark.parametrize("m, a", [(2, 0.3), (5, 0.5), (20, 0.1), (400, 0.7)])
def test_two_state_chain_matches_the_closed_form(m, a):
    s = lazy_system(m, a)
    steps = [0, 1, 2, 10, 100, 5000, 10**5, *HUGE]
    curve = na.surviving_information(s, steps, k=1)
    want = [lazy_curve(a, 1 - 1 / m, t) for t in steps]
    np.testing.assert_allclose(curve.bits, want, rtol=0, atol=1e-10)


@pytest.mark.parametrize("scan", ["random", "systematic"])
def test_huge_times_give_the_limit_not_a_drift(scan):
    # noisy_copies(3, 0.1) at 2**52 gave 24.99 bits and at 2**62 inf (H(X) = 2.27).
    s = na.systems.noisy_copies(3, 0.1)
    curve = na.surviving_information(s, HUGE, k=1, scan=scan)
    assert curve.method == "exact"
    r = na.conserved_information(s, k=1)
    np.testing.assert_allclose(curve.bits, r, rtol=0, atol=1e-12)
    assert np.all((curve.bits >= 0) & (curve.bits <= s.entropy()))


def test_a_disconnected_chain_keeps_its_components_forever():
    # copies(3) + noise on a 2-component move graph: the limit is R = 1 bit, not 0.
    s = na.systems.coupled_pair(3, 8)
    r = na.conserved_information(s, k=1)
    assert r > 0
    for scan in ("random", "systematic"):
        curve = na.surviving_information(s, HUGE, k=1, scan=scan)
        np.testing.assert_allclose(curve.bits, r, rtol=0, atol=1e-10)


@pytest.mark.parametrize("scan", ["random", "systematic"])
def test_slow_chain_between_the_squaring_range_and_its_limit_matches_numpy(scan):
    # Relaxation time ~5e4 steps: T = 2e4 and 1e5 are past LARGE_T but far from the limit.
    s = na.systems.noisy_copies(5, 0.01)
    family = na.blocks.all_subsets(5, 1)
    steps = [20_000, 100_000]
    curve = na.surviving_information(s, steps, k=1, scan=scan)
    k = dense_kernel(s, family, scan)
    p = s.probs
    for t, got in zip(steps, curve.bits):
        kt = np.linalg.matrix_power(k, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            want = float(p @ np.where(kt > 0, kt * np.log2(kt / p[None, :]), 0.0).sum(axis=1))
        assert got == pytest.approx(want, abs=1e-8)
        assert 0.0 <= got <= s.entropy()


def test_three_states_at_the_largest_time():
    # A 3-state system at 2**62 gave 2e161 bits.
    s = na.System([[0, 0], [0, 1], [1, 1]], [0.2, 0.5, 0.3], [2, 2])
    for scan in ("random", "systematic"):
        curve = na.surviving_information(s, [1, 2**62, 3], k=1, scan=scan)
        assert curve.bits[1] == pytest.approx(0.0, abs=1e-12)
        assert 0.0 <= curve.bits[2] <= curve.bits[0] <= s.entropy()


def test_nothing_moves_without_blocks_at_any_time():
    # copies(3) with k = 0 and 2**62 steps hung (T single steps); the answer is H(X).
    s = na.systems.copies(3)
    t = time.perf_counter()
    curve = na.surviving_information(s, [0, 5, 2**62], k=0)
    assert time.perf_counter() - t < 5
    np.testing.assert_allclose(curve.bits, s.entropy(), atol=1e-12)


def test_latent_curve_at_a_billion_steps_is_its_limit_at_once():
    # about= with 10**9 steps hung: auto chose exact propagation by the number of starts.
    s = na.systems.noisy_copies(6, 0.1, latent=True)
    t = time.perf_counter()
    curve = na.surviving_information(s, [10, 10**9, 2**62], k=1, about="source")
    assert time.perf_counter() - t < 10
    small = na.surviving_information(s, [10], k=1, about="source")
    assert curve.bits[0] == pytest.approx(small.bits[0], abs=1e-12)
    np.testing.assert_allclose(curve.bits[1:], 0.0, atol=1e-12)


def test_latent_limit_is_the_information_in_the_component():
    # Λ -> copies of Λ: the component of X remembers Λ for ever: I(Λ; X^∞) = H(Λ) = 1 bit.
    states = [[0, 0, 0, 0], [1, 1, 1, 1]]
    s = na.System(states, [0.5, 0.5], [2] * 4, ["a", "b", "c", "lam"])
    curve = na.surviving_information(s, [2**40], k=1, about="lam")
    assert curve.bits[0] == pytest.approx(1.0, abs=1e-12)


def test_huge_unconverged_work_is_refused_up_front(monkeypatch):
    # A large support whose gap is not computed (patched out): T propagated steps would
    # take forever, so the request is refused with its size named.
    monkeypatch.setattr(long_time, "DENSE_MAX", 16)
    monkeypatch.setattr(long_time, "_second_eigenvalue", lambda *a: None)
    s = na.systems.noisy_copies(6, 0.1)
    with pytest.raises(TooLargeError, match="element-steps"):
        na.surviving_information(s, [2**62], k=1, method="exact")


def test_switch_to_sampled_is_announced_in_one_line(monkeypatch):
    monkeypatch.setattr(finite_time, "EXACT_WORK", 1.0)
    s = na.systems.noisy_copies(11, 0.2)
    with pytest.warns(MethodSwitchWarning, match="method='exact'") as record:
        curve = na.surviving_information(s, [0, 5], k=1, samples=200, seed=0)
    assert curve.method == "sampled"
    (w,) = [r for r in record if r.category is MethodSwitchWarning]
    assert "\n" not in str(w.message) and "sampled" in str(w.message)
    # Forcing either method says nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodSwitchWarning)
        na.surviving_information(s, [5], k=1, samples=50, seed=0, method="sampled")
        na.surviving_information(na.systems.noisy_copies(4, 0.2), [5], k=1, method="exact")


def test_automatic_progress_bar_appears_only_for_long_work(monkeypatch, capsys):
    s = na.systems.noisy_copies(5, 0.2)
    na.surviving_information(s, [3], k=1)
    assert "surviving information" not in capsys.readouterr().err
    monkeypatch.setattr(finite_time, "AUTO_BAR_WORK", 0.0)
    monkeypatch.setattr(long_time, "DENSE_MAX", 4)  # propagation, whose bar counts starts
    na.surviving_information(s, [3], k=1)
    assert "surviving information" in capsys.readouterr().err
    na.surviving_information(s, [3], k=1, progress=False)
    assert "surviving information" not in capsys.readouterr().err


def test_sampling_shows_a_bar_by_default_only_for_long_runs(monkeypatch, capsys):
    from natabs.measures import _sampling

    fg = na.FactorGraph.ising_lattice(3, beta=0.3)
    na.sample(fg, sweeps=[0, 5], chains=20, seed=0, record="magnetization")
    assert "sweep" not in capsys.readouterr().err
    monkeypatch.setattr(_sampling, "AUTO_BAR_WORK", 0.0)
    na.sample(fg, sweeps=[0, 5], chains=20, seed=0, record="magnetization")
    assert "sweep" in capsys.readouterr().err
    na.sample(fg, sweeps=[0, 5], chains=20, seed=0, record="magnetization", progress=False)
    assert "sweep" not in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress"):
        na.sample(fg, sweeps=[0, 5], chains=20, seed=0, progress="yes")
