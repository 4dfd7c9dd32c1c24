"""Survival of redundant information under transformations: THEORY §5 and §6 item 7."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import testing
from natabs import transforms as nt
from natabs.transforms import _light_cone as nt_cone
from natabs.errors import InvalidInputError

from .reference import reference_offset_information

R = na.conserved_information


def mutual_information(system, a, b):
    h = lambda vs: system.marginal(vs).entropy()  # noqa: E731
    return h(a) + h(b) - h(list(a) + list(b))


# -- exact failures of naive invariance (THEORY §5) ---------------------------------------


def test_failure_1_cnot_on_four_copies():
    x = na.systems.copies(4)
    y = nt.cnot(0, 1)(x)
    assert sorted(y.states.tolist()) == [[0, 0, 0, 0], [1, 0, 1, 1]]
    assert R(x, k=3) == pytest.approx(1.0, abs=1e-12)
    assert R(y, k=3) == pytest.approx(0.0, abs=1e-12)
    s = na.survives(x, nt.cnot(0, 1), k=3)
    assert (s.before, s.after, s.preserved, s.bijective) == (1.0, 0.0, False, True)
    assert s.lower <= s.after <= s.upper
    # the inverse (cnot is its own inverse on bits) creates redundancy
    back = na.survives(y, nt.cnot(0, 1), k=3)
    assert (back.before, back.after) == (0.0, 1.0)


@pytest.mark.parametrize("n", [3, 5, 7])
def test_failure_2_difference_map_on_copies(n):
    x = na.systems.copies(n)
    vs = list(range(n))
    y = nt.difference_map(vs)(x)
    assert sorted(y.states.tolist()) == [[0] * n, [1] + [0] * (n - 1)]
    for k in range(1, n + 1):
        assert R(y, k=k) == 0.0
        assert R(x, k=k) == (1.0 if k < n else 0.0)
    table = na.survival_table(x, nt.difference_map(vs))
    assert [r.after for r in table] == [0.0] * n
    assert all(r.lower <= r.after + 1e-12 and r.after <= r.upper + 1e-12 for r in table)
    # prefix-xor is the inverse; its light cone is global, the difference map's is local
    assert nt.prefix_xor(vs)(y).same_law(x)
    full = na.systems.noisy_copies(n, 0.2)
    assert nt.light_cone(full, nt.difference_map(vs), 1).inverse == 2
    assert nt.light_cone(full, nt.prefix_xor(vs), 1).inverse == n


def test_failure_3_star_map_makes_the_shared_bit_synergistic():
    n, p = 4, 0.1
    x = na.systems.noisy_copies(n, p, latent=True)
    obs = [f"x{i}" for i in range(n)]
    y = nt.star_map(obs[1:], ref="x0")(x)
    h = -(p * math.log2(p) + (1 - p) * math.log2(1 - p))
    for i in range(n):  # every original coordinate alone carries 1 - h(p) about the bit
        assert mutual_information(x, ["source"], [obs[i]]) == pytest.approx(1 - h, abs=1e-12)
    assert mutual_information(y, ["source"], ["x0"]) == pytest.approx(1 - h, abs=1e-12)
    for i in range(1, n):  # relative coordinates alone carry nothing: synergy
        assert mutual_information(y, ["source"], [obs[i]]) == pytest.approx(0.0, abs=1e-12)
    assert mutual_information(y, ["source"], obs) == pytest.approx(
        mutual_information(x, ["source"], obs), abs=1e-12
    )
    # on exact copies the star map removes all redundancy, as the difference map does
    c = na.systems.copies(n)
    assert [R(nt.star_map([1, 2, 3], ref=0)(c), k=k) for k in range(1, n + 1)] == [0.0] * n


# -- invariances --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(testing.systems(max_vars=4), st.data())
def test_relabel_and_permute_invariance_every_k(system, data):
    var = data.draw(st.integers(0, system.n - 1))
    perm = data.draw(st.permutations(range(system.cards[var])))
    testing.check_relabel_invariance(system, var, perm)
    testing.check_permute_invariance(system, data.draw(st.permutations(range(system.n))))


@settings(max_examples=40, deadline=None)
@given(testing.systems(min_vars=2, max_vars=6, max_card=2, max_support=32), st.data())
def test_chunked_blocks_transforms_inside_chunks_invariant(system, data):
    """THEORY §6 item 7: with chunk blocks, bijections inside chunks keep R exactly."""
    size = data.draw(st.integers(1, 3))
    chunks = na.blocks.chunks(system.n, size)
    steps = [nt.Shuffle(c, seed=data.draw(st.integers(0, 50))) for c in chunks]
    t = nt.Compose(*steps)
    y = t(system)
    assert na.conserved_information(y, blocks=chunks) == pytest.approx(
        na.conserved_information(system, blocks=chunks), abs=1e-9
    )


def test_chunked_invariance_on_copies():
    x = na.systems.copies(6)
    chunks = na.blocks.chunks(6, 2)
    t = nt.cnot(0, 1) >> nt.cnot(3, 2) >> nt.Shuffle([4, 5], seed=7)
    assert R(t(x), blocks=chunks) == R(x, blocks=chunks) == 1.0


# -- the bounds are never violated --------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(testing.systems(max_vars=4, max_support=24), st.data())
def test_sandwich_and_light_cone_bounds(system, data):
    t = data.draw(testing.compositions(system.n, max_len=2))
    k = data.draw(st.integers(1, system.n))
    testing.check_sandwich(system, t, k)
    testing.check_light_cone_bound(system, t, k)
    s = na.survives(system, t, k)
    assert s.lower - 1e-9 <= s.after <= s.upper + 1e-9
    assert s.bounds == "light cone"


@settings(max_examples=40, deadline=None)
@given(testing.systems(max_vars=4, max_support=24), st.data())
def test_upper_bound_holds_for_coarse_grainings(system, data):
    vs = data.draw(st.lists(st.integers(0, system.n - 1), min_size=1, max_size=2, unique=True))
    t = nt.Local(vs, lambda v: (sum(v) % 2,), out_cards=[2])
    s = na.survives(system, t, 1)
    assert s.after <= s.upper + 1e-9
    testing.check_light_cone_bound(system, t, 1)


def test_plateau_corollary():
    x = na.systems.copies(8)
    for k in range(2, 7):  # R_j constant on [k-1, k+1]
        assert na.survives(x, nt.cnot(2, 5), k).preserved


def test_survival_reprs_and_table():
    s = na.survives(na.systems.copies(4), nt.cnot(0, 1), k=3)
    assert repr(s).startswith("Survival(k=3, before=1, after=0")
    table = na.survival_table(na.systems.copies(4), nt.cnot(0, 1), ks=[1, 3])
    assert len(table) == 2 and table[1].k == 3
    assert "NO" in repr(table)


def test_sandwich_fallback(monkeypatch):
    monkeypatch.setattr(nt_cone, "MAX_ALL_PAIRS_SUPPORT", 1)
    monkeypatch.setattr(nt_cone, "MAX_PAIRS", 0)
    s = na.survives(na.systems.copies(4), nt.cnot(0, 1), k=3)
    assert s.bounds == "sandwich" and (s.lower, s.upper) == (0.0, 1.0)


def test_survives_validation():
    x = na.systems.copies(3)
    with pytest.raises(TypeError, match="System"):
        na.survives("x", nt.cnot(0, 1), 1)
    with pytest.raises(TypeError, match="transformation"):
        na.survives(x, lambda s: s, 1)
    with pytest.raises(InvalidInputError, match="k must be >= 1"):
        na.survives(x, nt.cnot(0, 1), 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        na.survives(x, nt.cnot(0, 1), 1.5)
    with pytest.raises(InvalidInputError):
        testing.check_sandwich(x, nt.Local([0, 1, 2], lambda v: (0,)), 1)


def test_survives_steps_compares_finite_times():
    s = na.survives(na.systems.copies(3), nt.cnot(0, 1), 2, steps=[0, 1])
    assert s.steps == (0, 1) and len(s.surviving_before) == len(s.surviving_after) == 2


# -- centre of mass: finite time (THEORY §5 failure 4) ------------------------------------


def drifting_particles(n=3, noise=(0.25, 0.5, 0.25)):
    """Positions x_i = θ + e_i on a line; θ uniform on {0, 1}, e_i iid from ``noise``."""
    m = len(noise)
    rows, probs = [], []
    for theta in (0, 1):
        for e in itertools.product(range(m), repeat=n):
            rows.append([theta + v for v in e] + [theta])
            probs.append(0.5 * math.prod(noise[v] for v in e))
    names = [f"x{i}" for i in range(n)] + ["offset"]
    return na.System(rows, probs, [m + 1] * n + [2], names)


STEPS = [0, 1, 3, 6, 12, 24]
# I(offset; X^T), bits, 3 particles, single-site random scan (numbers from the reference).
# In centre-of-mass coordinates θ lives in "com" alone and is forgotten as soon as it is
# redrawn; in the original ones every particle keeps a copy of it.
EXPECTED_ORIGINAL = [
    0.6709585933444,
    0.3980473928120,
    0.1733719631602,
    0.05723422630489,
    0.006845545905874,
    1.022506286414e-04,
]
EXPECTED_COM = [
    0.6709585933444,
    0.2375559887424,
    0.04449984870568,
    0.004197848465115,
    4.839666639889e-05,
    1.401453175731e-08,
]


def test_centre_of_mass_decays_faster_reference():
    x = drifting_particles()
    y = nt.center_of_mass(["x0", "x1", "x2"])(x)
    assert y.names == ("com", "x1-x0", "x2-x0", "offset")
    orig = reference_offset_information(x, STEPS)
    com = reference_offset_information(y, STEPS)
    assert orig[0] == pytest.approx(com[0], abs=1e-12)  # a bijection keeps I(θ; X^0)
    assert np.all(com[1:] < orig[1:])
    np.testing.assert_allclose(orig, EXPECTED_ORIGINAL, atol=1e-9)
    np.testing.assert_allclose(com, EXPECTED_COM, atol=1e-9)


def test_centre_of_mass_decays_faster_natabs():
    x = drifting_particles()
    y = nt.center_of_mass(["x0", "x1", "x2"])(x)
    orig = na.surviving_information(x, STEPS, k=1, about="offset").bits
    com = na.surviving_information(y, STEPS, k=1, about="offset").bits
    np.testing.assert_allclose(orig, EXPECTED_ORIGINAL, atol=1e-9)
    np.testing.assert_allclose(com, EXPECTED_COM, atol=1e-9)
