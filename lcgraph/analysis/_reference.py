"""Plain pure-Python brokerage counts: the reference the vectorised code is tested against.

This is sna's C routine ``brokerage_R`` written out as Python loops over networkx's adjacency:
for each broker, each in-neighbour, each out-neighbour. It is slow (seconds for a 50,000-node
graph, and Python-loop slow on anything larger) and obviously right, which is its job; the
benchmark (``bench/bench_analysis.py``) compares the two.
"""

from __future__ import annotations

from typing import Any

from lcgraph.analysis.brokerage import ROLES

__all__ = ["gould_fernandez_naive"]


def gould_fernandez_naive(G, attr: str) -> dict[Any, dict[str, int]]:
    """Gould–Fernandez role counts by enumerating every two-path (see ``brokerage``).

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "v"), ("v", "b")])
    >>> nx.set_node_attributes(G, {"a": 1, "v": 2, "b": 1}, "g")
    >>> gould_fernandez_naive(G, "g")["v"]["itinerant"]
    1
    """
    import networkx as nx

    group = {}
    for node, value in G.nodes(data=attr):
        if value is None:
            raise nx.NetworkXError(f"node {node!r} has no {attr!r} attribute")
        group[node] = value
    pred = G.pred if G.is_directed() else G.adj
    succ = G.succ if G.is_directed() else G.adj
    result = {}
    for v in G:
        counts = dict.fromkeys(ROLES, 0)
        gv = group[v]
        for a in pred[v]:
            if a == v:
                continue
            ga = group[a]
            for b in succ[v]:
                if b in (v, a) or b in succ[a]:
                    continue
                gb = group[b]
                if ga == gv:
                    role = "coordinator" if gb == gv else "representative"
                elif gv == gb:
                    role = "gatekeeper"
                elif ga == gb:
                    role = "itinerant"
                else:
                    role = "liaison"
                counts[role] += 1
                counts["total"] += 1
        result[v] = counts
    return result
