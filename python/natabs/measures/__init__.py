"""Measures: conserved information, finite-time information, spectra, sampled estimates.

Each public function validates its arguments, then finds the implementation for the kind of
system it was given at the one dispatch point, :mod:`natabs.measures._dispatch`.
"""

from __future__ import annotations

from ._conserved import Conserved, conserved, conserved_information
from ._estimate import (
    MIEstimate,
    SampledSurvival,
    mutual_information,
    sampled_surviving_information,
)
from ._finite_time import Curve, surviving_information
from ._gf2 import LinearConserved
from ._latents import NaturalLatentErrors, natural_latent_errors
from ._latents_survival import LatentSurvival, latent_survival
from ._latents_search import (
    FoundLatent,
    LatentBaseline,
    LatentPareto,
    find_natural_latent,
    latent_pareto,
)
from ._gaussian import GaussianConserved, LinearModes, RandomScanBounds, random_scan_bounds
from ._sampling import SampleRun, sample
from ._spectrum import SlowModes, Spectrum, slow_modes, spectrum

__all__ = [
    "Conserved",
    "conserved",
    "conserved_information",
    "LinearConserved",
    "Curve",
    "surviving_information",
    "Spectrum",
    "spectrum",
    "SlowModes",
    "slow_modes",
    "SampleRun",
    "sample",
    "NaturalLatentErrors",
    "natural_latent_errors",
    "FoundLatent",
    "LatentBaseline",
    "LatentPareto",
    "find_natural_latent",
    "latent_pareto",
    "LatentSurvival",
    "latent_survival",
    "GaussianConserved",
    "LinearModes",
    "RandomScanBounds",
    "random_scan_bounds",
    "MIEstimate",
    "mutual_information",
    "SampledSurvival",
    "sampled_surviving_information",
]
