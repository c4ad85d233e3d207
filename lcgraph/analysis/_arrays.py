"""NetworkX graphs as integer arrays, for the vectorised kernels of this package.

One conversion, used by brokerage and centrality alike, so that the fast paths share it instead
of each pasting its own (networkx's own regret with its betweenness variants). Nodes are
numbered in the order of ``G.adjacency()``; arcs are the out-neighbour lists in that order, so
an undirected edge appears as two arcs and the arrays form a CSR adjacency.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np

__all__ = [
    "Arcs",
    "arc_positions",
    "arcs",
    "group_codes",
    "has_arc",
    "unique_sorted",
]


@dataclass(frozen=True)
class Arcs:
    """The arcs of a graph: ``src[i] -> dst[i]``, grouped by source (a CSR adjacency).

    From ``arcs(G)`` (``ordered``, the default) the targets of each source are sorted too, and
    so are ``keys`` (``src * n + dst``), for membership tests with :func:`has_arc`.
    """

    nodes: list[Any]
    src: np.ndarray
    dst: np.ndarray
    indptr: np.ndarray
    directed: bool

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def keys(self) -> np.ndarray:
        return self.src * self.n + self.dst

    @cached_property
    def index(self) -> dict[Any, int]:
        """node -> its position in ``nodes``."""
        return dict(zip(self.nodes, range(len(self.nodes)), strict=True))


def arcs(G, *, loops: bool = False, ordered: bool = True) -> Arcs:
    """The arcs of ``G`` as arrays grouped by source; self-loops dropped unless ``loops``.

    With ``ordered=False`` each source's targets stay in adjacency order: enough for counts,
    and it saves sorting every arc (a tenth of a brokerage count on a 250k-edge graph).
    Parallel edges of a multigraph collapse to one arc (an adjacency lists each neighbour once).
    """
    adj = G._adj  # node -> neighbours (successors of a digraph), as G.adjacency() gives it
    nodes: list[Any] = list(adj)
    n = len(nodes)
    lengths = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    dst = _positions(nodes, chain.from_iterable(adj.values()), int(lengths.sum()))
    src = np.repeat(np.arange(n, dtype=np.int64), lengths)
    if ordered:
        # rows are already grouped in node order, so sorting the keys only orders each row and
        # leaves ``src`` as it is (np.lexsort is ~20x slower here)
        keys = np.sort(src * n + dst)
        dst = keys - src * n
    indptr = np.zeros(n + 1, dtype=np.int64)
    if not loops:
        keep = src != dst
        if not keep.all():
            src, dst = src[keep], dst[keep]
            lengths = np.bincount(src, minlength=n)
    np.cumsum(lengths, out=indptr[1:])
    return Arcs(nodes, src, dst, indptr, G.is_directed())


def arc_positions(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the arcs of ``rows`` in a CSR adjacency, row after row, and each
    row's number of arcs."""
    lengths = indptr[rows + 1] - indptr[rows]
    starts = np.repeat(indptr[rows] - np.cumsum(lengths) + lengths, lengths)
    return starts + np.arange(len(starts)), lengths


def _positions(nodes: list[Any], labels: Iterable[Any], count: int):
    """The positions of node ``labels`` in ``nodes``, as an int64 array of ``count`` items.

    This conversion is a large share of the time of a vectorised kernel on a 250k-edge graph,
    so it stays in C: a lookup table when the labels are small non-negative integers (graphs
    from networkx's generators), else ``map`` with a dict's bound ``__getitem__``; the labels
    stream from the adjacency without an intermediate list.
    """
    label_array = None
    if nodes and set(map(type, nodes)) == {int}:  # not bool, not numpy ints: exactly int
        with suppress(OverflowError):  # beyond int64: the dict below
            label_array = np.fromiter(nodes, dtype=np.int64, count=len(nodes))
    if label_array is not None:
        if (label_array == np.arange(len(nodes))).all():  # 0, 1, ..., n-1: positions already
            return np.fromiter(labels, dtype=np.int64, count=count)
        if label_array.min() >= 0 and label_array.max() < 4 * len(nodes) + 1024:
            table = np.full(int(label_array.max()) + 1, -1, dtype=np.int64)
            table[label_array] = np.arange(len(nodes), dtype=np.int64)
            return table[np.fromiter(labels, dtype=np.int64, count=count)]
    index = dict(zip(nodes, range(len(nodes)), strict=True))
    return np.fromiter(map(index.__getitem__, labels), dtype=np.int64, count=count)


def unique_sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and their counts.

    ``np.unique`` without ``return_counts`` takes a hash-table path in numpy 2.x that is
    twenty times slower than sorting on half a million integers; this always sorts.
    """
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts], counts


def has_arc(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in the sorted array ``sorted_keys`` (vectorised)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.searchsorted(sorted_keys, keys)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == keys


def group_codes(G, nodes: list[Any], attr: str) -> tuple[np.ndarray, list[Any]]:
    """Integer codes of each node's ``attr`` value, and the values in code order.

    Raises ``networkx.NetworkXError`` naming the nodes that lack the attribute (or hold
    ``None``): a node without a group cannot be classified, and guessing one would change the
    counts silently.
    """
    import networkx as nx

    node_data = G._node
    if len(node_data) == len(nodes) and list(node_data) == nodes:  # G's own order: no lookups
        try:  # itemgetter is ~4x faster than .get; a node without the attribute: .get below
            values = list(map(itemgetter(attr), node_data.values()))
        except KeyError:
            values = list(map(methodcaller("get", attr), node_data.values()))
    else:
        values = [data.get(attr) for data in map(node_data.__getitem__, nodes)]
    codes = {value: code for code, value in enumerate(dict.fromkeys(values))}
    if None in codes:
        missing = [node for node, value in zip(nodes, values, strict=True) if value is None]
        shown = ", ".join(repr(node) for node in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise nx.NetworkXError(
            f"{len(missing)} node(s) have no {attr!r} attribute: {shown}{more}; "
            "give every node a group (or drop those nodes) before a brokerage analysis"
        )
    array = np.fromiter(map(codes.__getitem__, values), dtype=np.int64, count=len(values))
    return array, list(codes)
