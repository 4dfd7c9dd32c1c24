"""Exactly conserved (redundant) information: components of the move graph (THEORY §3).

Two support states are joined when they differ only inside one block; the component
label ``C`` is what resampling never forgets, and ``R = H(C)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _native
from .. import blocks as _blocks
from .._info import check_base, entropy
from .._results import Result, show
from ..systems._support import System
from ._dispatch import implementation

__all__ = ["Conserved", "conserved", "conserved_information", "component_labels"]


@dataclass(frozen=True, repr=False)
class Conserved(Result):
    """The exactly conserved part of a system under a block family.

    Attributes
    ----------
    bits : float
        ``H(C)``, the conserved information, in units of ``base`` (bits by default).
    labels : numpy.ndarray
        Component of each support state (``uint32``, numbered by first appearance).
    masses : numpy.ndarray
        ``P(C = c)`` for each component ``c``.
    n_components : int
        Number of components of the move graph.
    base : float
        Logarithm base of ``bits``.
    blocks : tuple of tuple of int
        The block family used, as variable indices.
    """

    bits: float
    labels: np.ndarray = field(repr=False)
    masses: np.ndarray = field(repr=False)
    n_components: int
    base: float = field(metadata=show(unless=2))
    blocks: tuple[tuple[int, ...], ...] = field(metadata=show(_blocks.describe))


def component_labels(system: System, family: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, int]:
    """Component labels and their count for an already-resolved block family."""
    if system.is_coded:
        return _native.components_codes(list(system.cards), system.codes, list(family))
    return _native.components_rows(list(system.cards), system._rows_u32(), list(family))


def conserved(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    base: float = 2,
) -> Conserved:
    """The information kept forever when blocks are resampled from their conditionals.

    Give exactly one of ``k`` (every subset of ``k`` variables) or ``blocks``.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.copies(4)
    >>> na.conserved(s, k=3)
    Conserved(bits=1, n_components=2, blocks='4 blocks of size 3')
    >>> na.conserved(s, k=4).bits
    0.0
    >>> na.conserved(s, blocks=[["x0", "x1"], ["x2"]]).n_components
    2
    """
    compute = implementation(system, "conserved")
    b = check_base(base)
    # A kind may keep the family unlisted (all_subsets(n, k) of a code at n = 10^4).
    family = getattr(compute, "resolve_blocks", _blocks.resolve)(system, k, blocks)
    return compute(system, family, base=b)


def on_support(system: System, family: tuple[tuple[int, ...], ...], *, base: float) -> Conserved:
    """:func:`conserved` on a support system: union-find over the move graph in Rust."""
    b = base
    labels, count = component_labels(system, family)
    masses = np.bincount(labels, weights=system.probs, minlength=count)
    labels.flags.writeable = False
    masses.flags.writeable = False
    return Conserved(
        bits=entropy(masses, b),
        labels=labels,
        masses=masses,
        n_components=int(count),
        base=b,
        blocks=family,
    )


def conserved_information(
    system: System,
    k: int | None = None,
    *,
    blocks: Iterable[Iterable[Any]] | None = None,
    base: float = 2,
) -> float:
    """``R`` = H(C) as a float; see :func:`conserved`.

    Examples
    --------
    >>> import natabs as na
    >>> na.conserved_information(na.systems.parity(5), k=1)
    4.0
    """
    return conserved(system, k, blocks=blocks, base=base).bits
