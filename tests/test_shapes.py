"""The SHACL shapes_graph, constraint by constraint, in the style of pySHACL's ``test/issues/``.

Each case is a tiny Turtle snippet that must conform to *all* the shapes_graph, and a variant of it
that must not, next to the reason it must fail: the focus node, the path, the constraint
component and the node shape. The set of violations must be exactly the expected one, so that
a violating example that fails for some other reason (a typo in the snippet, another shape
firing) fails the test too.

Every snippet is validated with the real ``shapes/*.ttl`` and ``ontology/lcc.ttl`` through
``lcgraph.validate.validate_graph``, as ``lcgraph validate`` does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
import rdflib
from rdflib import RDF, SH, URIRef

from lcgraph.errors import InputError
from lcgraph.namespace import LCC
from lcgraph.rdfio import all_prefixes
from lcgraph.validate import SHAPES_NS, validate_graph

pytest_plugins = ("foundation_fixtures",)  # the fixtures ontology_graph, shapes_graph

PREFIXES = {**all_prefixes(), "lccsh": SHAPES_NS}
TURTLE_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))

# --- building blocks: a source document and two places that conform ----------------------

SOURCE = """
document:src a lcc:SourceDocument ; rdfs:label "A source"@en ; dcterms:title "A source"@en ;
    lcc:seedFile "000_test.txt" .
"""
JAPAN = """
country:japan a lcc:Country ; rdfs:label "Japan"@en ; lcc:isoAlpha2 "JP" ;
    prov:wasDerivedFrom document:src .
"""
MALAYSIA = """
country:malaysia a lcc:Country ; rdfs:label "Malaysia"@en ; lcc:isoAlpha2 "MY" ;
    prov:wasDerivedFrom document:src .
"""
TOKYO = """
city:tokyo a lcc:City ; rdfs:label "Tokyo"@en ; lcc:country country:japan ;
    lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom document:src .
"""
KL = """
city:kuala-lumpur a lcc:City ; rdfs:label "Kuala Lumpur"@en ; lcc:country country:malaysia ;
    lcc:noGeonamesReason "not looked up in this test" ; prov:wasDerivedFrom document:src .
"""
PLACES = JAPAN + MALAYSIA + TOKYO + KL


def city(slug: str, label: str, *extra: str, country: str = "japan") -> str:
    """A conforming city; ``extra`` adds predicate-object pairs."""
    more = "".join(f" {e} ;" for e in extra)
    return (
        f'city:{slug} a lcc:City ; rdfs:label "{label}"@en ; lcc:country country:{country} ;{more}'
        f' lcc:noGeonamesReason "not looked up" ; prov:wasDerivedFrom document:src .\n'
    )


def target(*body: str, holder: str = "city:tokyo") -> str:
    """A target held by Tokyo, with the places; ``body`` are its predicate-object pairs."""
    pairs = " ;\n    ".join(body)
    return f"""{PLACES}
{holder} lcc:hasTarget target:t .
target:t a lcc:Target ; rdfs:label "Tokyo: a target"@en ; prov:wasDerivedFrom document:src ;
    {pairs} .
"""


GOOD_TARGET = (
    "lcc:targetKind lcc:kindAbsolute",
    "lcc:indicator lcc:indicatorGhg",
    "lcc:percent 30.0",
    'lcc:baseYear "2005"^^xsd:gYear',
    'lcc:targetYear "2030"^^xsd:gYear',
    'lcc:evidence "a 30% cut from 2005 by 2030"@en',
)


def target_with(**changes: str | None) -> str:
    """GOOD_TARGET with some predicates replaced (a value) or removed (None)."""
    body = {pair.split(" ", 1)[0]: pair for pair in GOOD_TARGET}
    for key, value in changes.items():
        predicate = "lcc:" + key
        if value is None:
            body.pop(predicate)
        else:
            body[predicate] = f"{predicate} {value}"
    return target(*body.values())


COLLABORATION = (
    PLACES
    + """
collaboration:kl-tokyo a lcc:Collaboration ; rdfs:label "KL–Tokyo"@en ;
    lcc:partner city:kuala-lumpur , city:tokyo ; lcc:agreement agreement:kl-tokyo ;
    lcc:startDate "2020"^^xsd:gYear ; lcc:hasActivity activity:meetings ;
    lcc:hasOutcome outcome:plan ; prov:wasDerivedFrom document:src .
agreement:kl-tokyo a lcc:Agreement ; rdfs:label "KL–Tokyo agreement"@en ;
    lcc:signatory city:kuala-lumpur , city:tokyo ; dcterms:date "2020"^^xsd:gYear ;
    prov:wasDerivedFrom document:src .
activity:meetings a lcc:Activity ; rdfs:label "Meetings"@en ;
    lcc:activityKind lcc:activityMeeting ; lcc:count 37 ; prov:wasDerivedFrom document:src .
outcome:plan a lcc:Outcome ; rdfs:label "A plan"@en ; dcterms:description "A plan was made."@en ;
    prov:wasDerivedFrom document:src .
"""
)

EVENT = (
    PLACES
    + """
organisation:iges a org:Organization ; rdfs:label "IGES"@en ; prov:wasDerivedFrom document:src .
person:ann a foaf:Person ; rdfs:label "Ann"@en ; foaf:name "Ann" ; prov:wasDerivedFrom document:src .
event:forum a lcc:Event ; rdfs:label "A forum"@en ; dcterms:type lcc:eventConference ;
    lcc:startDate "2015-12-07"^^xsd:date ; lcc:endDate "2015-12-08"^^xsd:date ;
    lcc:place city:tokyo ; lcc:organiser organisation:iges ; lcc:speaker person:ann ;
    prov:wasDerivedFrom document:src .
