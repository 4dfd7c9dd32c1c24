"""Gaussian systems: scalar variables with a joint normal law (THEORY §8).

A :class:`GaussianSystem` is ``X ~ N(μ, Σ)`` over ``n`` scalar variables, held either by a
dense covariance ``Σ`` or by its precision ``Q = Σ^{-1}`` (dense, or sparse for a Gaussian
Markov random field: a chain, a lattice, a linear-Gaussian DAG). It satisfies the
``Variables`` protocol with ``cards[i] == 0`` (a continuous variable). Every system is
validated once, at construction: finite, symmetric, positive definite.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidInputError, TooLargeError
from ._gaussian_checks import (  # noqa: F401  (DENSE_MAX and sparse_factor are used beside)
    DENSE_MAX,
    _check_dense_size,
    _check_mean,
    _dense_cholesky,
    _dense_matrix,
    _number,
    _sparse,
    _sparse_matrix,
    _spd_inverse,
    sparse_factor,
)
from ._variables import NamedVariables, check_names

__all__ = ["GaussianSystem"]


class GaussianSystem(NamedVariables):
    """A joint normal law ``N(μ, Σ)`` over scalar variables (THEORY §8).

    Parameters
    ----------
    cov : array_like, shape (n, n)
        The covariance: finite, symmetric, positive definite.
    mean : array_like, shape (n,), optional
        The mean (zeros by default).
    names : sequence of str, optional
        Variable names, unique; ``x0, x1, ...`` by default.

    Notes
    -----
    ``cards`` is ``(0, 0, ...)``: each variable is continuous. Variables are scalars; a
    block is a set of them. Other constructors: :meth:`from_precision` (dense or
    ``scipy.sparse``: a Gaussian Markov random field), :meth:`from_dag` (a linear-Gaussian
    DAG), :meth:`from_gmrf` (a graph with couplings). A system built from a sparse
    precision stays sparse: its covariance is never formed unless asked for.

    Examples
    --------
    >>> import natabs as na
    >>> g = na.GaussianSystem([[2.0, 1.0], [1.0, 2.0]], names=["a", "b"])
    >>> g
    GaussianSystem(n=2, names=('a', 'b'), storage='covariance')
    >>> g.cards, g.index("b")
    ((0, 0), 1)
    >>> g.precision.round(4).tolist()
    [[0.6667, -0.3333], [-0.3333, 0.6667]]
    >>> na.GaussianSystem([[1.0, 2.0], [2.0, 1.0]])
    Traceback (most recent call last):
    ...
    natabs.errors.InvalidInputError: cov must be positive definite; its smallest eigenvalue is -1
    """

    __slots__ = ("_chol", "_cov", "_lu", "_mean", "_n", "_names", "_prec", "_sparse")

    def __init__(self, cov: Any, mean: Any = None, names: Sequence[str] | None = None) -> None:
        c = _dense_matrix(cov, "cov")
        self._init(c.shape[0], mean, names)
        self._chol = _dense_cholesky(c, "cov")
        self._cov = c

    def _init(self, n: int, mean: Any, names: Sequence[str] | None) -> None:
        self._n = n
        self._names = check_names(names, n)
        self._mean = _check_mean(mean, n)
        self._cov = self._prec = self._chol = self._lu = None
        self._sparse = False

    @classmethod
    def from_precision(
        cls, precision: Any, mean: Any = None, names: Sequence[str] | None = None
    ) -> GaussianSystem:
        """The law with precision (inverse covariance) ``Q``, dense or ``scipy.sparse``.

        A sparse ``Q`` is a Gaussian Markov random field: ``Q_ij = 0`` iff ``X_i`` and
        ``X_j`` are independent given the rest. It is checked positive definite by a
        sparse symmetric factorisation (the error names the failing pivot), and kept
        sparse, so chains and lattices of ``10^5`` variables fit.

        Examples
        --------
        >>> import numpy as np, scipy.sparse as sp
        >>> import natabs as na
        >>> q = sp.diags([[-1.0] * 3, [2.5] * 4, [-1.0] * 3], [-1, 0, 1])
        >>> g = na.GaussianSystem.from_precision(q)
        >>> g, g.is_sparse
        (GaussianSystem(n=4, names=('x0', 'x1', 'x2', 'x3'), storage='sparse precision'), True)
        >>> round(float(g.cov[0, 0]), 4)
        0.4985
        """
        self = cls.__new__(cls)
        sp = _sparse()
        if sp.issparse(precision):
            q = _sparse_matrix(precision, "precision")
            self._init(q.shape[0], mean, names)
            self._lu = sparse_factor(q)
            self._prec = q
            self._sparse = True
            return self
        q = _dense_matrix(precision, "precision")
        self._init(q.shape[0], mean, names)
        self._chol = None
        _dense_cholesky(q, "precision")
        self._prec = q
        return self

    @classmethod
    def from_dag(
        cls,
        graph: Any,
        *,
        weight: str = "weight",
        variance: str = "variance",
        intercept: str = "intercept",
    ) -> GaussianSystem:
        """A linear-Gaussian DAG: ``X_i = c_i + Σ_{j → i} w_ji X_j + ε_i``, ``ε_i ~ N(0, v_i)``.

        ``graph`` is a ``networkx.DiGraph`` whose nodes carry the noise variance
        (attribute ``variance``, > 0, default 1) and optionally an intercept (default 0),
        and whose edges carry ``weight`` (default 1). Variables are named by the nodes
        (as strings), in the order of ``graph.nodes``. The precision
        ``(I - B)^T V^{-1} (I - B)`` (``B[i, j] = w_ji``) is sparse: local DAGs stay local.

        Examples
        --------
        >>> import networkx as nx
        >>> import natabs as na
        >>> dag = nx.DiGraph()
        >>> dag.add_node("theta", variance=1.0)
        >>> for i in range(3):
        ...     dag.add_edge("theta", f"x{i}", weight=1.0)
        ...     dag.nodes[f"x{i}"]["variance"] = 1.0
        >>> g = na.GaussianSystem.from_dag(dag)
        >>> g.names
        ('theta', 'x0', 'x1', 'x2')
        >>> g.cov.round(6).tolist()[1]
        [1.0, 2.0, 1.0, 1.0]
        """
        import networkx as nx

        sp = _sparse()
        if not isinstance(graph, nx.DiGraph):
            raise TypeError(f"graph must be a networkx.DiGraph, got {type(graph).__name__}")
        if not nx.is_directed_acyclic_graph(graph):
            raise InvalidInputError("graph must be acyclic (a DAG); it has a directed cycle")
        nodes = list(graph.nodes)
        if not nodes:
            raise InvalidInputError("graph has no nodes")
        pos = {v: i for i, v in enumerate(nodes)}
        n = len(nodes)
        var = np.empty(n)
        c = np.empty(n)
        for v, i in pos.items():
            var[i] = _number(graph.nodes[v].get(variance, 1.0), f"variance of node {v!r}")
            c[i] = _number(graph.nodes[v].get(intercept, 0.0), f"intercept of node {v!r}")
            if not var[i] > 0:
                raise InvalidInputError(f"variance of node {v!r} must be > 0, got {var[i]}")
        rows, cols, vals = [], [], []
        for u, v, data in graph.edges(data=True):
            rows.append(pos[v])
            cols.append(pos[u])
            vals.append(_number(data.get(weight, 1.0), f"weight of edge {u!r} -> {v!r}"))
        b = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
        i_b = (sp.identity(n, format="csr") - b).tocsr()
        q = (i_b.T @ sp.diags(1.0 / var) @ i_b).tocsc()
        # mean: (I - B) μ = c, solved in topological order (a triangular system)
        mu = np.zeros(n)
        for v in nx.topological_sort(graph):
            i = pos[v]
            mu[i] = c[i] + sum(
                _number(graph.edges[u, v].get(weight, 1.0), "weight") * mu[pos[u]]
                for u in graph.predecessors(v)
            )
        return cls.from_precision(q, mean=mu, names=[str(v) for v in nodes])

    @classmethod
    def from_gmrf(
        cls, graph: Any, *, coupling: str = "weight", precision: str = "precision"
    ) -> GaussianSystem:
        """A Gaussian Markov random field on an undirected graph.

        ``Q_ii`` is the node attribute ``precision`` (default: 1 + the sum of the
        absolute couplings at the node, which is diagonally dominant hence valid) and
        ``Q_ij = -w_ij`` for each edge with attribute ``coupling`` (default 1): positive
        couplings make neighbours positively correlated. Names are the nodes as strings.

        Examples
        --------
        >>> import networkx as nx
        >>> import natabs as na
        >>> g = na.GaussianSystem.from_gmrf(nx.path_graph(3))
        >>> g.precision.toarray().tolist()
        [[2.0, -1.0, 0.0], [-1.0, 3.0, -1.0], [0.0, -1.0, 2.0]]
        """
        import networkx as nx

        sp = _sparse()
        if not isinstance(graph, nx.Graph) or graph.is_directed():
            raise TypeError(
                f"graph must be an undirected networkx.Graph, got {type(graph).__name__}"
            )
        nodes = list(graph.nodes)
        if not nodes:
            raise InvalidInputError("graph has no nodes")
        pos = {v: i for i, v in enumerate(nodes)}
        n = len(nodes)
        rows, cols, vals = [], [], []
        strength = np.zeros(n)
        for u, v, data in graph.edges(data=True):
            w = _number(data.get(coupling, 1.0), f"coupling of edge {u!r} - {v!r}")
            if u == v:
                raise InvalidInputError(
                    f"self-loop at node {u!r}; give its precision as a node attribute"
                )
            rows += [pos[u], pos[v]]
            cols += [pos[v], pos[u]]
            vals += [-w, -w]
            strength[pos[u]] += abs(w)
            strength[pos[v]] += abs(w)
        diag = np.array(
            [
                _number(
                    graph.nodes[v].get(precision, 1.0 + strength[pos[v]]),
                    f"precision of node {v!r}",
                )
                for v in nodes
            ]
        )
        q = sp.csc_matrix((vals, (rows, cols)), shape=(n, n)) + sp.diags(diag)
        return cls.from_precision(q, names=[str(v) for v in nodes])

    # -- the Variables protocol ------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of variables."""
        return self._n

    @property
    def cards(self) -> tuple[int, ...]:
        """``(0, ..., 0)``: every variable is continuous (the Variables convention)."""
        return (0,) * self._n

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names."""
        return self._names

    # -- the law ---------------------------------------------------------------------------

    @property
    def mean(self) -> np.ndarray:
        """The mean ``μ`` (read-only)."""
        return self._mean

    @property
    def is_sparse(self) -> bool:
        """Whether the law is held by a sparse precision."""
        return self._sparse

    @property
    def cov(self) -> np.ndarray:
        """The covariance ``Σ`` as a dense read-only array (formed on first use)."""
        if self._cov is None:
            _check_dense_size(self._n, "the covariance")
            q = self._prec.toarray() if self._sparse else self._prec
            c = _spd_inverse(q)
            c.flags.writeable = False
            self._cov = c
        return self._cov

    @property
    def precision(self):
        """The precision ``Q = Σ^{-1}``: a read-only dense array, or the sparse matrix held."""
        if self._prec is None:
            q = _spd_inverse(self._cov, self._chol)
            q.flags.writeable = False
            self._prec = q
        return self._prec

    def dense_precision(self) -> np.ndarray:
        """The precision as a dense array (refused beyond ``DENSE_MAX`` variables)."""
        q = self.precision
        if self._sparse:
            _check_dense_size(self._n, "the dense precision")
            return q.toarray()
        return q

    def cov_times(self, v: np.ndarray) -> np.ndarray:
        """``Σ v`` without forming ``Σ`` when the precision is sparse."""
        if self._sparse and self._cov is None:
            return self._lu.solve(np.asarray(v, dtype=np.float64))
        return self.cov @ v

    def cov_cholesky(self) -> np.ndarray:
        """The lower Cholesky factor ``L`` of the covariance, ``Σ = L L^T`` (kept once formed).

        Examples
        --------
        >>> import numpy as np, natabs as na
        >>> g = na.GaussianSystem([[4.0, 2.0], [2.0, 2.0]])
        >>> g.cov_cholesky()
        array([[2., 0.],
               [1., 1.]])
        """
        if self._chol is None:
            self._chol = _dense_cholesky(self.cov, "cov")
            self._chol.flags.writeable = False
        return self._chol

    def logdet_cov(self) -> float:
        """``log det Σ`` (natural log)."""
        if self._sparse:
            return -float(np.sum(np.log(self._lu.U.diagonal())))
        return 2.0 * float(np.sum(np.log(np.diag(self.cov_cholesky()))))

    def entropy(self, base: float = 2) -> float:
        """Differential entropy ``½ log det(2πe Σ)`` in units of ``base``.

        Examples
        --------
        >>> import natabs as na
        >>> round(na.GaussianSystem([[1.0]]).entropy(), 6)
        2.047096
        """
        from .._info import check_base

        b = check_base(base)
        nats = 0.5 * (self._n * math.log(2 * math.pi * math.e) + self.logdet_cov())
        return nats / math.log(b)

    def marginal(self, variables: Iterable[Any]) -> GaussianSystem:
        """The law of some variables (the others integrated out), in the order given.

        Examples
        --------
        >>> import natabs as na
        >>> g = na.systems.shared_drift(3)
        >>> g.marginal(["x0", "x1"]).cov.round(9).tolist()
        [[2.0, 1.0], [1.0, 2.0]]
        """
        idx = list(self.indices(variables))
        if not idx:
            raise InvalidInputError("marginal needs at least one variable")
        if len(set(idx)) != len(idx):
            raise InvalidInputError(f"marginal names a variable twice: {list(variables)}")
        names = [self._names[i] for i in idx]
        mean = self._mean[idx]
        if self._sparse:
            rest = np.setdiff1d(np.arange(self._n), idx)
            q = self._prec
            if rest.size == 0:
                return GaussianSystem.from_precision(q[idx][:, idx], mean, names)
            # Schur complement Q_AA - Q_AB Q_BB^{-1} Q_BA, kept sparse when B's
            # neighbourhood in A is small.
            q_ab = q[idx][:, rest].tocsc()
            touched = np.unique(q_ab.tocoo().row)
            if touched.size * touched.size > 0.1 * len(idx) ** 2 and self._n <= DENSE_MAX:
                # the marginal precision is dense anyway: take it from the covariance
                return GaussianSystem(self.cov[np.ix_(idx, idx)], mean, names)
            if touched.size > DENSE_MAX:
                raise TooLargeError(
                    f"the marginal couples {touched.size} variables densely; the limit is {DENSE_MAX}"
                )
            lu = sparse_factor(q[rest][:, rest], "precision")
            x = lu.solve(q_ab[touched].T.toarray())
            corr = q_ab[touched].toarray() @ x
            sp = _sparse()
            update = sp.coo_matrix(
                (
                    corr.ravel(),
                    (np.repeat(touched, touched.size), np.tile(touched, touched.size)),
                ),
                shape=(len(idx), len(idx)),
            )
            return GaussianSystem.from_precision((q[idx][:, idx] - update).tocsc(), mean, names)
        return GaussianSystem(self.cov[np.ix_(idx, idx)], mean, names)

    def sample(self, size: int, *, seed: int | None = None) -> np.ndarray:
        """``size`` independent draws, shape ``(size, n)``.

        Examples
        --------
        >>> import natabs as na
        >>> na.GaussianSystem([[1.0]]).sample(3, seed=0).shape
        (3, 1)
        """
        from .._validation import integer

        size = integer(size, "size", 0)
        if size * self._n * 8 > 1 << 31:
            raise TooLargeError(f"{size} draws of {self._n} variables exceed 2 GiB")
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((size, self._n))
        if self._sparse:
            # P_r Q P_c = L U with P_r = P_c^T and U = D L^T: x = P_c U^{-1} D^{1/2} z has
            # covariance P_c (L D L^T)^{-1} P_c^T = Q^{-1}.
            import scipy.sparse.linalg as sla

            lu = self._lu
            d = lu.U.diagonal()
            y = sla.spsolve_triangular(lu.U.tocsr(), np.sqrt(d)[:, None] * z.T, lower=False)
            return y[lu.perm_c].T + self._mean
        if self._chol is None:
            self._chol = _dense_cholesky(self.cov, "cov")
        return z @ self._chol.T + self._mean

    def __repr__(self) -> str:
        names = self._names if self._n <= 6 else self._names[:5] + ("...",)
        storage = (
            "sparse precision"
            if self._sparse
            else ("covariance" if self._cov is not None else "precision")
        )
        return f"GaussianSystem(n={self._n}, names={names}, storage={storage!r})"

    def __reduce__(self):
        if self._sparse:
            return (
                GaussianSystem.from_precision,
                (self._prec, self._mean, self._names),
            )
        if self._cov is not None:
            return (GaussianSystem, (self._cov, self._mean, self._names))
        return (GaussianSystem.from_precision, (self._prec, self._mean, self._names))
