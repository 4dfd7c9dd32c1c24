"""FactorGraph construction, validation and exact materialisation."""

from __future__ import annotations


import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings

import natabs as na
from natabs.errors import InvalidInputError, TooLargeError

from .strategies import dags


def dag(**tables):
    G = nx.DiGraph([("a", "b")])
    G.nodes["a"]["cpd"] = tables.get("a", np.array([0.3, 0.7]))
    G.nodes["b"]["cpd"] = tables.get("b", np.array([[0.9, 0.1], [0.2, 0.8]]))
    return G


def test_dag_law_is_the_product_of_its_tables():
    s = na.FactorGraph.from_dag(dag()).to_system()
    np.testing.assert_allclose(s.to_table(), [[0.27, 0.03], [0.14, 0.56]], atol=1e-12)
    assert s.names == ("a", "b")


def test_parents_attribute_orders_the_table_axes():
    G = nx.DiGraph([("x", "z"), ("y", "z")])
    G.nodes["x"]["cpd"] = np.array([0.5, 0.5])
    G.nodes["y"]["cpd"] = np.array([0.2, 0.3, 0.5])
    t = np.zeros((3, 2, 2))  # axes (y, x, z): z = x, whatever y is
    t[:, 0, 0] = t[:, 1, 1] = 1
    G.nodes["z"]["cpd"] = t
    G.nodes["z"]["parents"] = ["y", "x"]
    s = na.FactorGraph.from_dag(G).to_system()
    x, z = s.indices(["x", "z"])
    assert (s.states[:, x] == s.states[:, z]).all()
    assert s.size == 6


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(b=np.array([[0.9, 0.1], [0.2, 0.7]])), r"at parents \(1,\) sums to 0.9, not 1"),
        (dict(b=np.array([[1.1, -0.1], [0.2, 0.8]])), "negative or non-finite"),
        (dict(b=np.array([[np.nan, 1], [0.2, 0.8]])), "negative or non-finite"),
        (dict(b=np.array([0.5, 0.5])), r"must have shape \(2, 2\)|has 1 axes but 1 parents"),
        (dict(a=np.array([0.2, 0.3, 0.5])), r"must have shape \(3, 2\)"),
    ],
)
def test_dag_table_errors_say_what_is_wrong(change, match):
    with pytest.raises(InvalidInputError, match=match):
        na.FactorGraph.from_dag(dag(**change))


def test_dag_structure_errors():
    G = dag()
    G.add_edge("b", "a")
    with pytest.raises(
        InvalidInputError, match="cycle: 'a' -> 'b' -> 'a'|cycle: 'b' -> 'a' -> 'b'"
    ):
        na.FactorGraph.from_dag(G)
    G = dag()
    del G.nodes["a"]["cpd"]
    with pytest.raises(InvalidInputError, match="no 'cpd' attribute"):
        na.FactorGraph.from_dag(G)
    G = dag()
    G.nodes["b"]["parents"] = ["c"]
    with pytest.raises(InvalidInputError, match="do not match its incoming edges"):
        na.FactorGraph.from_dag(G)
    G = dag()
    G.nodes["b"]["card"] = 3
    with pytest.raises(InvalidInputError, match="card is 3 but"):
        na.FactorGraph.from_dag(G)
    with pytest.raises(TypeError):
        na.FactorGraph.from_dag(nx.Graph())


def test_ising_and_potts_match_their_formulas():
    ring = na.FactorGraph.ising(nx.cycle_graph(5), beta=0.7, J=0.5)
    np.testing.assert_allclose(
        ring.to_system().to_table(),
        na.systems.ising_ring(5, beta=0.7, J=0.5).to_table(),
        atol=1e-12,
    )
    fg = na.FactorGraph.ising(nx.path_graph(2), beta=1.0, J=0.0, h=0.5)
    p1 = np.exp(0.5) / (np.exp(0.5) + np.exp(-0.5))
    np.testing.assert_allclose(fg.to_system().marginal([0]).to_table(), [1 - p1, p1])
    potts = na.FactorGraph.potts(nx.path_graph(2), q=4, beta=np.log(3.0)).to_system()
    np.testing.assert_allclose(np.diag(potts.to_table()), 3 / (4 * 3 + 12))


