"""Centrality: the tables on the seed graph and the vectorised measures against networkx."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from analysis_support import KUALA_LUMPUR, TOKYO
from networkx.algorithms import bipartite

from lcgraph.analysis import centrality, graphs
from lcgraph.analysis.centrality import centrality_table


def assert_same(ours: dict, theirs: dict, rel: float = 1e-9) -> None:
    assert ours.keys() == theirs.keys()
    for node, value in theirs.items():
        if math.isnan(value):
            assert math.isnan(ours[node]), node
        else:
            assert ours[node] == pytest.approx(value, rel=rel, abs=1e-12), node


def column(table, name: str) -> dict:
    return {row["iri"]: row[name] for row in table.rows}


# --- tables on the seed graph, checked against networkx directly -----------------------------


@pytest.mark.parametrize("name", ["collaboration", "co-membership", "actors", "network-overlap"])
def test_seed_table_equals_networkx(seed_tables, name):
    G = graphs.graph_from_tables(name, seed_tables)
    table = centrality_table(G)
    assert_same(column(table, "degree"), nx.degree_centrality(G))
    assert_same(column(table, "betweenness"), nx.betweenness_centrality(G))
    assert_same(column(table, "closeness"), nx.closeness_centrality(G))
    try:
        reference = nx.eigenvector_centrality(G, max_iter=1000)
    except nx.PowerIterationFailedConvergence:
        return
    assert_same(column(table, "eigenvector"), reference, rel=1e-4)


def test_seed_membership_table_uses_bipartite_forms(seed_tables):
    B = graphs.membership_graph(seed_tables)
    actors = [n for n, d in B.nodes(data=True) if d["bipartite"] == 0]
    table = centrality_table(B, bipartite_nodes=actors, measures=("degree", "closeness"))
    assert_same(column(table, "degree"), bipartite.degree_centrality(B, set(actors)))
    assert_same(column(table, "closeness"), bipartite.closeness_centrality(B, set(actors)))
    assert "bipartite forms of degree, betweenness and closeness" in table.notes


def test_seed_table_rows_carry_node_attributes(seed_tables):
    table = centrality_table(graphs.actor_graph(seed_tables))
    rows = {row["iri"]: row for row in table.rows}
    assert rows[TOKYO]["label"] == "Tokyo" and rows[TOKYO]["kind"] == "city"
    assert rows[KUALA_LUMPUR]["country"] == "MY"
    assert table.columns[:5] == ["iri", "label", "kind", "country", "region"]
    betweenness = [row["betweenness"] for row in table.rows]
    assert betweenness == sorted(betweenness, reverse=True)


# --- the measures against networkx on random graphs ------------------------------------------


def random_graph(seed: int, directed: bool) -> nx.Graph:
    G = nx.gnm_random_graph(80, 110 + 40 * (seed % 3), seed=seed, directed=directed)
    G.add_edge(5, 5)  # a self-loop: ignored by paths, counted by degree
    G.add_node("isolated")
    return G


CASES = [(seed, directed) for seed in range(4) for directed in (False, True)]


@pytest.mark.parametrize(("seed", "directed"), CASES)
def test_betweenness_equals_networkx(seed, directed):
    G = random_graph(seed, directed)
    for normalized in (True, False):
        assert_same(
            centrality.betweenness(G, normalized=normalized),
            nx.betweenness_centrality(G, normalized=normalized),
        )
        # the same seed samples the same sources as networkx
        assert_same(
            centrality.betweenness(G, k=12, seed=seed, normalized=normalized),
            nx.betweenness_centrality(G, k=12, seed=seed, normalized=normalized),
        )


@pytest.mark.parametrize(("seed", "directed"), CASES)
def test_closeness_and_eigenvector_equal_networkx(seed, directed):
    G = random_graph(seed, directed)
    assert_same(centrality.closeness(G), nx.closeness_centrality(G))
    if not directed:
        G.remove_node("isolated")
        reference = nx.eigenvector_centrality(G, max_iter=1000, tol=1e-9)
        assert_same(centrality.eigenvector(G, max_iter=1000, tol=1e-9), reference, rel=1e-5)


def estimated_closeness(G, pivots) -> dict:
    """The pivot estimates of ``centrality.closeness``, by networkx's BFS, pivot by pivot."""
    n = len(G)
    reach = dict.fromkeys(G, 0)
    total = dict.fromkeys(G, 0)
    for pivot in pivots:
        for node, d in nx.single_source_shortest_path_length(G, pivot).items():
            if node != pivot:
                reach[node] += 1
                total[node] += d
    if G.is_directed():  # reach and distances both from the pivots
        others = {v: len(pivots) - (v in pivots) for v in G}
        return {v: reach[v] / total[v] * reach[v] / others[v] if total[v] else 0.0 for v in G}
    exact = nx.closeness_centrality(G)
    result = {}
    for component in nx.connected_components(G):
        inside = [p for p in pivots if p in component]
        if len(component) <= n // len(pivots) or len(inside) < 2:
            result.update((v, exact[v]) for v in component)
            continue
        for v in component:  # the reach exactly, the mean distance from the pivots
            others = len(inside) - (v in inside)
            result[v] = others / total[v] * (len(component) - 1) / (n - 1)
    return result


