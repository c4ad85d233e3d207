"""`lcgraph analyse`: through click's runner, a real subprocess and a real remote endpoint."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
from analysis_support import KUALA_LUMPUR, TOKYO, lcgraph_cmd, subprocess_env
from click.testing import CliRunner

from lcgraph.cli import cli


@pytest.fixture
def run(tmp_path):
    """Invoke `lcgraph` with a store path that does not exist (in-memory build of data/)."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--store", str(tmp_path / "none"), *args])

    return invoke


def rows_of(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {row["iri"]: row for row in json.loads(result.stdout)["rows"]}


def test_centrality_formats(run):
    as_json = rows_of(run("analyse", "centrality", "--graph", "actors", "--format", "json"))
    assert as_json[TOKYO]["label"] == "Tokyo" and as_json[TOKYO]["betweenness"] > 0
    as_csv = run("analyse", "centrality", "--graph", "collaboration", "--format", "csv")
    assert as_csv.exit_code == 0
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["iri"] for row in table} >= {TOKYO, KUALA_LUMPUR}
    text = run("analyse", "centrality", "--graph", "membership", "--top", "3")
    assert text.exit_code == 0
    assert "bipartite forms" in text.stdout
    lines = [line for line in text.stdout.splitlines() if not line.startswith("note:")]
    assert len(lines) == 3 + 3  # title, header, rule, three rows
    assert lines[1].split()[:3] == ["label", "kind", "country"]


def test_brokerage_by_country(run):
    rows = rows_of(
        run("analyse", "brokerage", "--graph", "actors", "--group", "country", "--format", "json")
    )
    tokyo = rows[TOKYO]
    assert tokyo["group"] == "JP"
    assert tokyo["total"] >= 1
    roles = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
    assert tokyo["total"] == sum(tokyo[r] for r in roles)
    assert "z_total" in tokyo


def test_brokerage_missing_groups(run):
    dropped = rows_of(
        run("analyse", "brokerage", "--group", "country", "--missing", "drop", "--format", "json")
    )
    assert all(row["country"] for row in dropped.values())
    result = run("analyse", "brokerage", "--group", "country", "--missing", "error")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "'country'" in result.stderr
    unknown = run("analyse", "brokerage", "--group", "no-such-attribute", "--format", "json")
    assert unknown.exit_code == 0
    assert {row["group"] for row in rows_of(unknown).values()} == {"(unknown)"}


def test_constraint(run):
    rows = rows_of(run("analyse", "constraint", "--graph", "actors", "--format", "json"))
    assert 0 < rows[TOKYO]["constraint"] <= 1
    assert rows[TOKYO]["effective_size"] >= 1


def test_plots_are_files_that_open(run, tmp_path):
    from matplotlib.image import imread

    png, svg, bars = tmp_path / "net.png", tmp_path / "net.svg", tmp_path / "roles.png"
    result = run("analyse", "centrality", "--plot", str(png))
    assert result.exit_code == 0, result.output
    assert imread(png).shape[0] > 100
    result = run(
        "analyse", "brokerage", "--plot", str(bars), "--plot-network", str(svg), "--top", "5"
    )
    assert result.exit_code == 0, result.output
    assert imread(bars).ndim == 3
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyse", "centrality", "--top", "0"], "--top must be 1 or more"),
        (["analyse", "centrality", "--k", "0"], "--k must be 1 or more"),
        (["analyse", "brokerage", "--plot", "out.gif"], "written as .png, .svg or .pdf"),
    ],
)
def test_bad_input_is_one_line(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {message}" or message in result.stderr
    assert "Traceback" not in result.output


def test_subprocess_cli(tmp_path):
    proc = subprocess.run(
        lcgraph_cmd(
            "--store",
            str(tmp_path / "none"),
            "analyse",
            "brokerage",
            "--graph",
            "collaboration",
            "--group",
            "country",
            "--format",
            "csv",
        ),
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0].split(",")
    assert header[:6] == ["iri", "label", "kind", "country", "region", "group"]


def test_help_lists_the_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert "analyse" in result.output
    sub = CliRunner().invoke(cli, ["analyse", "--help"])
    assert {"brokerage", "centrality", "constraint", "report"} <= set(sub.output.split())


@pytest.mark.remote
def test_remote_endpoint(run, oxigraph_endpoint):
    args = ("analyse", "centrality", "--graph", "actors", "--format", "json")
    remote = rows_of(run(*args, "--endpoint", oxigraph_endpoint))
    local = rows_of(run(*args))
    assert remote == local
