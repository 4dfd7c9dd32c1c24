"""Estimators from samples (the home of this code is :mod:`natabs.measures`; this path is
kept for code that imported it)."""

from __future__ import annotations

from .measures._estimate import (
    MIEstimate,
    SampledSurvival,
    mutual_information,
    sampled_surviving_information,
)

__all__ = ["MIEstimate", "mutual_information", "SampledSurvival", "sampled_surviving_information"]
