"""Chains split into ranges across the workers of an executor, and merged.

Chain ``c`` of a run with seed ``s`` draws from its own stream ``(s, c)`` in the Rust
engine (``GibbsChains(..., first_chain=a)`` runs chains ``a, a+1, ...`` of a larger run).
Given initial states are split: each worker gets its slice and its first chain index; the
uniform start is drawn by each worker for its own chains, chain ``c`` from its own stream
as in a single-process run. Putting the ranges back
in order therefore gives the single-process run bit for bit, whatever the executor, the
number of workers or the order in which ranges finish.

Examples
--------
>>> from natabs.measures._split import ranges
>>> ranges(10, 3)
[(0, 4), (4, 7), (7, 10)]
"""

from __future__ import annotations

from concurrent.futures import Executor, as_completed
from typing import Any

import numpy as np

from ._sampling import _bar, _Plan, _run_range

__all__ = ["parts_for", "ranges", "run_split"]

#: Ranges used when the executor does not say how many workers it has.
DEFAULT_PARTS = 4


#: Chains swept together on the multi-spin path (a batch of 4 words of 64 chains, whose
#: random bits are drawn for the batch): ranges there hold whole batches.
GROUP = 256


def ranges(chains: int, parts: int, group: int = 1) -> list[tuple[int, int]]:
    """At most ``parts`` contiguous ranges ``[a, b)`` covering ``0 .. chains``.

    Every boundary is a multiple of ``group`` and every range holds at least ``group``
    chains (the last one takes the rest); sizes otherwise differ by at most one group.

    Examples
    --------
    >>> from natabs.measures._split import ranges
    >>> ranges(5, 8)
    [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    >>> ranges(200, 4, group=64)
    [(0, 64), (64, 128), (128, 200)]
    """
    units, rest = divmod(chains, group)
    if units == 0:
        return [(0, chains)]
    parts = max(1, min(parts, units))
    size, extra = divmod(units, parts)
    out, a = [], 0
    for i in range(parts):
        b = a + (size + (i < extra)) * group
        out.append((a, b))
        a = b
    out[-1] = (out[-1][0], chains)
    return out


def parts_for(executor: Any) -> int:
    """How many ranges to make for ``executor``: its number of workers (threads, for Dask).

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> from natabs.measures._split import parts_for
    >>> with ThreadPoolExecutor(3) as ex:
    ...     parts_for(ex)
    3
    """
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is not None:
        try:
            total = sum(client.nthreads().values())
        except Exception:  # noqa: BLE001 - a scheduler that cannot say: use the default
            total = 0
        if total > 0:
            return int(total)
    return DEFAULT_PARTS


def _part(x0: np.ndarray | int, a: int, b: int) -> np.ndarray | int:
    """Chains ``a .. b`` of the start: their states, or their number."""
    return np.ascontiguousarray(x0[a:b]) if isinstance(x0, np.ndarray) else b - a


def run_split(
    executor: Any, plan: _Plan, x0: np.ndarray | int, progress: bool = False
) -> tuple[Any, Any, int, bool, str]:
    """Run ``plan`` from the initial states ``x0`` (all chains; or the number of chains,
    from the uniform start) on ``executor``, merged.

    Returns what :func:`natabs.measures._sampling._run_range` returns for all chains.
    """
    if not isinstance(executor, Executor) and not callable(getattr(executor, "submit", None)):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor (e.g. a "
            f"ProcessPoolExecutor or distributed's client.get_executor()), "
            f"got {type(executor).__name__}"
        )
    chains = x0.shape[0] if isinstance(x0, np.ndarray) else int(x0)
    # Systematic sweeps of a lattice may run 64 chains to a word (multi-spin coding) in
    # batches of words that draw their random bits together: ranges then hold whole batches.
    group = GROUP if plan.scan == "systematic" and plan.fast else 1
    spans = ranges(chains, parts_for(executor), group)
    futures = {
        executor.submit(_run_range, plan, _part(x0, a, b), a): i for i, (a, b) in enumerate(spans)
    }
    bar = _bar(progress, chains, unit="chain")
    done: list[Any] = [None] * len(spans)
    try:
        for fut in as_completed(futures):
            i = futures[fut]
            done[i] = fut.result()
            if bar is not None:
                bar.update(spans[i][1] - spans[i][0])
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    finally:
        if bar is not None:
            bar.close()
    states = [d[0] for d in done]
    values = [d[1] for d in done]
    merged_states = np.concatenate(states, axis=1) if states[0] is not None else None
    merged_values = np.concatenate(values, axis=1) if values[0] is not None else None
    return merged_states, merged_values, done[0][2], all(d[3] for d in done), done[0][4]
