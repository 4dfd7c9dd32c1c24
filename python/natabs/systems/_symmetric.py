"""Permutation-symmetric (exchangeable) systems, held by the law of their type (THEORY §9).

``n`` variables share one cardinality ``c`` and their law is invariant under permuting
them, so it is fixed by the law ``q`` of the *type* ``t(x)`` (how many variables take
each value):

    P(x) = q(t(x)) / multinomial(t(x)).

There are ``C(n + c - 1, c - 1)`` types (``n + 1`` for binary variables), so the law is
held exactly at any ``n``. Probabilities are kept as logarithms: at ``n = 1000`` the
types of noisy copies far from the two ends have probabilities below ``1e-300``.

A *latent* ``Λ`` (a hidden cause, e.g. the source bit of noisy copies) is not one of the
variables: the system is the law of the observed ``X`` with ``Λ`` marginalised out, and
keeps ``P(Λ)`` and ``P(t | Λ)`` beside it, so that ``about=<latent name>`` in
:func:`natabs.surviving_information` can ask how much ``X^T`` keeps about ``Λ``. Because
``X | Λ = λ`` is exchangeable for every ``λ``, the type is sufficient for ``Λ``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import integer
from ..errors import InvalidInputError, TooLargeError
from ._variables import NamedVariables, check_names

__all__ = ["SymmetricSystem", "enumerate_types"]

#: Largest number of types a SymmetricSystem holds.
MAX_TYPES = 2_000_000
#: Largest support ``to_system`` enumerates (states, latent values included).
MAX_ENUMERATED = 1 << 20
#: Relative tolerance on the total probability of the types.
SUM_TOLERANCE = 1e-9


def type_count(n: int, card: int) -> int:
    """Number of types of ``n`` variables on ``card`` values: ``C(n + card - 1, card - 1)``."""
    return math.comb(n + card - 1, card - 1)


def enumerate_types(n: int, card: int) -> np.ndarray:
    """Every type (count vector) of ``n`` variables on ``card`` values, one per row.

    Rows are sorted by ``(t[c-1], ..., t[1])`` ascending; for binary variables row ``i``
    is ``(n - i, i)``: ``i`` ones.

    Examples
    --------
    >>> from natabs.systems._symmetric import enumerate_types
    >>> enumerate_types(2, 3).tolist()
    [[2, 0, 0], [1, 1, 0], [0, 2, 0], [1, 0, 1], [0, 1, 1], [0, 0, 2]]
    """
    count = type_count(n, card)
    if count > MAX_TYPES:
        raise TooLargeError(
            f"{n} variables on {card} values have {count} types; the limit is {MAX_TYPES}"
        )
    if n > MAX_TYPES:  # one value: a single type, but n names and n-site blocks
        raise TooLargeError(f"n={n} variables; the limit is {MAX_TYPES}")
    if card == 1:
        return np.array([[n]], dtype=np.int64)
    # Build the tail (t[1], .., t[c-1]) with sum <= n, then t[0] = n - sum.
    tails = np.zeros((1, 0), dtype=np.int64)
    for _ in range(card - 1):
        used = tails.sum(axis=1)
        parts = [
            np.column_stack([tails[used <= n - v], np.full((used <= n - v).sum(), v)])
            for v in range(n + 1)
        ]
        tails = np.vstack(parts)
    order = np.lexsort(tails.T)  # last column is the primary key: t[c-1]
    tails = tails[order]
    head = n - tails.sum(axis=1)
    return np.column_stack([head, tails]).astype(np.int64)


def type_codes(types: np.ndarray, n: int) -> np.ndarray:
    """A sortable integer code of each type: ``Σ_{a >= 1} t[a] (n + 1)^(a - 1)``."""
    card = types.shape[1]
    if card == 1:
        return np.zeros(len(types), dtype=np.int64)
    radix = np.array([(n + 1) ** j for j in range(card - 1)], dtype=np.int64)
    return types[:, 1:] @ radix


def log_multinomial(types: np.ndarray) -> np.ndarray:
    """``log(n! / Π_a t_a!)`` for each type (natural logarithm)."""
    from scipy.special import gammaln

    t = np.asarray(types, dtype=np.float64)
    return gammaln(t.sum(axis=1) + 1) - gammaln(t + 1).sum(axis=1)


def _logsumexp(a: np.ndarray, axis: int | None = None) -> np.ndarray:
    from scipy.special import logsumexp

    with np.errstate(divide="ignore", invalid="ignore"):
        return logsumexp(a, axis=axis)


class SymmetricSystem(NamedVariables):
    """An exchangeable law of ``n`` variables on ``card`` values, given by its types.

    ``P(x) = q(t(x)) / multinomial(t(x))`` where ``t(x)`` counts each value and ``q`` is
    the law of the type (THEORY §9). Exact measures (``conserved``, ``spectrum``,
    ``slow_modes``, ``surviving_information(about=latent)``) run on the types, at any
    ``n``, for block families invariant under permuting the variables
    (``all_subsets(n, k)`` and unions of them).

    Parameters
    ----------
    n : int
        Number of variables.
    card : int
        Common cardinality.
    type_probs : array_like of float, or mapping
        ``q``: one probability per type, in the order of :attr:`types` (for binary
        variables ``type_probs[i]`` is the probability of ``i`` ones), or a mapping from
        count vectors (tuples of length ``card``) to probabilities, missing types 0.
    names : sequence of str, optional
        Variable names (``x0 .. x{n-1}`` by default).

    Examples
    --------
    >>> import natabs as na
    >>> s = na.SymmetricSystem(3, 2, [0.5, 0, 0, 0.5])   # three copies of a fair bit
    >>> s
    SymmetricSystem(n=3, card=2, types=2 of 4, support=2)
    >>> na.conserved_information(s, k=2), na.conserved_information(s, k=3)
    (1.0, 0.0)
    >>> s.to_system().states.tolist()
    [[0, 0, 0], [1, 1, 1]]
    """

    __slots__ = ("_card", "_latent", "_logq", "_n", "_names", "_types")

    def __init__(
        self, n: int, card: int, type_probs: Any, *, names: Sequence[str] | None = None
    ) -> None:
        n = integer(n, "n", 1)
        card = integer(card, "card", 1)
        types = enumerate_types(n, card)
        q = _type_vector(type_probs, types, n, card)
        total = float(q.sum())
        if not math.isclose(total, 1.0, rel_tol=SUM_TOLERANCE):
            raise InvalidInputError(f"type_probs must sum to 1, got a total of {total!r}")
        with np.errstate(divide="ignore"):
            logq = np.log(q / total)
        self._init(n, card, names, types, logq, None)

    def _init(self, n, card, names, types, logq, latent) -> None:
        keep = np.isfinite(logq)
        self._n = n
        self._card = card
        self._names = check_names(names, n)
        self._types = types[keep]
        self._types.flags.writeable = False
        self._logq = logq[keep]
        self._logq.flags.writeable = False
        if latent is not None:
            name, log_prior, log_given = latent
            log_given = np.ascontiguousarray(log_given[:, keep])
            log_given.flags.writeable = False
            latent = (name, log_prior, log_given)
        self._latent = latent

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def iid_given(
        cls,
        latent_probs: Any,
        emission: Any,
        n: int,
        latent_name: str = "source",
        *,
        names: Sequence[str] | None = None,
    ) -> SymmetricSystem:
        """``n`` variables drawn i.i.d. from ``emission[λ]`` given a latent ``Λ ~ latent_probs``.

        The latent is kept beside the variables (it is not one of them): measures run on
        the observed variables with ``Λ`` marginalised out, and
        ``surviving_information(..., about=latent_name)`` gives ``I(Λ; X^T)`` exactly.

        Parameters
        ----------
        latent_probs : array_like of float, shape (m,)
            ``P(Λ = λ)``, positive, summing to 1.
        emission : array_like of float, shape (m, card)
            ``emission[λ, a] = P(X_i = a | Λ = λ)``; each row sums to 1.
        n : int
            Number of variables.
        latent_name : str
            Name of the latent for ``about=``; must differ from the variable names.
        names : sequence of str, optional
            Variable names.

        Examples
        --------
        >>> import natabs as na
        >>> s = na.SymmetricSystem.iid_given([0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], n=1001)
        >>> s
        SymmetricSystem(n=1001, card=2, types=1002 of 1002, latent='source' (2 values))
        >>> round(s.entropy(), 3), round(s.latent_information(), 6)
        (470.465, 1.0)
        """
        n = integer(n, "n", 1)
        prior = np.asarray(latent_probs, dtype=np.float64)
        if prior.ndim != 1 or prior.size == 0:
            raise InvalidInputError(
                f"latent_probs must be a 1-D array of probabilities, got shape {prior.shape}"
            )
        if not np.all(np.isfinite(prior)) or np.any(prior <= 0):
            raise InvalidInputError("latent_probs must be finite and > 0")
        if not math.isclose(float(prior.sum()), 1.0, rel_tol=SUM_TOLERANCE):
            raise InvalidInputError(f"latent_probs must sum to 1, got {float(prior.sum())!r}")
        em = np.asarray(emission, dtype=np.float64)
        if em.ndim != 2 or em.shape[0] != prior.size or em.shape[1] < 1:
            raise InvalidInputError(
                f"emission must have shape ({prior.size}, card), one row per latent value; "
                f"got shape {em.shape}"
            )
        if not np.all(np.isfinite(em)) or np.any(em < 0):
            raise InvalidInputError("emission must be finite and >= 0")
        sums = em.sum(axis=1)
        if not np.allclose(sums, 1.0, rtol=SUM_TOLERANCE, atol=0):
            bad = int(np.argmax(np.abs(sums - 1)))
            raise InvalidInputError(f"emission row {bad} sums to {float(sums[bad])!r}, not 1")
        if not isinstance(latent_name, str):
            raise TypeError(f"latent_name must be a string, got {latent_name!r}")
        card = em.shape[1]
        types = enumerate_types(n, card)  # refuses too many types before names are built
        names_t = check_names(names, n)
        if latent_name in names_t:
            raise InvalidInputError(f"latent_name {latent_name!r} is also a variable name")
        with np.errstate(divide="ignore"):
            log_em = np.log(em / sums[:, None])
            log_prior = np.log(prior / prior.sum())
        t = types.astype(np.float64)
        # log P(t | λ) = log multinomial(t) + Σ_a t_a log emission[λ, a]  (0·log 0 = 0)
        with np.errstate(invalid="ignore"):
            terms = np.where(t[None, :, :] > 0, t[None, :, :] * log_em[:, None, :], 0.0)
        log_given = log_multinomial(types)[None, :] + terms.sum(axis=2)
        logq = _logsumexp(log_prior[:, None] + log_given, axis=0)
        out = cls.__new__(cls)
        out._init(n, card, names_t, types, logq, (latent_name, log_prior, log_given))
        return out

    # -- the Variables protocol and properties ---------------------------------------------

    @property
    def n(self) -> int:
        """Number of variables."""
        return self._n

    @property
    def card(self) -> int:
        """The common cardinality."""
        return self._card

    @property
    def cards(self) -> tuple[int, ...]:
        """Cardinality of each variable (all equal)."""
        return (self._card,) * self._n

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names."""
        return self._names

    @property
    def types(self) -> np.ndarray:
        """The types of positive probability, one count vector per row (read-only)."""
        return self._types

    @property
    def log_type_probs(self) -> np.ndarray:
        """``log q(t)`` (natural logarithm) for each row of :attr:`types`."""
        return self._logq

    @property
    def type_probs(self) -> np.ndarray:
        """``q(t)`` for each row of :attr:`types` (may underflow to 0; see ``log_type_probs``)."""
        return np.exp(self._logq)

    @property
    def latent(self) -> str | None:
        """Name of the latent kept beside the variables, or ``None``."""
        return None if self._latent is None else self._latent[0]

    @property
    def latent_probs(self) -> np.ndarray | None:
        """``P(Λ)``, or ``None`` without a latent."""
        return None if self._latent is None else np.exp(self._latent[1])

    @property
    def log_type_probs_given_latent(self) -> np.ndarray | None:
        """``log P(t | Λ = λ)``, shape ``(latent values, types)``, or ``None``."""
        return None if self._latent is None else self._latent[2]

    @property
    def size(self) -> int:
        """Number of support states (a Python int: it may be astronomically large)."""
        return sum(multinomial(t) for t in self._types.tolist())

    def entropy(self, base: float = 2) -> float:
        """``H(X) = H(q) + Σ_t q(t) log multinomial(t)``, in units of ``base``."""
        from .._info import check_base

        b = check_base(base)
        q = np.exp(self._logq)
        nats = float(q @ (log_multinomial(self._types) - self._logq))
        return max(nats, 0.0) / math.log(b)

    def latent_information(self, base: float = 2) -> float:
        """``I(Λ; X) = I(Λ; t(X))`` (the type is sufficient for the latent)."""
        from .._info import check_base

        if self._latent is None:
            raise InvalidInputError("this SymmetricSystem has no latent (see iid_given)")
        b = check_base(base)
        _, log_prior, log_given = self._latent
        with np.errstate(invalid="ignore"):
            terms = np.where(
                np.isfinite(log_given), np.exp(log_given) * (log_given - self._logq[None, :]), 0.0
            )
        prior = np.exp(log_prior)
        nats = float(prior @ terms.sum(axis=1))
        h_latent = float(-prior @ log_prior)
        return min(max(nats, 0.0), h_latent) / math.log(b)

    def without_latent(self) -> SymmetricSystem:
        """The same law of the variables, with no latent kept beside them."""
        out = type(self).__new__(type(self))
        out._init(self._n, self._card, self._names, self._types, self._logq, None)
        return out

    def to_system(self, *, latent: bool = False) -> Any:
        """The same law as a support :class:`~natabs.System` (small systems only).

        With ``latent=True`` the latent is the last variable (named :attr:`latent`),
        as in ``natabs.systems.noisy_copies(n, p, latent=True)``.

        Examples
        --------
        >>> import natabs as na
        >>> s = na.systems.noisy_copies(3, 0.1, latent=True, symmetric=True)
        >>> s.to_system(latent=True).same_law(na.systems.noisy_copies(3, 0.1, latent=True))
        True
        """
        from ._support import System

        if latent and self._latent is None:
            raise InvalidInputError("this SymmetricSystem has no latent (see iid_given)")
        m = len(self._latent[1]) if latent else 1
        total = self._card**self._n * m
        if total > MAX_ENUMERATED:
            raise TooLargeError(
                f"enumerating {self._card}**{self._n} states (x {m} latent values) exceeds "
                f"the limit of {MAX_ENUMERATED}"
            )
        codes = np.arange(self._card**self._n, dtype=np.int64)
        states = np.empty((codes.size, self._n), dtype=np.int64)
        rest = codes.copy()
        for i in range(self._n):
            states[:, i] = rest % self._card
            rest //= self._card
        counts = np.stack([(states == a).sum(axis=1) for a in range(self._card)], axis=1)
        where = np.searchsorted(type_codes(self._types, self._n), type_codes(counts, self._n))
        where = np.minimum(where, len(self._types) - 1)
        present = np.all(self._types[where] == counts, axis=1)
        states, where, counts = states[present], where[present], counts[present]
        log_mult = log_multinomial(counts)
        if not latent:
            probs = np.exp(self._logq[where] - log_mult)
            return System(states, probs, self.cards, self._names, normalize=True)
        name, log_prior, log_given = self._latent
        rows, probs = [], []
        for lam in range(m):
            lp = log_prior[lam] + log_given[lam, where] - log_mult
            ok = np.isfinite(lp)
            rows.append(np.column_stack([states[ok], np.full(ok.sum(), lam)]))
            probs.append(np.exp(lp[ok]))
        return System(
            np.vstack(rows),
            np.concatenate(probs),
            list(self.cards) + [m],
            list(self._names) + [name],
            normalize=True,
        )

    def __repr__(self) -> str:
        total = type_count(self._n, self._card)
        head = (
            f"SymmetricSystem(n={self._n}, card={self._card}, types={len(self._types)} of {total}"
        )
        if self._latent is not None:
            return f"{head}, latent={self._latent[0]!r} ({len(self._latent[1])} values))"
        if self._n <= 60:
            return f"{head}, support={self.size})"
        return head + ")"


