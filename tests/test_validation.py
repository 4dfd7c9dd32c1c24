"""The validation vocabulary, and every bad input the fuzzing of the public API found.

Each test of the second half names the finding it pins: a type accepted silently, a
refusal missing or undercounted, an exception outside the contract, a mutable system,
a wrong object returned.
"""

from __future__ import annotations

import json
import math
import re

import natabs as na
import networkx as nx
import numpy as np
import pytest
from natabs import _validation as v
from natabs import blocks
from natabs import transforms as nt
from natabs.errors import InvalidInputError, TooLargeError

# -- the vocabulary ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), 1.0, 2.5, "3", None, [1], 1j])
def test_check_integer_refuses_non_integers(bad):
    with pytest.raises(TypeError, match="n must be an integer"):
        v.check_integer(bad, "n")


@pytest.mark.parametrize("good", [0, 7, np.int8(7), np.uint64(7), np.int64(-3)])
def test_check_integer_accepts_python_and_numpy_integers(good):
    out = v.check_integer(good, "n")
    assert type(out) is int and out == int(good)


def test_integer_bounds_name_argument_value_and_bound():
    with pytest.raises(InvalidInputError, match=r"n must be >= 1, got 0"):
        v.check_positive_int(0, "n")
    with pytest.raises(InvalidInputError, match=r"k must be >= 0, got -1"):
        v.check_nonneg_int(-1, "k")
    with pytest.raises(InvalidInputError, match=r"must be <= 10, got 11"):
        v.check_integer(11, "x", max_value=10)
    assert v.integer(5, "n", 1) == 5  # the historical spelling keeps working
    assert v.choice("a", "m", ("a", "b")) == "a"


@pytest.mark.parametrize("bad", [True, "2", b"2", 1j, None, [2.0]])
def test_check_real_refuses_non_reals(bad):
    with pytest.raises(TypeError, match="must be a real number"):
        v.check_real(bad, "beta")


def test_check_real_bounds_and_finiteness():
    assert v.check_real(np.float32(0.5), "x") == 0.5
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(InvalidInputError, match="finite"):
            v.check_real(bad, "x")
    with pytest.raises(InvalidInputError, match="> 1"):
        v.check_base(1)
    with pytest.raises(TypeError):
        v.check_base("2")
    assert v.check_base(math.e) == math.e
    assert v.check_probability(0.25, "p") == 0.25
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(InvalidInputError, match="strictly between 0 and 1"):
            v.check_probability(bad, "p")
    assert v.check_probability(0.0, "p", strict=False) == 0.0


def test_check_choice_and_scan():
    assert v.check_scan("random") == "random"
    with pytest.raises(InvalidInputError, match="scan must be one of 'random', 'systematic'"):
        v.check_scan("sideways")
    with pytest.raises(TypeError, match="scan"):
        v.check_scan(1)


def test_seed_threads_steps_sweeps():
    assert v.check_seed(None) is None and v.check_seed(2**64 - 1) == 2**64 - 1
    with pytest.raises(InvalidInputError, match="seed must be >= 0, got -1"):
        v.check_seed(-1)
    with pytest.raises(InvalidInputError, match="seed must be <="):
        v.check_seed(2**64)
    assert v.check_threads(None) is None and v.check_threads(2) == 2
    with pytest.raises(InvalidInputError, match="threads must be <="):
        v.check_threads(10**5)
    with pytest.raises(InvalidInputError, match="threads"):
        v.check_threads(2**64)
    assert v.check_steps([3, np.int64(0)]).tolist() == [3, 0]
    for bad in ([1.7], ["3"], [True], [None]):
        with pytest.raises(TypeError, match="list of integers"):
            v.check_steps(bad)
    with pytest.raises(TypeError, match=r"e\.g\. \[5\]"):
        v.check_steps(5)
    with pytest.raises(TypeError):
        v.check_steps("3")
    with pytest.raises(InvalidInputError, match="empty"):
        v.check_steps([])
    with pytest.raises(InvalidInputError, match=r"steps\[1\] must be >= 0"):
        v.check_steps([1, -1])
    assert v.check_sweeps([0, 5]) == (0, 5)
    with pytest.raises(InvalidInputError, match="strictly increasing"):
        v.check_sweeps([5, 5])
    with pytest.raises(InvalidInputError, match="empty"):
        v.check_sweeps([])


