"""Smoke test of bench/bench_queries.py: a tiny scale, one repetition, a few queries.

The benchmark itself is not a test (it runs for minutes at 1 M triples); this keeps it working
and checks what it compares: both engines on the same data, with the same answers.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from lcgraph.config import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "bench_queries", ROOT / "bench" / "bench_queries.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_runs_and_both_engines_agree(bench, tmp_path):
    out, table = tmp_path / "rows.json", tmp_path / "results.md"
    names = ["cq05-eco-model-and-futurecity", "memberships", "targets"]
    argv = ["--scale", "XS", "--repeat", "1", "--quiet", "--json", str(out)]
    assert bench.main([*argv, "--markdown", str(table), "--queries", *names]) == 0
    doc = json.loads(out.read_text())
    assert doc["meta"]["synthetic_triples"] > 1000
    rows = doc["rows"]
    assert [(r["bench"], r["tool"]) for r in rows] == [
        (f"query/{name}", tool) for name in names for tool in ("lcgraph (pyoxigraph)", "rdflib")
    ]
    assert all(r["same_answers"] for r in rows)
    assert all(r["rows"] > 0 and r["median"] > 0 for r in rows)
    assert "| `memberships` |" in table.read_text()


def test_synthetic_graph_is_deterministic_and_sized(bench, tmp_path):
    a, b = tmp_path / "a.trig", tmp_path / "b.trig"
    n = bench.write_synthetic(a, 50, seed=7)
    assert bench.write_synthetic(b, 50, seed=7) == n
    assert a.read_bytes() == b.read_bytes()
    assert 1_500 < n < 3_000  # about 33 triples per city, plus the shared actors
