"""`lcgraph export`: dumps that round-trip, checksums, VoID, the context, the ontology docs."""

from __future__ import annotations

import hashlib
import json

import pytest
import rdflib
from click.testing import CliRunner

from lcgraph import export as ex
from lcgraph import store as store_mod
from lcgraph.cli import cli
from lcgraph.config import Settings


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    result = CliRunner().invoke(
        cli, ["--store", str(out / "absent"), "export", "--out", str(out / "a")]
    )
    assert result.exit_code == 0, result.output
    return out / "a", result.output


@pytest.fixture(scope="module")
def quads():
    store, _ = store_mod.build(Settings.from_env(), in_memory=True)
    return ex.named_quads(store)


def test_export_writes_every_file_with_matching_checksums(exported):
    out, output = exported
    names = {p.name for p in out.iterdir()}
    assert {f"lcgraph.{e}.gz" for e in ex.DUMP_FORMATS} <= names
    assert {"SHA256SUMS", "void.ttl", "context.jsonld", "ontology.html"} <= names
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert "wrote 5 dump(s)" in output


@pytest.mark.parametrize("ext", list(ex.DUMP_FORMATS))
def test_every_dump_parses_back_to_an_isomorphic_dataset(exported, quads, ext):
    out, _ = exported
    back = ex.read_dump((out / f"lcgraph.{ext}.gz").read_bytes(), ext)
    if ex.DUMP_FORMATS[ext][2]:
        assert ex.isomorphic(back, quads)
    else:
        import pyoxigraph as ox

        union = [
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for t in ex.union_triples(quads)
        ]
        assert ex.isomorphic(back, union)
        assert len(back) == len(union)


@pytest.mark.parametrize("ext", ["ttl", "trig", "nq", "jsonld"])
def test_dumps_also_parse_with_rdflib(exported, quads, ext):
    import gzip

    out, _ = exported
    data = gzip.decompress((out / f"lcgraph.{ext}.gz").read_bytes())
    ds = rdflib.Dataset()
    ds.parse(
        data=data,
        format={"ttl": "turtle", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[ext],
    )
    assert (
        len(ds) >= len({q.triple for q in quads})
        if ext == "ttl"
        else len(list(ds.quads())) == len(quads)
    )


def test_export_is_deterministic_and_format_selectable(tmp_path, exported):
    out, _ = exported
    result = CliRunner().invoke(
        cli,
        [
            "--store",
            str(tmp_path / "absent"),
            "export",
            "--format",
            "nq",
            "--format",
            "ttl",
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "b").glob("*.gz")) == [
        "lcgraph.nq.gz",
        "lcgraph.ttl.gz",
    ]
    assert (tmp_path / "b" / "lcgraph.nq.gz").read_bytes() == (out / "lcgraph.nq.gz").read_bytes()
    bad = CliRunner().invoke(cli, ["export", "--format", "xls", "--out", str(tmp_path / "c")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_void_and_context_files(exported):
    out, _ = exported
    g = rdflib.Graph().parse(out / "void.ttl", format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    ds = rdflib.URIRef("https://w3id.org/lcc/dataset")
    assert (ds, rdflib.RDF.type, dcat.Dataset) in g
    assert len(list(g.objects(ds, dcat.distribution))) == len(ex.DUMP_FORMATS) + 1
    subsets = set(g.objects(ds, void.subset))
    assert rdflib.URIRef("https://w3id.org/lcc/graph/kl-tokyo-collaboration") in subsets
    sums = dict(line.split()[::-1] for line in (out / "SHA256SUMS").read_text().splitlines())
    checksums = {
        str(o) for o in g.objects(None, rdflib.URIRef("http://spdx.org/rdf/terms#checksum"))
    }
    assert checksums == {f"sha256:{d}" for d in sums.values()}
    ctx = json.loads((out / "context.jsonld").read_text())["@context"]
    assert ctx["city"] == "https://w3id.org/lcc/id/city/"
