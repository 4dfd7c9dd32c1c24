"""The interactive examples (``>>>``) of the documentation pages run and print what they say.

Pages describing features still in development use plain code blocks, which doctest skips.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(
    str(p.relative_to(DOCS))
    for p in [*DOCS.glob("*.rst"), *DOCS.glob("guide/*.rst")]
    if ">>>" in p.read_text(encoding="utf-8")
)


@pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not part of this checkout")
@pytest.mark.parametrize("page", PAGES)
def test_page_examples(page: str) -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, optionflags=flags, verbose=False
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) failed in docs/{page}"
