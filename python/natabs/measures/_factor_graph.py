"""The measures on a factor graph small enough to enumerate: on its exact support.

A factor graph too large to enumerate is refused by :meth:`FactorGraph.to_system` with
its size named; sampled estimates (:func:`natabs.sample`,
:func:`natabs.sampled_surviving_information`) serve those.
"""

from __future__ import annotations

from typing import Any

from ._support import SupportMeasures

__all__ = ["FactorGraphMeasures"]

_SUPPORT = SupportMeasures()


def _enumerated(name: str):
    def measure(system: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(_SUPPORT, name)(system.to_system(), *args, **kwargs)

    measure.__name__ = measure.__qualname__ = name
    measure.__doc__ = f"``{name}`` of the factor graph's exact law (enumerated)."
    return measure


class FactorGraphMeasures:
    """Every support measure, on the enumerated law of the factor graph."""

    kind = "FactorGraph"
    conserved = staticmethod(_enumerated("conserved"))
    surviving_information = staticmethod(_enumerated("surviving_information"))
    spectrum = staticmethod(_enumerated("spectrum"))
    slow_modes = staticmethod(_enumerated("slow_modes"))
    natural_latent_errors = staticmethod(_enumerated("natural_latent_errors"))
