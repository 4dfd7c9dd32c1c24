"""Factor tables and the exact operations on a factor graph small enough for them:
checking a table, enumerating the joint law as a support :class:`~natabs.System`, and
summing one variable out (:meth:`FactorGraph.to_system`, :meth:`FactorGraph.marginalize`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    check_bool,
    check_integer,
    check_real_array,
    check_sequence,
    check_size,
    fmt_count,
)
from ..errors import InvalidInputError, TooLargeError
from ._graphs import MAX_NODES
from ._support import System

if TYPE_CHECKING:
    from ._factor_graph import FactorGraph

__all__ = ["enumerate_model", "sum_out"]

#: Largest variable card (the sampler holds values as 16-bit integers).
MAX_CARD = 1 << 16


def _check_card(c: int, what: str) -> None:
    if not 1 <= c <= MAX_CARD:
        raise InvalidInputError(f"{what} has card {c}; cards must lie in 1..{MAX_CARD}")


def _table(x: Any, what: str) -> np.ndarray:
    t = check_real_array(x, what)
    if t.ndim == 0:
        raise InvalidInputError(f"{what} must have at least one axis")
    return t


def _log(t: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(t)


def enumerate_model(fg: FactorGraph) -> System:
    """Every joint state of ``fg`` with positive weight, as a normalised System (the caller
    has checked the state space's size)."""
    size = fg.state_space_size()
    check_size(size * fg.n * 8, 1 << 33, "bytes of the enumerated states")
    codes = np.arange(size, dtype=np.int64)
    states = np.empty((size, fg.n), dtype=np.int64)
    rest = codes
    for i, c in enumerate(fg._cards):  # variable 0 least significant, as System codes
        states[:, i] = rest % c
        rest = rest // c
    logw = fg._log_weights(states)
    keep = logw > -np.inf
    if not keep.any():
        raise InvalidInputError("the factors give every joint state probability zero")
    w = np.exp(logw[keep] - logw[keep].max())
    return System(states[keep], w / w.sum(), fg._cards, fg._names, normalize=True)


def sum_out(fg: FactorGraph, var: Any, max_table: int) -> FactorGraph:
    """The model of the other variables with ``var`` summed out (an MRF): the factors
    touching ``var`` become one factor over its Markov blanket."""
    from ._factor_graph import FactorGraph

    lam = fg.index(var)
    touching = [f for f, sc in enumerate(fg._scopes) if lam in sc]
    blanket = sorted({v for f in touching for v in fg._scopes[f] if v != lam})
    size = math.prod(fg._cards[v] for v in blanket) * fg._cards[lam]
    if size > max_table:
        raise TooLargeError(
            f"summing out {var!r} needs a table over {len(blanket)} variables with "
            f"{fmt_count(size)} entries; the limit is {fmt_count(max_table)}"
        )
    axes = blanket + [lam]
    shape = [fg._cards[v] for v in axes]
    total = np.zeros(shape)
    for f in touching:
        scope = fg._scopes[f]
        # put the factor's axes in the order of `axes`, broadcasting over the others
        pos = [axes.index(v) for v in scope]
        t = np.transpose(fg._logs[f], np.argsort(pos))
        expand = tuple(sorted(pos))
        t = t.reshape([shape[a] if a in expand else 1 for a in range(len(axes))])
        total = total + t
    with np.errstate(invalid="ignore"):
        top = total.max(axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        merged = np.log(np.exp(total - top).sum(axis=-1)) + top[..., 0]
    new = {v: i for i, v in enumerate(v for v in range(fg.n) if v != lam)}
    scopes = [[new[v] for v in sc] for f, sc in enumerate(fg._scopes) if f not in touching]
    logs = [t for f, t in enumerate(fg._logs) if f not in touching]
    if blanket:
        scopes.append([new[v] for v in blanket])
        logs.append(merged)
    nodes = [v for i, v in enumerate(fg._nodes) if i != lam]
    graph = fg.graph.to_undirected().copy() if fg._graph is not None else None
    if graph is not None:
        graph.remove_node(fg._nodes[lam])
        graph.add_edges_from(
            (fg._nodes[a], fg._nodes[b]) for a in blanket for b in blanket if a < b
        )
    return FactorGraph(
        cards=[fg._cards[v] for v in new],
        nodes=nodes,
        scopes=scopes,
        logs=logs,
        kind="mrf",
        graph=graph,
    )


def factors_from_tables(
    scopes: Any, tables: Any, names: Any, log: Any
) -> tuple[list[int], list[Any], list[list[int]], list[np.ndarray], Any]:
    """What :meth:`FactorGraph.from_factors` checks and builds: the cards, node names,
    scopes, log-tables and interaction graph of a model given by factor tables."""
    scopes = check_sequence(scopes, "scopes", what="scopes (lists of variable indices)")
    tables = check_sequence(tables, "tables", what="tables")
    log = check_bool(log, "log")
    if len(scopes) != len(tables):
        raise InvalidInputError(
            f"give one table per scope ({len(scopes)} scopes, {len(tables)} tables)"
        )
    cards: dict[int, int] = {}
    norm_scopes, logs = [], []
    for f, (scope, table) in enumerate(zip(scopes, tables)):
        s = [
            check_integer(v, f"scope {f}: a variable index", min_value=0)
            for v in check_sequence(scope, f"scope {f}", what="variable indices")
        ]
        if s and max(s) >= MAX_NODES:
            check_size(
                max(s) + 1,
                MAX_NODES,
                f"variables of a model whose scope {f} uses the index {max(s)}",
            )
        if len(set(s)) != len(s):
            raise InvalidInputError(f"scope {f} {s!r}: indices must be distinct")
        t = _table(table, f"table {f}")
        if t.ndim != len(s):
            raise InvalidInputError(
                f"table {f} has {t.ndim} axes but scope {f} names {len(s)} variables"
            )
        for v, c in zip(s, t.shape):
            _check_card(c, f"variable {v}")
            if cards.setdefault(v, c) != c:
                raise InvalidInputError(
                    f"variable {v} has card {cards[v]} in one factor and {c} in factor {f}"
                )
        if log:
            if np.isnan(t).any() or (t == np.inf).any():
                raise InvalidInputError(f"table {f}: log-potentials must be finite or -inf")
            lt = t.copy()
        else:
            if (t < 0).any() or not np.isfinite(t).all():
                raise InvalidInputError(f"table {f}: potentials must be finite and >= 0")
            lt = _log(t)
        if (lt == -np.inf).all():
            raise InvalidInputError(f"table {f} is zero everywhere")
        norm_scopes.append(s)
        logs.append(lt)
    if not cards:
        raise InvalidInputError("no factors: at least one is needed to define the variables")
    n = max(cards) + 1
    if len(cards) < n:  # the first missing index is at most len(cards)
        missing = [v for v in range(len(cards) + 1) if v not in cards][:10]
        raise InvalidInputError(
            f"variables {missing}{' ...' if n - len(cards) > 10 else ''} appear in no "
            f"factor (cards unknown); scopes use indices up to {n - 1}"
        )
    if names is None:
        nodes: list[Any] = list(range(n))
    else:
        nodes = list(check_sequence(names, "names", what="names"))
        if len(nodes) != n:
            raise InvalidInputError(f"{len(nodes)} names for {n} variables")
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for s in norm_scopes:
        graph.add_edges_from((nodes[a], nodes[b]) for a in s for b in s if a < b)
    return [cards[v] for v in range(n)], nodes, norm_scopes, logs, graph