"""
)

MEMBERSHIP = (
    PLACES
    + """
network:anmc21 a lcc:Network ; rdfs:label "ANMC21"@en ; prov:wasDerivedFrom document:src .
<https://w3id.org/lcc/id/network/anmc21#tokyo> a org:Membership ;
    org:member city:tokyo ; org:organization network:anmc21 ; org:role lcc:roleCoSponsor ;
    prov:wasDerivedFrom document:src .
"""
)

DISCREPANCY = (
    PLACES
    + """
discrepancy:tokyo-year a lcc:Discrepancy ; rdfs:label "Two years for one thing"@en ;
    rdfs:comment "The two documents give different years."@en ;
    lcc:discrepancyKind lcc:discrepancyYear ; lcc:concerns city:tokyo ;
    lcc:conflictingStatement <https://w3id.org/lcc/id/discrepancy/tokyo-year#a> ,
        <https://w3id.org/lcc/id/discrepancy/tokyo-year#b> ;
    prov:wasDerivedFrom document:src .
<https://w3id.org/lcc/id/discrepancy/tokyo-year#a> a rdf:Statement ;
    rdf:subject city:tokyo ; rdf:predicate lcc:populationYear ; rdf:object "2015"^^xsd:gYear ;
    prov:wasDerivedFrom document:src ; lcc:evidence "in 2015"@en .
<https://w3id.org/lcc/id/discrepancy/tokyo-year#b> a rdf:Statement ;
    rdf:subject city:tokyo ; rdf:predicate lcc:populationYear ; rdf:object "2016"^^xsd:gYear ;
    prov:wasDerivedFrom document:src ; lcc:evidence "in 2016"@en .