def test_check_array_kinds_shapes_and_ragged_input():
    with pytest.raises(InvalidInputError, match="rectangular"):
        v.check_array([[0, 1], [1]], "states")
    with pytest.raises(TypeError, match="states must be an integer array, got dtype float64"):
        v.check_array([[0.0]], "states", kind="i")
    with pytest.raises(TypeError, match="complex"):
        v.check_real_array([1 + 2j], "table")
    with pytest.raises(TypeError, match="strings"):
        v.check_real_array(["a"], "table")
    with pytest.raises(TypeError):
        v.check_array([True], "states", kind="i")
    assert v.check_array([True], "states", kind="i", bool_ok=True).dtype == np.bool_
    with pytest.raises(InvalidInputError, match="2-D"):
        v.check_array([0, 1], "states", ndim=2)
    with pytest.raises(InvalidInputError, match=r"shape \(any, 3\)"):
        v.check_array(np.zeros((2, 2)), "x", shape=(None, 3))
    with pytest.raises(InvalidInputError, match="64 bits"):
        v.check_array([2**70], "codes", kind="i")


def test_variables_names_cards():
    assert v.resolve_variable("b", ("a", "b")) == 1
    with pytest.raises(TypeError, match="boolean"):
        v.resolve_variable(True, ("a", "b"))
    with pytest.raises(InvalidInputError, match="out of range"):
        v.resolve_variable(2, ("a", "b"))
    assert v.check_variables(["a", 1], "block") == ("a", 1)
    with pytest.raises(TypeError):
        v.check_variables("ab", "block")
    with pytest.raises(InvalidInputError, match="twice"):
        v.check_variables([1, 1], "block")
    assert v.check_names(None, 2) == ("x0", "x1")
    with pytest.raises(TypeError, match="not a single string"):
        v.check_names("ab", 2)
    assert v.check_cards([2, np.int64(3)]) == (2, 3)
    for bad in ([True], [2.0], ["2"], "22", 5):
        with pytest.raises(TypeError):
            v.check_cards(bad)
    with pytest.raises(InvalidInputError, match=">= 1"):
        v.check_cards([0])
    with pytest.raises(InvalidInputError, match="zero variables"):
        v.check_cards([])


def test_objects():
    s = na.systems.copies(2)
    assert v.check_system(s) is s
    with pytest.raises(TypeError, match="natabs.System, got list"):
        v.check_system([1])
    fg = na.FactorGraph.ising_lattice(3, 0.2)
    assert v.check_system(fg, support=False) is fg
    with pytest.raises(TypeError, match="natabs system"):
        v.check_system(5, support=False)
    assert v.check_transform(nt.cnot(0, 1)).block == (0, 1)
    with pytest.raises(TypeError, match="natabs transformation"):
        v.check_transform(lambda x: x)
    with pytest.raises(TypeError, match="must be a networkx graph"):
        v.check_type(1, nx.Graph, "graph", "a networkx graph")


def test_fmt_count_and_size_refusals_stay_short():
    assert v.fmt_count(12345) == "12345"
    text = v.fmt_count(2**4096)
    assert "e+1233" in text and "2**4096" in text and len(text) < 40
    with pytest.raises(TooLargeError) as e:
        v.check_size(2**4096, 10, "entries")
    assert not re.search(r"\d{20}", str(e.value))
    v.check_size(10, 10, "entries")


def test_frozen_cannot_be_made_writeable():
    a = np.arange(6.0).reshape(2, 3)
    f = v.frozen(a)
    a[0, 0] = 99.0
    assert f[0, 0] == 0.0 and f.shape == (2, 3)
    for arr in (f, f.base):
        with pytest.raises(ValueError):
            arr.flags.writeable = True


# -- types accepted silently ---------------------------------------------------------------


def test_booleans_are_neither_cardinalities_nor_variables():
    with pytest.raises(TypeError, match="boolean"):
        na.System([[0]], [1.0], [True])
    s = na.systems.copies(3)
    with pytest.raises(TypeError, match="boolean"):
        s.index(True)
    with pytest.raises(TypeError, match="boolean"):
        s.marginal([True])
    with pytest.raises(TypeError, match="boolean"):
        na.conserved(s, blocks=[[True]])
    with pytest.raises(TypeError, match="boolean"):
        na.FactorGraph.ising_lattice(3, 0.2).index(True)
    with pytest.raises(TypeError, match="boolean"):
        nt.cnot(True, 1)
    with pytest.raises(TypeError, match="boolean"):
        na.FactorGraph.from_factors([(True,)], [[1.0, 1.0]])


