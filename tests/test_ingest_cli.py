"""`lcgraph ingest`, `changes`, `revert`, `contrib export` through the CLI."""

from __future__ import annotations

import gc
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from ingest_helpers import PREFIXES, digest, fixture_root

from lcgraph import config
from lcgraph.cli import cli
from lcgraph.store import open_store

CITY = "https://w3id.org/lcc/id/city/"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A built on-disk store of the fixture graph; the CLI's settings point at it."""
    root = fixture_root(tmp_path)
    monkeypatch.setattr(config, "ROOT", root)
    monkeypatch.delenv("LCGRAPH_BASE", raising=False)
    monkeypatch.setenv("LCGRAPH_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    result = run(runner, "build", "-q")
    assert result.exit_code == 0, result.output
    return tmp_path, runner


def run(runner, *args, input=None):
    result = runner.invoke(cli, list(args), input=input)
    # A command's store can be left in a reference cycle until the next collection; a CLI
    # process ends there, but here the next command must be able to open the store.
    gc.collect()
    return result


def store_digest(tmp_path) -> str:
    store = open_store(config.Settings(store_path=tmp_path / "store"))
    try:
        return digest(store)
    finally:
        del store


def test_ingest_csv_then_list_verify_export_and_revert(project):
    tmp_path, runner = project
    (tmp_path / "cities.csv").write_text(
        "name,country,no_geonames_reason\nPenang,MY,test\nTokyo,,\n", encoding="utf-8"
    )
    result = run(
        runner, "ingest", str(tmp_path / "cities.csv"), "--author", "alice", "-m", "Penang joins"
    )
    assert result.exit_code == 0, result.output
    assert "committed change-" in result.output
    assert "new city: city:penang (Penang) [row 2]" in result.output
    assert "matched: row 3: Tokyo -> city:tokyo (label)" in result.output

    listed = run(runner, "changes", "--format", "json")
    log = json.loads(listed.output)
    assert [(c["author"], c["source"], c["message"]) for c in log] == [
        ("alice", "cities.csv", "Penang joins")
    ]
    verified = run(runner, "changes", "--verify")
    assert (
        verified.exit_code == 0
        and "the change log matches graph/contrib (1 change(s))" in verified.output
    )
    assert "Penang joins" in run(runner, "changes").output

    export = tmp_path / "contrib.trig"
    assert run(runner, "contrib", "export", "--out", str(export)).exit_code == 0
    text = export.read_text(encoding="utf-8")
    assert "graph:contrib {" in text and "graph:changes {" in text and "city:penang" in text

    undo = run(runner, "revert", log[0]["id"], "--author", "bob")
    assert undo.exit_code == 0, undo.output
    assert json.loads(run(runner, "changes", "--format", "json").output)[0]["reverted_by"]


def test_rejected_change_prints_the_report_and_exits_1(project):
    tmp_path, runner = project
    before = store_digest(tmp_path)
    (tmp_path / "bad.ttl").write_text(
        PREFIXES + "city:tokyo lcc:country country:atlantis .\n", encoding="utf-8"
    )
    result = run(runner, "ingest", str(tmp_path / "bad.ttl"))
    assert result.exit_code == 1
    assert "Conforms: no" in result.output
    assert "focus node: city:tokyo" in result.output and "path:       lcc:country" in result.output
    assert "nothing was written" in result.output
    assert store_digest(tmp_path) == before


def test_dry_run_prints_the_diff_and_writes_nothing(project):
    tmp_path, runner = project
    before = store_digest(tmp_path)
    (tmp_path / "new.ttl").write_text(
        PREFIXES + 'city:tokyo skos:altLabel "Tôkyô"@en .\n', encoding="utf-8"
    )
    result = run(runner, "ingest", str(tmp_path / "new.ttl"), "--dry-run", "--output", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["dry_run"] and body["conforms"] and not body["committed"]
    assert (
        f'<{CITY}tokyo> <http://www.w3.org/2004/02/skos/core#altLabel> "Tôkyô"@en .'
        in body["added"]
    )
    assert store_digest(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (
            ["--kind", "cities"],
            "nmae,country\nX,JP\n",
            "unknown column 'nmae' (did you mean 'name'?)",
        ),
        ([], "name\nX\n", "cannot tell the format"),
        (["--format", "turtle"], "city:tokyo lcc:x", "cannot parse turtle"),
    ],
)
def test_bad_input_is_one_clear_error_line(project, args, content, message):
    tmp_path, runner = project
    path = tmp_path / "input.dat"
    path.write_text(content, encoding="utf-8")
    result = run(runner, "ingest", str(path), *args)
    assert result.exit_code == 2
    assert "error:" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_stdin_needs_a_format_and_then_works(project):
    _, runner = project
    assert "give --format" in run(runner, "ingest", "-", input="x").output
    result = run(
        runner,
        "ingest",
        "-",
        "--format",
        "turtle",
        input=PREFIXES + 'city:tokyo skos:altLabel "Tokio"@en .\n',
    )
    assert result.exit_code == 0, result.output
    assert "committed change-" in result.output


def test_template_command_prints_the_header(project):
    _, runner = project
    assert run(runner, "contrib", "template", "targets").output.startswith(
        "holder,iri,label,kind,indicator,"
    )


def test_build_keeps_the_contrib_and_changes_graphs(project):
    tmp_path, runner = project
    (tmp_path / "cities.csv").write_text(
        "name,country,no_geonames_reason\nPenang,MY,test\n", encoding="utf-8"
    )
    assert run(runner, "ingest", str(tmp_path / "cities.csv")).exit_code == 0
    rebuilt = run(runner, "build")
    assert rebuilt.exit_code == 0 and "kept user-written graphs: contrib" in rebuilt.output
    store = open_store(config.Settings(store_path=tmp_path / "store"))
    penang = ox.NamedNode(CITY + "penang")
    assert list(store.quads_for_pattern(penang, None, None, ox.DefaultGraph()))
    del store
    assert run(runner, "changes", "--verify").exit_code == 0


def test_export_goes_into_data_and_builds_a_conforming_graph(project, tmp_path):
    _, runner = project
    (tmp_path / "cities.csv").write_text(
        "name,country,no_geonames_reason\nPenang,MY,test\n", encoding="utf-8"
    )
    assert run(runner, "ingest", str(tmp_path / "cities.csv")).exit_code == 0
    data = tmp_path / "data"
    data.mkdir()
    (data / "fixture.trig").symlink_to(config.ROOT / "data" / "fixture.trig")
    assert run(runner, "contrib", "export", "--out", str(data / "contrib.trig")).exit_code == 0
    result = run(runner, "validate", str(data / "fixture.trig"), str(data / "contrib.trig"))
    assert result.exit_code == 0, result.output
    assert run(runner, "fmt", "--check", str(data / "contrib.trig")).exit_code == 0


def test_store_in_use_gives_a_hint(project):
    tmp_path, runner = project
    holder = open_store(config.Settings(store_path=tmp_path / "store"), read_only=False)
    try:
        (tmp_path / "a.ttl").write_text(
            PREFIXES + 'city:tokyo skos:altLabel "Tokio"@en .\n', encoding="utf-8"
        )
        result = run(runner, "ingest", str(tmp_path / "a.ttl"))
        assert result.exit_code != 0
        assert "POST /api/ingest" in result.output
    finally:
        del holder


def test_dry_run_on_the_real_seed_graph(tmp_path, monkeypatch):
    """The gate on the project's own data (an in-memory build: no store at this path): a new
    Malaysian city conforms, and seed 000's Tokyo is found by the name of its government."""
    monkeypatch.setenv("LCGRAPH_STORE", str(tmp_path / "no-store-here"))
    monkeypatch.delenv("LCGRAPH_BASE", raising=False)
    rows = "name,country,population,no_geonames_reason\nSeremban,MY,,test\nTokyo Metropolitan Government,,,\n"
    (tmp_path / "cities.csv").write_text(rows, encoding="utf-8")
    result = run(
        CliRunner(), "ingest", str(tmp_path / "cities.csv"), "--dry-run", "--output", "json"
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["conforms"] and not body["committed"]
    assert [e["iri"] for e in body["new_entities"]] == [CITY + "seremban"]
    assert body["matches"][0]["iri"] == CITY + "tokyo"
    assert not (tmp_path / "no-store-here").exists()
