"""Brokerage: Gould–Fernandez roles, their null model, and Burt's structural holes.

A broker ``v`` sits on a two-path ``a -> v -> b`` whose ends are not tied (no arc ``a -> b``).
Gould and Fernandez [1]_ tell five kinds of broker apart by the groups of ``a``, ``v`` and
``b``; this module counts them per node, as R's ``sna::brokerage`` [2]_ does, and compares the
counts with their expectation when groups are assigned at random. Burt's constraint and
effective size [3]_ come from networkx.

The counting is vectorised (numpy, no Python loop over nodes or two-paths): a graph with 50,000
nodes and 250,000 edges takes well under a second. ``lcgraph.analysis._reference`` holds the
plain loop it is tested against.

References
----------
.. [1] Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation: a formal approach to
   brokerage in transaction networks. *Sociological Methodology* 19, 89–126.
   https://doi.org/10.2307/270949
.. [2] Butts, C. T. (2008). Social network analysis with sna. *Journal of Statistical Software*
   24(6). https://doi.org/10.18637/jss.v024.i06 (function ``brokerage``, sna 2.7).
.. [3] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition*. Harvard
   University Press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lcgraph._gc import paused_gc
from lcgraph.analysis._arrays import (
    Arcs,
    arc_positions,
    arcs,
    group_codes,
    has_arc,
    unique_sorted,
)
from lcgraph.analysis.tables import NODE_COLUMNS, Table, node_columns

__all__ = [
    "ROLES",
    "BrokerageScores",
    "brokerage_table",
    "constraint",
    "effective_size",
    "fill_groups",
    "gould_fernandez",
    "gould_fernandez_zscores",
    "structural_holes_table",
]

#: The roles, in the order of the contract (sna's columns are w_I, w_O, b_OI, b_IO, b_O, t).
ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison", "total")
_COORD, _ITIN, _GATE, _REPR, _LIAISON = range(5)
#: The six orders of a triangle's three corners.
_ORDERINGS = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))

# Wedges (two-paths of the degree-oriented graph) multiplied out per chunk of rows: bounds the
# memory of triangle listing on graphs with hubs.
_WEDGE_CHUNK = 4_000_000


def gould_fernandez(G, attr: str) -> dict[Any, dict[str, int]]:
    r"""Gould–Fernandez brokerage roles of every node: raw counts.

    For every open two-path :math:`a \to v \to b` (``a``, ``v``, ``b`` distinct and no arc
    :math:`a \to b`), the broker ``v`` gets one count in the role set by the groups
    :math:`g(\cdot)` of the three nodes:

    ============== ===================================== ============
    role           groups                                sna column
    ============== ===================================== ============
    coordinator    :math:`g(a) = g(v) = g(b)`            ``w_I``
    itinerant      :math:`g(a) = g(b) \ne g(v)`          ``w_O``
    gatekeeper     :math:`g(a) \ne g(v) = g(b)`          ``b_OI``
    representative :math:`g(a) = g(v) \ne g(b)`          ``b_IO``
    liaison        all three differ                      ``b_O``
    ============== ===================================== ============

    and ``total`` is their sum. These are the counts of R's ``sna::brokerage(g, cl)$raw.nli``.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        The graph. An undirected graph is treated as symmetric: each edge is two arcs, so a
        path ``a - v - b`` with ``a`` and ``b`` not adjacent counts twice for ``v``
        (``a -> v -> b`` and ``b -> v -> a``), as sna counts a symmetric matrix. Self-loops
        are ignored; parallel edges of a multigraph count once.
    attr : str
        The node attribute that holds each node's group (any hashable value).

    Returns
    -------
    dict
        node -> ``{"coordinator", "itinerant", "gatekeeper", "representative", "liaison",
        "total"}`` of integer counts.

    Raises
    ------
    networkx.NetworkXError
        If a node has no ``attr`` attribute (or holds ``None``).

    Notes
    -----
    Counting is :math:`O(m \log m)` for :math:`m` arcs plus triangle listing: per broker, the
    number of two-paths by group follows from in- and out-neighbour counts per group
    (:math:`\sum_g c^{in}_{vg} c^{out}_{vg}` and the same-group / other-group totals), less the
    pairs with :math:`a = b` (mutual ties), less the *closed* two-paths, which lie on triangles
    of the underlying undirected graph and are listed with the degree-ordering method of
    Chiba and Nishizeki (1985), https://doi.org/10.1137/0214017.

    Examples
    --------
    A representative speaks for its own group to another one:

    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "v"), ("v", "b")])
    >>> nx.set_node_attributes(G, {"a": "x", "v": "x", "b": "y"}, "group")
    >>> gould_fernandez(G, "group")["v"]
    {'coordinator': 0, 'itinerant': 0, 'gatekeeper': 0, 'representative': 1, 'liaison': 0, 'total': 1}
    """
    # no reference cycles are made: the collector would only walk the caller's graph, again
    # and again, as the arrays and the result dicts are allocated (~7% of the time at 50k nodes)
    with paused_gc():
        data = _counting_arcs(G)
        codes, _ = group_codes(G, data.nodes, attr)
        counts = _role_counts(data, codes)
        return _as_dict(data.nodes, counts)


@dataclass(frozen=True)
class BrokerageScores:
    """Brokerage counts with their expectation and z-scores under random group assignment.

    Node-level dicts map node -> role -> value (roles as in :data:`ROLES`); ``graph_*`` are the
    graph-level (summed) counts and their moments. ``group_sizes`` maps each group to its size
    and ``density`` is the density the null model uses.
    """

    raw: dict[Any, dict[str, int]]
    expected: dict[Any, dict[str, float]]
    sd: dict[Any, dict[str, float]]
    z: dict[Any, dict[str, float]]
    graph_raw: dict[str, int]
    graph_expected: dict[str, float]
    graph_sd: dict[str, float]
    graph_z: dict[str, float]
    group_sizes: dict[Any, int]
    density: float


def gould_fernandez_zscores(G, attr: str) -> BrokerageScores:
    r"""Brokerage counts, their expected values, standard deviations and z-scores.

    The null model is sna's (``sna::brokerage``, sna 2.7): groups of the given sizes are laid on
    a random graph in which every arc is present independently with the observed density
    :math:`d = m / (N (N-1))` (:math:`m` arcs, self-loops not counted; an undirected edge is
    two arcs). An open two-path through a given broker occurs with probability
    :math:`p = d^2 (1-d)`; with :math:`q = d^3 (1-d)^3`, :math:`n_i` the size of the broker's
    group and :math:`n_j` the others', the expected counts and variances per broker are

    * coordinator: :math:`E = p (n_i-1)(n_i-2)`,
      :math:`V = E(1-p) + 2 (n_i-1)(n_i-2)(n_i-3) q`
    * itinerant: :math:`E = p \sum_{j \ne i} n_j (n_j-1)`,
      :math:`V = E(1-p) + 2 \sum_{j \ne i} n_j (n_j-1)(n_j-2) q`
    * representative and gatekeeper: :math:`E = p (N-n_i)(n_i-1)`,
      :math:`V = E(1-p) + 2 [(n_i-1) \binom{N-n_i}{2} + (N-n_i) \binom{n_i-1}{2}] q`
    * liaison: :math:`E = p [(N-n_i)^2 - \sum_{j \ne i} n_j^2]`,
      :math:`V = E(1-p) + 4 \sum_{j \ne i} n_j \binom{N-n_j-n_i}{2} q`
    * total: :math:`E = p (N-1)(N-2)`, :math:`V = E(1-p) + 2 (N-1)(N-2)(N-3) q`

    and :math:`z = (x - E) / \sqrt{V}`. The graph-level moments (sna's ``exp.gli`` and
    ``sd.gli``) are sna's closed forms as well, including its fourth- and fifth-order terms in
    :math:`d`; they are evaluated with power sums of the group sizes instead of sna's loop over
    triples of groups, which gives the same numbers in :math:`O(\text{groups})`.

    As in sna, a zero variance gives a z-score of ``nan`` (for a zero count) or ``inf``.
    The expected values depend only on the group sizes and the density, not on where the
    groups sit in the graph: a z-score says how unusual a count is for a node of that group
    in a random graph of that density.

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        As for :func:`gould_fernandez`.
    attr : str
        The node attribute that holds each node's group.

    Returns
    -------
    BrokerageScores

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(1, 2), (2, 3), (3, 4)])
    >>> nx.set_node_attributes(G, {1: "x", 2: "x", 3: "y", 4: "y"}, "group")
    >>> scores = gould_fernandez_zscores(G, "group")
    >>> scores.density
    0.25
    >>> scores.expected[2]["representative"], round(scores.z[2]["representative"], 5)
    (0.09375, 2.83011)
    """
    data = _counting_arcs(G)
    codes, groups = group_codes(G, data.nodes, attr)
    counts = _role_counts(data, codes)
    n = data.n
    sizes = np.bincount(codes, minlength=len(groups)).astype(float)
    density = len(data.src) / (n * (n - 1)) if n > 1 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        exp_group, var_group = _node_moments(sizes, float(n), density)
        expected = exp_group[codes] if n else np.zeros((0, 6))
        sd = np.sqrt(var_group)[codes] if n else np.zeros((0, 6))
        z = (counts - expected) / sd
        graph_counts = counts.sum(axis=0)
        graph_exp, graph_var = _graph_moments(sizes, float(n), density)
        graph_sd = np.sqrt(graph_var)
        graph_z = (graph_counts - graph_exp) / graph_sd
    return BrokerageScores(
        raw=_as_dict(data.nodes, counts),
        expected=_as_dict(data.nodes, expected),
        sd=_as_dict(data.nodes, sd),
        z=_as_dict(data.nodes, z),
        graph_raw=dict(zip(ROLES, map(int, graph_counts), strict=True)),
        graph_expected=dict(zip(ROLES, map(float, graph_exp), strict=True)),
        graph_sd=dict(zip(ROLES, map(float, graph_sd), strict=True)),
        graph_z=dict(zip(ROLES, map(float, graph_z), strict=True)),
        group_sizes={group: int(size) for group, size in zip(groups, sizes, strict=True)},
        density=density,
    )


def constraint(G, nodes=None, weight: str | None = None) -> dict[Any, float]:
    r"""Burt's constraint of each node: how much its ties lead to the same others.

    :math:`c_v = \sum_{w \in N(v)} \ell(v, w)` with the local constraint
    :math:`\ell(v, w) = (p_{vw} + \sum_{u} p_{vu} p_{uw})^2` and :math:`p` the normalised
    mutual weights (:math:`p_{vw} = (a_{vw} + a_{wv}) / \sum_u (a_{vu} + a_{uv})`). Low
    constraint marks a broker across structural holes. The values are those of
    :func:`networkx.constraint` (its sparse-matrix form, which networkx uses for all nodes):
    ties of positive mutual weight count, isolated nodes get ``nan``.

    networkx squares the whole normalised matrix, :math:`P + P^2`, which is dense around hubs
    (a network with 5,000 members gives 25 million entries); here the indirect term is summed
    only where it is used, on the ties, from the triangles of the graph (one entry per tie and
    triangle), so the cost follows the number of ties and triangles. Multigraphs and graphs
    with self-loops go to networkx unchanged; with ``nodes``, all nodes are computed and those
    returned.

    References
    ----------
    .. [1] Burt, R. S. (2004). Structural holes and good ideas. American Journal of Sociology
       110(2), 349-399. https://doi.org/10.1086/421787

    Examples
    --------
    >>> import networkx as nx
    >>> c = constraint(nx.path_graph(3))
    >>> c[1], c[0]
    (0.5, 1.0)
    """
    import networkx as nx

    if G.is_multigraph() or nx.number_of_selfloops(G):
        return nx.constraint(G, nodes=nodes, weight=weight)
    ties = _Ties.of(G, weight)
    p = ties.normalised("sum")
    # indirect term of (v, w): sum over the triangles (v, u, w) of p_vu p_uw
    indirect = ties.over_triangles(lambda vu, uw: p[vu] * p[uw])
    local = np.where(p > 0, (p + indirect) ** 2, 0.0)
    return ties.per_node(local, nodes)


def effective_size(G, nodes=None, weight: str | None = None) -> dict[Any, float]:
    r"""Burt's effective size of each node: its number of non-redundant contacts.

    :math:`e_v = \sum_{w \in N(v)} (1 - \sum_{u} p_{vu} m_{wu})` with :math:`p` the mutual
    weights normalised by their row sum and :math:`m` by their row maximum; for an unweighted
    undirected graph :math:`e_v = n - 2t/n` with :math:`n` neighbours and :math:`t` ties among
    them (Borgatti 1997). The values are those of :func:`networkx.effective_size` node by
    node (``nodes=``), which follows Burt; its all-node form divides by the row maxima along
    the wrong axis, so weighted and directed graphs get other values there (networkx pull
    request 8906). Nodes without ties get ``nan`` (networkx also gives ``nan`` to a directed
    node without successors; here its in-ties count). networkx's all-node form builds a dense
    :math:`n \times n` array (20 GB at 50,000 nodes); here the redundancy is summed on the
    ties, from the triangles, as for
    :func:`constraint`. Multigraphs and graphs with self-loops go to networkx unchanged.

    Examples
    --------
    >>> import networkx as nx
    >>> effective_size(nx.star_graph(3))[0]
    3.0
    """
    import networkx as nx

    if G.is_multigraph() or nx.number_of_selfloops(G):
        return nx.effective_size(G, nodes=nodes, weight=weight)
    ties = _Ties.of(G, weight)
    p = ties.normalised("sum")
    m_transposed = ties.normalised("max")[ties.reverse]  # at (u, w): m_wu
    # redundancy of w for v: sum over the triangles (v, u, w) of p_vu m_wu
    redundancy = ties.over_triangles(lambda vu, uw: p[vu] * m_transposed[uw])
    return ties.per_node(np.where(p > 0, 1.0 - redundancy, 0.0), nodes)


@dataclass(frozen=True)
class _Ties:
    """The ties of a simple graph as a symmetric sorted pattern, with their mutual weights.

    ``keys`` are ``row * n + col`` (both directions of every tie), ``mutual`` the weight
    ``a_rc + a_cr``; ``triangles`` the graph's triangles (of the underlying undirected graph),
    used to sum a term over the common neighbours of each tie.
    """

    nodes: list[Any]
    keys: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    mutual: np.ndarray
    triangles: tuple[np.ndarray, np.ndarray, np.ndarray]

    @classmethod
    def of(cls, G, weight: str | None) -> _Ties:
        data = arcs(G)
        n = data.n
        if weight is None:
            w = np.ones(len(data.src))
        else:
            index = data.index
            edges = list(G.edges(data=weight, default=1))
            u = np.fromiter((index[e[0]] for e in edges), dtype=np.int64, count=len(edges))
            v = np.fromiter((index[e[1]] for e in edges), dtype=np.int64, count=len(edges))
            x = np.fromiter((e[2] for e in edges), dtype=float, count=len(edges))
            if not G.is_directed():  # an undirected edge is an entry both ways
                u, v, x = np.concatenate((u, v)), np.concatenate((v, u)), np.concatenate((x, x))
            w = x[np.argsort(u * n + v, kind="stable")]  # the arcs' (source, target) order
        both = np.concatenate((data.src * n + data.dst, data.dst * n + data.src))
        keys, position = np.unique(both, return_inverse=True)
        mutual = np.bincount(position, weights=np.concatenate((w, w)), minlength=len(keys))
        rows, cols = keys // max(n, 1), keys % max(n, 1)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        pattern = Arcs(data.nodes, rows, cols, indptr, directed=False)
        return cls(data.nodes, keys, rows, cols, mutual, _triangles(pattern))

    @property
    def n(self) -> int:
        return len(self.nodes)

    def at(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Positions of the ties (a, b) in ``keys`` (they must exist)."""
        return np.searchsorted(self.keys, a * self.n + b)

    @property
    def reverse(self) -> np.ndarray:
        """Position of (c, r) for each tie (r, c)."""
        return self.at(self.cols, self.rows)

    def normalised(self, norm: str) -> np.ndarray:
        """Mutual weights over their row's sum or maximum (nan where that is zero)."""
        if norm == "sum":
            scale = np.bincount(self.rows, weights=self.mutual, minlength=self.n)
        else:  # rows are sorted: one maximum per run of a row
            scale = np.zeros(self.n)
            if len(self.rows):
                starts = np.flatnonzero(np.r_[True, self.rows[1:] != self.rows[:-1]])
                scale[self.rows[starts]] = np.maximum.reduceat(self.mutual, starts)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.mutual / scale[self.rows]

    def over_triangles(self, term) -> np.ndarray:
        """Per tie (v, w): the sum of ``term(vu, uw)`` over its triangles (v, u, w).

        The arguments are positions in ``keys`` of the ties (v, u) and (u, w).
        """
        total = np.zeros(len(self.keys))
        t = self.triangles
        if len(t[0]) == 0:
            return total
        for a, b, c in _ORDERINGS:
            vu, uw, vw = self.at(t[a], t[b]), self.at(t[b], t[c]), self.at(t[a], t[c])
            total += np.bincount(vw, weights=term(vu, uw), minlength=len(self.keys))
        return total

    def per_node(self, values: np.ndarray, nodes=None) -> dict[Any, float]:
        """Sum ``values`` (one per tie) by row; nan for nodes without a tie of weight."""
        result = np.bincount(self.rows, weights=values, minlength=self.n).astype(float)
        weight = np.bincount(self.rows, weights=self.mutual, minlength=self.n)
        result[weight == 0] = np.nan
        out = dict(zip(self.nodes, result.tolist(), strict=True))
        return out if nodes is None else {v: out[v] for v in nodes}


