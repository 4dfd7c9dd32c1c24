"""Hypothesis strategies local to the foundation tests: random supports and families."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

import natabs as na


@st.composite
def supports(draw, max_vars: int = 6, max_card: int = 3, max_states: int = 40):
    """(states, probs, cards): a random support, sometimes full, sometimes sparse."""
    n = draw(st.integers(1, max_vars))
    cards = draw(st.lists(st.integers(1, max_card), min_size=n, max_size=n))
    total = int(np.prod(cards))
    all_states = np.array(list(itertools.product(*[range(c) for c in cards])), dtype=np.int64)
    if draw(st.booleans()) and total <= max_states:
        chosen = np.arange(total)
    else:
        size = draw(st.integers(1, min(total, max_states)))
        chosen = np.array(
            draw(st.lists(st.integers(0, total - 1), min_size=size, max_size=size, unique=True))
        )
    weights = np.array(
        draw(st.lists(st.integers(1, 20), min_size=len(chosen), max_size=len(chosen))), float
    )
    return all_states[chosen], weights / weights.sum(), cards


@st.composite
def systems(draw, **kw):
    states, probs, cards = draw(supports(**kw))
    return na.System(states, probs, cards, normalize=True)


@st.composite
def families(draw, n: int, max_blocks: int = 6):
    """A random block family of distinct, non-empty blocks over n variables."""
    subsets = st.frozensets(st.integers(0, n - 1), min_size=1, max_size=n)
    family = draw(st.lists(subsets, min_size=0, max_size=max_blocks, unique=True))
    return [tuple(sorted(b)) for b in family]
