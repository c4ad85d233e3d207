"""validate_graph prepares each SPARQL text once; its report must equal a plain pySHACL run's."""

from __future__ import annotations

import pyshacl
import rdflib
from ingest_helpers import FIXTURE_DATA, PREFIXES
from rdflib.namespace import RDF, SH

from lcgraph.config import Settings
from lcgraph.validate import load_ontology, load_shapes, validate_graph

# SPARQL-based constraints (dangling link, duplicate city, years, dates) and core ones, broken
BROKEN = """
city:tokyo lcc:country country:atlantis .
target:tokyo-ghg-2030 lcc:baseYear "2040"^^xsd:gYear .
<https://w3id.org/lcc/id/city/tokio> a lcc:City ; rdfs:label "Tokyo"@en ; lcc:country country:japan .
<https://w3id.org/lcc/id/collaboration/kuala-lumpur-tokyo> lcc:startDate "2021"^^xsd:gYear ;
    lcc:endDate "2020"^^xsd:gYear .
"""


def results(graph: rdflib.Graph) -> set[tuple]:
    out = set()
    for r in graph.subjects(RDF.type, SH.ValidationResult):
        shape = graph.value(r, SH.sourceShape)
        out.add(
            (
                graph.value(r, SH.focusNode),
                graph.value(r, SH.resultPath),
                graph.value(r, SH.value),
                shape if isinstance(shape, rdflib.URIRef) else None,
                str(graph.value(r, SH.resultMessage)),
            )
        )
    return out


def test_prepared_queries_give_the_same_report_as_plain_pyshacl():
    settings = Settings()
    ontology, shapes = load_ontology(settings), load_shapes(settings)
    data = rdflib.Graph()
    for s, p, o, _ in rdflib.Dataset().parse(FIXTURE_DATA / "fixture.trig", format="trig").quads():
        data.add((s, p, o))
    data.parse(data=PREFIXES + BROKEN, format="turtle")

    report = validate_graph(data, shapes, ontology)
    plain = rdflib.Graph()
    plain += data
    plain += ontology
    conforms, expected, _ = pyshacl.validate(
        plain, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert not conforms and not report.conforms
    assert results(report.results) == results(expected)
    messages = {v.message for v in report.violations}
    assert any("dangling link" in m for m in messages)
    assert any("base year 2040 is not before target year 2030" in m for m in messages)
    assert any("2 cities of this country share the name 'Tokyo'" in m for m in messages)
    assert any("ends (2020) before it starts (2021)" in m for m in messages)
