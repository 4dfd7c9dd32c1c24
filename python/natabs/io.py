"""Reading and writing systems and DAG models as JSON.

System format
-------------
A JSON object::

    {
      "format": "natabs.system",
      "version": 1,
      "names": ["x0", "x1"],
      "cards": [2, 2],
      "states": [[0, 0], [1, 1]],
      "probs": [0.5, 0.5]
    }

``states`` lists the support, one row of values per state (``0 <= value < card``), and
``probs`` the probability of each row (positive, summing to 1). Instead of ``states`` a file
may hold ``"codes"``: the mixed-radix code of each state, ``sum_i x_i * prod_{j<i} cards[j]``
(variable 0 least significant), which is what ``to_json(..., codes=True)`` writes. Exactly
one of the two must be present. Probabilities are written with Python's shortest exact
float repr, so ``from_json(to_json(s))`` gives back the very same floats.

DAG model format
----------------
A JSON object with ``"format": "natabs.dag"``, ``"version": 1`` and ``"nodes"``, a list in
variable order; each node has ``name``, ``card``, ``parents`` (a list of earlier or later
node names, in the order the table's axes use) and ``cpd``, nested lists of shape
``(card of parent 1, ..., card of parent m, card)``, so ``cpd[a][b][x] = P(X = x | parents
= (a, b))``. A node without parents has a flat list ``[P(X=0), P(X=1), ...]``::

    {"format": "natabs.dag", "version": 1, "nodes": [
      {"name": "a", "card": 2, "parents": [], "cpd": [0.5, 0.5]},
      {"name": "b", "card": 2, "parents": ["a"], "cpd": [[0.9, 0.1], [0.2, 0.8]]}
    ]}

Factor graph format
-------------------
A Markov random field (:meth:`natabs.FactorGraph.from_factors`): ``"format":
"natabs.factors"``, ``"version": 1``, optional ``"names"`` (one per variable), optional
``"log"`` (``false`` by default) and ``"factors"``, a list of objects with ``scope`` (the
variables the factor touches: indices ``0 .. n-1``, or names when ``names`` is given) and
``table`` (nested lists with one axis per scope variable, in scope order): potentials
(finite, ``>= 0``), or finite log-potentials with ``"log": true``. A variable's card is the
length of its axes::

    {"format": "natabs.factors", "version": 1, "names": ["a", "b"], "factors": [
      {"scope": ["a", "b"], "table": [[3, 1], [1, 3]]}
    ]}

Sources and targets
-------------------
Readers accept a path (``str`` or ``os.PathLike``), an open text file, a JSON text (a
``str`` whose first non-blank character is ``{``) or an already parsed ``dict``. Writers
return the JSON text when ``path`` is ``None``, and otherwise write to a path or to an open
text file and return ``None``.

Examples
--------
>>> import natabs as na
>>> text = na.systems.copies(2).to_json()
>>> text
'{"format": "natabs.system", "version": 1, "names": ["x0", "x1"], "cards": [2, 2], "states": [[0, 0], [1, 1]], "probs": [0.5, 0.5]}'
>>> na.System.from_json(text).same_law(na.systems.copies(2))
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from ._validation import check_system
from .errors import InvalidInputError
from .systems._support import System

__all__ = [
    "SYSTEM_FORMAT",
    "DAG_FORMAT",
    "FACTORS_FORMAT",
    "VERSION",
    "to_json",
    "from_json",
    "system_to_dict",
    "system_from_dict",
    "dag_from_json",
    "dag_to_json",
    "factor_graph_from_json",
]

SYSTEM_FORMAT = "natabs.system"
DAG_FORMAT = "natabs.dag"
FACTORS_FORMAT = "natabs.factors"
#: Version written; readers accept this version and older.
VERSION = 1

Source = Any  # str | os.PathLike | IO[str] | Mapping


# -- generic reading and writing -----------------------------------------------------------


def _load(source: Source, what: str) -> dict[str, Any]:
    """Parse a path, file, JSON text or dict into a dict."""
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, origin = source, "JSON text"
    elif isinstance(source, (str, os.PathLike)):
        origin = os.fspath(source)
        try:
            with open(source, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError as e:
            raise InvalidInputError(f"{origin} is not UTF-8 text (JSON): {e.reason}") from None
    elif hasattr(source, "read"):
        text, origin = source.read(), "file"
    else:
        raise TypeError(
            f"a {what} source is a path, an open file, a JSON string or a dict; "
            f"got {type(source).__name__}"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidInputError(f"{origin} is not UTF-8 text (JSON): {e.reason}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInputError(f"{origin} is not valid JSON: {e}") from None
    except RecursionError:
        raise InvalidInputError(f"{origin}: the JSON is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{origin}: a {what} is a JSON object, got {type(data).__name__}")
    return data


def _dump(
    data: dict[str, Any], path: str | os.PathLike | IO[str] | None, indent: int | None
) -> str | None:
    text = json.dumps(data, indent=indent)
    if path is None:
        return text
    if hasattr(path, "write"):
        path.write(text)  # type: ignore[union-attr]
        return None
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be None, a path or an open text file, got {type(path).__name__}"
        )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")
    return None


def _check_header(data: dict[str, Any], fmt: str) -> None:
    got = data.get("format")
    if got != fmt:
        raise InvalidInputError(f'"format" must be "{fmt}", got {got!r}')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise InvalidInputError(
            f'"version" must be an integer from 1 to {VERSION}, got {version!r}'
        )


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise InvalidInputError(f'{where} lacks the required key "{key}"')
    return data[key]


def _int_array(value: Any, what: str, ndim: int) -> np.ndarray:
    if not isinstance(value, list):
        raise InvalidInputError(f'"{what}" must be a list, got {type(value).__name__}')
    try:
        arr = np.array(value, dtype=object if what == "codes" else None)
    except ValueError:
        raise InvalidInputError(f'"{what}" must be a rectangular list of integers') from None
    if what == "codes":
        if any(not isinstance(c, int) or isinstance(c, bool) for c in value):
            raise InvalidInputError('"codes" must hold integers')
        if any(c < 0 or c >= 2**64 for c in value):
            raise InvalidInputError('"codes" must hold integers in [0, 2**64)')
        return np.array(value, dtype=np.uint64)
    if arr.size == 0:
        return np.zeros((0,) * ndim, dtype=np.int64)
    if arr.ndim != ndim or arr.dtype.kind not in "iu":
        raise InvalidInputError(
            f'"{what}" must be a {"list of lists" if ndim == 2 else "list"} of integers'
        )
    return arr


# -- systems ---------------------------------------------------------------------------------


def system_to_dict(system: System, *, codes: bool = False) -> dict[str, Any]:
    """The JSON object of a System (see the module docstring for the format).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs.io import system_to_dict
    >>> system_to_dict(na.systems.copies(2), codes=True)["codes"]
    [0, 3]
    """
    check_system(system)
    out: dict[str, Any] = {
        "format": SYSTEM_FORMAT,
        "version": VERSION,
        "names": list(system.names),
        "cards": list(system.cards),
    }
    if codes:
        out["codes"] = system.codes.tolist()
    else:
        out["states"] = system.states.tolist()
    out["probs"] = system.probs.tolist()
    return out


def system_from_dict(data: Mapping[str, Any]) -> System:
    """A System from its JSON object (see the module docstring for the format).

    Examples
    --------
    >>> from natabs.io import system_from_dict
    >>> system_from_dict({"format": "natabs.system", "version": 1, "cards": [3],
    ...                   "codes": [0, 2], "probs": [0.25, 0.75]}).states
    array([[0],
           [2]], dtype=uint8)
    """
    data = dict(data)
    _check_header(data, SYSTEM_FORMAT)
    where = "the system"
    cards = _require(data, "cards", where)
    if not isinstance(cards, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in cards
    ):
        raise InvalidInputError(f'"cards" must be a list of integers, got {cards!r}')
    names = data.get("names")
    if names is not None and not isinstance(names, list):
        raise InvalidInputError(f'"names" must be a list of strings, got {names!r}')
    probs = _require(data, "probs", where)
    if not isinstance(probs, list) or not all(
        isinstance(p, (int, float)) and not isinstance(p, bool) for p in probs
    ):
        raise InvalidInputError('"probs" must be a list of numbers')
    try:
        probs_arr = np.array(probs, dtype=np.float64)
    except OverflowError:
        raise InvalidInputError('"probs" holds a number too large for a float') from None
    has_states, has_codes = "states" in data, "codes" in data
    if has_states == has_codes:
        raise InvalidInputError('the system needs exactly one of "states" or "codes"')
    if has_codes:
        return System.from_codes(_int_array(data["codes"], "codes", 1), probs_arr, cards, names)
    states = _int_array(data["states"], "states", 2)
    if states.size == 0:
        states = states.reshape(0, len(cards))
    return System(states, probs_arr, cards, names)


def to_json(
    system: System,
    path: str | os.PathLike | IO[str] | None = None,
    *,
    codes: bool = False,
    indent: int | None = None,
) -> str | None:
    """Write a System as JSON; return the text when ``path`` is None.

    Parameters
    ----------
    system : System
    path : str, os.PathLike, text file or None
        Where to write; ``None`` returns the JSON text instead.
    codes : bool
        Write mixed-radix ``codes`` instead of ``states`` rows (smaller for many variables).
    indent : int, optional
        Pretty-print with this indentation.

    Examples
    --------
    >>> import natabs as na
    >>> text = na.io.to_json(na.systems.parity(2), codes=True)
    >>> na.io.from_json(text).same_law(na.systems.parity(2))
    True
    """
    return _dump(system_to_dict(system, codes=codes), path, indent)


def from_json(source: Source) -> System:
    """Read a System from a path, open file, JSON text or dict.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.io.from_json('{"format": "natabs.system", "version": 1, "cards": [2, 2],'
    ...                     ' "states": [[0, 1], [1, 0]], "probs": [0.5, 0.5]}')
    >>> s
    System(n=2, cards=(2, 2), support=2, names=('x0', 'x1'))
    """
    return system_from_dict(_load(source, "system"))


# -- DAG models ------------------------------------------------------------------------------


def dag_from_json(source: Source) -> Any:
    """Read a JSON DAG model into a networkx DiGraph with conditional tables.

    Each node carries ``card`` (int), ``parents`` (list of parent names, the order of the
    table's axes) and ``cpd`` (float array of shape ``(parent cards..., card)``); nodes are
    added in file order, which is the variable order of
    :meth:`natabs.System.from_dag` and ``FactorGraph.from_dag``.

    Examples
    --------
    >>> import natabs as na
    >>> G = na.io.dag_from_json({"format": "natabs.dag", "version": 1, "nodes": [
    ...     {"name": "a", "card": 2, "parents": [], "cpd": [0.5, 0.5]},
    ...     {"name": "b", "card": 2, "parents": ["a"], "cpd": [[1, 0], [0, 1]]}]})
    >>> list(G.edges), G.nodes["b"]["cpd"].shape
    ([('a', 'b')], (2, 2))
    >>> na.System.from_dag(G).same_law(na.System([[0, 0], [1, 1]], [0.5, 0.5], [2, 2], ["a", "b"]))
    True
    """
    import networkx as nx

    from .systems._dag import check_dag

    data = _load(source, "DAG model")
    _check_header(data, DAG_FORMAT)
    nodes = _require(data, "nodes", "the DAG model")
    if not isinstance(nodes, list) or not nodes:
        raise InvalidInputError('"nodes" must be a non-empty list of node objects')
    G = nx.DiGraph()
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise InvalidInputError(f"node {i} must be a JSON object, got {type(node).__name__}")
        where = f"node {i}"
        name = _require(node, "name", where)
        if not isinstance(name, str):
            raise InvalidInputError(f'{where}: "name" must be a string, got {name!r}')
        if name in G:
            raise InvalidInputError(f"node name {name!r} appears more than once")
        card = _require(node, "card", f"node {name!r}")
        parents = node.get("parents", [])
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise InvalidInputError(f'node {name!r}: "parents" must be a list of node names')
        try:
            cpd = np.array(_require(node, "cpd", f"node {name!r}"), dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInputError(
                f'node {name!r}: "cpd" must be nested lists of numbers of shape (parent cards..., card)'
            ) from None
        G.add_node(name, card=card, parents=list(parents), cpd=cpd)
    names = set(G.nodes)
    for name in list(G.nodes):
        for p in G.nodes[name]["parents"]:
            if p not in names:
                raise InvalidInputError(f"node {name!r} has parent {p!r}, which is not a node")
            G.add_edge(p, name)
    check_dag(G)
    return G


def dag_to_json(
    G: Any,
    path: str | os.PathLike | IO[str] | None = None,
    *,
    cpd: str = "cpd",
    indent: int | None = None,
) -> str | None:
    """Write a DAG with conditional tables (as :func:`dag_from_json` reads it) as JSON.

    Examples
    --------
    >>> import natabs as na
    >>> text = '{"format": "natabs.dag", "version": 1, "nodes": [{"name": "a", "card": 2, "parents": [], "cpd": [0.25, 0.75]}]}'
    >>> na.io.dag_to_json(na.io.dag_from_json(text)) == text
    True
    """
    from .systems._dag import check_dag

    spec = check_dag(G, cpd=cpd)
    nodes = [
        {"name": str(v), "card": c, "parents": [str(spec.nodes[j]) for j in ps], "cpd": t.tolist()}
        for v, c, ps, t in zip(spec.nodes, spec.cards, spec.parents, spec.cpds)
    ]
    return _dump({"format": DAG_FORMAT, "version": VERSION, "nodes": nodes}, path, indent)


# -- factor graphs ---------------------------------------------------------------------------


def factor_graph_from_json(source: Source) -> Any:
    """Read a Markov random field in the ``natabs.factors`` format into a FactorGraph.

    Examples
    --------
    >>> import natabs as na
    >>> fg = na.io.factor_graph_from_json({"format": "natabs.factors", "version": 1,
    ...     "names": ["a", "b"], "factors": [{"scope": ["a", "b"], "table": [[3, 1], [1, 3]]}]})
    >>> fg
    FactorGraph(kind='mrf', n=2, cards=2, factors=1)
    >>> fg.to_system().to_table()
    array([[0.375, 0.125],
           [0.125, 0.375]])
    """
    from .systems._factor_graph import FactorGraph

    data = _load(source, "factor graph")
    _check_header(data, FACTORS_FORMAT)
    names = data.get("names")
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(v, str) for v in names)
    ):
        raise InvalidInputError(f'"names" must be a list of strings, got {names!r}')
    log = data.get("log", False)
    if not isinstance(log, bool):
        raise InvalidInputError(f'"log" must be true or false, got {log!r}')
    factors = _require(data, "factors", "the factor graph")
    if not isinstance(factors, list) or not factors:
        raise InvalidInputError('"factors" must be a non-empty list of {"scope", "table"} objects')
    index = {v: i for i, v in enumerate(names or ())}
    # Every variable appears in some factor, so n is at most the number of scope entries.
    n_max = (
        len(names)
        if names is not None
        else sum(
            len(f["scope"])
            for f in factors
            if isinstance(f, dict) and isinstance(f.get("scope"), list)
        )
    )
    scopes, tables = [], []
    for f, factor in enumerate(factors):
        where = f"factor {f}"
        if not isinstance(factor, dict):
            raise InvalidInputError(f"{where} must be a JSON object, got {type(factor).__name__}")
        scope = _require(factor, "scope", where)
        if not isinstance(scope, list):
            raise InvalidInputError(f'{where}: "scope" must be a list of variables, got {scope!r}')
        resolved = []
        for v in scope:
            if isinstance(v, str) and v in index:
                resolved.append(index[v])
            elif isinstance(v, int) and not isinstance(v, bool) and 0 <= v < n_max:
                resolved.append(v)
            else:
                known = (
                    'a name in "names" or its index' if names is not None else "an index 0 .. n-1"
                )
                raise InvalidInputError(
                    f"{where}: scope entry {v!r} is not a variable (give {known})"
                )
        try:
            table = np.array(_require(factor, "table", where), dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInputError(
                f'{where}: "table" must be nested lists of numbers, one axis per scope variable'
            ) from None
        scopes.append(resolved)
        tables.append(table)
    return FactorGraph.from_factors(scopes, tables, names=names, log=log)
