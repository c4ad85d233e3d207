"""The build streams quads into the store in batches: same store, bounded memory."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from lcgraph import store as store_mod
from lcgraph.config import Settings


def _content(store: ox.Store) -> list[tuple]:
    """The quads with blank nodes blanked out: each parse names them afresh (the ontology's lists)."""

    def term(t):
        return "_" if isinstance(t, ox.BlankNode) else t

    quads = store.quads_for_pattern(None, None, None, None)
    return sorted(
        tuple(str(term(t)) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in quads
    )


def test_batched_keeps_order_and_size():
    batches = list(store_mod.batched(range(10), size=4))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(store_mod.batched([], size=4)) == []


@pytest.mark.parametrize("in_memory", [True, False])
def test_small_batches_build_the_same_store(monkeypatch, tmp_path, in_memory):
    # in memory, only a base IRI to rewrite sends the quads through Python, in batches
    settings = Settings.from_env().with_(store_path=tmp_path / "whole")
    if in_memory:
        settings = settings.with_(base="https://example.org/lcc/")
    whole, report = store_mod.build(settings, in_memory=in_memory)
    expected = _content(whole)
    sizes = []
    real_extend = ox.Store.bulk_extend

    def spy(self, quads):
        sizes.append(len(quads))
        return real_extend(self, quads)

    monkeypatch.setattr(store_mod, "LOAD_BATCH", 300)
    monkeypatch.setattr(ox.Store, "bulk_extend", spy, raising=False)
    settings = settings.with_(store_path=tmp_path / "batched")
    batched, again = store_mod.build(settings, in_memory=in_memory)
    assert _content(batched) == expected
    assert again.graphs == report.graphs
    # the named-graph quads go in batches of the configured size (the union follows each)
    assert max(sizes) <= 2 * 300 and len(sizes) > len(report.files)


def test_progress_counts_every_quad(tmp_path):
    seen = {}
    _, report = store_mod.build(
        Settings.from_env(), in_memory=True, progress=lambda path, n: seen.setdefault(path, n)
    )
    assert sum(seen.values()) == report.triples


@pytest.mark.parametrize("in_memory", [True, False])
def test_the_union_is_exact_with_blank_nodes_and_without(monkeypatch, tmp_path, in_memory):
    """The default graph is the set union of the named graphs, blank nodes included (the
    union's fast path re-parses N-Triples, which would relabel them)."""
    from ingest_helpers import REPO, union_is_default_graph

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "ontology").symlink_to(REPO / "ontology")
    prefix = "@prefix ex: <http://example.org/> .\n"
    (root / "data" / "a.trig").write_text(
        prefix + 'ex:g1 { ex:s ex:p "plain" . ex:t ex:p "a literal with _: inside" . }\n'
        'ex:g2 { ex:x ex:r [ ex:p "in a blank node" ] . }\n',
        encoding="utf-8",
    )
    plain = " ".join(f'ex:n{i} ex:p "{i}" .' for i in range(50))
    (root / "data" / "b.trig").write_text(
        prefix + f'ex:g3 {{ {plain} }}\nex:g4 {{ ex:s ex:p "plain" . }}\n', encoding="utf-8"
    )
    loads = []
    real_load = ox.Store.bulk_load

    def spy(self, *args, **kwargs):
        loads.append(kwargs.get("format"))
        return real_load(self, *args, **kwargs)

    monkeypatch.setattr(ox.Store, "bulk_load", spy, raising=False)
    settings = Settings.from_env().with_(root=root, store_path=tmp_path / "store")
    store, _ = store_mod.build(settings, in_memory=in_memory)
    if in_memory:  # files loaded by pyoxigraph, the union by one update: no bulk loads
        assert loads == []
    else:
        assert loads == [ox.RdfFormat.N_TRIPLES], "b.trig's union took the fast path, a.trig not"
    assert union_is_default_graph(store)
    named = {q.subject for q in store if isinstance(q.subject, ox.BlankNode)}
    default = {
        q.subject
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        if isinstance(q.subject, ox.BlankNode)
    }
    assert named and named == default
    # a triple stated in two graphs is once in the union
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    assert len(list(store.quads_for_pattern(s, p, None, ox.DefaultGraph()))) == 1


def test_in_memory_build_equals_the_quad_by_quad_load():
    settings = Settings.from_env()
    store, report = store_mod.build(settings, in_memory=True)
    reference = ox.Store()
    files = store_mod.load_into(reference, settings)
    assert report.files == files
    assert _content(store) == _content(reference)
    from ingest_helpers import union_is_default_graph

    assert union_is_default_graph(store)


def test_in_memory_build_refuses_triples_outside_a_named_graph(tmp_path):
    from ingest_helpers import REPO

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "ontology").symlink_to(REPO / "ontology")
    (root / "data" / "a.trig").write_text(
        "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n",
        encoding="utf-8",
    )
    settings = Settings.from_env().with_(root=root)
    with pytest.raises(store_mod.InputError, match=r"found one outside: <http://example\.org/s>"):
        store_mod.build(settings, in_memory=True)


@pytest.mark.parametrize("in_memory", [True, False])
def test_blank_node_labels_are_scoped_to_their_file(tmp_path, in_memory):
    # `_:x` in two files is two nodes (RDF 1.1 Concepts, 3.4), however the build loads them
    from ingest_helpers import REPO, union_is_default_graph

    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "ontology").symlink_to(REPO / "ontology")
    for name, value in (("a", "1"), ("b", "2")):
        (root / "data" / f"{name}.trig").write_text(
            f'<http://example.org/g> {{ _:x <http://example.org/p> "{value}" . }}\n',
            encoding="utf-8",
        )
    settings = Settings.from_env().with_(root=root, store_path=tmp_path / "store")
    store, _ = store_mod.build(settings, in_memory=in_memory)
    graph = ox.NamedNode("http://example.org/g")
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, graph)}
    assert len(subjects) == 2 and all(isinstance(s, ox.BlankNode) for s in subjects)
    assert union_is_default_graph(store)
