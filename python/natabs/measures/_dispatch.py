"""The dispatch point: where a measure finds the implementation for a kind of system.

Every public measure (``conserved``, ``surviving_information``, ``spectrum``,
``slow_modes``, ``natural_latent_errors``) validates the arguments common to all kinds,
then asks :func:`implementation` for the function that computes it on the kind of system
it was given. Measures never test ``isinstance`` themselves; a kind that cannot serve a
measure says so with :class:`~natabs.errors.UnsupportedError`.

Adding a kind of system (docs/architecture.rst has the checklist): write a class of
per-measure methods in ``natabs/measures/_<kind>.py`` and add one line to ``_KINDS``.

Examples
--------
>>> import natabs as na
>>> from natabs.measures._dispatch import implementation, kinds
>>> implementation(na.systems.copies(3), "conserved").__module__
'natabs.measures._conserved'
>>> implementation([1, 2], "conserved")
Traceback (most recent call last):
...
TypeError: system must be a natabs system (natabs.System, natabs.FactorGraph...), got list
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from ..errors import UnsupportedError

__all__ = ["implementation", "kinds", "MEASURES"]

#: The measures a kind of system may implement (method names of its class).
MEASURES = (
    "conserved",
    "surviving_information",
    "spectrum",
    "slow_modes",
    "natural_latent_errors",
)

#: Each kind of system -> the class holding its measures, as "module:Class" under
#: natabs (imported on first use: the implementations import the result classes, which
#: live beside the public functions that import this module).
_KINDS: dict[str, tuple[str, str]] = {
    "systems._support:System": ("measures._support", "SupportMeasures"),
    "systems._factor_graph:FactorGraph": ("measures._factor_graph", "FactorGraphMeasures"),
    "systems._symmetric:SymmetricSystem": ("measures._symmetric", "SymmetricMeasures"),
    "systems._gf2:LinearCode": ("measures._gf2", "GF2Measures"),
    "systems._gaussian:GaussianSystem": ("measures._gaussian", "GaussianMeasures"),
}


def _load(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(f"natabs.{module}"), name)


@functools.cache
def _table() -> Callable[[Any], Any]:
    @functools.singledispatch
    def measures_of(system: Any) -> Any:
        names = ", ".join(f"natabs.{_load(k).__name__}" for k in _KINDS)
        raise TypeError(f"system must be a natabs system ({names}), got {type(system).__name__}")

    for kind, (module, cls) in _KINDS.items():
        measures_of.register(_load(kind), lambda system, _impl=_load(f"{module}:{cls}")(): _impl)
    return measures_of


def kinds() -> tuple[type, ...]:
    """The kinds of system the measures know, in registration order."""
    return tuple(_load(k) for k in _KINDS)


def implementation(system: Any, measure: str) -> Callable[..., Any]:
    """The function computing ``measure`` on ``system``'s kind.

    Raises ``TypeError`` for an object that is no natabs system, and
    :class:`~natabs.errors.UnsupportedError` when the kind cannot serve the measure.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; measures are {MEASURES}")
    impl = _table()(system)
    fn = getattr(impl, measure, None)
    if fn is None:
        why = getattr(impl, "unsupported", {}).get(measure, "it has no implementation yet")
        raise UnsupportedError(f"{measure} is not available for a {impl.kind}: {why}")
    return fn
