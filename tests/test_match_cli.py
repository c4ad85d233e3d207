"""``lcgraph match`` through its real interface: click's runner, a subprocess, a SPARQL endpoint."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from match_support import FIXTURES, assert_facts_in_store, fact_from_dict, iri

from lcgraph.cli import cli
from lcgraph.config import Settings
from lcgraph.store import build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed graph built on disk once; the store is closed so that others can open it."""
    path = tmp_path_factory.mktemp("match-store") / "store"
    store, _ = build(Settings.from_env(store_path=path))
    del store
    return path


@pytest.fixture(scope="module")
def store_ro(built):
    import pyoxigraph as ox

    return ox.Store.read_only(str(built))


def run(built: Path, *args: str):
    result = CliRunner().invoke(cli, ["match", *args, "--store", str(built)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_table(built):
    result = run(built, "kuala-lumpur", "--top", "3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Peer-match candidates for Kuala Lumpur (city): 3 of ")
    assert "weights: topics 1, complementarity 1.5, profile 1, proximity 1, novelty 0.5" in out
    tokyo_row = next(line for line in out.splitlines() if "  Tokyo  " in line)
    assert tokyo_row.endswith("already related")
    assert ". Tokyo: why" in out
    assert "[kl-tokyo-collaboration]" in out


def test_json_cites_facts_of_the_store(built, store_ro):
    result = run(built, "Kwangju", "--format", "json", "--top", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == {"iri": iri("city", "gwangju"), "label": "Gwangju", "kind": "city"}
    assert len(data["candidates"]) == 5
    for c in data["candidates"]:
        assert set(c["factors"]) == {"topics", "complementarity", "profile", "proximity", "novelty"}
        for r in c["reasons"]:
            assert_facts_in_store(store_ro, [fact_from_dict(f) for f in r["facts"]])


def test_csv(built):
    result = run(built, "kitakyushu", "--format", "csv", "--top", "4")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 4
    iskandar = next(r for r in rows if r["iri"] == iri("region", "iskandar-malaysia"))
    assert iskandar["already_collaborating"] == "yes"
    assert "graph/iskandar-kitakyushu-collaboration" in iskandar["sources"]
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_supporters_mode_and_country(built):
    result = run(built, "gwangju", "--mode", "supporters", "--country", "kr", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mode"] == "supporters" and data["country"] == "KR"
    labels = [c["label"] for c in data["candidates"]]
    assert "EcoRich City" in labels  # a Korean programme on decarbonisation, which Gwangju targets


def test_unknown_city_suggests_close_names(built):
    result = run(built, "Kwangu")
    assert result.exit_code == 2
    assert result.output.startswith("error: unknown city or actor 'Kwangu'; did you mean: Gwangju")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("w.toml", "[weights]\ntopics = 'high'\n", "the weight of 'topics' must be a number"),
        ("w.toml", "topics = = 1\n", "not valid TOML"),
        ("w.json", '{"topics": 1, "proximty": 2}', "unknown factor 'proximty'"),
        ("w.json", '{"novelty": -1}', "must be a number from 0 to 1000"),
        ("w.json", "[1, 2]", "expected a table of factor = weight"),
        ("w.json", '{"topics": 1,', "not valid JSON"),
        (
            "w.toml",
            "topics = 0\ncomplementarity = 0\nprofile = 0\nproximity = 0\n",
            "are all 0; at least one must be above 0",
        ),
        ("w.yaml", "topics: 1\n", "a weights file is .toml or .json"),
    ],
)
def test_invalid_weights_file(built, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run(built, "tokyo", "--weights", str(path))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {path}") or result.output.startswith("error: weights")
    assert message in result.output


def test_missing_weights_file(built, tmp_path):
    result = run(built, "tokyo", "--weights", str(tmp_path / "none.toml"))
    assert result.exit_code == 2
    assert "no such weights file" in result.output


def test_weights_file_and_options_change_the_ranking(built, tmp_path):
    path = tmp_path / "w.toml"
    path.write_text(
        "# only network proximity\n[weights]\ntopics = 0\ncomplementarity = 0\nprofile = 0\n"
    )
    result = run(built, "kyoto", "--weights", str(path), "-w", "novelty=0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["weights"] == {
        "topics": 0.0,
        "complementarity": 0.0,
        "profile": 0.0,
        "proximity": 1.0,
        "novelty": 0.0,
    }
    for c in data["candidates"]:
        assert c["score"] == pytest.approx(c["factors"]["proximity"])
        assert c["factors"]["proximity"] > 0  # with only proximity weighed, only related ones rank
    bad = run(built, "kyoto", "-w", "novelty")
    assert bad.exit_code == 2 and "expected FACTOR=NUMBER" in bad.output


def test_bad_options(built):
    assert "top must be from 1 to 1000" in run(built, "tokyo", "--top", "0").output
    assert (
        "no country with this ISO 3166 alpha-2 code"
        in run(built, "tokyo", "--country", "ZZ").output
    )
    assert run(built, "tokyo", "--mode", "friends").exit_code == 2


def test_city_with_no_data(tmp_path):
    """A graph where a city has only a label: an explained empty result, exit 0."""
    settings = Settings.from_env(store_path=tmp_path / "store").with_(root=tmp_path)
    (tmp_path / "ontology").mkdir()
    shutil.copy(Settings.from_env().ontology_path, tmp_path / "ontology" / "lcc.ttl")
    (tmp_path / "data").mkdir()
    shutil.copy(FIXTURES / "small.trig", tmp_path / "data" / "small.trig")
    store, _ = build(settings)
    del store
    result = CliRunner().invoke(cli, ["match", "empty-city", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "no candidates: Empty City has no facts that matching uses" in result.output


def test_subprocess_error_is_one_line(built):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-m", "lcgraph", "match", "atlantis", "--store", str(built)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: unknown city or actor 'atlantis'")
    assert proc.stderr.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(built):
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.fail(
            "the oxigraph server binary (PyPI package oxigraph, a test dependency) is missing"
        )
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(built), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("oxigraph did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.remote
def test_endpoint_gives_the_same_answer(built, endpoint):
    local = run(built, "kuala-lumpur", "--format", "json", "--mode", "supporters")
    remote = CliRunner().invoke(
        cli,
        [
            "match",
            "kuala-lumpur",
            "--format",
            "json",
            "--mode",
            "supporters",
            "--endpoint",
            endpoint,
        ],
    )
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(local.output)


def test_unreachable_endpoint_is_one_clear_error():
    port = _free_port()  # nothing listens there
    result = CliRunner().invoke(
        cli, ["match", "tokyo", "--endpoint", f"http://127.0.0.1:{port}/query"]
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: http://127.0.0.1:{port}/query: cannot read the facts")
    assert "Traceback" not in result.output


# --- the catalog cache beside a built store ---------------------------------------------------


@pytest.fixture
def own_store(tmp_path):
    path = tmp_path / "store"
    store, _ = build(Settings.from_env(store_path=path))
    del store
    return path


def test_the_catalog_of_a_built_store_is_cached_and_used(own_store, monkeypatch):
    from lcgraph.match import load

    first = run(own_store, "kuala-lumpur", "--format", "json")
    assert first.exit_code == 0, first.output
    entries = list(load.cache_folder(own_store).glob("match-catalog-*.pickle"))
    assert len(entries) == 1

    def no_build(*args, **kwargs):
        raise AssertionError("the catalog was built again")

    monkeypatch.setattr(load, "build_catalog", no_build)
    again = run(own_store, "kuala-lumpur", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == json.loads(first.output)
    # a name (not a slug) resolves through the cached name index
    assert run(own_store, "Kwangju", "--top", "1").exit_code == 0


def test_a_changed_store_or_a_bad_cache_entry_rebuilds_the_catalog(own_store, monkeypatch):
    import pyoxigraph as ox

    from lcgraph.match import load

    assert run(own_store, "tokyo", "--top", "1").exit_code == 0
    (entry,) = load.cache_folder(own_store).glob("match-catalog-*.pickle")
    built_calls = []
    real = load.build_catalog

    def counting(*args, **kwargs):
        built_calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "build_catalog", counting)
    entry.write_bytes(b"not a pickle")
    assert run(own_store, "tokyo", "--top", "1").exit_code == 0
    assert len(built_calls) == 1
    # a write to the store (as an ingest makes) changes its files, so the key
    store = ox.Store(str(own_store))
    store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/lcc/id/city/tokyo"),
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
            ox.Literal("Edo (cache test)", language="en"),
            ox.NamedNode("https://w3id.org/lcc/graph/contrib"),
        )
    )
    store.flush()
    del store
    result = run(own_store, "Edo (cache test)", "--top", "1")
    assert result.exit_code == 0, result.output
    assert "Tokyo" in result.output.splitlines()[0]
    assert len(built_calls) == 2
    assert len(list(load.cache_folder(own_store).glob("match-catalog-*.pickle"))) == 1


def test_an_unwritable_cache_folder_only_costs_speed(own_store):
    from lcgraph.match import load

    load.cache_folder(own_store).write_text("a file where the folder would be")
    result = run(own_store, "tokyo", "--top", "1")
    assert result.exit_code == 0, result.output


def test_a_cache_entry_of_another_user_is_not_loaded(own_store, monkeypatch):
    from lcgraph.match import load

    assert run(own_store, "tokyo", "--top", "1").exit_code == 0
    (entry,) = load.cache_folder(own_store).glob("match-catalog-*.pickle")
    assert entry.stat().st_mode & 0o077 == 0, "the entry is readable by others"
    owner = entry.stat().st_uid
    monkeypatch.setattr(load.os, "getuid", lambda: owner + 1)  # as if someone else wrote it
    assert load._read(entry) is None
    monkeypatch.undo()
    assert load._read(entry) is not None
