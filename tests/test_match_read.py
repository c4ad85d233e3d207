"""Reading facts: named graphs only (a materialised union default graph is skipped), any source."""

from __future__ import annotations

import pyoxigraph as ox

from lcgraph.match.model import Lit
from lcgraph.match.read import (
    quads_from_rows,
    quads_from_sparql_select,
    quads_from_store,
    select_quads_query,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
POP = "https://w3id.org/lcc/ontology#population"
S = "https://w3id.org/lcc/id/city/x"
G = "https://w3id.org/lcc/graph/one"


def store_with_union() -> ox.Store:
    store = ox.Store()
    for graph in (ox.NamedNode(G), ox.DefaultGraph()):  # as a build that keeps the union does
        store.add(
            ox.Quad(ox.NamedNode(S), ox.NamedNode(LABEL), ox.Literal("X", language="en"), graph)
        )
        store.add(
            ox.Quad(
                ox.NamedNode(S),
                ox.NamedNode(POP),
                ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
                graph,
            )
        )
    store.add(ox.Quad(ox.NamedNode(S), ox.NamedNode(LABEL), ox.BlankNode(), ox.NamedNode(G)))
    return store


def test_store_and_sparql_readers_agree_and_skip_the_default_graph():
    store = store_with_union()
    expected = {(S, LABEL, Lit("X", None, "en"), G), (S, POP, Lit("5", XSD + "integer", None), G)}
    assert set(quads_from_store(store)) == expected
    assert set(quads_from_sparql_select(store)) == expected


def test_sparql_json_rows():
    rows = [
        {
            "s": {"type": "uri", "value": S},
            "p": {"type": "uri", "value": LABEL},
            "o": {"type": "literal", "value": "X", "xml:lang": "en"},
            "g": {"type": "uri", "value": G},
        },
        {
            "s": {"type": "uri", "value": S},
            "p": {"type": "uri", "value": POP},
            "o": {"type": "typed-literal", "value": "5", "datatype": XSD + "integer"},
            "g": {"type": "uri", "value": G},
        },
        {
            "s": {"type": "uri", "value": S},
            "p": {"type": "uri", "value": LABEL},
            "o": {"type": "literal", "value": "plain"},
            "g": {"type": "uri", "value": G},
        },
        {
            "s": {"type": "bnode", "value": "b0"},
            "p": {"type": "uri", "value": LABEL},
            "o": {"type": "literal", "value": "skipped"},
            "g": {"type": "uri", "value": G},
        },
        {
            "s": {"type": "uri", "value": S},
            "p": {"type": "uri", "value": LABEL},
            "o": {"type": "bnode", "value": "b1"},
            "g": {"type": "uri", "value": G},
        },
    ]
    assert list(quads_from_rows(rows)) == [
        (S, LABEL, Lit("X", None, "en"), G),
        (S, POP, Lit("5", XSD + "integer", None), G),
        (S, LABEL, Lit("plain", XSD + "string", None), G),
    ]


def test_select_query_names_each_predicate_as_an_iri():
    query = select_quads_query([LABEL, POP])
    assert f"VALUES ?p {{ <{LABEL}> <{POP}> }}" in query
    assert "GRAPH ?g" in query