def test_strings_are_not_numbers():
    s = na.systems.copies(2)
    with pytest.raises(TypeError, match="base"):
        na.conserved(s, k=1, base="2")
    with pytest.raises(TypeError, match="base"):
        s.entropy(base="2")
    with pytest.raises(TypeError, match="p must be a real number"):
        na.systems.noisy_copies(4, "0.1")
    with pytest.raises(TypeError):
        na.systems.copies("4")
    with pytest.raises(TypeError, match="beta"):
        na.systems.ising_ring(4, "0.5")


@pytest.mark.parametrize("steps", [[1.7], ["3"], [True]])
def test_steps_must_be_integers(steps):
    s = na.systems.copies(3)
    with pytest.raises(TypeError, match="integers"):
        na.surviving_information(s, steps, k=1)
    with pytest.raises(TypeError, match="integers"):
        na.survives(s, nt.cnot(0, 1), 1, steps=steps)


@pytest.mark.parametrize("scope", [(0.7,), "01", ("0",), (None,)])
def test_scopes_are_lists_of_indices(scope):
    with pytest.raises(TypeError, match="scope 0"):
        na.FactorGraph.from_factors([scope], [np.ones((2,) * max(len(scope), 1))])


def test_parents_is_a_list_not_a_string():
    G = nx.DiGraph([("a", "b")])
    G.add_node("a", cpd=[0.5, 0.5])
    G.add_node("b", cpd=[[1.0, 0.0], [0.0, 1.0]], parents="a")
    with pytest.raises(TypeError, match=r"parents must be a list.*\['a'\]"):
        na.FactorGraph.from_dag(G)


def test_complex_numbers_keep_no_imaginary_part_silently():
    G = nx.DiGraph([("a", "b")])
    G.add_node("a", cpd=[0.5, 0.5])
    G.add_node("b", cpd=np.array([[1.0, 0.0], [0.0, 1.0]]) + 0j)
    with pytest.raises(InvalidInputError, match="complex"):
        na.FactorGraph.from_dag(G)
    with pytest.raises(InvalidInputError, match="complex"):
        na.System.from_dag(G)
    with pytest.raises(TypeError, match="complex"):
        na.FactorGraph.from_factors([(0,)], [[1.0, 1.0j]])
    with pytest.raises(TypeError, match="complex"):
        na.System([[0], [1]], [0.5 + 0j, 0.5], [2])
    with pytest.raises(TypeError, match="complex"):
        na.System.from_table([0.5 + 1j, 0.5])
    s = na.systems.noisy_copies(3, 0.1)
    modes = na.slow_modes(s, k=1, top=1)
    with pytest.raises(TypeError, match="complex"):
        modes.correlation(np.arange(s.size) * 1j)


def test_empty_sweeps_are_refused_not_answered_empty():
    fg = na.FactorGraph.ising_lattice(3, 0.2)
    with pytest.raises(InvalidInputError, match="empty"):
        na.sampled_surviving_information(fg, "majority", sweeps=[], chains=10, seed=0)
    with pytest.raises(InvalidInputError, match="empty"):
        na.sample(fg, sweeps=[], chains=10, seed=0)


def test_same_law_with_a_non_system_is_an_error_not_truthy():
    with pytest.raises(TypeError, match="natabs.System"):
        na.systems.copies(2).same_law(5)


def test_composing_with_a_function_names_the_fix():
    with pytest.raises(TypeError, match="Local") as e:
        nt.cnot(0, 1) >> (lambda x: x)
    assert "_Shift" not in str(e.value)


def test_ragged_states_give_a_clear_message():
    with pytest.raises(InvalidInputError, match="rectangular"):
        na.System([[0, 1], [1]], [0.5, 0.5], [2, 2])
    with pytest.raises(InvalidInputError, match="rectangular"):
        na.estimate.mutual_information([[0, 1], [1]], [0, 1])


# -- refusals before allocation -------------------------------------------------------------


def test_sampling_counts_the_bytes_it_allocates():
    fg = na.FactorGraph.from_factors([(0,)], [[1.0, 1.0]])
    with pytest.raises(TooLargeError, match="GiB"):
        na.sample(fg, [1], chains=10**9, record="majority")
    with pytest.raises(TooLargeError, match="fewer chains or sweeps") as e:
        na.sample(fg, [1], chains=10**9, record="majority")
    assert "record a statistic" not in str(e.value)  # it already records one


