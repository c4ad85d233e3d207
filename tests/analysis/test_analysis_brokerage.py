"""Gould–Fernandez brokerage: hand-counted roles, R's sna, the naive loop, edge cases."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcgraph.analysis import brokerage
from lcgraph.analysis._reference import gould_fernandez_naive
from lcgraph.analysis.brokerage import ROLES, gould_fernandez, gould_fernandez_zscores

SNA = json.loads(Path(__file__).with_name("fixtures").joinpath("sna_brokerage.json").read_text())
# sna's columns, in its order, mapped to our role names
SNA_COLUMNS = {
    "w_I": "coordinator",
    "w_O": "itinerant",
    "b_IO": "representative",
    "b_OI": "gatekeeper",
    "b_O": "liaison",
    "t": "total",
}


def grouped(graph, groups: dict) -> nx.Graph:
    nx.set_node_attributes(graph, groups, "g")
    return graph


def only(role: str, count: int) -> dict[str, int]:
    counts = dict.fromkeys(ROLES, 0)
    counts[role] = count
    counts["total"] = count
    return counts


# --- hand-counted examples: one broker v on the path a -> v -> b ---------------------------

ROLE_GROUPS = {
    # role: groups of (a, v, b)
    "coordinator": ("x", "x", "x"),
    "itinerant": ("x", "y", "x"),
    "gatekeeper": ("x", "y", "y"),
    "representative": ("x", "x", "y"),
    "liaison": ("x", "y", "z"),
}
# In the undirected path a - v - b the broker v also sits on b -> v -> a, whose role is the
# mirror image: a gatekeeper for a representative and the other way round.
MIRROR = {"representative": "gatekeeper", "gatekeeper": "representative"}


@pytest.mark.parametrize("role", sorted(ROLE_GROUPS))
def test_each_role_directed_by_hand(role):
    ga, gv, gb = ROLE_GROUPS[role]
    G = grouped(nx.DiGraph([("a", "v"), ("v", "b")]), {"a": ga, "v": gv, "b": gb})
    result = gould_fernandez(G, "g")
    assert result["v"] == only(role, 1)
    assert result["a"] == result["b"] == only(role, 0)


@pytest.mark.parametrize("role", sorted(ROLE_GROUPS))
def test_each_role_undirected_by_hand(role):
    ga, gv, gb = ROLE_GROUPS[role]
    G = grouped(nx.Graph([("a", "v"), ("v", "b")]), {"a": ga, "v": gv, "b": gb})
    expected = dict.fromkeys(ROLES, 0)
    expected[role] += 1
    expected[MIRROR.get(role, role)] += 1
    expected["total"] = 2
    assert gould_fernandez(G, "g")["v"] == expected


def test_closed_and_mutual_pairs_are_not_brokered():
    # Counted by hand. v's in-neighbours: a, b, c; out-neighbours: a, b, d.
    # Pairs (in, out) with in != out: (a,b) (a,d) (b,a) (b,d) (c,a) (c,b) (c,d) = 7;
    # closed because the arc exists: a -> b and c -> d; so 5 open two-paths remain:
    # (a,d) x->y->y gatekeeper; (b,a) x->y->x itinerant; (b,d) gatekeeper;
    # (c,a) z->y->x liaison; (c,b) z->y->x liaison.
    path_arcs = [("a", "v"), ("b", "v"), ("c", "v"), ("v", "a"), ("v", "b"), ("v", "d")]
    G = nx.DiGraph([*path_arcs, ("a", "b"), ("c", "d")])
    grouped(G, {"a": "x", "b": "x", "c": "z", "d": "y", "v": "y"})
    assert gould_fernandez(G, "g")["v"] == {
        "coordinator": 0,
        "itinerant": 1,
        "gatekeeper": 2,
        "representative": 0,
        "liaison": 2,
        "total": 5,
    }
    assert gould_fernandez(G, "g") == gould_fernandez_naive(G, "g")


def test_an_arc_against_the_path_does_not_close_it():
    # b -> a is not a -> b: a -> v -> b stays open (sna checks the arc from a to b only)
    G = grouped(nx.DiGraph([("a", "v"), ("v", "b"), ("b", "a")]), {"a": 1, "v": 1, "b": 1})
    assert gould_fernandez(G, "g")["v"]["coordinator"] == 1


# --- R's sna -------------------------------------------------------------------------------


def sna_case_graph(case) -> nx.Graph:
    G = nx.DiGraph() if case["directed"] else nx.Graph()
    G.add_nodes_from(range(case["n"]))
    G.add_edges_from(map(tuple, case["edges"]))
    return grouped(G, dict(enumerate(case["groups"])))


def assert_close(ours: float, theirs: float, what: str) -> None:
    if math.isnan(theirs):
        assert math.isnan(ours), f"{what}: sna gives NaN, we give {ours}"
    else:
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9), what


@pytest.mark.parametrize("case", SNA["cases"], ids=[c["name"] for c in SNA["cases"]])
def test_matches_r_sna(case):
    """Counts, expectations, sds and z-scores, node and graph level, against sna 2.7."""
    G = sna_case_graph(case)
    scores = gould_fernandez_zscores(G, "g")
    sna = case["sna"]
    for node in range(case["n"]):
        for col, name in enumerate(SNA["columns"]):
            role = SNA_COLUMNS[name]
            where = f"{case['name']} node {node} {role}"
            assert scores.raw[node][role] == sna["raw.nli"][node][col], where
            assert_close(scores.expected[node][role], sna["exp.nli"][node][col], where + " exp")
            assert_close(scores.sd[node][role], sna["sd.nli"][node][col], where + " sd")
            assert_close(scores.z[node][role], sna["z.nli"][node][col], where + " z")
    for col, name in enumerate(SNA["columns"]):
        role = SNA_COLUMNS[name]
        where = f"{case['name']} graph {role}"
        assert scores.graph_raw[role] == sna["raw.gli"][col], where
        assert_close(scores.graph_expected[role], sna["exp.gli"][col], where + " exp")
        assert_close(scores.graph_sd[role], sna["sd.gli"][col], where + " sd")
        assert_close(scores.graph_z[role], sna["z.gli"][col], where + " z")
    assert scores.raw == gould_fernandez(G, "g")


def test_docstring_example_matches_sna():
    case = next(c for c in SNA["cases"] if c["name"] == "path-two-groups")
    scores = gould_fernandez_zscores(sna_case_graph(case), "g")
    assert scores.density == 0.25  # 3 arcs / (4 * 3)
    assert scores.group_sizes == {1: 2, 2: 2}


# --- the naive loop on random graphs -------------------------------------------------------


@st.composite
def random_graphs(draw):
    n = draw(st.integers(0, 12))
    directed = draw(st.booleans())
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(n))
    if n:
        pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
        G.add_edges_from(draw(st.lists(pairs, max_size=n * n)))  # self-loops included
    k = draw(st.integers(1, 4))
    groups = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    return grouped(G, dict(enumerate(groups)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(random_graphs())
def test_equals_naive_reference(G):
    assert gould_fernandez(G, "g") == gould_fernandez_naive(G, "g")


@pytest.mark.parametrize("directed", [False, True])
def test_equals_naive_on_a_larger_graph_with_hubs(directed, monkeypatch):
    # a scale-free graph has hubs and many triangles; small wedge chunks exercise chunking
    monkeypatch.setattr(brokerage, "_WEDGE_CHUNK", 500)
    G = nx.powerlaw_cluster_graph(400, 4, 0.6, seed=3)
    if directed:
        rng = np.random.default_rng(3)
        G = nx.DiGraph([(u, v) if rng.random() < 0.6 else (v, u) for u, v in G.edges()])
        G.add_edges_from((v, u) for u, v in list(G.edges())[::5])  # some mutual ties
    rng = np.random.default_rng(4)
    grouped(G, {v: int(rng.integers(5)) for v in G})
    assert gould_fernandez(G, "g") == gould_fernandez_naive(G, "g")


@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("chunk", [1, 37, 4_000_000])
@pytest.mark.parametrize("directed", [False, True])
def test_triangle_listing_finds_each_triangle_once(monkeypatch, chunk, directed, ordered):
    """Against networkx's own triangle listing, with hubs, in chunks of rows of any size."""
    from itertools import combinations

    from lcgraph.analysis._arrays import arcs

    monkeypatch.setattr(brokerage, "_WEDGE_CHUNK", chunk)
    U = nx.powerlaw_cluster_graph(300, 4, 0.6, seed=chunk)
    U.add_edges_from((0, v) for v in range(1, 300, 2))  # a hub
    G = U.to_directed() if directed else U
    if directed:  # drop one direction of some edges: the triangles are the underlying graph's
        G.remove_edges_from([(u, v) for u, v in list(G.edges) if u < v and (u + v) % 3 == 0])
    data = arcs(G, ordered=ordered)
    listed = [
        tuple(sorted(data.nodes[i] for i in t))
        for t in zip(*brokerage._triangles(data), strict=True)
    ]
    expected = {
        tuple(sorted((u, v, w))) for u in U for v, w in combinations(U[u], 2) if U.has_edge(v, w)
    }
    assert len(listed) == len(set(listed)) == len(expected)
    assert set(listed) == expected
    assert sum(nx.triangles(U).values()) == 3 * len(expected)


