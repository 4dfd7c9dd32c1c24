"""Factor graphs (the home of this code is :mod:`natabs.systems`; this path is kept for
code that imported it)."""

from __future__ import annotations

from .systems._factor_graph import FactorGraph, lattice

__all__ = ["FactorGraph", "lattice"]
