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

# The layers, bottom to top (docs/architecture.rst): systems, block families, engines,
# measures, transformations; then the front ends.
from . import errors, systems, blocks, measures, transforms, io, plot
from . import dag, estimate, factor_graph, sampling  # noqa: F401  (older module paths, kept working)
from ._native import __version__
from .systems import FactorGraph, GaussianSystem, LinearCode, SymmetricSystem, System

# Exact conserved information (THEORY §3), finite time and spectra (§4), sampling.
from .measures import (
    Conserved,
    Curve,
    SampleRun,
    SlowModes,
    Spectrum,
    conserved,
    conserved_information,
    sample,
    sampled_surviving_information,
    slow_modes,
    spectrum,
    surviving_information,
)

# Natural latents (THEORY §7).
from .measures import (
    FoundLatent,
    LatentPareto,
    LatentSurvival,
    NaturalLatentErrors,
    find_natural_latent,
    latent_pareto,
    latent_survival,
    natural_latent_errors,
)
from .systems._latents import resampled_latent

# Transformations and survival reports (THEORY §5).
from .transforms import Survival, SurvivalTable, light_cone, survival_table, survives

# Sweeps: grids of parameters on any executor, resumable (natabs.sweeps).
from . import sweeps
from .sweeps import SweepResult, sweep

__all__ = [
    "__version__",
    "System",
    "measures",
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
    "SymmetricSystem",
    "LinearCode",
    "GaussianSystem",
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
    "NaturalLatentErrors",
    "natural_latent_errors",
    "resampled_latent",
    "find_natural_latent",
    "FoundLatent",
    "latent_pareto",
    "LatentPareto",
    "latent_survival",
    "LatentSurvival",
    "sweeps",
    "sweep",
    "SweepResult",
]


def __getattr__(name: str):
    # natabs.testing needs hypothesis (the `test` extra): import it only when asked for.
    if name == "testing":
        import importlib

        return importlib.import_module(".testing", __name__)
    raise AttributeError(f"module 'natabs' has no attribute {name!r}")
