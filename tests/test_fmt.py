"""Canonical TriG: every data file is in canonical form, and the canonical writer is sound.

The lint test re-serialises each data file and compares it with the file on disk; its message
names the command that fixes it. The writer's tests compare graphs as graphs (isomorphism, with
the missing and added triples printed), never as text, except where the text is the point.
"""

from __future__ import annotations

import difflib
import random
import re
import shutil

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import XSD
from support import REPO

from lcgraph.cli import cli
from lcgraph.config import Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import CanonicalWriter, canonical_trig, data_files, parse_dataset

pytest_plugins = ("foundation_fixtures",)  # the fixture project_copy

DATA_FILES = data_files(Settings().with_(root=REPO))
EX = "https://w3id.org/lcc/id/"
G = URIRef("https://w3id.org/lcc/graph/test")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_data_file_is_canonical(path):
    text = path.read_text(encoding="utf-8")
    canonical = canonical_trig(parse_dataset(path))
    if text != canonical:
        diff = "".join(
            list(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    canonical.splitlines(keepends=True),
                    f"{path.name} (on disk)",
                    f"{path.name} (canonical)",
                    n=1,
                )
            )[:40]
        )
        pytest.fail(
            f"data/{path.name} is not in canonical TriG: run `lcgraph fmt` (or `make fmt`) to "
            f"rewrite it, then review the diff.\n{diff}",
            pytrace=False,
        )


# --- the writer ---------------------------------------------------------------------------

RICH = """
@prefix city: <https://w3id.org/lcc/id/city/> .
@prefix graph: <https://w3id.org/lcc/graph/> .
@prefix lcc: <https://w3id.org/lcc/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .

graph:b {
    city:tokyo a lcc:City ;
        rdfs:label "Tokyo"@en ;
        skos:altLabel "東京"@ja , "Tokio"@de , "Tokyo Metropolis"@en-GB ;
        lcc:population 13960000 ;
        lcc:areaKm2 2194.07 ;
        geo:lat -35.5 ;
        lcc:populationYear "2020"^^xsd:gYear ;
        lcc:evidence "a \\"quoted\\" word, a back\\\\slash,\\na new line and a\\ttab"@en ;
        lcc:noGeonamesReason "plain string" ;
        lcc:geonames <https://sws.geonames.org/1850147/> ;
        lcc:memberCount "1e3"^^xsd:double ;
        lcc:isoAlpha2 "true"^^xsd:boolean .
    <https://w3id.org/lcc/id/network/anmc21#tokyo> a <http://www.w3.org/ns/org#Membership> .
}
graph:a {
    city:kuala-lumpur rdfs:label "Kuala Lumpur"@en ; lcc:count -3 , 0 , 12 .
}
"""


def dataset(text: str) -> rdflib.Dataset:
    ds = rdflib.Dataset()
    ds.parse(data=text, format="trig")
    return ds


def quads_graph(ds: rdflib.Dataset) -> rdflib.Graph:
    """The quads of a dataset as one graph of reified quads, so isomorphism covers graph names."""
    g = rdflib.Graph()
    for s, p, o, ctx in ds.quads((None, None, None, None)):
        name = ctx.identifier if isinstance(ctx, rdflib.Graph) else ctx
        node = BNode()
        for pred, value in (("s", s), ("p", p), ("o", o), ("g", name)):
            g.add((node, URIRef("urn:quad:" + pred), value))
    return g


def assert_same_dataset(a: rdflib.Dataset, b: rdflib.Dataset) -> None:
    ia, ib = to_isomorphic(quads_graph(a)), to_isomorphic(quads_graph(b))
    if ia != ib:
        _, only_a, only_b = graph_diff(ia, ib)
        pytest.fail(
            "datasets differ\nonly before:\n"
            + only_a.serialize(format="nt")
            + "\nonly after:\n"
            + only_b.serialize(format="nt")
        )


def test_round_trip_keeps_every_quad():
    original = dataset(RICH)
    assert_same_dataset(original, dataset(canonical_trig(original)))


def test_output_is_stable_and_idempotent():
    once = canonical_trig(dataset(RICH))
    assert canonical_trig(dataset(once)) == once


def test_output_does_not_depend_on_input_order():
    original = dataset(RICH)
    quads = list(original.quads((None, None, None, None)))
    random.Random(3).shuffle(quads)
    shuffled = rdflib.Dataset()
    for s, p, o, ctx in quads:
        shuffled.graph(ctx.identifier if isinstance(ctx, rdflib.Graph) else ctx).add((s, p, o))
    assert canonical_trig(shuffled) == canonical_trig(original)


def test_graphs_subjects_and_objects_are_sorted_and_type_comes_first():
    text = canonical_trig(dataset(RICH))
    assert text.index("graph:a {") < text.index("graph:b {")
    block = text[text.index("city:tokyo") :]
    assert block.splitlines()[1].strip() == "a lcc:City ;"
    assert block.index("rdfs:label") < block.index("skos:altLabel") < block.index("geo:lat")
    assert "lcc:count\n            -3 ,\n            0 ,\n            12 ." in text


