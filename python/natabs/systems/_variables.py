"""What every kind of system shares: its variables (the ``Variables`` protocol).

Block families, measures and transformations speak of variables by name or by index;
every kind of system (support, factor graph, Gaussian, symmetric, GF(2)-linear) answers
the same five questions about them, and resolves a name or an index the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from .._validation import check_names, check_sequence, resolve_variable

__all__ = ["NamedVariables", "Variables", "check_names", "resolve_variable"]


@runtime_checkable
class Variables(Protocol):
    """The variables of a system: how many, their cardinalities, names and positions.

    ``cards[i]`` is the number of values of variable ``i`` (``0`` for a continuous
    variable, as in a Gaussian system).
    """

    @property
    def n(self) -> int: ...

    @property
    def cards(self) -> tuple[int, ...]: ...

    @property
    def names(self) -> tuple[str, ...]: ...

    def index(self, var: Any) -> int: ...

    def indices(self, variables: Iterable[Any]) -> tuple[int, ...]: ...


class NamedVariables:
    """``index`` and ``indices`` for a kind of system that keeps its names in ``_names``."""

    __slots__ = ()
    _names: tuple[str, ...]

    def index(self, var: Any) -> int:
        """Position of a variable given by name or index."""
        return resolve_variable(var, self._names)

    def indices(self, variables: Iterable[Any]) -> tuple[int, ...]:
        """Positions of several variables given by names or indices."""
        items = check_sequence(variables, "variables", what="names or indices")
        return tuple(resolve_variable(v, self._names) for v in items)
