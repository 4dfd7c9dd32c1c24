"""Systems: the forms of construction, their validation, and what they hand back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import natabs as na
from natabs.errors import InvalidInputError, TooLargeError

from .strategies import supports


@settings(max_examples=80, deadline=None)
@given(sup=supports())
def test_support_table_and_codes_round_trip(sup):
    states, probs, cards = sup
    s = na.System(states, probs, cards)
    assert s.n == len(cards) and s.cards == tuple(cards) and s.size == len(states)
    assert np.array_equal(s.states, states)
    assert np.array_equal(s.probs, probs)
    t = na.System.from_table(s.to_table())
    assert t.same_law(s)
    c = na.System.from_codes(s.codes, s.probs, cards)
    assert np.array_equal(c.states, states)
    # Codes are mixed radix with variable 0 least significant.
    strides = np.cumprod([1] + list(cards[:-1]))
    assert np.array_equal(s.codes, states @ strides)


def test_table_axes_are_variables():
    table = np.zeros((2, 3))
    table[1, 2] = 0.25
    table[0, 1] = 0.75
    s = na.System.from_table(table, names=["a", "b"])
    assert s.cards == (2, 3) and s.names == ("a", "b")
    assert sorted(map(tuple, s.states.tolist())) == [(0, 1), (1, 2)]
    assert np.allclose(s.to_table(), table)


def test_defaults_and_dtype():
    s = na.System([[0, 2], [1, 0]], [0.5, 0.5], [2, 3])
    assert s.names == ("x0", "x1")
    assert s.states.dtype == np.uint8
    assert na.System([[300]], [1.0], [301]).states.dtype == np.uint16
    assert repr(s) == "System(n=2, cards=(2, 3), support=2, names=('x0', 'x1'))"
    assert len(s) == 2
    assert s.index("x1") == 1 and s.indices(["x1", 0]) == (1, 0)


def test_systems_are_immutable_and_copy_their_input():
    states = np.array([[0, 0], [1, 1]])
    probs = np.array([0.5, 0.5])
    s = na.System(states, probs, [2, 2])
    probs[0] = 0.9
    assert s.probs[0] == 0.5
    for arr in (s.probs, s.states, s.codes):
        with pytest.raises(ValueError):
            arr[0] = 0
    with pytest.raises(AttributeError):
        s.n = 3  # type: ignore[misc]


def test_from_codes_without_copy_keeps_no_caller_buffer():
    # A System owns its arrays whatever `copy` says: the caller's stay theirs, writeable.
    codes = np.array([0, 7], dtype=np.uint64)
    probs = np.array([0.5, 0.5])
    s = na.System.from_codes(codes, probs, [2, 2, 2], copy=False)
    assert not np.shares_memory(s.codes, codes) and not np.shares_memory(s.probs, probs)
    assert codes.flags.writeable and probs.flags.writeable
    codes[1] = 1
    assert s.codes.tolist() == [0, 7]
    assert na.System.from_codes(np.array([0, 7]), probs, [2, 2, 2]).codes.dtype == np.uint64


def test_normalize():
    s = na.System([[0], [1]], [1.0, 3.0], [2], normalize=True)
    assert np.allclose(s.probs, [0.25, 0.75])
    t = na.System.from_table(np.array([2.0, 6.0]), normalize=True)
    assert t.same_law(s)


def test_wide_state_spaces_are_held_as_rows():
    s = na.System([[0] * 70, [1] * 70], [0.5, 0.5], [2] * 70)
    assert not s.is_coded
    assert s.states.shape == (2, 70)
    with pytest.raises(InvalidInputError, match="2\\*\\*64"):
        s.codes
    with pytest.raises(InvalidInputError, match="same state"):
        na.System([[0] * 70, [0] * 70], [0.5, 0.5], [2] * 70)


def test_entropy_and_marginal():
    s = na.systems.coupled_pair(4, 3)
    assert s.entropy() == pytest.approx(3.0)
    assert s.entropy(base=4) == pytest.approx(1.5)
    m = s.marginal(["x1", "x2"])
    assert m.names == ("x1", "x2") and m.cards == (4, 2)
    assert m.entropy() == pytest.approx(3.0)
    assert s.marginal(["x0", "x1"]).entropy() == pytest.approx(2.0)


def test_to_table_refuses_huge_tables():
    s = na.System([[0] * 30], [1.0], [2] * 30)
    with pytest.raises(TooLargeError, match="dense table"):
        s.to_table()


def test_same_law_ignores_order():
    a = na.System([[0, 0], [1, 1]], [0.25, 0.75], [2, 2])
    b = na.System([[1, 1], [0, 0]], [0.75, 0.25], [2, 2])
    c = na.System([[1, 1], [0, 0]], [0.25, 0.75], [2, 2])
    assert a.same_law(b) and not a.same_law(c)


# -- validation: every error names what was wrong -------------------------------------------


@pytest.mark.parametrize(
    "states,probs,cards,exc,match",
    [
        ([[0], [1]], [0.5, float("nan")], [2], InvalidInputError, "non-finite"),
        ([[0], [1]], [0.5, float("inf")], [2], InvalidInputError, "non-finite"),
        ([[0], [1]], [1.5, -0.5], [2], InvalidInputError, "negative"),
        ([[0], [1]], [0.5, 0.6], [2], InvalidInputError, "sum to"),
        ([[0], [1]], [1.0, 0.0], [2], InvalidInputError, "probability of state 1 is 0"),
        ([[0], [2]], [0.5, 0.5], [2], InvalidInputError, "value 2 for variable 0"),
        ([[0], [-1]], [0.5, 0.5], [2], InvalidInputError, "value -1 for variable 0"),
        ([[0.0], [1.0]], [0.5, 0.5], [2], TypeError, "integer array"),
        ([[0], [0]], [0.5, 0.5], [2], InvalidInputError, "states 0 and 1 are the same"),
        ([[0], [1]], [1.0], [2], InvalidInputError, "shape \\(2,\\)"),
        ([0, 1], [0.5, 0.5], [2], InvalidInputError, "2-D"),
        ([[0, 1]], [1.0], [2], InvalidInputError, "2 columns but 1 cardinalities"),
        (np.zeros((1, 0), int), [1.0], [], InvalidInputError, "zero variables"),
        (np.zeros((0, 1), int), [], [2], InvalidInputError, "empty"),
        ([[0]], [1.0], [0], InvalidInputError, "must be >= 1"),
        ([[0]], [1.0], [2.5], TypeError, "must be an integer"),
        ([[0]], ["a"], [2], TypeError, "real numbers"),
    ],
)
def test_invalid_systems(states, probs, cards, exc, match):
    with pytest.raises(exc, match=match):
        na.System(states, probs, cards)


def test_sum_tolerance_is_relative_1e9():
    na.System([[0], [1]], [0.5, 0.5 + 5e-10], [2])
    with pytest.raises(InvalidInputError, match="sum to"):
        na.System([[0], [1]], [0.5, 0.5 + 5e-9], [2])


@pytest.mark.parametrize(
    "names,exc,match",
    [
        (["a"], InvalidInputError, "1 names given for 2"),
        (["a", "a"], InvalidInputError, "'a' appears more than once"),
        (["a", 1], TypeError, "must be strings"),
        ("ab", TypeError, "not a single string"),
    ],
)
def test_invalid_names(names, exc, match):
    with pytest.raises(exc, match=match):
        na.System([[0, 0]], [1.0], [2, 2], names=names)


def test_invalid_tables_and_codes():
    with pytest.raises(InvalidInputError, match="all zeros"):
        na.System.from_table(np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="negative"):
        na.System.from_table(np.array([1.5, -0.5]))
    with pytest.raises(TypeError, match="real probabilities"):
        na.System.from_table(np.array([True, False]))
    with pytest.raises(InvalidInputError, match="0-d"):
        na.System.from_table(np.float64(1.0))
    with pytest.raises(InvalidInputError, match="outside the state space"):
        na.System.from_codes([0, 8], [0.5, 0.5], [2, 2, 2])
    with pytest.raises(InvalidInputError, match="negative"):
        na.System.from_codes([0, -1], [0.5, 0.5], [2, 2, 2])
    with pytest.raises(InvalidInputError, match="same state"):
        na.System.from_codes([3, 1, 3], [0.25, 0.25, 0.5], [2, 2])
    with pytest.raises(InvalidInputError, match="more than 2\\*\\*64"):
        na.System.from_codes([0], [1.0], [2] * 65)
    with pytest.raises(TypeError, match="integer array"):
        na.System.from_codes([0.5], [1.0], [2])


def test_variable_lookup_errors():
    s = na.systems.copies(2)
    with pytest.raises(InvalidInputError, match="no variable named 'y'"):
        s.index("y")
    with pytest.raises(InvalidInputError, match="out of range"):
        s.index(2)
    with pytest.raises(TypeError, match="name or an index"):
        s.index(1.0)


def test_catalog_validates_parameters():
    with pytest.raises(InvalidInputError, match="strictly between 0 and 1"):
        na.systems.noisy_copies(3, 0.0)
    with pytest.raises(InvalidInputError, match="n must be >= 3"):
        na.systems.ising_ring(2, 0.5)
    with pytest.raises(TooLargeError):
        na.systems.parity(40)
    with pytest.raises(TypeError):
        na.systems.copies("3")


def test_noisy_copies_law():
    s = na.systems.noisy_copies(3, 0.2)
    table = s.to_table()
    assert table[0, 0, 0] == pytest.approx(0.5 * (0.8**3 + 0.2**3))
    assert table[1, 0, 0] == pytest.approx(0.5 * (0.2 * 0.8**2 + 0.8 * 0.2**2))
    latent = na.systems.noisy_copies(3, 0.2, latent=True)
    assert latent.names[-1] == "source"
    assert latent.marginal(["x0", "x1", "x2"]).same_law(s)


def test_ising_ring_law():
    beta, n = 0.3, 5
    s = na.systems.ising_ring(n, beta)
    spins = 2.0 * s.states - 1
    energy = (spins * np.roll(spins, -1, axis=1)).sum(axis=1)
    w = np.exp(beta * energy)
    assert np.allclose(s.probs, w / w.sum())
