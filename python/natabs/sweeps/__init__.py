"""Sweeps: a task run over a grid of parameters, on any executor, resumably.

Research with natabs is a grid — sizes, noise, block sizes, transformations, times, seeds.
:func:`sweep` runs a task at every point through any :class:`concurrent.futures.Executor`
(a local process pool by default; Dask with ``distributed.Client(...).get_executor()``
for many machines), writes each finished point to a store as it completes, and returns
the records. Records depend only on the sweep's seed and the points: not on the executor,
the number of workers or the order of completion.

A store is a directory (format in :mod:`natabs.sweeps._store`): ``sweep.json`` names the
sweep, ``points.jsonl`` holds one JSON line per finished point, and with
``store_format='parquet'`` the records are also written as ``records.parquet``. Run the
same sweep again after an interruption, a killed worker or a crashed client and only the
missing points are computed.

Examples
--------
>>> import natabs as na
>>> def task(n, k):
...     return na.conserved(na.systems.copies(n), k=k)
>>> res = na.sweep(task, {"n": [2, 3], "k": [1, 2]}, executor="serial", progress=False)
>>> [(r["n"], r["k"], r["bits"]) for r in res]
[(2, 1, 1.0), (2, 2, 0.0), (3, 1, 1.0), (3, 2, 1.0)]
"""

from __future__ import annotations

from ._run import SweepError, SweepResult, load, sweep

__all__ = ["SweepError", "SweepResult", "load", "sweep"]
