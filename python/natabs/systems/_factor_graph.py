"""Local models in factored form (THEORY §1): DAGs with conditional tables, and MRFs.

A :class:`FactorGraph` holds ``P(x) ∝ Π_f φ_f(x_{scope f})`` without ever enumerating the
state space, so it can describe lattices and causal graphs with thousands of variables.
Each factor is kept as a table of log-potentials over its scope (C order, the last scope
variable fastest). A DAG's conditional table ``P(x_i | parents)`` is the factor with scope
``(parents..., i)``, so DAGs and Markov random fields share one representation and one
sampler (:func:`natabs.sample`). :meth:`FactorGraph.to_system` materialises a small model
exactly, so the sampled and exact engines can be checked against each other.

Examples
--------
>>> import natabs as na
>>> fg = na.FactorGraph.ising_lattice(4, beta=0.3)
>>> fg
FactorGraph(kind='mrf', n=16, cards=2, factors=32)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import (
    check_real,
    check_sequence,
    check_size,
    fmt_count,
    integer,
)
from ..errors import InvalidInputError, TooLargeError
from ._factor_ops import _check_card, _log, enumerate_model, factors_from_tables, sum_out
from ._graphs import (
    MAX_NODES,
    _graph,
    _graph_arrays,
    dag_from_pgmpy,
    lattice,
    torus_order,
)
from ._support import System

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["FactorGraph", "lattice"]

#: Largest state space :meth:`FactorGraph.to_system` enumerates.
MAX_EXACT_STATES = 1 << 22
#: Tolerance on the row sums of a conditional table.
ROW_TOLERANCE = 1e-9
#: Largest factor table a constructor builds (entries), and largest lattice (nodes).
MAX_TABLE = 1 << 24


class FactorGraph:
    """A joint law over discrete variables in factored form: a DAG or a Markov random field.

    Build one with :meth:`from_dag`, :meth:`from_pgmpy`, :meth:`ising`, :meth:`potts`,
    :meth:`ising_lattice` or :meth:`from_factors`; the constructor is not public. Variables
    are numbered ``0 .. n-1`` in the order of the graph's nodes and can be named by their
    node labels (``indices``). Immutable.

    Attributes
    ----------
    n : int
        Number of variables.
    cards : tuple of int
        Cardinality of each variable.
    nodes : tuple
        The node label of each variable.
    names : tuple of str
        ``str`` of each label (the names a :class:`~natabs.System` gets).
    kind : str
        ``'dag'`` (conditional tables; exact ancestral sampling available) or ``'mrf'``.
    graph : networkx.Graph
        The graph the model came from (the DAG, or the MRF's interaction graph), for
        :func:`natabs.blocks.connected`.

    Examples
    --------
    >>> import networkx as nx, numpy as np, natabs as na
    >>> G = nx.DiGraph([("rain", "wet")])
    >>> G.nodes["rain"]["cpd"] = np.array([0.8, 0.2])
    >>> G.nodes["wet"]["cpd"] = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> fg = na.FactorGraph.from_dag(G)
    >>> fg.to_system().to_table().round(2)
    array([[0.72, 0.08],
           [0.04, 0.16]])
    """

    __slots__ = (
        "_cards",
        "_nodes",
        "_names_t",
        "_scopes_t",
        "_logs_t",
        "_kind",
        "_order",
        "_own",
        "_graph",
        "_index",
        "_flat",
        "_pair",
        "_torus",
        "_cards_np",
        "_engines",
    )

    def __init__(
        self,
        *,
        cards,
        nodes,
        scopes=None,
        logs=None,
        kind,
        graph,
        order=None,
        own=None,
        pair=None,
        index=None,
    ):
        # Private: every public constructor validates before calling this. ``pair`` is the
        # compact form of a model whose factors are one 2x2 table on every edge and
        # optionally one unary table on every variable: ``(edges (m, 2) int64, pair table,
        # unary table or None)``; its factor lists are then built only when asked for, so
        # a 512 x 512 lattice is built with a few array operations.
        self._cards = tuple(int(c) for c in cards) if pair is None else (2,) * len(nodes)
        self._nodes = tuple(nodes)
        self._names_t = None
        self._pair = pair
        if pair is None:
            self._scopes_t = tuple(tuple(int(v) for v in s) for s in scopes)
            self._logs_t = tuple(logs)
        else:
            self._scopes_t = self._logs_t = None
        self._kind = kind
        self._graph = graph
        self._order = order
        self._own = own
        self._index = {v: i for i, v in enumerate(self._nodes)} if index is None else index
        self._flat = None
        self._torus = False  # not yet looked for; then None or the lattice order
        self._cards_np = None
        self._engines: dict = {}  # compiled samplers, by block family (natabs.sample)
        if len(self._index) != len(self._nodes):
            raise InvalidInputError("node labels must be unique")

    @property
    def _names(self) -> tuple[str, ...]:
        if self._names_t is None:
            self._names_t = tuple(str(v) for v in self._nodes)
        return self._names_t

    @property
    def _scopes(self) -> tuple[tuple[int, ...], ...]:
        if self._scopes_t is None:
            edges, _, unary = self._pair
            scopes = [(int(a), int(b)) for a, b in edges.tolist()]
            if unary is not None:
                scopes += [(i,) for i in range(self.n)]
            self._scopes_t = tuple(scopes)
        return self._scopes_t

    @property
    def _logs(self) -> tuple[np.ndarray, ...]:
        if self._logs_t is None:
            edges, pair, unary = self._pair
            logs = [pair] * len(edges)
            if unary is not None:
                logs += [unary] * self.n
            self._logs_t = tuple(logs)
        return self._logs_t

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def from_dag(cls, G: nx.DiGraph, cpd: str = "cpd") -> FactorGraph:
        """A Bayesian network: a networkx DiGraph whose nodes carry conditional tables.

        Parameters
        ----------
        G : networkx.DiGraph
            Nodes are variables. Node attribute ``cpd`` is an array of shape
            ``(parent cards..., own card)`` with ``cpd[pa..., x] = P(x | pa)``; the parents
            are ordered by the node's ``parents`` attribute if present (it must list exactly
            the predecessors), otherwise in node order. An optional ``card`` attribute is
            checked against the table. Validation is :func:`natabs.dag.check_dag`.
        cpd : str
            Name of the node attribute holding the table.

        Raises
        ------
        InvalidInputError
            A cycle (named), a missing or misshapen table, a negative or non-finite entry,
            or a row not summing to 1.

        Examples
        --------
        >>> import networkx as nx, numpy as np, natabs as na
        >>> G = nx.DiGraph([(0, 2), (1, 2)])
        >>> G.nodes[0]["cpd"] = G.nodes[1]["cpd"] = np.array([0.5, 0.5])
        >>> G.nodes[2]["cpd"] = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])  # xor
        >>> fg = na.FactorGraph.from_dag(G)
        >>> fg.kind, fg.cards, fg.to_system().size
        ('dag', (2, 2, 2), 4)
        """
        import networkx as nx

        from ._dag import check_dag

        spec = check_dag(G, cpd)  # the one validation of DAG models, shared with System
        nodes = list(spec.nodes)
        index = {v: i for i, v in enumerate(nodes)}
        order = [index[v] for v in nx.lexicographical_topological_sort(G, key=index.__getitem__)]
        for v, card in zip(nodes, spec.cards):
            _check_card(card, f"node {v!r}")
        return cls(
            cards=list(spec.cards),
            nodes=nodes,
            scopes=[list(ps) + [i] for i, ps in enumerate(spec.parents)],
            logs=[_log(t) for t in spec.cpds],
            kind="dag",
            graph=G,
            order=order,
            own=order,
        )

    @classmethod
    def from_pgmpy(cls, model: Any) -> FactorGraph:
        """A model from a pgmpy ``DiscreteBayesianNetwork`` (pgmpy is optional).

        Any object with pgmpy's interface is read: ``nodes()``, ``edges()`` and
        ``get_cpds()``, each CPD with ``variables`` (the variable, then its evidence),
        ``cardinality`` and ``get_values()`` (one row per value, one column per joint
        evidence value, the first evidence variable slowest). State names are dropped:
        value ``k`` of a variable is its ``k``-th state.

        Examples
        --------
        >>> from pgmpy.models import DiscreteBayesianNetwork      # doctest: +SKIP
        >>> from pgmpy.factors.discrete import TabularCPD         # doctest: +SKIP
        >>> bn = DiscreteBayesianNetwork([("rain", "wet")])       # doctest: +SKIP
        >>> bn.add_cpds(TabularCPD("rain", 2, [[0.8], [0.2]]),
        ...             TabularCPD("wet", 2, [[0.9, 0.2], [0.1, 0.8]],
        ...                        evidence=["rain"], evidence_card=[2]))  # doctest: +SKIP
        >>> na.FactorGraph.from_pgmpy(bn)                          # doctest: +SKIP
        FactorGraph(kind='dag', n=2, cards=2, factors=2)
        """
        if not all(callable(getattr(model, m, None)) for m in ("nodes", "edges", "get_cpds")):
            raise TypeError(
                f"model must be a pgmpy Bayesian network (nodes(), edges() and get_cpds()), "
                f"got {type(model).__name__}; or build the model with FactorGraph.from_dag "
                f"from a networkx DiGraph"
            )
        return cls.from_dag(dag_from_pgmpy(model))

    @classmethod
    def ising(cls, graph: nx.Graph, beta: float, J: float = 1.0, h: float = 0.0) -> FactorGraph:
        """The Ising model on a graph: ``P(s) ∝ exp(β (J Σ_{uv} s_u s_v + h Σ_u s_u))``.

        Spins ``s = ±1`` are stored as ``0 / 1``. ``J`` and ``h`` are numbers (uniform
        coupling and field). The sampler recognises the pairwise binary form and uses its
        fast heat-bath path.

        Examples
        --------
        >>> import networkx as nx, natabs as na
        >>> fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.5)
        >>> import numpy as np
        >>> np.allclose(fg.to_system().to_table(), na.systems.ising_ring(4, beta=0.5).to_table())
        True
        """
        beta, J, h = (check_real(x, name) for x, name in ((beta, "beta"), (J, "J"), (h, "h")))
        nodes, index, edges = _graph_arrays(graph)
        bj = beta * J
        pair = np.array([[bj, -bj], [-bj, bj]])
        unary = np.array([-beta * h, beta * h]) if h != 0.0 else None
        return cls(
            cards=(), nodes=nodes, kind="mrf", graph=graph, pair=(edges, pair, unary), index=index
        )

    @classmethod
    def ising_lattice(cls, L: int, beta: float, J: float = 1.0, h: float = 0.0) -> FactorGraph:
        """The Ising model on the periodic ``L × L`` lattice (see :func:`lattice`).

        Its critical point is ``beta_c = ln(1 + √2) / (2J)``.

        Examples
        --------
        >>> import natabs as na
        >>> na.FactorGraph.ising_lattice(3, beta=0.4).n
        9
        """
        L = integer(L, "L", 3)
        check_size(L * L, MAX_NODES, f"nodes of the {L} x {L} lattice")
        beta, J, h = (check_real(x, name) for x, name in ((beta, "beta"), (J, "J"), (h, "h")))
        # The edges of lattice(L) as arrays (sorted; the order of factors changes no law); the
        # networkx graph itself (a Python object per node and edge) only when asked for.
        import itertools

        nodes = list(itertools.product(range(L), range(L)))
        v = np.arange(L * L, dtype=np.int64)
        r, c = v // L, v % L
        right, down = r * L + (c + 1) % L, ((r + 1) % L) * L + c
        edges = np.stack([np.stack([v, right], 1), np.stack([v, down], 1)], 1).reshape(-1, 2)
        edges = np.sort(edges, axis=1)
        edges = edges[np.lexsort((edges[:, 1], edges[:, 0]))]
        bj = beta * J
        pair = np.array([[bj, -bj], [-bj, bj]])
        unary = np.array([-beta * h, beta * h]) if h != 0.0 else None
        return cls(
            cards=(), nodes=nodes, kind="mrf", graph=lambda: lattice(L), pair=(edges, pair, unary)
        )

    @classmethod
    def potts(cls, graph: nx.Graph, q: int, beta: float) -> FactorGraph:
        """The ``q``-state Potts model: ``P(x) ∝ exp(β Σ_{uv} [x_u = x_v])``, values ``0..q-1``.

        Examples
        --------
        >>> import networkx as nx, natabs as na
        >>> fg = na.FactorGraph.potts(nx.path_graph(2), q=3, beta=1.0)
        >>> round(float(fg.to_system().to_table()[0, 0]), 4)
        0.192
        """
        nodes, edges = _graph(graph)
        q = integer(q, "q", 2)
        _check_card(q, "q")
        check_size(q * q, MAX_TABLE, f"entries of the {q} x {q} Potts pair table")
        beta = check_real(beta, "beta")
        pair = beta * np.eye(q)
        return cls(
            cards=[q] * len(nodes),
            nodes=nodes,
            scopes=[list(e) for e in edges],
            logs=[pair] * len(edges),
            kind="mrf",
            graph=graph,
        )

    @classmethod
    def from_factors(
        cls,
        scopes: Sequence[Sequence[int]],
        tables: Sequence[Any],
        *,
        names: Sequence[str] | None = None,
        log: bool = False,
    ) -> FactorGraph:
        """A Markov random field from factor scopes and tables.

        Parameters
        ----------
        scopes : sequence of sequences of int
            Variables ``0 .. n-1`` each factor touches (``n`` = largest index + 1).
        tables : sequence of array_like
            ``tables[f]`` has one axis per scope variable, in scope order; entries are
            potentials (finite, >= 0, not all zero), or log-potentials (finite or -inf)
            with ``log=True``. A variable's card is the length of its axes, which must
            agree across factors.
        names : sequence of str, optional
            Variable names.

        Examples
        --------
        >>> import natabs as na
        >>> fg = na.FactorGraph.from_factors([(0, 1)], [[[3, 1], [1, 3]]])
        >>> fg.to_system().to_table()
        array([[0.375, 0.125],
               [0.125, 0.375]])
        """
        cards, nodes, norm_scopes, logs, graph = factors_from_tables(scopes, tables, names, log)
        return cls(cards=cards, nodes=nodes, scopes=norm_scopes, logs=logs, kind="mrf", graph=graph)

    # -- properties -------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return len(self._cards)

    @property
    def cards(self) -> tuple[int, ...]:
        return self._cards

    @property
    def nodes(self) -> tuple:
        return self._nodes

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def graph(self) -> nx.Graph:
        if callable(self._graph) and not hasattr(self._graph, "nodes"):
            self._graph = self._graph()  # built on first use (ising_lattice)
        return self._graph

    @property
    def n_factors(self) -> int:
        if self._scopes_t is None:
            edges, _, unary = self._pair
            return len(edges) + (self.n if unary is not None else 0)
        return len(self._scopes)

    def index(self, var: Any) -> int:
        """Position of a variable given by node label, name, or index (labels first)."""
        if isinstance(var, (bool, np.bool_)):
            raise TypeError(
                f"a variable is a node label, a name or an index, got the boolean {var!r}"
            )
        try:
            if var in self._index:
                return self._index[var]
        except TypeError:
            pass
        if isinstance(var, str) and var in self._names:
            return self._names.index(var)
        if isinstance(var, numbers.Integral) and not isinstance(var, bool):
            if 0 <= int(var) < self.n:
                return int(var)
        raise InvalidInputError(
            f"{var!r} is neither a node label nor an index of this model (n = {self.n})"
        )

    def indices(self, variables: Iterable[Any]) -> tuple[int, ...]:
        """Positions of several variables (see :meth:`index`)."""
        items = check_sequence(variables, "variables", what="node labels or indices")
        return tuple(self.index(v) for v in items)

    def state_space_size(self) -> int:
        """Number of joint states, ``Π cards`` (may be astronomically large)."""
        return math.prod(self._cards)

    def _card_array(self) -> np.ndarray:
        """The cards as a read-only int64 array (cached: samplers check them every call)."""
        if self._cards_np is None:
            a = (
                np.full(self.n, 2, dtype=np.int64)
                if self._pair is not None
                else np.asarray(self._cards, dtype=np.int64)
            )
            a.flags.writeable = False
            self._cards_np = a
        return self._cards_np

    def _states_at_most(self, limit: int) -> bool:
        """Whether ``Π cards <= limit``, without building a huge integer."""
        size = 1
        for c in self._cards:
            size *= c
            if size > limit:
                return False
        return True

    # -- exact ------------------------------------------------------------------------------

    def to_system(self, *, max_states: int = MAX_EXACT_STATES) -> System:
        """The exact joint law as a :class:`~natabs.System` (states of probability 0 dropped).

        Raises :class:`~natabs.errors.TooLargeError` when the model has more than
        ``max_states`` joint states.

        Examples
        --------
        >>> import natabs as na
        >>> s = na.FactorGraph.ising_lattice(3, beta=0.2).to_system()
        >>> s.size
        512
        >>> na.FactorGraph.ising_lattice(6, beta=0.2).to_system()
        Traceback (most recent call last):
        ...
        natabs.errors.TooLargeError: the model has 68719476736 joint states; to_system enumerates at most 4194304
        """
        max_states = integer(max_states, "max_states", 1)
        if not self._states_at_most(max_states):
            size = self.state_space_size()
            raise TooLargeError(
                f"the model has {fmt_count(size)} joint states; to_system enumerates at most "
                f"{fmt_count(max_states)}"
            )
        return enumerate_model(self)

    def _log_weights(self, states: np.ndarray) -> np.ndarray:
        """Unnormalised log-probability of each row of ``states``."""
        logw = np.zeros(len(states))
        for scope, t in zip(self._scopes, self._logs):
            logw += t[tuple(states[:, v] for v in scope)]
        return logw

    def marginalize(self, var: Any, *, max_table: int = 1 << 22) -> FactorGraph:
        """The model of the other variables, with ``var`` summed out (an MRF).

        The factors touching ``var`` are replaced by one factor over their other variables
        (``var``'s Markov blanket), ``log Σ_v Π_f φ_f``; refused with
        :class:`~natabs.errors.TooLargeError` when that table would exceed ``max_table``
        entries. Used for information about a latent (THEORY §4).

        Examples
        --------
        >>> import numpy as np, natabs as na
        >>> fg = na.FactorGraph.from_factors([(0, 1), (1, 2)], [[[2, 1], [1, 2]], [[2, 1], [1, 2]]])
        >>> m = fg.marginalize(1)
        >>> m.names, np.allclose(m.to_system().to_table(), fg.to_system().to_table().sum(axis=1))
        (('0', '2'), True)
        """
        return sum_out(self, var, integer(max_table, "max_table", 1))

    # -- for the sampler --------------------------------------------------------------------

    def _native_args(self) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """(cards, scope variables, scope lengths, tables), flat, as the engine takes them."""
        if self._flat is None and self._pair is not None:
            edges, pair, unary = self._pair
            m, n = len(edges), self.n
            flat = edges.astype(np.uint32).ravel()
            lens = np.full(m, 2, dtype=np.uint32)
            tables = np.tile(np.asarray(pair, dtype=np.float64).ravel(), m)
            if unary is not None:
                flat = np.concatenate([flat, np.arange(n, dtype=np.uint32)])
                lens = np.concatenate([lens, np.ones(n, dtype=np.uint32)])
                tables = np.concatenate([tables, np.tile(unary.astype(np.float64), n)])
            self._flat = (list(self._cards), flat, lens, tables)
        if self._flat is None:
            # Built once: the model is immutable, and large models have ~10^5 factors.
            lens = np.fromiter(map(len, self._scopes), dtype=np.uint32, count=len(self._scopes))
            flat = np.fromiter(
                (v for s in self._scopes for v in s), dtype=np.uint32, count=int(lens.sum())
            )
            tables = np.concatenate([t.ravel() for t in self._logs]) if self._logs else np.zeros(0)
            self._flat = (
                list(self._cards),
                flat,
                lens,
                np.ascontiguousarray(tables, dtype=np.float64),
            )
        return self._flat

    def _torus_order(self) -> np.ndarray | None:
        """The variables in row-major order of a periodic or open ``R x C`` lattice, when
        the interaction graph is one (whatever its node labels and order; see
        :func:`~natabs.systems._graphs.torus_order`), else ``None``.

        The engine's lattice path needs the model in that order (site ``r * C + c``);
        :func:`natabs.sample` relabels the variables with this order and back.
        """
        if self._torus is False:
            self._torus = None
            if self._pair is not None:
                self._torus = torus_order(self.n, self._pair[0])
        return self._torus

    def __repr__(self) -> str:
        cards = set(self._cards)
        c = cards.pop() if len(cards) == 1 else self._cards[:8]
        return f"FactorGraph(kind={self._kind!r}, n={self.n}, cards={c}, factors={self.n_factors})"