@pytest.mark.parametrize("index", [np.int32, np.int64])
@pytest.mark.parametrize("seed", range(4))
def test_bool_product_equals_scipys(seed, index):
    """The product without scipy's counting pass: scipy's own answer, from the number of
    products as the bound (or any larger one), and scipy's ``@`` where the types differ."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    A = sp.random_array((60, 50), density=0.1, rng=rng, format="csr").astype(bool)
    B = sp.random_array((50, 70), density=0.1, rng=rng, format="csr").astype(bool)
    A.indices, A.indptr = A.indices.astype(index), A.indptr.astype(index)
    B.indices, B.indptr = B.indices.astype(index), B.indptr.astype(index)
    products = int(sum(np.diff(B.indptr)[A.indices]))  # each a -> b meets b's row of B
    expected = (A @ B).toarray()
    for bound in (products, products + 17):
        got = brokerage._bool_product(A, B, bound)
        assert got.dtype == bool
        assert (got.toarray() == expected).all()
    mixed = sp.csr_array((B.data, B.indices.astype(np.int64), B.indptr.astype(np.int64)), B.shape)
    if index is np.int32:  # index types differ: scipy's own product
        assert (brokerage._bool_product(A, mixed, products).toarray() == expected).all()


@pytest.mark.parametrize(
    "labels",
    [
        list(range(6)),  # 0..n-1 in order: the labels are the positions
        [5, 3, 0, 4, 1, 2],  # small integers out of order: a lookup table
        [10**9, 7, 3, 2, 1, 0],  # large integers: the dict
        ["f", "d", "a", "e", "b", "c"],  # any hashable: the dict
        [True, 2, 0, 3, 4, 5],  # a bool is not an int label: the dict
    ],
)
@pytest.mark.parametrize("ordered", [True, False])
def test_arcs_number_nodes_in_adjacency_order(labels, ordered):
    from lcgraph.analysis._arrays import arcs

    G = nx.DiGraph()
    G.add_nodes_from(labels)
    a, b, c, d, e, f = labels
    G.add_edges_from([(a, f), (a, b), (a, a), (b, a), (c, e), (c, d), (f, c)])
    data = arcs(G, ordered=ordered)
    assert data.nodes == labels and data.index == {v: i for i, v in enumerate(labels)}
    got = [(data.nodes[i], data.nodes[j]) for i, j in zip(data.src, data.dst, strict=True)]
    assert sorted(got, key=repr) == sorted(
        [(u, v) for u, v in G.edges if u != v], key=repr
    )  # the self-loop is dropped
    assert list(np.diff(data.indptr)) == [2, 1, 2, 0, 0, 1]
    assert (np.diff(data.src) >= 0).all()  # grouped by source
    if ordered:
        assert (np.diff(data.keys) > 0).all()


def test_many_groups_use_the_sparse_group_counts():
    # every node its own group: the (node, group) table is n x n, counted sparsely
    G = nx.gnm_random_graph(1500, 6000, seed=2, directed=True)
    grouped(G, {v: f"g{v}" for v in G})
    result = gould_fernandez(G, "g")
    assert result == gould_fernandez_naive(G, "g")
    # with all groups distinct every open two-path is a liaison
    assert all(r["liaison"] == r["total"] for r in result.values())


# --- edge cases ----------------------------------------------------------------------------


def test_empty_graph():
    assert gould_fernandez(nx.Graph(), "g") == {}
    scores = gould_fernandez_zscores(nx.DiGraph(), "g")
    assert scores.raw == {} and scores.graph_raw == dict.fromkeys(ROLES, 0)
    assert math.isnan(scores.density)


def test_one_group_has_only_coordinators():
    G = grouped(nx.gnm_random_graph(30, 60, seed=1), dict.fromkeys(range(30), "same"))
    for counts in gould_fernandez(G, "g").values():
        assert counts["coordinator"] == counts["total"]
    scores = gould_fernandez_zscores(G, "g")
    assert scores.expected[0]["liaison"] == 0  # no other group to link
    assert math.isnan(scores.z[0]["liaison"])  # 0 / 0, as in sna


def test_self_loops_are_ignored():
    G = grouped(nx.DiGraph([(1, 2), (2, 3)]), {1: "a", 2: "b", 3: "a"})
    looped = G.copy()
    looped.add_edges_from([(1, 1), (2, 2), (3, 3)])
    assert gould_fernandez(looped, "g") == gould_fernandez(G, "g")
    assert gould_fernandez_zscores(looped, "g").density == gould_fernandez_zscores(G, "g").density


def test_isolated_nodes_count_zero_but_enter_the_null_model():
    G = grouped(nx.DiGraph([(1, 2), (2, 3)]), {1: "a", 2: "b", 3: "a"})
    wider = G.copy()
    wider.add_node(4, g="a")
    assert gould_fernandez(wider, "g")[4] == only("total", 0)
    assert gould_fernandez_zscores(wider, "g").density == 2 / (4 * 3)


def test_parallel_edges_count_once():
    G = grouped(nx.MultiDiGraph([(1, 2), (1, 2), (2, 3)]), {1: "a", 2: "b", 3: "c"})
    assert gould_fernandez(G, "g")[2] == only("liaison", 1)


def test_undirected_equals_its_symmetric_digraph():
    G = grouped(nx.gnm_random_graph(40, 90, seed=8), {v: v % 4 for v in range(40)})
    assert gould_fernandez(G, "g") == gould_fernandez(G.to_directed(), "g")


@pytest.mark.parametrize("value", [None, "absent"])
def test_missing_group_is_a_clear_error(value):
    G = nx.Graph([("Tokyo", "Kuala Lumpur"), ("Kuala Lumpur", "Yokohama")])
    nx.set_node_attributes(G, {"Tokyo": "JP", "Kuala Lumpur": "MY"}, "country")
    if value is None:
        G.nodes["Yokohama"]["country"] = None
    with pytest.raises(
        nx.NetworkXError, match=r"1 node\(s\) have no 'country' attribute: 'Yokohama'"
    ):
        gould_fernandez(G, "country")
    with pytest.raises(nx.NetworkXError, match="Yokohama"):
        gould_fernandez_zscores(G, "country")


def _same_values(ours: dict, theirs: dict) -> None:
    assert list(ours) == list(theirs)
    for node, value in ours.items():
        other = theirs[node]
        assert (math.isnan(value) and math.isnan(other)) or math.isclose(
            value, other, rel_tol=1e-9, abs_tol=1e-12
        ), (node, value, other)


def test_burt_measures_are_networkx():
    G = nx.karate_club_graph()
    _same_values(brokerage.constraint(G), nx.constraint(G))
    _same_values(brokerage.constraint(G, weight="weight"), nx.constraint(G, weight="weight"))
    _same_values(brokerage.effective_size(G), nx.effective_size(G))
    # networkx's all-node form divides by the row maxima along the wrong axis for weighted
    # graphs (networkx PR 8906); its per-node form is Burt's definition
    _same_values(
        brokerage.effective_size(G, weight="weight"),
        nx.effective_size(G, nodes=list(G), weight="weight"),
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 25),
    density=st.floats(0, 0.6),
    directed=st.booleans(),
    weighted=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_burt_measures_equal_networkx_on_random_graphs(n, density, directed, weighted, seed):
    G = nx.gnp_random_graph(n, density, seed=seed, directed=directed)
    G.add_nodes_from(["isolated-a", "isolated-b"])
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G[u][v]["w"] = float(rng.choice([0.5, 1.0, 2.0, 3.5]))
    weight = "w" if weighted else None
    _same_values(brokerage.constraint(G, weight=weight), nx.constraint(G, weight=weight))
    _same_values(brokerage.constraint(G, weight=weight), _dense_burt(G, weight)[0])
    _same_values(brokerage.effective_size(G, weight=weight), _dense_burt(G, weight)[1])
    sources = [v for v in G if len(G[v])]  # networkx's per-node form: nan without successors
    _same_values(
        {v: brokerage.effective_size(G, weight=weight)[v] for v in sources},
        nx.effective_size(G, nodes=sources, weight=weight),
    )
    some = list(G)[::3]
    _same_values(
        brokerage.constraint(G, nodes=some, weight=weight),
        {v: nx.constraint(G, weight=weight)[v] for v in some},
    )
    _same_values(
        brokerage.effective_size(G, nodes=some, weight=weight),
        {v: _dense_burt(G, weight)[1][v] for v in some},
    )


def _dense_burt(G, weight):
    """Burt's constraint and effective size from their definitions, on dense matrices."""
    nodes = list(G)
    A = nx.to_numpy_array(G, nodelist=nodes, weight=weight) if nodes else np.zeros((0, 0))
    M = A + A.T
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.nan_to_num(M / M.sum(axis=1)[:, None])  # an isolated node's row: 0, not nan
        m = np.nan_to_num(M / M.max(axis=1, initial=0)[:, None])
    tie = p > 0
    cons = np.where(tie, (p + p @ p) ** 2, 0).sum(axis=1)
    size = np.where(tie, 1 - p @ m.T, 0).sum(axis=1)
    alone = M.sum(axis=1) == 0
    cons[alone] = size[alone] = np.nan
    return dict(zip(nodes, cons.tolist(), strict=True)), dict(
        zip(nodes, size.tolist(), strict=True)
    )


