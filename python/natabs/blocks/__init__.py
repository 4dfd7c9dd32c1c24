"""Block families: which sets of variables are resampled together (THEORY §2).

A block family is a tuple of blocks; a block is a sorted tuple of variables. Families
made here use variable indices (or, for :func:`connected`, the graph's node labels);
measures accept blocks given by index or by name and check them against the system.

Examples
--------
>>> from natabs import blocks
>>> blocks.all_subsets(3, 2)
((0, 1), (0, 2), (1, 2))
>>> blocks.chunks(5, 2)
((0, 1), (2, 3), (4,))
>>> import networkx as nx
>>> blocks.connected(nx.path_graph(4), 2)
((0, 1), (1, 2), (2, 3))
"""

from __future__ import annotations

from ._families import all_subsets, chunks, connected, describe, resolve, singletons

__all__ = ["all_subsets", "connected", "chunks", "singletons", "resolve", "describe"]
