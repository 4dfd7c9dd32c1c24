"""Strategies for permutation-symmetric systems, and a check against the support engine."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..systems._symmetric import SymmetricSystem, type_count

__all__ = ["iid_systems", "symmetric_systems"]


def _int_arg(value: Any, name: str, minimum: int) -> int:
    try:
        v = operator.index(value)
    except TypeError:
        raise InvalidArgument(f"{name}={value!r} must be an integer") from None
    if v < minimum:
        raise InvalidArgument(f"{name}={v} must be at least {minimum}")
    return v


def _sizes(min_n: int, max_n: int, max_card: int, max_states: int):
    """(n, card) pairs with card**n <= max_states (so the support form can be built)."""
    pairs = [
        (n, c)
        for n in range(min_n, max_n + 1)
        for c in range(2, max_card + 1)
        if c**n <= max_states
    ]
    if not pairs:
        raise InvalidArgument(
            f"no (n, card) with {min_n} <= n <= {max_n}, 2 <= card <= {max_card} has at most "
            f"max_states={max_states} states"
        )
    return st.sampled_from(pairs)


def symmetric_systems(
    *,
    min_n: int = 1,
    max_n: int = 6,
    max_card: int = 3,
    max_states: int = 729,
    full_support: bool = False,
) -> st.SearchStrategy[SymmetricSystem]:
    """Exchangeable laws given by random type weights (no latent).

    Some types get weight 0 unless ``full_support=True`` (copies, parities and other
    supports with conserved information then appear). ``card ** n <= max_states``, so
    :meth:`~natabs.SymmetricSystem.to_system` can build the same law for comparison.

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> s = find(testing.symmetric_systems(min_n=3), lambda s: True)
    >>> s.n, s.card
    (3, 2)
    """
    min_n = _int_arg(min_n, "min_n", 1)
    max_n = _int_arg(max_n, "max_n", min_n)
    max_card = _int_arg(max_card, "max_card", 2)
    max_states = _int_arg(max_states, "max_states", 2)
    if not isinstance(full_support, bool):
        raise InvalidArgument(f"full_support={full_support!r} must be a bool")

    @st.composite
    def draw(draw):
        n, card = draw(_sizes(min_n, max_n, max_card, max_states))
        count = type_count(n, card)
        low = 1 if full_support else 0
        weights = draw(st.lists(st.integers(low, 6), min_size=count, max_size=count))
        if sum(weights) == 0:
            weights[0] = 1
        w = np.asarray(weights, dtype=np.float64)
        return SymmetricSystem(n, card, w / w.sum())

    return draw()


def iid_systems(
    *,
    min_n: int = 1,
    max_n: int = 6,
    max_card: int = 3,
    max_latent: int = 3,
    max_states: int = 729,
) -> st.SearchStrategy[SymmetricSystem]:
    """Variables i.i.d. given a latent named ``"source"`` (:meth:`SymmetricSystem.iid_given`).

    Emission probabilities are random integer weights, zeros allowed (then some types
    are impossible given some latent values).

    Examples
    --------
    >>> from hypothesis import find
    >>> from natabs import testing
    >>> find(testing.iid_systems(min_n=2), lambda s: True).latent
    'source'
    """
    min_n = _int_arg(min_n, "min_n", 1)
    max_n = _int_arg(max_n, "max_n", min_n)
    max_card = _int_arg(max_card, "max_card", 2)
    max_latent = _int_arg(max_latent, "max_latent", 1)
    max_states = _int_arg(max_states, "max_states", 2)

    @st.composite
    def draw(draw):
        n, card = draw(_sizes(min_n, max_n, max_card, max_states))
        m = draw(st.integers(1, max_latent))
        prior = np.asarray(draw(st.lists(st.integers(1, 5), min_size=m, max_size=m)), float)
        rows = []
        for _ in range(m):
            row = draw(st.lists(st.integers(0, 6), min_size=card, max_size=card))
            if sum(row) == 0:
                row[0] = 1
            rows.append(np.asarray(row, float) / sum(row))
        return SymmetricSystem.iid_given(prior / prior.sum(), np.array(rows), n)

    return draw()