def test_burt_measures_around_hubs_and_fallbacks():
    # hubs whose squared matrix is dense, with triangles among their members
    G = nx.star_graph(300)
    G.add_edges_from((i, i + 1) for i in range(1, 300, 2))
    G.add_edges_from(nx.star_graph(range(300, 500)).edges)
    _same_values(brokerage.constraint(G), nx.constraint(G))
    _same_values(brokerage.effective_size(G), nx.effective_size(G))
    _same_values(brokerage.effective_size(G), nx.effective_size(G, nodes=list(G)))
    assert math.isnan(brokerage.constraint(nx.empty_graph(2))[0])
    assert math.isnan(brokerage.effective_size(nx.empty_graph(2))[0])
    assert brokerage.constraint(nx.Graph()) == brokerage.effective_size(nx.Graph()) == {}
    # self-loops and multigraphs are networkx's own computation
    loops = nx.Graph([(0, 0), (0, 1), (1, 2), (2, 0)])
    assert brokerage.constraint(loops) == nx.constraint(loops)
    assert brokerage.effective_size(loops) == nx.effective_size(loops)
    multi = nx.MultiGraph([(0, 1), (0, 1), (1, 2)])
    assert brokerage.constraint(multi) == nx.constraint(multi)
    assert brokerage.effective_size(multi) == nx.effective_size(multi)
