"""``natabs sweep SPEC.toml``: a measure over a grid of systems and arguments.

The TOML file names a measure, a system and the grid::

    measure = "sampled_surviving_information"   # see MEASURES
    seed = 0                                    # the sweep's seed (default 0)
    store = "runs/ising"                        # optional; --store overrides it

    [system]
    kind = "ising_lattice"                      # a catalog name, or ising_lattice
    L = 8                                       # fixed parameters of the system

    [args]                                      # fixed keyword arguments of the measure
    statistic = "majority"
    sweeps = [1, 10]
    chains = 2000

    [grid]                                      # every combination of these
    system.beta = [0.3, 0.44, 0.6]              # "system.NAME" varies the system
    k = [1]                                     # any other name varies the measure

Each point builds its system and calls the measure; a measure that takes ``seed`` gets the
point's seed (unless ``[args]`` or the grid gives one). Records print as a table, or as
JSON with ``--json``. Without ``--scheduler`` the points run on a local process pool;
with it, on the Dask cluster whose scheduler listens there.

Examples
--------
>>> import pathlib, tempfile
>>> from natabs.cli import main
>>> spec = '''
... measure = "conserved_information"
... [system]
... kind = "copies"
... [grid]
... system.n = [2, 3]
... k = [1, 3]
... '''
>>> with tempfile.TemporaryDirectory() as d:
...     path = pathlib.Path(d, "spec.toml")
...     _ = path.write_text(spec)
...     main(["sweep", str(path), "--serial"])
system.n  k  value
       2  1  1
       2  3  0
       3  1  1
       3  3  0
4 points: 4 computed, 0 from the store, 0 failed
0
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from typing import Any

from ..errors import InvalidInputError

__all__ = ["MEASURES", "SYSTEMS", "load_spec", "register", "run_spec"]

#: Measures a spec may name (functions of natabs).
MEASURES = (
    "conserved_information",
    "conserved",
    "surviving_information",
    "spectrum",
    "sampled_surviving_information",
)
#: Systems besides the catalog (natabs.systems.catalog()): factor graphs.
SYSTEMS = ("ising_lattice",)
#: Keys a spec may have at its top level.
TOP_KEYS = (
    "measure",
    "seed",
    "store",
    "store_format",
    "retries",
    "system",
    "args",
    "grid",
)


def load_spec(path: str) -> dict[str, Any]:
    """The spec in a TOML file, checked.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from natabs.cli._sweep import load_spec
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "s.toml")
    ...     _ = p.write_text('measure = "spectrum"\\n[system]\\nkind = "copies"\\n'
    ...                      '[grid]\\nsystem.n = [2, 3]')
    ...     load_spec(str(p))["grid"]
    {'system.n': [2, 3]}
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            spec = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise InvalidInputError(f"{path}: not valid TOML ({e})") from None
    unknown = sorted(set(spec) - set(TOP_KEYS))
    if unknown:
        raise InvalidInputError(f"{path}: unknown key(s) {unknown}; a spec has {list(TOP_KEYS)}")
    measure = spec.get("measure")
    if measure not in MEASURES:
        raise InvalidInputError(f"{path}: measure must be one of {list(MEASURES)}, got {measure!r}")
    system = spec.get("system")
    if not isinstance(system, dict) or "kind" not in system:
        raise InvalidInputError(f'{path}: a [system] table with kind = "..." is needed')
    _system_factory(system["kind"])
    grid = spec.get("grid", {})
    if not isinstance(grid, dict) or not grid:
        raise InvalidInputError(
            f"{path}: a [grid] table with at least one list of values is needed"
        )
    flat: dict[str, Any] = {}
    for name, values in grid.items():
        if isinstance(values, dict):  # system.beta = [...] parses as {"system": {"beta": ...}}
            for sub, vals in values.items():
                flat[f"{name}.{sub}"] = vals
        else:
            flat[name] = values
    if not flat:  # [grid.system] with nothing in it
        raise InvalidInputError(
            f"{path}: a [grid] table with at least one list of values is needed "
            f"(it has none: {grid!r})"
        )
    for name in flat:
        if "." in name and not name.startswith("system."):
            raise InvalidInputError(f"{path}: grid name {name!r}: only system.NAME has a dot")
    args = spec.get("args", {})
    if not isinstance(args, dict):
        raise InvalidInputError(f"{path}: [args] must be a table of keyword arguments")
    return {**spec, "grid": flat, "args": args}


def _system_factory(kind: Any):
    from .. import systems
    from ..systems import FactorGraph

    if kind == "ising_lattice":
        return FactorGraph.ising_lattice
    cat = systems.catalog()
    if kind not in cat:
        raise InvalidInputError(
            f"system kind must be a catalog name ({', '.join(cat)}) or one of {list(SYSTEMS)}, "
            f"got {kind!r}"
        )
    return cat[kind]


def _measure(name: str):
    import natabs

    return getattr(natabs, name)


