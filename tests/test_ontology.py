"""The LCC ontology, term by term, and its closed namespace in code.

W3C PROF and DCAT drift where nothing checks them (a term without a definition, a property
without a range); these tests check ``ontology/lcc.ttl`` one term at a time, so that a failure
names the term.
"""

from __future__ import annotations

import inspect
import re
from datetime import date

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS
from support import REPO

from lcgraph.config import ONTOLOGY_IRI, ONTOLOGY_NS
from lcgraph.namespace import LCC

ONTOLOGY = URIRef(ONTOLOGY_IRI)
TERM_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept}
#: vocabularies the ontology reuses; a class or datatype it mentions comes from one of these
REUSED = (
    ONTOLOGY_NS,
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "http://www.geonames.org/ontology#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2006/time#",
    str(RDFS),
    str(RDF),
    str(OWL),
    str(XSD),
)
DATATYPE_RANGES = {RDFS.Literal, RDF.langString}


def _load() -> rdflib.Graph:
    # at import, so that the parametrised tests below get one case per term
    return rdflib.Graph().parse(REPO / "ontology" / "lcc.ttl", format="turtle")


GRAPH = _load()


def _declared() -> list[URIRef]:
    terms = {
        s
        for s in GRAPH.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)
    }
    return sorted(terms)


TERMS = _declared()
PROPERTIES = sorted(
    t
    for t in TERMS
    if (t, RDF.type, OWL.ObjectProperty) in GRAPH or (t, RDF.type, OWL.DatatypeProperty) in GRAPH
)
CONCEPTS = sorted(t for t in TERMS if (t, RDF.type, SKOS.Concept) in GRAPH)
SCHEMES = sorted(t for t in TERMS if (t, RDF.type, SKOS.ConceptScheme) in GRAPH)


def local(term: URIRef) -> str:
    return str(term)[len(ONTOLOGY_NS) :]


def english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


def class_members(node) -> list:
    """A class expression as named classes: itself, or the members of an owl:unionOf."""
    union = GRAPH.value(node, OWL.unionOf)
    if union is None:
        return [node]
    return list(Collection(GRAPH, union))


# --- the header ---------------------------------------------------------------------------


def test_header_is_an_owl_ontology_with_version_and_metadata():
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in GRAPH
    version_info = GRAPH.value(ONTOLOGY, OWL.versionInfo)
    version_iri = GRAPH.value(ONTOLOGY, OWL.versionIRI)
    assert version_info is not None, "owl:versionInfo is missing"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(version_info)), version_info
    assert isinstance(version_iri, URIRef), "owl:versionIRI must be an IRI"
    assert str(version_iri) == f"{ONTOLOGY_IRI}/{version_info}", (
        f"owl:versionIRI {version_iri} does not end with owl:versionInfo {version_info}"
    )
    created = GRAPH.value(ONTOLOGY, DCTERMS.created)
    modified = GRAPH.value(ONTOLOGY, DCTERMS.modified)
    for name, value in (("dcterms:created", created), ("dcterms:modified", modified)):
        assert isinstance(value, Literal) and value.datatype == XSD.date, f"{name} is not xsd:date"
        assert isinstance(value.toPython(), date), f"{name} {value} is not a valid date"
    assert modified.toPython() >= created.toPython(), "modified before created"
    assert GRAPH.value(ONTOLOGY, DCTERMS.creator) is not None, "dcterms:creator is missing"
    assert english(GRAPH.objects(ONTOLOGY, DCTERMS.title)), "no English dcterms:title"
    assert english(GRAPH.objects(ONTOLOGY, DCTERMS.description)), "no English description"
    assert GRAPH.value(ONTOLOGY, DCTERMS.license) is not None, "dcterms:license is missing"


def test_there_is_one_ontology_header():
    assert list(GRAPH.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]


def test_the_modelling_guide_has_its_classes_and_schemes():
    """Guards the parametrised tests below: an empty parse would give them no case at all."""
    needed = [
        "City", "Region", "Country", "Network", "Programme", "Tool", "Collaboration",
        "Agreement", "Activity", "Outcome", "Event", "Target", "SourceDocument", "Discrepancy",
    ]  # fmt: skip
    for name in needed:
        assert (LCC[name], RDF.type, OWL.Class) in GRAPH, f"lcc:{name} is not declared"
    for name in ("TopicScheme", "SectorScheme"):
        assert (LCC[name], RDF.type, SKOS.ConceptScheme) in GRAPH, f"lcc:{name} is not declared"
    assert len(PROPERTIES) > 50 and len(CONCEPTS) > 50


# --- every term ---------------------------------------------------------------------------


@pytest.mark.parametrize("term", TERMS, ids=local)
def test_term_has_one_english_label(term):
    labels = english(GRAPH.objects(term, RDFS.label))
    assert len(labels) == 1, f"lcc:{local(term)} has {len(labels)} English rdfs:label(s)"
    assert str(labels[0]).strip() == str(labels[0]) and labels[0], f"lcc:{local(term)}: bad label"


@pytest.mark.parametrize("term", TERMS, ids=local)
def test_term_has_one_english_definition(term):
    definitions = english(GRAPH.objects(term, SKOS.definition))
    assert len(definitions) == 1, f"lcc:{local(term)} has {len(definitions)} skos:definition@en"
    assert len(str(definitions[0])) >= 10, f"lcc:{local(term)}: the definition says nothing"


@pytest.mark.parametrize("term", TERMS, ids=local)
def test_term_is_defined_by_the_ontology(term):
    assert list(GRAPH.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY], (
        f"lcc:{local(term)} needs rdfs:isDefinedBy <{ONTOLOGY_IRI}>"
    )


