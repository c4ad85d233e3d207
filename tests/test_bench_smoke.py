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
