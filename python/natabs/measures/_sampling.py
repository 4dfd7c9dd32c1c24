"""Sampling block-Gibbs chains on a :class:`~natabs.FactorGraph` (THEORY §2).

:func:`sample` runs many independent chains in parallel in the Rust engine and records
them at the requested sweeps, either as full states or as statistics computed in Rust
(so large models do not fill memory). Every chain draws from its own random stream derived
from ``(seed, chain)``: the same seed gives the same result for any number of threads.

Initial states
--------------
- DAGs: exact ancestral sampling, so ``X^0 ~ P``.
- MRFs with at most :data:`EXACT_INIT_STATES` joint states: exact, via
  :meth:`FactorGraph.to_system`.
- Larger MRFs: every variable uniform at random, independently, then ``burn_in`` sweeps
  (default :data:`DEFAULT_BURN_IN`). Near or below a phase transition that is not
  stationary: pass ``init=`` (e.g. ordered states of random sign) and a larger ``burn_in``.

The uniform start is drawn in the Rust engine, in the form it holds the chains (packed
bits on the multi-spin path), so a call does not build a ``(chains, n)`` array unless it
records states: chain ``c`` draws from its own start stream ``(seed, c)`` (not one of
the streams its updates draw from). With binary variables, word ``b`` of that stream
gives the variables ``64 b .. 64 b + 63`` in the engine's order (row-major lattice order
on the lattice path), variable ``64 b + k`` being bit ``k``; otherwise variable ``i`` is a
uniform draw below its card. So the start of a chain depends on the seed and its index
only, never on the number of chains, threads or the path. (Before this, the uniform start
was drawn by numpy in Python: the same law, other draws.)

Examples
--------
>>> import natabs as na
>>> run = na.sample(na.FactorGraph.ising_lattice(4, beta=0.3), sweeps=[0, 5], chains=3, seed=1)
>>> run.states.shape, run.states.dtype
((2, 3, 16), dtype('uint8'))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _native
from .._results import Result
from .._validation import (
    check_bool,
    check_bytes,
    check_scan,
    check_threads,
    check_type,
    fmt_count,
    integer,
)
from ..systems._factor_graph import FactorGraph
from ._diagnostics import ChainDiagnostics, diagnose, warn_unmixed
from ._sampling_setup import (  # noqa: F401  (constants documented here)
    EXACT_INIT_STATES,
    DEFAULT_BURN_IN,
    MAX_RECORD_BYTES,
    START_BYTES,
    MAX_SWEEP,
    STATISTICS,
    _Compiled,
    _aligned,
    _derive,
    _dtype,
    _family,
    _initial,
    _max_card,
    _prepared,
    _record,
    _seed,
    _sweeps,
)

__all__ = ["sample", "SampleRun"]


@dataclass(frozen=True, eq=False, repr=False)
class SampleRun(Result):
    """What :func:`sample` recorded.

    Attributes
    ----------
    sweeps : tuple of int
        The sweeps at which the chains were read (sweep 0 is the initial state).
    chains, n : int
        Number of chains and of variables.
    record : str or tuple
        ``'states'``, a statistic's name, or the variables whose joint value was kept.
    states : ndarray or None
        With ``record='states'``: shape ``(len(sweeps), chains, n)``, smallest unsigned
        dtype holding every value.
    values : ndarray or None
        With a statistic: shape ``(len(sweeps), chains)``; ``float64`` magnetisations in
        ``[-1, 1]``, ``uint8`` majorities (0, 1, or 2 for a tie), or ``uint64`` joint
        value codes (first variable least significant).
    scan, blocks : str
        The scan and a description of the block family.
    seed : int
        The seed used (drawn at random when none was given, so a run can be repeated).
    steps_per_sweep : int
        Block steps in a sweep.
    fast : bool
        Whether the pairwise binary fast path ran.
    path : str
        The loop that ran: ``'multispin'`` (square periodic lattice, systematic scan, 64
        chains a word; see :func:`sample`), ``'lattice'`` (periodic or open ``R × C``
        lattice, one chain at a time or a few in lockstep), ``'pairwise'`` (binary pairwise heat bath on neighbour lists)
        or ``'generic'`` (block tables).
    diagnostics : ChainDiagnostics or None
        With a statistic recorded at 2 sweeps or more: split-R̂, effective sample size,
        integrated autocorrelation time (in sweeps) and the fraction of frozen chains (see
        :func:`natabs.sampling.diagnose`). :func:`sample` warns
        (:class:`~natabs.errors.NotMixedWarning`) when they say the chains have not mixed.

    Examples
    --------
    >>> import networkx as nx, natabs as na
    >>> fg = na.FactorGraph.ising(nx.cycle_graph(6), beta=0.4)
    >>> na.sample(fg, sweeps=[0, 1, 10], chains=100, seed=0, record="majority")
    SampleRun(record='majority', sweeps=(0, 1, 10), chains=100, n=6, scan='random', blocks='6 blocks of size 1', seed=0, fast=True)
    """

    record: Any
    sweeps: tuple[int, ...]
    chains: int
    n: int
    scan: str
    blocks: str
    seed: int
    steps_per_sweep: int = field(repr=False)
    fast: bool
    path: str = field(default="generic", repr=False)
    states: np.ndarray | None = field(default=None, repr=False)
    values: np.ndarray | None = field(default=None, repr=False)
    diagnostics: ChainDiagnostics | None = field(default=None, repr=False)


def sample(
    model: FactorGraph,
    sweeps: Sequence[int],
    *,
    chains: int = 1000,
    k: int | None = None,
    blocks: Sequence[Sequence[Any]] | None = None,
    scan: str = "random",
    seed: int | None = None,
    threads: int | None = None,
    record: Any = "states",
    init: Any = None,
    burn_in: int | None = None,
    progress: bool | None = None,
    fast: bool = True,
    executor: Any = None,
) -> SampleRun:
    """Run independent block-Gibbs chains and record them at the given sweeps.

    A step redraws one block ``X_B ~ P(X_B | X_rest)`` exactly, from the factors touching
    ``B``. With ``scan='random'`` each step draws a block uniformly and a sweep is
    ``m / mean|B|`` steps (``m`` = variables the family covers); with ``'systematic'`` a
    sweep is one pass over the family in order.

    Parameters
    ----------
    model : FactorGraph
    sweeps : sequence of int
        Strictly increasing sweep counts ``>= 0`` at which to record.
    chains : int
        Number of independent chains.
    k, blocks
        The block family: ``k`` (all subsets of size ``k``) or ``blocks`` (a list of
        blocks of node labels or indices, e.g. ``natabs.blocks.connected(fg.graph, 2)``).
        Neither means single sites (``k=1``).
    scan : {'random', 'systematic'}
    seed : int, optional
        Seed of every stream; drawn at random (and reported) if omitted.
    threads : int, optional
        Worker threads (default: all cores). Results do not depend on it.
    record : 'states', 'magnetization', 'majority', or a list of variables
        What to keep: full states, a statistic computed in Rust, or the joint value code
        of a variable subset.
    init : array_like, optional
        Initial states, shape ``(chains, n)``; default as in the module docstring.
    burn_in : int, optional
        Sweeps run before sweep 0 (default 0, or :data:`DEFAULT_BURN_IN` for a large MRF
        started at random).
    progress : bool or None
        A tqdm progress bar over sweeps: always (``True``, tqdm must be installed),
        never (``False``), or by default (``None``) when the run updates at least
        ``AUTO_BAR_WORK`` variables (a few seconds) and tqdm is installed.
    fast : bool
        Allow the pairwise binary fast path (disable it only to compare paths).
    executor : concurrent.futures.Executor, optional
        Split the chains into ranges run on the executor's workers (a process pool, or
        Dask through ``distributed.Client(...).get_executor()``) and merge them. Every
        chain has its own stream, so the run is bit-identical to one without
        ``executor``; ``threads`` then applies on each worker.

    Returns
    -------
    SampleRun

    Notes
    -----
    **Paths.** A binary pairwise model with single-site blocks runs a heat bath on
    neighbour lists (``run.path == 'pairwise'``). When its interaction graph is a periodic
    ``R x C`` lattice (``R, C >= 3``) or an open one (``R, C >= 2``) with one coupling and
    one field, in row-major order as ``nx.grid_2d_graph`` gives it, or under any node
    labels and order from 25 sites on, the variables are put in row-major lattice order
    and neighbours are computed, not read (``'lattice'``; a systematic sweep visits the
    sites in that order); states come back in the model's own order. The compiled model is kept on the model, so a
    second call starts at once.

    **Multi-spin coding** (``'multispin'``): systematic scan on the lattice path of a
    square periodic ``L x L`` lattice when the chains fill at least 64 lanes: 64 chains or
    more, or fewer in column strips (below; e.g. any number on a 256 x 256 lattice, none
    below 64 when ``L`` is odd). The chains
    are packed in batches of up to 256 (chains ``256 j .. 256 j + 255``), one bit per
    lane in four 64-bit words a site (a 256-bit vector), and a site is updated for all
    lanes with bitwise operations: the neighbour counts by a bitwise adder, the heat-bath
    draw ``U < T(count)`` (63-bit thresholds) one bit plane at a time from the top: plane
    ``k`` takes one random vector ``d``, and a lane still undecided is decided at the first
    plane where its bit of ``d`` is 1, taking bit ``62 - k`` of its threshold (the
    comparison of ``U = T xor D`` with ``T``, so ``P(1) = T / 2^63`` exactly); planes are
    drawn only while some lane of the batch is undecided (about 9 vectors per site
    instead of 256 words). Exact in law. A batch of ``c`` chains fills its lanes with
    ``S`` column strips of each chain (``S`` the largest power of two with ``S c <= 256``
    dividing ``L`` into strips at least 2 columns wide; ``S = 1`` for a full batch): with
    ``w = L / S``, site ``(r, j w + c')`` of chain ``k`` of the batch is lane
    ``j c + k`` (bit ``lane mod 64`` of word ``lane // 64``) of vector ``(r, c')``, and
    the sites ``(r, c' + j w)`` of all strips are redrawn together, so the scan goes row
    by row, column ``c'`` of every strip at once. Batch ``j`` draws from the xoshiro256++
    generators of groups ``4 j .. 4 j + 3`` (group ``g`` seeded from ``(seed, g)``), word
    ``b`` of each random vector from generator ``b``. So results depend on the seed and
    the number of chains, never on ``threads``; a chain's trajectory differs from the one
    the one-chain path would give it (the law is the same).

    Examples
    --------
    >>> import natabs as na
    >>> fg = na.FactorGraph.ising_lattice(8, beta=0.6)
    >>> run = na.sample(fg, sweeps=[0, 100], chains=4, seed=3, record="magnetization")
    >>> run.values.shape
    (2, 4)
    """
    check_type(model, FactorGraph, "model", "a natabs.FactorGraph")
    sweeps_t = _sweeps(sweeps)
    chains = integer(chains, "chains", 1)
    threads = check_threads(threads)
    scan = check_scan(scan)
    progress = None if progress is None else check_bool(progress, "progress")
    fast = check_bool(fast, "fast")
    flat_family, description, singles, entry = _family(model, k, blocks, fast)
    seed = _seed(seed)
    if burn_in is not None:
        burn_in = integer(burn_in, "burn_in", 0, MAX_SWEEP)
    kind, vars_ = _record(model, record)
    starts = chains * model.n * START_BYTES
    kept = (
        len(sweeps_t) * chains * model.n * _dtype(int(model._card_array().max())).itemsize
        if kind == "states"
        else len(sweeps_t) * chains * 8
    )
    if starts + kept > MAX_RECORD_BYTES:
        hint = (
            "fewer chains or sweeps"
            if kind != "states"
            else "record a statistic, or fewer chains or sweeps"
        )
        check_bytes(
            starts + kept,
            MAX_RECORD_BYTES,
            f"{fmt_count(chains)} chains of {model.n} variables recorded at {len(sweeps_t)} sweeps",
            hint,
        )

    # The engine's form of the model and block family is kept on the (immutable) model: a
    # second run on it starts chains at once instead of relabelling the variables and
    # rebuilding the pairwise and lattice forms (or the exact law of a small model).
    if entry is None:
        key = ("sites" if singles else flat_family[0].tobytes() + flat_family[1].tobytes(), fast)
        entry = model._engines.get(key)
        if entry is None:
            entry = _Compiled(*_prepared(model, singles and fast), flat_family, description)
            if len(model._engines) < 4:
                model._engines[key] = entry
    x0, default_burn = _initial(model, chains, seed, init, threads, entry)
    burn = default_burn if burn_in is None else burn_in
    # A periodic lattice given with other labels or another node order runs on the lattice
    # path in row-major order: variables relabelled there (and back on the way out).
    args, order, pos = entry.args, entry.order, entry.pos
    if pos is not None:
        if x0 is not None:
            x0 = np.ascontiguousarray(x0[:, order])
        if kind == "codes":
            vars_ = tuple(int(pos[v]) for v in vars_)
    # x0 None: the uniform start, drawn by the engine from its own seed.
    start = chains if x0 is None else x0
    plan = _Plan(
        args,
        tuple(flat_family),
        scan,
        burn,
        seed,
        threads,
        fast,
        kind,
        vars_,
        sweeps_t,
        pos,
        seed if x0 is None else None,
    )
    if executor is not None:
        from ._split import run_split

        states, values, steps_per_sweep, fast_used, path = run_split(
            executor, plan, start, progress
        )
    else:
        if entry.sampler is None:
            entry.sampler = _native.GibbsSampler(*args, *flat_family, fast)
        states, values, steps_per_sweep, fast_used, path = _run_range(
            plan, start, 0, progress, entry.sampler
        )
    diag = (
        diagnose(values, sweeps_t, burn_in=burn)
        if values is not None and len(sweeps_t) >= 2
        else None
    )
    warn_unmixed(diag, f"the recorded {record if isinstance(record, str) else 'values'}")
    return SampleRun(
        sweeps=sweeps_t,
        chains=chains,
        n=model.n,
        record=record if isinstance(record, str) else tuple(record),
        scan=scan,
        blocks=description,
        seed=seed,
        steps_per_sweep=steps_per_sweep,
        fast=fast_used,
        path=path,
        states=states,
        values=values,
        diagnostics=diag,
    )


# -- running chains --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything a range of chains needs, as plain data (it travels to other processes)."""

    args: tuple  # FactorGraph._native_args(), relabelled to the lattice order if pos is set
    family: tuple[np.ndarray, np.ndarray]
    scan: str
    burn: int
    seed: int
    threads: int | None
    fast: bool
    kind: str
    vars: tuple[int, ...]
    sweeps: tuple[int, ...]
    pos: Any = None  # lattice position of each variable (None: the model's own order)
    init_seed: int | None = None  # the uniform start's seed, when x0 is a chain count


def _run_range(
    plan: _Plan,
    x0: np.ndarray | int,
    first_chain: int,
    progress: bool = False,
    compiled: Any = None,
) -> tuple[Any, Any, int, bool, str]:
    """Chains ``first_chain .. first_chain + len(x0)`` of a run, from initial states ``x0``
    (or ``x0`` chains from the uniform start drawn by the engine with ``plan.init_seed``).

    Chain ``c`` draws from its own stream ``(seed, c)`` (and ``(_derive(seed, 1), c)`` for
    burn-in; on the multi-spin path, groups of 64 chains share a stream), so ranges put
    together are the whole run bit for bit. ``compiled`` is the model's compiled sampler
    when the caller has one. Returns ``(states, values, steps_per_sweep, fast, path)``.
    """
    cards = plan.args[0]
    n = len(cards)
    sweeps_t, kind, pos = plan.sweeps, plan.kind, plan.pos
    if compiled is None:
        # Arrays that crossed a process boundary (Dask frames) may arrive misaligned or
        # read-only: the engine needs them aligned and contiguous.
        args = tuple(_aligned(a) for a in plan.args)
        family = tuple(_aligned(a) for a in plan.family)
        compiled = _native.GibbsSampler(*args, *family, plan.fast)
    seed = _derive(plan.seed, 1) if plan.burn else plan.seed
    if isinstance(x0, np.ndarray):
        chains = x0.shape[0]
        x0 = np.require(x0, np.uint16, ["C", "A"])
        engine = _native.GibbsChains.start(compiled, plan.scan, x0, seed, plan.threads, first_chain)
    else:
        chains = int(x0)
        engine = _native.GibbsChains.start_uniform(
            compiled, plan.scan, chains, seed, plan.init_seed, plan.threads, first_chain
        )
    if plan.burn:
        engine.advance(plan.burn)
        engine.reseed(plan.seed)

    states = values = None
    slots = len(sweeps_t)
    if kind == "states":
        states = np.empty((slots, chains, n), dtype=_dtype(_max_card(cards)))
    elif kind == "magnetization":
        values = np.empty((slots, chains), dtype=np.float64)
    elif kind == "majority":
        values = np.empty((slots, chains), dtype=np.uint8)
    else:
        values = np.empty((slots, chains), dtype=np.uint64)

    bar = _bar(progress, sweeps_t[-1], work=float(chains) * n * sweeps_t[-1])
    # Small steps only for a progress bar to advance: each call of the engine packs and
    # unpacks lockstep chains, and the engine already works in chunks that hear Ctrl-C.
    step = max(1, math.ceil(sweeps_t[-1] / 200)) if bar is not None else sweeps_t[-1] + 1
    try:
        done = 0
        for slot, target in enumerate(sweeps_t):
            while done < target:
                now = min(step, target - done)
                engine.advance(now)
                done += now
                if bar is not None:
                    bar.update(now)
            if kind == "states":
                out = states[slot] if pos is None else np.empty_like(states[slot])
                if states.dtype == np.uint8:
                    engine.write_states_u8(out)
                else:
                    engine.write_states_u16(out)
                if pos is not None:
                    states[slot] = out[:, pos]
            elif kind == "magnetization":
                engine.magnetization(values[slot])
            elif kind == "majority":
                engine.majority(values[slot])
            else:
                engine.joint_code(list(plan.vars), values[slot])
    finally:
        if bar is not None:
            bar.close()
    return (states, values, int(engine.steps_per_sweep), bool(engine.fast), str(engine.path))


#: ``progress=None`` shows a bar from this many variable updates (a few seconds).
AUTO_BAR_WORK = 1e9


def _bar(progress: bool | None, total: int, work: float = 0.0, unit: str = "sweep"):
    if progress is False or (progress is None and work < AUTO_BAR_WORK):
        return None
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None, got {progress!r}")
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress is None:
            return None
        raise ImportError("progress=True needs tqdm (pip install tqdm)") from None
    return tqdm(total=total, unit=unit)