# --- counting ------------------------------------------------------------------------------


def _counting_arcs(G) -> Arcs:
    """The arcs :func:`_role_counts` needs: rows sorted only for a digraph's :func:`has_arc`."""
    return arcs(G, ordered=G.is_directed())


def _as_dict(nodes: list[Any], table: np.ndarray) -> dict[Any, dict[str, Any]]:
    """node -> role -> value; ``tolist`` gives Python ints or floats as the array holds."""
    # A dict display per node is ~2x faster than dict(zip(ROLES, row)); zipping the columns
    # saves unpacking a list per row (~25%); and the cyclic GC is paused: 50k new dicts trigger
    # collections that walk the caller's whole graph (a 250k-edge networkx graph is millions
    # of objects), ~10x the cost of building them.
    columns = [column.tolist() for column in table.T]
    with paused_gc():
        return {
            node: {
                "coordinator": c,
                "itinerant": i,
                "gatekeeper": g,
                "representative": r,
                "liaison": li,
                "total": t,
            }
            for node, c, i, g, r, li, t in zip(nodes, *columns, strict=True)
        }


def _role_counts(data: Arcs, codes: np.ndarray) -> np.ndarray:
    """Open two-paths per broker and role: an (N, 6) int64 array, total last."""
    n = data.n
    out = np.zeros((n, 6), dtype=np.int64)
    if n == 0 or len(data.src) == 0:
        return out
    src, dst = data.src, data.dst
    same = codes[src] == codes[dst]

    def per_node(where: np.ndarray) -> np.ndarray:
        return np.bincount(where, minlength=n).astype(np.int64)

    out_same = per_node(src[same])
    out_other = np.diff(data.indptr) - out_same
    if data.directed:
        in_same = per_node(dst[same])
        in_other = per_node(dst) - in_same
        mutual = has_arc(data.keys, dst * n + src)
        mutual_same = per_node(src[mutual & same])
        mutual_other = per_node(src[mutual & ~same])
    else:
        # symmetric: in-neighbours are the out-neighbours, and every arc is mutual
        in_same, in_other = out_same, out_other
        mutual_same, mutual_other = out_same, out_other
    # sum over groups g != g(v) of (in-neighbours in g) * (out-neighbours in g)
    dot_other = _group_dot(n, codes, src, dst, data.directed) - in_same * out_same
    closed = _closed_two_paths(data, codes)

    out[:, _COORD] = in_same * out_same - mutual_same - closed[_COORD]
    out[:, _ITIN] = dot_other - mutual_other - closed[_ITIN]
    out[:, _GATE] = in_other * out_same - closed[_GATE]
    out[:, _REPR] = in_same * out_other - closed[_REPR]
    out[:, _LIAISON] = in_other * out_other - dot_other - closed[_LIAISON]
    out[:, 5] = out[:, :5].sum(axis=1)
    return out


