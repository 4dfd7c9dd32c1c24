"""Systems of discrete random variables, held by their support (THEORY §1).

A :class:`System` is a finite set of variables ``X_0 .. X_{n-1}`` (``X_i`` takes values in
``0 .. cards[i] - 1``) and their joint law, stored as the states of positive probability
and those probabilities. States are kept as mixed-radix codes (8 bytes a state) whenever the
state space has at most 2**64 states; the ``states`` array is produced on demand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .._info import entropy
from .._validation import (
    check_array,
    check_base,
    check_bool,
    check_cards,
    check_names,
    check_size,
    frozen,
)
from ..errors import InvalidInputError
from ._variables import NamedVariables

__all__ = ["System"]

#: Relative tolerance on the total probability of a System.
SUM_TOLERANCE = 1e-9
#: Largest dense table ``to_table`` will allocate (entries).
MAX_TABLE_ENTRIES = 1 << 28
#: States decoded per chunk when producing ``states`` (bounds temporary memory).
_DECODE_CHUNK = 1 << 20


class System(NamedVariables):
    """A joint law over discrete variables, held by its support.

    Parameters
    ----------
    states : array_like of int, shape (N, n)
        The support: one row per state of positive probability. No row may repeat.
    probs : array_like of float, shape (N,)
        Probability of each state: finite, > 0, summing to 1 (within 1e-9 relative).
    cards : sequence of int, length n
        Cardinality of each variable; values of variable ``i`` lie in ``[0, cards[i])``.
    names : sequence of str, optional
        Variable names, unique; ``x0, x1, ...`` by default.
    normalize : bool
        Divide ``probs`` by their sum instead of refusing a total off 1.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.System([[0, 0], [1, 1]], [0.5, 0.5], cards=[2, 2])
    >>> s
    System(n=2, cards=(2, 2), support=2, names=('x0', 'x1'))
    >>> s.entropy()
    1.0
    >>> s.to_table()
    array([[0.5, 0. ],
           [0. , 0.5]])
    """

    __slots__ = ("_cards", "_names", "_codes", "_rows", "_probs")

    def __init__(
        self,
        states: Any,
        probs: Any,
        cards: Sequence[int],
        names: Sequence[str] | None = None,
        *,
        normalize: bool = False,
    ) -> None:
        arr = check_array(states, "states", kind="i", ndim=2, bool_ok=True)
        n = arr.shape[1]
        cards_t = _check_cards(cards, n)
        if arr.shape[0] == 0:
            raise InvalidInputError("the support is empty: a System needs at least one state")
        lo = arr.min(axis=0)
        hi = arr.max(axis=0)
        for i in range(n):
            if lo[i] < 0 or hi[i] >= cards_t[i]:
                bad = int(np.flatnonzero((arr[:, i] < 0) | (arr[:, i] >= cards_t[i]))[0])
                raise InvalidInputError(
                    f"state {bad} has value {arr[bad, i]} for variable {i}, "
                    f"outside [0, {cards_t[i]})"
                )
        p = _check_probs(probs, arr.shape[0], normalize)
        codes, rows = None, None
        strides = _strides(cards_t)
        if strides is not None:
            codes = _encode(arr, strides)
        else:
            rows = arr.astype(_value_dtype(cards_t))  # a private copy, whatever the dtype
        self._init(cards_t, names, codes, rows, p)
        self._check_unique()

    # -- alternative constructors ----------------------------------------------------------

    @classmethod
    def from_table(
        cls, table: Any, names: Sequence[str] | None = None, *, normalize: bool = False
    ) -> System:
        """A System from a dense probability table of shape ``cards``; zeros are dropped.

        ``table[x_0, ..., x_{n-1}] = P(x)``.

        Examples
        --------
        >>> import numpy as np, natabs as na
        >>> s = na.System.from_table(np.array([[0.5, 0.0], [0.0, 0.5]]))
        >>> s.states
        array([[0, 0],
               [1, 1]], dtype=uint8)
        """
        t = check_array(table, "table of real probabilities", kind="f")
        if t.ndim == 0:
            raise InvalidInputError("a System needs at least one variable; got a 0-d table")
        cards_t = _check_cards(t.shape, t.ndim)
        flat = np.asarray(t, dtype=np.float64).ravel(order="F")
        _check_finite_nonnegative(flat, "table")
        codes = np.flatnonzero(flat).astype(np.uint64)
        if codes.size == 0:
            raise InvalidInputError("the table is all zeros: there is no support")
        p = _check_probs(flat[codes], codes.size, normalize)
        system = cls.__new__(cls)
        system._init(cards_t, names, codes, None, p)
        return system

    @classmethod
    def from_codes(
        cls,
        codes: Any,
        probs: Any,
        cards: Sequence[int],
        names: Sequence[str] | None = None,
        *,
        normalize: bool = False,
        copy: bool = True,
    ) -> System:
        """A System from mixed-radix state codes.

        ``code = sum_i x_i * prod_{j<i} cards[j]``: variable 0 is the least significant.
        A System always owns read-only copies of its arrays, so the caller's arrays are
        never kept nor made read-only; ``copy`` is accepted for compatibility (with
        ``copy=False`` a ``uint64`` code array and a ``float64`` probability array are
        copied once, without intermediate conversions).

        Examples
        --------
        >>> import natabs as na
        >>> s = na.System.from_codes([0, 7], [0.5, 0.5], cards=[2, 2, 2])
        >>> s.states
        array([[0, 0, 0],
               [1, 1, 1]], dtype=uint8)
        """
        c = check_array(codes, "codes", kind="i", ndim=1, bool_ok=True)
        check_bool(copy, "copy")
        cards_t = _check_cards(cards, None)
        strides = _strides(cards_t)
        if strides is None:
            raise InvalidInputError(
                f"the state space of cards {cards_t} has more than 2**64 states, so states "
                "cannot be coded; pass them as rows with System(states, probs, cards)"
            )
        if c.size == 0:
            raise InvalidInputError("the support is empty: a System needs at least one state")
        if c.dtype.kind == "i":
            if int(c.min()) < 0:
                bad = int(np.flatnonzero(c < 0)[0])
                raise InvalidInputError(f"code {c[bad]} at position {bad} is negative")
            c = c.view(np.uint64) if c.dtype == np.int64 else c.astype(np.uint64)
        elif c.dtype != np.uint64:
            c = c.astype(np.uint64)
        p = _check_probs(probs, c.size, normalize)
        system = cls.__new__(cls)
        system._init(cards_t, names, c, None, p)
        system._check_unique()  # also checks every code against the state space
        return system

    # -- construction internals -----------------------------------------------------------

    def _init(self, cards, names, codes, rows, probs) -> None:
        # Private read-only copies that no flag can make writeable again: nothing the
        # caller holds can change this System afterwards (THEORY's laws are values).
        self._cards = cards
        self._names = check_names(names, len(cards))
        self._codes = None if codes is None else frozen(codes, np.uint64)
        self._rows = None if rows is None else frozen(rows)
        self._probs = frozen(probs, np.float64)

    def _check_unique(self) -> None:
        from .. import _native

        if self._codes is not None:
            dup = _native.duplicate_codes(list(self._cards), self._codes)
        else:
            dup = _native.duplicate_rows(list(self._cards), self._rows_u32())
        if dup is not None:
            i, j = dup
            raise InvalidInputError(
                f"states {i} and {j} are the same state {tuple(int(v) for v in self._row(i))}: "
                "each state of the support must appear once"
            )

    def _rows_u32(self) -> np.ndarray:
        assert self._rows is not None
        return np.ascontiguousarray(self._rows, dtype=np.uint32)

    def _row(self, i: int) -> np.ndarray:
        if self._codes is not None:
            return _decode(self._codes[i : i + 1], self._cards)[0]
        return self._rows[i]

    # -- the contract -----------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of variables."""
        return len(self._cards)

    @property
    def cards(self) -> tuple[int, ...]:
        """Cardinality of each variable."""
        return self._cards

    @property
    def names(self) -> tuple[str, ...]:
        """Name of each variable."""
        return self._names

    @property
    def probs(self) -> np.ndarray:
        """Probability of each support state (read-only float64 array)."""
        return self._probs

    @property
    def size(self) -> int:
        """Number of support states."""
        return int(self._probs.size)

    def __len__(self) -> int:
        return self.size

    @property
    def states(self) -> np.ndarray:
        """The support as an (N, n) array in the smallest unsigned dtype that holds it.

        Produced on demand from the codes (not cached): for very large supports prefer
        ``codes`` or work on chunks.
        """
        if self._rows is not None:
            return self._rows
        out = _decode(self._codes, self._cards)
        out.flags.writeable = False
        return out

    @property
    def codes(self) -> np.ndarray:
        """Mixed-radix code of each support state (read-only uint64 array).

        Raises :class:`~natabs.errors.InvalidInputError` for a state space wider than 2**64.
        """
        if self._codes is None:
            raise InvalidInputError(
                f"the state space of cards {self._cards} has more than 2**64 states; "
                "this System has rows, not codes"
            )
        return self._codes

    @property
    def is_coded(self) -> bool:
        """Whether states are held as codes (state space at most 2**64 states)."""
        return self._codes is not None

    def entropy(self, base: float = 2) -> float:
        """Joint entropy H(X) (bits by default)."""
        return entropy(self._probs, check_base(base))

    def to_table(self) -> np.ndarray:
        """The dense probability table of shape ``cards``.

        Refused with :class:`~natabs.errors.TooLargeError` above 2**28 entries.
        """
        total = math.prod(self._cards)
        check_size(
            total, MAX_TABLE_ENTRIES, f"entries of a dense table for cards {_short(self._cards)}"
        )
        flat = np.zeros(total, dtype=np.float64)
        flat[self.codes.astype(np.intp)] = self._probs
        return flat.reshape(self._cards, order="F")

    def marginal(self, variables: Iterable[int | str]) -> System:
        """The joint law of some variables, as a new System (order as given).

        Examples
        --------
        >>> import natabs as na
        >>> na.systems.copies(3).marginal(["x0", "x2"]).states
        array([[0, 0],
               [1, 1]], dtype=uint8)
        """
        idx = self.indices(variables)
        if not idx or len(set(idx)) != len(idx):
            raise InvalidInputError(f"marginal needs distinct variables, got {list(variables)}")
        sub = np.ascontiguousarray(self.states[:, list(idx)])
        keys, inverse = np.unique(sub, axis=0, return_inverse=True)
        p = np.bincount(inverse.ravel(), weights=self._probs, minlength=len(keys))
        cards = [self._cards[i] for i in idx]
        names = [self._names[i] for i in idx]
        keep = p > 0
        return System(keys[keep], p[keep], cards, names, normalize=True)

    def same_law(self, other: System, *, atol: float = 1e-12) -> bool:
        """Whether ``other`` has the same variables (cards and names) and the same law."""
        if not isinstance(other, System):
            raise TypeError(f"same_law compares two natabs.System, got {type(other).__name__}")
        if self._cards != other._cards or self._names != other._names:
            return False
        if self.size != other.size:
            return False
        a, b = self._sorted(), other._sorted()
        return bool(np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1], rtol=0, atol=atol))

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        if self._codes is not None:
            order = np.argsort(self._codes, kind="stable")
            return self._codes[order], self._probs[order]
        order = np.lexsort(self._rows.T[::-1])
        return self._rows[order], self._probs[order]

    def __repr__(self) -> str:
        names = self._names if self.n <= 8 else self._names[:8] + ("...",)
        cards = self._cards if self.n <= 8 else self._cards[:8] + ("...",)  # type: ignore[operator]
        return f"System(n={self.n}, cards={cards}, support={self.size}, names={names})"

    def with_latent(self, source: Any, *, name: str = "latent", card: int | None = None) -> System:
        """This system with a latent variable added last (THEORY §7).

        ``source`` is a function of the ``(N, n)`` support states returning ``N`` values, the
        values themselves, a :func:`natabs.conserved` result (its component label), or a
        table ``P[latent | x]`` of shape ``(N, card)``.

        Examples
        --------
        >>> import natabs as na
        >>> na.systems.copies(2).with_latent(lambda x: x[:, 0], name="M").names
        ('x0', 'x1', 'M')
        """
        from ._latents import with_latent

        return with_latent(self, source, name=name, card=card)

    # -- interchange (logic in io.py, dag.py and interop.py) --------------------------------

    def to_json(
        self, path: Any = None, *, codes: bool = False, indent: int | None = None
    ) -> str | None:
        """Write as JSON (format in :mod:`natabs.io`); return the text when ``path`` is None.

        Examples
        --------
        >>> import natabs as na
        >>> s = na.systems.parity(3)
        >>> na.System.from_json(s.to_json()).same_law(s)
        True
        """
        from ..io import to_json

        return to_json(self, path, codes=codes, indent=indent)

    @classmethod
    def from_json(cls, source: Any) -> System:
        """Read from a path, open file, JSON text or dict (format in :mod:`natabs.io`).

        Examples
        --------
        >>> import natabs as na
        >>> na.System.from_json({"format": "natabs.system", "version": 1, "cards": [2],
        ...                      "states": [[1]], "probs": [1.0]}).states
        array([[1]], dtype=uint8)
        """
        from ..io import from_json

        return from_json(source)

    @classmethod
    def from_dag(cls, G: Any, cpd: str = "cpd") -> System:
        """The exact joint law of a small networkx DAG with conditional tables.

        See :mod:`natabs.dag` for the form of the tables; refused with
        :class:`~natabs.errors.TooLargeError` above ``natabs.dag.MAX_DAG_STATES`` states.

        Examples
        --------
        >>> import networkx as nx, natabs as na
        >>> G = nx.DiGraph([(0, 1)])
        >>> G.add_node(0, cpd=[0.5, 0.5]); G.add_node(1, cpd=[[0.0, 1.0], [1.0, 0.0]])
        >>> na.System.from_dag(G).states
        array([[1, 0],
               [0, 1]], dtype=uint8)
        """
        from ._dag import system_from_dag

        return system_from_dag(G, cpd=cpd)

    @classmethod
    def from_dit(cls, distribution: Any) -> System:
        """A System from a ``dit.Distribution`` (needs ``pip install "natabs[dit]"``).

        Examples
        --------
        >>> import dit, natabs as na
        >>> na.System.from_dit(dit.Distribution(["00", "11"], [0.5, 0.5])).same_law(na.systems.copies(2))
        True
        """
        from ..interop import from_dit

        return from_dit(distribution)

    def to_dit(self) -> Any:
        """This System as a ``dit.Distribution`` (needs ``pip install "natabs[dit]"``).

        Examples
        --------
        >>> import natabs as na
        >>> na.systems.copies(2).to_dit().outcomes
        ((0, 0), (1, 1))
        """
        from ..interop import to_dit

        return to_dit(self)


