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
    settings = Settings.from_env().with_(store_path=tmp_path / "whole")
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
    # each named-graph quad goes in with its copy in the default graph (the union)
    assert max(sizes) <= 2 * 300 and len(sizes) > len(report.files)


def test_progress_counts_every_quad(tmp_path):
    seen = {}
    _, report = store_mod.build(
        Settings.from_env(), in_memory=True, progress=lambda path, n: seen.setdefault(path, n)
    )
    assert sum(seen.values()) == report.triples
