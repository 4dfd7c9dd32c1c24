"""Every example in the public docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import natabs

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(natabs.__path__, prefix="natabs.")
    if not m.name.startswith("natabs._native")
)


@pytest.mark.parametrize("name", ["natabs", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)  # an import error fails: the test extra has them all
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
