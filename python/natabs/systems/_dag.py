"""DAGs with conditional probability tables: validation and exact materialisation.

A DAG model is a networkx ``DiGraph`` whose nodes are the variables, in node order. Node
``v`` carries a conditional table ``cpd`` (attribute name configurable) of shape
``(card of parent 1, ..., card of parent m, card of v)``, so
``cpd[a, b, x] = P(v = x | parents = (a, b))``. The parents, in the order of the table's
axes, come from the node attribute ``parents`` when present, otherwise they are the
node's predecessors in node order. ``card`` is optional (it must match the table's last axis).
This is the form ``FactorGraph.from_dag`` reads, so the factored and the materialised law
can be compared.

Examples
--------
>>> import networkx as nx, numpy as np, natabs as na
>>> G = nx.DiGraph()
>>> G.add_node("a", cpd=np.array([0.5, 0.5]))
>>> G.add_node("b", cpd=np.array([[0.9, 0.1], [0.1, 0.9]]), parents=["a"])
>>> G.add_edge("a", "b")
>>> s = na.System.from_dag(G)
>>> s.names, s.to_table().round(2).tolist()
(('a', 'b'), [[0.45, 0.05], [0.05, 0.45]])
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._results import Result
from .._validation import check_real_array, check_type, fmt_count, frozen
from ..errors import InvalidInputError, TooLargeError
from ._support import System

__all__ = ["DagSpec", "check_dag", "system_from_dag", "MAX_DAG_STATES"]

#: Largest state space ``system_from_dag`` materialises (product of the cardinalities).
MAX_DAG_STATES = 1 << 24
#: Tolerance on each conditional distribution summing to 1.
ROW_TOLERANCE = 1e-9


@dataclass(frozen=True, repr=False)
class DagSpec(Result):
    """A validated DAG model: nodes in variable order and tables indexed by position.

    Attributes
    ----------
    nodes : tuple
        The node labels, in variable order.
    cards : tuple of int
        Cardinality of each node.
    parents : tuple of tuple of int
        Parent positions of each node, in the order of its table's axes.
    cpds : tuple of numpy.ndarray
        Conditional table of each node, shape ``(parent cards..., card)``.
    """

    nodes: tuple[Any, ...]
    cards: tuple[int, ...]
    parents: tuple[tuple[int, ...], ...] = field(repr=False)
    cpds: tuple[np.ndarray, ...] = field(repr=False)


def check_dag(G: Any, cpd: str = "cpd") -> DagSpec:
    """Validate a DAG with conditional tables; return its :class:`DagSpec`.

    Checks that the graph is a directed acyclic graph, that each node's parents are its
    predecessors, that each table has shape ``(parent cards..., card)`` and that each
    conditional distribution is finite, non-negative and sums to 1.

    Examples
    --------
    >>> import networkx as nx, natabs as na
    >>> G = nx.DiGraph(); G.add_node(0, cpd=[0.2, 0.8])
    >>> na.dag.check_dag(G)
    DagSpec(nodes=(0,), cards=(2,))
    >>> G.add_node(1, cpd=[[1.0, 0.0], [0.5, 0.6]]); G.add_edge(0, 1)
    >>> na.dag.check_dag(G)
    Traceback (most recent call last):
    ...
    natabs.errors.InvalidInputError: node 1: the conditional distribution at parents (1,) sums to 1.1, not 1
    """
    import networkx as nx

    check_type(G, nx.DiGraph, "G", "a networkx.DiGraph (a DAG model)")
    check_type(cpd, str, "cpd", "the name (str) of the node attribute holding the tables")
    if G.number_of_nodes() == 0:
        raise InvalidInputError("the DAG has no nodes: a model needs at least one variable")
    if not nx.is_directed_acyclic_graph(G):
        cycle = nx.find_cycle(G)
        path = " -> ".join(repr(u) for u, _ in cycle) + f" -> {cycle[0][0]!r}"
        raise InvalidInputError(f"the graph has a cycle: {path}; a DAG must be acyclic")
    nodes = tuple(G.nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    tables: list[np.ndarray] = []
    parent_lists: list[tuple[Any, ...]] = []
    for v in nodes:
        attrs = G.nodes[v]
        if cpd not in attrs:
            raise InvalidInputError(f"node {v!r} has no {cpd!r} attribute (its conditional table)")
        try:
            t = np.array(check_real_array(attrs[cpd], f"node {v!r}: the {cpd!r} table"))
        except TypeError as e:
            raise InvalidInputError(str(e)) from None
        preds = list(G.predecessors(v))
        ps = attrs.get("parents")
        if ps is not None and (isinstance(ps, (str, bytes)) or not isinstance(ps, Iterable)):
            raise TypeError(
                f"node {v!r}: parents must be a list of parent nodes, got {ps!r}"
                + (f" (write [{ps!r}] for one parent)" if isinstance(ps, str) else "")
            )
        ps = sorted(preds, key=pos.__getitem__) if ps is None else list(ps)
        if len(set(ps)) != len(ps) or set(ps) != set(preds):
            raise InvalidInputError(
                f"node {v!r}: parents {ps} do not match its incoming edges from {preds}"
            )
        if t.ndim != len(ps) + 1:
            raise InvalidInputError(
                f"node {v!r}: the {cpd!r} table has {t.ndim} axes but {len(ps)} parents + 1 are needed"
            )
        tables.append(t)
        parent_lists.append(tuple(ps))
    cards = []
    for v, t in zip(nodes, tables):
        card = G.nodes[v].get("card", t.shape[-1])
        if (
            isinstance(card, (bool, np.bool_))
            or not isinstance(card, (int, np.integer))
            or card < 1
        ):
            raise InvalidInputError(f"node {v!r}: card must be a positive integer, got {card!r}")
        if t.shape[-1] != card:
            raise InvalidInputError(
                f"node {v!r}: card is {card} but the table's last axis has {t.shape[-1]}"
            )
        cards.append(int(card))
    for v, t, ps in zip(nodes, tables, parent_lists):
        want = tuple(cards[pos[p]] for p in ps) + (t.shape[-1],)
        if t.shape != want:
            raise InvalidInputError(
                f"node {v!r}: the {cpd!r} table has shape {t.shape}; with parents {list(ps)} "
                f"it must have shape {want}"
            )
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            raise InvalidInputError(f"node {v!r}: the table holds a negative or non-finite entry")
        sums = t.sum(axis=-1)
        bad = np.argwhere(np.abs(sums - 1.0) > ROW_TOLERANCE)
        if len(bad):
            at = tuple(int(i) for i in bad[0])
            raise InvalidInputError(
                f"node {v!r}: the conditional distribution at parents {at} sums to "
                f"{float(sums[at]):.6g}, not 1"
            )
    return DagSpec(
        nodes=nodes,
        cards=tuple(cards),
        parents=tuple(tuple(pos[p] for p in ps) for ps in parent_lists),
        cpds=tuple(frozen(t) for t in tables),
    )


def system_from_dag(G: Any, cpd: str = "cpd", *, max_states: int = MAX_DAG_STATES) -> System:
    """The exact joint law of a small DAG model: the product of its conditional tables.

    Variables are the nodes in node order, named ``str(node)``. The whole state space is
    enumerated, so it is refused with :class:`~natabs.errors.TooLargeError` above
    ``max_states`` states; zero-probability states are dropped.

    Examples
    --------
    >>> import networkx as nx, natabs as na
    >>> G = nx.DiGraph([("b", "c")])
    >>> G.add_node("b", cpd=[0.5, 0.5]); G.add_node("c", cpd=[[1, 0], [0, 1]])
    >>> na.dag.system_from_dag(G).same_law(na.System.from_table([[0.5, 0], [0, 0.5]], names=["b", "c"]))
    True
    """
    spec = check_dag(G, cpd=cpd)
    total = math.prod(spec.cards)
    if total > max_states:
        cards = spec.cards if len(spec.cards) <= 8 else f"{spec.cards[:8]}..."
        raise TooLargeError(
            f"the DAG's state space has {fmt_count(total)} states (cards {cards}); exact "
            f"materialisation is limited to {fmt_count(max_states)}: sample it with "
            "FactorGraph.from_dag"
        )
    n = len(spec.cards)
    table = np.ones(spec.cards, dtype=np.float64)
    for i, (ps, t) in enumerate(zip(spec.parents, spec.cpds)):
        axes = list(ps) + [i]
        order = np.argsort(axes)
        # Put the table's axes in variable order, then broadcast over the other variables.
        aligned = np.transpose(t, order)
        shape = [spec.cards[j] if j in axes else 1 for j in range(n)]
        table *= aligned.reshape(shape)
    return System.from_table(table, names=[str(v) for v in spec.nodes], normalize=True)