def test_literals_are_written_in_their_shortest_exact_form():
    text = canonical_trig(dataset(RICH))
    assert "lcc:population 13960000 ;" in text
    assert "lcc:areaKm2 2194.07 ;" in text
    assert "geo:lat -35.5 ;" in text
    assert '"2020"^^xsd:gYear' in text
    assert "lcc:isoAlpha2 true ;" in text
    assert '"1000.0"^^xsd:double' in text  # rdflib's canonical lexical form of 1e3
    assert 'lcc:noGeonamesReason "plain string" ;' in text


def test_language_tags_are_kept():
    text = canonical_trig(dataset(RICH))
    for literal in ('"東京"@ja', '"Tokio"@de', '"Tokyo Metropolis"@en-GB'):
        assert literal in text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('say "hi"', r'"say \"hi\""'),
        ("back\\slash", r'"back\\slash"'),
        ("two\nlines", r'"two\nlines"'),
        ("a\ttab", r'"a\ttab"'),
        ("a\rreturn", r'"a\rreturn"'),
        ("bell\x07", r'"bell\u0007"'),
        ("ünï©ødé", '"ünï©ødé"'),
    ],
)
def test_string_escaping(value, written):
    ds = rdflib.Dataset()
    ds.graph(G).add((URIRef(EX + "city/x"), URIRef(EX + "p"), Literal(value)))
    text = canonical_trig(ds)
    assert written in text
    (back,) = dataset(text).quads((None, None, None, None))
    assert str(back[2]) == value


def test_iri_that_is_no_prefixed_name_is_written_in_full_and_escaped():
    writer = CanonicalWriter()
    assert writer.iri(EX + "city/tokyo") == "city:tokyo"
    assert writer.iri(EX + "network/anmc21#tokyo") == f"<{EX}network/anmc21#tokyo>"
    assert writer.iri("http://example.org/a b") == r"<http://example.org/a\u0020b>"
    assert writer.iri("http://example.org/{x}") == r"<http://example.org/\u007Bx\u007D>"


def test_only_used_prefixes_are_declared():
    text = canonical_trig(dataset(RICH))
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert declared == sorted(declared)
    assert "city:" in declared and "graph:" in declared
    assert "foaf:" not in declared and "dcat:" not in declared


def test_blank_nodes_are_refused():
    ds = rdflib.Dataset()
    ds.graph(G).add((URIRef(EX + "city/x"), URIRef(EX + "p"), BNode("b1")))
    with pytest.raises(InputError, match=r"blank nodes are not allowed .*found _:b1"):
        canonical_trig(ds)


def test_triples_outside_a_named_graph_are_refused():
    ds = rdflib.Dataset()
    ds.add((URIRef(EX + "city/x"), URIRef(EX + "p"), Literal(1, datatype=XSD.integer)))
    with pytest.raises(InputError, match="outside one"):
        canonical_trig(ds)


# --- the command ----------------------------------------------------------------------------


def test_fmt_rewrites_a_file_and_check_then_passes(project_copy):
    path = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    canonical = path.read_text(encoding="utf-8")
    # same triples, other order and layout: a person's edit
    lines = canonical.splitlines()
    prefixes = [line for line in lines if line.startswith("@prefix")]
    path.write_text("\n".join(reversed(prefixes)) + "\n" + "\n".join(lines[len(prefixes) :]) + "\n")
    runner = CliRunner()
    env = {"LCGRAPH_ROOT": str(project_copy.root)}

    check = runner.invoke(cli, ["fmt", "--check"], env=env)
    assert check.exit_code == 1, check.output
    assert f"not canonical: {path}" in check.output
    assert path.read_text(encoding="utf-8") != canonical  # --check never writes

    fix = runner.invoke(cli, ["fmt"], env=env)
    assert fix.exit_code == 0, fix.output
    assert f"reformatted: {path}" in fix.output
    assert path.read_text(encoding="utf-8") == canonical

    again = runner.invoke(cli, ["fmt", "--check"], env=env)
    assert again.exit_code == 0, again.output
    assert re.fullmatch(r"0 of \d+ file\(s\) not canonical\n", again.output), again.output


def test_fmt_refuses_a_blank_node_with_a_clear_error(project_copy):
    path = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("lcc:count 37 ;", "lcc:count 37 ; lcc:counterpart [ a org:Organization ] ;")
    )
    result = CliRunner().invoke(
        cli, ["fmt", str(path)], env={"LCGRAPH_ROOT": str(project_copy.root)}
    )
    assert result.exit_code == 2
    assert "error: blank nodes are not allowed in data files" in result.output
    assert "Traceback" not in result.output


# --- generated links ----------------------------------------------------------------------


def test_link_files_are_up_to_date(tmp_path):
    """`lcgraph link --check` regenerates the GeoNames and ISO links from the shipped datasets
    and compares them with data/links-*.trig (on a copy: the check must never write)."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    result = CliRunner().invoke(cli, ["link", "--check"], env={"LCGRAPH_ROOT": str(tmp_path)})
    assert result.exit_code == 0, (
        f"{result.output}\nthe link files are stale: run `lcgraph link` and commit them"
    )
    assert "link files are up to date" in result.output


def test_link_check_notices_a_stale_file(tmp_path):
    shutil.copytree(REPO / "data", tmp_path / "data")
    stale = tmp_path / "data" / "links-iso3166.trig"
    stale.write_text(stale.read_text(encoding="utf-8").replace('"JP"', '"JA"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["link", "--check"], env={"LCGRAPH_ROOT": str(tmp_path)})
    assert result.exit_code == 1
    assert f"out of date: {stale}" in result.output
