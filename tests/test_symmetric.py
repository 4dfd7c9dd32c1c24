"""Permutation-symmetric systems: the type chain against the support engine, exact values,
the relaxation time against high-precision arithmetic, and the majority's lifetime."""

from __future__ import annotations

import math

import mpmath
import natabs as na
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from natabs import testing
from natabs.errors import InvalidInputError, TooLargeError, UnsupportedError
from natabs.measures._symmetric import (
    SymmetricConserved,
    SymmetricSpectrum,
    permutation_levels,
)

SETTINGS = settings(max_examples=40, deadline=None)


# -- the system ------------------------------------------------------------------------------


def test_types_and_law_of_noisy_copies():
    s = na.systems.noisy_copies(4, 0.2, latent=True, symmetric=True)
    assert s.n == 4 and s.cards == (2,) * 4 and s.latent == "source"
    assert s.types.tolist() == [[4 - i, i] for i in range(5)]
    ref = na.systems.noisy_copies(4, 0.2, latent=True)
    assert s.to_system(latent=True).same_law(ref)
    assert s.without_latent().to_system().same_law(ref.marginal(range(4)))
    assert s.entropy() == pytest.approx(ref.marginal(range(4)).entropy(), rel=1e-12)
    assert s.size == 16
    assert isinstance(s, na.systems._variables.Variables)


def test_type_probs_as_mapping_and_card_three():
    s = na.SymmetricSystem(2, 3, {(1, 1, 0): 0.5, (0, 0, 2): 0.5})
    assert s.types.tolist() == [[1, 1, 0], [0, 0, 2]]
    sup = s.to_system()
    assert sorted(map(tuple, sup.states.tolist())) == [(0, 1), (1, 0), (2, 2)]
    assert sorted(sup.probs.tolist()) == [0.25, 0.25, 0.5]


def test_latent_information_is_that_of_the_support_form():
    s = na.SymmetricSystem.iid_given(
        [0.2, 0.5, 0.3], [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]], n=4
    )
    sup = s.to_system(latent=True)
    curve = na.surviving_information(sup, steps=[0], k=1, about="source")
    assert s.latent_information() == pytest.approx(curve.bits[0], rel=1e-10)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: na.SymmetricSystem(3, 2, [0.5, 0.5]),
            InvalidInputError,
            "one probability per type",
        ),
        (lambda: na.SymmetricSystem(3, 2, [0.5, 0.5, 0, 0.1]), InvalidInputError, "sum to 1"),
        (lambda: na.SymmetricSystem(3, 2, [1.5, -0.5, 0, 0]), InvalidInputError, ">= 0"),
        (lambda: na.SymmetricSystem(0, 2, [1.0]), InvalidInputError, "n must be >= 1"),
        (lambda: na.SymmetricSystem(2, 2, {(1, 0): 1.0}), InvalidInputError, "count vector"),
        (
            lambda: na.SymmetricSystem.iid_given([0.5, 0.5], [[1.0, 0.0]], 3),
            InvalidInputError,
            "emission must have shape (2, card)",
        ),
        (
            lambda: na.SymmetricSystem.iid_given([0.5, 0.5], [[0.9, 0.2], [0.5, 0.5]], 3),
            InvalidInputError,
            "row 0 sums to 1.1, not 1",
        ),
        (
            lambda: na.SymmetricSystem.iid_given([1.0], [[1.0]], 2, latent_name="x0"),
            InvalidInputError,
            "also a variable name",
        ),
        (lambda: na.SymmetricSystem(3000, 5, np.ones(1)), TooLargeError, "types"),
        (lambda: na.SymmetricSystem(30, 2, np.ones(31) / 31).to_system(), TooLargeError, "2**30"),
    ],
)
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(
        error, match=words.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
    ):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: na.SymmetricSystem.iid_given([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], n=10**12),
        lambda: na.SymmetricSystem(10**12, 2, {(10**12, 0): 1.0}),
        lambda: na.SymmetricSystem(10**12, 1, [1.0]),
    ],
)
def test_huge_n_refused_before_names_are_built(call, monkeypatch):
    def names_built(names, n):
        raise AssertionError(f"{n} names built before the size check")

    monkeypatch.setattr("natabs.systems._symmetric.check_names", names_built)
    with pytest.raises(TooLargeError, match="the limit is"):
        call()


