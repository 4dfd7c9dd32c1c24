"""The exact engine (THEORY §3) against the numpy reference, its theorems and known values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs.errors import InvalidInputError

from . import reference as ref
from .strategies import block_families, supports, systems


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_engine_equals_reference(data):
    states, probs, cards = data.draw(supports())
    family = data.draw(block_families(len(cards), min_blocks=0))
    s = na.System(states, probs, cards, normalize=True)
    res = na.conserved(s, blocks=family)
    expected = ref.components(states, family)
    assert ref.same_partition(res.labels, expected)
    assert res.n_components == len(set(expected.tolist()))
    assert res.bits == pytest.approx(ref.conserved_bits(states, s.probs, family), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_wide_systems_use_rows_and_agree(data):
    """Appending constant variables of huge cardinality pushes the state space past 2**64,
    so the engine works on rows; the answer must not change."""
    states, probs, cards = data.draw(supports(max_vars=4))
    family = data.draw(block_families(len(cards), min_blocks=0))
    wide = np.column_stack([states, np.zeros((len(states), 3), dtype=np.int64)])
    s = na.System(wide, probs, list(cards) + [2**30] * 3, normalize=True)
    assert not s.is_coded
    res = na.conserved(s, blocks=family)
    assert ref.same_partition(res.labels, ref.components(states, family))


def test_sparse_and_dense_strategies_agree():
    """A sparse support (sorted strategy) and the same support padded dense agree."""
    rng = np.random.default_rng(1)
    n = 12
    codes = np.sort(rng.choice(2**n, size=300, replace=False))
    sparse = na.System.from_codes(codes, np.full(300, 1 / 300), [2] * n)
    for k in (1, 2, 3):
        family = na.blocks.all_subsets(n, k)
        expected = ref.components(sparse.states, family)
        assert ref.same_partition(na.conserved(sparse, k=k).labels, expected)


@settings(max_examples=80, deadline=None)
@given(s=systems(max_vars=6, max_support=40))
def test_monotone_in_k(s):
    r = [na.conserved_information(s, k=k) for k in range(0, s.n + 1)]
    assert r[0] == pytest.approx(s.entropy(), abs=1e-12)
    assert r[-1] == 0.0
    assert all(a >= b - 1e-12 for a, b in zip(r, r[1:])), r


@settings(max_examples=60, deadline=None)
@given(s=systems(max_vars=6, max_support=40), data=st.data())
def test_invariant_under_relabelling_one_variable(s, data):
    var = data.draw(st.integers(0, s.n - 1))
    perm = np.array(data.draw(st.permutations(range(s.cards[var]))))
    states = s.states.astype(np.int64)
    states[:, var] = perm[states[:, var]]
    t = na.System(states, s.probs, s.cards)
    for k in range(1, s.n + 1):
        assert na.conserved_information(t, k=k) == pytest.approx(
            na.conserved_information(s, k=k), abs=1e-12
        )


@settings(max_examples=60, deadline=None)
@given(s=systems(max_vars=6, max_support=40), data=st.data())
def test_invariant_under_permuting_variables(s, data):
    order = data.draw(st.permutations(range(s.n)))
    t = na.System(s.states[:, order], s.probs, [s.cards[i] for i in order])
    for k in range(1, s.n + 1):
        assert na.conserved_information(t, k=k) == pytest.approx(
            na.conserved_information(s, k=k), abs=1e-12
        )


# -- THEORY §6, items 1-4: exact values -----------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 5, 8])
@pytest.mark.parametrize("card", [2, 3, 5])
def test_copies(n, card):
    s = na.systems.copies(n, card=card)
    for k in range(1, n + 2):
        expected = math.log2(card) if k < n else 0.0
        assert na.conserved_information(s, k=k) == pytest.approx(expected, abs=1e-12)


def test_many_copies_take_the_rows_path():
    s = na.systems.copies(70)
    assert not s.is_coded
    assert na.conserved_information(s, k=69) == 1.0
    assert na.conserved_information(s, k=70) == 0.0


@pytest.mark.parametrize("n", [2, 4, 7])
@pytest.mark.parametrize("p", [0.05, 0.3])
def test_noisy_copies_have_no_exact_redundancy(n, p):
    s = na.systems.noisy_copies(n, p)
    assert s.size == 2**n
    for k in range(1, n + 1):
        assert na.conserved_information(s, k=k) == 0.0


@pytest.mark.parametrize("m,n", [(2, 2), (3, 4), (5, 3)])
def test_coupled_pair(m, n):
    s = na.systems.coupled_pair(m, n)
    assert na.conserved_information(s, k=1) == pytest.approx(math.log2(m), abs=1e-12)
    for k in range(2, n + 1):
        assert na.conserved_information(s, k=k) == 0.0


@pytest.mark.parametrize("n", [2, 3, 6, 9])
def test_parity(n):
    s = na.systems.parity(n)
    assert na.conserved_information(s, k=1) == pytest.approx(n - 1, abs=1e-12)
    for k in range(2, n + 1):
        assert na.conserved_information(s, k=k) == 0.0


def test_ising_ring_has_no_exact_redundancy():
    s = na.systems.ising_ring(6, beta=0.7)
    assert na.conserved_information(s, k=1) == 0.0


# -- the result ------------------------------------------------------------------------------


def test_result_fields_and_units():
    s = na.systems.coupled_pair(4, 3)
    res = na.conserved(s, k=1)
    assert res.n_components == 4
    assert res.masses.sum() == pytest.approx(1.0)
    assert np.allclose(res.masses, 0.25)
    assert res.labels.shape == (s.size,)
    assert res.labels[0] == 0 and res.labels.max() == 3
    assert res.blocks == ((0,), (1,), (2,))
    assert na.conserved(s, k=1, base=math.e).bits == pytest.approx(math.log(4))
    assert "n_components=4" in repr(res)
    with pytest.raises(ValueError):
        res.labels[0] = 1  # results are frozen, arrays read-only
    with pytest.raises(AttributeError):
        res.bits = 0.0  # type: ignore[misc]


def test_labels_are_numbered_by_first_appearance():
    s = na.System([[1, 1], [0, 0], [1, 0]], [0.2, 0.3, 0.5], [2, 2])
    res = na.conserved(s, blocks=[[0]])
    # (1,1) alone; (0,0) and (1,0) differ only in x0.
    assert res.labels.tolist() == [0, 1, 1]


def test_blocks_by_name():
    s = na.systems.copies(3)
    assert na.conserved(s, blocks=[["x0", "x1"], ["x2"]]).bits == 1.0
    assert na.conserved(s, blocks=[["x0", "x1", "x2"]]).bits == 0.0


def test_connected_blocks_on_a_path():
    import networkx as nx

    s = na.systems.copies(4)
    g = nx.path_graph(4)
    assert na.conserved_information(s, blocks=na.blocks.connected(g, 3)) == 1.0
    assert na.conserved_information(s, blocks=na.blocks.connected(g, 4)) == 0.0


# -- errors ----------------------------------------------------------------------------------


def test_exactly_one_of_k_and_blocks():
    s = na.systems.copies(3)
    with pytest.raises(TypeError, match="exactly one"):
        na.conserved(s)
    with pytest.raises(TypeError, match="exactly one"):
        na.conserved(s, k=1, blocks=[[0]])


@pytest.mark.parametrize(
    "blocks,match",
    [
        ([[0, 3]], "out of range"),
        ([[]], "empty"),
        ([[0, 0]], "twice"),
        ([[0], [0]], "same block"),
        ([["nope"]], "no variable named"),
    ],
)
def test_bad_blocks(blocks, match):
    with pytest.raises(InvalidInputError, match=match):
        na.conserved(na.systems.copies(3), blocks=blocks)


@pytest.mark.parametrize("bad", [-1])
def test_bad_k(bad):
    with pytest.raises(InvalidInputError, match="k must be >= 0"):
        na.conserved(na.systems.copies(3), k=bad)
    with pytest.raises(TypeError, match="k must be an integer"):
        na.conserved(na.systems.copies(3), k=1.5)


@pytest.mark.parametrize("base", [1, 0.5, float("nan"), -2])
def test_bad_base(base):
    with pytest.raises(InvalidInputError, match="base"):
        na.conserved(na.systems.copies(3), k=1, base=base)


def test_not_a_system():
    with pytest.raises(TypeError, match="natabs.System"):
        na.conserved(np.zeros((2, 2)), k=1)