# -- validation helpers -------------------------------------------------------------------


def _short(cards: tuple[int, ...]) -> str:
    return str(cards) if len(cards) <= 8 else f"({', '.join(map(str, cards[:8]))}, ...)"


def _check_cards(cards: Any, n: int | None) -> tuple[int, ...]:
    out = check_cards(cards, "cards")
    if n is not None and len(out) != n:
        raise InvalidInputError(f"states have {n} columns but {len(out)} cardinalities were given")
    return out


def _check_finite_nonnegative(p: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(p)):
        bad = int(np.flatnonzero(~np.isfinite(p))[0])
        raise InvalidInputError(f"{what} has a non-finite probability {p[bad]} at position {bad}")
    if np.any(p < 0):
        bad = int(np.flatnonzero(p < 0)[0])
        raise InvalidInputError(f"{what} has a negative probability {p[bad]} at position {bad}")


def _check_probs(probs: Any, size: int, normalize: bool) -> np.ndarray:
    """Probabilities as a new float64 array: finite, > 0, summing to 1 (or normalised)."""
    check_bool(normalize, "normalize")
    p = check_array(probs, "probs", kind="f")
    if p.ndim != 1 or p.size != size:
        raise InvalidInputError(f"probs must have shape ({size},), one per state; got {p.shape}")
    p = np.array(p, dtype=np.float64, copy=True)
    _check_finite_nonnegative(p, "probs")
    if normalize:
        # Scale by the largest first: the sum of huge masses may overflow to inf, which
        # would divide every mass to 0; positivity is judged after normalising.
        top = float(p.max())
        if top > 0:
            p /= top
            p /= p.sum()
    _check_positive(p, normalize)
    total = float(p.sum())
    if not normalize and abs(total - 1.0) > SUM_TOLERANCE:
        raise InvalidInputError(
            f"probabilities sum to {total!r}, not 1 (tolerance {SUM_TOLERANCE}); "
            "pass normalize=True to divide by the sum"
        )
    return p


