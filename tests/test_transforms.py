"""Transformations against plain-numpy references, validation, and light cones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import testing
from natabs import transforms as nt
from natabs.transforms import _light_cone as nt_cone
from natabs.errors import InvalidInputError

from .reference import hamming_cones, reference_pushforward


def as_dict(system):
    return {tuple(r): p for r, p in zip(system.states.tolist(), system.probs)}


def same(d1, d2):
    return d1.keys() == d2.keys() and all(abs(d1[k] - d2[k]) < 1e-12 for k in d1)


@settings(max_examples=60, deadline=None)
@given(testing.systems(min_vars=2, max_vars=4, max_card=3), st.data())
def test_cnot_matches_reference(system, data):
    c, t = data.draw(st.lists(st.integers(0, system.n - 1), min_size=2, max_size=2, unique=True))
    card = system.cards[t]

    def fn(x):
        x = list(x)
        x[t] = (x[t] + x[c]) % card
        return x

    y = nt.cnot(c, t)(system)
    assert same(as_dict(y), reference_pushforward(system, fn))
    assert y.names == system.names and y.cards == system.cards
    assert nt.cnot(c, t).is_bijective(system)


@settings(max_examples=60, deadline=None)
@given(testing.systems(min_vars=2, max_vars=4, max_card=3), st.data())
def test_local_matches_reference_and_merges(system, data):
    i, j = data.draw(st.lists(st.integers(0, system.n - 1), min_size=2, max_size=2, unique=True))
    # Sum of the two values: not injective in general, so probabilities merge.
    t = nt.Local([i, j], lambda v: (v[0] + v[1],), names=["s"])
    y = t(system)
    first = min(i, j)

    def fn(x):
        rest = [x[m] for m in range(system.n) if m not in (i, j)]
        pos = sum(1 for m in range(first) if m not in (i, j))
        return rest[:pos] + [x[i] + x[j]] + rest[pos:]

    ref = reference_pushforward(system, fn)
    assert same(as_dict(y), ref)
    assert y.names[first] == "s"
    assert t.is_bijective(system) == (len(ref) == system.size)


@settings(max_examples=40, deadline=None)
@given(testing.systems(min_vars=2, max_vars=4, max_card=3))
def test_maps_match_reference(system):
    n, c = system.n, system.cards
    vs = list(range(n))

    def diff(x):
        return [x[0]] + [(x[i] - x[i - 1]) % c[i] for i in range(1, n)]

    def prefix(x):
        out = [x[0]]
        for i in range(1, n):
            out.append((x[i] + out[-1]) % c[i])
        return out

    def star(x):
        return [x[0]] + [(x[i] - x[0]) % c[i] for i in range(1, n)]

    def merge(x):
        return [x[0] + c[0] * x[1]] + list(x[2:])

    def com(x):
        return [sum(x)] + [x[i] - x[0] + c[0] - 1 for i in range(1, n)]

    for t, fn in [
        (nt.difference_map(vs), diff),
        (nt.prefix_xor(vs), prefix),
        (nt.star_map(vs[1:], ref=0), star),
        (nt.Merge([0, 1]), merge),
        (nt.center_of_mass(vs), com),
    ]:
        assert same(as_dict(t(system)), reference_pushforward(system, fn)), t
        assert t.is_bijective(system), t
    # inverses
    assert (nt.difference_map(vs) >> nt.prefix_xor(vs))(system).same_law(system)
    assert (nt.prefix_xor(vs) >> nt.difference_map(vs))(system).same_law(system)
    back = nt.Merge([0, 1]) >> nt.Split(0, [c[0], c[1]], names=list(system.names[:2]))
    assert back(system).same_law(system)


def test_split_merge_names_and_cards():
    x = na.System([[5, 1], [3, 0]], [0.5, 0.5], cards=[6, 2], names=["a", "b"])
    y = nt.Split("a", [2, 3])(x)
    assert y.names == ("a_0", "a_1", "b") and y.cards == (2, 3, 2)
    assert sorted(y.states.tolist()) == [[1, 1, 0], [1, 2, 1]]
    z = nt.Merge(["b", "a_0"])(y)
    assert z.names == ("ba_0", "a_1") and z.cards == (4, 3)


def test_center_of_mass_cards_and_bijection():
    states = np.array(list(itertools.product(range(3), range(2), range(4))))
    x = na.System(states, np.full(len(states), 1 / len(states)), cards=[3, 2, 4])
    t = nt.center_of_mass([0, 1, 2])
    y = t(x)
    assert y.cards == (2 + 1 + 3 + 1, 2 + 3 - 1, 4 + 3 - 1)
    assert y.size == x.size and t.is_bijective(x)
    assert y.states.min() >= 0
    assert nt.center_of_mass([0, 1, 2], ref=2)(x).names == ("x0-x2", "x1-x2", "com")


def test_placement_rule():
    x = na.systems.copies(4)
    # same arity: output j to the slot of block[j] as given
    t = nt.Local([2, 0], lambda v: (v[0], 1 - v[1]), names=["p", "q"])
    y = t(x)
    assert y.names == ("q", "x1", "p", "x3")
    assert sorted(y.states.tolist()) == [[0, 1, 1, 1], [1, 0, 0, 0]]
    # other arity: outputs at the slot of the earliest block variable
    y = nt.Local([3, 1], lambda v: (v[0], v[1], 0))(x)
    assert y.names == ("x0", "x3x1_0", "x3x1_1", "x3x1_2", "x2")


def test_frozen_values_repr_eq_hash():
    a, b = nt.cnot(0, 1), nt.cnot(0, 1)
    assert a == b and hash(a) == hash(b) and a != nt.cnot(1, 0)
    t = a >> (nt.Relabel("x2", [1, 0]) >> nt.Permute([3, 2, 1, 0]))
    assert isinstance(t, nt.Compose) and len(t.steps) == 3
    assert repr(t) == "Compose(cnot(0 -> 1), Relabel('x2', [1, 0]), Permute([3, 2, 1, 0]))"
    assert {t: 1}[nt.Compose(nt.cnot(0, 1), nt.Relabel("x2", [1, 0]), nt.Permute([3, 2, 1, 0]))]
    with pytest.raises(AttributeError):
        a.control = 3
    assert nt.Merge(["a", "b"]).size == 2 and nt.Merge(["a", "b"]).block == ("a", "b")
    assert repr(nt.Split(0, [2, 2])) == "Split(0, [2, 2])"
    assert repr(nt.difference_map([0, 1])) == "difference_map([0, 1])"
    assert repr(nt.star_map([1, 2], ref=0)) == "star_map([1, 2], ref=0)"


def test_validation_errors():
    x = na.systems.copies(3)
    with pytest.raises(InvalidInputError, match="no variable named 'y'"):
        nt.cnot("y", 0)(x)
    with pytest.raises(InvalidInputError, match="out of range"):
        nt.cnot(0, 5)(x)
    with pytest.raises(InvalidInputError, match="same variable"):
        nt.cnot(1, 1)
    with pytest.raises(TypeError, match="name .* or an index"):
        nt.Merge([0, 1.5])
    with pytest.raises(InvalidInputError, match="twice"):
        nt.Merge([0, 0])
    with pytest.raises(InvalidInputError, match="not a permutation"):
        nt.Relabel(0, [0, 0])
    with pytest.raises(InvalidInputError, match="cardinality 2"):
        nt.Relabel(0, [0, 1, 2])(x)
    with pytest.raises(InvalidInputError, match="list every variable"):
        nt.Permute([0, 1])(x)
    with pytest.raises(InvalidInputError, match="at least its cardinality"):
        nt.Split(0, [1, 1])(x)
    with pytest.raises(InvalidInputError, match="collides"):
        nt.Merge([0, 1], names=["x2"])(x)
    with pytest.raises(InvalidInputError, match="outside its cardinality"):
        nt.Local([0], lambda v: (v[0] + 1,), out_cards=[2])(x)
    with pytest.raises(TypeError, match="tuple of ints"):
        nt.Local([0], lambda v: "a")(x)
    with pytest.raises(TypeError, match="callable"):
        nt.Local([0], 3)
    with pytest.raises(TypeError, match="System"):
        nt.cnot(0, 1)([[0, 1]])
    with pytest.raises(InvalidInputError, match="ref"):
        nt.center_of_mass([0, 1], ref=2)
    with pytest.raises(TypeError):
        nt.cnot(0, 1) >> 3


@settings(max_examples=60, deadline=None)
@given(testing.systems(max_vars=4, max_support=24), st.data())
def test_light_cone_matches_reference(system, data):
    t = data.draw(testing.compositions(system.n, max_len=2))
    k = data.draw(st.integers(0, system.n))
    cone = nt.light_cone(system, t, k)
    assert (cone.forward, cone.inverse) == hamming_cones(system, t, k)
    if k:
        assert cone.inverse is None or cone.inverse <= cone.static_inverse
        assert cone.forward is None or cone.forward <= cone.static_forward
    # None is an empty set of pairs (vacuous) or, for the forward cone, a non-injective map.
    assert ("inverse" in cone.vacuous) == (cone.inverse is None)
    assert ("forward" in cone.vacuous) == (cone.forward is None and cone.bijective)


def test_light_cone_grouped_path_matches_all_pairs(monkeypatch):
    x = na.systems.noisy_copies(5, 0.2)
    t = nt.prefix_xor([0, 1, 2, 3, 4]) >> nt.cnot(4, 0)
    expected = [nt.light_cone(x, t, k) for k in range(1, 5)]
    monkeypatch.setattr(nt_cone, "MAX_ALL_PAIRS_SUPPORT", 4)
    assert [nt.light_cone(x, t, k) for k in range(1, 5)] == expected


def test_light_cone_refuses_huge(monkeypatch):
    monkeypatch.setattr(nt_cone, "MAX_ALL_PAIRS_SUPPORT", 4)
    with pytest.raises(na.errors.TooLargeError):
        nt.light_cone(na.systems.noisy_copies(3, 0.2), nt.cnot(0, 1), 3)


def test_prefix_xor_global_difference_map_local():
    x = na.systems.noisy_copies(6, 0.1)
    vs = list(range(6))
    assert nt.light_cone(x, nt.difference_map(vs), 1).inverse == 2
    assert nt.light_cone(x, nt.prefix_xor(vs), 1).inverse == 6
    assert nt.light_cone(x, nt.prefix_xor(vs), 1).forward == 2
    assert nt.light_cone(x, nt.difference_map(vs), 1).forward == 6
