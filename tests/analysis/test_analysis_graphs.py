"""Graphs from the store: seed facts, the builders on fixture data, embedded vs remote."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from analysis_support import (
    ANMC21_LABEL,
    C40,
    C40_REGION,
    CAP_AND_TRADE,
    KUALA_LUMPUR,
    TOKYO,
    node_by_label,
)

from lcgraph.analysis import graphs
from lcgraph.errors import InputError, StoreError
from lcgraph.store import add_quads

FIXTURE = Path(__file__).with_name("fixtures") / "membership-node.trig"
F = "https://w3id.org/lcc/id/"


@pytest.fixture(scope="module")
def fixture_tables(analysis_settings):
    store = ox.Store()
    add_quads(store, ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG))
    return graphs.fetch_tables(store, analysis_settings)


# --- the seed graph (facts of data/000-kuala-lumpur-tokyo.trig) -----------------------------


def test_collaboration_graph_links_kuala_lumpur_and_tokyo(seed_tables):
    G = graphs.collaboration_graph(seed_tables)
    assert G.has_edge(KUALA_LUMPUR, TOKYO)
    assert F + "collaboration/kuala-lumpur-tokyo" in G.edges[KUALA_LUMPUR, TOKYO]["collaborations"]
    tokyo = G.nodes[TOKYO]
    assert (tokyo["kind"], tokyo["label"], tokyo["country"], tokyo["iri"]) == (
        "city",
        "Tokyo",
        "JP",
        TOKYO,
    )
    assert G.nodes[KUALA_LUMPUR]["country"] == "MY"


def test_membership_graph_is_bipartite_with_relations(seed_tables):
    B = graphs.membership_graph(seed_tables)
    anmc21 = node_by_label(B, ANMC21_LABEL)
    assert nx.is_bipartite(B)
    assert B.nodes[TOKYO]["bipartite"] == 0 and B.nodes[anmc21]["bipartite"] == 1
    assert B.edges[TOKYO, anmc21]["relation"] == "co-sponsor"
    assert B.edges[KUALA_LUMPUR, C40_REGION]["relation"] == "member"
    assert B.nodes[C40]["kind"] == "network"
    # running a policy is not membership
    assert CAP_AND_TRADE not in B


def test_projections_are_weighted(seed_tables):
    B = graphs.membership_graph(seed_tables)
    co = graphs.co_membership_graph(B)
    assert co.edges[KUALA_LUMPUR, TOKYO]["weight"] >= 3
    assert ANMC21_LABEL in co.edges[KUALA_LUMPUR, TOKYO]["shared"]
    overlap = graphs.network_overlap_graph(B)
    assert overlap.edges[node_by_label(B, ANMC21_LABEL), C40]["weight"] >= 2
    assert all(d["kind"] in ("city", "region") for _, d in co.nodes(data=True))


def test_actor_graph_has_every_kind_of_tie(seed_tables):
    G = graphs.actor_graph(seed_tables)
    anmc21 = node_by_label(G, ANMC21_LABEL)
    assert "collaboration" in G.edges[KUALA_LUMPUR, TOKYO]["relations"]
    assert G.edges[TOKYO, anmc21]["relations"] == ["co-sponsor"]
    assert G.edges[TOKYO, CAP_AND_TRADE]["relations"] == ["runs"]
    assert G.nodes[TOKYO]["network"] is not None
    assert G.nodes[anmc21]["network"] == ANMC21_LABEL


def test_build_graph_by_name(seed_store, analysis_settings):
    for name in graphs.GRAPHS:
        G = graphs.build_graph(name, seed_store, analysis_settings)
        assert len(G) >= 2, name
        assert G.name == name
    with pytest.raises(InputError, match="unknown graph 'nope'"):
        graphs.build_graph("nope", seed_store, analysis_settings)


# --- the builders on fixture data ------------------------------------------------------------


def test_a_membership_node_alone_is_a_membership(fixture_tables):
    B = graphs.membership_graph(fixture_tables)
    assert B.has_edge(F + "city/a", F + "network/n")


def test_most_specific_kind_wins(fixture_tables):
    G = graphs.actor_graph(fixture_tables)
    assert G.nodes[F + "network/platform"]["kind"] == "platform"


def test_group_in_group_stays_out_of_the_bipartite_graph(fixture_tables):
    B = graphs.membership_graph(fixture_tables)
    assert nx.is_bipartite(B)
    assert not B.has_edge(F + "network/n", F + "network/platform")
    assert B.nodes[F + "network/n"]["bipartite"] == 1
    G = graphs.actor_graph(fixture_tables)
    assert G.edges[F + "network/n", F + "network/platform"]["relations"] == ["member"]
    assert G.edges[F + "organisation/o", F + "programme/p"]["relations"] == ["runs"]


def test_network_attribute_is_the_largest_group():
    tables = graphs.GraphTables(
        nodes=[
            {"node": "x", "kind": "city", "label": "X"},
            {"node": "big", "kind": "network", "label": "Big"},
            {"node": "small", "kind": "network", "label": "Small"},
        ],
        memberships=[
            {"actor": "x", "group": "big", "relation": "member"},
            {"actor": "y", "group": "big", "relation": "member"},
            {"actor": "x", "group": "small", "relation": "member"},
        ],
    )
    G = graphs.actor_graph(tables)
    assert G.nodes["x"]["network"] == "Big"
    assert G.nodes["small"]["network"] == "Small"
    # a node the node table does not list is kept, with a kind saying so
    assert G.nodes["y"]["kind"] == "other" and G.nodes["y"]["network"] == "Big"


# --- the same graphs from a remote endpoint --------------------------------------------------


def _snapshot(G):
    return (
        sorted((n, sorted(d.items())) for n, d in G.nodes(data=True)),
        sorted((min(u, v), max(u, v), sorted(d.items())) for u, v, d in G.edges(data=True)),
    )


@pytest.mark.remote
def test_remote_endpoint_gives_the_same_graphs(oxigraph_endpoint, seed_store, analysis_settings):
    for name in graphs.GRAPHS:
        local = graphs.build_graph(name, seed_store, analysis_settings)
        remote = graphs.build_graph(name, oxigraph_endpoint, analysis_settings)
        assert _snapshot(remote) == _snapshot(local), name


def test_unreachable_endpoint_is_a_store_error(analysis_settings):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match="cannot reach the endpoint"):
        graphs.build_graph("actors", f"http://127.0.0.1:{port}/query", analysis_settings)
