"""Graphs as the models take them: networkx graphs read into arrays, periodic lattices
built and recognised under any labelling, and pgmpy networks read as networkx DAGs.

One pass over a graph's edges in C, the checks vectorised: a 512 x 512 lattice is read in
well under a second. :func:`torus_order` finds the row-major order of a graph that is a
periodic square lattice, so :func:`natabs.sample` runs it on the lattice path whatever the
node labels (docs/architecture.rst: the Gibbs fast paths).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_size, check_type, integer
from ..errors import InvalidInputError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["lattice", "torus_order", "dag_from_pgmpy"]

#: Largest lattice (nodes).
MAX_NODES = 1 << 20


def lattice(L: int) -> nx.Graph:
    """The periodic ``L × L`` square lattice (a torus) as a networkx graph.

    Nodes are ``(row, column)`` pairs in row-major order, so node ``(i, j)`` becomes
    variable ``i * L + j`` of a model built on it. ``L >= 3`` (smaller tori would need
    double edges).

    Examples
    --------
    >>> from natabs.factor_graph import lattice
    >>> g = lattice(4)
    >>> g.number_of_nodes(), g.number_of_edges(), list(g.nodes)[:3]
    (16, 32, [(0, 0), (0, 1), (0, 2)])
    """
    import networkx as nx

    L = integer(L, "L", 3)
    check_size(L * L, MAX_NODES, f"nodes of the {L} x {L} lattice")
    return nx.grid_2d_graph(L, L, periodic=True)


def dag_from_pgmpy(model: Any) -> nx.DiGraph:
    """A pgmpy Bayesian network as a networkx DiGraph with ``cpd`` and ``parents`` node
    attributes (the input of :meth:`natabs.FactorGraph.from_dag`)."""
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(model.nodes())
    G.add_edges_from(model.edges())
    for c in model.get_cpds():
        var, evidence = c.variables[0], list(c.variables[1:])
        values = np.asarray(c.get_values(), dtype=float)  # (card, prod evidence cards)
        ev_cards = [int(k) for k in c.cardinality[1:]]
        t = values.T.reshape(*ev_cards, values.shape[0])
        G.nodes[var]["cpd"] = t
        G.nodes[var]["parents"] = evidence
    return G


def _graph_arrays(graph: Any) -> tuple[list, dict, np.ndarray]:
    """Nodes, their index, and the edges as an ``(m, 2)`` int64 array: one pass over the
    edges in C (``map`` over networkx's edge view), the checks vectorised."""
    import itertools

    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise TypeError(f"graph must be a networkx graph, got {type(graph).__name__}")
    if graph.is_directed() or graph.is_multigraph():
        raise InvalidInputError("graph must be a simple undirected networkx Graph")
    nodes = list(graph.nodes)
    if not nodes:
        raise InvalidInputError("the graph has no nodes")
    index = dict(zip(nodes, range(len(nodes))))
    # networkx's edge view yields edges from Python; its adjacency dicts are read here
    # by C loops (map, chain): each edge twice, once from each end, in node order.
    adj = graph._adj if isinstance(getattr(graph, "_adj", None), dict) else graph.adj
    rows = [adj[v] for v in nodes]
    degree = np.fromiter(map(len, rows), dtype=np.int64, count=len(nodes))
    dst = np.fromiter(map(index.__getitem__, itertools.chain.from_iterable(rows)),
                      dtype=np.int64, count=int(degree.sum()))
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), degree)
    loops = np.flatnonzero(src == dst)
    if len(loops):
        u = nodes[int(src[loops[0]])]
        raise InvalidInputError(f"self-loop at node {u!r}: a spin cannot couple to itself")
    keep = src < dst  # each edge once, in the order networkx lists them
    edges = np.stack([src[keep], dst[keep]], axis=1)
    return nodes, index, edges


