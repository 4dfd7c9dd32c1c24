"""GF(2)-linear systems (THEORY §10): LinearCode, conserved information by ranks, and the
GF(2)-linear maps, checked against the support engine and a plain-numpy reference."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import natabs as na
from natabs import testing
from natabs import transforms as nt
from natabs.errors import InvalidInputError, TooLargeError, UnsupportedError

# -- plain-numpy reference ----------------------------------------------------------------


def np_rank(rows: np.ndarray) -> int:
    """Rank over GF(2) by textbook Gaussian elimination on a 0/1 array."""
    a = np.array(rows, dtype=np.uint8) % 2
    if a.size == 0:
        return 0
    r = 0
    for c in range(a.shape[1]):
        hit = np.nonzero(a[r:, c])[0]
        if hit.size == 0:
            continue
        p = r + hit[0]
        a[[r, p]] = a[[p, r]]
        others = np.nonzero(a[:, c])[0]
        a[others[others != r]] ^= a[r]
        r += 1
        if r == a.shape[0]:
            break
    return r


def np_codewords(gen: np.ndarray) -> np.ndarray:
    d = gen.shape[0]
    u = np.array(list(itertools.product([0, 1], repeat=d)), dtype=np.int64).reshape(2**d, d)
    return (u @ gen.astype(np.int64)) % 2


def np_conserved(code: na.LinearCode, family) -> int:
    """``dim C - dim span{c : supp c inside a block}`` by listing every codeword."""
    words = np_codewords(code.generator)
    inside = [c for c in words if c.any() and any(set(np.nonzero(c)[0]) <= set(b) for b in family)]
    return code.dim - (np_rank(np.array(inside)) if inside else 0)


# -- construction -------------------------------------------------------------------------


def test_generator_and_parity_check_describe_the_same_code():
    c = na.LinearCode(generator=[[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 1, 0]])  # rank 2
    assert c.dim == 2 and c.size == 4 and c.cards == (2,) * 4
    h = c.parity_check
    assert h.shape == (2, 4) and not ((h.astype(int) @ c.generator.T.astype(int)) % 2).any()
    assert na.LinearCode(parity_check=h) == c
    assert c.entropy() == 2.0 and c.entropy(base=4) == 1.0


def test_offset_is_canonical():
    a = na.LinearCode(generator=[[1, 1, 1]], offset=[1, 0, 0])
    b = na.LinearCode(generator=[[1, 1, 1]], offset=[0, 1, 1])
    assert a == b and hash(a) == hash(b) and "affine" in repr(a)
    assert a.to_system().same_law(na.System([[1, 0, 0], [0, 1, 1]], [0.5, 0.5], [2, 2, 2]))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({}, TypeError),
        ({"generator": [[1]], "parity_check": [[1]]}, TypeError),
        ({"generator": [[1, 2]]}, InvalidInputError),
        ({"generator": [1, 0]}, InvalidInputError),
        ({"generator": "11"}, TypeError),
        ({"generator": [[1, 0]], "offset": [1, 0, 1]}, InvalidInputError),
        ({"generator": [[1, 0]], "names": ["a"]}, InvalidInputError),
        ({"generator": np.zeros((1, 0))}, InvalidInputError),
    ],
)
def test_bad_input_is_refused(kwargs, error):
    with pytest.raises(error):
        na.LinearCode(**kwargs)


def test_from_system_detects_affine_codes_and_refuses_the_rest():
    assert na.LinearCode.from_system(na.systems.parity(5)) == na.LinearCode.even_weight(5)
    assert na.LinearCode.from_system(na.systems.copies(4)) == na.LinearCode.repetition(4)
    flipped = nt.Relabel(0, [1, 0])(na.systems.copies(3))
    assert na.LinearCode.from_system(flipped).to_system().same_law(flipped)
    not_affine = na.System([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 1]], [0.25] * 4, [2] * 3)
    with pytest.raises(InvalidInputError, match="not an affine subspace"):
        na.LinearCode.from_system(not_affine)
    with pytest.raises(InvalidInputError, match="not a power of 2"):
        na.LinearCode.from_system(na.System([[0, 0], [1, 0], [0, 1]], [1 / 3] * 3, [2, 2]))
    with pytest.raises(InvalidInputError, match="binary"):
        na.LinearCode.from_system(na.systems.coupled_pair(3, 2))
    with pytest.raises(InvalidInputError, match="not uniform"):
        na.LinearCode.from_system(na.System([[0], [1]], [0.25, 0.75], [2]))
    with pytest.raises(TypeError):
        na.LinearCode.from_system("x")


def test_to_system_refuses_huge_codes():
    with pytest.raises(TooLargeError):
        na.LinearCode.even_weight(40).to_system()


# -- THEORY's exact values ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 200, 10_000])
def test_copies(n):
    c = na.LinearCode.repetition(n)
    for k in {1, 2, 3, 4, n - 1, n}:
        if k >= 1:
            assert na.conserved_information(c, k=k) == (1.0 if k < n else 0.0)


@pytest.mark.parametrize("n", [2, 6, 300])
def test_parity(n):
    c = na.LinearCode.even_weight(n)
    assert na.conserved_information(c, k=1) == n - 1
    for k in (2, 3, 4, n):
        assert na.conserved_information(c, k=k) == 0


def test_hamming_7_4():
    c = na.LinearCode.hamming(3)
    assert (c.n, c.dim) == (7, 4)
    assert [na.conserved_information(c, k=k) for k in range(8)] == [4, 4, 4, 0, 0, 0, 0, 0]
    big = na.LinearCode.hamming(7)  # n = 127, dim 120 > the listing limit: hashing path
    assert [na.conserved_information(big, k=k) for k in (1, 2, 3, 5)] == [120, 120, 0, 0]


@pytest.mark.parametrize("n", [1, 2, 5, 8, 1000])
def test_prefix_xor_of_copies_leaves_half(n):
    y = nt.prefix_xor(range(n))(na.LinearCode.repetition(n))
    assert y.generator.tolist() == [[1 - i % 2 for i in range(n)]]
    half = math.ceil(n / 2)
    for k in sorted({1, half - 1, half, half + 1, n}):
        if 1 <= k <= n:
            assert na.conserved_information(y, k=k) == (1.0 if k < half else 0.0)


def test_difference_map_of_copies_leaves_one():
    y = nt.difference_map(range(50))(na.LinearCode.repetition(50))
    assert y.generator.tolist() == [[1] + [0] * 49]
    assert na.conserved_information(y, k=1) == 0


def test_cnot_failure_1_and_its_inverse():
    x = na.LinearCode.repetition(4)
    y = nt.cnot(0, 1)(x)
    assert na.conserved_information(x, k=3) == 1 and na.conserved_information(y, k=3) == 0
    assert nt.cnot(0, 1)(y) == x


# -- agreement with the support engine and the numpy reference ----------------------------


@settings(max_examples=60, deadline=None)
@given(testing.linear_codes(max_vars=7))
def test_conserved_agrees_with_support_engine_for_every_k(code):
    s = code.to_system()
    for k in range(code.n + 1):
        r = na.conserved(code, k=k)
        assert 0 <= r.bits <= code.dim
        assert r.bits == pytest.approx(na.conserved_information(s, k=k), abs=1e-9)
        assert r.n_components == na.conserved(s, k=k).n_components


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_blocks_agree_with_support_engine_and_numpy(data):
    code = data.draw(testing.linear_codes(min_vars=2, max_vars=7))
    family = data.draw(testing.block_families(code.n, max_size=4))
    r = na.conserved(code, blocks=family).bits
    assert r == pytest.approx(na.conserved(code.to_system(), blocks=family).bits, abs=1e-9)
    assert r == np_conserved(code, family)


@settings(max_examples=25, deadline=None)
@given(testing.linear_codes(min_vars=12, max_vars=24, max_rows=8, affine=False))
def test_hashing_path_agrees_with_numpy(code):
    # dim <= 8 would take the listing path: compare the hashing path directly.
    from natabs import _native

    d, n = code.dim, code.n
    for k in (1, 2, 3):
        got = _native.gf2_low_weight_rank(code._syndromes(), n, n - d, k, max(d, 1))
        family = list(itertools.combinations(range(n), k))
        assert d - got == np_conserved(code, family)
        assert na.conserved_information(code, k=k) == d - got


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_gf2_maps_agree_with_pushing_the_support(data):
    code = data.draw(testing.linear_codes(max_vars=6))
    t = data.draw(testing.gf2_maps(code.n))
    y = t(code)
    assert isinstance(y, na.LinearCode) and y.dim == code.dim
    assert y.to_system().same_law(t(code.to_system()))
    assert t.is_bijective(code)
    k = data.draw(st.integers(1, code.n))
    row = na.survives(code, t, k)
    ref = na.survives(code.to_system(), t, k)
    assert (row.before, row.after) == pytest.approx((ref.before, ref.after), abs=1e-9)
    assert row.lower - 1e-9 <= row.after <= row.upper + 1e-9
    cone = nt.light_cone(code, t, k)
    exact = nt.light_cone(code.to_system(), t, k)
    # An empty cone on the support (no pairs within k: vacuous, None) bounds like 0.
    assert cone.inverse >= (exact.inverse or 0) and cone.forward >= (exact.forward or 0)


def test_linear_matches_cnot_and_acts_on_bit_systems():
    x = na.LinearCode.repetition(3)
    assert nt.Linear([0, 1], [[1, 0], [1, 1]])(x) == nt.cnot(0, 1)(x)
    s = na.systems.copies(3)
    assert nt.Linear([0, 1], [[1, 0], [1, 1]])(s).same_law(nt.cnot(0, 1)(s))
    with pytest.raises(InvalidInputError, match="not invertible"):
        nt.Linear([0, 1], [[1, 1], [1, 1]])
    with pytest.raises(UnsupportedError, match="GF\\(2\\)"):  # real-invertible only
        nt.Linear([0, 1], [[2, 0], [0, 1]])(x)
    with pytest.raises(InvalidInputError, match="bits"):
        nt.Linear([0, 1], [[1, 0], [1, 1]])(na.systems.coupled_pair(3, 3))


def test_non_linear_maps_are_refused_on_codes():
    x = na.LinearCode.repetition(3)
    for t in (nt.Merge([0, 1]), nt.Shuffle([0, 1], seed=2), nt.center_of_mass([0, 1])):
        with pytest.raises(UnsupportedError, match="GF\\(2\\)-linear"):
            t(x)
    with pytest.raises(InvalidInputError, match="bit"):
        nt.Relabel(0, [0, 2, 1])(x)


def test_names_follow_the_maps():
    x = na.LinearCode.repetition(3, names=["a", "b", "c"])
    assert nt.Permute(["c", "a", "b"])(x).names == ("c", "a", "b")
    assert nt.cnot("a", "b")(x).names == ("a", "b", "c")
    assert nt.prefix_xor(["a", "b"], names=["p", "q"])(x).names == ("p", "q", "c")


# -- measures and results -----------------------------------------------------------------


def test_other_measures_say_why_they_are_unsupported():
    with pytest.raises(UnsupportedError, match="to_system"):
        na.surviving_information(na.LinearCode.repetition(3), [0, 1], k=1)
    with pytest.raises(UnsupportedError):
        na.spectrum(na.LinearCode.repetition(3), k=1)


def test_block_arguments_are_checked():
    c = na.LinearCode.repetition(4)
    with pytest.raises(TypeError):
        na.conserved(c)
    with pytest.raises(InvalidInputError):
        na.conserved(c, blocks=[[]])
    with pytest.raises(InvalidInputError):
        na.conserved(c, blocks=[[0, 0]])
    with pytest.raises(InvalidInputError):
        na.conserved(c, blocks=[[9]])
    assert na.conserved(c, blocks=[["x0", "x1"], [2, 3]]).bits == 1
    assert na.conserved(c, blocks=[[0, 1, 2, 3]]).bits == 0


def test_result_repr_and_dict():
    r = na.conserved(na.LinearCode.hamming(3), k=2, base=4)
    assert r.bits == 2.0 and r.n_components == 16
    assert repr(r) == (
        "LinearConserved(bits=2, dimension=4, local_dimension=0, base=4, "
        "blocks='all subsets of size 2')"
    )
    assert r.to_dict()["local_dimension"] == 0


def test_large_k_on_a_large_code_is_refused_not_attempted():
    rng = np.random.default_rng(1)
    h = (rng.random((60, 400)) < 0.03).astype(np.uint8)
    code = na.LinearCode(parity_check=h)
    assert code.dim > 20
    if na.conserved_information(code, k=3) > 0:
        with pytest.raises(TooLargeError, match="all_subsets"):
            na.conserved(code, k=6)


# -- the targets of the issue, small enough for the suite ---------------------------------


def test_chain_blocks_at_ten_thousand():
    n = 10_000
    chain = [tuple(range(i, i + 3)) for i in range(n - 2)]
    assert na.conserved(na.LinearCode.even_weight(n), blocks=chain).bits == 0
    assert na.conserved(na.LinearCode.repetition(n), blocks=chain).bits == 1
    # A local code: parity checks on windows of 4 neighbours.
    rng = np.random.default_rng(0)
    h = np.zeros((n // 2, n), dtype=np.uint8)
    for i in range(n // 2):
        h[i, 2 * i : 2 * i + 4] = rng.integers(0, 2, len(h[i, 2 * i : 2 * i + 4]))
    code = na.LinearCode(parity_check=h)
    r = na.conserved(code, blocks=chain)
    assert 0 <= r.bits <= code.dim


def test_lattice_blocks():
    g = nx.grid_2d_graph(6, 6)
    code = na.LinearCode.even_weight(36, names=[f"{i},{j}" for i, j in g.nodes])
    blocks = [[f"{i},{j}" for i, j in b] for b in na.blocks.connected(g, 2)]
    assert na.conserved(code, blocks=blocks).bits == 0
    assert na.conserved(code, k=1).bits == 35


def test_all_subsets_of_three_at_two_thousand():
    assert na.conserved_information(na.LinearCode.even_weight(2000), k=3) == 0
    assert na.conserved_information(na.LinearCode.hamming(10), k=3) == 0
    assert na.conserved_information(na.LinearCode.hamming(10), k=2) == 1013


def test_survival_table_at_a_thousand():
    x = na.LinearCode.repetition(1000)
    t = nt.Compose(*[nt.cnot(i, i + 1) for i in reversed(range(100))])
    table = na.survival_table(x, t)
    assert len(table) == 1000
    for row in table:
        assert row.before == (1 if row.k < 1000 else 0)
        assert row.after == (1 if row.k < 900 else 0)
        assert row.lower <= row.after <= row.upper
    # The static sandwich is tight here: R_{k+100}(X) is 1 exactly while k < 900.
    assert [r.lower for r in table] == [r.after for r in table]