@pytest.mark.parametrize("term", TERMS, ids=local)
def test_term_has_a_known_kind(term):
    kinds = set(GRAPH.objects(term, RDF.type)) & TERM_TYPES
    assert kinds, f"lcc:{local(term)} is not a class, property, concept scheme or concept"
    # a concept may also be an org:Role; nothing may be both a class and a property
    assert len(kinds) == 1, f"lcc:{local(term)} has several kinds: {sorted(kinds)}"


def test_naming_convention():
    """Classes and schemes are UpperCamelCase, properties and concepts lowerCamelCase."""
    wrong = []
    for term in TERMS:
        upper = local(term)[0].isupper()
        is_class = (term, RDF.type, OWL.Class) in GRAPH or term in SCHEMES
        if upper != is_class:
            wrong.append(local(term))
    assert not wrong, f"wrong case for their kind: {wrong}"


# --- properties ---------------------------------------------------------------------------


@pytest.mark.parametrize("prop", PROPERTIES, ids=local)
def test_property_has_domain_and_range(prop):
    domains = list(GRAPH.objects(prop, RDFS.domain))
    ranges = list(GRAPH.objects(prop, RDFS.range))
    assert len(domains) == 1, f"lcc:{local(prop)} has {len(domains)} rdfs:domain (want 1)"
    assert len(ranges) == 1, f"lcc:{local(prop)} has {len(ranges)} rdfs:range (want 1)"


@pytest.mark.parametrize("prop", PROPERTIES, ids=local)
def test_property_range_fits_its_kind(prop):
    (rng,) = GRAPH.objects(prop, RDFS.range)
    is_datatype = str(rng).startswith(str(XSD)) or rng in DATATYPE_RANGES
    if (prop, RDF.type, OWL.DatatypeProperty) in GRAPH:
        assert is_datatype, f"datatype property lcc:{local(prop)} has a class range {rng}"
    else:
        assert not is_datatype, f"object property lcc:{local(prop)} has a datatype range {rng}"


@pytest.mark.parametrize("prop", PROPERTIES, ids=local)
def test_domain_and_range_name_known_classes(prop):
    for predicate in (RDFS.domain, RDFS.range):
        for expr in GRAPH.objects(prop, predicate):
            for cls in class_members(expr):
                assert isinstance(cls, URIRef), f"lcc:{local(prop)}: anonymous class in {predicate}"
                assert str(cls).startswith(REUSED), (
                    f"lcc:{local(prop)} {predicate.n3(GRAPH.namespace_manager)} {cls}: "
                    "not a reused vocabulary"
                )
                if str(cls).startswith(ONTOLOGY_NS):
                    assert (cls, RDF.type, OWL.Class) in GRAPH, f"lcc:{local(cls)} is not a class"


def test_subclasses_name_known_classes():
    for cls, parent in GRAPH.subject_objects(RDFS.subClassOf):
        assert isinstance(parent, URIRef) and str(parent).startswith(REUSED), (cls, parent)
        if str(parent).startswith(ONTOLOGY_NS):
            assert (parent, RDF.type, OWL.Class) in GRAPH, f"{cls} ⊑ undeclared {parent}"


# --- the closed namespace -----------------------------------------------------------------


def test_namespace_members_are_exactly_the_ontology_terms():
    members = set(inspect.get_annotations(LCC))
    terms = {local(t) for t in TERMS}
    missing, extra = sorted(terms - members), sorted(members - terms)
    assert not missing and not extra, (
        f"lcgraph/namespace.py is out of step with ontology/lcc.ttl: add {missing}, remove {extra}"
    )


def test_closed_namespace_refuses_a_typo():
    assert LCC.City == URIRef(ONTOLOGY_NS + "City")
    with pytest.raises(AttributeError, match="Citty"):
        _ = LCC.Citty


def test_every_lcc_iri_used_in_the_ontology_is_declared():
    used = {
        t
        for triple in GRAPH
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(ONTOLOGY_NS)
    }
    undeclared = sorted(local(t) for t in used if t not in LCC)
    assert not undeclared, f"lcc.ttl uses terms it never declares: {undeclared}"


# --- concept schemes ----------------------------------------------------------------------


@pytest.mark.parametrize("concept", CONCEPTS, ids=local)
def test_concept_is_in_one_declared_scheme(concept):
    schemes = list(GRAPH.objects(concept, SKOS.inScheme))
    assert len(schemes) == 1, f"lcc:{local(concept)} is in {len(schemes)} schemes (want 1)"
    assert schemes[0] in SCHEMES, f"lcc:{local(concept)}: {schemes[0]} is not a concept scheme"
    for top in GRAPH.objects(concept, SKOS.topConceptOf):
        assert top == schemes[0], f"lcc:{local(concept)} is a top concept of another scheme"
    for broader in GRAPH.objects(concept, SKOS.broader):
        assert GRAPH.value(broader, SKOS.inScheme) == schemes[0], (
            f"lcc:{local(concept)} has a broader concept in another scheme: {broader}"
        )


@pytest.mark.parametrize("concept", CONCEPTS, ids=local)
def test_concept_pref_label_is_its_label(concept):
    assert english(GRAPH.objects(concept, SKOS.prefLabel)) == english(
        GRAPH.objects(concept, RDFS.label)
    ), f"lcc:{local(concept)}: skos:prefLabel and rdfs:label differ"


@pytest.mark.parametrize("scheme", SCHEMES, ids=local)
def test_scheme_has_concepts(scheme):
    members = set(GRAPH.subjects(SKOS.inScheme, scheme))
    assert members, f"lcc:{local(scheme)} has no concept"
    assert set(GRAPH.subjects(SKOS.topConceptOf, scheme)), f"lcc:{local(scheme)}: no top concept"