def _group_dot(
    n: int, codes: np.ndarray, src: np.ndarray, dst: np.ndarray, directed: bool
) -> np.ndarray:
    """For each node v: sum over groups g of (in-neighbours in g) * (out-neighbours in g)."""
    n_groups = int(codes.max()) + 1
    in_keys = dst * n_groups + codes[src]  # (broker, group of the source)
    out_keys = src * n_groups + codes[dst]  # (broker, group of the target)
    if n * n_groups <= max(4 * len(src), 1 << 20):
        # few groups: dense per-(node, group) counts
        size = n * n_groups
        cin = np.bincount(in_keys, minlength=size).reshape(n, n_groups)
        cout = cin if not directed else np.bincount(out_keys, minlength=size).reshape(n, n_groups)
        return np.einsum("ij,ij->i", cin, cout)
    in_u, in_c = unique_sorted(in_keys)
    if not directed:
        # in- and out-neighbours coincide
        return np.bincount(in_u // n_groups, weights=in_c * in_c, minlength=n).astype(np.int64)
    out_u, out_c = unique_sorted(out_keys)
    common, i_in, i_out = np.intersect1d(in_u, out_u, assume_unique=True, return_indices=True)
    products = in_c[i_in].astype(np.int64) * out_c[i_out]
    result = np.zeros(n, dtype=np.int64)
    np.add.at(result, common // n_groups, products)
    return result


def _triangles(data: Arcs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The triangles of the underlying undirected simple graph, as three node arrays.

    Edges are oriented from the lower to the higher (degree, index) rank, so each triangle
    ``x -> y -> z`` (with ``x -> z``) is found once, from its lowest-ranked node ``x``, and no
    node has more than about sqrt(2m) oriented out-neighbours (Chiba and Nishizeki 1985). With
    ``L`` the oriented adjacency, ``(L @ L) * L`` (scipy's sparse product, in C++) marks the
    pairs ``(x, z)`` that close at least one triangle; only their middles ``y`` are then listed.
    Most wedges of a sparse graph are open, so they are counted in C and never materialised
    as arrays. Rows go in chunks of at most :data:`_WEDGE_CHUNK` products, which bounds the
    memory on graphs with hubs.
    """
    import scipy.sparse as sp

    n = data.n
    empty = np.zeros(0, dtype=np.int64)
    if data.directed:
        lo = np.minimum(data.src, data.dst)
        hi = np.maximum(data.src, data.dst)
        keys, _ = unique_sorted(lo * n + hi)
        u, v = keys // n, keys % n
        degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    else:
        # symmetric arcs: every edge both ways, grouped by source; the degree is the row length
        u, v = data.src, data.dst
        degree = np.diff(data.indptr)
    if len(u) == 0:
        return empty, empty, empty
    # rank by (degree, index) without a sort: the key degree * n + index orders them so
    rank = degree * n + np.arange(n, dtype=np.int64)
    if data.directed:
        swap = rank[u] > rank[v]
        oriented = np.sort(np.where(swap, v, u) * n + np.where(swap, u, v))
        first = oriented // n
        second = oriented - first * n
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(first, minlength=n), out=indptr[1:])
    else:
        # the arcs that go up in rank: one per edge, still grouped by source (no sort); the
        # sources' ranks repeat along the rows
        up = np.repeat(rank, degree) < rank[v]
        second = v[up]
        kept = np.zeros(len(up) + 1, dtype=np.int64)
        np.cumsum(up, out=kept[1:])
        indptr = kept[data.indptr]  # the kept arcs before each row
    out_degree = np.diff(indptr)
    index = np.int32 if max(n, len(second)) < 2**31 else np.int64  # scipy's index types
    # boolean entries: a product entry says whether some middle exists, never overflows
    L = sp.csr_array(
        (np.ones(len(second), dtype=bool), second.astype(index), indptr.astype(index)),
        shape=(n, n),
    )
    # products: each arc y -> z is reached from each in-neighbour x of y
    wedges = int(np.bincount(second, minlength=n) @ out_degree)
    if wedges <= _WEDGE_CHUNK:
        cost = None  # one block
    else:  # per row x: the sum of the out-degrees of its out-neighbours
        first = np.repeat(np.arange(n, dtype=np.int64), out_degree)
        cost = np.cumsum(np.bincount(first, weights=out_degree[second], minlength=n))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    begin = 0
    while begin < n:
        if cost is None:
            end = n
        else:
            limit = (cost[begin - 1] if begin else 0) + _WEDGE_CHUNK
            end = max(int(np.searchsorted(cost, limit, side="right")), begin + 1)
        block = L[begin:end] if (begin, end) != (0, n) else L
        products = (
            wedges if cost is None else int(cost[end - 1] - (cost[begin - 1] if begin else 0))
        )
        closing = _bool_product(block, L, products).multiply(block).tocoo()
        x = closing.row.astype(np.int64) + begin
        z = closing.col.astype(np.int64)
        # the middles: each out-neighbour y of x with the arc y -> z (scipy's lookup of
        # (row, column) pairs, in C, whether or not the rows are sorted)
        at, lengths = arc_positions(indptr, x)
        y = second[at]
        xs, zs = np.repeat(x, lengths), np.repeat(z, lengths)
        hit = np.asarray(L[y, zs]).ravel() if len(y) else np.zeros(0, dtype=bool)
        found.append((xs[hit], y[hit], zs[hit]))
        begin = end
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]


def _bool_product(A, B, products: int):
    """``A @ B`` for boolean CSR arrays, given ``products``, an upper bound on its entries.

    scipy's own C++ kernel (``csr_matmat``) without the first of its two passes, which only
    counts the entries to allocate them (a fifth of the product's time); the number of
    products bounds that count. Falls back to ``A @ B`` where that kernel is not found as
    expected (it is scipy's internal module).
    """
    import scipy.sparse as sp

    index = A.indices.dtype
    if products >= np.iinfo(index).max or B.indices.dtype != index or A.indptr.dtype != index:
        return A @ B
    try:
        from scipy.sparse._sparsetools import csr_matmat
    except ImportError:  # pragma: no cover - a scipy that moved its kernels
        return A @ B
    shape = (A.shape[0], B.shape[1])
    indptr = np.empty(shape[0] + 1, dtype=index)
    indices = np.empty(products, dtype=index)
    values = np.empty(products, dtype=bool)
    try:
        csr_matmat(*shape, A.indptr, A.indices, A.data, B.indptr, B.indices, B.data,
                   indptr, indices, values)  # fmt: skip
    except (TypeError, ValueError):  # pragma: no cover - a scipy whose kernel changed
        return A @ B
    nnz = int(indptr[-1])
    return sp.csr_array((values[:nnz], indices[:nnz], indptr), shape=shape)


def _closed_two_paths(data: Arcs, codes: np.ndarray) -> np.ndarray:
    """Closed two-paths a -> v -> b (with the arc a -> b) per broker and role: (5, N)."""
    n = data.n
    t0, t1, t2 = _triangles(data)
    closed = np.zeros((5, n), dtype=np.int64)
    if len(t0) == 0:
        return closed
    corners = (t0, t1, t2)
    if data.directed:
        keys = data.keys
        arc = {
            (i, j): has_arc(keys, corners[i] * n + corners[j])
            for i in range(3)
            for j in range(3)
            if i != j
        }
    for ia, iv, ib in _ORDERINGS:  # (a, v, b): every way to name a triangle's corners
        a, v, b = corners[ia], corners[iv], corners[ib]
        if data.directed:
            present = arc[(ia, iv)] & arc[(iv, ib)] & arc[(ia, ib)]
            a, v, b = a[present], v[present], b[present]
        ga, gv, gb = codes[a], codes[v], codes[b]
        role = np.where(
            ga == gv,
            np.where(gb == gv, _COORD, _REPR),
            np.where(gv == gb, _GATE, np.where(ga == gb, _ITIN, _LIAISON)),
        )
        closed += np.bincount(role * n + v, minlength=5 * n).reshape(5, n)
    return closed


# --- the null model ------------------------------------------------------------------------


def _node_moments(sizes: np.ndarray, N: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """sna's expected counts and variances per broker group: two (groups, 6) arrays.

    Each moment is ``E = p * C`` and ``V = E * (1 - p) + K * q`` with integer counts ``C`` and
    ``K`` of potential two-paths (pairs of them), computed exactly with Python integers:
    written as differences of power sums they cancel to exactly zero where they should (one
    group), where floats would leave a spurious 1e-13.
    """
    n = sizes.astype(np.int64).astype(object)  # exact integer arithmetic
    N = int(N)
    p = d * d * (1 - d)
    q = d**3 * (1 - d) ** 3
    t2 = sum(n * (n - 1))
    t3 = sum(n * (n - 1) * (n - 2))
    s2 = sum(n * n)
    a = N - n
    a1 = sum(n * a * (a - 1))
    b1 = sum(n * (2 * a - 1))
    c = np.empty((len(n), 6), dtype=object)
    k = np.empty((len(n), 6), dtype=object)
    c[:, _COORD] = (n - 1) * (n - 2)
    k[:, _COORD] = 2 * (n - 1) * (n - 2) * (n - 3)
    c[:, _ITIN] = t2 - n * (n - 1)
    k[:, _ITIN] = 2 * (t3 - n * (n - 1) * (n - 2))
    c[:, _REPR] = (N - n) * (n - 1)
    # 2 [(n-1) C(N-n, 2) + (N-n) C(n-1, 2)]
    k[:, _REPR] = (n - 1) * (N - n) * (N - n - 1) + (N - n) * (n - 1) * (n - 2)
    c[:, _GATE] = c[:, _REPR]
    k[:, _GATE] = k[:, _REPR]
    c[:, _LIAISON] = (N - n) ** 2 - (s2 - n * n)
    # 4 sum_{j != i} n_j C(N - n_j - n_i, 2), the sum over all j expanded in powers of n_i
    k[:, _LIAISON] = 2 * ((a1 - n * b1 + n * n * N) - n * (N - 2 * n) * (N - 2 * n - 1))
    c[:, 5] = (N - 1) * (N - 2)
    k[:, 5] = 2 * (N - 1) * (N - 2) * (N - 3)
    expected = p * c.astype(float)
    return expected, expected * (1 - p) + q * k.astype(float)


def _distinct_triple_sum(x, y, z) -> int:
    """Sum of x_i y_j z_k over ordered triples of distinct indices i, j, k (exact)."""
    sx, sy, sz = sum(x), sum(y), sum(z)
    return sx * sy * sz - sum(x * y) * sz - sum(x * z) * sy - sum(y * z) * sx + 2 * sum(x * y * z)


def _graph_moments(sizes: np.ndarray, N: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """sna's graph-level expected counts and variances: two arrays of 6.

    sna's sums over pairs and triples of groups are rewritten as power sums of the group
    sizes, in exact integers, then weighted by the powers of the density.
    """
    n = sizes.astype(np.int64).astype(object)
    N = int(N)
    p = d * d * (1 - d)
    q = d**3 * (1 - d) ** 3
    r4 = d**4 * (1 - d) ** 2
    r5 = d**5 * (1 - d)
    s2 = sum(n * n)
    counts = [0] * 6
    extra = [0.0] * 6
    f3 = n * (n - 1) * (n - 2)
    counts[_COORD] = sum(f3)
    extra[_COORD] = q * sum(f3 * (4 * n - 10)) - r4 * sum(4 * f3 * (n - 3)) + r5 * sum(f3 * (n - 3))
    counts[_ITIN] = sum(n * (N - n) * (n - 1))
    # sna: sum over ordered pairs of distinct groups (x, y) of
    # x y (x-1) [(2x + 2y - 6) q + (N - x - 1) r5], summed over y != x in closed form
    f2 = n * (n - 1)
    extra[_ITIN] = q * sum(f2 * ((2 * n - 6) * (N - n) + 2 * (s2 - n * n))) + r5 * sum(
        f2 * (N - n - 1) * (N - n)
    )
    counts[_REPR] = counts[_ITIN]
    g = n * (N - n) * (n - 1)
    extra[_REPR] = q * sum(g * (N - 3)) + r5 * sum(g * (n - 2))
    counts[_GATE] = counts[_REPR]
    extra[_GATE] = extra[_REPR]
    # sna loops over distinct triples of groups (i, j, k) of n_i n_j n_k times a bracket
    # linear in n_i, n_j, n_k; by symmetry the three linear terms share one sum
    triples = _distinct_triple_sum(n, n, n)
    counts[_LIAISON] = triples
    c0 = (4 * N - 2) * (q - r4) + (N - 1) * r5
    c_linear = (-2 * q + 2 * r4 - r5) + (-4 * q + 2 * r4) + (-2 * q + 4 * r4 - r5)
    extra[_LIAISON] = c0 * triples + c_linear * _distinct_triple_sum(n * n, n, n)
    f_total = N * (N - 1) * (N - 2)
    counts[5] = f_total
    extra[5] = f_total * ((4 * N - 10) * q - 4 * (N - 3) * r4 + (N - 3) * r5)
    expected = p * np.array(counts, dtype=float)
    return expected, expected * (1 - p) + np.array(extra, dtype=float)


# --- tables ----------------------------------------------------------------------------------

#: The group :func:`fill_groups` gives nodes without one, with ``missing="unknown"``.
UNKNOWN_GROUP = "(unknown)"


def fill_groups(G, attr: str, missing: str = "unknown"):
    """A copy of ``G`` in which every node has a group, and a note on what was done.

    ``missing`` says what happens to nodes whose ``attr`` is absent or None: ``"unknown"``
    puts them in one shared group ``(unknown)``, ``"own"`` gives each a group of its own,
    ``"drop"`` leaves them out of the graph, ``"error"`` leaves ``G`` as it is (so that
    :func:`gould_fernandez` raises). Returns ``(graph, notes)``.

    >>> import networkx as nx
    >>> G = nx.path_graph(3)
    >>> G.nodes[0]["country"] = "JP"
    >>> H, notes = fill_groups(G, "country")
    >>> [H.nodes[n]["country"] for n in H], notes
    (['JP', '(unknown)', '(unknown)'], ["2 node(s) without a 'country' were put in one group '(unknown)' (missing='unknown')"])
    """
    if missing not in ("unknown", "own", "drop", "error"):
        raise ValueError(f"missing must be unknown, own, drop or error, not {missing!r}")
    lacking = [n for n, value in G.nodes(data=attr) if value is None]
    if not lacking or missing == "error":
        return G, []
    H = G.copy()
    if missing == "drop":
        H.remove_nodes_from(lacking)
    else:
        for node in lacking:
            H.nodes[node][attr] = UNKNOWN_GROUP if missing == "unknown" else f"({node})"
    what = {
        "drop": "left out",
        "unknown": f"put in one group {UNKNOWN_GROUP!r}",
        "own": "each put in a group of its own",
    }[missing]
    return H, [f"{len(lacking)} node(s) without a {attr!r} were {what} (missing={missing!r})"]


def brokerage_table(G, attr: str) -> Table:
    """Roles, their total and z-scores per node, with the node's attributes and group.

    Columns: the node columns, ``group``, the five roles and ``total`` (raw counts), then
    ``z_<role>`` for each. Rows are sorted by total (highest first), then label.
    """
    scores = gould_fernandez_zscores(G, attr)
    rows = []
    for node in G:
        row = node_columns(G, node)
        row["group"] = G.nodes[node][attr]
        row.update(scores.raw[node])
        row.update({f"z_{role}": value for role, value in scores.z[node].items()})
        rows.append(row)
    rows.sort(key=lambda r: (-r["total"], str(r["label"]), str(r["iri"])))
    by_size = sorted(scores.group_sizes.items(), key=lambda gn: (-gn[1], str(gn[0])))
    sizes = ", ".join(f"{g} {n}" for g, n in by_size[:12])
    if len(by_size) > 12:
        sizes += f" and {len(by_size) - 12} more groups"
    notes = [
        f"{len(by_size)} groups by {attr!r} (size): {sizes}",
        f"z-scores against random assignment of the groups, density {scores.density:.4g} (sna)",
    ]
    columns = [*NODE_COLUMNS, "group", *ROLES, *(f"z_{r}" for r in ROLES)]
    return Table(columns, rows, f"Gould–Fernandez brokerage by {attr} ({G.name or 'graph'})", notes)


def structural_holes_table(G) -> Table:
    """Burt's constraint and effective size per node, lowest constraint first."""
    import networkx as nx

    simple = nx.Graph(G) if G.is_multigraph() else G
    cons = constraint(simple)
    size = effective_size(simple)
    rows = []
    for node in G:
        row = node_columns(G, node)
        row["degree"] = simple.degree(node)
        row["constraint"] = cons[node]
        row["effective_size"] = size[node]
        rows.append(row)

    def key(row):
        c = row["constraint"]
        return (math.isnan(c), c, -row["degree"], str(row["label"]), str(row["iri"]))

    rows.sort(key=key)
    notes = ["isolated nodes have no constraint or effective size (nan)"]
    columns = [*NODE_COLUMNS, "degree", "constraint", "effective_size"]
    return Table(columns, rows, f"Structural holes ({G.name or 'graph'})", notes)
