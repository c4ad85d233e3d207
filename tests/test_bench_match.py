"""bench/bench_match.py runs alone through main(argv), and its two implementations agree."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_match.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_match", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_run(tmp_path, capsys):
    out = tmp_path / "match.md"
    rc = _bench().main(
        ["--cities", "300", "--queries", "10", "--naive-queries", "2", "--out", str(out)]
    )
    assert rc == 0  # 0 only when the naive and precomputed top 10 agree on every naive query
    table = out.read_text(encoding="utf-8")
    assert table == capsys.readouterr().out
    assert "| precomputed (`match`) | peers | 10 |" in table
    assert "| naive (SPARQL + profiles + pairwise, per query) | peers | 2 |" in table
    assert "agree on 2 of 2 naive queries" in table


def test_synthetic_graph_is_deterministic():
    bench = _bench()
    assert bench.synthetic_quads(50, seed=3) == bench.synthetic_quads(50, seed=3)
    assert bench.synthetic_quads(50, seed=3) != bench.synthetic_quads(50, seed=4)