# -- agreement with the support engine -------------------------------------------------------


@SETTINGS
@given(testing.symmetric_systems(max_n=6, max_card=3), st.integers(0, 6))
def test_conserved_agrees_with_support(system, k):
    k = min(k, system.n)
    got = na.conserved(system, k=k)
    want = na.conserved(system.to_system(), k=k)
    assert isinstance(got, SymmetricConserved)
    assert got.n_components == want.n_components
    assert got.bits == pytest.approx(want.bits, abs=1e-9)
    assert 0.0 <= got.bits <= system.entropy() + 1e-9


@SETTINGS
@given(
    testing.iid_systems(max_n=6, max_card=3),
    st.integers(1, 3),
    st.lists(st.integers(0, 60), min_size=1, max_size=4),
)
def test_surviving_information_about_latent_agrees_with_support(system, k, steps):
    k = min(k, system.n)
    got = na.surviving_information(system, steps=steps, k=k, about="source")
    want = na.surviving_information(system.to_system(latent=True), steps=steps, k=k, about="source")
    np.testing.assert_allclose(got.bits, want.bits, atol=1e-9, rtol=1e-7)
    assert got.method == "exact" and got.about == "source"
    assert np.all(got.bits >= 0) and np.all(got.bits <= system.latent_information() + 1e-9)


@SETTINGS
@given(testing.symmetric_systems(max_n=5, max_card=3), st.integers(1, 2))
def test_symmetric_spectrum_is_part_of_the_whole_spectrum(system, k):
    k = min(k, system.n)
    got = na.spectrum(system, k=k)
    whole = na.spectrum(system.to_system(), k=k).eigenvalues
    assert isinstance(got, SymmetricSpectrum) and got.size == len(system.types)
    for v in got.eigenvalues:
        assert np.min(np.abs(whole - v)) < 1e-8
    assert got.n_unit == got.eigenvalues.size - np.count_nonzero(got.gaps)
    np.testing.assert_allclose(got.gaps, 1.0 - got.eigenvalues, atol=1e-12)


@pytest.mark.parametrize("n, p", [(3, 0.1), (6, 0.2), (9, 0.3), (12, 0.25)])
def test_noisy_copies_relaxation_time_agrees_with_support(n, p):
    sym = na.spectrum(na.systems.noisy_copies(n, p, symmetric=True), k=1, top=2)
    whole = na.spectrum(na.systems.noisy_copies(n, p), k=1, top=2)
    assert sym.relaxation_time == pytest.approx(whole.relaxation_time, rel=1e-7)


def test_slow_mode_is_the_majority():
    s = na.systems.noisy_copies(7, 0.1, symmetric=True)
    modes = na.slow_modes(s, k=1, top=2)
    ref = na.slow_modes(s.to_system(), k=1, top=1)
    assert modes.eigenvalues[0] == pytest.approx(ref.eigenvalues[0], rel=1e-10)
    # The same function: evaluate the type mode on every support state.
    ones = s.to_system().states.sum(axis=1)
    on_states = modes.functions[0][ones]
    assert abs(ref.correlation(on_states)[0]) == pytest.approx(1.0, abs=1e-8)
    majority = (np.arange(8) > 3).astype(float)
    assert abs(modes.correlation(majority)[0]) > 0.9


def test_non_permutation_invariant_families_use_the_support_engine_when_small():
    s = na.systems.noisy_copies(4, 0.2, latent=True, symmetric=True)
    sup = s.to_system(latent=True)
    blocks = [["x0", "x1"], ["x2", "x3"]]
    got = na.surviving_information(s, steps=[0, 5], blocks=blocks, about="source")
    want = na.surviving_information(sup, steps=[0, 5], blocks=blocks, about="source")
    np.testing.assert_allclose(got.bits, want.bits, rtol=1e-12)
    got = na.surviving_information(s, steps=[2], k=1, about="source", scan="systematic")
    want = na.surviving_information(sup, steps=[2], k=1, about="source", scan="systematic")
    np.testing.assert_allclose(got.bits, want.bits, rtol=1e-12)
    marg = s.without_latent()
    assert na.conserved(marg, blocks=[[0, 1], [2, 3]]).bits == pytest.approx(0.0)
    full = na.surviving_information(marg, steps=[0, 3], k=1)
    want = na.surviving_information(marg.to_system(), steps=[0, 3], k=1)
    np.testing.assert_allclose(full.bits, want.bits, rtol=1e-12)


