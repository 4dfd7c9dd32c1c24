"""Reports that show what matters: finite-time numbers and a verdict covering them in
Survival and SurvivalTable; empty light cones reported as vacuous, not as zero."""

from __future__ import annotations

import json
import math

import natabs as na
import pytest
from natabs import testing
from natabs import transforms as nt


def test_survival_shows_the_finite_time_drop_that_preserved_hides():
    # Difference map on five noisy copies: R_1 = 0 is kept, but the information left after
    # 20 steps falls from 0.41 to 0.10 bits.
    x = na.systems.noisy_copies(5, 0.1)
    out = na.survives(x, nt.difference_map([0, 1, 2, 3, 4]), k=1, steps=[0, 20])
    assert out.preserved
    assert out.surviving_before[1] == pytest.approx(0.4118, abs=1e-4)
    assert out.surviving_after[1] == pytest.approx(0.0965, abs=1e-4)
    assert out.verdict == (
        "R_1 preserved (0 bits); finite-time information at T=20 fell from 0.412 to 0.0965 bits"
    )
    text = repr(out)
    assert "surviving_before=(3.30189, 0.411773)" in text and "verdict=" in text
    assert json.loads(json.dumps(out.to_dict()))["verdict"] == out.verdict


def test_verdict_when_nothing_changes_and_when_r_is_lost():
    x = na.systems.noisy_copies(4, 0.1)
    same = na.survives(x, nt.Permute([1, 0, 2, 3]), k=1, steps=[3, 10])
    assert same.verdict.endswith("finite-time information unchanged at T=3, T=10")
    lost = na.survives(na.systems.copies(4), nt.cnot(0, 1), k=3, steps=[1])
    assert lost.verdict.startswith("R_3 fell from 1 to 0 bits")
    nats = na.survives(x, nt.difference_map([0, 1, 2, 3]), k=1, steps=[5], base=math.e)
    assert "nats" in nats.verdict
    # Without steps= there is no verdict (preserved says it all).
    assert na.survives(x, nt.cnot(0, 1), k=1).verdict is None


def test_survival_table_prints_the_finite_time_columns_and_verdicts():
    x = na.systems.noisy_copies(5, 0.1)
    table = na.survival_table(x, nt.difference_map([0, 1, 2, 3, 4]), [1, 2], steps=[0, 20])
    text = repr(table)
    lines = text.splitlines()
    assert "I_20 before->after" in lines[1]
    assert "0.4118 -> 0.09648" in lines[2]
    assert lines[-2].startswith("k=1: R_1 preserved") and lines[-1].startswith("k=2:")
    assert all(r.verdict for r in table)
    # Without steps the table reads as before.
    plain = repr(na.survival_table(x, nt.difference_map([0, 1, 2, 3, 4]), [1]))
    assert "->" not in plain and "k=1:" not in plain


def test_an_empty_light_cone_is_vacuous_not_zero():
    # copies(5): the two support states differ everywhere, so no pair is within k = 1.
    cone = nt.light_cone(na.systems.copies(5), nt.cnot(0, 1), 1)
    assert cone.forward is None and cone.inverse is None
    assert cone.vacuous == ("forward", "inverse")
    assert "vacuous=('forward', 'inverse')" in repr(cone)
    # The bounds built on it are still right: nothing moves, R_1 = H = 1 on both sides.
    out = na.survives(na.systems.copies(5), nt.cnot(0, 1), k=1)
    assert out.before == out.after == out.lower == out.upper == pytest.approx(1.0)
    testing.check_light_cone_bound(na.systems.copies(5), nt.cnot(0, 1), 1)


def test_a_real_light_cone_is_not_vacuous():
    cone = nt.light_cone(na.systems.noisy_copies(4, 0.1), nt.difference_map([0, 1, 2, 3]), 1)
    assert cone.vacuous == () and cone.inverse == 2 and "vacuous" not in repr(cone)
    # k = 0 moves nothing: both cones are vacuous.
    assert nt.light_cone(na.systems.noisy_copies(3, 0.1), nt.cnot(0, 1), 0).vacuous == (
        "forward",
        "inverse",
    )