@pytest.mark.parametrize(("seed", "directed"), CASES)
def test_sampled_closeness_is_the_pivot_estimate(seed, directed):
    from networkx.utils import create_py_random_state

    G = random_graph(seed, directed)
    # small components: exact when at most n / k nodes or holding fewer than two pivots
    G.add_edges_from(
        [("a", "b"), ("c", "d"), ("d", "e")] + [(f"p{i}", f"p{i + 1}") for i in range(9)]
    )
    for k in (5, 12, 40):
        pivots = create_py_random_state(seed).sample(list(G), k)  # as betweenness draws them
        assert_same(centrality.closeness(G, k=k, seed=seed), estimated_closeness(G, pivots))
    # every node a pivot: exact
    assert_same(centrality.closeness(G, k=len(G), seed=seed), nx.closeness_centrality(G))


def test_sampled_closeness_is_close_on_a_large_graph():
    G = nx.gnm_random_graph(3_000, 9_000, seed=3)
    G.add_edges_from((3_000 + 2 * i, 3_001 + 2 * i) for i in range(100))  # pairs: exact
    exact = nx.closeness_centrality(G)
    estimate = centrality.closeness(G, k=256, seed=0)
    errors = sorted(abs(estimate[v] - exact[v]) / exact[v] for v in G if exact[v] > 0)
    assert errors[len(errors) // 2] < 0.02 and errors[int(len(errors) * 0.99)] < 0.1
    ranked = sorted(G, key=exact.__getitem__, reverse=True)[:30]
    top = set(sorted(G, key=estimate.__getitem__, reverse=True)[:60])
    assert len(top.intersection(ranked)) >= 27  # the central nodes stay on top


@pytest.mark.parametrize("chunk", [1, 7, 256])
def test_sampled_closeness_of_many_small_components(monkeypatch, chunk):
    # small components are searched exactly, a few at a time on their own subgraph
    from networkx.utils import create_py_random_state

    monkeypatch.setattr(centrality, "_COMPONENT_CHUNK", chunk)
    G = nx.gnm_random_graph(120, 300, seed=7)
    G.add_edges_from((1_000 + 2 * i, 1_001 + 2 * i) for i in range(60))  # pairs
    G.add_edges_from((2_000 + i, 2_000 + (i + 1) % 3) for i in range(3))  # a triangle
    nx.add_path(G, range(3_000, 3_012))  # a path
    G.add_nodes_from(range(4_000, 4_005))  # isolated nodes
    for k in (6, 30):
        pivots = create_py_random_state(1).sample(list(G), k)
        assert_same(centrality.closeness(G, k=k, seed=1), estimated_closeness(G, pivots))


def test_sampled_closeness_batches_agree(monkeypatch):
    from lcgraph.analysis import _paths

    G = nx.path_graph(300)
    G.add_edges_from((0, i) for i in range(150, 300, 7))
    whole = centrality.closeness(G, k=40, seed=5)
    monkeypatch.setattr(_paths, "_BATCH_BYTES", 8 * 300 * 4)  # batches of 8 pivots
    assert_same(centrality.closeness(G, k=40, seed=5), whole)


@pytest.mark.parametrize("k", [0, -3])
def test_a_sample_of_no_sources_is_refused(k):
    for G in (nx.path_graph(5), nx.path_graph(5, create_using=nx.DiGraph)):
        with pytest.raises(ValueError, match="k must be 1 or more"):
            centrality.closeness(G, k=k)
        with pytest.raises(ValueError, match="k must be 1 or more"):
            centrality.betweenness(G, k=k)


def test_integer_labels_beyond_int64():
    G = nx.Graph([(2**70, 1), (1, 2), (2, -(2**65))])
    assert_same(centrality.closeness(G), nx.closeness_centrality(G))
    assert_same(centrality.betweenness(G), nx.betweenness_centrality(G))


def test_closeness_with_a_backend_is_exact_only():
    G = random_graph(2, False)
    assert_same(centrality.closeness(G, backend="networkx"), nx.closeness_centrality(G))
    with pytest.raises(ValueError, match="exactly"):
        centrality.closeness(G, k=5, backend="networkx")


@pytest.mark.parametrize("seed", range(3))
def test_bipartite_forms_equal_networkx(seed):
    B = bipartite.random_graph(12, 18, 0.2, seed=seed)
    top = {n for n, d in B.nodes(data=True) if d["bipartite"] == 0}
    assert_same(centrality.bipartite_degree(B, top), bipartite.degree_centrality(B, top))
    assert_same(centrality.bipartite_betweenness(B, top), bipartite.betweenness_centrality(B, top))
    assert_same(centrality.bipartite_closeness(B, top), bipartite.closeness_centrality(B, top))


def test_large_batches_and_sparse_frontiers_agree(monkeypatch):
    # a long path and a few hubs: many levels, frontiers far smaller than the graph, and a
    # batch budget small enough to split the sources
    from lcgraph.analysis import _paths

    monkeypatch.setattr(_paths, "_BATCH_BYTES", 8 * 300 * 16)
    G = nx.path_graph(300)
    G.add_edges_from((0, i) for i in range(150, 300, 7))
    assert_same(centrality.betweenness(G), nx.betweenness_centrality(G))
    assert_same(centrality.closeness(G), nx.closeness_centrality(G))


def test_auto_sampling_above_the_threshold(monkeypatch):
    monkeypatch.setattr(centrality, "SAMPLE_ABOVE", 50)
    monkeypatch.setattr(centrality, "SAMPLE_K", 10)
    G = random_graph(1, False)
    table = centrality_table(G, seed=3, measures=("betweenness", "closeness"))
    assert table.notes == ["betweenness and closeness sampled from 10 sources (seed 3) of 81 nodes"]
    reference = nx.betweenness_centrality(G, k=10, seed=3)
    # nodes without an iri attribute are named by str(node) in tables
    assert_same(column(table, "betweenness"), {str(n): v for n, v in reference.items()})
    estimate = centrality.closeness(G, k=10, seed=3)
    assert_same(column(table, "closeness"), {str(n): v for n, v in estimate.items()})
    exact = centrality_table(G, k=None, measures=("betweenness", "closeness"))
    assert exact.notes == []
    assert_same(
        column(exact, "closeness"), {str(n): v for n, v in nx.closeness_centrality(G).items()}
    )
    # two-mode graphs get the exact bipartite forms: nothing sampled, no such note
    B = bipartite.random_graph(40, 60, 0.1, seed=1)
    top = [n for n, d in B.nodes(data=True) if d["bipartite"] == 0]
    assert not any("sampled" in note for note in centrality_table(B, bipartite_nodes=top).notes)


def test_networkx_backend_dispatch():
    G = random_graph(2, False)
    assert_same(centrality.betweenness(G, backend="networkx"), nx.betweenness_centrality(G))


def test_tiny_and_empty_graphs():
    assert centrality.betweenness(nx.Graph()) == {}
    assert centrality.closeness(nx.Graph([(1, 2)])) == {1: 1.0, 2: 1.0}
    with pytest.raises(nx.NetworkXPointlessConcept):
        centrality.eigenvector(nx.Graph())
    with pytest.raises(ValueError, match="unknown measure"):
        centrality_table(nx.Graph([(1, 2)]), measures=("pagerank",))
