"""The maps: relabellings, permutations, local maps, CNOT chains, star maps, centre of mass."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import MAX_SEED, check_integer, check_sequence
from ..errors import InvalidInputError, TooLargeError
from ._algebra import _UNBOUNDED, Transform, Var, _BlockMap, _check_card_list, _check_names
from ._algebra import _check_var, _check_vars, _fmt_vars, _index, _indices, _ints

__all__ = [
    "Local",
    "Merge",
    "Permute",
    "Relabel",
    "Shuffle",
    "Split",
    "center_of_mass",
    "cnot",
    "difference_map",
    "prefix_xor",
    "star_map",
]

#: Largest joint value space a :class:`Shuffle` permutes.
MAX_SHUFFLE_VALUES = 1 << 20

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
        p = [
            check_integer(x, "Relabel: each entry of perm")
            for x in check_sequence(perm, "Relabel: perm", what="integers")
        ]
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
            res = _ints(res, arg)
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
        s = check_integer(seed, "Shuffle: seed", min_value=0, max_value=MAX_SEED)
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
