"""The README's Python example runs and its commented numbers are what it prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.skipif(not README.is_file(), reason="README.md is not part of this checkout")
def test_readme_example_runs_and_agrees() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "README.md has no python example"
    scope: dict = {}
    exec(compile(blocks[0], str(README), "exec"), scope)  # noqa: S102 (our own README)
    na = scope["na"]
    assert na.spectrum(scope["y"], k=1, top=3).relaxation_time == pytest.approx(115.7, abs=0.05)
    assert na.natural_latent_errors(scope["m"], "M").max_redundancy == pytest.approx(
        0.0046, abs=5e-5
    )
    assert na.conserved_information(scope["c"], k=999) == pytest.approx(1.0)
    res = na.sweep(
        lambda n: {"R1": na.conserved_information(na.systems.copies(n), k=1)},
        {"n": [2, 3, 4]},
        executor="serial",
        progress=False,
    )
    assert repr(res) == "SweepResult(points=3, computed=3, reused=0, failed=0)"
