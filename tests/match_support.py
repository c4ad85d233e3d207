"""Shared helpers of the match tests: fixture graphs, the seed graph, citation checks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from lcgraph.config import Settings
from lcgraph.match import build_catalog
from lcgraph.match.model import Fact, Lit
from lcgraph.match.read import quads_from_store
from lcgraph.store import build, read_quads

FIXTURES = Path(__file__).parent / "fixtures" / "match"
BASE = "https://w3id.org/lcc/"


def iri(kind: str, slug: str) -> str:
    return f"{BASE}id/{kind}/{slug}"


def fixture_store(*names: str) -> ox.Store:
    """The ontology plus fixture TriG files, in memory."""
    settings = Settings.from_env()
    store = ox.Store()
    store.bulk_extend(list(read_quads(settings.ontology_path, settings, to_graph="ontology")))
    for name in names:
        store.bulk_extend(list(read_quads(FIXTURES / name, settings)))
    return store


def fixture_catalog(*names: str):
    return build_catalog(quads_from_store(fixture_store(*names)), BASE)


@lru_cache(maxsize=1)
def seed():
    """The seed graph (data/*.trig) in memory, and its catalog: built once per test run."""
    settings = Settings.from_env()
    store, _ = build(settings, in_memory=True)
    return store, build_catalog(quads_from_store(store), settings.base)


def quad_of(fact: Fact, graph: str) -> ox.Quad:
    if isinstance(fact.o, Lit):
        if fact.o.language:
            obj = ox.Literal(fact.o.value, language=fact.o.language)
        else:
            obj = ox.Literal(fact.o.value, datatype=ox.NamedNode(fact.o.datatype))
    else:
        obj = ox.NamedNode(fact.o)
    return ox.Quad(ox.NamedNode(fact.s), ox.NamedNode(fact.p), obj, ox.NamedNode(graph))


def assert_facts_in_store(store: ox.Store, facts) -> None:
    """Every cited fact is a quad of the store, in each graph it names."""
    for fact in facts:
        assert fact.graphs, f"a cited fact names no graph: {fact}"
        for graph in fact.graphs:
            assert quad_of(fact, graph) in store, (
                f"cited fact not in the store: {fact} in <{graph}>"
            )


def fact_from_dict(d: dict) -> Fact:
    if d["object_type"] == "literal":
        obj = Lit(d["object"], d["datatype"], d["language"])
    else:
        obj = d["object"]
    return Fact(d["subject"], d["predicate"], obj, tuple(d["graphs"]))
