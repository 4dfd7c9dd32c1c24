"""Argument checks shared by the public functions: one wording for every message."""

from __future__ import annotations

import operator
from typing import Any

from .errors import InvalidInputError


def integer(value: Any, name: str, minimum: int | None = None) -> int:
    """``value`` as an int (numpy integers too, never a bool), at least ``minimum``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and v < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {v}")
    return v


def choice(value: Any, name: str, options: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(map(repr, options))
        error = TypeError if not isinstance(value, str) else InvalidInputError
        raise error(f"{name} must be one of {listed}; got {value!r}")
    return value
