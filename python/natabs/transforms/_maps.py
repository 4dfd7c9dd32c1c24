"""The transformations and their light cones."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidInputError, TooLargeError
from ..systems._support import System, _strides

__all__ = [
    "Transform",
    "Compose",
    "Relabel",
    "Permute",
    "Local",
    "Merge",
    "Split",
    "Shuffle",
    "cnot",
    "difference_map",
    "prefix_xor",
    "star_map",
    "center_of_mass",
    "LightCone",
    "light_cone",
]

Var = Any  # a variable name (str) or index (int)

#: Support pairs compared one against all (pairwise distances) up to this support size.
MAX_ALL_PAIRS_SUPPORT = 4096
#: Largest number of support pairs the light cone enumerates before refusing.
MAX_PAIRS = 50_000_000
#: Largest number of coordinate subsets the light cone groups by.
MAX_SUBSETS = 100_000
_UNBOUNDED = 1 << 30
#: Largest joint value space a :class:`Shuffle` permutes.
MAX_SHUFFLE_VALUES = 1 << 20


# -- validation helpers -------------------------------------------------------------------


def _check_var(v: Any, what: str) -> Var:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        raise TypeError(f"{what}: a variable is a name or an index, got {v!r}")
    try:
        i = operator.index(v)
    except TypeError:
        raise TypeError(f"{what}: a variable is a name (str) or an index (int), got {v!r}") from None
    if i < 0:
        raise InvalidInputError(f"{what}: variable index must be >= 0, got {i}")
    return i


def _check_vars(vars: Any, what: str, *, min_len: int = 1) -> tuple[Var, ...]:
    if isinstance(vars, (str, bytes)) or not isinstance(vars, Iterable):
        raise TypeError(f"{what} must be a list of variables (names or indices), got {vars!r}")
    out = tuple(_check_var(v, what) for v in vars)
    if len(out) < min_len:
        raise InvalidInputError(f"{what} needs at least {min_len} variable(s), got {list(out)}")
    if len(set(out)) != len(out):
        dup = next(v for v in out if out.count(v) > 1)
        raise InvalidInputError(f"{what} names the variable {dup!r} twice")
    return out


def _check_names(names: Any, what: str) -> tuple[str, ...] | None:
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise TypeError(f"{what}: names must be a list of strings, got {names!r}")
    out = tuple(names)
    for nm in out:
        if not isinstance(nm, str):
            raise TypeError(f"{what}: names must be strings, got {nm!r}")
    if len(set(out)) != len(out):
        raise InvalidInputError(f"{what}: names {list(out)} repeat a name")
    return out


def _check_card_list(cards: Any, what: str) -> tuple[int, ...]:
    if isinstance(cards, (str, bytes)) or not isinstance(cards, Iterable):
        raise TypeError(f"{what} must be a list of integers, got {cards!r}")
    out = []
    for c in cards:
        try:
            ci = operator.index(c)
        except TypeError:
            raise TypeError(f"{what} must hold integers, got {c!r}") from None
        if not 1 <= ci < 2**32:
            raise InvalidInputError(f"{what} must lie in [1, 2**32), got {ci}")
        out.append(ci)
    if not out:
        raise InvalidInputError(f"{what} must not be empty")
    return tuple(out)


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
        if not isinstance(system, System):
            raise TypeError(f"a transformation applies to a natabs.System, got {type(system).__name__}")
        rows = np.asarray(system.states, dtype=np.int64)
        return self._apply(rows, system.cards, system.names)

    def __call__(self, system: System) -> System:
        rows, cards, names = self._image(system)
        return _pushforward(rows, system.probs, cards, names)

    def is_bijective(self, system: System) -> bool:
        """Whether the map is one-to-one on the support of ``system`` (loses nothing)."""
        rows, cards, _ = self._image(system)
        return _distinct_rows(rows, cards) == system.size

    def __rshift__(self, other: Transform) -> Compose:
        if not isinstance(other, Transform):
            return NotImplemented
        left = self.steps if isinstance(self, Compose) else (self,)
        right = other.steps if isinstance(other, Compose) else (other,)
        return Compose(*left, *right)


def _distinct_rows(rows: np.ndarray, cards: tuple[int, ...]) -> int:
    strides = _strides(cards)
    if strides is not None:
        return int(np.unique(rows.astype(np.uint64) @ strides if rows.size else
                             np.zeros(len(rows), np.uint64)).size)
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


# -- permutations of variables and values -------------------------------------------------


@dataclass(frozen=True, init=False, repr=False)
class Relabel(Transform):
    """Rename the values of one variable: value ``v`` becomes ``perm[v]``.

    ``perm`` must be a permutation of ``0 .. card - 1`` of the variable's cardinality.
    R_k is unchanged for every k (THEORY §5, b = 1).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.Relabel("x1", [1, 0])(na.systems.copies(2)).states
    array([[1, 0],
           [0, 1]], dtype=uint8)
    """

    var: Var
    perm: tuple[int, ...]

    def __init__(self, var: Var, perm: Sequence[int]) -> None:
        v = _check_var(var, "Relabel")
        if isinstance(perm, (str, bytes)) or not isinstance(perm, Iterable):
            raise TypeError(f"Relabel: perm must be a list of integers, got {perm!r}")
        p = []
        for x in perm:
            try:
                p.append(operator.index(x))
            except TypeError:
                raise TypeError(f"Relabel: perm must hold integers, got {x!r}") from None
        if sorted(p) != list(range(len(p))):
            raise InvalidInputError(f"Relabel: perm {p} is not a permutation of 0..{len(p) - 1}")
        object.__setattr__(self, "var", v)
        object.__setattr__(self, "perm", tuple(p))

    @property
    def block(self) -> tuple[Var, ...]:
        return (self.var,)

    def _apply(self, rows, cards, names):
        i = _index(self.var, names)
        if len(self.perm) != cards[i]:
            raise InvalidInputError(
                f"Relabel: perm has {len(self.perm)} entries but variable {names[i]!r} "
                f"has cardinality {cards[i]}"
            )
        rows = rows.copy()
        rows[:, i] = np.asarray(self.perm, dtype=np.int64)[rows[:, i]]
        return rows, cards, names

    def _widening(self) -> tuple[int, int]:
        return 0, 0

    def __repr__(self) -> str:
        return f"Relabel({self.var!r}, {list(self.perm)})"


@dataclass(frozen=True, init=False, repr=False)
class Permute(Transform):
    """Reorder the variables: new variable ``i`` is old variable ``order[i]``.

    ``order`` lists every variable once. R_k is unchanged for every k.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.Permute(["x2", "x0", "x1"])(na.systems.coupled_pair(2, 3)).names
    ('x2', 'x0', 'x1')
    """

    order: tuple[Var, ...]

    def __init__(self, order: Sequence[Var]) -> None:
        object.__setattr__(self, "order", _check_vars(order, "Permute"))

    @property
    def block(self) -> tuple[Var, ...]:
        return self.order

    def _apply(self, rows, cards, names):
        idx = _indices(self.order, names)
        if len(idx) != len(names):
            raise InvalidInputError(
                f"Permute: order lists {len(idx)} variables but the system has {len(names)}; "
                "list every variable once"
            )
        return rows[:, list(idx)], tuple(cards[i] for i in idx), tuple(names[i] for i in idx)

    def _widening(self) -> tuple[int, int]:
        return 0, 0

    def __repr__(self) -> str:
        return f"Permute({_fmt_vars(self.order)})"


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


@dataclass(frozen=True, init=False, repr=False)
class Local(_BlockMap):
    """Any map of the joint values of a block to one or more new variables.

    ``fn`` takes the block's values as a tuple of ints (block order as given) and returns
    a tuple of non-negative ints (a single int counts as a one-tuple). It is evaluated once
    per distinct block value present in the support. ``out_cards`` are the outputs'
    cardinalities; by default each is 1 + the largest value ``fn`` returned on this
    support (so it depends on the system: pass ``out_cards`` for a fixed map).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> xor = nt.Local(["x0", "x1"], lambda v: (v[0] ^ v[1],), out_cards=[2])
    >>> y = xor(na.systems.parity(3))
    >>> y.names, y.cards, y.states.tolist(), y.probs.tolist()
    (('x0x1', 'x2'), (2, 2), [[0, 0], [1, 1]], [0.5, 0.5])
    >>> xor.is_bijective(na.systems.parity(3))
    False
    """

    block: tuple[Var, ...]
    fn: Callable[[tuple[int, ...]], Any]
    out_cards: tuple[int, ...] | None = None
    names: tuple[str, ...] | None = None

    def __init__(self, block, fn, out_cards=None, names=None) -> None:
        if not callable(fn):
            raise TypeError(f"Local: fn must be callable, got {fn!r}")
        object.__setattr__(self, "block", _check_vars(block, "Local block"))
        object.__setattr__(self, "fn", fn)
        oc = None if out_cards is None else _check_card_list(out_cards, "Local out_cards")
        object.__setattr__(self, "out_cards", oc)
        nm = _check_names(names, "Local")
        if nm is not None and oc is not None and len(nm) != len(oc):
            raise InvalidInputError(f"Local: {len(nm)} names for {len(oc)} out_cards")
        object.__setattr__(self, "names", nm)

    def _outputs(self, values, cards):
        keys, inverse = np.unique(values, axis=0, return_inverse=True)
        table = []
        m = None
        for key in keys:
            arg = tuple(int(v) for v in key)
            res = self.fn(arg)
            res = (res,) if isinstance(res, (int, np.integer)) else res
            try:
                res = tuple(operator.index(r) for r in res)
            except TypeError:
                raise TypeError(
                    f"Local: fn{arg} returned {res!r}; it must return a tuple of ints"
                ) from None
            if m is None:
                m = len(res)
                if m == 0:
                    raise InvalidInputError(f"Local: fn{arg} returned no outputs")
            elif len(res) != m:
                raise InvalidInputError(
                    f"Local: fn returned {m} outputs before but {len(res)} for {arg}"
                )
            if min(res) < 0:
                raise InvalidInputError(f"Local: fn{arg} returned a negative value {res}")
            table.append(res)
        tab = np.asarray(table, dtype=np.int64)
        if self.out_cards is not None:
            if len(self.out_cards) != m:
                raise InvalidInputError(
                    f"Local: fn returns {m} outputs but out_cards has {len(self.out_cards)}"
                )
            over = tab >= np.asarray(self.out_cards)
            if over.any():
                r, c = map(int, np.argwhere(over)[0])
                raise InvalidInputError(
                    f"Local: fn{tuple(int(v) for v in keys[r])} gives {int(tab[r, c])} for "
                    f"output {c}, outside its cardinality {self.out_cards[c]}"
                )
            oc = self.out_cards
        else:
            oc = tuple(int(v) + 1 for v in tab.max(axis=0))
        return tab[inverse.ravel()], oc

    def _n_out(self) -> int:
        # Without out_cards or names the number of outputs is known only on a system, so
        # the static inverse light cone is taken as unbounded (always a valid bound).
        if self.out_cards is not None:
            return len(self.out_cards)
        return len(self.names) if self.names is not None else _UNBOUNDED

    def __repr__(self) -> str:
        fn = getattr(self.fn, "__qualname__", repr(self.fn))
        extra = "" if self.out_cards is None else f", out_cards={list(self.out_cards)}"
        extra += "" if self.names is None else f", names={list(self.names)}"
        return f"Local({_fmt_vars(self.block)}, {fn}{extra})"


@dataclass(frozen=True, init=False, repr=False)
class _Shift(_BlockMap):
    # target <- target + sign * control (mod card of target); control unchanged.
    control: Var
    target: Var
    sign: int
    names: tuple[str, ...] | None

    def __init__(self, control, target, sign=1, names=None) -> None:
        c, t = _check_var(control, "cnot control"), _check_var(target, "cnot target")
        if c == t:
            raise InvalidInputError(f"cnot: control and target are the same variable {c!r}")
        object.__setattr__(self, "control", c)
        object.__setattr__(self, "target", t)
        object.__setattr__(self, "sign", sign)
        object.__setattr__(self, "names", _check_names(names, "cnot"))

    @property
    def block(self):
        return (self.control, self.target)

    def _outputs(self, values, cards):
        out = values.copy()
        out[:, 1] = (values[:, 1] + self.sign * values[:, 0]) % cards[1]
        return out, cards

    def __repr__(self) -> str:
        op = "->" if self.sign == 1 else "-|"
        return f"cnot({self.control!r} {op} {self.target!r})"


def cnot(control: Var, target: Var) -> Transform:
    """Controlled NOT: ``target <- target xor control`` (for non-binary variables,
    ``target <- (target + control) mod card(target)``). A bijection on two variables.

    THEORY §5 failure 1: on 4 copies it turns R_3 = 1 bit into 0.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> t = nt.cnot("x0", "x1")
    >>> t
    cnot('x0' -> 'x1')
    >>> t(na.systems.copies(4)).states.tolist()
    [[0, 0, 0, 0], [1, 0, 1, 1]]
    """
    return _Shift(control, target)


@dataclass(frozen=True, init=False, repr=False)
class Merge(_BlockMap):
    """Merge several variables into one, valued by their mixed-radix code.

    The merged value is ``sum_j x_{v_j} * prod_{i<j} card(v_i)`` (first variable least
    significant), its cardinality the product; it sits at the slot of the earliest one.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> y = nt.Merge(["x1", "x2"])(na.systems.coupled_pair(2, 3))
    >>> y.names, y.cards
    (('x0', 'x1x2'), (2, 4))
    """

    vars: tuple[Var, ...]
    names: tuple[str, ...] | None = None

    def __init__(self, vars, names=None) -> None:
        object.__setattr__(self, "vars", _check_vars(vars, "Merge", min_len=1))
        nm = _check_names(names, "Merge")
        if nm is not None and len(nm) != 1:
            raise InvalidInputError(f"Merge makes one variable; got names {list(nm)}")
        object.__setattr__(self, "names", nm)

    @property
    def block(self):
        return self.vars

    def _outputs(self, values, cards):
        total = math.prod(cards)
        if total >= 2**32:
            raise InvalidInputError(
                f"Merge: the merged variable would have {total} values; the limit is 2**32 - 1"
            )
        strides = np.cumprod((1,) + cards[:-1]).astype(np.int64)
        return (values * strides).sum(axis=1, keepdims=True), (total,)

    def _n_out(self) -> int:
        return 1

    def __repr__(self) -> str:
        extra = "" if self.names is None else f", names={list(self.names)}"
        return f"Merge({_fmt_vars(self.vars)}{extra})"


@dataclass(frozen=True, init=False, repr=False)
class Split(_BlockMap):
    """Split one variable into several by its mixed-radix digits (first least significant).

    ``prod(cards)`` must be at least the variable's cardinality, so the map is injective.
    Outputs are named ``"<name>_0"``, ``"<name>_1"``, ... unless ``names=`` is given.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> x = nt.Merge([0, 1])(na.systems.copies(3))
    >>> y = nt.Split("x0x1", [2, 2], names=["x0", "x1"])(x)
    >>> y.same_law(na.systems.copies(3))
    True
    """

    var: Var
    cards: tuple[int, ...]
    names: tuple[str, ...] | None = None

    def __init__(self, var, cards, names=None) -> None:
        object.__setattr__(self, "var", _check_var(var, "Split"))
        object.__setattr__(self, "cards", _check_card_list(cards, "Split cards"))
        nm = _check_names(names, "Split")
        if nm is not None and len(nm) != len(self.cards):
            raise InvalidInputError(f"Split: {len(nm)} names for {len(self.cards)} parts")
        object.__setattr__(self, "names", nm)

    @property
    def block(self):
        return (self.var,)

    def _outputs(self, values, cards):
        if math.prod(self.cards) < cards[0]:
            raise InvalidInputError(
                f"Split: parts {list(self.cards)} hold {math.prod(self.cards)} values but the "
                f"variable has {cards[0]}; the product must be at least its cardinality"
            )
        strides = np.cumprod((1,) + self.cards[:-1]).astype(np.int64)
        out = (values[:, :1] // strides) % np.asarray(self.cards, dtype=np.int64)
        return out, self.cards

    def _default_names(self, in_names, m):
        return tuple(f"{in_names[0]}_{j}" for j in range(m))

    def _n_out(self) -> int:
        return len(self.cards)

    def __repr__(self) -> str:
        extra = "" if self.names is None else f", names={list(self.names)}"
        return f"Split({self.var!r}, {list(self.cards)}{extra})"


@dataclass(frozen=True, init=False, repr=False)
class _Chain(_BlockMap):
    # kind "difference": Y_0 = X_0, Y_i = X_i - X_{i-1};  "prefix": Y_i = X_i + Y_{i-1}
    # (mod card of variable i). Both are bijections whatever the cardinalities, and each
    # is the other's inverse.
    vars: tuple[Var, ...]
    kind: str
    names: tuple[str, ...] | None

    def __init__(self, vars, kind, names=None) -> None:
        what = "difference_map" if kind == "difference" else "prefix_xor"
        object.__setattr__(self, "vars", _check_vars(vars, what, min_len=1))
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "names", _check_names(names, what))

    @property
    def block(self):
        return self.vars

    def _outputs(self, values, cards):
        c = np.asarray(cards, dtype=np.int64)
        if self.kind == "difference":
            out = values.copy()
            out[:, 1:] = (values[:, 1:] - values[:, :-1]) % c[1:]
        else:
            out = values.copy()
            for i in range(1, out.shape[1]):
                out[:, i] = (values[:, i] + out[:, i - 1]) % c[i]
        return out, cards

    def __repr__(self) -> str:
        name = "difference_map" if self.kind == "difference" else "prefix_xor"
        return f"{name}({_fmt_vars(self.vars)})"


def difference_map(vars: Sequence[Var], *, names: Sequence[str] | None = None) -> Transform:
    """``Y_0 = X_0``, ``Y_i = X_i xor X_{i-1}`` along ``vars`` (mod the cardinality of
    ``X_i`` for non-binary variables). Names are kept.

    A composition of neighbouring CNOTs; on N copies it gives ``(B, 0, ..., 0)``, so every
    R_k with k >= 1 drops to 0 (THEORY §5 failure 2). Its inverse is :func:`prefix_xor`.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> y = nt.difference_map([0, 1, 2, 3])(na.systems.copies(4))
    >>> y.states.tolist(), na.conserved_information(y, k=1)
    ([[0, 0, 0, 0], [1, 0, 0, 0]], 0.0)
    """
    return _Chain(vars, "difference", names)


def prefix_xor(vars: Sequence[Var], *, names: Sequence[str] | None = None) -> Transform:
    """``Y_i = X_0 xor ... xor X_i`` along ``vars`` (a running sum mod each cardinality):
    the inverse of :func:`difference_map`, whose light cone is global.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> x = na.systems.copies(4)
    >>> t = nt.difference_map([0, 1, 2, 3]) >> nt.prefix_xor([0, 1, 2, 3])
    >>> t(x).same_law(x)
    True
    """
    return _Chain(vars, "prefix", names)


@dataclass(frozen=True, init=False, repr=False)
class _Star(_BlockMap):
    # Y_ref = X_ref, Y_i = X_i - X_ref (mod card of i): coordinates relative to ref.
    vars: tuple[Var, ...]
    ref: Var
    names: tuple[str, ...] | None

    def __init__(self, vars, ref, names=None) -> None:
        r = _check_var(ref, "star_map ref")
        vs = tuple(v for v in _check_vars(vars, "star_map") if v != r)
        if not vs:
            raise InvalidInputError("star_map needs at least one variable besides ref")
        object.__setattr__(self, "vars", vs)
        object.__setattr__(self, "ref", r)
        object.__setattr__(self, "names", _check_names(names, "star_map"))

    @property
    def block(self):
        return (self.ref,) + self.vars

    def _outputs(self, values, cards):
        out = values.copy()
        out[:, 1:] = (values[:, 1:] - values[:, :1]) % np.asarray(cards[1:], dtype=np.int64)
        return out, cards

    def __repr__(self) -> str:
        return f"star_map({_fmt_vars(self.vars)}, ref={self.ref!r})"


def star_map(vars: Sequence[Var], ref: Var, *, names: Sequence[str] | None = None) -> Transform:
    """Relative coordinates: ``Y_i = X_i xor X_ref`` for each ``i`` in ``vars`` (mod the
    cardinality of ``X_i``); ``ref`` itself is kept. Names are kept.

    On noisy copies the shared bit becomes synergistic rather than redundant (THEORY §5
    failure 3).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.star_map([1, 2], ref=0)(na.systems.copies(3)).states.tolist()
    [[0, 0, 0], [1, 0, 0]]
    """
    return _Star(vars, ref, names)


@dataclass(frozen=True, init=False, repr=False)
class _CenterOfMass(_BlockMap):
    # Outputs: S = sum of positions (card sum(c_i - 1) + 1) in ref's slot, and
    # D_i = X_i - X_ref + (c_ref - 1) (card c_i + c_ref - 1) in slot i. Injective because
    # X_ref = (S - sum_i (X_i - X_ref)) / m.
    vars: tuple[Var, ...]
    ref: Var
    names: tuple[str, ...] | None

    def __init__(self, vars, ref=None, names=None) -> None:
        vs = _check_vars(vars, "center_of_mass", min_len=1)
        r = vs[0] if ref is None else _check_var(ref, "center_of_mass ref")
        if r not in vs:
            raise InvalidInputError(f"center_of_mass: ref {r!r} is not among {_fmt_vars(vs)}")
        object.__setattr__(self, "vars", (r,) + tuple(v for v in vs if v != r))
        object.__setattr__(self, "ref", r)
        object.__setattr__(self, "names", _check_names(names, "center_of_mass"))

    @property
    def block(self):
        return self.vars

    def _outputs(self, values, cards):
        c = np.asarray(cards, dtype=np.int64)
        total = int((c - 1).sum()) + 1
        out = np.empty_like(values)
        out[:, 0] = values.sum(axis=1)
        out[:, 1:] = values[:, 1:] - values[:, :1] + (c[0] - 1)
        return out, (total,) + tuple(int(ci + c[0] - 1) for ci in c[1:])

    def _default_names(self, in_names, m):
        ref = in_names[0]
        return ("com",) + tuple(f"{nm}-{ref}" for nm in in_names[1:])

    def __repr__(self) -> str:
        return f"center_of_mass({_fmt_vars(self.vars)}, ref={self.ref!r})"


def center_of_mass(
    vars: Sequence[Var], *, ref: Var | None = None, names: Sequence[str] | None = None
) -> Transform:
    """Centre-of-mass coordinates for integer positions: their sum and relative positions.

    Outputs (a bijection): ``"com"`` = ``sum_i X_i`` with cardinality
    ``sum_i (c_i - 1) + 1``, in the slot of ``ref`` (the first of ``vars`` by default);
    and for every other ``i``, ``"<name_i>-<name_ref>"`` = ``X_i - X_ref + (c_ref - 1)``
    (offset so it is non-negative), cardinality ``c_i + c_ref - 1``, in the slot of ``i``.
    The sum is the centre of mass times the number of particles (kept an integer).

    With a shared drift (``X_i = θ + noise``) the information about θ is carried
    redundantly in the original coordinates but by ``"com"`` alone in the new ones, so it
    decays faster under resampling (THEORY §5 failure 4).

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> x = na.System([[0, 1, 2], [2, 2, 0]], [0.5, 0.5], cards=[3, 3, 3])
    >>> y = nt.center_of_mass([0, 1, 2])(x)
    >>> y.names, y.cards
    (('com', 'x1-x0', 'x2-x0'), (7, 5, 5))
    >>> y.states.tolist()
    [[4, 2, 0], [3, 3, 4]]
    """
    return _CenterOfMass(vars, ref, names)


@dataclass(frozen=True, init=False, repr=False)
class Shuffle(_BlockMap):
    """A pseudorandom bijection of a block's joint values, fixed by ``seed``.

    The joint values of the block (all ``prod(cards)`` of them, at most 2**20) are permuted
    by a permutation drawn from ``numpy.random.default_rng(seed)``; ``seed=0`` is the
    identity. Outputs keep the block's names and cardinalities. A generic local bijection,
    used by :func:`natabs.testing.local_bijections`.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> x = na.systems.parity(3)
    >>> nt.Shuffle([0, 1], seed=0)(x).same_law(x)
    True
    >>> nt.Shuffle([0, 1], seed=3).is_bijective(x)
    True
    """

    block: tuple[Var, ...]
    seed: int

    def __init__(self, block, seed: int = 0) -> None:
        object.__setattr__(self, "block", _check_vars(block, "Shuffle"))
        try:
            s = operator.index(seed)
        except TypeError:
            raise TypeError(f"Shuffle: seed must be an integer, got {seed!r}") from None
        if s < 0:
            raise InvalidInputError(f"Shuffle: seed must be >= 0, got {s}")
        object.__setattr__(self, "seed", s)

    @property
    def names(self):
        return None

    def _outputs(self, values, cards):
        total = math.prod(cards)
        if total > MAX_SHUFFLE_VALUES:
            raise TooLargeError(
                f"Shuffle: the block has {total} joint values; the limit is {MAX_SHUFFLE_VALUES}"
            )
        perm = np.arange(total, dtype=np.int64)
        if self.seed:
            perm = np.random.default_rng(self.seed).permutation(total)
        strides = np.cumprod((1,) + cards[:-1]).astype(np.int64)
        code = perm[(values * strides).sum(axis=1)]
        return (code[:, None] // strides) % np.asarray(cards, dtype=np.int64), cards

    def __repr__(self) -> str:
        return f"Shuffle({_fmt_vars(self.block)}, seed={self.seed})"


def _static_widening(transform: Transform, system: System) -> tuple[int, int]:
    """Static light-cone widening of ``transform`` on ``system`` (forward, inverse).

    A step on ``b`` inputs and ``m`` outputs widens the inverse cone by ``m - 1``, and the
    forward cone by ``b - 1`` provided its block map is one-to-one on the block values
    that occur (then the inverse is local too). A :class:`Local` that is one-to-one only
    thanks to the other variables has a non-local inverse: its forward cone is unbounded.
    """
    steps = transform.steps if isinstance(transform, Compose) else (transform,)
    rows = np.asarray(system.states, dtype=np.int64)
    cards, names = system.cards, system.names
    f = i = 0
    for step in steps:
        a, b = step._widening()
        if isinstance(step, Local):
            idx = _indices(step.block, names)
            vals = np.unique(rows[:, list(idx)], axis=0)
            out, out_cards = step._outputs(vals, tuple(cards[j] for j in idx))
            if _distinct_rows(out, out_cards) != len(vals):
                a = _UNBOUNDED
            b = out.shape[1] - 1
        f, i = f + a, i + b
        rows, cards, names = step._apply(rows, cards, names)
    return f, i


# -- light cones --------------------------------------------------------------------------


@dataclass(frozen=True)
class LightCone:
    """The light cones of a transformation on a system, at one ``k`` (THEORY §5).

    Attributes
    ----------
    k : int
        The number of coordinates of a move.
    forward : int or None
        ℓ(k): the most X-coordinates in which the preimages of two Y-support states that
        differ in at most ``k`` coordinates differ. Then ``R_{ℓ(k)}(X) <= R_k(Y)``.
        None when the map is not injective on the support (the lemma needs an inverse).
    inverse : int
        The most Y-coordinates in which the images of two X-support states that differ in
        at most ``k`` coordinates differ; then ``R_{inverse}(Y) <= R_k(X)``.
    static_forward, static_inverse : int
        The bounds from block sizes alone: ``k + Σ(b_in - 1)`` and ``k + Σ(b_out - 1)``
        over the steps (0 for k = 0). The exact cones never exceed them.
    bijective : bool
        Whether the map is one-to-one on the support.
    """

    k: int
    forward: int | None
    inverse: int
    static_forward: int
    static_inverse: int
    bijective: bool


def light_cone(system: System, transform: Transform, k: int) -> LightCone:
    """The exact light cones ℓ(k) of ``transform`` on ``system``, both directions.

    Support pairs within ``k`` coordinates of each other are enumerated (all pairs for
    supports up to 4096 states, else by grouping on projections); more than
    ``MAX_PAIRS`` pairs raise :class:`~natabs.errors.TooLargeError`.

    Examples
    --------
    >>> import natabs as na
    >>> from natabs import transforms as nt
    >>> nt.light_cone(na.systems.copies(4), nt.cnot(0, 1), 3)
    LightCone(k=3, forward=4, inverse=0, static_forward=4, static_inverse=4, bijective=True)

    On a full support, one flipped X-coordinate moves two Y-coordinates under the
    difference map, but all of them under its inverse (a global light cone):

    >>> x = na.systems.noisy_copies(4, 0.1)
    >>> nt.light_cone(x, nt.difference_map([0, 1, 2, 3]), 1).inverse
    2
    >>> nt.light_cone(x, nt.prefix_xor([0, 1, 2, 3]), 1).inverse
    4
    """
    if not isinstance(transform, Transform):
        raise TypeError(f"transform must be a natabs transformation, got {type(transform).__name__}")
    if not isinstance(system, System):
        raise TypeError(f"system must be a natabs.System, got {type(system).__name__}")
    k = integer(k, "k", 0)
    a = np.asarray(system.states, dtype=np.int64)
    b, cards_y, _ = transform._image(system)
    bij = _distinct_rows(b, cards_y) == system.size
    inv = _cone(a, b, k)
    fwd = _cone(b, a, k) if bij else None
    wf, wi = _static_widening(transform, system)
    sf = 0 if k == 0 else min(k + wf, system.n)
    si = 0 if k == 0 else min(k + wi, len(cards_y))
    return LightCone(k=k, forward=fwd, inverse=inv, static_forward=sf, static_inverse=si,
                     bijective=bij)


def _cone(a: np.ndarray, b: np.ndarray, k: int) -> int:
    """Largest Hamming distance in ``b`` over row pairs within distance ``k`` in ``a``."""
    n_a = a.shape[1]
    N = a.shape[0]
    if k == 0 or N < 2:
        return 0
    if N <= MAX_ALL_PAIRS_SUPPORT:
        best = 0
        width = max(a.shape[1], b.shape[1], 1)
        chunk = max(1, (1 << 22) // (N * width))
        for s in range(0, N, chunk):
            da = (a[s : s + chunk, None, :] != a[None, :, :]).sum(axis=2)
            db = (b[s : s + chunk, None, :] != b[None, :, :]).sum(axis=2)
            near = da <= k
            if near.any():
                best = max(best, int(db[near].max()))
        return best
    if k >= n_a:
        raise TooLargeError(
            f"a light cone with k >= n compares all {N * (N - 1) // 2} support pairs; "
            f"the limit for all pairs is a support of {MAX_ALL_PAIRS_SUPPORT} states"
        )
    n_sub = math.comb(n_a, k)
    if n_sub > MAX_SUBSETS:
        raise TooLargeError(f"a light cone at k={k} groups by {n_sub} subsets; limit {MAX_SUBSETS}")
    best, pairs = 0, 0
    for free in combinations(range(n_a), k):
        # Pairs within distance k agree outside some k coordinates: group on the rest.
        rest = [i for i in range(n_a) if i not in free]
        _, gid = np.unique(a[:, rest], axis=0, return_inverse=True)
        gid = gid.ravel()
        order = np.argsort(gid, kind="stable")
        g = gid[order]
        sizes = np.bincount(g)
        pairs += int((sizes * (sizes - 1) // 2).sum())
        if pairs > MAX_PAIRS:
            raise TooLargeError(
                f"a light cone at k={k} would compare more than {MAX_PAIRS} support pairs"
            )
        bs = b[order]
        for d in range(1, int(sizes.max())):
            same = g[d:] == g[:-d]
            if same.any():
                dist = (bs[d:][same] != bs[:-d][same]).sum(axis=1)
                best = max(best, int(dist.max()))
    return best