"""
)

# --- the expected results -------------------------------------------------------------------


@dataclass(frozen=True)
class V:
    """An expected violation: focus node, path (or None), constraint component, node shape.

    Names are CURIEs (``city:tokyo``, ``lcc:country``, ``^lcc:hasTarget``); the component is its
    short name (``MinCount`` for ``sh:MinCountConstraintComponent``), the shape a name in
    ``lccsh:``. ``message`` must occur in the result's message when given, and ``value`` (a
    CURIE) must be the value of one of the results with this key.
    """

    focus: str
    path: str | None
    component: str
    shape: str
    message: str | None = None
    value: str | None = None

    def key(self) -> tuple:
        return (
            expand(self.focus),
            expand_path(self.path),
            str(SH) + self.component + "ConstraintComponent",
            SHAPES_NS + self.shape,
        )


def expand(curie: str) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def expand_path(path: str | None) -> str | None:
    """A predicate path as a bare IRI, a complex one as SPARQL path text with <IRI>s."""
    if path is None:
        return None
    if re.fullmatch(r"[a-z]+:\w+", path):
        return expand(path)
    return re.sub(r"[a-z]+:\w+", lambda m: f"<{expand(m.group(0))}>", path)


#: the path of lccsh:DateFormShape's property shape
DATE_PATH = (
    "(lcc:startDate|lcc:endDate|dcterms:date|lcc:baseYear|lcc:targetYear|lcc:declaredYear"
    "|lcc:populationYear)"
)


@dataclass(frozen=True)
class Case:
    id: str
    good: str
    bad: str
    expected: tuple[V, ...]
    #: the source document's description in the bad variant, where that is what breaks
    bad_source: str = SOURCE


def violation_keys(report) -> list[tuple]:
    return sorted(
        {
            (v.focus, v.path, v.constraint, v.shape)
            for v in report.violations
            if v.severity == "Violation"
        },
        key=str,
    )


def assert_violates(report, expected: tuple[V, ...]) -> None:
    assert not report.conforms, "the violating example conforms"
    want = sorted({e.key() for e in expected}, key=str)
    got = violation_keys(report)
    assert got == want, f"violations differ from the expected ones\n{report.text()}"
    for e in expected:
        if e.message:
            messages = [
                v.message
                for v in report.violations
                if (v.focus, v.path, v.constraint, v.shape) == e.key()
            ]
            assert any(e.message in m for m in messages), (e.message, messages)
        if e.value:
            values = {
                v.value
                for v in report.violations
                if (v.focus, v.path, v.constraint, v.shape) == e.key()
            }
            assert expand(e.value) in values, (e.value, values)


# --- the cases ------------------------------------------------------------------------------

CASES = [
    # core.ttl: InstanceShape -------------------------------------------------------------
    Case(
        "instance-untyped",
        PLACES
        + 'network:c40 a lcc:Network ; rdfs:label "C40"@en ; prov:wasDerivedFrom document:src .',
        PLACES + 'network:c40 rdfs:label "C40"@en ; prov:wasDerivedFrom document:src .',
        (V("network:c40", "rdf:type", "MinCount", "InstanceShape", "no rdf:type"),),
    ),
    Case(
        "instance-iri-bad-slug",
        PLACES + city("osaka-city", "Osaka"),
        PLACES + city("Osaka_City", "Osaka"),
        (V("city:Osaka_City", None, "Pattern", "InstanceShape", "lower-case ASCII"),),
    ),
    Case(
        "instance-iri-unknown-kind",
        PLACES + city("osaka", "Osaka"),
        PLACES
        + city("osaka", "Osaka").replace("city:osaka", "<https://w3id.org/lcc/id/town/osaka>"),
        (
            V(
                "<https://w3id.org/lcc/id/town/osaka>",
                None,
                "Pattern",
                "InstanceShape",
                "known kind",
            ),
        ),
    ),
    Case(
        "instance-dangling-link",
        PLACES
        + "city:tokyo org:memberOf network:c40 .\n"
        + 'network:c40 a lcc:Network ; rdfs:label "C40"@en ; prov:wasDerivedFrom document:src .',
        PLACES + "city:tokyo org:memberOf network:c40 .",
        (V("city:tokyo", None, "SPARQL", "InstanceShape", "network/c40, which is not described"),),
    ),
    # core.ttl: LabelShape ----------------------------------------------------------------
    Case(
        "label-missing",
        PLACES,
        PLACES.replace('rdfs:label "Tokyo"@en ;', ""),
        (
            V(
                "city:tokyo",
                "rdfs:label",
                "MinCount",
                "LabelShape",
                "exactly one English rdfs:label",
            ),
        ),
    ),
    Case(
        "label-two-english",
        PLACES,
        PLACES.replace('rdfs:label "Tokyo"@en ;', 'rdfs:label "Tokyo"@en , "Tokio"@en ;'),
        (V("city:tokyo", "rdfs:label", "UniqueLang", "LabelShape"),),
    ),
    Case(
        "label-not-tagged",
        PLACES,
        PLACES.replace('rdfs:label "Tokyo"@en ;', 'rdfs:label "Tokyo" ;'),
        (
            V("city:tokyo", "rdfs:label", "Datatype", "LabelShape"),
            V("city:tokyo", "rdfs:label", "LanguageIn", "LabelShape"),
        ),
    ),
    Case(
        "label-not-english",
        PLACES + 'city:tokyo skos:altLabel "東京"@ja .',
        PLACES.replace('rdfs:label "Tokyo"@en ;', 'rdfs:label "東京"@ja ;'),
        (V("city:tokyo", "rdfs:label", "LanguageIn", "LabelShape"),),
    ),
    Case(
        "alt-label-not-tagged",
        PLACES + 'city:tokyo skos:altLabel "Tokyo Metropolis"@en .',
        PLACES + 'city:tokyo skos:altLabel "Tokyo Metropolis" .',
        (V("city:tokyo", "skos:altLabel", "Datatype", "LabelShape", "language-tagged"),),
    ),
    Case(
        "evidence-too-short",
        PLACES + 'city:tokyo lcc:evidence "Tokyo Metropolitan Government"@en .',
        PLACES + 'city:tokyo lcc:evidence "TM"@en .',
        (V("city:tokyo", "lcc:evidence", "MinLength", "LabelShape", "short quote"),),
    ),
    Case(
        "evidence-not-tagged",
        PLACES + 'city:tokyo lcc:evidence "Tokyo Metropolitan Government"@en .',
        PLACES + 'city:tokyo lcc:evidence "Tokyo Metropolitan Government" .',
        (V("city:tokyo", "lcc:evidence", "Datatype", "LabelShape"),),
    ),
    # core.ttl: ConceptSchemeShape (and LabelShape's class check) -------------------------
    Case(
        "subject-not-a-concept",
        PLACES + "city:tokyo dcterms:subject lcc:topicWaste .",
        PLACES + "city:tokyo dcterms:subject lcc:City .",
        (
            V("city:tokyo", "dcterms:subject", "Class", "LabelShape", "topic or sector"),
            V("city:tokyo", "dcterms:subject", "Or", "ConceptSchemeShape", "lcc:TopicScheme"),
        ),
    ),
    Case(
        "subject-from-the-wrong-scheme",
        PLACES + "city:tokyo dcterms:subject lcc:sectorBuildings .",
        PLACES + "city:tokyo dcterms:subject lcc:kindAbsolute .",
        (V("city:tokyo", "dcterms:subject", "Or", "ConceptSchemeShape", "lcc:SectorScheme"),),
    ),
    Case(
        "activity-kind-from-the-wrong-scheme",
        COLLABORATION,
        COLLABORATION.replace(
            "lcc:activityKind lcc:activityMeeting", "lcc:activityKind lcc:topicWaste"
        ),
        (
            V(
                "activity:meetings",
                "lcc:activityKind",
                "Node",
                "ConceptSchemeShape",
                "ActivityKindScheme",
            ),
        ),
    ),
    Case(
        "target-kind-from-the-wrong-scheme",
        target_with(),
        target_with(targetKind="lcc:indicatorGhg"),
        (V("target:t", "lcc:targetKind", "Node", "ConceptSchemeShape", "TargetKindScheme"),),
    ),
    Case(
        "indicator-from-the-wrong-scheme",
        target_with(),
        target_with(indicator="lcc:kindAbsolute"),
        (V("target:t", "lcc:indicator", "Node", "ConceptSchemeShape", "IndicatorScheme"),),
    ),
    Case(
        "horizon-from-the-wrong-scheme",
        target(*GOOD_TARGET, "lcc:horizon lcc:horizonMidTerm"),
        target(*GOOD_TARGET, "lcc:horizon lcc:statusPlanned"),
        (V("target:t", "lcc:horizon", "Node", "ConceptSchemeShape", "HorizonScheme"),),
    ),
    # places.ttl: CityShape ---------------------------------------------------------------
    Case(
        "city-without-country",
        PLACES,
        PLACES.replace("lcc:country country:japan ;", ""),
        (V("city:tokyo", "lcc:country", "MinCount", "CityShape", "exactly one country"),),
    ),
    Case(
        "city-with-two-countries",
        PLACES,
        PLACES.replace(
            "lcc:country country:japan ;", "lcc:country country:japan , country:malaysia ;"
        ),
        (V("city:tokyo", "lcc:country", "MaxCount", "CityShape"),),
    ),
    Case(
        "city-country-not-a-country",
        PLACES,
        PLACES.replace("lcc:country country:japan ;", "lcc:country city:kuala-lumpur ;"),
        (V("city:tokyo", "lcc:country", "Class", "CityShape"),),
    ),
    Case(
        "population-negative",
        PLACES + "city:tokyo lcc:population 13960000 .",
        PLACES + "city:tokyo lcc:population -5 .",
        (V("city:tokyo", "lcc:population", "MinInclusive", "CityShape", "non-negative"),),
    ),
    Case(
        "population-not-an-integer",
        PLACES + "city:tokyo lcc:population 13960000 .",
        PLACES + "city:tokyo lcc:population 13.96 .",
        (V("city:tokyo", "lcc:population", "Datatype", "CityShape", "xsd:integer"),),
    ),
    Case(
        "area-not-positive",
        PLACES + "city:tokyo lcc:areaKm2 2194.07 .",
        PLACES + "city:tokyo lcc:areaKm2 0.0 .",
        (V("city:tokyo", "lcc:areaKm2", "MinExclusive", "CityShape", "positive"),),
    ),
    Case(
        "latitude-out-of-range",
        PLACES + "city:tokyo geo:lat 35.6895 ; geo:long 139.69171 .",
        PLACES + "city:tokyo geo:lat 135.6895 ; geo:long 139.69171 .",
        (V("city:tokyo", "geo:lat", "MaxInclusive", "CityShape"),),
    ),
    Case(
        "longitude-out-of-range",
        PLACES + "city:tokyo geo:lat 35.6895 ; geo:long 139.69171 .",
        PLACES + "city:tokyo geo:lat 35.6895 ; geo:long -239.69171 .",
        (V("city:tokyo", "geo:long", "MinInclusive", "CityShape"),),
    ),
    Case(
        "latitude-not-a-decimal",
        PLACES + "city:tokyo geo:lat 35.6895 .",
        PLACES + 'city:tokyo geo:lat "35.6895" .',
        (  # a string is not comparable with the bounds either
            V("city:tokyo", "geo:lat", "Datatype", "CityShape"),
            V("city:tokyo", "geo:lat", "MinInclusive", "CityShape"),
            V("city:tokyo", "geo:lat", "MaxInclusive", "CityShape"),
        ),
    ),
    Case(
        "geonames-bad-iri",
        PLACES,
        PLACES.replace("<https://sws.geonames.org/1850147/>", "<http://www.geonames.org/1850147>"),
        (V("city:tokyo", "lcc:geonames", "Pattern", "CityShape", "sws.geonames.org"),),
    ),
    Case(
        "geonames-literal",
        PLACES,
        PLACES.replace(
            "<https://sws.geonames.org/1850147/>", '"https://sws.geonames.org/1850147/"'
        ),
        (V("city:tokyo", "lcc:geonames", "NodeKind", "CityShape"),),
    ),
    Case(
        "geonames-neither-link-nor-reason",
        PLACES,
        PLACES.replace("lcc:geonames <https://sws.geonames.org/1850147/> ;", ""),
        (V("city:tokyo", None, "Xone", "CityShape", "GeoNames link or a recorded reason"),),
    ),
    Case(
        "geonames-both-link-and-reason",
        PLACES,
        PLACES + 'city:tokyo lcc:noGeonamesReason "and yet a reason" .',
        (V("city:tokyo", None, "Xone", "CityShape"),),
    ),
    # places.ttl: CountryShape ------------------------------------------------------------
    Case(
        "country-without-iso-code",
        PLACES,
        PLACES.replace('lcc:isoAlpha2 "JP" ;', ""),
        (V("country:japan", "lcc:isoAlpha2", "MinCount", "CountryShape", "ISO 3166-1 alpha-2"),),
    ),
    Case(
        "country-iso-code-lower-case",
        PLACES,
        PLACES.replace('lcc:isoAlpha2 "JP" ;', 'lcc:isoAlpha2 "jp" ;'),
        (V("country:japan", "lcc:isoAlpha2", "Pattern", "CountryShape"),),
    ),
    Case(
        "country-iso-alpha3-too-long",
        PLACES + 'country:japan lcc:isoAlpha3 "JPN" .',
        PLACES + 'country:japan lcc:isoAlpha3 "JAPN" .',
        (V("country:japan", "lcc:isoAlpha3", "Pattern", "CountryShape"),),
    ),
    # places.ttl: DistinctCityShape -------------------------------------------------------
    Case(
        "duplicate-city-in-one-country",
        PLACES
        + city("tokyo-metropolis", "Tokyo Metropolis")
        + city("tokyo-2", "Tokyo", country="malaysia"),
        PLACES + city("tokyo-metropolis", "Tokyo Metropolis", 'skos:altLabel "tokyo"@en'),
        (
            V(
                "country:japan",
                None,
                "SPARQL",
                "DistinctCityShape",
                "2 cities of this country share the name 'Tokyo'",
                "city:tokyo",
            ),
            V("country:japan", None, "SPARQL", "DistinctCityShape", value="city:tokyo-metropolis"),
        ),
    ),
    # targets.ttl ------------------------------------------------------------------------
    Case(
        "target-without-kind",
        target_with(),
        target_with(targetKind=None, percent=None),
        (V("target:t", "lcc:targetKind", "MinCount", "TargetShape", "exactly one lcc:targetKind"),),
    ),
    Case(
        "target-with-two-kinds",
        target_with(),
        target_with(targetKind="lcc:kindAbsolute , lcc:kindBau"),
        (V("target:t", "lcc:targetKind", "MaxCount", "TargetShape"),),
    ),
    Case(
        "target-without-indicator",
        target_with(),
        target_with(indicator=None),
        (V("target:t", "lcc:indicator", "MinCount", "TargetShape", "exactly one lcc:indicator"),),
    ),
    Case(
        "target-percent-above-100",
        target_with(percent="100.0"),
        target_with(percent="120.0"),
        (V("target:t", "lcc:percent", "MaxInclusive", "TargetShape", "between 0 and 100"),),
    ),
    Case(
        "target-percent-negative",
        target_with(percent="0.0"),
        target_with(percent="-5.0"),
        (V("target:t", "lcc:percent", "MinInclusive", "TargetShape", "between 0 and 100"),),
    ),
    Case(
        "target-percent-an-integer",
        target_with(percent="30.0"),
        target_with(percent="30"),
        (V("target:t", "lcc:percent", "Datatype", "TargetShape", "xsd:decimal"),),
    ),
    Case(
        "target-percent-above-its-upper-bound",
        target_with(percent="40.0", percentUpper="50.0"),
        target_with(percent="60.0", percentUpper="50.0"),
        (V("target:t", "lcc:percent", "LessThanOrEquals", "TargetShape", "upper bound"),),
    ),
    Case(
        "target-base-year-after-target-year",
        target_with(),
        target_with(baseYear='"2035"^^xsd:gYear'),
        (
            V(
                "target:t",
                None,
                "SPARQL",
                "TargetShape",
                "base year 2035 is not before target year 2030",
            ),
        ),
    ),
    Case(
        "target-base-year-equals-target-year",
        target_with(baseYear='"2029"^^xsd:gYear'),
        target_with(baseYear='"2030"^^xsd:gYear'),
        (V("target:t", None, "SPARQL", "TargetShape", "base year 2030 is not before"),),
    ),
    Case(
        "target-year-not-a-gyear",
        target_with(),
        target_with(targetYear="2030"),
        (
            V("target:t", "lcc:targetYear", "Datatype", "TargetShape", "one xsd:gYear"),
            V("target:t", DATE_PATH, "Or", "DateFormShape"),
        ),
    ),
    Case(
        "target-kind-needs-percent",
        target_with(),
        target_with(percent=None),
        (V("target:t", None, "SPARQL", "TargetShape", "a kindAbsolute target needs lcc:percent"),),
    ),
    Case(
        "target-cap-needs-amount-and-unit",
        target_with(
            targetKind="lcc:kindCap", percent=None, amount="4.5", unit='"t CO2 per capita"'
        ),
        target_with(targetKind="lcc:kindCap", percent=None, amount="4.5"),
        (
            V(
                "target:t",
                None,
                "SPARQL",
                "TargetShape",
                "a kindCap target needs lcc:amount and lcc:unit",
            ),
        ),
    ),
    Case(
        "status-from-the-wrong-scheme",
        PLACES
        + 'programme:eco-model-city a lcc:Programme ; rdfs:label "Eco-Model City"@en ;'
        + " lcc:status lcc:statusOperating ; lcc:runBy city:tokyo ; prov:wasDerivedFrom document:src .",
        PLACES
        + 'programme:eco-model-city a lcc:Programme ; rdfs:label "Eco-Model City"@en ;'
        + " lcc:status lcc:horizonLongTerm ; lcc:runBy city:tokyo ; prov:wasDerivedFrom document:src .",
        (
            V(
                "programme:eco-model-city",
                "lcc:status",
                "Node",
                "ConceptSchemeShape",
                "StatusScheme",
            ),
        ),
    ),
    Case(
        "programme-without-provenance",
        PLACES
        + 'programme:x a lcc:Policy ; rdfs:label "A policy"@en ; prov:wasDerivedFrom document:src .',
        PLACES + 'programme:x a lcc:Policy ; rdfs:label "A policy"@en .',
        (V("programme:x", "prov:wasDerivedFrom", "MinCount", "ProvenanceShape"),),
    ),
    Case(
        "target-without-holder",
        target_with(),
        target_with().replace("city:tokyo lcc:hasTarget target:t .", ""),
        (V("target:t", "^lcc:hasTarget", "MinCount", "TargetShape", "nothing links to it"),),
    ),
    Case(
        "target-without-evidence",
        target_with(),
        target_with(evidence=None),
        (V("target:t", "lcc:evidence", "MinCount", "TargetShape", "quotes its source"),),
    ),
    # collaborations.ttl -----------------------------------------------------------------
    Case(
        "collaboration-with-one-partner",
        COLLABORATION,
        COLLABORATION.replace(
            "lcc:partner city:kuala-lumpur , city:tokyo", "lcc:partner city:tokyo"
        ),
        (
            V(
                "collaboration:kl-tokyo",
                "lcc:partner",
                "MinCount",
                "CollaborationShape",
                "at least two partners",
            ),
        ),
    ),
    Case(
        "collaboration-partner-not-an-organisation",
        COLLABORATION,
        COLLABORATION.replace("lcc:partner city:kuala-lumpur ,", "lcc:partner country:malaysia ,"),
        (V("collaboration:kl-tokyo", "lcc:partner", "Class", "CollaborationShape"),),
    ),
    Case(
        "collaboration-agreement-not-an-agreement",
        COLLABORATION,
        COLLABORATION.replace("lcc:agreement agreement:kl-tokyo", "lcc:agreement outcome:plan"),
        (V("collaboration:kl-tokyo", "lcc:agreement", "Class", "CollaborationShape"),),
    ),
    Case(
        "agreement-without-date",
        COLLABORATION,
        COLLABORATION.replace('dcterms:date "2020"^^xsd:gYear ;', ""),
        (V("agreement:kl-tokyo", "dcterms:date", "MinCount", "AgreementShape", "one valid date"),),
    ),
    Case(
        "agreement-date-invalid",
        COLLABORATION.replace(
            'dcterms:date "2020"^^xsd:gYear', 'dcterms:date "2020-02-29"^^xsd:date'
        ),
        COLLABORATION.replace(
            'dcterms:date "2020"^^xsd:gYear', 'dcterms:date "2020-02-30"^^xsd:date'
        ),
        (
            V("agreement:kl-tokyo", "dcterms:date", "Or", "AgreementShape", "one valid date"),
            V("agreement:kl-tokyo", DATE_PATH, "Or", "DateFormShape"),
        ),
    ),
    Case(
        "agreement-date-a-plain-string",
        COLLABORATION,
        COLLABORATION.replace('dcterms:date "2020"^^xsd:gYear', 'dcterms:date "2020"'),
        (
            V("agreement:kl-tokyo", "dcterms:date", "Or", "AgreementShape"),
            V("agreement:kl-tokyo", DATE_PATH, "Or", "DateFormShape"),
        ),
    ),
    Case(
        "agreement-with-one-signatory",
        COLLABORATION,
        COLLABORATION.replace(
            "lcc:signatory city:kuala-lumpur , city:tokyo", "lcc:signatory city:tokyo"
        ),
        (
            V(
                "agreement:kl-tokyo",
                "lcc:signatory",
                "MinCount",
                "AgreementShape",
                "two signatories",
            ),
        ),
    ),
    Case(
        "activity-count-negative",
        COLLABORATION.replace("lcc:count 37", "lcc:count 0"),
        COLLABORATION.replace("lcc:count 37", "lcc:count -1"),
        (V("activity:meetings", "lcc:count", "MinInclusive", "ActivityShape", "non-negative"),),
    ),
    Case(
        "activity-count-not-an-integer",
        COLLABORATION,
        COLLABORATION.replace("lcc:count 37", "lcc:count 3.5"),
        (V("activity:meetings", "lcc:count", "Datatype", "ActivityShape", "xsd:integer"),),
    ),
    Case(
        "activity-with-two-counts",
        COLLABORATION,
        COLLABORATION.replace("lcc:count 37", "lcc:count 37 , 38"),
        (V("activity:meetings", "lcc:count", "MaxCount", "ActivityShape"),),
    ),
    Case(
        "activity-without-owner",
        COLLABORATION,
        COLLABORATION.replace("lcc:hasActivity activity:meetings ;", ""),
        (
            V(
                "activity:meetings",
                None,
                "SPARQL",
                "ActivityShape",
                "belongs to a collaboration or project",
            ),
        ),
    ),
    Case(
        "activity-destination-not-an-organisation",
        COLLABORATION + "activity:meetings lcc:destination city:tokyo .",
        COLLABORATION + "activity:meetings lcc:destination country:japan .",
        (V("activity:meetings", "lcc:destination", "Class", "ActivityShape"),),
    ),
    Case(
        "outcome-without-description",
        COLLABORATION,
        COLLABORATION.replace('dcterms:description "A plan was made."@en ;', ""),
        (
            V(
                "outcome:plan",
                "dcterms:description",
                "MinCount",
                "OutcomeShape",
                "says what happened",
            ),
        ),
    ),
    Case(
        "outcome-of-nothing",
        COLLABORATION,
        COLLABORATION.replace("lcc:hasOutcome outcome:plan ;", ""),
        (V("outcome:plan", "^lcc:hasOutcome", "MinCount", "OutcomeShape"),),
    ),
    Case(
        "membership-without-member",
        MEMBERSHIP,
        MEMBERSHIP.replace("org:member city:tokyo ;", ""),
        (
            V(
                "<https://w3id.org/lcc/id/network/anmc21#tokyo>",
                "org:member",
                "MinCount",
                "MembershipShape",
                "exactly one member",
            ),
        ),
    ),
    Case(
        "membership-member-a-country",
        MEMBERSHIP,
        MEMBERSHIP.replace("org:member city:tokyo ;", "org:member country:japan ;"),
        (
            V(
                "<https://w3id.org/lcc/id/network/anmc21#tokyo>",
                "org:member",
                "Or",
                "MembershipShape",
                "an organisation",
            ),
        ),
    ),
    Case(
        "membership-with-two-organisations",
        MEMBERSHIP,
        MEMBERSHIP.replace(
            "org:organization network:anmc21 ;",
            "org:organization network:anmc21 , city:kuala-lumpur ;",
        ),
        (
            V(
                "<https://w3id.org/lcc/id/network/anmc21#tokyo>",
                "org:organization",
                "MaxCount",
                "MembershipShape",
            ),
        ),
    ),
    Case(
        "membership-role-not-a-role",
        MEMBERSHIP,
        MEMBERSHIP.replace("org:role lcc:roleCoSponsor", "org:role lcc:topicWaste"),
        (
            V(
                "<https://w3id.org/lcc/id/network/anmc21#tokyo>",
                "org:role",
                "Class",
                "MembershipShape",
            ),
        ),
    ),
    # events.ttl -------------------------------------------------------------------------
    Case(
        "event-ends-before-it-starts",
        EVENT.replace('"2015-12-08"^^xsd:date', '"2015-12-07"^^xsd:date'),
        EVENT.replace('"2015-12-08"^^xsd:date', '"2015-12-06"^^xsd:date'),
        (
            V(
                "event:forum",
                None,
                "SPARQL",
                "DatedShape",
                "ends (2015-12-06) before it starts (2015-12-07)",
            ),
        ),
    ),
    Case(
        "event-ends-before-it-starts-mixed-precision",
        EVENT.replace('"2015-12-07"^^xsd:date', '"2015-12"^^xsd:gYearMonth'),
        EVENT.replace('"2015-12-07"^^xsd:date', '"2016"^^xsd:gYear'),
        (V("event:forum", None, "SPARQL", "DatedShape", "before it starts (2016)"),),
    ),
    Case(
        "event-invalid-date",
        EVENT,
        EVENT.replace('"2015-12-07"^^xsd:date', '"2015-02-30"^^xsd:date'),
        (
            V("event:forum", "lcc:startDate", "Or", "DatedShape", "valid xsd:date"),
            V("event:forum", DATE_PATH, "Or", "DateFormShape"),
        ),
    ),
    Case(
        "event-year-not-a-year",
        EVENT.replace('"2015-12-08"^^xsd:date', '"2016"^^xsd:gYear'),
        EVENT.replace('"2015-12-08"^^xsd:date', '"20160"^^xsd:gYear'),
        (V("event:forum", DATE_PATH, "Or", "DateFormShape", "xsd:gYear YYYY"),),
    ),
    Case(
        "event-month-not-a-month",
        EVENT.replace('"2015-12-08"^^xsd:date', '"2015-12"^^xsd:gYearMonth'),
        EVENT.replace('"2015-12-08"^^xsd:date', '"2015-13"^^xsd:gYearMonth'),
        (V("event:forum", DATE_PATH, "Or", "DateFormShape", "real month"),),
    ),
    Case(
        "event-with-two-end-dates",
        EVENT,
        EVENT.replace(
            'lcc:endDate "2015-12-08"^^xsd:date',
            'lcc:endDate "2015-12-08"^^xsd:date , "2015-12-09"^^xsd:date',
        ),
        (V("event:forum", "lcc:endDate", "MaxCount", "DatedShape"),),
    ),
    Case(
        "event-place-not-a-city",
        EVENT,
        EVENT.replace("lcc:place city:tokyo", "lcc:place country:japan"),
        (V("event:forum", "lcc:place", "Class", "EventShape", "a city"),),
    ),
    Case(
        "event-speaker-not-a-person",
        EVENT,
        EVENT.replace("lcc:speaker person:ann", "lcc:speaker organisation:iges"),
        (V("event:forum", "lcc:speaker", "Class", "EventShape"),),
    ),
    Case(
        "event-organiser-not-an-organisation",
        EVENT,
        EVENT.replace("lcc:organiser organisation:iges", "lcc:organiser person:ann"),
        (V("event:forum", "lcc:organiser", "Class", "EventShape"),),
    ),
    # provenance.ttl ---------------------------------------------------------------------
    Case(
        "provenance-missing",
        PLACES,
        PLACES.replace(
            "lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom document:src .",
            "lcc:geonames <https://sws.geonames.org/1850147/> .",
        ),
        (
            V(
                "city:tokyo",
                "prov:wasDerivedFrom",
                "MinCount",
                "ProvenanceShape",
                "cites the document",
            ),
        ),
    ),
    Case(
        "provenance-not-a-document",
        PLACES,
        PLACES.replace(
            "lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom document:src .",
            "lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom city:kuala-lumpur .",
        ),
        (V("city:tokyo", "prov:wasDerivedFrom", "Or", "ProvenanceShape"),),
    ),
    Case(
        "provenance-a-literal",
        PLACES,
        PLACES.replace(
            "lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom document:src .",
            'lcc:geonames <https://sws.geonames.org/1850147/> ; prov:wasDerivedFrom "the report" .',
        ),
        (
            V("city:tokyo", "prov:wasDerivedFrom", "NodeKind", "ProvenanceShape"),
            V("city:tokyo", "prov:wasDerivedFrom", "Or", "ProvenanceShape"),
        ),
    ),
    Case(
        "source-document-without-title",
        PLACES,
        PLACES,
        (V("document:src", "dcterms:title", "MinCount", "SourceDocumentShape", "has a title"),),
        bad_source=SOURCE.replace('dcterms:title "A source"@en ;', ""),
    ),
    Case(
        "source-document-without-seed-file",
        PLACES,
        PLACES,
        (V("document:src", "lcc:seedFile", "MinCount", "SourceDocumentShape"),),
        bad_source=SOURCE.replace('lcc:seedFile "000_test.txt"', 'rdfs:comment "no seed"@en'),
    ),
    Case(
        "source-document-bad-sha256",
        PLACES
        + 'document:src lcc:sha256 "5b2e7f589a2cdd9d063816540c708ef647b5e0ebe1865496d646fc1b9e823a2b" .',
        PLACES + 'document:src lcc:sha256 "5B2E7F" .',
        (V("document:src", "lcc:sha256", "Pattern", "SourceDocumentShape"),),
    ),
    Case(
        "discrepancy-with-one-statement",
        DISCREPANCY,
        DISCREPANCY.replace(
            "lcc:conflictingStatement <https://w3id.org/lcc/id/discrepancy/tokyo-year#a> ,",
            "lcc:conflictingStatement",
        ),
        (
            V(
                "discrepancy:tokyo-year",
                "lcc:conflictingStatement",
                "MinCount",
                "DiscrepancyShape",
                "at least two statements",
            ),
        ),
    ),
    Case(
        "discrepancy-without-comment",
        DISCREPANCY,
        DISCREPANCY.replace('rdfs:comment "The two documents give different years."@en ;', ""),
        (
            V(
                "discrepancy:tokyo-year",
                "rdfs:comment",
                "MinCount",
                "DiscrepancyShape",
                "explains itself",
            ),
        ),
    ),
    Case(
        "discrepancy-kind-from-the-wrong-scheme",
        DISCREPANCY,
        DISCREPANCY.replace(
            "lcc:discrepancyKind lcc:discrepancyYear", "lcc:discrepancyKind lcc:kindCap"
        ),
        (
            V(
                "discrepancy:tokyo-year",
                "lcc:discrepancyKind",
                "Node",
                "ConceptSchemeShape",
                "DiscrepancyKindScheme",
            ),
        ),
    ),
    Case(
        "statement-missing-evidence",
        DISCREPANCY,
        DISCREPANCY.replace('lcc:evidence "in 2016"@en', 'rdfs:comment "no quote"@en'),
        (
            V(
                "discrepancy:tokyo-year",
                "lcc:conflictingStatement",
                "Node",
                "DiscrepancyShape",
                "each with subject, predicate, object, source and evidence",
            ),
        ),
    ),
    Case(
        "statement-missing-source",
        DISCREPANCY,
        DISCREPANCY.replace(
            'rdf:object "2016"^^xsd:gYear ;\n    prov:wasDerivedFrom document:src ;',
            'rdf:object "2016"^^xsd:gYear ;',
        ),
        (V("discrepancy:tokyo-year", "lcc:conflictingStatement", "Node", "DiscrepancyShape"),),
    ),
]


def _snippet(case: Case, which: str) -> tuple[str, str]:
    """(source document prelude, snippet) of the good or the bad variant of a case."""
    return (SOURCE, case.good) if which == "good" else (case.bad_source, case.bad)


def run(case: Case, which: str, shapes_graph, ontology_graph):
    return _validate_text(*_snippet(case, which), shapes_graph, ontology_graph)


@functools.cache
def _validate_text(source: str, snippet: str, shapes_graph, ontology_graph):
    # many cases share a conforming example (PLACES, COLLABORATION...): validate each text once
    data = rdflib.Graph().parse(data=TURTLE_PREFIXES + source + snippet, format="turtle")
    return validate_graph(data, shapes_graph, ontology_graph)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_conforming_example_conforms(case, shapes_graph, ontology_graph):
    report = run(case, "good", shapes_graph, ontology_graph)
    assert report.conforms and not report.violations, report.text()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_violating_example_fails_for_the_expected_reason(case, shapes_graph, ontology_graph):
    report = run(case, "bad", shapes_graph, ontology_graph)
    assert_violates(report, case.expected)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# --- the shapes as a whole --------------------------------------------------------------


def test_every_class_has_a_node_shape(shapes_graph, ontology_graph):
    """Every lcc: class (and every reused class the data is typed with) is some shape's target,
    directly or through rdfs:subClassOf, so that no kind of entity escapes validation."""
    targets = set(shapes_graph.objects(None, SH.targetClass))
    reused = [
        URIRef("http://www.w3.org/ns/org#Organization"),
        URIRef("http://www.w3.org/ns/org#Membership"),
        URIRef("http://xmlns.com/foaf/0.1/Person"),
    ]
    classes = [c for c in ontology_graph.subjects(RDF.type, rdflib.OWL.Class) if c in LCC] + reused
    uncovered = []
    for cls in classes:
        ancestors = set(ontology_graph.transitive_objects(cls, rdflib.RDFS.subClassOf))
        if not ancestors & targets:
            uncovered.append(cls)
    assert not uncovered, f"classes no shape targets: {sorted(uncovered)}"


def test_shapes_use_only_declared_lcc_terms(shapes_graph):
    used = {
        t
        for triple in shapes_graph
        for t in triple
        if isinstance(t, URIRef) and t.startswith(str(LCC))
    }
    undeclared = sorted(str(t) for t in used if t not in LCC)
    assert not undeclared, f"shapes use lcc: terms the ontology does not declare: {undeclared}"


def test_unknown_shape_target_is_refused(shapes_graph, ontology_graph):
    bad = rdflib.Graph()
    bad += shapes_graph
    bad.parse(
        data=TURTLE_PREFIXES + "lccsh:TypoShape a sh:NodeShape ; sh:targetClass lcc:Citty ; "
        "sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .",
        format="turtle",
    )
    data = rdflib.Graph().parse(data=TURTLE_PREFIXES + SOURCE + PLACES, format="turtle")
    with pytest.raises(InputError, match=r"TypoShape targets the class .*#Citty.*does not know"):
        validate_graph(data, bad, ontology_graph)


def test_results_match_plain_rdflib(shapes_graph, ontology_graph):
    """validate_graph reuses prepared SPARQL queries across focus nodes; the results must be
    those of pySHACL on a plain rdflib graph, on data where every SPARQL constraint fires for
    several focus nodes."""
    import pyshacl

    snippet = (
        target_with(baseYear='"2035"^^xsd:gYear', percent=None)
        + city("tokyo-metropolis", "Tokyo Metropolis", 'skos:altLabel "Tokyo"@en')
        + city("osaka", "Osaka", "org:memberOf network:c40", "lcc:hasTarget target:u")
        + 'target:u a lcc:Target ; rdfs:label "Osaka: a target"@en ; lcc:evidence "a quote"@en ;'
        + " lcc:targetKind lcc:kindCap ; lcc:indicator lcc:indicatorCo2 ;"
        + ' lcc:baseYear "2040"^^xsd:gYear ; lcc:targetYear "2030"^^xsd:gYear ;'
        + " prov:wasDerivedFrom document:src .\n"
        + EVENT.replace('"2015-12-08"^^xsd:date', '"2015-12-06"^^xsd:date').replace(PLACES, "")
    )
    data = rdflib.Graph().parse(data=TURTLE_PREFIXES + SOURCE + snippet, format="turtle")
    report = validate_graph(data, shapes_graph, ontology_graph)
    plain = rdflib.Graph()
    plain += data
    plain += ontology_graph
    _, results, _ = pyshacl.validate(
        plain, shacl_graph=shapes_graph, advanced=True, allow_warnings=True
    )

    def keys(graph):
        return sorted(
            (
                str(graph.value(r, SH.focusNode)),
                str(graph.value(r, SH.sourceConstraintComponent)),
                str(graph.value(r, SH.resultMessage)),
            )
            for r in graph.subjects(RDF.type, SH.ValidationResult)
        )

    got = keys(report.results)
    assert got == keys(results)
    sparql = [k for k in got if k[1].endswith("SPARQLConstraintComponent")]
    assert len({k[0] for k in sparql}) >= 4, sparql  # several focus nodes, several queries