class SpecTask:
    """The task of a spec: build the point's system, call the measure (picklable)."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = json.dumps({k: spec[k] for k in ("measure", "system", "args")}, sort_keys=True)
        digest = hashlib.sha256(self.spec.encode()).hexdigest()[:12]
        self.__qualname__ = f"SpecTask[{spec['measure']}:{digest}]"
        names = list(spec["grid"])
        takes = "seed" in inspect.signature(_measure(spec["measure"])).parameters
        self.seeded = takes and "seed" not in spec["args"] and "seed" not in names
        # what natabs.sweep reads to decide whether to pass the point's seed
        params = [inspect.Parameter("point", inspect.Parameter.VAR_KEYWORD)]
        if self.seeded:
            params.insert(0, inspect.Parameter("seed", inspect.Parameter.KEYWORD_ONLY))
        self.__signature__ = inspect.Signature(params)

    def __getstate__(self) -> dict[str, Any]:
        return {"spec": self.spec, "seeded": self.seeded}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec, self.seeded = state["spec"], state["seeded"]

    def __call__(self, **point: Any) -> Any:
        spec = json.loads(self.spec)
        system_kw = {k: v for k, v in spec["system"].items() if k != "kind"}
        measure_kw = dict(spec["args"])
        for name, value in point.items():
            if name.startswith("system."):
                system_kw[name[len("system.") :]] = value
            else:
                measure_kw[name] = value
        system = _system_factory(spec["system"]["kind"])(**system_kw)
        fn = _measure(spec["measure"])
        if spec["measure"] == "sampled_surviving_information":
            statistic = measure_kw.pop("statistic", "majority")
            return fn(system, statistic, **measure_kw)
        if spec["measure"] == "surviving_information":
            steps = measure_kw.pop("steps", [0, 1, 10])
            return fn(system, steps, **measure_kw)
        return fn(system, **measure_kw)


def run_spec(
    spec: dict[str, Any],
    *,
    executor: Any = None,
    store: Any = None,
    progress: bool = True,
):
    """Run a loaded spec; returns the :class:`~natabs.sweeps.SweepResult`."""
    from ..sweeps import sweep

    store = store if store is not None else spec.get("store")
    return sweep(
        SpecTask(spec),
        spec["grid"],
        seed=spec.get("seed", 0),
        executor=executor,
        store=store,
        store_format=spec.get("store_format", "jsonl"),
        retries=spec.get("retries", 0),
        progress=progress,
    )


def _sweep(args: Any) -> int:
    spec = load_spec(args.spec)
    executor: Any = "serial" if args.serial else None
    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise ImportError('--scheduler needs Dask: pip install "natabs[dask]"') from None
        client = Client(args.scheduler, timeout="30s")
        executor = client.get_executor()
    try:
        res = run_spec(
            spec,
            executor=executor,
            store=args.store,
            progress=not args.json and sys.stderr.isatty(),
        )
    finally:
        if client is not None:
            client.close()
    if args.json:
        from .._results import jsonable

        print(json.dumps(jsonable({"spec": args.spec, **res.to_dict()}), indent=2))
    else:
        _print_table(list(spec["grid"]), res)
    return 0


def _short(value: Any) -> str | None:
    """A cell: numbers and short lists of numbers; None for what a table cannot show."""
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if (
        isinstance(value, list)
        and 0 < len(value) <= 6
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        return "[" + ", ".join(f"{v:.4g}" for v in value) + "]"
    return None


def _cell(value: Any) -> str:
    return _short(value) or ("" if value is None else str(value))


def _print_table(names: list[str], res: Any) -> None:
    skip = {*names, "seed", "result.seed", "error"}
    fields: list[str] = []
    for r in res:
        for k, v in r.items():
            if k not in skip and k not in fields and _short(v) is not None:
                fields.append(k)
    cols = [*names, *fields]
    body = []
    for r in res:
        if "error" in r:
            body.append(([_cell(r[n]) for n in names], f"error: {r['error']}"))
        else:
            body.append(([_cell(r.get(c)) for c in cols], ""))
    widths = [
        max(len(c), *(len(cells[i]) for cells, _ in body if i < len(cells)))
        for i, c in enumerate(cols)
    ]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths)))
    for cells, tail in body:
        line = "  ".join(c.rjust(w) for c, w in zip(cells, widths))
        print(f"{line}  {tail}".rstrip())
    print(
        f"{len(res)} points: {res.computed} computed, {res.reused} from the store, "
        f"{len(res.failed)} failed"
    )


def register(sub: Any) -> None:
    """Add ``natabs sweep`` to the subcommands (one line in ``_parser.SUBCOMMANDS``)."""
    import argparse

    p = sub.add_parser(
        "sweep",
        help="a measure over a grid of systems and arguments (TOML spec)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a measure at every point of a grid described by a TOML file, on a local\n"
        "process pool or a Dask cluster, storing each point as it finishes; rerun with the\n"
        "same --store to compute only what is missing (format: python -m pydoc\n"
        "natabs.cli._sweep).",
        epilog="examples:\n  natabs sweep ising.toml\n  natabs sweep ising.toml --store runs/ising\n"
        "  natabs sweep ising.toml --scheduler tcp://10.0.0.1:8786 --json > ising.json",
    )
    p.add_argument("spec", metavar="SPEC.toml", help="the sweep: measure, system, grid")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786); default: local processes",
    )
    p.add_argument("--store", metavar="DIR", help="store each point here; rerun to resume")
    p.add_argument("--serial", action="store_true", help="run the points in this process")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(run=_sweep)
