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

from . import blocks, dag, errors, estimate, io, plot, systems, transforms
from ._native import __version__

# Systems and exact conserved information (THEORY §1-3).
from .conserved import Conserved, conserved, conserved_information
from .system import System

# Finite time and spectra (THEORY §4).
from .finite_time import Curve, surviving_information
from .spectrum import SlowModes, Spectrum, slow_modes, spectrum

# Transformations and survival reports (THEORY §5).
from .survival import Survival, SurvivalTable, survival_table, survives
from .transforms import light_cone

# Local models and the block-Gibbs engine.
from .estimate import sampled_surviving_information
from .factor_graph import FactorGraph
from .sampling import SampleRun, sample

__all__ = [
    "__version__",
    "System",
    "blocks",
    "systems",
    "errors",
    "Conserved",
    "conserved",
    "conserved_information",
    "dag",
    "io",
    "plot",
    "transforms",
    "light_cone",
    "survives",
    "survival_table",
    "Survival",
    "SurvivalTable",
    "FactorGraph",
    "sample",
    "SampleRun",
    "estimate",
    "sampled_surviving_information",
    "Curve",
    "surviving_information",
    "Spectrum",
    "spectrum",
    "SlowModes",
    "slow_modes",
]


def __getattr__(name: str):
    # natabs.testing needs hypothesis (the `test` extra): import it only when asked for.
    if name == "testing":
        import importlib

        return importlib.import_module(".testing", __name__)
    raise AttributeError(f"module 'natabs' has no attribute {name!r}")
