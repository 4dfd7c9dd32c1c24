"""Block families and their resolution against a system."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._validation import check_size, check_type, fmt_count, integer
from ..errors import InvalidInputError, TooLargeError

if TYPE_CHECKING:
    import networkx as nx

    from ..systems._support import System

__all__ = ["all_subsets", "connected", "chunks", "singletons", "resolve"]

Block = tuple[int, ...]
#: Families larger than this are refused before they are built.
MAX_BLOCKS = 10_000_000
#: Most variables a block family is built over (a block of all of them is a tuple this long).
MAX_VARIABLES = 1 << 24


def _check_k(k: Any, name: str = "k") -> int:
    return integer(k, name, 0)


def _check_n(n: Any) -> int:
    n = integer(n, "n", 1)
    check_size(n, MAX_VARIABLES, "variables of a block family")
    return n


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _check_count(count_log: float, describe: str) -> None:
    """Refuse a family whose size (natural log ``count_log``) exceeds ``MAX_BLOCKS``."""
    if count_log > math.log(MAX_BLOCKS) + 1e-9:
        count = math.exp(count_log) if count_log < 700 else math.inf
        shown = fmt_count(int(count)) if math.isfinite(count) else f"~e**{count_log:.0f}"
        raise TooLargeError(f"{describe} has about {shown} blocks; the limit is {MAX_BLOCKS}")


def all_subsets(n: int, k: int) -> tuple[Block, ...]:
    """Every subset of ``k`` of the variables ``0..n-1``, in lexicographic order.

    ``k >= n`` gives the single block of all variables; ``k = 0`` the empty family (no
    move at all, so the conserved information is H(X)).
    """
    from itertools import combinations

    n, k = _check_n(n), _check_k(k)
    if k == 0:
        return ()
    if k >= n:
        return (tuple(range(n)),)
    _check_count(_log_comb(n, k), f"all_subsets({n}, {k})")
    count = math.comb(n, k)
    if count > MAX_BLOCKS:
        raise TooLargeError(f"all_subsets({n}, {k}) has {count} blocks; the limit is {MAX_BLOCKS}")
    return tuple(combinations(range(n), k))


def singletons(n: int) -> tuple[Block, ...]:
    """One block per variable: single-site resampling."""
    return all_subsets(n, 1)


def chunks(n: int, size: int) -> tuple[Block, ...]:
    """Consecutive, disjoint blocks of ``size`` variables (the last may be shorter)."""
    n = _check_n(n)
    size = _check_k(size, "size")
    if size == 0:
        raise InvalidInputError("chunk size must be >= 1")
    _check_count(math.log(-(-n // size)), f"chunks({n}, {size})")
    return tuple(tuple(range(s, min(s + size, n))) for s in range(0, n, size))


def connected(graph: nx.Graph, k: int) -> tuple[tuple[Hashable, ...], ...]:
    """Every set of ``k`` nodes that induces a connected subgraph (the *local* blocks).

    For a directed graph the undirected skeleton is used. A connected component with
    fewer than ``k`` nodes contributes itself. Blocks are tuples of node labels, ordered
    as the nodes of ``graph``; pass them to a measure as ``blocks=``: labels that are
    variable names or indices both work.
    """
    import networkx as nx

    check_type(graph, nx.Graph, "graph", "a networkx graph")
    k = _check_k(k)
    if k == 0:
        return ()
    g = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    _check_count(_connected_lower_bound(g, k), f"connected(graph, {k})")
    order = {v: i for i, v in enumerate(g.nodes)}
    found: set[frozenset] = set()

    def extend(sub: frozenset, ext: set, root_rank: int, seen: frozenset) -> None:
        # ESU (Wernicke 2006): each connected set is generated once, from its first node.
        if len(sub) == k:
            found.add(sub)
            if len(found) > MAX_BLOCKS:
                raise TooLargeError(f"connected(graph, {k}) has more than {MAX_BLOCKS} blocks")
            return
        ext = set(ext)
        while ext:
            w = ext.pop()
            new = {u for u in g[w] if order[u] > root_rank and u not in seen}
            extend(sub | {w}, ext | new, root_rank, seen | set(g[w]))

    for comp in nx.connected_components(g):
        if len(comp) <= k:
            found.add(frozenset(comp))
            continue
        for v in comp:
            ext = {u for u in g[v] if order[u] > order[v]}
            try:
                extend(frozenset([v]), ext, order[v], frozenset(g[v]) | {v})
            except RecursionError:
                raise TooLargeError(
                    f"connected(graph, {k}): blocks of {k} nodes inside a component of "
                    f"{len(comp)} are too deep for the enumeration (one level per node)"
                ) from None
    blocks = [tuple(sorted(b, key=order.__getitem__)) for b in found]
    blocks.sort(key=lambda b: [order[v] for v in b])
    return tuple(blocks)


def _connected_lower_bound(g: Any, k: int) -> float:
    """Natural log of a lower bound on the number of connected ``k``-sets of ``g``.

    A node and any ``k - 1`` of its neighbours are connected, and such a star is counted
    at most ``k`` times (once per possible centre), so ``Σ_v C(deg v, k-1) / k`` is a lower
    bound: a dense graph is refused at once, before the enumeration runs into the limit.
    """
    if k < 2:
        return 0.0
    logs = [_log_comb(d, k - 1) for _, d in g.degree() if d >= k - 1]
    if not logs:
        return 0.0
    top = max(logs)
    return top + math.log(sum(math.exp(v - top) for v in logs)) - math.log(k)


def resolve(
    system: System, k: int | None = None, blocks: Iterable[Iterable[Any]] | None = None
) -> tuple[Block, ...]:
    """The block family of a measure call, as sorted index tuples, validated.

    Exactly one of ``k`` (all subsets of size k) and ``blocks`` (a list of blocks of
    variable names or indices) must be given.
    """
    if (k is None) == (blocks is None):
        raise TypeError("give exactly one of k= (all subsets of size k) or blocks=")
    if k is not None:
        return all_subsets(system.n, k)
    if isinstance(blocks, (str, bytes)) or not isinstance(blocks, Iterable):
        raise TypeError("blocks must be a list of blocks, each a list of variables")
    out: list[Block] = []
    seen: dict[Block, int] = {}
    for j, block in enumerate(blocks):
        if isinstance(block, (str, bytes)) or not isinstance(block, Iterable):
            raise TypeError(f"block {j} must be a list of variables, got {block!r}")
        members = list(block)
        if not members:
            raise InvalidInputError(f"block {j} is empty")
        idx = system.indices(members)
        if len(set(idx)) != len(idx):
            raise InvalidInputError(f"block {j} {members!r} names a variable twice")
        b = tuple(sorted(idx))
        if b in seen:
            raise InvalidInputError(f"blocks {seen[b]} and {j} are the same block {members!r}")
        seen[b] = j
        out.append(b)
    return tuple(out)


def describe(family: Sequence[Block]) -> str:
    """A short description of a family for reprs: ``'3 blocks of size 2'``."""
    sizes = sorted({len(b) for b in family})
    if not family:
        return "no blocks"
    s = "size " + (str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]}..{sizes[-1]}")
    return f"{len(family)} block{'s' if len(family) != 1 else ''} of {s}"
