"""What the command line names: systems and models (SPECs), their files, lists of integers.

A SPEC is a catalog name with parameters (``noisy_copies:n=9,p=0.1``, ``ising:L=16,beta=0.4``),
a ``.npy`` probability table, or a JSON file in one of the formats of :mod:`natabs.io`
(``natabs.system``, ``natabs.dag``, ``natabs.factors``). Files are checked before anything
is allocated: a ``.npy`` header is read and its size compared with the file's; JSON must be
UTF-8, not nested too deeply, and hold only finite numbers of sensible size. Every problem
raises :class:`UsageError` with one line naming the file, what is wrong and what is right.
"""

from __future__ import annotations

import ast
import json
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import systems
from ..errors import NatabsError
from ..systems._factor_graph import FactorGraph
from ..systems._support import System

__all__ = ["MODELS", "UsageError", "load_model", "load_system", "parse_ints"]

#: Most integers a list such as ``--k 1..3`` may expand to.
MAX_LIST = 10_000
#: Largest integer in such a list (the engines count in 64-bit integers).
MAX_INT = 2**63 - 1
#: Most entries of a ``.npy`` table (2**28 float64 entries = 2 GiB).
MAX_TABLE_ENTRIES = 1 << 28
#: Most variables of a catalog model (networkx holds the graph in memory).
MAX_MODEL_VARIABLES = 1 << 18
#: Most states of a catalog Potts model.
MAX_POTTS_Q = 1024
#: Largest integer parameter of a catalog system (they enumerate their support).
MAX_CATALOG_INT = 1 << 14
#: Largest JSON file read (bytes).
MAX_JSON_BYTES = 1 << 29
#: Most digits of an integer in a JSON file (2**64 has 20).
MAX_JSON_DIGITS = 20

SYSTEM_EXAMPLES = "copies:n=4, noisy_copies:n=9,p=0.1, parity:n=6, ising_ring:n=8,beta=0.4"
MODEL_EXAMPLES = "ising:L=16,beta=0.4, ising_ring:n=8,beta=0.4, potts:L=8,q=3,beta=1.0"
FORMATS = ("natabs.system", "natabs.dag", "natabs.factors")


class UsageError(Exception):
    """A mistake on the command line or in a file it names: one line, exit status 2."""


# -- lists of integers -------------------------------------------------------------------------


def parse_ints(text: str, *, name: str = "value", limit: int = MAX_LIST) -> list[int]:
    """Integers from ``"1..3"`` (inclusive range), ``"1,2,4"`` or a mix ``"0,2..4"``.

    Values must be ``>= 0``; a list expanding to more than ``limit`` values is refused
    before it is built.

    Examples
    --------
    >>> from natabs.cli import parse_ints
    >>> parse_ints("1..3"), parse_ints("1,2,4"), parse_ints("0,10..12")
    ([1, 2, 3], [1, 2, 4], [0, 10, 11, 12])
    """
    parts: list[tuple[int, int]] = []
    for part in text.split(","):
        part = part.strip()
        try:
            if ".." in part:
                lo, hi = (int(x) for x in part.split(".."))
                if hi < lo:
                    raise UsageError(f"{name}: empty range {part!r} (write low..high)")
            else:
                lo = hi = int(part)
        except ValueError:
            raise UsageError(
                f"{name}: {_short(text)!r} is not a list of integers (examples: 3, 1..3, 1,2,4)"
            ) from None
        if lo < 0:
            raise UsageError(f"{name}: values must be >= 0, got {_short(text)!r}")
        if hi > MAX_INT:
            raise UsageError(f"{name}: values must be at most 2**63 - 1, got {_short(text)!r}")
        parts.append((lo, hi))
    count = sum(hi - lo + 1 for lo, hi in parts)
    if count > limit:
        raise UsageError(
            f"{name}: {_short(text)!r} lists {count} values; at most {limit} are allowed"
        )
    return [v for lo, hi in parts for v in range(lo, hi + 1)]


def _short(text: Any, width: int = 60) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 3] + "..."


# -- catalog specs -------------------------------------------------------------------------------


def _count(value: Any, name: str, lo: int, hi: int = MAX_MODEL_VARIABLES) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name} must be an integer, got {_short(repr(value))}")
    if not lo <= value <= hi:
        raise UsageError(f"{name} must lie in {lo}..{hi}, got {_short(value)}")
    return value


def _ising(L: int, beta: float, J: float = 1.0, h: float = 0.0) -> FactorGraph:
    L = _count(L, "L", 3)
    _count(L * L, "L*L (the number of spins)", 9)
    return FactorGraph.ising_lattice(L, beta, J=J, h=h)


def _ring(n: int) -> Any:
    """A ring of n sites named x0 .. x{n-1}, as the catalog systems name their variables."""
    import networkx as nx

    n = _count(n, "n", 3)
    return nx.relabel_nodes(nx.cycle_graph(n), {i: f"x{i}" for i in range(n)})


