"""What :func:`~natabs.measures._sampling.sample` prepares before the engine runs: the
checked arguments, the block family, the initial states (see the module documentation of
``_sampling``) and what a model keeps between calls."""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _native
from .._validation import check_array, check_seed, check_sweeps
from ..blocks import describe, resolve
from ..errors import InvalidInputError
from ..systems._factor_graph import FactorGraph

#: MRFs with at most this many joint states start from exact samples.
EXACT_INIT_STATES = 1 << 16
#: Burn-in sweeps for larger MRFs started at random.
DEFAULT_BURN_IN = 100
#: Largest recording (states and initial states) :func:`sample` allocates, in bytes.
MAX_RECORD_BYTES = 1 << 33
#: Bytes a chain's start needs per variable while it is drawn and handed to the engine
#: (an int64 draw, its uint16 copy, the burn-in's copy and the engine's own state).
START_BYTES = 16
#: Largest sweep count (and burn-in) accepted: far past any run that ends.
MAX_SWEEP = 2**48
#: Statistics ``record=`` accepts by name.
STATISTICS = ("magnetization", "majority")


def _max_card(cards: Any) -> int:
    return int(cards.max()) if isinstance(cards, np.ndarray) else int(max(cards))


@dataclass
class _Compiled:
    """What :func:`sample` keeps on a model per block family (``model._engines``)."""

    args: tuple  # the engine's arguments, relabelled to the lattice order if pos is set
    order: Any  # the variables in lattice order, or None
    pos: Any  # each variable's lattice position, or None
    family: tuple  # the block family as the engine takes it, and its description
    description: str
    sampler: Any = None  # the compiled GibbsSampler, once built
    exact: Any = None  # a small MRF's joint states and their cumulative law, once built


def _prepared(model: FactorGraph, lattice: bool) -> tuple[tuple, Any, Any]:
    """The engine's arguments for ``model`` and, on a periodic lattice given in another
    order (``lattice`` allows it), that order and each variable's lattice position (else
    ``None, None``)."""
    args = model._native_args()
    order = model._torus_order() if lattice else None
    pos = None
    if order is not None and not (order == np.arange(model.n)).all():
        pos = np.empty(model.n, dtype=np.int64)
        pos[order] = np.arange(model.n)
        native_cards, flat, lens, tables = args
        args = ([native_cards[v] for v in order], pos[flat].astype(np.uint32), lens, tables)
    else:
        order = None
    return tuple(args), order, pos


def _aligned(a: Any) -> Any:
    return np.require(a, a.dtype, ["C", "A"]) if isinstance(a, np.ndarray) else a


# -- helpers ---------------------------------------------------------------------------------


def _sweeps(sweeps: Any) -> tuple[int, ...]:
    return check_sweeps(sweeps, "sweeps", max_value=MAX_SWEEP)


def _seed(seed: Any) -> int:
    s = check_seed(seed)
    if s is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    return s


@functools.lru_cache(maxsize=256)
def _derive(seed: int, purpose: int) -> int:
    """A second seed for a separate purpose (burn-in, exact initial draws)."""
    return int(np.random.SeedSequence([seed, purpose]).generate_state(1, np.uint64)[0])


def _dtype(max_card: int) -> np.dtype:
    return np.dtype(np.uint8 if max_card <= 256 else np.uint16)


def _record(model: FactorGraph, record: Any) -> tuple[str, tuple[int, ...]]:
    if isinstance(record, bytes):
        raise TypeError(f"record must be a string or a list of variables, got {record!r}")
    if isinstance(record, str):
        if record == "states":
            return "states", ()
        if record in STATISTICS:
            if model._pair is None and (model._card_array() != 2).any():
                raise InvalidInputError(f"record={record!r} needs every variable to be binary")
            return record, ()
        raise InvalidInputError(
            f"record must be 'states', 'magnetization', 'majority' or a list of variables, "
            f"got {record!r}"
        )
    try:
        vars_ = model.indices(record)
    except TypeError:
        raise TypeError(f"record must be a string or a list of variables, got {record!r}") from None
    if not vars_:
        raise InvalidInputError("record lists no variables")
    if math.prod(model.cards[v] for v in vars_) >= 1 << 64:
        raise InvalidInputError("the joint values of the recorded variables do not fit 64 bits")
    return "codes", vars_


def _initial(
    model: FactorGraph, chains: int, seed: int, init: Any, threads: int | None, entry: Any = None
) -> tuple[np.ndarray | None, int]:
    """Initial states (uint16, chains × n), or ``None`` for the uniform start the engine
    draws, and the default burn-in they need."""
    n = model.n
    if init is not None:
        x = check_array(init, "init", kind="i")
        if x.shape != (chains, n):
            raise InvalidInputError(
                f"init must have shape (chains, n) = {(chains, n)}, got {x.shape}"
            )
        bad = (x < 0) | (x >= model._card_array())
        if bad.any():
            c, i = map(int, np.argwhere(bad)[0])
            raise InvalidInputError(f"init[{c}, {i}] = {x[c, i]} is outside [0, {model.cards[i]})")
        return np.ascontiguousarray(x, dtype=np.uint16), 0
    if model.kind == "dag":
        x = _native.gibbs_ancestral(
            *model._native_args(), list(model._order), list(model._own), chains, seed, threads
        )
        return x, 0
    if model._states_at_most(EXACT_INIT_STATES):
        exact = entry.exact if entry is not None else None
        if exact is None:
            system = model.to_system()
            cdf = np.cumsum(system.probs)
            cdf /= cdf[-1]
            exact = (np.ascontiguousarray(system.states, dtype=np.uint16), cdf)
            if entry is not None:
                entry.exact = exact
        # What rng.choice(size, p=probs) draws, from the law built once.
        u = np.random.default_rng([seed, 2]).random(chains)
        return exact[0][exact[1].searchsorted(u, side="right")], 0
    # The uniform start: drawn by the engine (see the module docstring).
    return None, DEFAULT_BURN_IN


def _family(
    model: FactorGraph, k: Any, blocks: Any, fast: bool
) -> tuple[tuple[np.ndarray, np.ndarray], str, bool, Any]:
    """The block family as the engine takes it (flat indices, lengths), its description,
    whether it is the single sites in order, and what the model keeps for it (or
    ``None``). Single sites (the default, or ``k=1``) are built as arrays, without a tuple
    per site, once per model."""
    if blocks is None and (
        k is None or (isinstance(k, numbers.Integral) and k == 1 and not isinstance(k, bool))
    ):
        entry = model._engines.get(("sites", fast))
        if entry is not None:
            return entry.family, entry.description, True, entry
        n = model.n
        flat = (np.arange(n, dtype=np.uint32), np.ones(n, dtype=np.uint32))
        return flat, f"{n} block{'s' if n != 1 else ''} of size 1", True, None
    family = resolve(model, k, blocks)
    if not family:
        raise InvalidInputError("the block family is empty (k=0): nothing would move")
    single = all(len(b) == 1 for b in family) and [b[0] for b in family] == list(range(model.n))
    return _flat_family(family), describe(family), single, None


def _flat_family(family: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, np.ndarray]:
    lens = np.fromiter(map(len, family), dtype=np.uint32, count=len(family))
    flat = np.fromiter((v for b in family for v in b), dtype=np.uint32, count=int(lens.sum()))
    return flat, lens
