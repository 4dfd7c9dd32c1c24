"""The catalog of canonical systems (THEORY §6): constructors with known answers."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_bool, check_probability, check_real, check_size, integer
from ..errors import InvalidInputError, TooLargeError
from ._support import System

__all__ = ["copies", "noisy_copies", "coupled_pair", "parity", "ising_ring", "catalog"]

#: Largest full-support catalog system built (states).
MAX_FULL_SUPPORT = 1 << 26


def _bits(n: int) -> np.ndarray:
    """All 2**n binary states as rows, in code order."""
    if n > MAX_FULL_SUPPORT.bit_length() - 1:
        raise TooLargeError(f"2**{n} states exceed the catalog limit of {MAX_FULL_SUPPORT}")
    codes = np.arange(2**n, dtype=np.uint64)
    return ((codes[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)


def copies(n: int, card: int = 2) -> System:
    """``n`` exact copies of one uniform variable on ``card`` values.

    Known values: ``R_k = log2(card)`` for ``k < n`` and ``R_k = 0`` for ``k >= n``.

    Examples
    --------
    >>> import natabs as na
    >>> [na.conserved_information(na.systems.copies(3), k=k) for k in (1, 2, 3)]
    [1.0, 1.0, 0.0]
    """
    n = integer(n, "n", 1)
    card = integer(card, "card", 1)
    check_size(n * card, MAX_FULL_SUPPORT, f"copies({n}, {card}) has n x card values to store")
    states = np.repeat(np.arange(card)[:, None], n, axis=1)
    return System(states, np.full(card, 1.0 / card), [card] * n)


def noisy_copies(n: int, p: float, *, latent: bool = False, symmetric: bool = False) -> Any:
    """Noisy copies ``X_i = B xor N_i`` of a uniform bit ``B``, ``N_i ~ Bernoulli(p)``.

    Full support, so ``R_k = 0`` for every ``k >= 1``; the majority is the slow mode and
    the relaxation time grows roughly like ``(4p(1-p))**(-n/2)``. With ``latent=True`` the
    source ``B`` is kept as a last variable named ``"source"`` (for ``about="source"``).
    With ``symmetric=True`` the result is a :class:`~natabs.SymmetricSystem` held by its
    ``n + 1`` types, exact at any ``n`` (the source, with ``latent=True``, is kept beside
    the variables, again named ``"source"``).

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.noisy_copies(3, 0.1)
    >>> s.size, na.conserved_information(s, k=1)
    (8, 0.0)
    >>> na.systems.noisy_copies(1001, 0.1, latent=True, symmetric=True)
    SymmetricSystem(n=1001, card=2, types=1002 of 1002, latent='source' (2 values))
    """
    n = integer(n, "n", 1)
    p = check_probability(p, "p")
    latent = check_bool(latent, "latent")
    if check_bool(symmetric, "symmetric"):
        from ._symmetric import SymmetricSystem

        source = SymmetricSystem.iid_given([0.5, 0.5], [[1 - p, p], [p, 1 - p]], n)
        if latent:
            return source
        return source.without_latent()
    x = _bits(n)
    w = x.sum(axis=1)
    given0 = p**w * (1 - p) ** (n - w)
    given1 = p ** (n - w) * (1 - p) ** w
    if not latent:
        return System(x, 0.5 * (given0 + given1), [2] * n, normalize=True)
    states = np.vstack(
        [
            np.column_stack([x, np.zeros(len(x), np.uint8)]),
            np.column_stack([x, np.ones(len(x), np.uint8)]),
        ]
    )
    probs = 0.5 * np.concatenate([given0, given1])
    names = [f"x{i}" for i in range(n)] + ["source"]
    return System(states, probs, [2] * (n + 1), names, normalize=True)


def coupled_pair(m: int, n: int) -> System:
    """``X_0 = X_1 = A`` uniform on ``m`` values; ``X_2 .. X_{n-1}`` independent fair bits.

    Known values: ``R_1 = log2(m)`` and ``R_k = 0`` for ``k >= 2``.

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.coupled_pair(4, 3)
    >>> na.conserved_information(s, k=1), na.conserved_information(s, k=2)
    (2.0, 0.0)
    """
    m = integer(m, "m", 1)
    n = integer(n, "n", 2)
    if n - 2 > MAX_FULL_SUPPORT.bit_length() or m * 2 ** (n - 2) > MAX_FULL_SUPPORT:
        raise TooLargeError(f"coupled_pair({m}, {n}) has more than {MAX_FULL_SUPPORT} states")
    a = np.repeat(np.arange(m), 2 ** (n - 2))
    rest = np.tile(_bits(n - 2), (m, 1)) if n > 2 else np.empty((m, 0), dtype=np.uint8)
    states = np.column_stack([a, a, rest])
    return System(states, np.full(len(states), 1.0 / len(states)), [m, m] + [2] * (n - 2))


def parity(n: int) -> System:
    """Uniform over the even-weight binary strings of length ``n``.

    Known values: ``R_1 = n - 1`` (no single flip stays in the support) and ``R_k = 0``
    for ``k >= 2``.

    Examples
    --------
    >>> import natabs as na
    >>> na.conserved_information(na.systems.parity(4), k=1)
    3.0
    """
    n = integer(n, "n", 1)
    x = _bits(n)
    even = x[x.sum(axis=1) % 2 == 0]
    return System(even, np.full(len(even), 1.0 / len(even)), [2] * n)


def ising_ring(n: int, beta: float, J: float = 1.0) -> System:
    """An Ising ring of ``n`` spins, ``P(s) ∝ exp(beta J sum_i s_i s_{i+1})``.

    Spins ``s = ±1`` are stored as ``0 / 1``. Full support for finite ``beta``, so
    ``R_k = 0`` for every ``k >= 1``. Under single-site heat-bath resampling the
    magnetisation is an exact eigenfunction with eigenvalue ``1 - (1 - tanh 2βJ) / n``
    (THEORY §6 item 5).

    Examples
    --------
    >>> import natabs as na
    >>> s = na.systems.ising_ring(4, beta=0.5)
    >>> s.size, round(float(s.probs.max()), 4)
    (16, 0.2732)
    """
    n = integer(n, "n", 3)
    beta, J = check_real(beta, "beta"), check_real(J, "J")
    x = _bits(n)
    s = 2.0 * x - 1.0
    energy = (s * np.roll(s, -1, axis=1)).sum(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        logw = beta * J * energy
    if not np.all(np.isfinite(logw)):
        raise InvalidInputError(f"beta * J = {beta * J!r} overflows: the weights are not finite")
    w = np.exp(logw - logw.max())
    return System(x, w / w.sum(), [2] * n, normalize=True)


def catalog() -> dict[str, Any]:
    """The catalog by name, for command lines and surveys."""
    return {
        "copies": copies,
        "noisy_copies": noisy_copies,
        "coupled_pair": coupled_pair,
        "parity": parity,
        "ising_ring": ising_ring,
    }
