"""Spectrum and slow modes of the random-scan kernel (THEORY §4, §6 item 5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from .reference import dense_kernel, reference_eigenvalues
from .strategies import block_families, small_systems
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs.engines import _eigensolvers as eigensolvers
from natabs.measures import _spectrum
from natabs.engines import _kernel
from natabs.errors import InvalidInputError, TooLargeError

SETTINGS = settings(max_examples=30, deadline=None)
# `natabs.spectrum` is the function; the module is reached by its full name.
spectrum_module = _spectrum


@st.composite
def systems_with_families(draw):
    s = draw(small_systems)
    return s, draw(block_families(s.n, max_blocks=5))


@SETTINGS
@given(systems_with_families())
def test_eigenvalues_match_the_dense_kernel(case):
    system, family = case
    sp = na.spectrum(system, blocks=family)
    assert sp.complete and sp.size == system.size
    np.testing.assert_allclose(sp.eigenvalues, reference_eigenvalues(system, family), atol=1e-9)
    assert np.all(np.diff(sp.eigenvalues) <= 0)
    assert np.all((sp.eigenvalues >= -1e-12) & (sp.eigenvalues <= 1))


@SETTINGS
@given(systems_with_families())
def test_unit_eigenvalues_count_the_components(case):
    system, family = case
    sp = na.spectrum(system, blocks=family)
    assert sp.n_unit == na.conserved(system, blocks=family).n_components


@SETTINGS
@given(systems_with_families(), st.integers(0, 6))
def test_chi2_is_the_trace_formula(case, t):
    system, family = case
    sp = na.spectrum(system, blocks=family)
    k = dense_kernel(system, family)
    want = np.trace(np.linalg.matrix_power(k, 2 * t)) - 1
    assert sp.chi2(t) == pytest.approx(want, abs=1e-8)
    # With fewer eigenvalues it can only be smaller.
    partial = na.spectrum(system, blocks=family, top=1)
    assert partial.chi2(t) <= sp.chi2(t) + 1e-12


@pytest.mark.parametrize("n, beta, J", [(5, 0.3, 1.0), (6, 0.7, 1.0), (7, 0.4, -0.5)])
def test_ising_ring_magnetisation_is_an_exact_eigenfunction(n, beta, J):
    s = na.systems.ising_ring(n, beta, J)
    family = na.blocks.singletons(n)
    lam = 1 - (1 - math.tanh(2 * beta * J)) / n
    sp = na.spectrum(s, k=1)
    assert np.min(np.abs(sp.eigenvalues - lam)) < 1e-10
    magnetisation = (2.0 * s.states - 1).sum(axis=1)
    image = _kernel.build(s, family).apply(magnetisation, "random")
    np.testing.assert_allclose(image, lam * magnetisation, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        dense_kernel(s, family) @ magnetisation, lam * magnetisation, atol=1e-12
    )


def test_slow_modes_are_eigenfunctions_and_find_the_majority():
    s = na.systems.noisy_copies(7, 0.1)
    modes = na.slow_modes(s, k=1, top=3)
    k = dense_kernel(s, na.blocks.singletons(7))
    for lam, f in zip(modes.eigenvalues, modes.functions):
        np.testing.assert_allclose(k @ f, lam * f, atol=1e-10)
        assert s.probs @ f == pytest.approx(0.0, abs=1e-10)
        assert s.probs @ f**2 == pytest.approx(1.0, abs=1e-10)
    sp = na.spectrum(s, k=1, top=4)
    np.testing.assert_allclose(modes.eigenvalues, sp.eigenvalues[1:], atol=1e-10)
    majority = (s.states.sum(axis=1) > 3).astype(float)
    corr = modes.correlation(majority)
    assert abs(corr[0]) > 0.95 and np.all(np.abs(corr[1:]) < 0.5)
    assert np.all(np.abs(corr) <= 1 + 1e-12)


def test_slow_modes_of_a_disconnected_move_graph_start_with_conserved_ones():
    s = na.systems.parity(4)  # 8 components under single flips: 7 non-constant conserved modes
    modes = na.slow_modes(s, k=1, top=7)
    np.testing.assert_allclose(modes.eigenvalues, 1.0, atol=1e-12)


@pytest.mark.parametrize("method", ["chebyshev", "lobpcg", "lanczos"])
def test_sparse_solvers_match_dense_without_symmetries(method):
    # A law without symmetries: simple eigenvalues, which Lanczos finds too.
    rng = np.random.default_rng(3)
    s = na.System.from_codes(np.arange(2**9), rng.lognormal(0, 0.5, 2**9), [2] * 9, normalize=True)
    dense = na.spectrum(s, k=2, top=6)
    modes_dense = na.slow_modes(s, k=2, top=3)
    sparse = na.spectrum(s, k=2, top=6, method=method)
    assert sparse.method == method and sparse.converged and dense.method == "dense"
    np.testing.assert_allclose(sparse.eigenvalues, dense.eigenvalues, atol=1e-9)
    modes = na.slow_modes(s, k=2, top=3, method=method)
    np.testing.assert_allclose(modes.eigenvalues, modes_dense.eigenvalues, atol=1e-9)
    # Eigenfunctions agree up to sign where the eigenvalue is simple.
    gaps = np.diff(np.r_[1.0, modes.eigenvalues, 0.0])
    for j in range(3):
        if min(abs(gaps[j]), abs(gaps[j + 1])) > 1e-6:
            overlap = abs(modes.functions[j] @ (s.probs * modes_dense.functions[j]))
            assert overlap == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("method", ["chebyshev", "lobpcg"])
@pytest.mark.parametrize("n, p", [(8, 0.2), (9, 0.1), (10, 0.3)])
def test_block_solver_counts_repeated_eigenvalues(n, p, method):
    # Interchangeable copies: the mode after the majority has multiplicity n - 1.
    s = na.systems.noisy_copies(n, p)
    dense = na.spectrum(s, k=1, top=10, method="dense")
    sparse = na.spectrum(s, k=1, top=10, method=method)
    assert sparse.converged and sparse.n_unit == dense.n_unit == 1
    np.testing.assert_allclose(sparse.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)
    # The test can fail: a repeated value fills most of the list (7 or more of the 10).
    _, counts = np.unique(np.round(sparse.eigenvalues, 8), return_counts=True)
    assert counts.max() >= 7


@pytest.mark.parametrize("method", ["chebyshev", "lobpcg"])
def test_block_solver_lists_every_component_as_a_unit_eigenvalue(method):
    # Parity of 4 bits under single flips: 8 components, then the non-unit part.
    s = na.systems.parity(4)
    for top in (3, 8):
        sp = na.spectrum(s, k=1, top=top, method=method)
        assert sp.n_unit == top and np.all(sp.eigenvalues == 1.0)
    # Two components (coupled pair): unit eigenvalues exact, the rest from the solver.
    s = na.systems.coupled_pair(3, 8)
    dense = na.spectrum(s, k=1, top=12, method="dense")
    sparse = na.spectrum(s, k=1, top=12, method=method)
    assert sparse.n_unit == dense.n_unit == 3
    np.testing.assert_allclose(sparse.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)
    assert sparse.relaxation_time == pytest.approx(dense.relaxation_time, rel=1e-7)


def test_auto_picks_the_block_solver_above_the_dense_limit(monkeypatch):
    s = na.systems.noisy_copies(9, 0.2)
    monkeypatch.setattr(spectrum_module, "DENSE_MAX", 64)
    monkeypatch.setattr(spectrum_module, "FULL_MAX", 64)
    sp = na.spectrum(s, k=1, top=5)
    assert sp.method == "chebyshev"
    assert na.slow_modes(s, k=1, top=2).eigenvalues.size == 2


def test_non_convergence_is_reported(monkeypatch):
    monkeypatch.setattr(eigensolvers, "MAX_ITER", 1)
    s = na.systems.noisy_copies(10, 0.2)
    with pytest.warns(RuntimeWarning, match="LOBPCG"):
        sp = na.spectrum(s, k=1, top=10, method="lobpcg")
    assert not sp.converged and "converged=False" in repr(sp)


def test_chebyshev_non_convergence_is_reported(monkeypatch):
    monkeypatch.setattr(eigensolvers, "MAX_FILTERS", 1)
    s = na.systems.noisy_copies(10, 0.2)
    with pytest.warns(RuntimeWarning, match="Chebyshev"):
        sp = na.spectrum(s, k=1, top=10, method="chebyshev")
    assert not sp.converged and "converged=False" in repr(sp)


def test_chebyshev_is_deterministic_and_degenerate_multiplicities_exact():
    # Many components and a big degenerate eigenspace at once; repeated runs agree bitwise.
    s = na.systems.coupled_pair(4, 8)
    a = na.spectrum(s, k=1, top=14, method="chebyshev")
    b = na.spectrum(s, k=1, top=14, method="chebyshev")
    dense = na.spectrum(s, k=1, top=14, method="dense")
    assert a.converged and np.array_equal(a.eigenvalues, b.eigenvalues)
    np.testing.assert_allclose(a.eigenvalues, dense.eigenvalues, rtol=0, atol=1e-8)


def _block(n: int, m: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, m))


@SETTINGS
@given(systems_with_families(), st.integers(1, 5), st.integers(0, 2**16))
def test_block_apply_is_column_by_column_apply(case, m, seed):
    system, family = case
    kernel = _kernel.build(system, family)
    v = _block(system.size, m, seed)
    block = kernel.apply_symmetric_block(v)
    assert block.shape == (system.size, m)
    for j in range(m):
        np.testing.assert_array_equal(
            block[:, j], kernel.apply_symmetric(np.ascontiguousarray(v[:, j]))
        )
    # And both are the dense symmetrised kernel.
    np.testing.assert_allclose(block, kernel.dense_symmetric(_kernel.MEMORY_BUDGET) @ v, atol=1e-12)
    # Written into buffers, fused powers: S^p V, the same bits as p separate products.
    out, work = np.full_like(v, np.nan), np.full_like(v, np.nan)
    for power in (1, 2, 3):
        kernel.apply_symmetric_into(v, out, work, power=power)
        want = v
        for _ in range(power):
            want = kernel.apply_symmetric_block(want)
        np.testing.assert_array_equal(out, want)


def test_kernel_results_do_not_depend_on_the_thread_count():
    s = na.systems.ising_ring(14, 0.4)  # 16384 states: several parallel chunks
    family = na.blocks.all_subsets(14, 2)
    kernel = _kernel.build(s, family)
    v = _block(s.size, 6, 1)
    one = kernel.apply_symmetric_block(v, threads=1)
    np.testing.assert_array_equal(one, kernel.apply_symmetric_block(v, threads=2))
    np.testing.assert_array_equal(one, kernel.apply_symmetric_block(v, threads=3))
    out = np.empty_like(v)
    kernel.apply_symmetric_into(v, out, threads=2)
    np.testing.assert_array_equal(one, out)
    starts = np.arange(0, s.size, 97, dtype=np.uint32)
    steps = np.array([1, 3], dtype=np.uint64)
    for scan in ("random", "systematic"):
        a = kernel.kl_from_starts(starts, steps, scan, _kernel.MEMORY_BUDGET, threads=1)
        b = kernel.kl_from_starts(starts, steps, scan, _kernel.MEMORY_BUDGET, threads=2)
        np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidInputError, match="threads"):
        kernel.apply_symmetric_block(v, threads=0)
    with pytest.raises(InvalidInputError, match="columns"):
        kernel.apply_symmetric_block(np.zeros((s.size - 1, 2)))


def test_summary_fields():
    sp = na.spectrum(na.systems.copies(3), k=1)
    assert sp.relaxation_time == math.inf and sp.n_unit == 2 and sp.chi2(0) == 1.0
    # The dense route computes every eigenvalue: nothing relaxes here, so inf, not nan.
    sp = na.spectrum(na.systems.copies(3), k=1, top=1)
    assert sp.relaxation_time == math.inf and not sp.complete
    # A block solver that lists only unit eigenvalues of a move graph with fewer
    # components than states does not know the relaxation time: nan.
    s = na.systems.coupled_pair(2, 3)
    sp = na.spectrum(s, k=1, top=2, method="chebyshev")
    assert math.isnan(sp.relaxation_time) and sp.n_unit == 2
    sp = na.spectrum(na.systems.noisy_copies(4, 0.2), k=1)
    assert sp.relaxation_time == pytest.approx(1 / (1 - sp.eigenvalues[1]))
    assert "complete=True" in repr(sp)
    assert "SlowModes(" in repr(na.slow_modes(na.systems.noisy_copies(3, 0.2), k=1))
    with pytest.raises(ValueError):
        sp.eigenvalues[0] = 0.5


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda s: na.spectrum(s, k=1, top=0), InvalidInputError, ">= 1"),
        (lambda s: na.spectrum(s, k=1, top=True), TypeError, "integer"),
        (lambda s: na.spectrum(s, k=1, top=2.5), TypeError, "integer"),
        (lambda s: na.spectrum(s), TypeError, "exactly one"),
        (lambda s: na.spectrum(s.to_table(), k=1), TypeError, "natabs.System"),
        (lambda s: na.spectrum(s, k=1).chi2(-1), InvalidInputError, ">= 0"),
        (lambda s: na.spectrum(s, k=1, method="arpack"), InvalidInputError, "'lobpcg'"),
        (lambda s: na.spectrum(s, k=1, method=1), TypeError, "method"),
        (lambda s: na.slow_modes(s, k=1, top=8), InvalidInputError, "at most 7"),
        (lambda s: na.slow_modes(s, k=1).correlation([1, 2]), InvalidInputError, "shape"),
        (lambda s: na.slow_modes(s, k=1).correlation(np.ones(8)), InvalidInputError, "constant"),
    ],
)
def test_bad_arguments_are_refused(call, error, match):
    with pytest.raises(error, match=match):
        call(na.systems.noisy_copies(3, 0.2))


def test_whole_spectrum_of_a_large_support_is_refused(monkeypatch):
    monkeypatch.setattr(spectrum_module, "FULL_MAX", 100)
    with pytest.raises(TooLargeError, match="top="):
        na.spectrum(na.systems.noisy_copies(8, 0.2), k=1)


@settings(max_examples=15, deadline=None)
@given(st.integers(8, 10), st.floats(0.3, 1.0), st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_chebyshev_matches_dense_on_random_supports(n, density, seed, top):
    """Random binary supports (clustered spectra, the hard case): the block solver's
    eigenvalues are the dense ones, in [0, 1], and a cut cluster is counted."""
    rng = np.random.default_rng(seed)
    keep = rng.random(1 << n) < density
    keep[: 1 << (n - 1)] |= keep[1 << (n - 1) :] == 0  # at least half the states
    codes = np.flatnonzero(keep).astype(np.uint64)
    s = na.System.from_codes(codes, rng.random(codes.size) + 0.01, [2] * n, normalize=True)
    dense = na.spectrum(s, k=1, top=top, method="dense")
    sparse = na.spectrum(s, k=1, top=top, method="chebyshev")
    assert sparse.converged
    assert np.all((sparse.eigenvalues >= 0) & (sparse.eigenvalues <= 1))
    np.testing.assert_allclose(sparse.eigenvalues, dense.eigenvalues, atol=1e-9)


def test_eigenvalues_outside_the_unit_interval_are_an_internal_error():
    from natabs.measures._spectrum import _check_range

    _check_range(np.array([1.0 + 1e-12, 0.5, -1e-12]))  # rounding passes
    with pytest.raises(ArithmeticError, match="outside"):
        _check_range(np.array([1.0, 1.2]))
