"""Where a sweep keeps its finished points: a directory.

- ``sweep.json``: the sweep's seed and task, checked when the sweep is run again (a store
  belongs to one sweep; a different seed or task needs another directory).
- ``points.jsonl``: one JSON line per finished point, appended as it completes and flushed
  at once, so an interrupted client, a killed worker or a crash loses no finished point.
  A line cut short by a crash is ignored; a later line for the same point wins (a point
  that failed and then succeeded).
- ``records.parquet`` (``store_format='parquet'``, needs pyarrow): the records as one
  table, written when the sweep finishes, nested result fields flattened to dotted
  column names.

Examples
--------
>>> import tempfile
>>> from natabs.sweeps._store import Store
>>> with tempfile.TemporaryDirectory() as d:
...     s = Store(d, seed=0, task="demo")
...     s.append({"key": '{"n":1}', "params": {"n": 1}, "ok": True, "result": {"x": 2}})
...     sorted(Store(d, seed=0, task="demo").load())
['{"n":1}']
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError

__all__ = ["FORMATS", "Store", "flatten", "read_entries"]

#: Store formats: the JSON Lines journal alone, or also a Parquet table at the end.
FORMATS = ("jsonl", "parquet")
META = "sweep.json"
JOURNAL = "points.jsonl"
TABLE = "records.parquet"


class Store:
    """A sweep's directory: its identity, the journal of finished points, the table."""

    def __init__(self, path: Any, *, seed: int, task: str, store_format: str = "jsonl"):
        if store_format not in FORMATS:
            raise InvalidInputError(f"store_format must be one of {FORMATS}, got {store_format!r}")
        if store_format == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ImportError(
                    'store_format="parquet" needs pyarrow: pip install "natabs[parquet]"'
                ) from None
        self.path = Path(path)
        self.format = store_format
        if self.path.exists() and not self.path.is_dir():
            raise InvalidInputError(f"store {str(self.path)!r} exists and is not a directory")
        self.path.mkdir(parents=True, exist_ok=True)
        meta = {"natabs_sweep": 1, "seed": seed, "task": task}
        meta_path = self.path / META
        if meta_path.exists():
            try:
                old = json.loads(meta_path.read_text())
            except ValueError:
                raise InvalidInputError(
                    f"{meta_path} is not a sweep's description (not JSON): use an empty directory"
                ) from None
            for name in ("seed", "task"):
                if old.get(name) != meta[name]:
                    raise InvalidInputError(
                        f"store {str(self.path)!r} holds a sweep with {name} "
                        f"{old.get(name)!r}, not {meta[name]!r}: use another directory "
                        f"(or the same {name}) so records of different sweeps never mix"
                    )
        else:
            tmp = meta_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(meta) + "\n")
            os.replace(tmp, meta_path)

    def load(self) -> dict[str, dict[str, Any]]:
        """The finished points by key (failed ones included, with ``ok`` false)."""
        return {e["key"]: e for e in read_entries(self.path / JOURNAL)}

    def append(self, entry: dict[str, Any]) -> None:
        """Write one finished point; it is on disk (in the OS) when this returns."""
        line = (json.dumps(entry, separators=(",", ":"), allow_nan=False) + "\n").encode()
        fd = os.open(self.path / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def finish(self, records: list[dict[str, Any]]) -> None:
        """Write the Parquet table of the records (``store_format='parquet'`` only)."""
        if self.format != "parquet":
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([flatten(r) for r in records])
        tmp = self.path / (TABLE + ".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path / TABLE)


def read_entries(path: Path) -> list[dict[str, Any]]:
    """The journal's entries in the order written; lines cut short by a crash skipped."""
    if not path.exists():
        return []
    out = []
    with open(path, "rb") as f:
        for line in f:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                out.append(entry)
    return out


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted names: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``.

    Examples
    --------
    >>> from natabs.sweeps._store import flatten
    >>> flatten({"L": 4, "diagnostics": {"ess": [1.0], "frozen": 0.0}})
    {'L': 4, 'diagnostics.ess': [1.0], 'diagnostics.frozen': 0.0}
    """
    out: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out
