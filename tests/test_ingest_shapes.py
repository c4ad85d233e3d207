"""For every shape, a change that violates it is rejected, and the store is exactly as before."""

from __future__ import annotations

import json

import pytest
import rdflib
from ingest_helpers import REPO, digest, fixture_store, turtle
from rdflib.namespace import SH

from lcgraph.ingest import IngestRejected, ingest

SHAPES = "https://w3id.org/lcc/shapes#"
ID = "https://w3id.org/lcc/id/"

#: shape -> a change (Turtle added to the fixture, or a JSON change set) that breaks it
CASES: dict[str, str] = {
    "InstanceShape": "city:tokyo lcc:linkedWith city:atlantis .",
    "LabelShape": 'city:tokyo rdfs:label "Tokio"@en .',
    "ConceptSchemeShape": "city:tokyo dcterms:subject lcc:indicatorGhg .",
    "CityShape": "city:tokyo <http://www.w3.org/2003/01/geo/wgs84_pos#lat> 95.0 .",
    "CountryShape": 'country:japan lcc:isoAlpha2 "JPN" .',
    "DistinctCityShape": """<https://w3id.org/lcc/id/city/tokio> a lcc:City ; rdfs:label "Tokyo"@en ;
        lcc:country country:japan ; lcc:noGeonamesReason "test" .""",
    "ProvenanceShape": "city:kuala-lumpur prov:wasDerivedFrom city:tokyo .",
    "SourceDocumentShape": 'document:new-report a lcc:SourceDocument ; rdfs:label "A new report"@en .',
    "DiscrepancyShape": f'<{ID}discrepancy/tokyo-area> a lcc:Discrepancy ; rdfs:label "Tokyo area"@en .',
    "CollaborationShape": '<https://w3id.org/lcc/id/collaboration/solo> a lcc:Collaboration ; rdfs:label "Solo"@en ; lcc:partner city:tokyo .',
    "AgreementShape": '<https://w3id.org/lcc/id/agreement/kuala-lumpur-tokyo-2020> dcterms:date "2021"^^xsd:gYear .',
    "ActivityShape": f'<{ID}activity/orphan> a lcc:Activity ; rdfs:label "An activity of nothing"@en .',
    "OutcomeShape": f'<{ID}outcome/orphan> a lcc:Outcome ; rdfs:label "An outcome of nothing"@en .',
    "MembershipShape": f'<{ID}network/c40#kuala-lumpur> a org:Membership ; rdfs:label "KL in C40"@en ; org:member city:kuala-lumpur .',
    "TargetShape": "target:tokyo-ghg-2030 lcc:percent 120.0 .",
    "DatedShape": """<https://w3id.org/lcc/id/collaboration/kuala-lumpur-tokyo>
        lcc:startDate "2021"^^xsd:gYear ; lcc:endDate "2020"^^xsd:gYear .""",
    "EventShape": f'<{ID}event/summit> a lcc:Event ; rdfs:label "A summit"@en ; lcc:place country:japan .',
    "DateFormShape": 'target:tokyo-ghg-2030 lcc:declaredYear "20200"^^xsd:gYear .',
}


def targeted_shapes() -> set[str]:
    """The named shapes of shapes/*.ttl that select focus nodes themselves."""
    graph = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    return {
        str(s).removeprefix(SHAPES)
        for t in targets
        for s in graph.subjects(t, None)
        if isinstance(s, rdflib.URIRef)
    }


def test_every_shape_has_a_violating_case():
    assert targeted_shapes() == set(CASES), "add a violating change to CASES for each new shape"


@pytest.mark.parametrize("shape", sorted(CASES))
def test_a_change_violating_the_shape_is_rejected_and_nothing_changes(tmp_path, shape):
    store, settings = fixture_store(tmp_path)
    before = digest(store)
    with pytest.raises(IngestRejected) as info:
        ingest(store, settings, turtle(CASES[shape]), name=f"{shape}.ttl")
    shapes = {v["shape"] for v in info.value.result.violations}
    assert SHAPES + shape in shapes, info.value.report.text()
    assert digest(store) == before


def test_a_removal_that_breaks_a_shape_is_rejected(tmp_path):
    store, settings = fixture_store(tmp_path)
    added = ingest(
        store,
        settings,
        turtle(
            f'<{ID}city/ipoh> a lcc:City ; rdfs:label "Ipoh"@en ; lcc:country country:malaysia ; lcc:noGeonamesReason "test" .'
        ),
        name="ipoh.ttl",
    )
    provenance = next(t for t in added.added if t.predicate.value.endswith("wasDerivedFrom"))
    before = digest(store)
    body = json.dumps(
        {"remove": f"{provenance.subject} {provenance.predicate} {provenance.object} ."}
    )
    with pytest.raises(IngestRejected) as info:
        ingest(store, settings, body.encode(), name="rm.json")
    assert SHAPES + "ProvenanceShape" in {v["shape"] for v in info.value.result.violations}
    assert digest(store) == before
