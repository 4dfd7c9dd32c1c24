"""The catalog of canonical systems (THEORY §6), each with its known answers.

Every function returns an exact :class:`~natabs.System`. Docstrings state the known
conserved information ``R_k`` (bits); the test suite asserts these values.
"""

from __future__ import annotations

from ._catalog import catalog, copies, coupled_pair, ising_ring, noisy_copies, parity
from ._factor_graph import FactorGraph
from ._gaussian import GaussianSystem
from ._gaussian_catalog import (
    gaussian_chain,
    shared_drift,
    spring_chain,
    spring_lattice,
)
from ._gf2 import LinearCode
from ._support import System
from ._symmetric import SymmetricSystem

__all__ = [
    "System",
    "FactorGraph",
    "SymmetricSystem",
    "LinearCode",
    "GaussianSystem",
    "copies",
    "noisy_copies",
    "coupled_pair",
    "parity",
    "ising_ring",
    "catalog",
    "shared_drift",
    "gaussian_chain",
    "spring_chain",
    "spring_lattice",
]
