"""Grid points, their keys and their seeds.

A grid is a mapping of parameter names to lists of values (their product, the last name
varying fastest) or an explicit list of points (mappings). Every value must be plain JSON
data (numbers, strings, booleans, None, and lists of them): a point is then named by a
canonical JSON text, its *key*, which is what a store remembers and what seeds it.

Examples
--------
>>> from natabs.sweeps._grid import points, key, point_seed
>>> pts = points({"L": [4, 8], "T": [2.0, 2.5]})
>>> pts[:2]
[{'L': 4, 'T': 2.0}, {'L': 4, 'T': 2.5}]
>>> key(pts[1])
'{"L":4,"T":2.5}'
>>> key({"T": 2.5, "L": 4}) == key(pts[1])      # the order of names does not matter
True
>>> point_seed(0, key(pts[1])) < 2**63
True
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import InvalidInputError, TooLargeError

__all__ = ["MAX_POINTS", "key", "plain", "point_seed", "points"]

#: Largest grid a sweep accepts (points are held in memory with their records).
MAX_POINTS = 10_000_000


def plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON data, or a TypeError naming ``where``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidInputError(f"{where} is {v}: grid values must be finite")
        return v
    if isinstance(value, np.ndarray):
        return plain(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [plain(v, where) for v in value]
    raise TypeError(
        f"{where} is a {type(value).__name__}; grid values must be numbers, strings, booleans, "
        f"None or lists of them (name a system or transformation by a string and build it "
        f"in the task)"
    )


def points(grid: Any) -> list[dict[str, Any]]:
    """The points of ``grid``: a mapping name -> values (product) or a list of points.

    Examples
    --------
    >>> from natabs.sweeps._grid import points
    >>> points([{"n": 3}, {"n": 5, "p": 0.1}])
    [{'n': 3}, {'n': 5, 'p': 0.1}]
    """
    if isinstance(grid, Mapping):
        names = list(grid)
        if not names:
            # The product of no axes is one point with no parameters: almost always a
            # grid built from an empty config, so say so instead of running the task once.
            raise InvalidInputError(
                "grid is {}: the grid has no parameters; give at least one name with a "
                'list of values ({"n": [3, 5]}), or the explicit list [{}] for a single '
                "point with no parameters"
            )
        axes = []
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"grid names must be strings, got {name!r}")
            values = grid[name]
            if isinstance(values, (str, bytes, Mapping)) or not isinstance(
                values, (Sequence, np.ndarray, range)
            ):
                raise TypeError(
                    f"grid[{name!r}] must be a list of values, got {values!r} "
                    f"(write {name}=[{values!r}] for a single value)"
                )
            vals = [plain(v, f"grid[{name!r}][{i}]") for i, v in enumerate(values)]
            if not vals:
                raise InvalidInputError(f"grid[{name!r}] is empty: the grid has no points")
            axes.append(vals)
        size = math.prod(len(a) for a in axes)
        if size > MAX_POINTS:
            raise TooLargeError(f"the grid has {size} points; the limit is {MAX_POINTS}")
        out = [dict(zip(names, combo)) for combo in itertools.product(*axes)]
    elif isinstance(grid, Sequence) and not isinstance(grid, (str, bytes)):
        if len(grid) > MAX_POINTS:
            raise TooLargeError(f"the grid has {len(grid)} points; the limit is {MAX_POINTS}")
        out = []
        for i, p in enumerate(grid):
            if not isinstance(p, Mapping):
                raise TypeError(
                    f"grid[{i}] must be a mapping of parameter names to values, "
                    f"got {type(p).__name__}"
                )
            if not all(isinstance(n, str) for n in p):
                raise TypeError(f"grid[{i}]: parameter names must be strings")
            out.append({n: plain(v, f"grid[{i}][{n!r}]") for n, v in p.items()})
        if not out:
            raise InvalidInputError("the grid has no points")
    else:
        raise TypeError(
            f"grid must be a mapping of names to value lists or a list of points, "
            f"got {type(grid).__name__}"
        )
    seen: dict[str, int] = {}
    for i, p in enumerate(out):
        k = key(p)
        if k in seen:
            raise InvalidInputError(f"the grid holds point {k} twice (at {seen[k]} and {i})")
        seen[k] = i
    return out


def key(point: Mapping[str, Any]) -> str:
    """The canonical JSON text naming a point (sorted names, no spaces)."""
    return json.dumps(point, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_seed(sweep_seed: int, point_key: str) -> int:
    """The seed of a point: ``SeedSequence([sweep_seed, sha256(key)])``, 63 bits.

    It depends on nothing but the sweep's seed and the point, so records never depend on
    the executor, the number of workers or the order in which points finish.

    Examples
    --------
    >>> from natabs.sweeps._grid import point_seed
    >>> point_seed(0, '{"n":3}') == point_seed(0, '{"n":3}') != point_seed(1, '{"n":3}')
    True
    """
    words = np.frombuffer(hashlib.sha256(point_key.encode()).digest(), dtype="<u4")
    state = np.random.SeedSequence([sweep_seed, *map(int, words)]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))
