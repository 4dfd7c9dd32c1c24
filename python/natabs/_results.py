"""Turning result objects into plain data for JSON (``to_dict``).

Results are frozen dataclasses holding numpy arrays and scalars; ``json`` knows neither.
One converter, shared by every result class, keeps the JSON shape uniform: arrays become
(nested) lists, numpy scalars Python numbers, tuples lists, non-finite floats ``None``
(JSON has no NaN or infinity).

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
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["to_dict", "jsonable"]


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dicts, lists, str, int, float, bool, None.

    Dataclasses become dicts of their fields; objects with their own ``to_dict`` use it.

    Examples
    --------
    >>> from natabs._results import jsonable
    >>> jsonable([float("inf"), np.uint64(2**63)])
    [None, 9223372036854775808]
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