def multinomial(t: list[int]) -> int:
    """The number of states of type ``t`` (exact integer): n! / (t_0! t_1! ...)."""
    out, left = 1, sum(t)
    for v in t:
        out *= math.comb(left, v)
        left -= v
    return out


def _type_vector(type_probs: Any, types: np.ndarray, n: int, card: int) -> np.ndarray:
    """``type_probs`` as one probability per row of ``types``."""
    if isinstance(type_probs, dict):
        q = np.zeros(len(types))
        codes = type_codes(types, n)
        for key, value in type_probs.items():
            t = np.asarray(key, dtype=np.int64)
            if t.shape != (card,) or np.any(t < 0) or int(t.sum()) != n:
                raise InvalidInputError(
                    f"type {key!r} is not a count vector of {card} values summing to {n}"
                )
            q[int(np.searchsorted(codes, type_codes(t[None, :], n)[0]))] = float(value)
    else:
        q = np.asarray(type_probs, dtype=np.float64)
        if q.shape != (len(types),):
            raise InvalidInputError(
                f"type_probs must give one probability per type, {len(types)} of them for "
                f"n={n}, card={card} (see SymmetricSystem.types); got shape {q.shape}"
            )
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise InvalidInputError("type_probs must be finite and >= 0")
    if not np.any(q > 0):
        raise InvalidInputError("type_probs are all zero: the support would be empty")
    return q
