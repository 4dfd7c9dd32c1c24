"""The algebra of transformations: the base class, composition, block maps, argument checks."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import (
    MAX_CARD,
    fmt_count,
    check_cards,
    check_sequence,
    check_type,
    check_variable,
    check_variables,
)
from ..errors import InvalidInputError
from ..systems._support import System, _strides

__all__ = ["Compose", "Transform"]

Var = Any  # a variable name (str) or index (int)
#: The output count of a map whose arity is unknown until it is applied.
_UNBOUNDED = 1 << 30

# -- validation helpers -------------------------------------------------------------------


def _check_var(v: Any, what: str) -> Var:
    return check_variable(v, what)


def _check_vars(vars: Any, what: str, *, min_len: int = 1) -> tuple[Var, ...]:
    return check_variables(vars, what, min_len=min_len)


def _check_names(names: Any, what: str) -> tuple[str, ...] | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError(f"{what}: names must be a list of strings, got {names!r}")
    out = tuple(check_sequence(names, f"{what}: names", what="strings"))
    for nm in out:
        if not isinstance(nm, str):
            raise TypeError(f"{what}: names must be strings, got {nm!r}")
    if len(set(out)) != len(out):
        raise InvalidInputError(f"{what}: names {list(out)} repeat a name")
    return out


def _check_card_list(cards: Any, what: str) -> tuple[int, ...]:
    if isinstance(cards, (str, bytes)) or not isinstance(cards, Iterable):
        raise TypeError(f"{what} must be a list of integers, got {cards!r}")
    return check_cards(cards, what)


def _ints(res: Any, arg: tuple[int, ...]) -> tuple[int, ...]:
    """What a Local's function returned, as ints (a bool, a float or a string is refused)."""
    out = None
    try:
        if not isinstance(res, (str, bytes)) and not any(
            isinstance(r, (bool, np.bool_)) for r in res
        ):
            out = tuple(operator.index(r) for r in res)
    except TypeError:
        out = None
    if out is None:
        raise TypeError(f"Local: fn{arg} returned {res!r}; it must return a tuple of ints")
    if out and max(out) > MAX_CARD - 1:
        raise InvalidInputError(
            f"Local: fn{arg} returned {fmt_count(max(out))}; output values "
            f"must be below 2**32 (cards <= {MAX_CARD})"
        )
    return out


def _fmt_vars(vs: Sequence[Var]) -> str:
    return "[" + ", ".join(repr(v) for v in vs) + "]"


def _joined(names: Sequence[str], m: int) -> tuple[str, ...]:
    base = "".join(names)
    return (base,) if m == 1 else tuple(f"{base}_{j}" for j in range(m))


# -- the base class -----------------------------------------------------------------------


