"""Running a task over a grid through an executor: :func:`sweep` and :class:`SweepResult`.

The client (this process) turns the grid into points, gives each its seed, submits the
points that are not finished yet and writes each finished point to the store the moment
it comes back. Workers run :func:`_call`: the task, its retries, and the conversion of the
result to plain data, so only plain data travels back. An exception raised by the task is
the point's failure, recorded with it; an exception raised by the executor (a worker that
died, a pool that broke) is the infrastructure's, and the point is submitted again.
"""

from __future__ import annotations

import dataclasses
import inspect
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from .._results import Result, jsonable, show
from ..errors import InvalidInputError, NatabsError
from ..measures._split import parts_for
from ._grid import key, point_seed, points
from ._store import Store, flatten, read_entries

__all__ = ["SweepError", "SweepResult", "load", "sweep"]

#: How many times a point is submitted again after its worker died or its pool broke.
RESUBMITS = 3


class SweepError(NatabsError, RuntimeError):
    """A point could not be run at all (its workers kept dying, or the executor broke).

    The points finished before it are in the store: run the sweep again to compute the rest.
    """


@dataclass(frozen=True, eq=False, repr=False)
class SweepResult(Result):
    """The records of a sweep, one per grid point, in the grid's order.

    Attributes
    ----------
    records : tuple of dict
        Each point's parameters, its ``seed`` (when the task takes one), then the fields of
        its result (``to_dict()`` of a result object, or the dict the task returned). A
        point whose task raised on every attempt has ``error`` (``"TypeName: message"``)
        instead of result fields.
    computed : int
        Points computed by this call; the others came from the store.
    reused : int
        Points read from the store.
    failed : tuple of dict
        The records that have an ``error``.
    store : str or None
        The store directory.

    A result is a sequence of its records: ``len(res)``, ``res[0]``, ``for r in res``.

    Examples
    --------
    >>> import natabs as na
    >>> def task(n):
    ...     return {"bits": na.conserved_information(na.systems.copies(n), k=1)}
    >>> res = na.sweep(task, {"n": [2, 3]}, executor="serial", progress=False)
    >>> res
    SweepResult(points=2, computed=2, reused=0, failed=0)
    >>> res[1]
    {'n': 3, 'bits': 1.0}
    """

    records: tuple[dict[str, Any], ...] = field(metadata=show(len, name="points"))
    computed: int
    reused: int
    failed: tuple[dict[str, Any], ...] = field(metadata=show(len))
    store: str | None = None

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.records[i]

    def to_frame(self):
        """The records as a pandas DataFrame (needs pandas); nested fields get dotted names.

        Examples
        --------
        >>> import natabs as na
        >>> def task(n):
        ...     return {"bits": na.conserved_information(na.systems.copies(n), k=1)}
        >>> res = na.sweep(task, {"n": [2, 3]}, executor="serial", progress=False)
        >>> res.to_frame().shape
        (2, 2)
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_frame needs pandas: pip install pandas") from None
        return pd.DataFrame([flatten(r) for r in self.records])


def sweep(
    task: Callable[..., Any],
    grid: Any,
    *,
    seed: int = 0,
    executor: Any = None,
    store: Any = None,
    store_format: str = "jsonl",
    retries: int = 0,
    retry_failed: bool = False,
    progress: bool = True,
) -> SweepResult:
    """Run ``task`` at every point of ``grid``, through any executor, resumably.

    Parameters
    ----------
    task : callable
        Called as ``task(**point)`` (plus ``seed=`` when it takes a ``seed`` argument and
        the grid has none). Returns a result object (its ``to_dict()`` is recorded), a
        dataclass, a dict, or a number (recorded as ``value``). With an executor other
        than ``"serial"`` it must be picklable: a function defined at the top of a module
        (Dask also takes functions defined in ``__main__`` or a notebook).
    grid : mapping or list of mappings
        ``{"L": [8, 16], "T": [2.0, 2.5]}`` (every combination, the last name varying
        fastest) or an explicit list of points ``[{"L": 8, "T": 2.0}, ...]``. Values are
        numbers, strings, booleans, None or lists of them; name systems or
        transformations by strings and build them in the task. An empty mapping ``{}``
        is refused; ``[{}]`` is one point with no parameters.
    seed : int
        The sweep's seed. Point ``p`` gets the seed ``SeedSequence([seed, sha256(p)])``:
        records never depend on the executor, the workers or the order of completion.
    executor : concurrent.futures.Executor, ``"serial"``, or None
        Where points run. None: a local process pool (``spawn``), one worker per core,
        shut down at the end. Dask: ``distributed.Client(...).get_executor()``. Ray: a
        three-line adapter (the guide, "Sweeps on a cluster"). Any object whose
        ``submit(fn, *args)`` returns a :class:`concurrent.futures.Future` works.
        ``"serial"``: in this process.
    store : path, optional
        A directory where each point is written as it finishes (see
        :mod:`natabs.sweeps`). Running the same sweep again computes only the points the
        store lacks and returns the same records.
    store_format : {'jsonl', 'parquet'}
        ``'parquet'`` also writes ``records.parquet`` at the end (needs pyarrow).
    retries : int
        Extra attempts of a point whose task raised; after them the point is recorded as
        failed with its error, and the others go on.
    retry_failed : bool
        Compute again the points the store holds as failed (by default a failed point is
        a finished point: its error is its record).
    progress : bool
        A progress bar over points, when tqdm is installed.

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepError
        A point could not be run (its workers died too often, or the executor broke);
        the finished points are in the store.

    Examples
    --------
    >>> import natabs as na
    >>> def task(n, p, seed):
    ...     system = na.systems.noisy_copies(n, p)
    ...     return {"bits": na.conserved_information(system, k=1), "seed_used": seed}
    >>> res = na.sweep(task, {"n": [3, 4], "p": [0.0, 0.1]}, executor="serial", progress=False)
    >>> res
    SweepResult(points=4, computed=4, reused=0, failed=2)
    >>> [(r["n"], r["p"], r.get("bits")) for r in res]
    [(3, 0.0, None), (3, 0.1, 0.0), (4, 0.0, None), (4, 0.1, 0.0)]
    >>> res.failed[0]["error"]
    'InvalidInputError: p must lie strictly between 0 and 1, got 0.0'
    >>> res[1]["seed"] == res[1]["seed_used"]      # each point's own seed
    True

    The same sweep on Dask (``pip install "natabs[dask]"``)::

        from distributed import Client
        with Client("tcp://scheduler:8786") as client:
            res = na.sweep(task, grid, executor=client.get_executor(), store="runs/ising")
    """
    if not callable(task):
        raise TypeError(
            f"task must be a callable of the grid's parameters, got {type(task).__name__}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInputError(f"seed must be an integer >= 0, got {seed!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidInputError(f"retries must be an integer >= 0, got {retries!r}")
    if not (
        executor is None or executor == "serial" or callable(getattr(executor, "submit", None))
    ):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, 'serial' or None, "
            f"got {type(executor).__name__}"
        )
    pts = points(grid)
    keys = [key(p) for p in pts]
    with_seed = _takes_seed(task) and not any("seed" in p for p in pts)
    seeds = [point_seed(seed, k) if with_seed else None for k in keys]
    st = (
        Store(store, seed=seed, task=_task_name(task), store_format=store_format)
        if store is not None
        else None
    )
    entries = st.load() if st is not None else {}
    todo = [
        i
        for i, k in enumerate(keys)
        if k not in entries or (retry_failed and not entries[k].get("ok", False))
    ]
    reused = len(pts) - len(todo)

    if todo and executor is None:
        try:
            pickle.dumps(task)
        except Exception as e:  # noqa: BLE001 - any failure to pickle means the same here
            raise TypeError(
                f"the local process pool cannot send the task to its workers ({e}): define "
                f"it at the top level of a module, or pass executor='serial', or a Dask "
                f"executor (Dask pickles functions defined anywhere)"
            ) from None
    if todo:
        # without an executor, _run shuts the local pool down (and any it restarts)
        own = executor is None
        ex = _local_pool(len(todo)) if own else executor
        run = _run(ex, own, task, todo, pts, keys, seeds, retries + 1, progress)
        for i, entry in run:
            entries[keys[i]] = entry
            if st is not None:
                st.append(entry)

    records = [_record(entries[k]) for k in keys]
    if st is not None:
        st.finish(records)
    return SweepResult(
        records=tuple(records),
        computed=len(todo),
        reused=reused,
        failed=tuple(r for r in records if "error" in r),
        store=str(st.path) if st is not None else None,
    )


def load(store: Any) -> SweepResult:
    """The records a store holds, in the order they finished (no task is run).

    Examples
    --------
    >>> import tempfile, natabs as na
    >>> from natabs.sweeps import load
    >>> def task(n):
    ...     return {"bits": na.conserved_information(na.systems.copies(n), k=1)}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = na.sweep(task, {"n": [2, 3]}, executor="serial", store=d, progress=False)
    ...     load(d)
    SweepResult(points=2, computed=0, reused=2, failed=0, store=...)
    """
    from pathlib import Path

    from ._store import JOURNAL

    path = Path(store)
    if not path.is_dir():
        raise InvalidInputError(f"store {str(path)!r} is not a directory")
    latest = {e["key"]: e for e in read_entries(path / JOURNAL)}
    records = [_record(e) for e in latest.values()]
    return SweepResult(
        records=tuple(records),
        computed=0,
        reused=len(records),
        failed=tuple(r for r in records if "error" in r),
        store=str(path),
    )


# -- on the workers ------------------------------------------------------------------------------


def _call(
    task: Callable[..., Any], params: dict[str, Any], seed: int | None, attempts: int
) -> tuple[bool, Any, int]:
    """Run one point: ``(True, result dict, attempts)`` or ``(False, error, attempts)``."""
    kwargs = dict(params)
    if seed is not None:
        kwargs["seed"] = seed
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            return True, _as_dict(task(**kwargs)), attempt
        except Exception as e:  # noqa: BLE001 - the point's failure, recorded with it
            error = f"{type(e).__name__}: {e}"
    return False, error, attempts


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, Mapping):
        data = dict(result)
    elif callable(getattr(result, "to_dict", None)):
        data = result.to_dict()
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        data = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    elif result is None or isinstance(result, (bool, int, float, str)) or hasattr(result, "dtype"):
        data = {"value": result}
    else:
        raise TypeError(
            f"the task returned a {type(result).__name__}: return a result "
            f"object, a dataclass, a dict or a number"
        )
    out = jsonable(data)
    if not isinstance(out, dict):
        raise TypeError(f"the task's result became {type(out).__name__}, not a dict")
    return out


def _limit_threads(threads: int) -> None:
    """Pool initializer: each worker's Rust engine uses its share of the cores."""
    os.environ.setdefault("RAYON_NUM_THREADS", str(threads))


