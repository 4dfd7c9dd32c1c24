"""The shared result protocol: every result is a frozen dataclass deriving from :class:`Result`,
which gives it ``to_dict()`` (plain JSON data) and a readable repr, both from one place.

Results hold numpy arrays and scalars; ``json`` knows neither. One converter keeps the JSON
shape uniform: arrays become (nested) lists, numpy scalars Python numbers, tuples lists,
nested results dicts, non-finite floats ``None`` (JSON has no NaN or infinity), functions
their name and other callables (transformations) their repr.

The repr shows the fields declared with ``repr=True`` (the dataclass default) in their
order, on one line: floats to 6 significant digits, sequences and arrays up to 8 entries
(then ``...`` and the length), and hides a field whose value is its default. A field can
say how it is shown with ``field(metadata=show(...))``: a function of the value
(``show(blocks.describe)``), a name (``show(len, name="support")``), or a value or test for
which it is hidden (``show(unless=None)``).

Examples
--------
>>> import numpy as np
>>> from natabs._results import to_dict, jsonable
>>> jsonable({"a": np.arange(3), "b": np.float64(0.5), "c": (1, (2, 3))})
{'a': [0, 1, 2], 'b': 0.5, 'c': [1, [2, 3]]}
>>> import natabs as na
>>> sorted(to_dict(na.conserved(na.systems.copies(3), k=2)))
['base', 'bits', 'blocks', 'labels', 'masses', 'n_components']
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["Result", "jsonable", "show", "to_dict"]

#: Entries of a sequence or array a repr shows before ``...``.
SHOWN = 8

_KEY = "natabs.show"
_NOTHING = object()


def show(
    fmt: Callable[[Any], Any] | None = None,
    *,
    name: str | None = None,
    unless: Any = _NOTHING,
) -> dict[str, Any]:
    """Field metadata saying how a result's repr shows the field.

    ``fmt`` turns the value into what is shown, ``name`` replaces the field's name, and the
    field is hidden when its value equals ``unless`` (or ``unless(value)`` is true, for a
    function).

    Examples
    --------
    >>> from dataclasses import dataclass, field
    >>> from natabs._results import Result, show
    >>> @dataclass(frozen=True, repr=False)
    ... class Pair(Result):
    ...     a: float
    ...     b: tuple = field(metadata=show(len, name="size"))
    ...     note: str | None = field(default=None, metadata=show(unless=None))
    >>> Pair(1 / 3, (1, 2, 3))
    Pair(a=0.333333, size=3)
    """
    return {_KEY: (fmt, name, unless)}


def _hidden(value: Any, unless: Any) -> bool:
    if unless is _NOTHING:
        return False
    if callable(unless):
        return bool(unless(value))
    if isinstance(value, np.ndarray):
        return False
    try:
        return bool(value == unless)
    except (TypeError, ValueError):
        return False


def _short(value: Any) -> str:
    """One value, shortly: floats to 6 digits, sequences up to :data:`SHOWN` entries."""
    if isinstance(value, Result):
        return repr(value)
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return format(float(value), ".6g")
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            return f"array(shape={value.shape})"
        return _seq(value.tolist(), "[", "]")
    if isinstance(value, tuple):
        return _seq(list(value), "(", ")", one=len(value) == 1)
    if isinstance(value, list):
        return _seq(value, "[", "]")
    return repr(value)


def _seq(items: list[Any], left: str, right: str, one: bool = False) -> str:
    shown = [_short(v) for v in items[:SHOWN]]
    if len(items) > SHOWN:
        shown.append(f"... {len(items)} in all")
    return left + ", ".join(shown) + ("," if one else "") + right


class Result:
    """Base of the result classes: ``to_dict()`` and ``repr`` for a frozen dataclass.

    Subclasses are declared ``@dataclass(frozen=True, repr=False)`` (so that the repr here
    is used) and may override ``__repr__`` only for a display that carries more than the
    fields do (a table, the support of a counterexample).
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON data: ``json.dumps(result.to_dict())`` works.

        Examples
        --------
        >>> import json, natabs as na
        >>> d = na.conserved(na.systems.copies(3), k=1).to_dict()
        >>> d["bits"], d["masses"], d["blocks"]
        (1.0, [0.5, 0.5], [[0], [1], [2]])
        >>> json.loads(json.dumps(d)) == d
        True
        """
        return to_dict(self)

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if not f.repr:
                continue
            value = getattr(self, f.name)
            fmt, name, unless = f.metadata.get(_KEY, (None, None, _NOTHING))
            if unless is _NOTHING and f.default is not dataclasses.MISSING:
                unless = f.default
            if _hidden(value, unless):
                continue
            parts.append(f"{name or f.name}={_short(value if fmt is None else fmt(value))}")
        return f"{type(self).__name__}({', '.join(parts)})"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dicts, lists, str, int, float, bool, None.

    Dataclasses become dicts of their fields; objects with their own ``to_dict`` use it,
    systems their JSON form (:mod:`natabs.io`); functions become their name, other
    callables (transformations) their repr.

    Examples
    --------
    >>> from natabs._results import jsonable
    >>> jsonable([float("inf"), np.uint64(2**63), len])
    [None, 9223372036854775808, 'len']
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    own = getattr(value, "to_dict", None)
    if callable(own):
        return jsonable(own())
    as_json = getattr(value, "to_json", None)
    if callable(as_json):  # a system: its JSON form (natabs.io)
        return json.loads(as_json())
    if callable(value):  # a statistic, a transformation: named as the user wrote it
        return getattr(value, "__name__", None) or repr(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    raise TypeError(f"cannot convert {type(value).__name__} to JSON data")


def to_dict(result: Any) -> dict[str, Any]:
    """The fields of a result dataclass as a dict of plain JSON data.

    Examples
    --------
    >>> import json, natabs as na
    >>> from natabs._results import to_dict
    >>> d = to_dict(na.conserved(na.systems.copies(3), k=1))
    >>> d["bits"], d["masses"], d["blocks"]
    (1.0, [0.5, 0.5], [[0], [1], [2]])
    >>> json.loads(json.dumps(d)) == d
    True
    """
    if not (dataclasses.is_dataclass(result) and not isinstance(result, type)):
        raise TypeError(f"to_dict needs a result dataclass, got {type(result).__name__}")
    return {f.name: jsonable(getattr(result, f.name)) for f in dataclasses.fields(result)}
