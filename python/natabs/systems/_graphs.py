"""Graphs as the models take them: networkx graphs read into arrays, periodic lattices
built and recognised under any labelling, and pgmpy networks read as networkx DAGs.

One pass over a graph's edges in C, the checks vectorised: a 512 x 512 lattice is read in
well under a second. :func:`lattice_shape` finds the row-major order of a graph that is a
periodic or open ``R × C`` lattice, so :func:`natabs.sample` runs it on the lattice path
whatever the node labels (docs/performance.rst: open and rectangular lattices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_size, check_type, integer
from ..errors import InvalidInputError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["dag_from_pgmpy", "lattice", "lattice_shape", "torus_order"]

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
    dst = np.fromiter(
        map(index.__getitem__, itertools.chain.from_iterable(rows)),
        dtype=np.int64,
        count=int(degree.sum()),
    )
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), degree)
    loops = np.flatnonzero(src == dst)
    if len(loops):
        u = nodes[int(src[loops[0]])]
        raise InvalidInputError(f"self-loop at node {u!r}: a spin cannot couple to itself")
    keep = src < dst  # each edge once, in the order networkx lists them
    edges = np.stack([src[keep], dst[keep]], axis=1)
    return nodes, index, edges


#: Fewest sites of a lattice given in another node order that :func:`natabs.sample` puts
#: in lattice order (smaller ones keep their order and the pairwise path).
RELABEL_SITES = 25


def torus_order(n: int, edges: np.ndarray) -> np.ndarray | None:
    """The row-major order in which :func:`natabs.sample` runs a model on this graph, or
    ``None`` when it is not a lattice (see :func:`lattice_shape`).

    ``order[r * C + c]`` is the variable at row ``r``, column ``c``. Kept under this name
    for its callers: it finds open lattices and ``R × C`` tori as well as square tori. A
    systematic sweep visits the sites in this order, so a lattice given in another order is
    relabelled only from :data:`RELABEL_SITES` sites on, where speed matters; smaller ones
    keep the model's order (and the transient law of a sweep in that order).
    """
    found = lattice_shape(n, edges)
    if found is None:
        return None
    order = found[0]
    if n < RELABEL_SITES and not (order == np.arange(n)).all():
        return None
    return order


def lattice_shape(n: int, edges: np.ndarray) -> tuple[np.ndarray, int, int, bool] | None:
    """``(order, R, C, periodic)`` when the graph on variables ``0..n-1`` with edges
    ``edges`` (``(m, 2)`` variable indices) is the periodic (``R, C >= 3``) or open
    (``R, C >= 2``) ``R × C`` lattice under some labelling, else ``None``.

    ``order[r * C + c]`` is the variable at row ``r``, column ``c``: the order in which the
    engine's lattice path takes the model (rust/core/src/gibbs/lattice.rs). Any candidate order is
    checked against every edge, so a graph that is not such a lattice (an edge missing,
    moved or added, a twisted torus) is refused; smaller periodic sides, which would need
    double edges, are never lattices here. The node order networkx's ``grid_2d_graph``
    gives is kept as it is.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    m = len(edges)
    if n < 4 or n >= 1 << 31 or m > 2 * n:
        return None
    degree = np.bincount(edges.ravel(), minlength=n)
    if len(degree) != n or degree.min() < 2 or degree.max() > 4:
        return None
    periodic = m == 2 * n
    if periodic and degree.min() != 4:
        return None
    # The nodes already in row-major order: node 0 has node C (below it) as a neighbour.
    natural = np.arange(n, dtype=np.int64)
    at0 = edges[(edges == 0).any(axis=1)].ravel()
    for c in sorted(set(at0[at0 != 0].tolist())):
        if _shape_ok(n, c, periodic) and _is_lattice(natural, edges, n // c, c, periodic):
            return natural, n // c, c, periodic
    # Neighbour lists padded to 4 with n (a node that is never a neighbour), grouped by a
    # counting sort (scipy's CSR conversion, O(edges)).
    import scipy.sparse as sp

    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    csr = sp.csr_matrix((np.ones(2 * m, dtype=np.int8), (src, dst)), shape=(n, n))
    if csr.nnz != 2 * m:
        return None  # an edge twice
    nb = np.full((n + 1, 4), n, dtype=np.int64)
    nb[np.repeat(np.arange(n), degree), np.arange(2 * m) - np.repeat(csr.indptr[:-1], degree)] = (
        csr.indices
    )
    found = _torus_walk(n, nb) if periodic else _open_by_distances(n, nb, degree)
    if found is None:
        return None
    order, rows, cols = found
    return (
        (order, rows, cols, periodic) if _is_lattice(order, edges, rows, cols, periodic) else None
    )


def _shape_ok(n: int, cols: int, periodic: bool) -> bool:
    least = 3 if periodic else 2
    return cols >= least and n % cols == 0 and n // cols >= least


def _torus_walk(n: int, nb: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """A candidate row-major order of a 4-regular graph that may be a torus.

    Node 0 is put at the origin; a neighbour is taken as "right" and one that shares
    another neighbour with it (orthogonal) as "down". Row 0 is walked straight on (the
    next node is the neighbour with no common neighbour with the one before, but the
    current one) until it closes, which gives ``C``; row 1 follows it square by square
    (O(C) steps), and each further row is the neighbours of the row above that are neither
    above nor beside it, one array operation a row. A side of 4 makes "straight"
    ambiguous along it, so each neighbour of node 0 is tried as "right".
    """

    def around(v: int) -> set:
        return set(nb[v].tolist())

    def straight(prev: int, cur: int) -> int | None:
        near = around(prev)
        got = [w for w in nb[cur].tolist() if w != prev and not (around(w) & near) - {cur}]
        return got[0] if len(got) == 1 else None

    o = 0
    first = nb[o].tolist()
    for right in first:
        down = next((w for w in first if w != right and (around(w) & around(right)) - {o}), None)
        if down is None:
            return None  # no square through node 0: not a lattice
        row0, w = [o, right], None
        while len(row0) <= n // 3:
            w = straight(row0[-2], row0[-1])
            if w is None or w == o:
                break
            row0.append(w)
        else:
            return None  # a straight line longer than any row: a twisted torus
        cols = len(row0)
        if w != o or not _shape_ok(n, cols, True):
            continue
        row1 = [down]
        for c in range(1, cols):
            common = (around(row1[-1]) & around(row0[c])) - {row0[c - 1]}
            if len(common) != 1:
                break
            row1.append(common.pop())
        if len(row1) != cols:
            continue
        rows = n // cols
        grid = np.empty((rows, cols), dtype=np.int64)
        grid[0], grid[1] = row0, row1
        for r in range(2, rows):
            above, here = grid[r - 2], grid[r - 1]
            cand = nb[here]  # (C, 4)
            known = np.stack([above, np.roll(here, 1), np.roll(here, -1)], axis=1)
            keep = ~(cand[:, :, None] == known[:, None, :]).any(axis=2)
            if not (keep.sum(axis=1) == 1).all():
                break
            grid[r] = cand[keep]
        else:
            return grid.ravel(), rows, cols
    return None


def _open_by_distances(
    n: int, nb: np.ndarray, degree: np.ndarray
) -> tuple[np.ndarray, int, int] | None:
    """A candidate row-major order of a graph that may be an open lattice.

    Its four corners are the nodes of degree 2. One corner ``o`` is the origin and the
    corner nearest it ``p`` ends row 0, so ``C - 1`` is their distance; a node at row
    ``r``, column ``c`` is then at distance ``r + c`` from ``o`` and ``r + C - 1 - c`` from
    ``p``. Two breadth-first searches (one array operation a level) give every position.
    """
    corners = np.flatnonzero(degree == 2)
    if len(corners) != 4:
        return None
    o = int(corners[0])
    from_o = _distances(nb, o, n)
    d = from_o[corners[1:]]
    if (d < 0).any():
        return None
    p = int(corners[1:][np.argmin(d)])
    cols = int(d.min()) + 1
    if not _shape_ok(n, cols, False):
        return None
    from_p = _distances(nb, p, n)
    twice_c = from_o - from_p + cols - 1
    twice_r = from_o + from_p - cols + 1
    if (from_p < 0).any() or (twice_c % 2).any() or (twice_r % 2).any():
        return None
    pos = (twice_r // 2) * cols + twice_c // 2
    if pos.min() < 0 or pos.max() >= n:
        return None
    order = np.full(n, -1, dtype=np.int64)
    order[pos] = np.arange(n)
    return (order, n // cols, cols) if (order >= 0).all() else None


def _distances(nb: np.ndarray, source: int, n: int) -> np.ndarray:
    """Breadth-first distances from ``source`` (-1: unreachable); ``nb`` padded with ``n``."""
    dist = np.full(n + 1, -1, dtype=np.int64)
    dist[n] = 0  # the padding is never entered
    dist[source] = 0
    last = np.zeros(n + 1, dtype=np.int64)
    frontier = np.array([source])
    level = 0
    while len(frontier):
        level += 1
        cand = nb[frontier].ravel()
        cand = cand[dist[cand] < 0]
        dist[cand] = level
        # each node once: the last write of its index wins (no sort)
        at = np.arange(len(cand))
        last[cand] = at
        frontier = cand[last[cand] == at]
    return dist[:n]


def _is_lattice(order: np.ndarray, edges: np.ndarray, rows: int, cols: int, periodic: bool) -> bool:
    """Whether placing variable ``order[r * C + c]`` at ``(r, c)`` makes the edges exactly
    those of the ``R × C`` lattice: every edge a lattice edge, none twice, as many."""
    n = rows * cols
    if len(order) != n:
        return False
    want = 2 * n if periodic else 2 * n - rows - cols
    if len(edges) != want:
        return False
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(n)
    if (pos < 0).any():
        return False
    pu, pv = pos[edges[:, 0]], pos[edges[:, 1]]
    ru, cu = np.divmod(pu, cols)
    rv, cv = np.divmod(pv, cols)
    dr, dc = rv - ru, cv - cu
    if periodic:
        dr, dc = dr % rows, dc % cols
        back_r, back_c = rows - 1, cols - 1
    else:
        back_r = back_c = -1
    # Each lattice edge is the "right" or "down" edge of exactly one site, its owner.
    right, left = (dr == 0) & (dc == 1), (dr == 0) & (dc == back_c)
    down, up = (dc == 0) & (dr == 1), (dc == 0) & (dr == back_r)
    if not (right | left | down | up).all():
        return False
    owner = np.where(right | down, pu, pv)
    key = 2 * owner + (down | up)
    return int(np.bincount(key, minlength=2 * n).max()) <= 1


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
