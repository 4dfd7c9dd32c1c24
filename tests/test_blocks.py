"""Block families (THEORY §2)."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import blocks
from natabs.errors import InvalidInputError, TooLargeError

from .reference import brute_connected


@pytest.mark.parametrize("n,k", [(1, 1), (4, 1), (5, 2), (6, 3), (4, 4), (4, 9)])
def test_all_subsets(n, k):
    family = blocks.all_subsets(n, k)
    if k >= n:
        assert family == (tuple(range(n)),)
    else:
        assert len(family) == math.comb(n, k)
        assert all(len(b) == k and list(b) == sorted(b) for b in family)
        assert len(set(family)) == len(family)


def test_all_subsets_edges():
    assert blocks.all_subsets(3, 0) == ()
    with pytest.raises(InvalidInputError, match="k must be >= 0"):
        blocks.all_subsets(3, -1)
    with pytest.raises(InvalidInputError, match="n must be >= 1"):
        blocks.all_subsets(0, 1)
    with pytest.raises(TooLargeError, match="blocks"):
        blocks.all_subsets(60, 30)


def test_chunks_and_singletons():
    assert blocks.chunks(5, 2) == ((0, 1), (2, 3), (4,))
    assert blocks.singletons(3) == ((0,), (1,), (2,))
    with pytest.raises(InvalidInputError):
        blocks.chunks(5, 0)


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 9),
    p=st.floats(0.0, 1.0),
    k=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_connected_equals_brute_force(n, p, k, seed):
    g = nx.gnp_random_graph(n, p, seed=seed)
    family = blocks.connected(g, k)
    assert len(set(family)) == len(family), "each connected set exactly once"
    assert {frozenset(b) for b in family} == brute_connected(g, k)


def test_connected_on_known_graphs():
    assert blocks.connected(nx.cycle_graph(4), 2) == ((0, 1), (0, 3), (1, 2), (2, 3))
    grid = nx.grid_2d_graph(3, 3)
    assert len(blocks.connected(grid, 2)) == grid.number_of_edges()
    # A DAG is read through its skeleton; an isolated node contributes itself.
    dag = nx.DiGraph([("a", "b"), ("c", "b")])
    dag.add_node("d")
    assert blocks.connected(dag, 2) == (("a", "b"), ("b", "c"), ("d",))
    assert blocks.connected(dag, 0) == ()
    with pytest.raises(TypeError, match="networkx graph"):
        blocks.connected([(0, 1)], 2)


def test_resolve_mixes_names_and_indices():
    s = na.systems.copies(3)
    assert blocks.resolve(s, blocks=[["x2", 0], [1]]) == ((0, 2), (1,))
    assert blocks.resolve(s, k=2) == ((0, 1), (0, 2), (1, 2))
    with pytest.raises(TypeError, match="list of blocks"):
        blocks.resolve(s, blocks="x0")
    with pytest.raises(TypeError, match="block 0 must be a list"):
        blocks.resolve(s, blocks=[0, 1])
    with pytest.raises(InvalidInputError, match="block 1 is empty"):
        blocks.resolve(s, blocks=[[0], []])


def test_describe():
    assert blocks.describe(()) == "no blocks"
    assert blocks.describe(((0,), (1, 2))) == "2 blocks of size 1..2"