def test_large_systems_refuse_what_the_types_cannot_do():
    s = na.systems.noisy_copies(200, 0.1, latent=True, symmetric=True)
    with pytest.raises(UnsupportedError, match="invariant under permuting"):
        na.conserved(s, blocks=[[0, 1]])
    with pytest.raises(UnsupportedError, match="type is not sufficient"):
        na.surviving_information(s, steps=[1], k=1)
    with pytest.raises(UnsupportedError, match="systematic scan"):
        na.surviving_information(s, steps=[1], k=1, about="source", scan="systematic")
    with pytest.raises(InvalidInputError, match="its latent is 'source'"):
        na.surviving_information(s, steps=[1], k=1, about="theta")
    with pytest.raises(UnsupportedError, match="natural latents"):
        from natabs.measures._dispatch import implementation

        implementation(s, "natural_latent_errors")


def test_permutation_levels():
    assert permutation_levels(4, na.blocks.all_subsets(4, 2)) == {2: 1.0}
    fam = na.blocks.all_subsets(4, 1) + na.blocks.all_subsets(4, 3)
    assert permutation_levels(4, fam) == {1: 0.5, 3: 0.5}
    assert permutation_levels(4, ((0, 1), (2, 3))) is None


@SETTINGS
@given(testing.iid_systems(max_n=5, max_card=3))
def test_two_levels_of_blocks_agree_with_support(system):
    fam = [list(b) for b in na.blocks.all_subsets(system.n, 1)]
    if system.n >= 2:
        fam += [list(b) for b in na.blocks.all_subsets(system.n, 2)]
    got = na.surviving_information(system, steps=[0, 4, 17], blocks=fam, about="source")
    want = na.surviving_information(
        system.to_system(latent=True), steps=[0, 4, 17], blocks=fam, about="source"
    )
    np.testing.assert_allclose(got.bits, want.bits, atol=1e-9, rtol=1e-7)


# -- exact values at large n -----------------------------------------------------------------


def test_copies_and_parity_exact_at_large_n():
    n = 300
    copies = na.SymmetricSystem(n, 2, np.r_[0.5, np.zeros(n - 1), 0.5])
    assert na.conserved_information(copies, k=1) == pytest.approx(1.0)
    assert na.conserved_information(copies, k=2) == pytest.approx(1.0)
    assert na.conserved_information(copies, blocks=[range(n)]) == 0.0
    n = 40
    even = np.array([math.comb(n, i) if i % 2 == 0 else 0 for i in range(n + 1)], float)
    parity = na.SymmetricSystem(n, 2, even / even.sum())
    res = na.conserved(parity, k=1)
    assert res.bits == pytest.approx(n - 1, abs=1e-9)
    assert res.n_components == 2 ** (n - 1)
    assert na.conserved_information(parity, k=2) == pytest.approx(0.0, abs=1e-12)
    noisy = na.systems.noisy_copies(1001, 0.1, symmetric=True)
    assert na.conserved_information(noisy, k=1) == pytest.approx(0.0, abs=1e-12)


def test_one_noisy_copy_keeps_one_minus_binary_entropy():
    p = 0.1
    s = na.systems.noisy_copies(1, p, latent=True, symmetric=True)
    h = -p * math.log2(p) - (1 - p) * math.log2(1 - p)
    bits = na.surviving_information(s, steps=[0, 1], k=1, about="source").bits
    assert bits[0] == pytest.approx(1 - h, rel=1e-12)
    assert bits[1] == pytest.approx(0.0, abs=1e-12)  # one resample forgets the source


