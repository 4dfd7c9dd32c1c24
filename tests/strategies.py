"""Hypothesis strategies for the tests: the public ones of ``natabs.testing``, re-exported,
and the test-private extras (raw supports for the ``System`` constructor, named systems for
io, random DAGs and factor graphs for the factored engines)."""

from __future__ import annotations

import itertools
import math
import random

import networkx as nx

import numpy as np
from hypothesis import strategies as st

import natabs as na
from natabs.testing import block_families, systems

__all__ = [
    "block_families",
    "dags",
    "factor_graph_cases",
    "named_systems",
    "small_systems",
    "supports",
    "systems",
]

#: Random laws on 2-4 variables of 2-3 values (up to the whole space of 81 states), small
#: enough for dense matrix references.
small_systems = systems(min_vars=2, max_vars=4, max_card=3, max_support=81)


@st.composite
def supports(draw, max_vars: int = 6, max_card: int = 3, max_states: int = 40):
    """(states, probs, cards): a random support, sometimes full, sometimes sparse; unlike
    :func:`natabs.testing.systems`, variables of one value are drawn too."""
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
def named_systems(draw):
    """Systems of 1-4 variables of 1-4 values, named at random or by default (for io)."""
    n = draw(st.integers(1, 4))
    cards = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    total = math.prod(cards)
    codes = draw(
        st.lists(st.integers(0, total - 1), min_size=1, max_size=min(total, 12), unique=True)
    )
    weights = draw(st.lists(st.floats(0.01, 1.0), min_size=len(codes), max_size=len(codes)))
    names = draw(
        st.none() | st.lists(st.text(min_size=1, max_size=4), min_size=n, max_size=n, unique=True)
    )
    probs = np.array(weights) / sum(weights)
    return na.System.from_codes(codes, probs, cards, names, normalize=True)


@st.composite
def dags(draw):
    """A random DAG on up to 5 nodes (edges i -> j for i < j), random conditional tables."""
    n = draw(st.integers(1, 5))
    cards = draw(st.lists(st.integers(2, 3), min_size=n, max_size=n))
    G = nx.DiGraph()
    for j in range(n):
        parents = [i for i in range(j) if draw(st.booleans())]
        shape = tuple(cards[p] for p in parents) + (cards[j],)
        weights = (
            np.array(
                draw(
                    st.lists(
                        st.integers(0, 4), min_size=math.prod(shape), max_size=math.prod(shape)
                    )
                )
            )
            .reshape(shape)
            .astype(float)
            + np.eye(cards[j])[0]
        )  # no all-zero row
        G.add_node(j, cpd=weights / weights.sum(axis=-1, keepdims=True))
        G.add_edges_from((p, j) for p in draw(st.permutations(parents)))  # any edge order
    return G


@st.composite
def factor_graph_cases(draw):
    """(model, blocks, scan, seed): a random factor graph on 2-4 variables and a way to
    resample it (single sites, neighbouring pairs, or one site and the rest)."""
    n = draw(st.integers(2, 4))
    cards = draw(st.lists(st.integers(2, 3), min_size=n, max_size=n))
    scopes, tables = [], []
    for _ in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, min(3, n)))
        scope = draw(st.permutations(range(n)))[:size]
        shape = [cards[v] for v in scope]
        t = draw(
            st.lists(
                st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
                min_size=int(np.prod(shape)),
                max_size=int(np.prod(shape)),
            )
        )
        if max(t) == 0:
            t[0] = 1.0
        scopes.append(scope)
        tables.append(np.array(t).reshape(shape))
    for v in range(n):  # every variable needs a factor to know its card
        scopes.append([v])
        tables.append(np.ones(cards[v]))
    family = draw(st.sampled_from(["sites", "pairs", "mixed"]))
    blocks = {
        "sites": [(i,) for i in range(n)],
        "pairs": [(i, (i + 1) % n) for i in range(n)] if n > 2 else [(0, 1)],
        "mixed": [(0,), tuple(range(1, n))],
    }[family]
    return (
        na.FactorGraph.from_factors(scopes, tables),
        blocks,
        draw(st.sampled_from(["random", "systematic"])),
        draw(st.integers(0, 2**32)),
    )


def relabelled(G: nx.Graph, seed: int | None, labels: str = "ints") -> nx.Graph:
    """``G`` with its nodes relabelled at random and nodes and edges in a shuffled order."""
    if seed is None:
        return G
    rnd = random.Random(seed)
    nodes, edges = list(G.nodes), list(G.edges)
    rnd.shuffle(nodes)
    rnd.shuffle(edges)
    name = {
        v: (f"s{i}" if labels == "strings" else i)
        for i, v in enumerate(rnd.sample(nodes, len(nodes)))
    }
    H = nx.Graph()
    H.add_nodes_from(name[v] for v in nodes)
    H.add_edges_from((name[u], name[v]) for u, v in edges)
    return H
