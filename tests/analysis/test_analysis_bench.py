"""The benchmark runs alone and gives its table (on a small graph, to stay fast)."""

from __future__ import annotations

import importlib.util

from lcgraph.config import ROOT


def test_bench_main_returns_the_table(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "bench_analysis", ROOT / "bench" / "bench_analysis.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "table.md"
    table = bench.main(["--scale", "200", "--repeat", "1", "--quiet", "--out", str(out)])
    assert out.read_text() == table
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    measures = {line.split(" | ")[0].lstrip("| ") for line in lines[1:]}
    assert {"brokerage (raw counts)", "eigenvector", "closeness (all nodes)"} <= measures
    assert all("| 200 | 1,000 |" in line for line in lines[1:])