def test_long_times_at_n_1001():
    s = na.systems.noisy_copies(1001, 0.45, latent=True, symmetric=True)
    steps = [0, 10, 10**3, 10**4, 10**5, 10**6]
    bits = na.surviving_information(s, steps=steps, k=1, about="source").bits
    assert np.all(np.diff(bits) <= 1e-12) and bits[0] <= 1.0
    assert bits[0] == pytest.approx(s.latent_information(), rel=1e-12)
    # Beyond the relaxation time the information decays like exp(-2 T / t_rel).
    t_rel = na.spectrum(s, k=1, top=2).relaxation_time
    ratio = bits[-1] / bits[-2]
    assert ratio == pytest.approx(math.exp(-2 * (10**6 - 10**5) / t_rel), rel=0.2)


# -- the relaxation time, exact to many digits -----------------------------------------------


def _mp_inverse_gap(below, steps: int) -> mpmath.mpf:
    """1 / gap, the gap found by geometric bisection on ``below(x)`` (eigenvalues of -Q
    under ``x``) between 1e-400 and 2: the second eigenvalue of -Q (the first is 0)."""
    lo, hi = mpmath.mpf(10) ** -400, mpmath.mpf(2)
    for _ in range(steps):
        mid = mpmath.sqrt(lo * hi)
        if below(mid) >= 2:
            hi = mid
        else:
            lo = mid
    return 1 / mpmath.sqrt(lo * hi)


def _mp_relaxation_time(n: int, p: float, dps: int = 600) -> mpmath.mpf:
    """1 / gap of noisy copies' type chain, by bisection on a Sturm count in mpmath.

    The plain pivot recurrence loses as many digits as ``-log10(gap)`` twice over (the
    determinant runs through the eigenvalue 0 and the gap), hence the working precision.
    """
    with mpmath.workdps(dps):
        p = mpmath.mpf(p)
        w = [(p**m * (1 - p) ** (n - m) + (1 - p) ** m * p ** (n - m)) / 2 for m in range(n + 1)]
        birth = [mpmath.mpf(n - i) / n * w[i + 1] / (w[i] + w[i + 1]) for i in range(n)] + [0]
        death = [0] + [mpmath.mpf(i) / n * w[i - 1] / (w[i - 1] + w[i]) for i in range(1, n + 1)]
        diag = [birth[i] + death[i] for i in range(n + 1)]
        off2 = [birth[i] * death[i + 1] for i in range(n)]

        def below(x):  # eigenvalues of -Q under x: negative LDL^T pivots of -Q - x
            count, piv = 0, diag[0] - x
            count += piv < 0
            for i in range(1, n + 1):
                piv = diag[i] - x - off2[i - 1] / piv
                count += piv < 0
            return count

        return _mp_inverse_gap(below, steps=80)


@pytest.mark.parametrize("n, p", [(1001, 0.1), (1001, 0.3), (999, 0.45), (60, 0.2)])
def test_relaxation_time_matches_high_precision(n, p):
    got = na.spectrum(na.systems.noisy_copies(n, p, symmetric=True), k=1, top=2)
    want = _mp_relaxation_time(n, p)
    assert got.relaxation_time == pytest.approx(float(want), rel=1e-6)
    assert got.gaps[1] == pytest.approx(float(1 / want), rel=1e-6)


def _mp_relaxation_time_blocks(n: int, p: float, k: int, dps: int = 500) -> mpmath.mpf:
    """1 / gap for random k-subsets of noisy copies: a banded chain, Sturm count in mpmath."""
    with mpmath.workdps(dps):
        p = mpmath.mpf(p)
        w = [(p**m * (1 - p) ** (n - m) + (1 - p) ** m * p ** (n - m)) / 2 for m in range(n + 1)]
        rate = [{} for _ in range(n + 1)]
        for i in range(n + 1):
            for u in range(max(0, k - (n - i)), min(i, k) + 1):
                hyper = (
                    mpmath.binomial(i, u) * mpmath.binomial(n - i, k - u) / mpmath.binomial(n, k)
                )
                r = i - u
                weights = [mpmath.binomial(k, v) * w[r + v] for v in range(k + 1)]
                total = sum(weights)
                for v in range(k + 1):
                    if r + v != i:
                        rate[i][r + v] = rate[i].get(r + v, 0) + hyper * weights[v] / total
        size = n + 1

        def below(x):  # negative pivots of the symmetrised -Q - x, banded elimination
            a = [{} for _ in range(size)]
            for i in range(size):
                a[i][i] = sum(rate[i].values()) - x
                for j, v in rate[i].items():
                    a[i][j] = -mpmath.sqrt(v * rate[j][i])
            count = 0
            for s in range(size):
                piv = a[s][s]
                count += piv < 0
                for i in range(s + 1, min(size, s + k + 1)):
                    if s not in a[i]:
                        continue
                    m = a[i][s] / piv
                    for j in range(s + 1, min(size, s + k + 1)):
                        if j in a[s]:
                            a[i][j] = a[i].get(j, 0) - m * a[s][j]
            return count

        return _mp_inverse_gap(below, steps=60)