@pytest.mark.parametrize(
    "call",
    [
        lambda: na.FactorGraph.potts(nx.path_graph(2), q=65536, beta=1.0),
        lambda: na.FactorGraph.from_factors([(10**9,)], [[1.0, 1.0]]),
        lambda: blocks.chunks(10**9, 1),
        lambda: blocks.all_subsets(10**10, 10**10),
        lambda: blocks.all_subsets(10**6, 5 * 10**5),
        lambda: blocks.connected(nx.complete_graph(40), 10),
        lambda: na.FactorGraph.ising_lattice(10**5, 0.3),
        lambda: na.systems.copies(10**9),
        lambda: na.systems.coupled_pair(2, 10**10),
        lambda: na.surviving_information(na.systems.noisy_copies(3, 0.1), [1], k=1, samples=10**12),
    ],
)
def test_huge_requests_are_refused_at_once(call):
    with pytest.raises(TooLargeError) as e:
        call()
    assert not re.search(r"\d{25}", str(e.value))


def test_spectra_refuse_what_does_not_fit():
    n = 1 << 20
    big = na.System.from_codes(np.arange(n), np.full(n, 1.0 / n), [2] * 20)
    with pytest.raises(TooLargeError, match="top=5000"):
        na.spectrum(big, k=1, top=5000)
    n = 1 << 14
    mid = na.System.from_codes(np.arange(n), np.full(n, 1.0 / n), [2] * 14)
    with pytest.raises(TooLargeError, match="dense"):
        na.spectrum(mid, k=1, top=3, method="dense")


def test_too_large_messages_print_no_thousand_digit_number():
    s = na.System([[0] * 4096], [1.0], [2] * 4096)
    with pytest.raises(TooLargeError) as e:
        s.to_table()
    assert "2**4096" in str(e.value) and len(str(e.value)) < 300
    fg = na.FactorGraph.from_factors([(i,) for i in range(4096)], [[1.0, 1.0]] * 4096)
    with pytest.raises(TooLargeError) as e:
        fg.to_system()
    assert len(str(e.value)) < 300


# -- exceptions outside the contract ---------------------------------------------------------


def test_huge_integers_are_refused_not_overflowed():
    fg = na.FactorGraph.ising_lattice(3, 0.2)
    with pytest.raises(InvalidInputError, match="sweeps"):
        na.sample(fg, [2**64], chains=2, seed=0)
    with pytest.raises(InvalidInputError, match="threads"):
        na.sample(fg, [1], chains=2, seed=0, threads=2**64)
    with pytest.raises(InvalidInputError, match="2\\*\\*32"):
        nt.Local([0], lambda x: (2**70,))(na.systems.copies(2))


def test_negative_seeds_are_refused_by_the_library():
    s = na.systems.noisy_copies(3, 0.1)
    with pytest.raises(InvalidInputError, match="seed must be >= 0"):
        na.surviving_information(s, [1], k=1, method="sampled", seed=-1)
    with pytest.raises(InvalidInputError, match="seed must be >= 0"):
        na.estimate.mutual_information([0, 1], [0, 1], seed=-1)
    with pytest.raises(InvalidInputError, match="seed must be >= 0"):
        na.sample(na.FactorGraph.ising_lattice(3, 0.2), [1], chains=2, seed=-1)


def test_json_that_python_cannot_hold_is_invalid_input(tmp_path):
    d = json.loads(na.systems.copies(2).to_json())
    d["probs"] = [10**400, 1]
    with pytest.raises(InvalidInputError, match="too large"):
        na.System.from_json(d)
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        na.io.from_json('{"a": ' + deep + "}")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "\xff\xfe"}')
    with pytest.raises(InvalidInputError, match="UTF-8"):
        na.io.from_json(bad)


# -- normalize, immutability, wrong objects --------------------------------------------------


def test_normalize_judges_positivity_after_normalising():
    s = na.System([[0], [1]], [1e308, 1e308], [2], normalize=True)
    assert s.probs.tolist() == [0.5, 0.5] and s.entropy() == 1.0
    with pytest.raises(InvalidInputError, match="after normalising"):
        na.System([[0], [1]], [1e308, 1e-320], [2], normalize=True)
    with pytest.raises(TypeError, match="normalize"):
        na.System([[0], [1]], [1, 1], [2], normalize="yes")


def _assert_sealed(s, *arrays):
    """``s`` owns read-only arrays nobody can unlock; the caller's arrays stay theirs."""
    held = [s.probs, s.codes if s.is_coded else s.states]
    for a in held:
        assert not a.flags.writeable
        for x in (a, a.base):
            if x is not None:
                with pytest.raises(ValueError):
                    x.flags.writeable = True
        for c in arrays:
            assert not np.shares_memory(a, c)
    for c in arrays:
        assert c.flags.writeable


