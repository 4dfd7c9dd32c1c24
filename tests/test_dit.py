"""dit interoperability; conserved information equals dit's Gács–Körner common information
over the complements of the blocks (THEORY §3, Proposition 1(iii))."""

from __future__ import annotations

from functools import partial

import dit
import pytest
from dit.multivariate import gk_common_information
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs.testing import systems


# The shared strategy of natabs.testing, kept small: dit's GK common information is slow.
small_systems = partial(systems, min_vars=2, max_vars=4, max_card=3, max_support=8)


@settings(max_examples=25, deadline=None)
@given(small_systems(), st.data())
def test_conserved_equals_gk_common_information_of_complements(s, data):
    k = data.draw(st.integers(1, s.n - 1))
    family = na.blocks.all_subsets(s.n, k)
    views = [[i for i in range(s.n) if i not in b] for b in family]
    expected = gk_common_information(s.to_dit(), views)
    assert na.conserved_information(s, k=k) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("system", "k", "bits"),
    [
        (na.systems.copies(4), 3, 1.0),
        (na.systems.parity(4), 1, 3.0),
        (na.systems.coupled_pair(4, 3), 1, 2.0),
    ],
)
def test_known_values_agree_with_dit(system, k, bits):
    views = [[i for i in range(system.n) if i not in b] for b in na.blocks.all_subsets(system.n, k)]
    assert gk_common_information(system.to_dit(), views) == pytest.approx(bits, abs=1e-12)
    assert na.conserved_information(system, k=k) == pytest.approx(bits, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(small_systems())
def test_dit_round_trip(s):
    d = s.to_dit()
    assert d.get_rv_names() == s.names
    assert tuple(len(a) for a in d.alphabet) == s.cards
    assert na.System.from_dit(d).same_law(s, atol=1e-15)


def test_from_dit_maps_alphabets_and_drops_zeros():
    d = dit.Distribution(["ab", "ba", "bb"], [0.5, 0.5, 0.0], trim=False)
    s = na.System.from_dit(d)
    assert s.cards == (2, 2) and s.size == 2
    assert sorted(s.states.tolist()) == [[0, 1], [1, 0]]  # 'a' -> 0, 'b' -> 1
    with pytest.raises(TypeError, match="dit.Distribution"):
        na.System.from_dit([0.5, 0.5])


def test_missing_dit_error_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "dit" or name.startswith("dit."):
            raise ImportError("no dit")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r'pip install "natabs\[dit\]"'):
        na.systems.copies(2).to_dit()