@pytest.mark.parametrize("n, p, k", [(301, 0.1, 2), (151, 0.25, 3), (60, 0.3, 2)])
def test_relaxation_time_of_k_site_blocks_matches_high_precision(n, p, k):
    got = na.spectrum(na.systems.noisy_copies(n, p, symmetric=True), k=k, top=2)
    want = _mp_relaxation_time_blocks(n, p, k)
    assert got.relaxation_time == pytest.approx(float(want), rel=1e-6)


def test_majority_lifetime_grows_like_the_predicted_rate():
    p = 0.2
    ns = np.arange(201, 1002, 100)
    t = [
        na.spectrum(na.systems.noisy_copies(int(n), p, symmetric=True), k=1, top=2).relaxation_time
        for n in ns
    ]
    slope = np.polyfit(ns, np.log(t), 1)[0]
    predicted = -0.5 * math.log(4 * p * (1 - p))
    assert slope == pytest.approx(predicted, rel=0.02)


def test_three_wells_against_dense_matrix_powers():
    # Three latent values give three wells: two gaps far below 1e-6, whose modes the
    # tridiagonal solver mixes; the repaired slow cluster must give the right curve.
    from natabs.measures._symmetric import TypeChain

    s = na.SymmetricSystem.iid_given([0.3, 0.3, 0.4], [[0.8, 0.2], [0.5, 0.5], [0.2, 0.8]], 201)
    chain = TypeChain(s, {1: 1.0})
    gaps = na.spectrum(s, k=1, top=3).gaps
    assert gaps[1] < 1e-6 and gaps[2] < 1e-6
    kernel = np.eye(chain.size) - np.diag(chain.exit) + chain.rates.toarray()
    laws = np.exp(s.log_type_probs_given_latent)
    q = s.type_probs
    steps = [0, 10**4, 10**6, 10**7, 10**8]
    want = []
    for t in steps:
        at = laws @ np.linalg.matrix_power(kernel, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(at > 0, at * np.log2(at / q), 0.0)
        want.append(float(s.latent_probs @ terms.sum(axis=1)))
    got = na.surviving_information(s, steps=steps, k=1, about="source").bits
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)  # the powers: ~3e-10
    assert got[-1] < 0.9 * got[0]  # the curve really moves over these times


def test_top_beyond_the_types_is_refused_like_the_support_engine_never_cuts():
    # The support engine lists min(top, size) eigenvalues of the whole kernel: past its
    # size it lists them all and says so (complete). The symmetric engine computes one
    # sector: a top past the types would silently list fewer eigenvalues than the kernel
    # has, so it is refused, naming the number of types and what to ask instead.
    sup = na.systems.noisy_copies(3, 0.1)
    whole = na.spectrum(sup, k=1, top=100)
    assert whole.complete and whole.eigenvalues.size == sup.size == 8
    s = na.SymmetricSystem.iid_given([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], 5)
    assert len(s.types) == 6
    for top in (7, 100):
        with pytest.raises(InvalidInputError, match="top must be at most 6 for 6 types"):
            na.spectrum(s, k=1, top=top)
    assert na.spectrum(s, k=1, top=6).eigenvalues.size == 6
    assert na.spectrum(s, k=1).eigenvalues.size == 6
    # a family the types cannot serve runs on the support: the support rule
    chunked = na.spectrum(s, blocks=[[0, 1], [2, 3, 4]], top=100)
    assert chunked.complete and chunked.eigenvalues.size == 32