def _check_positive(p: np.ndarray, normalized: bool) -> None:
    if np.any(p == 0):
        bad = int(np.flatnonzero(p == 0)[0])
        after = " after normalising (too small next to the largest)" if normalized else ""
        raise InvalidInputError(
            f"probability of state {bad} is 0{after}: a support lists only states of positive "
            "probability (drop it, or build the System with from_table)"
        )


# -- codes --------------------------------------------------------------------------------


def _strides(cards: tuple[int, ...]) -> np.ndarray | None:
    """Place values of the mixed-radix code, or None when 2**64 states would overflow."""
    out, total = [], 1
    for c in cards:
        out.append(total)
        total *= c
    if total > 2**64 - 1:
        return None
    return np.array(out, dtype=np.uint64)


def _value_dtype(cards: Sequence[int]) -> np.dtype:
    top = max(cards) - 1
    for dt in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.uint64)


def _encode(states: np.ndarray, strides: np.ndarray) -> np.ndarray:
    codes = np.empty(states.shape[0], dtype=np.uint64)
    for start in range(0, states.shape[0], _DECODE_CHUNK):
        chunk = states[start : start + _DECODE_CHUNK].astype(np.uint64)
        codes[start : start + _DECODE_CHUNK] = (chunk * strides).sum(axis=1, dtype=np.uint64)
    return codes


def _decode(codes: np.ndarray, cards: tuple[int, ...]) -> np.ndarray:
    strides = _strides(cards)
    assert strides is not None
    card_arr = np.array(cards, dtype=np.uint64)
    out = np.empty((codes.size, len(cards)), dtype=_value_dtype(cards))
    for start in range(0, codes.size, _DECODE_CHUNK):
        chunk = codes[start : start + _DECODE_CHUNK, None]
        out[start : start + _DECODE_CHUNK] = (chunk // strides) % card_arr
    return out
