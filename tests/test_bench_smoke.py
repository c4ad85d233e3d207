"""Every benchmark script still runs: bench/run.py at scale S, one repetition, short caps.

Benchmarks are not tests (their numbers live in bench/RESULTS.md); this only keeps the scripts
working. Peers that would take minutes (pySHACL) are stopped at the cap, which exercises the
capped path too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LCGRAPH_BENCH_OUT": str(out / "data"),  # generated graphs go here, not in bench/out
    }
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--scale",
            "S",
            "--repeat",
            "1",
            "--cap",
            "3",
            "--out",
            str(out / "RESULTS.md"),
            "--json",
            str(out / "results.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {
        "proc": proc,
        "markdown": (out / "RESULTS.md").read_text() if (out / "RESULTS.md").exists() else "",
        "results": json.loads((out / "results.json").read_text())
        if (out / "results.json").exists()
        else [],
    }


def test_run_succeeds(smoke_run):
    proc = smoke_run["proc"]
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("module", MODULES)
def test_each_module_ran_and_wrote_rows(smoke_run, module):
    parts = [r for r in smoke_run["results"] if r["module"] == module]
    assert parts, f"{module} did not run"
    for part in parts:
        assert part["status"] == "ok", part["tail"]
        assert part["rows"] or part["notes"], f"{module} reported nothing"
        for row in part["rows"]:
            assert row["median"] >= row["min"] > 0
            assert row["peak_mb"] > 0
    assert f"## {module}" in smoke_run["markdown"]


def test_results_name_machine_versions_and_ratios(smoke_run):
    text = smoke_run["markdown"]
    assert "- machine: " in text and " cores, " in text
    assert "pyoxigraph " in text and "rdflib " in text and "pyshacl " in text
    assert "× slower than lcgraph" in text and "(ours)" in text
    rows = [row for r in smoke_run["results"] for row in r["rows"]]
    tools = {row["tool"] for row in rows}
    assert {"lcgraph build (on disk)", "rdflib Dataset.parse", "lcgraph --help"} <= tools
    assert "lcgraph validate --engine fast" in tools
    capped = [row for row in rows if row["capped"]]
    assert capped and all(row["median"] == 3 for row in capped)  # pySHACL stopped at the cap


def test_units_are_rendered_and_every_area_is_measured(smoke_run):
    rows = [row for r in smoke_run["results"] for row in r["rows"]]
    units = {row.get("unit", "s") for row in rows}
    assert {"s", "s work", "ms p95", "req/s", "ms p50"} <= units
    text = smoke_run["markdown"]
    assert "| unit |" in text and "Units: " in text and "requests served per second" in text
    benches = {row["bench"] for row in rows}
    assert {"peer match · peers", "http lookup", "http scan-sort", "brokerage · gnm"} <= benches
    assert any(b.startswith("query ") for b in benches)
    # the peers' answers were checked against ours
    queries = [
        row for row in rows if row["bench"].startswith("query ") and row["bench"] != "query load"
    ]
    assert queries and all(row["same_answers"] in (True, None) for row in queries)
    naive = [row for row in rows if row["tool"].startswith("naive: SPARQL")]
    assert naive and "same top 10" in naive[0]["note"]
    assert "Same answers from every server: yes" in text
    # the targets table closes the file; at S the L targets are "not measured", --help is
    targets = text.split("## Targets", 1)[1]
    assert "| cold start: `lcgraph --help` < 0.3 s |" in targets
    assert "not measured in this run" in targets and "GPU" in targets


def test_requests_per_second_ratio_is_ours_over_theirs():
    sys.path.insert(0, str(ROOT / "bench"))
    import harness

    rows = [
        harness.row_of([100.0], unit="req/s", bench="b", tool="us", scale="S", ours=True),
        harness.row_of([10.0], unit="req/s", bench="b", tool="them", scale="S"),
        harness.row_of([2.0], unit="ms p50", bench="b", tool="us", scale="S", ours=True),
        harness.row_of([8.0], unit="ms p50", bench="b", tool="them", scale="S"),
    ]
    ratios = {(r["tool"], r["unit"]): r["ratio"] for r in harness.ratios(rows)}
    assert ratios[("them", "req/s")] == 10.0  # fewer requests/s: 10x slower
    assert ratios[("them", "ms p50")] == 4.0


def test_malformed_rows_fail_the_module_not_the_run(tmp_path):
    """A module writing rows off the interface is reported as failed; the run goes on."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run

    bad = tmp_path / "bench_bad.py"
    bad.write_text(
        "import json, sys\n"
        "path = sys.argv[sys.argv.index('--json') + 1]\n"
        "json.dump(['a str row'], open(path, 'w'))\n"
    )
    result = run.run_module(bad, "S", 1, None, 60)
    assert result["status"].startswith("malformed rows: row 0 is a str")
    assert result["rows"] == []
    bad.write_text(
        "import json, sys\n"
        "path = sys.argv[sys.argv.index('--json') + 1]\n"
        "json.dump([{'bench': 'b', 'tool': 't', 'scale': 'S', 'runs': [1], 'min': '1',"
        " 'median': 1, 'peak_mb': 1}], open(path, 'w'))\n"
    )
    assert "must be numbers" in run.run_module(bad, "S", 1, None, 60)["status"]
    bad.write_text("import sys\nsys.exit(0)\n")  # no rows, no problem
    assert run.run_module(bad, "S", 1, None, 60)["status"] == "ok"
