"""The native resampling kernel of a System, shared by the finite-time and spectral measures."""

from __future__ import annotations

from .. import _native
from .._validation import SCANS, check_scan
from ..systems._support import System

#: Memory the kernel engines may use for fibre tables, scratch and results (bytes).
MEMORY_BUDGET = 4 << 30

__all__ = ["MEMORY_BUDGET", "SCANS", "build", "check_scan"]


def build(system: System, family: tuple[tuple[int, ...], ...]) -> _native.Kernel:
    """The kernel of ``system`` under an already-resolved block family."""
    blocks = [list(b) for b in family]
    if system.is_coded:
        return _native.Kernel.from_codes(
            list(system.cards), system.codes, system.probs, blocks, MEMORY_BUDGET
        )
    return _native.Kernel.from_rows(
        list(system.cards), system._rows_u32(), system.probs, blocks, MEMORY_BUDGET
    )
