"""What every kind of system shares: its variables (the ``Variables`` protocol).

Block families, measures and transformations speak of variables by name or by index;
every kind of system (support, factor graph, Gaussian, symmetric, GF(2)-linear) answers
the same five questions about them, and resolves a name or an index the same way.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from ..errors import InvalidInputError

__all__ = ["Variables", "NamedVariables", "resolve_variable", "check_names"]


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
        if isinstance(variables, (str, bytes)):
            raise TypeError(
                f"variables must be a list of names or indices, got the string {variables!r}"
            )
        return tuple(resolve_variable(v, self._names) for v in variables)


def resolve_variable(var: Any, names: tuple[str, ...]) -> int:
    """Position of ``var`` (a name in ``names``, or an index below ``len(names)``).

    Examples
    --------
    >>> from natabs.systems._variables import resolve_variable
    >>> resolve_variable("b", ("a", "b")), resolve_variable(0, ("a", "b"))
    (1, 0)
    """
    if isinstance(var, str):
        try:
            return names.index(var)
        except ValueError:
            raise InvalidInputError(f"no variable named {var!r}; variables are {names}") from None
    if isinstance(var, bool):
        raise TypeError(f"a variable is a name or an index, got the boolean {var!r}")
    try:
        i = operator.index(var)
    except TypeError:
        raise TypeError(f"a variable is a name or an index, got {var!r}") from None
    if not 0 <= i < len(names):
        raise InvalidInputError(f"variable index {i} out of range for {len(names)} variables")
    return i


def check_names(names: Sequence[str] | None, n: int) -> tuple[str, ...]:
    """Validated variable names (default ``x0 .. x{n-1}``): strings, ``n`` of them, distinct."""
    if names is None:
        return tuple(f"x{i}" for i in range(n))
    if isinstance(names, str):
        raise TypeError("names must be a sequence of strings, not a single string")
    out = tuple(names)
    for nm in out:
        if not isinstance(nm, str):
            raise TypeError(f"variable names must be strings, got {nm!r}")
    if len(out) != n:
        raise InvalidInputError(f"{len(out)} names given for {n} variables")
    if len(set(out)) != n:
        dup = next(nm for nm in out if out.count(nm) > 1)
        raise InvalidInputError(f"variable name {dup!r} appears more than once")
    return out
