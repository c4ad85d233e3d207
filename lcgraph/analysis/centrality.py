"""Centrality of cities, organisations and networks: degree, betweenness, closeness, eigenvector.

Pure functions, graph in and ``dict`` node -> value out, each equal to its networkx namesake
(the tests check it) but vectorised where networkx loops in Python: betweenness and closeness
run batched breadth-first searches as sparse-matrix products (:mod:`lcgraph.analysis._paths`),
eigenvector centrality a sparse power iteration. Betweenness is exact, or sampled from ``k``
sources chosen with a seed exactly as networkx chooses them, so a seeded sample gives the same
numbers as ``networkx.betweenness_centrality(G, k, seed=seed)``. Closeness is exact, or
estimated from ``k`` pivots drawn the same way (Eppstein and Wang 2004; networkx has no
sampled form).

``backend=`` hands a measure to a networkx backend instead (``"cugraph"`` on a GPU,
``"parallel"`` with nx-parallel), when one is installed; none is required.

The bipartite forms (Borgatti and Halgin 2011, https://doi.org/10.4135/9781446294413.n28)
normalise by the largest value possible for each side of a two-mode graph, as
``networkx.bipartite`` does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from lcgraph.analysis._arrays import Arcs, arc_positions, arcs
from lcgraph.analysis._paths import dependencies, distance_sums
from lcgraph.analysis.tables import NODE_COLUMNS, Table, node_columns

__all__ = [
    "MEASURES",
    "SAMPLE_ABOVE",
    "SAMPLE_K",
    "betweenness",
    "bipartite_betweenness",
    "bipartite_closeness",
    "bipartite_degree",
    "centrality_table",
    "closeness",
    "degree",
    "eigenvector",
]

MEASURES = ("degree", "betweenness", "closeness", "eigenvector")
#: ``centrality_table`` samples betweenness and closeness above this many nodes, from
#: ``SAMPLE_K`` sources.
SAMPLE_ABOVE = 5_000
SAMPLE_K = 256


def degree(G) -> dict[Any, float]:
    r"""Degree centrality: the fraction of the other nodes a node is tied to.

    :math:`c_D(v) = \deg(v) / (n - 1)`; :func:`networkx.degree_centrality`.

    >>> import networkx as nx
    >>> degree(nx.path_graph(3))
    {0: 0.5, 1: 1.0, 2: 0.5}
    """
    import networkx as nx

    return nx.degree_centrality(G)


def _sources(G, k: int | None, seed) -> list | None:
    """The sampled sources, drawn exactly as networkx draws them (None: all nodes)."""
    if k is not None and k < 1:
        raise ValueError(f"k must be 1 or more (or None for all nodes), not {k}")
    if k is None or k >= len(G):
        return None
    from networkx.utils import create_py_random_state

    return create_py_random_state(seed).sample(list(G.nodes()), k)


def betweenness(
    G,
    *,
    k: int | None = None,
    seed: int | None = None,
    normalized: bool = True,
    backend: str | None = None,
) -> dict[Any, float]:
    r"""Shortest-path betweenness: the share of shortest paths between others through a node.

    :math:`c_B(v) = \sum_{s \ne v \ne t} \sigma(s, t \mid v) / \sigma(s, t)` (Brandes 2001,
    https://doi.org/10.1080/0022250X.2001.9990249), unweighted. With ``k`` the sum runs over
    ``k`` sources sampled with ``seed`` and is scaled up (Brandes and Pich 2007,
    https://doi.org/10.1142/S0218127407018403), with networkx's normalisation and its
    correction for sampled sources. Equal to ``networkx.betweenness_centrality(G, k=k,
    normalized=normalized, seed=seed)``.

    Parameters
    ----------
    G : networkx graph
    k : int, optional
        Number of sampled sources; None for the exact value.
    seed : int, optional
        Seed of the sample.
    normalized : bool
        Divide by the number of pairs, :math:`(n-1)(n-2)` (halved for undirected graphs
        when not normalised, as in networkx).
    backend : str, optional
        A networkx backend to run ``networkx.betweenness_centrality`` on instead.

    Examples
    --------
    >>> import networkx as nx
    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    import networkx as nx

    if backend is not None:
        return nx.betweenness_centrality(G, k=k, normalized=normalized, seed=seed, backend=backend)
    sampled = _sources(G, k, seed)
    data = arcs(G)
    chosen = data.nodes if sampled is None else sampled
    sources = np.fromiter((data.index[s] for s in chosen), dtype=np.int64, count=len(chosen))
    raw = dependencies(data, sources)
    scale = _betweenness_scale(len(G), normalized, G.is_directed(), sampled)
    values = raw.tolist()
    if isinstance(scale, tuple):
        in_sample = set(sampled)
        source_scale, other_scale = scale
        return {
            node: value * (source_scale if node in in_sample else other_scale)
            for node, value in zip(data.nodes, values, strict=True)
        }
    return {node: value * scale for node, value in zip(data.nodes, values, strict=True)}


def _betweenness_scale(n: int, normalized: bool, directed: bool, sampled: list | None):
    """networkx's ``_rescale`` (networkx 3.5+, endpoints excluded): a factor, or a pair of
    factors (sampled sources, other nodes) when sources were sampled."""
    N = n - 1
    if N < 2:
        return 1.0
    correction = 1 if directed else 2
    if sampled is None:
        return 1 / (N * (N - 1)) if normalized else N / (N * correction)
    k = len(sampled)
    if normalized:
        source = 1 / ((k - 1) * (N - 1)) if k > 1 else math.nan
        return source, 1 / (k * (N - 1))
    source = N / ((k - 1) * correction) if k > 1 else math.nan
    return source, N / (k * correction)


def closeness(
    G, *, k: int | None = None, seed: int | None = None, backend: str | None = None
) -> dict[Any, float]:
    r"""Closeness: the inverse mean distance to the nodes a node reaches, scaled by reach.

    :math:`c_C(u) = \frac{r - 1}{\sum_v d(v, u)} \cdot \frac{r - 1}{n - 1}` with
    :math:`r - 1` the other nodes that reach :math:`u` (Wasserman and Faust 1994); on an
    undirected graph :math:`d(v, u) = d(u, v)`, on a directed one the distances are *to*
    :math:`u`. Exact, it equals ``networkx.closeness_centrality(G)``.

    With ``k`` it is estimated from ``k`` pivots drawn with ``seed`` (as :func:`betweenness`
    draws its sources): one search from each pivot instead of one from each node (Eppstein and
    Wang 2004). For a node :math:`u`, let :math:`S_u` be the summed distance to it from the
    pivots other than :math:`u` that reach it.

    - Undirected: the reach of :math:`u` is its component :math:`C`, known exactly; with
      :math:`k_u` the pivots in :math:`C` other than :math:`u`, the mean distance
      :math:`S_u / k_u` gives :math:`\hat c_C(u) = \frac{k_u}{S_u} \cdot
      \frac{|C| - 1}{n - 1}`. Components of at most :math:`n / k` nodes, or holding fewer
      than two pivots, are searched from every node: exact (a fragmented graph's small
      components would otherwise get no pivot).
    - Directed: with :math:`R_u` the pivots other than :math:`u` that reach it and
      :math:`k_u` all pivots other than :math:`u`, reach and distance sum both scale by
      :math:`(n - 1) / k_u`: :math:`\hat c_C(u) = \frac{|R_u|}{S_u} \cdot
      \frac{|R_u|}{k_u}`.

    Both are the exact value when every node is a pivot. The estimated mean distance of a
    node is within :math:`\epsilon \Delta` of the true one with high probability for
    :math:`k = \Theta(\log n / \epsilon^2)` pivots, :math:`\Delta` the diameter.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Unweighted.
    k : int, optional
        Pivots to sample; None (or ``k >= n``) for the exact values. On an undirected graph a
        handful of pivots leaves most components exact, at the cost of the exact values: use
        tens to hundreds.
    seed : int, optional
        Seed of the sample.
    backend : str, optional
        A networkx backend to run ``networkx.closeness_centrality`` on instead (exact only).

    References
    ----------
    Eppstein, D. and Wang, J. (2004). Fast approximation of centrality. *Journal of Graph
    Algorithms and Applications* 8(1), 39–45. https://doi.org/10.7155/jgaa.00081

    Examples
    --------
    >>> import networkx as nx
    >>> closeness(nx.path_graph(3))
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}
    >>> closeness(nx.path_graph(3), k=3) == closeness(nx.path_graph(3))
    True
    """
    import networkx as nx

    pivots = _sources(G, k, seed)
    if backend is not None:
        if pivots is not None:
            raise ValueError("a backend computes closeness exactly: leave k out")
        return nx.closeness_centrality(G, backend=backend)
    data = arcs(G)
    n = data.n
    if pivots is None:
        values = _exact_closeness(data, np.arange(n))
    else:
        sampled = np.fromiter(map(data.index.__getitem__, pivots), dtype=np.int64)
        if data.directed:
            values = _pivot_closeness(data, sampled)
        else:
            values = _component_closeness(data, sampled)
    return dict(zip(data.nodes, values.tolist(), strict=True))


def _closeness_of(reach: np.ndarray, sums: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(r / S) (r / k) for ``r`` nodes at distance sum ``S`` out of ``k``: 0 where S is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sums > 0, reach / sums * (reach / others), 0.0)


def _exact_closeness(data, nodes: np.ndarray) -> np.ndarray:
    """Exact closeness of ``nodes`` (an array aligned with them): one search from each."""
    sums, reach = distance_sums(data, nodes, incoming=data.directed)
    return _closeness_of(reach - 1.0, sums, np.full(len(nodes), data.n - 1.0))


def _pivot_closeness(data, pivots: np.ndarray) -> np.ndarray:
    """Reach and distance sum of each node both estimated from the pivots that reach it."""
    sums, reach = distance_sums(data, pivots, per="target")  # from the pivots *to* each node
    others = np.full(data.n, float(len(pivots)))
    others[pivots] -= 1
    return _closeness_of(reach.astype(float), sums, others)


def _component_closeness(data, pivots: np.ndarray) -> np.ndarray:
    """Undirected: the reach is the component's size, exactly; the mean distance comes from
    the pivots in the component. Components of at most ``n / k`` nodes, or with fewer than two
    pivots, are small enough to search from every node: exact."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = data.n
    pattern = sp.csr_array((np.ones(len(data.dst)), data.dst, data.indptr), shape=(n, n))
    _, label = connected_components(pattern, directed=False)
    size = np.bincount(label)
    in_component = np.bincount(label[pivots], minlength=len(size))
    exact = ((size <= max(1, n // len(pivots))) | (in_component < 2))[label]
    values = np.zeros(n)
    _exact_by_component(data, label, np.flatnonzero(exact), values)
    pivots = pivots[~exact[pivots]]
    if len(pivots):
        sums, _ = distance_sums(data, pivots, per="target")
        others = in_component[label].astype(float)  # the pivots in the node's component,
        others[pivots] -= 1  # itself excluded
        reach = size[label] - 1.0
        # the distance sum is estimated as reach * sums / others: r / S * r / (n - 1) becomes
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = others / sums * (reach / (n - 1))
        values[~exact] = estimate[~exact]
    return values


#: Nodes of small components searched together, on the subgraph of their components
_COMPONENT_CHUNK = 256


def _exact_by_component(data, label: np.ndarray, nodes: np.ndarray, out: np.ndarray) -> None:
    """Exact closeness of ``nodes`` (whole components) into ``out``, a few components at a
    time, each time on the subgraph of those components alone: a search over the whole graph
    would cost O(n) per source, which thousands of two-node components would make O(n²)."""
    if len(nodes) == 0:
        return
    n = data.n
    nodes = nodes[np.argsort(label[nodes], kind="stable")]  # grouped by component
    grouped = label[nodes]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])  # each component's first
    position = np.empty(n, dtype=np.int64)
    begin = 0
    while begin < len(nodes):
        at = np.searchsorted(starts, begin + _COMPONENT_CHUNK)  # next component start past it
        end = int(starts[at]) if at < len(starts) else len(nodes)
        chunk = nodes[begin:end]
        position[chunk] = np.arange(len(chunk))
        arc, lengths = arc_positions(data.indptr, chunk)
        indptr = np.zeros(len(chunk) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        sub = Arcs(
            chunk.tolist(),
            np.repeat(np.arange(len(chunk)), lengths),
            position[data.dst[arc]],
            indptr,
            directed=False,
        )
        sums, reach = distance_sums(sub, np.arange(len(chunk)))
        out[chunk] = _closeness_of(reach - 1.0, sums, np.full(len(chunk), n - 1.0))
        begin = end


def eigenvector(G, *, max_iter: int = 100, tol: float = 1e-6, backend: str | None = None):
    r"""Eigenvector centrality: a node is central when its neighbours are.

    The principal eigenvector of the adjacency matrix (Bonacich 1987,
    https://doi.org/10.1086/228631), by power iteration on :math:`A + I` from a uniform
    start, with networkx's stopping rule (L1 change below ``n * tol``); equal to
    ``networkx.eigenvector_centrality(G)`` within ``tol``. For a directed graph, in-edges
    count (left eigenvector). Raises ``networkx.PowerIterationFailedConvergence`` as networkx
    does.

    >>> import networkx as nx
    >>> {v: round(c, 3) for v, c in eigenvector(nx.path_graph(3)).items()}
    {0: 0.5, 1: 0.707, 2: 0.5}
    """
    import networkx as nx
    import scipy.sparse as sp

    if backend is not None:
        return nx.eigenvector_centrality(G, max_iter=max_iter, tol=tol, backend=backend)
    if len(G) == 0:
        raise nx.NetworkXPointlessConcept("cannot compute centrality for the null graph")
    data = arcs(G, loops=True)
    n = data.n
    A = sp.csr_array((np.ones(len(data.dst)), data.dst, data.indptr), shape=(n, n))
    At = A.T.tocsr()
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = last + At @ last
        norm = float(np.sqrt(x @ x)) or 1.0
        x = x / norm
        if float(np.abs(x - last).sum()) < n * tol:
            return dict(zip(data.nodes, x.tolist(), strict=True))
    raise nx.PowerIterationFailedConvergence(max_iter)


# --- two-mode (bipartite) forms ------------------------------------------------------------


def bipartite_degree(B, nodes: Iterable) -> dict[Any, float]:
    """Degree in a two-mode graph, over the size of the other side
    (:func:`networkx.bipartite.degree_centrality`); ``nodes`` is one side.

    >>> import networkx as nx
    >>> sorted(bipartite_degree(nx.star_graph(2), [0]).items())
    [(0, 1.0), (1, 1.0), (2, 1.0)]
    """
    from networkx.algorithms import bipartite

    return bipartite.degree_centrality(B, set(nodes))


def _bipartite_max(n: int, m: int) -> float:
    """The largest betweenness of a node on a side of ``n`` nodes facing ``m`` (networkx)."""
    if m == 0:
        return math.nan
    s, t = divmod(n - 1, m)
    return ((m**2) * ((s + 1) ** 2) + m * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2.0


def bipartite_betweenness(B, nodes: Iterable) -> dict[Any, float]:
    """Betweenness in a two-mode graph, over the largest value possible on each side
    (:func:`networkx.bipartite.betweenness_centrality`; exact, vectorised).

    Where the largest possible value is 0 (a side that cannot broker at all, where networkx
    divides by zero) the result is 0.

    >>> import networkx as nx
    >>> bipartite_betweenness(nx.path_graph(4), [0, 2])
    {0: 0.0, 1: 1.0, 2: 1.0, 3: 0.0}
    """
    top = set(nodes)
    n, m = len(top), len(B) - len(top)
    raw = betweenness(B, normalized=False)
    top_max, bottom_max = _bipartite_max(n, m), _bipartite_max(m, n)
    result = {}
    for v, value in raw.items():
        most = top_max if v in top else bottom_max
        result[v] = value / most if most else 0.0
    return result


def bipartite_closeness(B, nodes: Iterable, normalized: bool = True) -> dict[Any, float]:
    """Closeness in a two-mode graph (:func:`networkx.bipartite.closeness_centrality`).

    >>> import networkx as nx
    >>> bipartite_closeness(nx.path_graph(3), [0, 2])[1]
    1.0
    """
    top = set(nodes)
    n, m = len(top), len(B) - len(top)
    data = arcs(B)
    sums, reach = distance_sums(data, np.arange(data.n))
    result = {}
    for node, total, r in zip(data.nodes, sums.tolist(), reach.tolist(), strict=True):
        value = 0.0
        if total > 0 and len(B) > 1:
            value = ((m + 2 * (n - 1)) if node in top else (n + 2 * (m - 1))) / total
            if normalized:
                value *= (r - 1) / (len(B) - 1)
        result[node] = value
    return result


# --- one table -------------------------------------------------------------------------------


def centrality_table(
    G,
    *,
    measures: Iterable[str] = MEASURES,
    bipartite_nodes: Iterable | None = None,
    k: int | str | None = "auto",
    seed: int = 0,
    backend: str | None = None,
) -> Table:
    """All measures for every node, with the node's attributes: a tidy :class:`Table`.

    Rows are sorted by betweenness, then degree (highest first), then label.

    Parameters
    ----------
    G : networkx graph
    measures : iterable of str
        Any of :data:`MEASURES`.
    bipartite_nodes : iterable, optional
        One side of a two-mode graph: the bipartite forms of degree, betweenness and
        closeness are used (eigenvector centrality has no bipartite form and is the plain one).
    k : int, "auto" or None
        Sources of betweenness and pivots of closeness: None for exact, an int to sample,
        ``"auto"`` to sample :data:`SAMPLE_K` of them above :data:`SAMPLE_ABOVE` nodes
        (the bipartite forms are always exact; a backend computes closeness exactly).
    seed : int
        Seed of the sample.
    backend : str, optional
        A networkx backend for the measures.
    """
    import networkx as nx

    measures = list(measures)
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise ValueError(f"unknown measure(s) {unknown} (one of {', '.join(MEASURES)})")
    notes = []
    if k == "auto":
        k = SAMPLE_K if len(G) > SAMPLE_ABOVE else None
    values: dict[str, dict[Any, float]] = {}
    two_mode = bipartite_nodes is not None
    side = set(bipartite_nodes) if two_mode else set()
    # which measures take k: the bipartite forms are exact, and a backend computes closeness
    # exactly (a backend's betweenness is sampled, bipartite or not)
    sample_betweenness = backend is not None or not two_mode
    sample_closeness = backend is None and not two_mode
    sampled = [
        m
        for m, takes_k in (("betweenness", sample_betweenness), ("closeness", sample_closeness))
        if takes_k and m in measures
    ]
    if sampled and k is not None and k < len(G):
        what = " and ".join(sampled)
        notes.append(f"{what} sampled from {k} sources (seed {seed}) of {len(G)} nodes")
    if two_mode:
        notes.append("bipartite forms of degree, betweenness and closeness")
    for measure in measures:
        if measure == "degree":
            values[measure] = bipartite_degree(G, side) if two_mode else degree(G)
        elif measure == "betweenness":
            if sample_betweenness:
                values[measure] = betweenness(G, k=k, seed=seed, backend=backend)
            else:
                values[measure] = bipartite_betweenness(G, side)
        elif measure == "closeness":
            if two_mode:
                values[measure] = bipartite_closeness(G, side)
            elif sample_closeness:
                values[measure] = closeness(G, k=k, seed=seed)
            else:
                values[measure] = closeness(G, backend=backend)
        elif measure == "eigenvector":
            try:
                values[measure] = eigenvector(G, max_iter=1000, backend=backend)
            except (nx.PowerIterationFailedConvergence, nx.NetworkXPointlessConcept):
                notes.append("eigenvector centrality did not converge: left empty")
                values[measure] = {}
    rows = []
    for node in G:
        row = node_columns(G, node)
        for measure in measures:
            row[measure] = values[measure].get(node)
        rows.append(row)

    def key(row):
        return (
            -(row.get("betweenness") or 0.0),
            -(row.get("degree") or 0.0),
            str(row["label"]),
            str(row["iri"]),
        )

    rows.sort(key=key)
    title = f"Centrality in the {G.name or 'given'} graph"
    return Table([*NODE_COLUMNS, *measures], rows, title, notes)
