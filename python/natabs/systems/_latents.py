"""Building latents: a new variable of a System, jointly distributed with it (THEORY §7).

- :func:`with_latent` adds a deterministic latent (a function of the support state, or its
  values, or a component label from :func:`natabs.conserved`) or a stochastic one (a table
  ``P[Λ | x]`` per support state);
- :func:`resampled_latent` adds the one-step joint resample ``X'`` (every view redrawn
  from its conditional given the other views, all at once), the published constructive
  approximate natural latent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidInputError, TooLargeError
from ._support import System, _strides

__all__ = ["MAX_LATENT_STATES", "resampled_latent", "with_latent"]

#: Largest support (states) a stochastic or resampled latent may create.
MAX_LATENT_STATES = 1 << 24
#: Slack on each row sum of a table P[Λ | x].
ROW_TOLERANCE = 1e-9


def _check_name(system: System, name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    if name in system.names:
        raise InvalidInputError(f"name {name!r} is already a variable of the system {system.names}")
    return name


def _with_values(system: System, values: np.ndarray, name: str, card: int) -> System:
    """``system`` with one more variable holding ``values`` (one per support state)."""
    cards = (*system.cards, card)
    names = (*system.names, name)
    if system.is_coded and _strides(cards) is not None:
        total = np.uint64(math.prod(system.cards))
        codes = system.codes + values.astype(np.uint64) * total
        return System.from_codes(codes, system.probs, cards, names, copy=False)
    states = np.column_stack([system.states.astype(np.int64), values.astype(np.int64)])
    return System(states, system.probs, cards, names)


def _deterministic(system: System, values: Any, card: Any, what: str) -> tuple[np.ndarray, int]:
    v = np.asarray(values)
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.shape != (system.size,):
        raise InvalidInputError(
            f"{what} must give one value per support state, shape ({system.size},); got {v.shape}"
        )
    if v.dtype == np.bool_:
        v = v.astype(np.uint8)
    if not np.issubdtype(v.dtype, np.integer):
        if (
            np.issubdtype(v.dtype, np.floating)
            and np.all(np.isfinite(v))
            and np.all(v == np.round(v))
        ):
            v = v.astype(np.int64)
        else:
            raise TypeError(f"{what} must give integer latent values, got dtype {v.dtype}")
    if v.size and int(v.min()) < 0:
        bad = int(np.flatnonzero(v < 0)[0])
        raise InvalidInputError(f"latent value {v[bad]} of support state {bad} is negative")
    top = int(v.max()) + 1 if v.size else 1
    c = top if card is None else integer(card, "card", 1)
    if top > c:
        bad = int(np.flatnonzero(v >= c)[0])
        raise InvalidInputError(
            f"latent value {v[bad]} of support state {bad} is outside [0, card={c}); "
            f"pass card >= {top}"
        )
    if c > 2**32 - 1:
        raise InvalidInputError(f"card must be < 2**32, got {c}")
    return v, c


def with_latent(
    system: System, source: Any, *, name: str = "latent", card: int | None = None
) -> System:
    """``system`` with one more variable, a latent jointly distributed with it.

    Parameters
    ----------
    system : System
        The views (and any other variables).
    source : callable, array or Conserved
        - a function: receives the ``(N, n)`` array of support states and returns the
          ``N`` latent values (integers or booleans): a deterministic latent;
        - a 1-D integer array of ``N`` values, one per support state (deterministic);
        - the result of :func:`natabs.conserved` on this system: its component label;
        - a 2-D float array of shape ``(N, card)``: ``P[Λ = l | X = x_s]`` for each
          support state ``s`` (rows sum to 1): a stochastic latent.
    name : str
        Name of the new variable (not already used).
    card : int, optional
        Number of latent values; by default the largest value + 1 (or the table's width).

    Returns
    -------
    System
        The joint law of the variables and the latent (the latent last).

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.noisy_copies(3, 0.1)
    >>> s.with_latent(lambda x: x.sum(axis=1) >= 2, name="M")
    System(n=4, cards=(2, 2, 2, 2), support=8, names=('x0', 'x1', 'x2', 'M'))

    The component label of blocks = views is the exact deterministic redund:

    >>> c = na.systems.copies(3)
    >>> t = c.with_latent(na.conserved(c, k=1), name="C")
    >>> na.natural_latent_errors(t, "C").max_deterministic_redundancy
    0.0

    A stochastic latent: a noisy copy of the first variable.

    >>> import numpy as np
    >>> x0 = c.states[:, 0]
    >>> table = np.where(x0[:, None] == [0, 1], 0.9, 0.1)
    >>> c.with_latent(table, name="L").size
    4
    """
    name = _check_name(system, name)
    if hasattr(source, "labels") and hasattr(source, "n_components"):  # natabs.Conserved
        values, c = _deterministic(system, source.labels, card, "the component labels")
        return _with_values(system, values, name, c)
    if callable(source):
        out = source(np.asarray(system.states))
        values, c = _deterministic(system, out, card, "the latent function")
        return _with_values(system, values, name, c)
    arr = np.asarray(source)
    if arr.ndim == 1 or (arr.ndim == 2 and np.issubdtype(arr.dtype, np.integer)):
        values, c = _deterministic(system, arr, card, "the latent values")
        return _with_values(system, values, name, c)
    if arr.ndim != 2:
        raise InvalidInputError(
            f"source must be a function, values of shape ({system.size},) or a table of shape "
            f"({system.size}, card); got an array of shape {arr.shape}"
        )
    return _stochastic(system, arr, name, card)


def _stochastic(system: System, table: np.ndarray, name: str, card: Any) -> System:
    if not np.issubdtype(table.dtype, np.floating) or np.iscomplexobj(table):
        raise TypeError(f"a latent table must hold real probabilities, got dtype {table.dtype}")
    n_states, c = table.shape
    if n_states != system.size:
        raise InvalidInputError(
            f"the latent table has {n_states} rows; it needs one per support state ({system.size})"
        )
    if card is not None and integer(card, "card", 1) != c:
        raise InvalidInputError(f"card={card} but the latent table has {c} columns")
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise InvalidInputError("the latent table must hold finite probabilities >= 0")
    sums = table.sum(axis=1)
    off = np.abs(sums - 1.0) > ROW_TOLERANCE
    if np.any(off):
        bad = int(np.flatnonzero(off)[0])
        raise InvalidInputError(
            f"row {bad} of the latent table sums to {sums[bad]!r}, not 1: each row is P[latent | x]"
        )
    pos = table > 0
    total = int(pos.sum())
    if total > MAX_LATENT_STATES:
        raise TooLargeError(
            f"the latent table creates {total} support states; the limit is {MAX_LATENT_STATES}"
        )
    state, value = np.nonzero(pos)
    probs = system.probs[state] * table[state, value]
    cards = (*system.cards, c)
    names = (*system.names, name)
    if system.is_coded and _strides(cards) is not None:
        codes = system.codes[state] + value.astype(np.uint64) * np.uint64(math.prod(system.cards))
        return System.from_codes(codes, probs, cards, names, normalize=True, copy=False)
    states = np.column_stack([system.states[state].astype(np.int64), value])
    return System(states, probs, cards, names, normalize=True)


def _view_indices(system: System, views: Any) -> tuple[tuple[int, ...], ...]:
    if views is None:
        return tuple((i,) for i in range(system.n))
    if isinstance(views, (str, bytes)) or not isinstance(views, Sequence):
        raise TypeError(f"views must be a list of variable groups, got {views!r}")
    out, seen = [], set()
    for j, g in enumerate(views):
        idx = system.indices([g] if isinstance(g, (str, int, np.integer)) else list(g))
        if not idx or seen & set(idx) or len(set(idx)) != len(idx):
            raise InvalidInputError(f"view {j} ({g!r}) is empty or overlaps another view")
        seen |= set(idx)
        out.append(tuple(idx))
    if not out:
        raise InvalidInputError("views is empty; give at least one view (or None for all)")
    return tuple(out)


def _ids(rows: np.ndarray) -> tuple[np.ndarray, int]:
    """A compact id per row (equal rows, equal ids), numbered in sorted order of the rows."""
    if rows.shape[1] == 0 or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.intp), 1
    rows = np.asarray(rows, dtype=np.int64)
    radix = [int(r) + 1 for r in rows.max(axis=0)]
    if rows.min() >= 0 and math.prod(radix) < 2**63:
        # One integer per row, the first column the most significant: sorting the codes
        # sorts the rows, and a 1-D sort is many times faster than numpy's unique of rows.
        code = np.zeros(len(rows), dtype=np.int64)
        for j, r in enumerate(radix):
            code = code * r + rows[:, j]
        _, inv = np.unique(code, return_inverse=True)
    else:
        _, inv = np.unique(rows, axis=0, return_inverse=True)
    inv = inv.ravel()
    return inv, int(inv.max()) + 1


def _refuse_states(total: int, max_states: int, system: System) -> None:
    if total > max_states:
        raise TooLargeError(
            f"the resampled latent needs {total} joint support states; the limit is "
            f"max_states={max_states} (each state takes about {8 * (system.n + 2)} bytes): "
            "resample fewer variables (views=[...] naming a few), or raise max_states "
            "if memory allows"
        )


def resampled_latent(
    system: System,
    *,
    views: Sequence[Any] | None = None,
    name: str = "resampled",
    max_states: int = MAX_LATENT_STATES,
) -> System:
    """``system`` with the one-step joint resample ``X'`` of its views as a latent.

    Given ``X = x``, every view is redrawn from its conditional given the other views,
    all at once and independently: ``P[X' = x' | x] = Π_i P(X_i = x'_i | X_{-i} = x_{-i})``
    (THEORY §7). ``X'`` becomes one latent variable whose values number the reachable
    tuples ``x'`` (in sorted order of the tuples). Variables outside the views are kept and
    marginalised out of the conditionals.

    Parameters
    ----------
    system : System
        The system.
    views : list, optional
        Disjoint groups of variables; by default every variable alone.
    name : str
        Name of the latent.
    max_states : int
        Refuse (:class:`~natabs.errors.TooLargeError`) when the joint support of the system
        and ``X'`` would exceed this many states.

    Examples
    --------
    Exact copies: each copy is pinned by the others, so ``X' = X``.

    >>> import natabs as na
    >>> s = na.resampled_latent(na.systems.copies(3))
    >>> s.names, s.size
    (('x0', 'x1', 'x2', 'resampled'), 2)
    >>> na.natural_latent_errors(s, "resampled").max_redundancy
    0.0
    """
    name = _check_name(system, name)
    max_states = integer(max_states, "max_states", 1)
    vs = _view_indices(system, views)
    every = [v for view in vs for v in view]
    # Refusals known from the sizes, before any fibre is built: X' takes at least one value
    # per state, and exactly (values of the views) per state when the support is the
    # whole product of the cards.
    _refuse_states(system.size, max_states, system)
    if system.size == math.prod(system.cards):
        _refuse_states(system.size * math.prod(system.cards[v] for v in every), max_states, system)
    rows = np.asarray(system.states)
    iv, k = _ids(rows[:, every])
    pv = np.bincount(iv, weights=system.probs, minlength=k)
    first = np.zeros(k, dtype=np.intp)
    first[iv[::-1]] = np.arange(len(iv))[::-1]
    u = rows[first][:, every].astype(np.int64)  # one row per distinct view state
    # Per view: the fibre of each u (states agreeing outside the view) and the view's value.
    pos, fibres = 0, []
    for view in vs:
        cols = list(range(pos, pos + len(view)))
        pos += len(view)
        rest = [c for c in range(len(every)) if c not in cols]
        g, ng = _ids(u[:, rest])
        order = np.argsort(g, kind="stable")
        counts = np.bincount(g, minlength=ng)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        mass = np.bincount(g, weights=pv, minlength=ng)
        vcode, _ = _ids(u[:, cols])
        fibres.append((g, order, counts, starts, mass, vcode))
    sizes = np.ones(k)
    for g, _, counts, *_ in fibres:
        sizes *= counts[g]
    _refuse_states(round(float(sizes[iv].sum())), max_states, system)
    src = np.arange(k)
    parts: list[np.ndarray] = []
    weight = np.ones(k)
    for g, order, counts, starts, mass, vcode in fibres:
        c = counts[g[src]]
        rep_src = np.repeat(src, c)
        offset = np.arange(len(rep_src)) - np.repeat(np.cumsum(c) - c, c)
        member = order[starts[g[rep_src]] + offset]
        parts = [np.repeat(q, c) for q in parts] + [vcode[member]]
        weight = np.repeat(weight, c) * pv[member] / mass[g[rep_src]]
        src = rep_src
    label, card = _ids(np.column_stack(parts))
    # Attach to every support state x the entries of its view state u = iv[x].
    by_u = np.argsort(src, kind="stable")
    cnt = np.bincount(src, minlength=k)
    st = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    c = cnt[iv]
    x = np.repeat(np.arange(system.size), c)
    off = np.arange(len(x)) - np.repeat(np.cumsum(c) - c, c)
    e = by_u[st[iv[x]] + off]
    states = np.column_stack([rows[x].astype(np.int64), label[e]])
    probs = system.probs[x] * weight[e]
    return System(states, probs, (*system.cards, card), (*system.names, name), normalize=True)
