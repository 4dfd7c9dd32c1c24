"""Surviving information I(X^0; X^T) and I(Λ; X^T) (THEORY §4) against dense matrix
powers, and the theorems about them as properties."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from .reference import dense_kernel, reference_curve, reference_latent_curve
from .strategies import block_families, small_systems, systems
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs.engines import _kernel
from natabs.measures import _finite_time as finite_time
from natabs.errors import InvalidInputError

SETTINGS = settings(max_examples=30, deadline=None)
scans = st.sampled_from(["random", "systematic"])
STEPS = [0, 1, 2, 3, 7, 20]


@st.composite
def systems_with_families(draw, min_size: int = 1):
    s = draw(small_systems)
    return s, draw(block_families(s.n, min_blocks=min_size, max_blocks=5))


def both_routes(system, family, steps, scan):
    """Exact values by propagation in Rust and by the dense route, in nats."""
    kernel = _kernel.build(system, family)
    times = np.array(sorted(set(steps)))
    p = system.probs
    propagated = finite_time._exact(kernel, p, None, p, times, scan, None)
    if scan == "random":
        sym = kernel.dense_symmetric(_kernel.MEMORY_BUDGET)
        dense = finite_time._dense_information(sym, p, times, symmetrised=True)
        np.testing.assert_allclose(
            sym,
            np.sqrt(p)[:, None] * dense_kernel(system, family) / np.sqrt(p)[None, :],
            atol=1e-14,
        )
    else:
        kt1 = kernel.dense(scan, _kernel.MEMORY_BUDGET)
        dense = finite_time._dense_information(kt1, p, times, symmetrised=False)
    return times, propagated / math.log(2), dense / math.log(2)


@SETTINGS
@given(systems_with_families(min_size=0), scans)
def test_matches_dense_matrix_powers(case, scan):
    system, family = case
    times, propagated, dense = both_routes(system, family, STEPS, scan)
    want = reference_curve(system, family, times, scan)
    np.testing.assert_allclose(propagated, want, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dense, want, rtol=0, atol=1e-9)
    got = na.surviving_information(system, STEPS, blocks=family or [], scan=scan)
    np.testing.assert_allclose(got.bits, want, rtol=0, atol=1e-9)


@SETTINGS
@given(systems_with_families(), scans)
def test_starts_at_entropy_and_never_increases(case, scan):
    system, family = case
    curve = na.surviving_information(system, STEPS, blocks=family, scan=scan)
    assert curve.bits[0] == pytest.approx(system.entropy(), abs=1e-12)
    assert np.all(np.diff(curve.bits) <= 1e-12)
    assert curve.method == "exact" and not curve.stderr.any()


@SETTINGS
@given(systems_with_families())
def test_tends_to_the_conserved_information(case):
    system, family = case
    sp = na.spectrum(system, blocks=family)
    gap = 1.0 if math.isinf(sp.relaxation_time) else 1.0 / sp.relaxation_time
    t = math.ceil(40 / gap)
    if t > 100_000:
        return  # too slow a chain to reach its limit in a test
    late = na.surviving_information(system, [t], blocks=family).bits[0]
    assert late == pytest.approx(na.conserved_information(system, blocks=family), abs=1e-6)


@SETTINGS
@given(systems_with_families())
def test_bounded_by_chi2_information(case):
    system, family = case
    sp = na.spectrum(system, blocks=family)
    assert sp.complete
    curve = na.surviving_information(system, STEPS, blocks=family)
    for t, bits in zip(STEPS, curve.bits):
        assert bits <= math.log2(1 + sp.chi2(t)) + 1e-9


@st.composite
def latent_systems(draw):
    """A random law whose last variable is the latent 'lam'."""
    s = draw(systems(min_vars=3, max_vars=4, max_support=81))
    names = [f"x{i}" for i in range(s.n - 1)] + ["lam"]
    s = na.System(s.states, s.probs, s.cards, names)
    return s, draw(block_families(s.n - 1, max_blocks=5))


@SETTINGS
@given(latent_systems(), scans)
def test_latent_information_matches_reference_and_is_bounded(case, scan):
    system, family = case
    curve = na.surviving_information(system, STEPS, blocks=family, scan=scan, about="lam")
    want = reference_latent_curve(system, "lam", family, STEPS, scan)
    np.testing.assert_allclose(curve.bits, want, rtol=0, atol=1e-10)
    observed = system.marginal([nm for nm in system.names if nm != "lam"])
    full = na.surviving_information(observed, STEPS, blocks=family, scan=scan)
    assert np.all(curve.bits <= full.bits + 1e-10)
    assert np.all(np.diff(curve.bits) <= 1e-12)
    # T = 0: I(Λ; X) computed directly from the joint law.
    h_x = observed.entropy()
    h_x_given = system.entropy() - system.marginal(["lam"]).entropy()
    assert curve.bits[0] == pytest.approx(h_x - h_x_given, abs=1e-10)


def test_latent_blocks_refer_to_the_observed_variables():
    s = na.systems.noisy_copies(3, 0.2, latent=True)
    by_name = na.surviving_information(s, [5], blocks=[["x0"], ["x2"]], about="source")
    by_index = na.surviving_information(s, [5], blocks=[[0], [2]], about="source")
    assert by_name.bits[0] == by_index.bits[0]
    assert by_name.about == "source"
    with pytest.raises(InvalidInputError, match="latent"):
        na.surviving_information(s, [5], blocks=[["x0", "source"]], about="source")
    with pytest.raises(InvalidInputError, match="out of range"):
        na.surviving_information(s, [5], blocks=[[3]], about="source")


def test_copies_keep_their_bit_and_parity_its_bits():
    assert (
        list(na.surviving_information(na.systems.copies(4), [0, 5, 50], k=3).bits)
        == [pytest.approx(1.0, abs=1e-12)] * 3
    )
    parity = na.systems.parity(4)
    assert na.surviving_information(parity, [100], k=1).bits[0] == pytest.approx(3.0, abs=1e-12)


def test_steps_are_returned_in_the_order_given():
    s = na.systems.noisy_copies(3, 0.2)
    curve = na.surviving_information(s, [10, 0, 3, 10], k=1)
    assert curve.steps.tolist() == [10, 0, 3, 10]
    sorted_curve = na.surviving_information(s, [0, 3, 10], k=1)
    assert curve.bits.tolist() == [sorted_curve.bits[i] for i in (2, 0, 1, 2)]
    with pytest.raises(ValueError):
        curve.bits[0] = 1.0  # frozen arrays


def test_base_and_repr():
    s = na.systems.noisy_copies(3, 0.2)
    bits = na.surviving_information(s, [2], k=1).bits[0]
    nats = na.surviving_information(s, [2], k=1, base=math.e).bits[0]
    assert nats == pytest.approx(bits * math.log(2), rel=1e-12)
    assert "method='exact'" in repr(na.surviving_information(s, [2], k=1))


def test_dense_route_matches_propagation_on_a_mid_size_system():
    s = na.systems.noisy_copies(9, 0.15)
    family = na.blocks.all_subsets(9, 2)
    times, propagated, dense = both_routes(s, family, [1, 10, 30], "random")
    np.testing.assert_allclose(dense, propagated, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "system, k, steps, about",
    [
        (na.systems.noisy_copies(10, 0.2), 1, [1, 10, 40], None),
        (na.systems.ising_ring(9, 0.4), 2, [1, 5, 20], None),
        (na.systems.noisy_copies(8, 0.2, latent=True), 1, [1, 10, 40], "source"),
    ],
)
@pytest.mark.parametrize("scan", ["random", "systematic"])
def test_sampled_agrees_with_exact(system, k, steps, about, scan):
    exact = na.surviving_information(system, steps, k, scan=scan, about=about, method="exact")
    sampled = na.surviving_information(
        system, steps, k, scan=scan, about=about, method="sampled", samples=300, seed=7
    )
    assert sampled.method == "sampled"
    assert np.all(np.abs(sampled.bits - exact.bits) <= 4 * sampled.stderr + 1e-9)
    again = na.surviving_information(
        system, steps, k, scan=scan, about=about, method="sampled", samples=300, seed=7
    )
    assert again.bits.tolist() == sampled.bits.tolist()


def test_auto_samples_when_exact_would_be_too_much_work(monkeypatch):
    monkeypatch.setattr(finite_time, "EXACT_WORK", 1.0)
    s = na.systems.noisy_copies(11, 0.2)
    curve = na.surviving_information(s, [0, 5], k=1, samples=200, seed=0)
    assert curve.method == "sampled"
    # T = 0 is known exactly for every start.
    assert curve.stderr[0] < 1e-12 and curve.bits[0] == pytest.approx(s.entropy(), abs=1e-12)
    assert curve.stderr[1] > 0


def test_progress_bar(monkeypatch):
    s = na.systems.noisy_copies(5, 0.2)
    quiet = na.surviving_information(s, [3], k=1)
    monkeypatch.setattr(finite_time, "CHUNK", 7)
    shown = na.surviving_information(s, [3], k=1, progress=True)
    assert shown.bits[0] == pytest.approx(quiet.bits[0], abs=1e-13)


def test_progress_without_tqdm_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="natabs\\[progress\\]"):
        na.surviving_information(na.systems.copies(2), [1], k=1, progress=True)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(steps=[-1]), InvalidInputError, ">= 0"),
        (dict(steps=[]), InvalidInputError, "empty"),
        (dict(steps=5), TypeError, "list of integers"),
        (dict(steps=[1.5]), TypeError, "integers"),
        (dict(steps=[True]), TypeError, "integers"),
        (dict(steps=[1], scan="sideways"), InvalidInputError, "scan"),
        (dict(steps=[1], scan=1), TypeError, "scan"),
        (dict(steps=[1], method="guess"), InvalidInputError, "method"),
        (dict(steps=[1], method="exact", samples=10), InvalidInputError, "samples"),
        (dict(steps=[1], method="sampled", samples=0), InvalidInputError, "samples"),
        (dict(steps=[1], about="nobody"), InvalidInputError, "no variable"),
        (dict(steps=[1], base=1), InvalidInputError, "base"),
        (dict(steps=[1], progress="yes"), TypeError, "progress"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, match):
    s = na.systems.noisy_copies(3, 0.2)
    with pytest.raises(error, match=match):
        na.surviving_information(s, k=1, **kwargs)


def test_block_family_must_be_given_once_and_system_must_be_a_system():
    s = na.systems.noisy_copies(3, 0.2)
    with pytest.raises(TypeError, match="exactly one"):
        na.surviving_information(s, [1])
    with pytest.raises(TypeError, match="exactly one"):
        na.surviving_information(s, [1], k=1, blocks=[[0]])
    with pytest.raises(TypeError, match="natabs.System"):
        na.surviving_information(s.to_table(), [1], k=1)
    with pytest.raises(InvalidInputError, match="only that one"):
        na.surviving_information(na.systems.copies(1), [1], k=1, about="x0")


def test_dense_kernel_reference_is_stochastic():
    # The reference itself must be right for the comparisons to mean anything.
    s = na.systems.ising_ring(4, 0.3)
    for scan in ("random", "systematic"):
        k = dense_kernel(s, na.blocks.all_subsets(4, 2), scan)
        np.testing.assert_allclose(k.sum(axis=1), 1.0, atol=1e-14)
        np.testing.assert_allclose(s.probs @ k, s.probs, atol=1e-14)


def test_memory_budget_is_enforced_before_allocating(monkeypatch):
    from natabs.errors import TooLargeError

    monkeypatch.setattr(_kernel, "MEMORY_BUDGET", 10_000)
    with pytest.raises(TooLargeError, match="refusing before allocating"):
        na.surviving_information(na.systems.noisy_copies(8, 0.2), [3], k=1, method="exact")


def test_sampled_standard_errors_are_calibrated():
    """Across seeds, (sampled - exact) / stderr must look like a unit normal: the
    divergences are heavily skewed at short times, where an estimator can report errors
    several times too small (a regression on -ln P(x) did: spread 2.8 at T = 1)."""
    s = na.systems.noisy_copies(8, 0.1)
    steps = [1, 3, 10]
    exact = na.surviving_information(s, steps, k=1, method="exact").bits
    z = np.array(
        [
            (c.bits - exact) / c.stderr
            for c in (
                na.surviving_information(s, steps, k=1, method="sampled", samples=400, seed=seed)
                for seed in range(30)
            )
        ]
    )
    assert np.all(z.std(axis=0) < 1.5), z.std(axis=0)
    assert np.all(z.std(axis=0) > 0.6), z.std(axis=0)
    assert np.all(np.abs(z.mean(axis=0)) < 0.7), z.mean(axis=0)
