"""JSON format for systems and DAG models; exact DAG materialisation."""

from __future__ import annotations

import io as _io
import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs.errors import InvalidInputError, TooLargeError

from .strategies import named_systems


@settings(max_examples=40, deadline=None)
@given(named_systems(), st.booleans())
def test_json_round_trip_is_exact(s, codes):
    back = na.System.from_json(s.to_json(codes=codes))
    assert back.names == s.names and back.cards == s.cards
    assert np.array_equal(back.states, s.states)
    assert np.array_equal(back.probs, s.probs)  # bit-for-bit, not approximately


def test_sources_path_file_text_dict(tmp_path):
    s = na.systems.noisy_copies(3, 0.2)
    path = tmp_path / "s.json"
    assert s.to_json(path) is None
    assert na.System.from_json(path).same_law(s, atol=0)
    assert na.System.from_json(str(path)).same_law(s, atol=0)
    with open(path) as f:
        assert na.System.from_json(f).same_law(s, atol=0)
    buf = _io.StringIO()
    na.io.to_json(s, buf, indent=2)
    assert na.System.from_json(buf.getvalue()).same_law(s, atol=0)
    assert na.System.from_json(json.loads(buf.getvalue())).same_law(s, atol=0)


def test_documented_shape():
    d = json.loads(na.systems.copies(2).to_json())
    assert d == {
        "format": "natabs.system",
        "version": 1,
        "names": ["x0", "x1"],
        "cards": [2, 2],
        "states": [[0, 0], [1, 1]],
        "probs": [0.5, 0.5],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, '"format" must be "natabs.system"'),
        ({"version": 99}, '"version" must be an integer from 1 to 1'),
        ({"codes": [0, 3]}, 'exactly one of "states" or "codes"'),
        ({"states": [[0, 0], [1]]}, '"states" must be a rectangular list'),
        ({"states": [[0, 0], [1, 2]]}, "outside [0, 2)"),
        ({"probs": [0.5, 0.6]}, "sum to"),
        ({"probs": ["a", 0.5]}, '"probs" must be a list of numbers'),
        ({"cards": "22"}, '"cards" must be a list of integers'),
    ],
)
def test_bad_system_json(change, message):
    d = json.loads(na.systems.copies(2).to_json())
    d.update(change)
    with pytest.raises(
        InvalidInputError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        na.System.from_json(d)


def test_bad_sources():
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        na.System.from_json("{not json")
    with pytest.raises(InvalidInputError, match="is a JSON object"):
        na.io.from_json(_io.StringIO("[1, 2]"))
    with pytest.raises(TypeError, match="a path, an open file"):
        na.System.from_json(42)
    with pytest.raises(FileNotFoundError):
        na.System.from_json("no/such/file.json")


# -- DAGs --------------------------------------------------------------------------------------

CHAIN = {
    "format": "natabs.dag",
    "version": 1,
    "nodes": [
        {
            "name": "c",
            "card": 2,
            "parents": ["a", "b"],
            "cpd": [[[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]],
        },
        {"name": "a", "card": 2, "parents": [], "cpd": [0.3, 0.7]},
        {"name": "b", "card": 3, "parents": ["a"], "cpd": [[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]]},
    ],
}


def reference_joint(spec):
    """P(c, a, b) by brute force over every assignment."""
    out = np.zeros((2, 2, 3))
    cpd = {n["name"]: np.array(n["cpd"]) for n in spec["nodes"]}
    for c in range(2):
        for a in range(2):
            for b in range(3):
                out[c, a, b] = cpd["a"][a] * cpd["b"][a, b] * cpd["c"][a, b, c]
    return out


def test_dag_from_json_attributes_and_order():
    G = na.io.dag_from_json(CHAIN)
    assert list(G.nodes) == ["c", "a", "b"]
    assert set(G.edges) == {("a", "c"), ("b", "c"), ("a", "b")}
    assert G.nodes["c"]["parents"] == ["a", "b"]
    assert G.nodes["c"]["cpd"].shape == (2, 3, 2) and G.nodes["b"]["card"] == 3


def test_system_from_dag_matches_brute_force():
    s = na.System.from_dag(na.io.dag_from_json(CHAIN))
    assert s.names == ("c", "a", "b") and s.cards == (2, 2, 3)
    np.testing.assert_allclose(s.to_table(), reference_joint(CHAIN), atol=1e-15)
    assert s.size == np.count_nonzero(reference_joint(CHAIN))


def test_dag_parents_from_predecessors_and_json_round_trip():
    G = nx.DiGraph([("a", "b")])
    G.add_node("a", cpd=np.array([0.5, 0.5]))
    G.add_node("b", cpd=np.array([[0.9, 0.1], [0.1, 0.9]]))
    text = na.io.dag_to_json(G)
    H = na.io.dag_from_json(text)
    assert na.System.from_dag(H).same_law(na.System.from_dag(G), atol=0)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["nodes"][0].update(parents=["a"]),
            "do not match its incoming edges|has 3 axes",
        ),
        (lambda d: d["nodes"][1].update(cpd=[0.3, 0.6]), "sums to 0.9"),
        (lambda d: d["nodes"][2].update(card=2), "card is 2"),
        (lambda d: d["nodes"][2].update(parents=["zz"]), "not a node"),
        (lambda d: d["nodes"][1].update(parents=["c"], cpd=[[0.3, 0.7], [0.3, 0.7]]), "cycle"),
        (lambda d: d["nodes"][1].update(name="b"), "more than once"),
        (lambda d: d["nodes"][1].update(cpd=[-0.3, 1.3]), "negative"),
    ],
)
def test_bad_dags(mutate, message):
    d = json.loads(json.dumps(CHAIN))
    mutate(d)
    with pytest.raises(InvalidInputError, match=message):
        na.System.from_dag(na.io.dag_from_json(d))


def test_from_dag_refuses_large_state_space():
    G = nx.DiGraph()
    for i in range(30):
        G.add_node(i, cpd=[0.5, 0.5])
    with pytest.raises(TooLargeError, match="2\\*\\*|1073741824"):
        na.System.from_dag(G)
    with pytest.raises(TypeError, match="networkx.DiGraph"):
        na.System.from_dag(nx.Graph())


def test_conserved_to_dict_is_json():
    d = na.conserved(na.systems.parity(3), k=1).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["bits"] == 2.0 and d["n_components"] == 4 and d["blocks"] == [[0], [1], [2]]
    assert len(d["labels"]) == 4