def _ising_ring(n: int, beta: float, J: float = 1.0, h: float = 0.0) -> FactorGraph:
    return FactorGraph.ising(_ring(n), beta, J=J, h=h)


def _potts(L: int, q: int, beta: float) -> FactorGraph:
    from ..systems._factor_graph import lattice

    L = _count(L, "L", 3)
    _count(L * L, "L*L (the number of sites)", 9)
    return FactorGraph.potts(lattice(L), _count(q, "q", 2, MAX_POTTS_Q), beta)


def _potts_ring(n: int, q: int, beta: float) -> FactorGraph:
    return FactorGraph.potts(_ring(n), _count(q, "q", 2, MAX_POTTS_Q), beta)


#: Models ``natabs sample`` builds by name: a periodic L × L lattice or a ring of n sites.
MODELS: dict[str, Callable[..., FactorGraph]] = {
    "ising": _ising,
    "ising_ring": _ising_ring,
    "potts": _potts,
    "potts_ring": _potts_ring,
}


def _catalog_value(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def _call_catalog(
    spec: str, make: Callable[..., Any], params: str, limit: int = MAX_CATALOG_INT
) -> Any:
    kwargs: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in params.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise UsageError(f"{_short(spec)!r}: parameter {_short(item)!r} must be key=value")
        v = kwargs[key.strip()] = _catalog_value(value.strip())
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > limit:
            raise UsageError(
                f"{_short(spec)!r}: {key.strip()}={_short(value.strip(), 24)} is too large for "
                f"a catalog entry (at most {limit})"
            )
    try:
        return make(**kwargs)
    except TypeError as e:
        raise UsageError(f"{_short(spec)!r}: {e}") from None


# -- files ------------------------------------------------------------------------------------


def _kind_of_file(spec: str) -> str | None:
    """``'npy'``, ``'json'`` or None (not a file) for a SPEC, by extension or by content."""
    lower = spec.lower()
    if lower.endswith(".npy"):
        return "npy"
    if lower.endswith(".json"):
        return "json"
    if not os.path.isfile(spec):
        return None
    with open(spec, "rb") as f:
        head = f.read(64)
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.lstrip()[:1] == b"{":
        return "json"
    raise UsageError(
        f"{spec}: neither a .npy table nor a JSON file (formats: {', '.join(FORMATS)})"
    )


def read_npy(path: str) -> np.ndarray:
    """A numeric array from a ``.npy`` file, its header checked before any allocation."""
    from numpy.lib import format as npformat

    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            version = npformat.read_magic(f)
            reader = {
                (1, 0): npformat.read_array_header_1_0,
                (2, 0): npformat.read_array_header_2_0,
            }.get(version)
            if reader is None:
                raise UsageError(
                    f"{path}: .npy format version {version} is not supported (1.0 or 2.0)"
                )
            shape, fortran, dtype = reader(f)
        except (ValueError, SyntaxError, TypeError, EOFError):
            raise UsageError(
                f"{path}: not a .npy file, or its header is cut short (write one with numpy.save)"
            ) from None
        if dtype.kind not in "biuf" or dtype.hasobject:
            raise UsageError(f"{path}: a .npy table holds numbers, got dtype {dtype}")
        entries = math.prod(shape)
        if entries > MAX_TABLE_ENTRIES:
            raise UsageError(
                f"{path}: the header claims shape {_short(shape)} ({entries:.3g} entries); "
                f"tables of at most {MAX_TABLE_ENTRIES} entries are read"
            )
        need, have = entries * dtype.itemsize, size - f.tell()
        if have < need:
            raise UsageError(
                f"{path}: truncated: the header claims shape {shape} ({need} bytes of data) "
                f"but {have} bytes follow"
            )
        try:
            data = np.fromfile(f, dtype=dtype, count=entries)
        except (ValueError, OSError) as e:
            raise UsageError(f"{path}: unreadable .npy data ({e})") from None
    return data.reshape(shape, order="F" if fortran else "C")


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UsageError(f"the number {_short(text, 30)} is outside the range of a float")
    return value


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise UsageError(
            f"the integer {_short(text, 30)} ({len(text.lstrip('-'))} digits) is too large "
            f"(at most {MAX_JSON_DIGITS} digits)"
        )
    return int(text)


def _json_constant(text: str) -> Any:
    raise UsageError(f"{text} is not a JSON number (numbers must be finite)")


def read_json(path: str) -> dict[str, Any]:
    """The JSON object in a file: UTF-8, finite numbers, not nested too deeply."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_JSON_BYTES:
            raise UsageError(
                f"{path}: {size} bytes; JSON files of at most {MAX_JSON_BYTES} bytes are read"
            )
        raw = f.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise UsageError(
            f"{path}: more than {MAX_JSON_BYTES} bytes; JSON files of at most that are read"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{path}: not UTF-8 text (byte {e.start}); a JSON file is UTF-8") from None
    if not text.strip():
        raise UsageError(f'{path}: empty file; a natabs JSON file is an object with a "format"')
    try:
        data = json.loads(
            text, parse_float=_json_float, parse_int=_json_int, parse_constant=_json_constant
        )
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}: not valid JSON: {e}") from None
    except RecursionError:
        raise UsageError(f"{path}: JSON nested too deeply to be a natabs file") from None
    except UsageError as e:
        raise UsageError(f"{path}: {e}") from None
    if not isinstance(data, dict):
        raise UsageError(
            f'{path}: a natabs JSON file is an object with a "format" ({", ".join(FORMATS)}), '
            f"got a JSON {type(data).__name__}"
        )
    return data


def _from_json(path: str, data: dict[str, Any], builders: dict[str, Callable[[Any], Any]]) -> Any:
    fmt = data.get("format")
    if fmt not in FORMATS:
        raise UsageError(
            f'{path}: "format" must be one of {", ".join(FORMATS)}, got {_short(repr(fmt))}'
        )
    build = builders.get(fmt)
    if build is None:
        return None
    try:
        return build(data)
    except NatabsError as e:
        raise UsageError(f"{path}: {e}") from None
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError) as e:
        # a structure the reader did not expect: the file is wrong, not the program
        raise UsageError(f"{path}: not a valid {fmt} file ({type(e).__name__}: {e})") from None


# -- systems and models ------------------------------------------------------------------------


def load_system(spec: str) -> System:
    """The System a SPEC names.

    A catalog name with parameters (a system of :mod:`natabs.systems`, or a model of
    :data:`MODELS`, enumerated), a ``.npy`` probability table, or a JSON file: a system, a
    DAG model or a factor graph (enumerated; refused with its size when too large).

    Examples
    --------
    >>> from natabs.cli import load_system
    >>> load_system("noisy_copies:n=3,p=0.25")
    System(n=3, cards=(2, 2, 2), support=8, names=('x0', 'x1', 'x2'))
    >>> load_system("parity:n=4").size
    8
    >>> load_system("potts_ring:n=3,q=3,beta=0.5").size
    27
    """
    kind = _kind_of_file(spec)
    if kind == "npy":
        try:
            return System.from_table(read_npy(spec))
        except (TypeError, ValueError) as e:
            raise UsageError(f"{spec}: {e}") from None
    if kind == "json":
        from .. import io

        data = read_json(spec)
        return _from_json(
            spec,
            data,
            {
                "natabs.system": io.system_from_dict,
                "natabs.dag": lambda d: System.from_dag(io.dag_from_json(d)),
                "natabs.factors": lambda d: io.factor_graph_from_json(d).to_system(),
            },
        )
    name, _, params = spec.partition(":")
    cat = systems.catalog()
    if name in cat:
        return _call_catalog(spec, cat[name], params)
    if name in MODELS:
        return _call_catalog(spec, MODELS[name], params, MAX_MODEL_VARIABLES).to_system()
    raise UsageError(
        f"unknown system {_short(spec)!r}: give a catalog name "
        f"({', '.join(dict.fromkeys([*cat, *MODELS]))}) with parameters like "
        "noisy_copies:n=9,p=0.1, a .npy table or a .json file"
    )


def load_model(spec: str) -> FactorGraph:
    """The FactorGraph a MODEL names: a catalog model, or a JSON DAG or factor graph.

    Catalog models (:data:`MODELS`): ``ising:L=..,beta=..[,J=..,h=..]`` on the periodic
    ``L × L`` lattice, ``ising_ring:n=..,beta=..[,J=..,h=..]``, ``potts:L=..,q=..,beta=..``
    and ``potts_ring:n=..,q=..,beta=..``.

    Examples
    --------
    >>> from natabs.cli import load_model
    >>> load_model("ising:L=16,beta=0.44")
    FactorGraph(kind='mrf', n=256, cards=2, factors=512)
    >>> load_model("potts_ring:n=5,q=3,beta=1").cards
    (3, 3, 3, 3, 3)
    """
    what = (
        f"`natabs sample` takes a model: a catalog model ({MODEL_EXAMPLES}), or a JSON "
        "DAG (natabs.dag) or factor graph (natabs.factors)"
    )
    kind = _kind_of_file(spec)
    if kind == "npy":
        raise UsageError(f"{spec} is a probability table, not a model: {what}")
    if kind == "json":
        from .. import io

        data = read_json(spec)
        model = _from_json(
            spec,
            data,
            {
                "natabs.dag": lambda d: FactorGraph.from_dag(io.dag_from_json(d)),
                "natabs.factors": io.factor_graph_from_json,
            },
        )
        if model is None:
            raise UsageError(f"{spec} is a {data['format']} file, not a model: {what}")
        return model
    name, _, params = spec.partition(":")
    if name in MODELS:
        return _call_catalog(spec, MODELS[name], params, MAX_MODEL_VARIABLES)
    if name in systems.catalog():
        raise UsageError(f"{name} is a catalog system (a support table), not a model: {what}")
    raise UsageError(f"unknown model {_short(spec)!r}: {what}")