def _paths():
    """(name, build) pairs; build() makes fresh caller arrays, returns (system, arrays)."""

    def plain():
        states, probs = (
            np.array([[0, 1], [1, 0]], dtype=np.int64),
            np.array([0.25, 0.75]),
        )
        return na.System(states, probs, [2, 2]), (states, probs)

    def wide():
        rows, probs = np.zeros((2, 65), dtype=np.uint8), np.array([0.25, 0.75])
        rows[1, 64] = 1
        return na.System(rows, probs, [2] * 65), (rows, probs)

    def coded(copy):
        codes, probs = np.array([1, 2], dtype=np.uint64), np.array([0.25, 0.75])
        return na.System.from_codes(codes, probs, [2, 2], copy=copy), (codes, probs)

    def table():
        t = np.array([[0.0, 0.25], [0.75, 0.0]])
        return na.System.from_table(t), (t,)

    def dag():
        G = nx.DiGraph([(0, 1)])
        G.add_node(0, cpd=np.array([0.5, 0.5]))
        G.add_node(1, cpd=np.array([[0.0, 1.0], [1.0, 0.0]]))
        return na.System.from_dag(G), (G.nodes[0]["cpd"], G.nodes[1]["cpd"])

    return [
        ("System", plain),
        ("System over 2**64 states", wide),
        ("from_codes(copy=True)", lambda: coded(True)),
        ("from_codes(copy=False)", lambda: coded(False)),
        ("from_table", table),
        ("from_dag", dag),
        (
            "from_json",
            lambda: (na.System.from_json(na.systems.copies(2).to_json()), ()),
        ),
        ("marginal", lambda: (na.systems.copies(3).marginal([0, 1]), ())),
        ("transform", lambda: (nt.cnot(0, 1)(na.systems.copies(3)), ())),
        (
            "FactorGraph.to_system",
            lambda: (na.FactorGraph.ising_lattice(3, 0.2).to_system(), ()),
        ),
    ]


@pytest.mark.parametrize("name,build", _paths(), ids=[p[0] for p in _paths()])
def test_every_constructor_path_seals_its_arrays(name, build):
    s, arrays = build()
    before = (s.probs.copy(), s.states.copy())
    _assert_sealed(s, *arrays)
    for a in arrays:  # editing the caller's arrays afterwards changes nothing
        a[...] = 0
    assert np.array_equal(s.probs, before[0]) and np.array_equal(s.states, before[1])


def test_wide_system_keeps_its_conserved_information_when_the_caller_edits():
    rng = np.random.default_rng(0)
    rows = np.unique(rng.integers(0, 2, size=(40, 66)).astype(np.uint8), axis=0)
    p = np.full(len(rows), 1.0 / len(rows))
    s = na.System(rows, p, [2] * 66)
    r = na.conserved_information(s, k=1)
    rows[:] = 0
    assert na.conserved_information(s, k=1) == r


def test_results_are_sealed_too():
    c = na.conserved(na.systems.copies(3), k=1)
    sp = na.spectrum(na.systems.noisy_copies(3, 0.1), k=1)
    curve = na.surviving_information(na.systems.copies(3), [0, 1], k=1)
    for a in (c.labels, c.masses, sp.eigenvalues, curve.bits, curve.steps):
        with pytest.raises(ValueError):
            a.flags.writeable = True


def test_spectrum_without_blocks_relaxes_at_infinity():
    s = na.systems.noisy_copies(3, 0.1)
    for top in (None, 2):
        sp = na.spectrum(s, k=0, top=top)
        assert sp.relaxation_time == math.inf and np.all(sp.eigenvalues == 1.0)
    sp = na.spectrum(na.systems.copies(3), k=1, top=1)
    assert sp.relaxation_time == math.inf


@pytest.mark.parametrize(
    "system,k",
    [
        (na.systems.noisy_copies(2, 0.1), 2),
        (na.systems.noisy_copies(3, 0.1), 3),
        (na.systems.parity(3), 3),
        (na.systems.copies(3, card=3), 3),
    ],
)
@pytest.mark.parametrize("method", ["dense", "lanczos"])
def test_slow_modes_never_return_the_constant(system, k, method):
    modes = na.slow_modes(system, k=k, top=system.size - 1, method=method)
    np.testing.assert_allclose(modes.functions @ system.probs, 0.0, atol=1e-9)
    np.testing.assert_allclose((modes.functions**2) @ system.probs, 1.0, atol=1e-9)
