"""GF(2)-linear systems: the uniform law on an affine code in {0,1}^n (THEORY §10).

``X`` is uniform on ``x_0 + C``, ``C`` a linear subspace of dimension ``d`` of GF(2)^n, so
``H(X) = d`` bits whatever ``n``. The code is held by a basis of ``C`` in reduced row
echelon form, bit-packed (``n`` bits per row in ``ceil(n / 64)`` ``uint64`` words), so
codes on ``n = 10^4`` variables fit in megabytes where the support would need ``2^d``
states. A parity-check matrix (a basis of the dual code) is derived on first use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from .._validation import integer
from ..errors import InvalidInputError, TooLargeError
from ._support import System
from ._variables import NamedVariables, check_names

__all__ = ["LinearCode", "pack", "unpack"]

#: Largest number of variables of a code.
MAX_N = 1_000_000
#: Largest dense 0/1 matrix accepted as a generator or parity-check matrix (entries).
MAX_ENTRIES = 1 << 30
#: Largest code dimension :meth:`LinearCode.to_system` enumerates.
MAX_SYSTEM_DIM = 22


def pack(bits: np.ndarray) -> np.ndarray:
    """Rows of 0/1 values, shape (r, n), as bit-packed ``uint64`` words, shape (r, ceil(n/64)).

    Examples
    --------
    >>> import numpy as np
    >>> from natabs.systems._gf2 import pack, unpack
    >>> w = pack(np.array([[1, 0, 1], [0, 1, 1]], dtype=np.uint8))
    >>> w.ravel().tolist(), unpack(w, 3).tolist()
    ([5, 6], [[1, 0, 1], [0, 1, 1]])
    """
    bits = np.asarray(bits, dtype=np.uint8)
    r, n = bits.shape
    w = max(1, -(-n // 64))
    padded = np.zeros((r, w * 64), dtype=np.uint8)
    padded[:, :n] = bits
    packed = np.packbits(padded, axis=1, bitorder="little")
    return np.ascontiguousarray(packed.view("<u8").astype(np.uint64, copy=False))


def unpack(words: np.ndarray, n: int) -> np.ndarray:
    """The inverse of :func:`pack`: shape (r, n) ``uint8`` rows of 0/1."""
    words = np.ascontiguousarray(words, dtype="<u8")
    r, w = words.shape
    as_bytes = words.view(np.uint8).reshape(r, w * 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :n]


def _bit_matrix(value: Any, what: str) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a 2-D array of 0/1 entries, got a string")
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a 2-D array of 0/1 entries, got {value!r}") from None
    if a.ndim != 2:
        raise InvalidInputError(f"{what} must be a 2-D array (rows of bits), got shape {a.shape}")
    if a.size > MAX_ENTRIES:
        raise TooLargeError(f"{what} has {a.size} entries; the limit is {MAX_ENTRIES}")
    if a.dtype == bool:
        return a.astype(np.uint8)
    if a.size and not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"{what} must hold 0/1 numbers, got dtype {a.dtype}")
    if a.size and not np.all((a == 0) | (a == 1)):
        bad = a[(a != 0) & (a != 1)].ravel()[0]
        raise InvalidInputError(f"{what} must hold only 0 and 1 (bits), got {bad!r}")
    return a.astype(np.uint8)


def _check_n(n: int) -> int:
    if n < 1:
        raise InvalidInputError("a code needs at least one variable (matrix with >= 1 column)")
    if n > MAX_N:
        raise TooLargeError(f"a code on {n} variables; the limit is {MAX_N}")
    return n


class LinearCode(NamedVariables):
    """The uniform law on an affine code ``offset + C`` in {0,1}^n (THEORY §10).

    Give exactly one of ``generator`` (rows spanning ``C``; they may be dependent) or
    ``parity_check`` (rows ``h`` with ``C = {c : h·c = 0 for all h}``). Every variable is a
    bit (``cards`` are all 2); ``H(X) = dim C`` bits.

    Parameters
    ----------
    generator : array_like of 0/1, shape (r, n), optional
        Rows spanning the code.
    parity_check : array_like of 0/1, shape (m, n), optional
        Parity checks defining the code.
    offset : array_like of 0/1, shape (n,), optional
        A point of the affine code (default: zero, a linear code).
    names : sequence of str, optional
        Variable names, ``x0 .. x{n-1}`` by default.

    Examples
    --------
    >>> import natabs as na
    >>> c = na.LinearCode(generator=[[1, 1, 0], [0, 1, 1]])
    >>> c
    LinearCode(n=3, dim=2, names=('x0', 'x1', 'x2'))
    >>> c.parity_check.tolist()
    [[1, 1, 1]]
    >>> na.LinearCode(parity_check=[[1, 1, 1]]) == c
    True
    >>> na.conserved_information(na.LinearCode.hamming(3), k=2)
    4.0
    """

    __slots__ = ("_cache", "_gen", "_n", "_names", "_offset", "_pivots")

    def __init__(
        self,
        generator: Any = None,
        *,
        parity_check: Any = None,
        offset: Any = None,
        names: Sequence[str] | None = None,
    ) -> None:
        if (generator is None) == (parity_check is None):
            raise TypeError("give exactly one of generator= or parity_check=")
        if generator is not None:
            g = _bit_matrix(generator, "generator")
            n = _check_n(g.shape[1])
            packed = pack(g)
        else:
            h = _bit_matrix(parity_check, "parity_check")
            n = _check_n(h.shape[1])
            packed = _native.gf2_kernel(pack(h), n)
        self._init(packed, n, offset, names)

    def _init(self, packed: np.ndarray, n: int, offset: Any, names: Any) -> None:
        gen, pivots = _native.gf2_rref(np.ascontiguousarray(packed, dtype=np.uint64), n)
        gen.flags.writeable = False
        self._n = n
        self._names = check_names(names, n)
        self._gen = gen
        self._pivots = tuple(pivots)
        self._cache: dict[str, Any] = {}
        if offset is None:
            x0 = np.zeros((1, gen.shape[1]), dtype=np.uint64)
        else:
            o = _bit_matrix(
                np.asarray(offset)[None, :] if np.ndim(offset) == 1 else offset, "offset"
            )
            if o.shape != (1, n):
                raise InvalidInputError(
                    f"offset must be a vector of {n} bits, got shape {np.shape(offset)}"
                )
            x0 = pack(o)
        self._offset = _reduce(x0[0], gen, self._pivots)

    @classmethod
    def _from_packed(
        cls, packed: np.ndarray, n: int, offset: np.ndarray | None, names: Sequence[str] | None
    ) -> LinearCode:
        """A code from a bit-packed spanning set and offset (no 0/1 checks needed)."""
        code = cls.__new__(cls)
        code._init(packed, n, None, names)
        if offset is not None:
            code._offset = _reduce(np.asarray(offset, dtype=np.uint64), code._gen, code._pivots)
        return code

    # -- the catalog -----------------------------------------------------------------------

    @classmethod
    def repetition(cls, n: int, *, names: Sequence[str] | None = None) -> LinearCode:
        """``n`` copies of one uniform bit: the code {0...0, 1...1}.

        ``R_k = 1`` bit for ``k < n``, 0 after (THEORY §10).

        Examples
        --------
        >>> import natabs as na
        >>> c = na.LinearCode.repetition(1000)
        >>> c.dim, na.conserved_information(c, k=999), na.conserved_information(c, k=1000)
        (1, 1.0, 0.0)
        """
        n = _check_n(integer(n, "n", 1))
        return cls._from_packed(pack(np.ones((1, n), dtype=np.uint8)), n, None, names)

    @classmethod
    def even_weight(cls, n: int, *, names: Sequence[str] | None = None) -> LinearCode:
        """Parity: uniform on the strings of even weight. ``R_1 = n - 1``, ``R_k = 0`` for k >= 2.

        Examples
        --------
        >>> import natabs as na
        >>> c = na.LinearCode.even_weight(6)
        >>> c.dim, na.conserved_information(c, k=1), na.conserved_information(c, k=2)
        (5, 5.0, 0.0)
        """
        n = _check_n(integer(n, "n", 1))
        gen = np.zeros((max(n - 1, 0), max(1, -(-n // 64))), dtype=np.uint64)
        idx = np.arange(n - 1, dtype=np.uint64)
        for j in (idx, idx + np.uint64(1)):  # e_i + e_{i+1}, straight into packed words
            gen[idx.astype(np.intp), (j >> np.uint64(6)).astype(np.intp)] |= np.uint64(1) << (
                j & np.uint64(63)
            )
        return cls._from_packed(gen, n, None, names)

    @classmethod
    def hamming(cls, r: int, *, names: Sequence[str] | None = None) -> LinearCode:
        """The Hamming code of length ``2^r - 1``: parity-check columns are 1 .. 2^r - 1.

        Minimum distance 3, so ``R_1 = R_2 = dim = 2^r - 1 - r`` and ``R_3 = 0``.

        Examples
        --------
        >>> import natabs as na
        >>> c = na.LinearCode.hamming(3)
        >>> c.n, c.dim, [na.conserved_information(c, k=k) for k in (1, 2, 3)]
        (7, 4, [4.0, 4.0, 0.0])
        """
        r = integer(r, "r", 2)
        if r > 20:
            raise TooLargeError(f"hamming({r}) has {2**r - 1} variables; the limit is r = 20")
        n = 2**r - 1
        cols = np.arange(1, n + 1, dtype=np.int64)
        h = ((cols[None, :] >> np.arange(r)[:, None]) & 1).astype(np.uint8)
        return cls(parity_check=h, names=names)

    @classmethod
    def from_system(cls, system: System) -> LinearCode:
        """The code of a support System that is uniform on an affine subspace of {0,1}^n.

        Refused (:class:`~natabs.errors.InvalidInputError`, saying why) when a variable is
        not binary, the law is not uniform, or the support is not an affine subspace.

        Examples
        --------
        >>> import natabs as na
        >>> na.LinearCode.from_system(na.systems.parity(4))
        LinearCode(n=4, dim=3, names=('x0', 'x1', 'x2', 'x3'))
        >>> na.LinearCode.from_system(na.systems.noisy_copies(3, 0.1))
        Traceback (most recent call last):
        ...
        natabs.errors.InvalidInputError: from_system: the law is not uniform on its support (probabilities range from 0.045 to 0.365); a LinearCode is uniform on an affine code
        """
        if not isinstance(system, System):
            raise TypeError(f"from_system needs a natabs.System, got {type(system).__name__}")
        if any(c != 2 for c in system.cards):
            raise InvalidInputError(
                f"from_system: every variable must be binary (cards 2), got cards {system.cards}"
            )
        p = system.probs
        if not np.allclose(p, 1.0 / p.size, rtol=1e-9, atol=0):
            raise InvalidInputError(
                f"from_system: the law is not uniform on its support (probabilities range "
                f"from {p.min():.3g} to {p.max():.3g}); a LinearCode is uniform on an affine code"
            )
        size = system.size
        if size & (size - 1):
            raise InvalidInputError(
                f"from_system: the support has {size} states, not a power of 2, so it is "
                "no affine subspace of {0,1}^n"
            )
        rows = pack(np.asarray(system.states, dtype=np.uint8))
        diff = rows ^ rows[:1]
        n = system.n
        d = _native.gf2_rank(diff, n)
        if 2**d != size:
            raise InvalidInputError(
                f"from_system: the {size} support states are not an affine subspace of "
                f"{{0,1}}^{n} (their differences span a space of dimension {d}, which has "
                f"{2**d} points)"
            )
        return cls._from_packed(diff, n, rows[0], system.names)

    # -- the Variables protocol ------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of variables (bits)."""
        return self._n

    @property
    def cards(self) -> tuple[int, ...]:
        """Every variable is a bit: ``(2,) * n``."""
        return (2,) * self._n

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names."""
        return self._names

    # -- the code --------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Dimension ``d`` of the code: ``H(X) = d`` bits."""
        return int(self._gen.shape[0])

    @property
    def size(self) -> int:
        """Number of support states, ``2^d`` (a Python int, exact for any ``d``)."""
        return 1 << self.dim

    def entropy(self, base: float = 2) -> float:
        """``H(X) = d`` bits (in units of ``base``)."""
        from .._info import check_base

        return self.dim / math.log2(check_base(base))

    @property
    def generator(self) -> np.ndarray:
        """A basis of the code in reduced row echelon form, shape (d, n), ``uint8``."""
        return unpack(self._gen, self._n)

    @property
    def pivots(self) -> tuple[int, ...]:
        """The pivot column of each generator row."""
        return self._pivots

    @property
    def parity_check(self) -> np.ndarray:
        """A basis of the dual code, shape (n - d, n), ``uint8``: ``c`` is a codeword iff
        every row has an even overlap with it."""
        return unpack(self._checks(), self._n)

    @property
    def offset(self) -> np.ndarray:
        """The point of the affine code that is zero at every pivot, shape (n,), ``uint8``."""
        return unpack(self._offset[None, :], self._n)[0]

    def _checks(self) -> np.ndarray:
        if "checks" not in self._cache:
            self._cache["checks"] = _native.gf2_kernel(self._gen, self._n)
        return self._cache["checks"]

    def _syndromes(self) -> np.ndarray:
        """Column ``j`` of the parity-check matrix for each ``j``: (n, words(n - d))."""
        if "syndromes" not in self._cache:
            self._cache["syndromes"] = _native.gf2_transpose(self._checks(), self._n)
        return self._cache["syndromes"]

    def to_system(self) -> System:
        """The same law as a support :class:`~natabs.System` (``2^d`` states; d <= 22).

        Examples
        --------
        >>> import natabs as na
        >>> na.LinearCode.repetition(3).to_system().states.tolist()
        [[0, 0, 0], [1, 1, 1]]
        """
        d = self.dim
        if d > MAX_SYSTEM_DIM:
            raise TooLargeError(
                f"to_system would list 2^{d} support states; the limit is 2^{MAX_SYSTEM_DIM}"
            )
        words = self._offset[None, :].copy()
        for row in self._gen:
            words = np.concatenate([words, words ^ row[None, :]])
        states = unpack(words, self._n)
        probs = np.full(len(states), 1.0 / len(states))
        return System(states, probs, self.cards, self._names)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinearCode):
            return NotImplemented
        return (
            self._n == other._n
            and self._names == other._names
            and np.array_equal(self._gen, other._gen)
            and np.array_equal(self._offset, other._offset)
        )

    def __hash__(self) -> int:
        return hash((self._n, self._names, self._gen.tobytes(), self._offset.tobytes()))

    def __repr__(self) -> str:
        names = self._names if self._n <= 8 else self._names[:8] + ("...",)
        affine = "" if not self._offset.any() else ", affine"
        return f"LinearCode(n={self._n}, dim={self.dim}{affine}, names={names})"


def _reduce(x: np.ndarray, gen: np.ndarray, pivots: tuple[int, ...]) -> np.ndarray:
    """``x`` reduced by the echelon basis: zero at every pivot (the canonical offset)."""
    x = np.array(x, dtype=np.uint64, copy=True)
    for row, p in zip(gen, pivots) if x.any() else ():
        if (int(x[p >> 6]) >> (p & 63)) & 1:
            x ^= row
    x.flags.writeable = False
    return x