def test_lattice_helper_is_a_torus():
    fg = na.FactorGraph.ising_lattice(4, beta=0.1)
    assert fg.n == 16 and fg.n_factors == 32
    assert all(d == 4 for _, d in fg.graph.degree)
    assert fg.index((1, 2)) == 6
    with pytest.raises(InvalidInputError):
        na.factor_graph.lattice(2)


def test_from_factors_validation():
    with pytest.raises(InvalidInputError, match="card 2 in one factor and 3"):
        na.FactorGraph.from_factors([(0,), (0, 1)], [np.ones(2), np.ones((3, 2))])
    with pytest.raises(InvalidInputError, match="zero everywhere"):
        na.FactorGraph.from_factors([(0,)], [np.zeros(2)])
    with pytest.raises(InvalidInputError, match="appear in no factor"):
        na.FactorGraph.from_factors([(0,), (2,)], [np.ones(2), np.ones(2)])
    with pytest.raises(InvalidInputError, match="finite and >= 0"):
        na.FactorGraph.from_factors([(0,)], [[-1, 2]])
    fg = na.FactorGraph.from_factors([(0,)], [[0.0, np.log(3)]], log=True)
    np.testing.assert_allclose(fg.to_system().probs, [0.25, 0.75])


def test_contradictory_factors_have_no_law():
    fg = na.FactorGraph.from_factors([(0,), (0,)], [[1, 0], [0, 1]])
    with pytest.raises(InvalidInputError, match="probability zero"):
        fg.to_system()


def test_to_system_refuses_large_models():
    with pytest.raises(TooLargeError, match="joint states"):
        na.FactorGraph.ising_lattice(5, beta=0.1).to_system()


def test_from_pgmpy_refuses_other_objects_helpfully():
    with pytest.raises(TypeError, match=r"get_cpds\(\).*got object; or build the model"):
        na.FactorGraph.from_pgmpy(object())


class TabularCPD:
    """pgmpy's ``TabularCPD`` as ``from_pgmpy`` reads it (the test needs no pgmpy)."""

    def __init__(self, variable, card, values, evidence=(), evidence_card=()):
        self.variables = [variable, *evidence]
        self.cardinality = np.array([card, *evidence_card])
        self.values = np.asarray(values, dtype=float)

    def get_values(self):
        return self.values


class DiscreteBayesianNetwork:
    """pgmpy's ``DiscreteBayesianNetwork``: edges, and CPDs added later."""

    def __init__(self, edges):
        self._edges, self._cpds = list(edges), []

    def add_cpds(self, *cpds):
        self._cpds += cpds

    def nodes(self):
        return list(dict.fromkeys(v for e in self._edges for v in e))

    def edges(self):
        return list(self._edges)

    def get_cpds(self):
        return list(self._cpds)


def test_from_pgmpy_matches_the_network():
    model = DiscreteBayesianNetwork([("a", "c"), ("b", "c")])
    model.add_cpds(
        TabularCPD("a", 2, [[0.3], [0.7]]),
        TabularCPD("b", 3, [[0.2], [0.5], [0.3]]),
        # columns: (a, b) with a slowest; rows: c
        TabularCPD(
            "c",
            2,
            [[0.9, 0.8, 0.7, 0.4, 0.3, 0.1], [0.1, 0.2, 0.3, 0.6, 0.7, 0.9]],
            evidence=["a", "b"],
            evidence_card=[2, 3],
        ),
    )
    s = na.FactorGraph.from_pgmpy(model).to_system()
    a, b, c = s.indices(["a", "b", "c"])
    table = s.to_table().transpose(a, b, c)
    assert table[1, 2, 1] == pytest.approx(0.7 * 0.3 * 0.9)
    assert table[0, 1, 0] == pytest.approx(0.3 * 0.5 * 0.8)


@settings(max_examples=40, deadline=None)
@given(G=dags())
def test_dag_is_the_same_law_as_a_system_and_as_a_factor_graph(G):
    """System.from_dag and FactorGraph.from_dag(...).to_system() read a DAG identically."""
    assert na.System.from_dag(G).same_law(na.FactorGraph.from_dag(G).to_system(), atol=1e-12)
