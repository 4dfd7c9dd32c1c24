"""Symmetric products of the kernel (THEORY §4, §6): the operator compiled into a sparse
matrix by rows, when fibres are small, against the fibre route and the definition."""

from __future__ import annotations

import natabs as na
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from natabs import _native
from natabs.engines import _kernel

from .reference import dense_kernel
from .strategies import block_families, small_systems

SETTINGS = settings(max_examples=40, deadline=None)


def _kernel_with_budget(system: na.System, family, budget: int) -> _native.Kernel:
    blocks = [list(b) for b in family]
    if system.is_coded:
        return _native.Kernel.from_codes(
            list(system.cards), system.codes, system.probs, blocks, budget
        )
    return _native.Kernel.from_rows(
        list(system.cards), system._rows_u32(), system.probs, blocks, budget
    )


def _fibre_route(system: na.System, family) -> _native.Kernel:
    """A kernel whose budget holds its fibre tables and nothing more: products go through
    the fibres (the budget the kernel counts for them: 20 bytes per state and block, 24
    per state)."""
    budget = system.size * len(family) * 20 + system.size * 24
    kernel = _kernel_with_budget(system, family, budget)
    assert kernel.compile_symmetric() is False
    return kernel


def _symmetric_reference(system: na.System, family) -> np.ndarray:
    root = np.sqrt(system.probs)
    return root[:, None] * dense_kernel(system, family) / root[None, :]


@st.composite
def binary_supports(draw, max_vars: int = 9) -> na.System:
    """A random support of binary variables (each state kept with a drawn probability),
    random probabilities: the laws whose k = 1 fibres are pairs."""
    n = draw(st.integers(2, max_vars))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    keep = rng.random(1 << n) < draw(st.floats(0.3, 1.0))
    keep[rng.integers(1 << n)] = True
    codes = np.flatnonzero(keep).astype(np.uint64)
    return na.System.from_codes(codes, rng.random(codes.size) + 0.01, [2] * n, normalize=True)


def _check_products(system: na.System, family, m: int, seed: int) -> None:
    kernel = _kernel.build(system, family)
    slow = _fibre_route(system, family)
    v = np.random.default_rng(seed).standard_normal((system.size, m))
    block = kernel.apply_symmetric_block(v)
    np.testing.assert_allclose(block, slow.apply_symmetric_block(v), rtol=0, atol=1e-12)
    np.testing.assert_allclose(block, _symmetric_reference(system, family) @ v, rtol=0, atol=1e-12)
    # Column j of a block product is the one-vector product, bit for bit.
    for j in range(m):
        np.testing.assert_array_equal(
            block[:, j], kernel.apply_symmetric(np.ascontiguousarray(v[:, j]))
        )
    # Fused powers are repeated products, bit for bit.
    out, work = np.full_like(v, np.nan), np.full_like(v, np.nan)
    kernel.apply_symmetric_into(v, out, work, power=3)
    want = v
    for _ in range(3):
        want = kernel.apply_symmetric_block(want)
    np.testing.assert_array_equal(out, want)


@SETTINGS
@given(binary_supports(), st.integers(1, 2), st.integers(1, 19), st.integers(0, 2**16))
def test_binary_supports_are_compiled_and_agree(system, k, m, seed):
    family = na.blocks.all_subsets(system.n, k)
    assert _kernel.build(system, family).compile_symmetric() is True
    _check_products(system, family, m, seed)


@SETTINGS
@given(small_systems, st.data(), st.integers(1, 12), st.integers(0, 2**16))
def test_any_law_and_family_agrees_with_the_fibre_route(system, data, m, seed):
    # Non-binary cards, overlapping blocks, big fibres (which keep the fibre route).
    family = data.draw(block_families(system.n, max_blocks=5))
    _check_products(system, family, m, seed)


def test_big_fibres_keep_the_fibre_route():
    s = na.systems.noisy_copies(6, 0.2)
    assert _kernel.build(s, na.blocks.all_subsets(6, 1)).compile_symmetric() is True
    # One block of every variable: the whole support is one fibre.
    assert _kernel.build(s, ((0, 1, 2, 3, 4, 5),)).compile_symmetric() is False


def test_compiled_products_do_not_depend_on_the_thread_count():
    rng = np.random.default_rng(3)
    codes = np.flatnonzero(rng.random(1 << 14) < 0.9).astype(np.uint64)
    s = na.System.from_codes(codes, rng.random(codes.size), [2] * 14, normalize=True)
    kernel = _kernel.build(s, na.blocks.all_subsets(14, 1))
    for m in (1, 7, 18):
        v = rng.standard_normal((s.size, m))
        one = kernel.apply_symmetric_block(v, threads=1)
        assert kernel.compile_symmetric() is True
        np.testing.assert_array_equal(one, kernel.apply_symmetric_block(v, threads=2))
        np.testing.assert_array_equal(one, kernel.apply_symmetric_block(v, threads=3))
        out, work = np.empty_like(v), np.empty_like(v)
        kernel.apply_symmetric_into(v, out, work, power=2, threads=2)
        np.testing.assert_array_equal(out, kernel.apply_symmetric_block(one, threads=1))


@SETTINGS
@given(
    binary_supports(),
    st.integers(1, 2),
    st.integers(1, 20),
    st.integers(0, 2**32 - 1),
    st.tuples(*[st.floats(-3, 3, allow_nan=False)] * 3),
)
def test_chebyshev_step_is_the_product_combined(system, k, m, seed, coefs):
    """``out = α S V + β V + γ W`` in the product's pass (compiled) and after it (fibre
    route) equals the definition; the same on either route, and for any thread count."""
    alpha, beta, gamma = coefs
    family = na.blocks.all_subsets(system.n, min(k, system.n))
    s = _symmetric_reference(system, family)
    rng = np.random.default_rng(seed)
    v, w = rng.standard_normal((2, system.size, m))
    want = alpha * (s @ v) + beta * v + gamma * w
    for kernel in (_kernel.build(system, family), _fibre_route(system, family)):
        out = np.empty_like(v)
        kernel.chebyshev_step_into(v, w, out, alpha, beta, gamma)
        np.testing.assert_allclose(out, want, rtol=0, atol=1e-12 * (1 + np.abs(want).max()))
        one = np.empty_like(v)
        kernel.chebyshev_step_into(v, w, one, alpha, beta, gamma, threads=1)
        assert np.array_equal(out, one)


def test_chebyshev_step_names_a_wrong_block():
    system = na.systems.noisy_copies(4, 0.2)
    kernel = _kernel.build(system, na.blocks.all_subsets(4, 1))
    v = np.zeros((system.size, 3))
    with pytest.raises(ValueError, match="previous block"):
        kernel.chebyshev_step_into(v, np.zeros((system.size, 2)), np.empty_like(v), 1, 0, 0)
    with pytest.raises(ValueError, match="output block"):
        kernel.chebyshev_step_into(v, v, np.empty((system.size, 2)), 1, 0, 0)
