"""natabs: redundant information under block resampling, exact where possible and fast.

Which information in a system of random variables is kept when the variables are
resampled ``k`` at a time from their conditionals, and does it survive re-describing the
system in other variables? See THEORY in the documentation for the mathematics.

Examples
--------
>>> import natabs as na
>>> na.conserved_information(na.systems.copies(4), k=3)
1.0
"""

from __future__ import annotations

from . import blocks, errors, systems
from ._native import __version__
from .conserved import Conserved, conserved, conserved_information
from .finite_time import Curve, surviving_information
from .spectrum import SlowModes, Spectrum, slow_modes, spectrum

from .system import System

__all__ = [
    "__version__",
    "System",
    "blocks",
    "systems",
    "errors",
    "Conserved",
    "conserved",
    "conserved_information",
    "Curve",
    "surviving_information",
    "Spectrum",
    "spectrum",
    "SlowModes",
    "slow_modes",
]