class Transform:
    """A map from one System to another; subclasses are frozen dataclasses.

    Attributes every transformation has:

    - ``block``: the input variables it touches, as given (names or indices);
    - ``size``: how many they are.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> t = nt.Merge([0, 1])
    >>> t.block, t.size
    ((0, 1), 2)
    >>> t(na.systems.copies(3)).cards
    (4, 2)
    >>> t.is_bijective(na.systems.copies(3))
    True
    >>> nt.Local([0, 1], lambda v: (v[0] ^ v[1],)).is_bijective(na.systems.parity(2))
    False
    """

    __slots__ = ()
    block: tuple[Var, ...]  # a field or property of every subclass

    @property
    def size(self) -> int:
        """Number of input variables touched."""
        return len(self.block)

    # Subclasses implement ``_apply`` on an (N, n) int64 array of support rows and return
    # (rows, cards, names) of the image; the base class pushes the law forward.
    def _apply(
        self, rows: np.ndarray, cards: tuple[int, ...], names: tuple[str, ...]
    ) -> tuple[np.ndarray, tuple[int, ...], tuple[str, ...]]:  # pragma: no cover
        raise NotImplementedError

    def _widening(self) -> tuple[int, int]:
        """Static light-cone widening (forward, inverse): inputs - 1 and outputs - 1."""
        raise NotImplementedError  # pragma: no cover

    def _image(self, system: System) -> tuple[np.ndarray, tuple[int, ...], tuple[str, ...]]:
        check_type(system, System, "system", "a natabs.System (a transformation applies to one)")
        rows = np.asarray(system.states, dtype=np.int64)
        return self._apply(rows, system.cards, system.names)

    def __call__(self, system: System) -> System:
        if _is_code(system):  # a GF(2)-linear map keeps the kind: a LinearCode
            from ._gf2 import apply

            return apply(self, system)
        if _is_gaussian(system):  # a real-linear map keeps the kind: a GaussianSystem
            from ._gaussian import apply

            return apply(self, system)
        rows, cards, names = self._image(system)
        return _pushforward(rows, system.probs, cards, names)

    def is_bijective(self, system: System) -> bool:
        """Whether the map is one-to-one on the support of ``system`` (loses nothing)."""
        if _is_code(system):  # the GF(2)-linear maps are invertible; others are refused
            self(system)
            return True
        if _is_gaussian(system):  # the linear maps are invertible: checked at construction
            from ._gaussian import linear_matrix

            linear_matrix(self, system.names)
            return True
        rows, cards, _ = self._image(system)
        return _distinct_rows(rows, cards) == system.size

    def __rshift__(self, other: Transform) -> Compose:
        if not isinstance(other, Transform):
            raise TypeError(
                f"{self!r} >> {type(other).__name__}: >> composes natabs transformations; "
                "wrap a function of a block's values in natabs.transforms.Local"
            )
        left = self.steps if isinstance(self, Compose) else (self,)
        right = other.steps if isinstance(other, Compose) else (other,)
        return Compose(*left, *right)


def _is_code(system: Any) -> bool:
    from ..systems._gf2 import LinearCode

    return isinstance(system, LinearCode)


def _is_gaussian(system: Any) -> bool:
    from ..systems._gaussian import GaussianSystem

    return isinstance(system, GaussianSystem)


def _distinct_rows(rows: np.ndarray, cards: tuple[int, ...]) -> int:
    strides = _strides(cards)
    if strides is not None:
        return int(
            np.unique(
                rows.astype(np.uint64) @ strides if rows.size else np.zeros(len(rows), np.uint64)
            ).size
        )
    return int(np.unique(rows, axis=0).shape[0])


def _pushforward(rows: np.ndarray, probs: np.ndarray, cards, names) -> System:
    strides = _strides(cards)
    if strides is not None:
        codes = (rows.astype(np.uint64) * strides).sum(axis=1, dtype=np.uint64)
        keys, inverse = np.unique(codes, return_inverse=True)
        p = np.bincount(inverse.ravel(), weights=probs, minlength=keys.size)
        return System.from_codes(keys, p, cards, names, normalize=True, copy=False)
    keys, inverse = np.unique(rows, axis=0, return_inverse=True)
    p = np.bincount(inverse.ravel(), weights=probs, minlength=len(keys))
    return System(keys, p, cards, names, normalize=True)


# -- composition --------------------------------------------------------------------------


