"""Block-Gibbs sampling (the home of this code is :mod:`natabs.measures`; this path is kept
for code that imported it)."""

from __future__ import annotations

from .measures._diagnostics import ChainDiagnostics, diagnose
from .measures._sampling import SampleRun, sample

__all__ = ["sample", "SampleRun", "diagnose", "ChainDiagnostics"]