def torus_order(n: int, edges: np.ndarray) -> np.ndarray | None:
    """``order[r * L + c]`` = the variable at row ``r``, column ``c`` of a periodic ``L x L``
    lattice (``L >= 5``) whose edges are ``edges`` (``(m, 2)`` variable indices), or
    ``None`` when the graph is not such a lattice.

    Variable 0 is put at the origin. Its neighbours come in two opposite pairs (opposite
    neighbours share no neighbour but the centre); the first neighbour is taken as
    "right", an orthogonal one as "down". Row 0 and row 1 are walked (O(L) steps); each
    further row is the neighbours of the row above that are neither above nor beside it,
    one array operation a row. The result is then checked against every edge, so any graph
    that is not a lattice is refused.
    """
    L = math.isqrt(n)
    if L < 5 or L * L != n or len(edges) != 2 * n or n >= 1 << 31:
        return None
    degree = np.bincount(edges.ravel(), minlength=n)
    if degree.max() != 4 or degree.min() != 4:
        return None
    natural = np.arange(n, dtype=np.int64)
    if _is_torus(natural, edges, L):  # already in row-major order (nx.grid_2d_graph)
        return natural
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    nb = dst[np.argsort(src, kind="stable")].reshape(n, 4)
    def around(v: int) -> set:
        return set(nb[v].tolist())

    def straight(prev: int, cur: int) -> int | None:
        # the neighbour of cur opposite prev: no common neighbour with prev but cur
        near = around(prev)
        got = [w for w in nb[cur].tolist() if w != prev and not (around(w) & near) - {cur}]
        return got[0] if len(got) == 1 else None

    o = 0
    first = nb[o].tolist()
    right = first[0]
    down = next((w for w in first[1:] if (around(w) & around(right)) - {o}), None)
    if down is None:
        return None
    row0 = [o, right]
    for _ in range(L - 2):
        w = straight(row0[-2], row0[-1])
        if w is None:
            return None
        row0.append(w)
    row1 = [down]
    for c in range(1, L):
        common = (around(row1[-1]) & around(row0[c])) - {row0[c - 1]}
        if len(common) != 1:
            return None
        row1.append(common.pop())
    grid = np.empty((L, L), dtype=np.int64)
    grid[0], grid[1] = row0, row1
    for r in range(2, L):
        above, here = grid[r - 2], grid[r - 1]
        cand = nb[here]  # (L, 4)
        known = np.stack([above, np.roll(here, 1), np.roll(here, -1)], axis=1)
        keep = ~(cand[:, :, None] == known[:, None, :]).any(axis=2)
        if not (keep.sum(axis=1) == 1).all():
            return None
        grid[r] = cand[keep]
    order = grid.ravel()
    return order if _is_torus(order, edges, L) else None


def _is_torus(order: np.ndarray, edges: np.ndarray, L: int) -> bool:
    """Whether placing variable ``order[r * L + c]`` at ``(r, c)`` makes every one of the
    ``2 L^2`` (distinct) edges a lattice edge, i.e. the graph is the torus."""
    n = L * L
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(n)
    if (pos < 0).any():
        return False
    pu, pv = pos[edges[:, 0]], pos[edges[:, 1]]
    dr = (pu // L - pv // L) % L
    dc = (pu % L - pv % L) % L
    step = ((dr == 0) & ((dc == 1) | (dc == L - 1))) | ((dc == 0) & ((dr == 1) | (dr == L - 1)))
    return bool(step.all())


def _graph(graph: Any) -> tuple[list, list[tuple[int, int]]]:
    import networkx as nx

    check_type(graph, nx.Graph, "graph", "a networkx graph")
    if graph.is_directed() or graph.is_multigraph():
        raise InvalidInputError("graph must be a simple undirected networkx Graph")
    nodes = list(graph.nodes)
    if not nodes:
        raise InvalidInputError("the graph has no nodes")
    index = {v: i for i, v in enumerate(nodes)}
    edges = []
    for u, v in graph.edges:
        if u == v:
            raise InvalidInputError(f"self-loop at node {u!r}: a spin cannot couple to itself")
        edges.append((index[u], index[v]))
    return nodes, edges
