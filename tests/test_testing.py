"""natabs.testing: strategies, theorem checks and the counterexample search."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import natabs as na
from natabs import testing
from natabs import transforms as nt
from natabs.testing import _checks as testing_checks
from natabs.transforms import _maps as nt_maps


def test_import_natabs_does_not_import_hypothesis():
    code = "import sys, natabs; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=50, deadline=None)
@given(testing.systems(min_vars=2, max_vars=3, max_card=3, max_support=10))
def test_systems_respect_bounds(system):
    assert 2 <= system.n <= 3 and max(system.cards) <= 3 and system.size <= 10
    assert abs(system.probs.sum() - 1) < 1e-12


@settings(max_examples=30, deadline=None)
@given(testing.systems(max_vars=3, max_card=2, max_support=8, full_support=True))
def test_full_support(system):
    # 2**3 states fit in max_support=8, so every variable keeps two values, all states
    assert tuple(system.cards) == (2,) * system.n and system.size == 2**system.n


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_block_families_and_bijections(data):
    n = data.draw(st.integers(1, 5))
    fam = data.draw(testing.block_families(n, max_size=2, max_blocks=4))
    assert len(set(fam)) == len(fam) and all(b == tuple(sorted(set(b))) for b in fam)
    assert all(1 <= len(b) <= 2 and max(b) < n for b in fam)
    s = data.draw(testing.systems(min_vars=n, max_vars=n))
    t = data.draw(testing.compositions(n, max_len=3))
    assert t.is_bijective(s)
    na.conserved_information(s, blocks=fam)


@settings(max_examples=40, deadline=None)
@given(testing.systems(max_vars=5))
def test_monotone_in_k(system):
    testing.check_monotone_in_k(system)


@pytest.mark.parametrize(
    "call",
    [
        lambda: testing.systems(min_vars=0),
        lambda: testing.systems(min_vars=3, max_vars=2),
        lambda: testing.systems(max_card="3"),
        lambda: testing.systems(full_support=1),
        lambda: testing.block_families(3, min_size=4),
        lambda: testing.local_bijections(0),
        lambda: testing.compositions(3, max_len=0),
        lambda: testing.find_counterexample(3),
    ],
)
def test_invalid_arguments(call):
    with pytest.raises(InvalidArgument):
        call()


def test_checks_fail_informatively():
    with pytest.raises(AssertionError, match="changed R_3 from 1.0 to 0.0"):
        testing_checks._check_invariant(na.systems.copies(4), nt.cnot(0, 1))

    # a claimed sandwich of width 1 for a 2-variable map fails on failure 1
    class Narrow(nt_maps._Shift):
        def _widening(self):
            return 0, 0

    with pytest.raises(AssertionError, match=r"sandwich violated .* R_3\(X\)=1 <= R_3\(Y\)=0"):
        testing.check_sandwich(na.systems.copies(4), Narrow(0, 1), 3)


def test_find_counterexample_failure_1():
    """'A bijection on fewer than k variables preserves R_k' breaks on 4 binary copies."""

    def claim(system, transform, k):
        r = na.conserved_information
        return transform.size >= k or abs(r(transform(system), k) - r(system, k)) < 1e-9

    ce = testing.find_counterexample(claim, seed=1)
    assert ce is not None
    assert ce.system.n <= 4 and set(ce.system.cards) == {2}
    assert ce.transform.size < ce.k and abs(ce.before - ce.after) > 0.5
    assert repr(ce).startswith("Counterexample(k=3")


def test_find_counterexample_none_for_a_theorem():
    def claim(system, transform, k):  # relabelling-type maps (b = 1) preserve R_k
        if transform.size != 1 and not isinstance(transform, nt.Permute):
            return True
        return na.survives(system, transform, k).preserved

    assert testing.find_counterexample(claim, max_vars=3, max_examples=100, seed=0) is None


def test_chi2_bound():
    for s in (na.systems.noisy_copies(3, 0.2), na.systems.parity(3), na.systems.copies(3)):
        testing.check_chi2_bound(s, 1, [0, 1, 2, 5, 20])
