"""The measures on a support system (a finite law held by its support states)."""

from __future__ import annotations

from . import _conserved, _finite_time, _latents, _spectrum

__all__ = ["SupportMeasures"]


class SupportMeasures:
    """Exact engines over the support: components, kernel products, eigensolvers (Rust)."""

    kind = "support System"
    conserved = staticmethod(_conserved.on_support)
    surviving_information = staticmethod(_finite_time.on_support)
    spectrum = staticmethod(_spectrum.spectrum_on_support)
    slow_modes = staticmethod(_spectrum.slow_modes_on_support)
    natural_latent_errors = staticmethod(_latents.on_support)
