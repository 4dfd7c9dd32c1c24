"""The shared result protocol: every result class has ``to_dict()`` (JSON-ready) and one
readable repr, both from ``natabs._results.Result``."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings

import networkx as nx
import numpy as np
import pytest

import natabs as na
from natabs import testing
from natabs import transforms as nt
from natabs._results import Result
from natabs.errors import NotMixedWarning
from natabs.estimate import mutual_information
from natabs.sampling import diagnose


def _all_results(cls: type = Result) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("natabs."):
            out |= {sub} | _all_results(sub)
    return out


def _claim(system, transform, k):
    return (
        transform.size >= k
        or abs(na.conserved_information(transform(system), k) - na.conserved_information(system, k))
        < 1e-9
    )


def _dag() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_node("rain", cpd=[0.8, 0.2])
    g.add_node("wet", cpd=[[0.9, 0.1], [0.2, 0.8]])
    g.add_edge("rain", "wet")
    return g


def _majority(system):
    return system.with_latent(lambda x: 2 * x.sum(axis=1) > system.n, name="M")


def _examples() -> dict[type, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotMixedWarning)  # short runs, on purpose
        return _runs()


def _runs() -> dict[type, object]:
    copies, noisy = na.systems.copies(3), na.systems.noisy_copies(3, 0.2)
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.4)
    x = np.random.default_rng(0).integers(0, 2, 400)
    stuck = np.tile(x, (6, 1))
    runs = [
        na.conserved(copies, k=2),
        na.surviving_information(noisy, [0, 1, 3], k=1, about=None),
        na.surviving_information(noisy, [0, 5], k=1, method="sampled", samples=200, seed=0),
        na.spectrum(noisy, k=1),
        na.slow_modes(noisy, k=1, top=2),
        na.sample(fg, sweeps=[0, 1, 2, 4], chains=50, seed=0, record="magnetization"),
        na.survives(copies, nt.cnot(0, 1), k=2, steps=[0, 1]),
        na.survival_table(copies, nt.cnot(0, 1)),
        mutual_information(x, x, seed=0),
        na.sampled_surviving_information(fg, "majority", sweeps=[0, 1, 2, 3], chains=200, seed=0),
        na.light_cone(copies, nt.cnot(0, 1), 1),
        diagnose(stuck, sweeps=[0, 1, 2, 4, 8, 16]),
        testing.find_counterexample(_claim, seed=0),
        na.dag.check_dag(_dag()),
        na.natural_latent_errors(_majority(noisy), "M"),
        (found := na.find_natural_latent(noisy, card=2, restarts=1, seed=0)),
        found.baselines[0],
        na.latent_pareto(noisy, card=2, levels=2, restarts=1, seed=0),
        na.latent_survival(_majority(noisy), "M", nt.Relabel("x0", [1, 0])),
        na.sweep(lambda n: {"n2": n * n}, {"n": [1, 2]}, executor="serial", progress=False),
        na.conserved(na.systems.noisy_copies(5, 0.2, symmetric=True), k=1),
        na.spectrum(na.systems.noisy_copies(5, 0.2, symmetric=True), k=1, top=3),
        na.conserved(na.LinearCode.hamming(3), k=2),
        na.conserved(na.systems.shared_drift(3), k=1),
    ]
    return {type(r): r for r in runs}


EXAMPLES = _examples()
#: Results whose repr is a display that carries more than the fields (kept on purpose).
SPECIAL_REPR = {na.SurvivalTable, testing.Counterexample}


def test_every_result_class_has_an_example():
    assert set(EXAMPLES) == _all_results(), "add an example of each result class here"


@pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__))
def test_to_dict_round_trips_through_json(cls):
    r = EXAMPLES[cls]
    d = r.to_dict()
    assert set(d) == {f.name for f in dataclasses.fields(r)}
    assert json.loads(json.dumps(d, allow_nan=False)) == d


@pytest.mark.parametrize("cls", sorted(EXAMPLES, key=lambda c: c.__name__))
def test_repr_is_one_readable_form(cls):
    r = EXAMPLES[cls]
    text = repr(r)
    assert text.startswith(f"{cls.__name__}(")
    if cls in SPECIAL_REPR:
        return
    assert type(r).__repr__ is Result.__repr__, "the repr comes from natabs._results.Result"
    assert "\n" not in text and text.endswith(")") and len(text) < 300
    for number in re.findall(r"\d+\.\d+", text):
        digits = number.replace(".", "").lstrip("0")
        assert len(digits) <= 6, f"{number} in {text}: floats are shown to 6 digits"
    assert "array(" not in text and "<" not in text, text


def test_repr_shortens_and_hides():
    curve = EXAMPLES[na.Curve]
    assert "stderr" in repr(curve) and curve.method == "sampled"
    exact = na.surviving_information(na.systems.copies(3), list(range(12)), k=1)
    assert "stderr" not in repr(exact) and "about" not in repr(exact) and "base" not in repr(exact)
    assert "... 12 in all" in repr(exact)
    assert "base=3" in repr(na.conserved(na.systems.copies(3), k=1, base=3))
    assert "labels" not in repr(EXAMPLES[na.Conserved])


def test_nested_results_are_dicts_and_callables_names():
    d = EXAMPLES[na.SampleRun].to_dict()
    assert isinstance(d["diagnostics"], dict) and d["diagnostics"]["chains"] == 50
    table = EXAMPLES[na.SurvivalTable].to_dict()
    assert table["transform"] == "cnot(0 -> 1)" and table["rows"][0]["k"] == 1
    fg = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.4)

    def parity(states):
        return states.sum(axis=-1) % 2

    s = na.sampled_surviving_information(fg, parity, sweeps=[0, 1], chains=100, seed=0)
    assert s.to_dict()["statistic"] == "parity" and "statistic='parity'" in repr(s)
    ce = EXAMPLES[testing.Counterexample].to_dict()
    assert ce["system"]["cards"] == list(EXAMPLES[testing.Counterexample].system.cards)