@dataclass(frozen=True, init=False, repr=False)
class Compose(Transform):
    """Apply ``steps`` in order; ``t1 >> t2`` builds one (nested compositions flatten).

    ``block`` is the union of the steps' blocks (in order of first appearance); each step
    names variables of the system it is applied to. The static light cone widens by the
    sum of the steps' widenings (THEORY §5).

    Examples
    --------
    >>> from natabs import transforms as nt
    >>> t = nt.cnot(0, 1) >> (nt.cnot(1, 2) >> nt.cnot(2, 3))
    >>> len(t.steps), t.block
    (3, (0, 1, 2, 3))
    >>> t == nt.Compose(nt.cnot(0, 1), nt.cnot(1, 2), nt.cnot(2, 3))
    True
    """

    steps: tuple[Transform, ...]

    def __init__(self, *steps: Transform) -> None:
        flat: list[Transform] = []
        for s in steps:
            if not isinstance(s, Transform):
                raise TypeError(f"Compose takes transformations, got {type(s).__name__}")
            flat.extend(s.steps if isinstance(s, Compose) else (s,))
        if not flat:
            raise InvalidInputError("Compose needs at least one step")
        object.__setattr__(self, "steps", tuple(flat))

    @property
    def block(self) -> tuple[Var, ...]:
        seen: dict[Var, None] = {}
        for s in self.steps:
            for v in s.block:
                seen.setdefault(v, None)
        return tuple(seen)

    def _apply(self, rows, cards, names):
        for s in self.steps:
            rows, cards, names = s._apply(rows, cards, names)
        return rows, cards, names

    def _widening(self) -> tuple[int, int]:
        f = i = 0
        for s in self.steps:
            a, b = s._widening()
            f, i = f + a, i + b
        return f, i

    def __repr__(self) -> str:
        return "Compose(" + ", ".join(repr(s) for s in self.steps) + ")"


def _index(var: Var, names: tuple[str, ...]) -> int:
    if isinstance(var, str):
        if var not in names:
            raise InvalidInputError(f"no variable named {var!r}; variables are {names}")
        return names.index(var)
    if var >= len(names):
        raise InvalidInputError(f"variable index {var} out of range for {len(names)} variables")
    return var


def _indices(vars: Sequence[Var], names: tuple[str, ...]) -> tuple[int, ...]:
    idx = tuple(_index(v, names) for v in vars)
    if len(set(idx)) != len(idx):
        raise InvalidInputError(f"variables {_fmt_vars(vars)} name the same variable twice")
    return idx


# -- maps on a block of variables ---------------------------------------------------------


class _BlockMap(Transform):
    """A map of a block's joint values to new variables; the rest is untouched.

    Subclasses define ``block``, ``names`` and ``_outputs(values, cards) -> (out, out_cards)``
    on an (N, b) int64 array of the block's values (columns in block order as given).
    """

    __slots__ = ()

    def _outputs(self, values: np.ndarray, cards: tuple[int, ...]):  # pragma: no cover
        raise NotImplementedError

    def _default_names(self, in_names: tuple[str, ...], m: int) -> tuple[str, ...]:
        return in_names if m == len(in_names) else _joined(in_names, m)

    def _apply(self, rows, cards, names):
        idx = _indices(self.block, names)
        out, out_cards = self._outputs(rows[:, list(idx)], tuple(cards[i] for i in idx))
        m = out.shape[1]
        given = self.names  # type: ignore[attr-defined]
        if given is not None and len(given) != m:
            raise InvalidInputError(f"{self!r}: {len(given)} names given for {m} outputs")
        out_names = given or self._default_names(tuple(names[i] for i in idx), m)
        if m == len(idx):
            new_rows = rows.copy()
            new_cards, new_names = list(cards), list(names)
            for j, i in enumerate(idx):
                new_rows[:, i] = out[:, j]
                new_cards[i], new_names[i] = out_cards[j], out_names[j]
        else:
            first = min(idx)
            before = [i for i in range(first) if i not in idx]
            after = [i for i in range(first, len(names)) if i not in idx]
            new_rows = np.hstack([rows[:, before], out, rows[:, after]])
            new_cards = [cards[i] for i in before] + list(out_cards) + [cards[i] for i in after]
            new_names = [names[i] for i in before] + list(out_names) + [names[i] for i in after]
        if len(set(new_names)) != len(new_names):
            dup = next(nm for nm in new_names if new_names.count(nm) > 1)
            raise InvalidInputError(
                f"{self!r}: output name {dup!r} collides with another variable; pass names="
            )
        return new_rows, tuple(new_cards), tuple(new_names)

    def _widening(self) -> tuple[int, int]:
        return self.size - 1, self._n_out() - 1

    def _n_out(self) -> int:
        return self.size
