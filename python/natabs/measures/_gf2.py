"""The measures on a GF(2)-linear system (a :class:`~natabs.LinearCode`), THEORY §10.

On the uniform law over ``x_0 + C`` two states are joined by a block ``B`` iff they differ
by a codeword supported inside ``B``, so the components are the cosets of
``C_𝓑 = span{c ∈ C : supp c ⊆ B for some B}`` and ``R_𝓑 = dim C − dim C_𝓑`` bits: a rank
computed by bit-packed Gaussian elimination in Rust, without listing the ``2^d`` states.

The codewords inside a block ``B`` are the dependencies among the columns ``B`` of a
parity-check matrix ``H`` (their *syndromes*). For ``all_subsets(n, k)``:

- ``k <= 3``: weight-1 codewords are zero columns, weight-2 codewords pairs of equal
  columns, weight-3 codewords (modulo those) triples of distinct column classes that sum
  to zero, found by hashing the pair sums — ``O(n^2)`` whatever ``C(n, k)``;
- a code of dimension at most 20: every codeword is listed once and ``dim C_k`` is read
  for every ``k`` at once from the codewords in order of weight;
- otherwise block by block, when ``C(n, k)`` is small enough to list.

An explicit block family is always searched block by block (the dependencies among each
block's syndromes, in parallel).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .. import _native
from .._results import Result, show
from ..blocks._families import MAX_BLOCKS
from ..errors import InvalidInputError, TooLargeError
from ..systems._gf2 import LinearCode

__all__ = ["GF2Measures", "LinearConserved", "local_dimension", "resolve_code_blocks"]

#: Codes up to this dimension get their whole rank profile by listing every codeword.
PROFILE_DIM = 20
#: Largest number of block members (sum of block sizes) searched block by block.
MAX_MEMBERS = 200_000_000


@dataclass(frozen=True)
class CodeFamily:
    """A block family of a measure call on a code: ``all_subsets(n, k)`` or explicit blocks."""

    n: int
    k: int | None = None
    members: np.ndarray | None = field(default=None, repr=False, compare=False)
    starts: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def count(self) -> int:
        """Number of blocks."""
        if self.k is not None:
            return 0 if self.k == 0 else (1 if self.k >= self.n else math.comb(self.n, self.k))
        return len(self.starts) - 1  # type: ignore[arg-type]

    def describe(self) -> str:
        """``'all subsets of size 3'`` or ``'9999 blocks of size 2'``."""
        if self.k is not None:
            return f"all subsets of size {self.k}" if self.k else "no blocks"
        sizes = np.diff(self.starts)  # type: ignore[arg-type]
        if sizes.size == 0:
            return "no blocks"
        lo, hi = int(sizes.min()), int(sizes.max())
        s = str(lo) if lo == hi else f"{lo}..{hi}"
        return f"{sizes.size} block{'s' if sizes.size != 1 else ''} of size {s}"


@dataclass(frozen=True, repr=False)
class LinearConserved(Result):
    """The exactly conserved part of a GF(2)-linear system under a block family.

    The components of the move graph are the cosets of ``C_𝓑``; there are
    ``2^(dimension - local_dimension)`` of them, equally likely, so
    ``bits = dimension - local_dimension`` (in bits).

    Attributes
    ----------
    bits : float
        ``R = dim C − dim C_𝓑`` in units of ``base`` (bits by default).
    dimension : int
        ``dim C``: ``H(X)`` in bits.
    local_dimension : int
        ``dim C_𝓑``: the span of the codewords supported inside some block.
    base : float
        Logarithm base of ``bits``.
    blocks : str
        The block family, described.

    Examples
    --------
    >>> import natabs as na
    >>> r = na.conserved(na.LinearCode.hamming(3), k=3)
    >>> r
    LinearConserved(bits=0, dimension=4, local_dimension=4, blocks='all subsets of size 3')
    >>> r.n_components
    1
    """

    bits: float
    dimension: int
    local_dimension: int
    base: float = field(default=2.0, metadata=show(unless=2))
    blocks: str = ""

    @property
    def n_components(self) -> int:
        """Number of components of the move graph, ``2^R`` (an exact Python int)."""
        return 1 << (self.dimension - self.local_dimension)


def resolve_code_blocks(
    code: LinearCode, k: int | None = None, blocks: Iterable[Iterable[Any]] | None = None
) -> CodeFamily:
    """The block family of a call on a code, kept unlisted for ``k`` (``C(n, k)`` may be
    far too many blocks to list), as flat member and offset arrays for ``blocks``."""
    from .._validation import integer

    if (k is None) == (blocks is None):
        raise TypeError("give exactly one of k= (all subsets of size k) or blocks=")
    n = code.n
    if k is not None:
        return CodeFamily(n=n, k=integer(k, "k", 0))
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Iterable):
        raise TypeError("blocks must be a list of blocks, each a list of variables")
    where = {name: i for i, name in enumerate(code.names)}
    members: list[int] = []
    starts = [0]
    seen: dict[tuple[int, ...], int] = {}
    for j, block in enumerate(blocks):
        if isinstance(block, (str, bytes)) or not isinstance(block, Iterable):
            raise TypeError(f"block {j} must be a list of variables, got {block!r}")
        idx = []
        for v in block:
            i = where.get(v) if isinstance(v, str) else None
            idx.append(i if i is not None else code.index(v))
        if not idx:
            raise InvalidInputError(f"block {j} is empty")
        b = tuple(sorted(idx))
        if len(set(b)) != len(b):
            raise InvalidInputError(f"block {j} {list(block)!r} names a variable twice")
        if b in seen:
            raise InvalidInputError(f"blocks {seen[b]} and {j} are the same block {list(block)!r}")
        seen[b] = j
        members.extend(b)
        starts.append(len(members))
        if len(members) > MAX_MEMBERS:
            raise TooLargeError(f"the block family has more than {MAX_MEMBERS} members in all")
    return CodeFamily(
        n=n, members=np.asarray(members, dtype=np.uint32), starts=np.asarray(starts, np.uint64)
    )


def _profile(code: LinearCode) -> list[int]:
    """``dim C_k`` for ``k = 0..n`` (codes of dimension <= PROFILE_DIM), cached on the code."""
    if "profile" not in code._cache:
        code._cache["profile"] = _native.gf2_weight_profile(code._gen, code.n)
    return code._cache["profile"]


def local_dimension(code: LinearCode, family: CodeFamily) -> int:
    """``dim C_𝓑`` for a resolved family (THEORY §10)."""
    d, n = code.dim, code.n
    if d == 0:
        return 0
    m = n - d
    if family.k is not None:
        k = family.k
        if k == 0:
            return 0
        if k >= n:
            return d
        if d <= PROFILE_DIM or "profile" in code._cache:
            return _profile(code)[k]
        if k <= 3:
            return _native.gf2_low_weight_rank(code._syndromes(), n, m, k, d)
        # R_k is non-increasing in k: once the weight-3 codewords span C, R_k = 0.
        if _native.gf2_low_weight_rank(code._syndromes(), n, m, 3, d) == d:
            return d
        count = math.comb(n, k)
        if count > MAX_BLOCKS or count * k > MAX_MEMBERS:
            raise TooLargeError(
                f"R_k of a code with n = {n}, dim = {d} at k = {k}: the codewords of weight "
                f"<= {k} are found by hashing only for k <= 3, by listing the code only for "
                f"dim <= {PROFILE_DIM}, and block by block only up to {MAX_BLOCKS} blocks "
                f"(all_subsets({n}, {k}) has {count})"
            )
        from itertools import chain, combinations

        members = np.fromiter(
            chain.from_iterable(combinations(range(n), k)), np.uint32, count=count * k
        )
        starts = np.arange(0, count * k + 1, k, dtype=np.uint64)
        return _native.gf2_local_rank(code._syndromes(), n, m, members, starts, d)
    sizes = np.diff(family.starts)  # type: ignore[arg-type]
    if sizes.size and int(sizes.max()) >= n:  # a block of every variable: C_𝓑 = C
        return d
    return _native.gf2_local_rank(
        code._syndromes(),
        n,
        m,
        family.members,
        family.starts,
        d,  # type: ignore[arg-type]
    )


def conserved_on_code(code: LinearCode, family: CodeFamily, *, base: float) -> LinearConserved:
    """:func:`natabs.conserved` on a :class:`~natabs.LinearCode`: ``dim C − dim C_𝓑``."""
    local = local_dimension(code, family)
    r = code.dim - local
    if not 0 <= r <= code.dim:  # pragma: no cover - a rank is never outside [0, d]
        raise AssertionError(f"R = {r} outside [0, {code.dim}]")
    return LinearConserved(
        bits=r / math.log2(base),
        dimension=code.dim,
        local_dimension=local,
        base=base,
        blocks=family.describe(),
    )


conserved_on_code.resolve_blocks = resolve_code_blocks  # type: ignore[attr-defined]

_FINITE = (
    "the finite-time engines need the support; for a code of small dimension use "
    "code.to_system() (a natabs.System with the same law)"
)


class GF2Measures:
    """Exact conserved information on affine GF(2) codes of any length (ranks in Rust)."""

    kind = "LinearCode"
    conserved = staticmethod(conserved_on_code)
    unsupported: ClassVar[dict[str, str]] = {
        "surviving_information": _FINITE,
        "spectrum": _FINITE,
        "slow_modes": _FINITE,
        "natural_latent_errors": _FINITE,
    }