# -- in the client ---------------------------------------------------------------------------------


class _Serial(Executor):
    """Runs each point at once, in this process."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(e)
        return fut


def _local_pool(points_left: int) -> ProcessPoolExecutor:
    cores = os.cpu_count() or 1
    workers = max(1, min(cores, points_left))
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_limit_threads,
        initargs=(max(1, cores // workers),),
    )


def _run(ex: Any, own: bool, task, todo, pts, keys, seeds, attempts, progress):
    """Yield ``(index, store entry)`` for each point of ``todo`` as it finishes."""
    serial = ex == "serial"
    if serial:
        ex = _Serial()
    # serial: one point at a time, so each is stored the moment it is computed
    window = 1 if serial else max(8, 4 * parts_for(ex))
    queue = list(reversed(todo))  # pop() takes the grid's order
    tries = dict.fromkeys(todo, 0)
    running: dict[Future, int] = {}
    bar = _bar(progress, len(todo))
    try:
        while queue or running:
            while queue and len(running) < window:
                i = queue.pop()
                tries[i] += 1
                try:
                    fut = ex.submit(_call, task, pts[i], seeds[i], attempts)
                except Exception as e:  # a broken or closed executor
                    raise SweepError(
                        f"the executor takes no more points ({type(e).__name__}: {e}); "
                        f"the finished points are in the store: run the sweep again "
                        f"to compute the rest"
                    ) from e
                running[fut] = i
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            broken = False
            for fut in sorted(finished, key=running.__getitem__):
                i = running.pop(fut)
                try:
                    ok, value, used = fut.result()
                except Exception as e:  # the executor's failure, not the point's
                    if tries[i] > RESUBMITS or isinstance(e, pickle.PicklingError):
                        raise SweepError(
                            f"point {keys[i]} could not be run {tries[i]} times "
                            f"({type(e).__name__}: {e}); the finished points are in the "
                            f"store: run the sweep again to compute the rest"
                        ) from e
                    queue.append(i)
                    broken = broken or (own and isinstance(e, BrokenProcessPool))
                    continue
                entry = {
                    "key": keys[i],
                    "params": pts[i],
                    "seed": seeds[i],
                    "ok": ok,
                    "attempts": used,
                }
                entry["result" if ok else "error"] = value
                if bar is not None:
                    bar.update(1)
                yield i, entry
            if broken:  # a worker of our pool died: a new pool for what is left
                queue.extend(running.values())
                running.clear()
                ex.shutdown(wait=False, cancel_futures=True)
                ex = _local_pool(len(queue))
    except BaseException:  # interrupted (Ctrl-C, an error): do not wait for running points
        for fut in running:
            fut.cancel()
        if own:
            ex.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        if own:
            ex.shutdown(wait=True)
    finally:
        if bar is not None:
            bar.close()


def _record(entry: dict[str, Any]) -> dict[str, Any]:
    record = dict(entry["params"])
    if entry.get("seed") is not None:
        record["seed"] = entry["seed"]
    if not entry.get("ok"):
        record["error"] = entry.get("error")
        return record
    for name, value in entry["result"].items():
        record[name if name not in record else f"result.{name}"] = value
    return record


def _takes_seed(task: Callable[..., Any]) -> bool:
    """Whether the task names a ``seed`` argument (``**kwargs`` alone does not count)."""
    try:
        params = inspect.signature(task).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.name == "seed" and p.kind not in (p.POSITIONAL_ONLY, p.VAR_KEYWORD) for p in params
    )


def _task_name(task: Callable[..., Any]) -> str:
    """The task's qualified name; a functools.partial adds a digest of its bound arguments."""
    inner = getattr(task, "func", task)
    name = f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', type(inner).__name__)}"
    if inner is not task:
        import hashlib

        bound = repr((getattr(task, "args", ()), sorted(getattr(task, "keywords", {}).items())))
        name += f"[{hashlib.sha256(bound.encode()).hexdigest()[:12]}]"
    return name


def _bar(progress: bool, total: int):
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # the bar is a nicety
        return None
    return tqdm(total=total, unit="point", file=sys.stderr)
