"""Fuzzing the public API: malformed values of every argument, bounded examples.

Each test starts from a valid call of an entry point, replaces one argument (or none) by a
value drawn from a pool of wrong types, out-of-range numbers, bad shapes and huge sizes,
and asserts the contract (DESIGN.md):

- the only exceptions are natabs' own (``natabs.errors``), ``TypeError`` and
  ``ValueError``, each with a message; never a ``MemoryError`` other than natabs'
  ``TooLargeError`` (refusal before allocation), an ``OverflowError``, a numpy error or
  a panic of the native core;
- no call hangs: each returns or refuses within seconds (huge requests are refused up
  front);
- no complex number loses its imaginary part silently;
- every number returned lies in its mathematical range (0 <= I <= H, eigenvalues in
  [0, 1], probabilities positive and summing to 1, sampled values within the cards).
"""

from __future__ import annotations

import math
import os
import time
import warnings

import natabs as na
import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from natabs import blocks
from natabs import transforms as nt
from natabs.blocks._families import MAX_BLOCKS
from natabs.errors import NatabsError, NotMixedWarning

pytestmark = [
    pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning"),
    pytest.mark.filterwarnings("ignore::natabs.errors.NotMixedWarning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]

#: Examples per entry point (``NATABS_FUZZ_EXAMPLES``), drawn from a fixed seed unless
#: ``NATABS_FUZZ_RANDOM=1`` explores afresh; the default keeps the file under a minute.
FUZZ = settings(
    max_examples=int(os.environ.get("NATABS_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("NATABS_FUZZ_RANDOM") != "1",
    database=None,
)
#: No single call may take longer than this (seconds): huge work must be refused.
CALL_LIMIT = 20.0
TOL = 1e-9
CONTRACT = (NatabsError, TypeError, ValueError)

# -- the pool of malformed values ---------------------------------------------------------

_EDGE_INTS = [
    -(2**70),
    -(2**64),
    -1,
    0,
    1,
    2,
    3,
    7,
    10**12,
    2**32,
    2**63,
    2**64,
    2**70,
    10**400,
]
_SPECIAL = [
    None,
    True,
    False,
    np.bool_(True),
    np.int64(2),
    np.uint8(1),
    np.float64(0.5),
    0.5,
    1.7,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    1j,
    1 + 2j,
    "",
    "2",
    "0.1",
    "01",
    "x0",
    "random",
    b"x",
    (),
    [],
    [[]],
    [0.7],
    ["3"],
    [True],
    [[0, 1], [1]],
    [1, [2]],
    {"a": 1},
    {1, 2},
    np.array([]),
    np.array(1.5),
    np.array([1 + 1j]),
    np.zeros((2, 2, 2)),
    np.array(["a", "b"]),
    object(),
    print,
    lambda *a: 0,
]


def junk():
    """Any malformed value: wrong types, edge numbers, bad shapes, huge sizes."""
    return st.one_of(
        st.sampled_from(_SPECIAL),
        st.sampled_from(_EDGE_INTS),
        st.integers(-3, 12),
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        st.lists(st.integers(-2, 4), max_size=4),
        st.lists(st.lists(st.integers(-1, 3), max_size=3), max_size=3),
        st.text(max_size=3),
    )


def corrupt(valid: dict):
    """Strategy of ``valid`` with at most one argument replaced by junk."""
    names = sorted(valid)
    return st.tuples(st.sampled_from([None, *names]), junk()).map(
        lambda nj: valid if nj[0] is None else {**valid, nj[0]: nj[1]}
    )


def attempt(fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)``, or None when it refused within the contract."""
    t0 = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotMixedWarning)
            out = fn(*args, **kwargs)
    except CONTRACT as e:
        assert not isinstance(e, (OverflowError, RecursionError))
        if isinstance(e, MemoryError):
            assert isinstance(e, na.errors.TooLargeError), repr(e)
        message = str(e)
        assert message and len(message) < 2000, message[:200]
        out = None
    assert time.monotonic() - t0 < CALL_LIMIT, f"{fn} took too long"
    return out


def tame(kw: dict, *keys: str, limit: int) -> dict:
    """Replace valid but long requests (counts of steps, sweeps, chains or draws between
    ``limit`` and 2**63 that the library accepts, such as 2**32 sweeps) by ``limit``: such
    a call is bounded by the work it asks for, not hung; refusals above the caps stay in."""

    def big(t) -> bool:
        return isinstance(t, (int, np.integer)) and not isinstance(t, bool) and limit < t < 2**63

    out = dict(kw)
    for key in keys:
        v = out.get(key)
        if big(v):
            out[key] = limit
        elif isinstance(v, list) and any(big(t) for t in v):
            out[key] = [min(int(t), limit) if big(t) else t for t in v]
    return out


def _log(x: float, base: float) -> float:
    return math.log(x) / math.log(base)


def check_system(s) -> None:
    assert isinstance(s, na.System)
    p = s.probs
    assert p.dtype == np.float64 and not p.flags.writeable
    assert np.all(p > 0) and abs(float(p.sum()) - 1.0) < 1e-9
    states = s.states
    assert states.shape == (s.size, s.n)
    assert np.all(states < np.asarray(s.cards))
    assert 0.0 <= s.entropy() <= math.log2(s.size) + TOL


# -- systems ------------------------------------------------------------------------------

SYSTEM_ARGS = {
    "states": [[0, 1], [1, 0], [1, 1]],
    "probs": [0.25, 0.25, 0.5],
    "cards": [2, 2],
    "names": None,
    "normalize": False,
}


@FUZZ
@given(kw=corrupt(SYSTEM_ARGS))
def test_fuzz_system(kw):
    s = attempt(na.System, **kw)
    if s is not None:
        check_system(s)


@FUZZ
@given(kw=corrupt({"table": [[0.25, 0.0], [0.25, 0.5]], "names": None, "normalize": False}))
def test_fuzz_from_table(kw):
    s = attempt(na.System.from_table, **kw)
    if s is not None:
        check_system(s)


@FUZZ
@given(
    kw=corrupt(
        {
            "codes": [0, 3, 5],
            "probs": [0.5, 0.25, 0.25],
            "cards": [2, 3],
            "names": None,
            "normalize": False,
            "copy": True,
        }
    )
)
def test_fuzz_from_codes(kw):
    s = attempt(na.System.from_codes, **kw)
    if s is not None:
        check_system(s)


CATALOG = {
    "copies": (na.systems.copies, {"n": 3, "card": 2}),
    "noisy_copies": (na.systems.noisy_copies, {"n": 3, "p": 0.1, "latent": False}),
    "coupled_pair": (na.systems.coupled_pair, {"m": 2, "n": 3}),
    "parity": (na.systems.parity, {"n": 3}),
    "ising_ring": (na.systems.ising_ring, {"n": 4, "beta": 0.5, "J": 1.0}),
}


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(CATALOG)))
def test_fuzz_catalog(data, name):
    fn, valid = CATALOG[name]
    s = attempt(fn, **data.draw(corrupt(valid)))
    if s is not None:
        check_system(s)


# -- factor graphs --------------------------------------------------------------------------


def _dag(cpd_b=None, parents=("a",), card=None):
    G = nx.DiGraph([("a", "b")])
    G.add_node("a", cpd=[0.3, 0.7])
    G.add_node("b", cpd=[[0.9, 0.1], [0.2, 0.8]] if cpd_b is None else cpd_b)
    if parents is not None:
        G.nodes["b"]["parents"] = parents
    if card is not None:
        G.nodes["b"]["card"] = card
    return G


def _check_model(fg) -> None:
    assert isinstance(fg, na.FactorGraph)
    assert fg.n >= 1 and all(1 <= c <= 1 << 16 for c in fg.cards)
    if fg.state_space_size() <= 4096:
        out = attempt(fg.to_system)
        if out is not None:
            check_system(out)


FACTOR_GRAPHS = {
    "from_factors": (
        na.FactorGraph.from_factors,
        {
            "scopes": [(0, 1), (1,)],
            "tables": [[[2.0, 1.0], [1.0, 2.0]], [1.0, 3.0]],
            "names": None,
            "log": False,
        },
    ),
    "ising": (
        na.FactorGraph.ising,
        {"graph": nx.cycle_graph(4), "beta": 0.4, "J": 1.0, "h": 0.1},
    ),
    "potts": (na.FactorGraph.potts, {"graph": nx.path_graph(3), "q": 3, "beta": 0.5}),
    "ising_lattice": (
        na.FactorGraph.ising_lattice,
        {"L": 3, "beta": 0.3, "J": 1.0, "h": 0.0},
    ),
    "dag_table": (
        lambda cpd_b: na.FactorGraph.from_dag(_dag(cpd_b=cpd_b)),
        {"cpd_b": [[0.9, 0.1], [0.2, 0.8]]},
    ),
    "dag_parents": (
        lambda parents: na.FactorGraph.from_dag(_dag(parents=parents)),
        {"parents": ["a"]},
    ),
    "dag_card": (lambda card: na.FactorGraph.from_dag(_dag(card=card)), {"card": 2}),
    "from_dag": (na.FactorGraph.from_dag, {"G": _dag(), "cpd": "cpd"}),
    "system_from_dag": (na.System.from_dag, {"G": _dag(), "cpd": "cpd"}),
}


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(FACTOR_GRAPHS)))
def test_fuzz_factor_graphs(data, name):
    fn, valid = FACTOR_GRAPHS[name]
    out = attempt(fn, **data.draw(corrupt(valid)))
    if isinstance(out, na.System):
        check_system(out)
    elif out is not None:
        _check_model(out)


# -- block families -------------------------------------------------------------------------

FAMILIES = {
    "all_subsets": (blocks.all_subsets, {"n": 4, "k": 2}),
    "singletons": (blocks.singletons, {"n": 4}),
    "chunks": (blocks.chunks, {"n": 5, "size": 2}),
    "connected": (blocks.connected, {"graph": nx.grid_2d_graph(3, 3), "k": 3}),
}


@FUZZ
@given(data=st.data(), name=st.sampled_from(sorted(FAMILIES)))
def test_fuzz_block_families(data, name):
    fn, valid = FAMILIES[name]
    fam = attempt(fn, **data.draw(corrupt(valid)))
    if fam is not None:
        assert isinstance(fam, tuple) and len(fam) <= MAX_BLOCKS
        for b in fam:
            assert isinstance(b, tuple) and len(b) >= 1 and len(set(b)) == len(b)


# -- measures -------------------------------------------------------------------------------

SYSTEMS = [
    na.systems.copies(3),
    na.systems.noisy_copies(3, 0.2),
    na.systems.parity(3),
    na.systems.noisy_copies(3, 0.1, latent=True),
]


def _h(system, base=2.0) -> float:
    return system.entropy(base)


@FUZZ
@given(data=st.data(), which=st.integers(0, len(SYSTEMS) - 1))
def test_fuzz_conserved(data, which):
    s = SYSTEMS[which]
    kw = data.draw(corrupt({"system": s, "k": 1, "blocks": None, "base": 2}))
    c = attempt(na.conserved, **kw)
    if c is not None:
        b = c.base
        assert 0.0 <= c.bits <= _h(s, b) + TOL
        assert 1 <= c.n_components <= s.size
        assert abs(float(c.masses.sum()) - 1.0) < 1e-9 and np.all(c.masses > 0)
        assert c.labels.shape == (s.size,) and int(c.labels.max()) < c.n_components


def _small_steps():
    return st.one_of(junk(), st.lists(st.integers(0, 50), min_size=1, max_size=4))


@FUZZ
@given(data=st.data(), which=st.integers(0, len(SYSTEMS) - 1))
def test_fuzz_surviving_information(data, which):
    s = SYSTEMS[which]
    valid = {
        "system": s,
        "steps": [0, 1, 5],
        "k": 1,
        "blocks": None,
        "scan": "random",
        "about": None,
        "method": "auto",
        "samples": None,
        "seed": 0,
        "base": 2,
        "progress": False,
    }
    kw = data.draw(corrupt(valid))
    if kw.get("progress") not in (False, None, 0) and isinstance(kw.get("progress"), bool):
        kw["progress"] = False  # a progress bar is valid; keep the test output quiet
    # Valid but long requests (large T, many samples) are bounded by the work asked
    # for, not hung: keep them small here.
    kw = tame(kw, "steps", "samples", limit=50)
    curve = attempt(na.surviving_information, **kw)
    if curve is not None:
        about = curve.about
        top = _h(s, curve.base)
        if about is not None:
            j = s.index(about)
            top = math.log(s.cards[j]) / math.log(curve.base)
        assert np.all(curve.bits >= 0.0) and np.all(curve.bits <= top + 1e-6)
        assert np.all(curve.stderr >= 0.0)
        assert curve.bits.shape == curve.steps.shape


@FUZZ
@given(data=st.data(), which=st.integers(0, len(SYSTEMS) - 1))
def test_fuzz_spectrum(data, which):
    s = SYSTEMS[which]
    kw = data.draw(corrupt({"system": s, "k": 1, "blocks": None, "top": None, "method": "auto"}))
    sp = attempt(na.spectrum, **kw)
    if sp is not None:
        lam = sp.eigenvalues
        assert np.all(lam >= -TOL) and np.all(lam <= 1.0)
        assert np.all(np.diff(lam) <= TOL)
        assert 0 <= sp.n_unit <= lam.size <= s.size
        assert sp.relaxation_time >= 1.0 or (math.isnan(sp.relaxation_time) and not sp.complete)
        for t in (0, 1, 7):
            assert sp.chi2(t) >= 0.0


@FUZZ
@given(data=st.data(), which=st.integers(0, len(SYSTEMS) - 1))
def test_fuzz_slow_modes(data, which):
    s = SYSTEMS[which]
    kw = data.draw(corrupt({"system": s, "k": 1, "blocks": None, "top": 2, "method": "auto"}))
    modes = attempt(na.slow_modes, **kw)
    if modes is not None:
        lam = modes.eigenvalues
        assert np.all(lam >= -TOL) and np.all(lam <= 1.0 + TOL)
        f = modes.functions
        np.testing.assert_allclose(f @ s.probs, 0.0, atol=1e-8)  # never the constant
        np.testing.assert_allclose((f**2) @ s.probs, 1.0, atol=1e-8)
        g = attempt(modes.correlation, data.draw(junk()))
        if g is not None:
            assert np.all(np.abs(g) <= 1.0 + 1e-9)


MODEL = na.FactorGraph.ising(nx.cycle_graph(4), beta=0.4)


def out_base(kw) -> float:
    return float(kw["base"])


@FUZZ
@given(
    kw=corrupt(
        {
            "model": MODEL,
            "sweeps": [0, 2],
            "chains": 8,
            "k": None,
            "blocks": None,
            "scan": "random",
            "seed": 1,
            "threads": 1,
            "record": "states",
            "init": None,
            "burn_in": None,
            "progress": False,
            "fast": True,
        }
    )
)
def test_fuzz_sample(kw):
    if kw.get("progress") is True:
        kw["progress"] = False
    kw = tame(kw, "sweeps", "burn_in", "chains", limit=2000)
    run = attempt(na.sample, **kw)
    if run is not None:
        if run.states is not None:
            assert run.states.shape == (len(run.sweeps), run.chains, MODEL.n)
            assert np.all(run.states < 2)
        elif run.record == "magnetization":
            assert np.all(np.abs(run.values) <= 1.0 + TOL)
        elif run.record == "majority":
            assert np.all(run.values <= 2)


@FUZZ
@given(
    kw=corrupt(
        {
            "model": MODEL,
            "statistic": "majority",
            "sweeps": [1, 3],
            "chains": 50,
            "seed": 0,
            "bootstrap": 20,
            "confidence": 0.9,
            "base": 2,
        }
    )
)
def test_fuzz_sampled_surviving_information(kw):
    kw = tame(kw, "sweeps", "chains", "bootstrap", limit=1000)
    out = attempt(na.sampled_surviving_information, **kw)
    if out is not None:
        assert np.all(out.low <= out.bits + TOL) and np.all(out.bits <= out.high + TOL)
        # the majority of 4 spins takes 3 values (a tie is 2)
        assert np.all(out.low >= 0.0) and np.all(out.high <= math.log(3, out_base(kw)) + TOL)


@FUZZ
@given(
    kw=corrupt(
        {
            "a": [0, 1, 1, 0, 2, 2],
            "b": [0, 1, 1, 0, 1, 1],
            "base": 2,
            "confidence": 0.95,
            "bootstrap": 50,
            "seed": 0,
        }
    )
)
def test_fuzz_mutual_information(kw):
    kw = tame(kw, "bootstrap", limit=2000)
    est = attempt(na.estimate.mutual_information, **kw)
    if est is not None:
        assert 0.0 <= est.low <= est.bits <= est.high
        assert est.high <= math.log(3) / math.log(kw["base"]) + TOL


# -- transformations ----------------------------------------------------------------------

TRANSFORMS = {
    "cnot": (nt.cnot, {"control": 0, "target": 1}),
    "Merge": (nt.Merge, {"vars": [0, 1], "names": None}),
    "Split": (nt.Split, {"var": "x0", "cards": [2, 2], "names": None}),
    "Relabel": (nt.Relabel, {"var": 1, "perm": [1, 0]}),
    "Permute": (nt.Permute, {"order": [2, 0, 1]}),
    "Local": (
        nt.Local,
        {
            "block": [0, 1],
            "fn": lambda v: (sum(v) % 2,),
            "out_cards": [2],
            "names": None,
        },
    ),
    "difference_map": (nt.difference_map, {"vars": [0, 1, 2], "names": None}),
    "prefix_xor": (nt.prefix_xor, {"vars": [0, 1, 2], "names": None}),
    "star_map": (nt.star_map, {"vars": [0, 1, 2], "ref": 0, "names": None}),
    "center_of_mass": (
        nt.center_of_mass,
        {"vars": [0, 1, 2], "ref": None, "names": None},
    ),
    "Shuffle": (nt.Shuffle, {"block": [0, 1], "seed": 3}),
}
TARGETS = [
    na.systems.copies(3),
    na.systems.noisy_copies(3, 0.2),
    na.System.from_table(np.full((4, 2, 2), 1 / 16)),
]


@FUZZ
@given(
    data=st.data(),
    name=st.sampled_from(sorted(TRANSFORMS)),
    which=st.integers(0, len(TARGETS) - 1),
)
def test_fuzz_transforms(data, name, which):
    fn, valid = TRANSFORMS[name]
    t = attempt(fn, **data.draw(corrupt(valid)))
    if t is None:
        return
    s = TARGETS[which]
    y = attempt(t, s)
    if y is not None:
        check_system(y)
        assert y.entropy() <= s.entropy() + TOL  # a map never creates information
    other = data.draw(st.one_of(junk(), st.just(nt.cnot(1, 2))))
    composed = attempt(lambda: t >> other)
    if composed is not None:
        attempt(composed, s)


@FUZZ
@given(data=st.data(), which=st.integers(0, len(TARGETS) - 1))
def test_fuzz_light_cone_and_survives(data, which):
    s = TARGETS[which]
    cone = attempt(
        nt.light_cone,
        **data.draw(corrupt({"system": s, "transform": nt.cnot(0, 1), "k": 1})),
    )
    if cone is not None:
        for v in (cone.forward, cone.inverse, cone.static_forward, cone.static_inverse):
            assert v is None or 0 <= v <= max(s.n, 8)
    kw = data.draw(
        corrupt({"system": s, "transform": nt.cnot(0, 1), "k": 1, "steps": None, "base": 2})
    )
    kw = tame(kw, "steps", limit=50)
    out = attempt(na.survives, **kw)
    if out is not None:
        top = _h(s, out.base) + TOL
        assert 0.0 <= out.before <= top and 0.0 <= out.after <= top
        assert out.lower <= out.after + TOL <= out.upper + 2 * TOL
