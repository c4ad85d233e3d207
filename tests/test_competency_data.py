"""The answers to ../shared/COMPETENCY.md questions 1-18 come out of the graph.

Plain SPARQL over the union of the named graphs; the saved queries in queries/ answer the same
questions for users (tests/test_queries*.py). Expected answers were read from the seed texts.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from lcgraph.config import Settings
from lcgraph.rdfio import sparql_prologue
from lcgraph.store import build


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st, _ = build(Settings.from_env(), in_memory=True)
    return st


def rows(store: ox.Store, body: str) -> list[tuple]:
    out = []
    for sol in store.query(sparql_prologue() + body):
        out.append(tuple(None if t is None else t.value for t in sol))
    return out


def labels(store: ox.Store, body: str) -> set[str]:
    return {r[0] for r in rows(store, body)}


def test_cq01_eco_model_cities_30pct_by_2030_vs_2005(store):
    got = labels(
        store,
        """SELECT DISTINCT ?name WHERE {
        ?city lcc:participatesIn programme:eco-model-city ; rdfs:label ?name ; lcc:hasTarget ?t .
        ?t lcc:percent ?p ; lcc:targetYear ?y ; lcc:baseYear ?b .
        FILTER(?p >= 30 && STR(?y) = "2030" && STR(?b) = "2005") }""",
    )
    assert got == {"Kitakyushu", "Iida", "Toyama"}


def test_cq02_eco_model_cities_base_year_1990(store):
    got = labels(
        store,
        """SELECT DISTINCT ?name WHERE {
        ?city lcc:participatesIn programme:eco-model-city ; rdfs:label ?name ; lcc:hasTarget ?t .
        ?t lcc:baseYear ?b . FILTER(STR(?b) = "1990") }""",
    )
    assert got == {"Kyoto", "Toyota", "Shimokawa", "Yusuhara", "Chiyoda"}


def test_cq03_eco_model_mid_term_year_not_2030(store):
    got = rows(
        store,
        """SELECT ?name ?y WHERE {
        ?city lcc:participatesIn programme:eco-model-city ; rdfs:label ?name ; lcc:hasTarget ?t .
        ?t lcc:horizon lcc:horizonMidTerm ; lcc:targetYear ?y . FILTER(STR(?y) != "2030") }""",
    )
    assert set(got) == {("Yokohama", "2025"), ("Minamata", "2020"), ("Chiyoda", "2020")}


def test_cq04_eco_model_largest_and_smallest_area(store):
    got = rows(
        store,
        """SELECT ?name ?area WHERE {
        ?city lcc:participatesIn programme:eco-model-city ; rdfs:label ?name ; lcc:areaKm2 ?area }
        ORDER BY DESC(?area)""",
    )
    assert len(got) == 13
    assert got[0][0] == "Toyama" and Decimal(got[0][1]) == 1242
    assert got[-1][0] == "Chiyoda" and Decimal(got[-1][1]) == 12


def test_cq05_eco_model_and_futurecity(store):
    got = labels(
        store,
        """SELECT DISTINCT ?name WHERE {
        ?city lcc:participatesIn programme:eco-model-city , programme:futurecity-initiative ;
              rdfs:label ?name }""",
    )
    assert got == {"Kitakyushu", "Yokohama", "Toyama", "Shimokawa"}


def test_cq06_chinese_cities_carbon_intensity_2020_vs_2005(store):
    got = labels(
        store,
        """SELECT DISTINCT ?name WHERE {
        ?city a lcc:City ; lcc:country country:china ; rdfs:label ?name ; lcc:hasTarget ?t .
        ?t lcc:indicator lcc:indicatorCarbonIntensity ; lcc:baseYear ?b ; lcc:targetYear ?y .
        FILTER(STR(?b) = "2005" && STR(?y) = "2020") }""",
    )
    assert got == {"Hangzhou", "Shenzhen", "Guiyang", "Nanchang"}


def test_cq07_wwf_lcci_pilots(store):
    got = labels(
        store,
        """SELECT ?name WHERE {
        ?p lcc:runBy ?wwf ; lcc:pilotCity ?c . ?wwf rdfs:label "WWF"@en . ?c rdfs:label ?name }""",
    )
    assert got == {"Shanghai", "Baoding"}


def test_cq08_collaborations_partners_and_start(store):
    got = rows(
        store,
        """SELECT ?c (STR(?start) AS ?s) (GROUP_CONCAT(?pl; separator="|") AS ?partners) WHERE {
        ?c a lcc:Collaboration ; lcc:startDate ?start ; lcc:partner ?p . ?p rdfs:label ?pl }
        GROUP BY ?c ?start""",
    )
    got = {(c.rsplit("/", 1)[1], s, frozenset(p.split("|"))) for c, s, p in got}
    assert got == {
        ("kuala-lumpur-tokyo", "2020", frozenset({"Kuala Lumpur", "Tokyo"})),
        (
            "iskandar-malaysia-kitakyushu",
            "2015",
            frozenset(
                {"Kitakyushu", "Iskandar Malaysia", "Iskandar Regional Development Authority"}
            ),
        ),
    }


def test_cq09_kl_tokyo_meetings_and_trips(store):
    got = rows(
        store,
        """SELECT ?kind (SUM(?n) AS ?total) WHERE {
        collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind ?kind ; lcc:count ?n .
        FILTER(?kind IN (lcc:activityMeeting, lcc:activityTrip)) } GROUP BY ?kind""",
    )
    totals = {k.rsplit("#", 1)[1]: int(n) for k, n in got}
    assert totals == {"activityMeeting": 37, "activityTrip": 5}


def test_cq10_blueprint_authors(store):
    got = labels(
        store,
        """SELECT ?name WHERE {
        ?b rdfs:label "Low Carbon Society Blueprint for Iskandar Malaysia 2025"@en ;
           dcterms:creator ?o . ?o rdfs:label ?name }""",
    )
    assert got == {
        "National Institute for Environmental Studies",
        "Universiti Teknologi Malaysia",
        "Iskandar Regional Development Authority",
        "Kyoto University",
    }


def test_cq11_networks_of_tokyo_and_kuala_lumpur(store):
    got = labels(
        store,
        """SELECT DISTINCT ?name WHERE {
        city:tokyo org:memberOf ?n . city:kuala-lumpur org:memberOf ?n . ?n rdfs:label ?name }""",
    )
    assert got == {
        "Asian Network of Major Cities 21",
        "C40 Cities Climate Leadership Group",
        "C40 East, Southeast Asia & Oceania region",
    }
    roles = labels(
        store,
        """SELECT DISTINCT ?role WHERE {
        ?m org:member city:tokyo ; org:organization network:asian-network-of-major-cities-21 ; org:role ?r . ?r rdfs:label ?role }""",
    )
    assert roles == {"co-sponsor"}


def test_cq12_gpc_developers_and_linked_tool(store):
    devs = labels(store, "SELECT ?n WHERE { tool:gpc dcterms:creator ?o . ?o rdfs:label ?n }")
    assert devs == {
        "World Resources Institute",
        "C40 Cities Climate Leadership Group",
        "ICLEI-Local Governments for Sustainability",
    }
    linked = labels(store, "SELECT ?n WHERE { tool:gpc lcc:linkedWith ?t . ?t skos:altLabel ?n }")
    assert "HEAT+" in linked


def test_cq13_what_each_organisation_runs(store):
    got = rows(
        store,
        """SELECT ?org (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x lcc:runBy ?o . ?o rdfs:label ?org }
        GROUP BY ?org""",
    )
    runs = {o: int(n) for o, n in got}
    assert (
        runs["ICLEI-Local Governments for Sustainability"] == 4
    )  # GreenClimateCities, cCCR, HEAT+, GPC
    assert runs["World Bank"] == 2  # LC2, City Creditworthiness
    assert runs["World Resources Institute"] == 2  # GPC, SLC
    assert runs["C40 Cities Climate Leadership Group"] == 2  # GPC, Climate Positive


def test_cq14_platform_secretariat_and_tasks(store):
    sec = labels(
        store,
        """SELECT ?n WHERE { network:nea-low-carbon-city-platform lcc:secretariat ?s .
        ?s rdfs:label ?n }""",
    )
    assert sec == {"UNESCAP-ENEA"}
    tasks = labels(
        store, "SELECT ?t WHERE { network:nea-low-carbon-city-platform lcc:secretariatTask ?t }"
    )
    assert len(tasks) == 4
    assert any("Liaising with relevant regional and global programmes" in t for t in tasks)


def test_cq15_platform_activity_areas_and_membership(store):
    areas = rows(
        store,
        """SELECT ?o ?n WHERE { network:nea-low-carbon-city-platform lcc:activityArea ?a .
        ?a lcc:ordinal ?o ; rdfs:label ?n } ORDER BY ?o""",
    )
    assert [n for _, n in areas] == [
        "Information sharing and communications",
        "Peer review / analytical or comparative studies",
        "Capacity building",
    ]
    members = labels(
        store,
        "SELECT ?m WHERE { network:nea-low-carbon-city-platform lcc:membershipEligibility ?m }",
    )
    assert any("research institutions, UN and international organizations" in m for m in members)


def test_cq16_events_leading_to_the_platform_in_order(store):
    got = rows(
        store,
        """SELECT ?name (STR(?d) AS ?date) WHERE {
        ?e a lcc:Event ; lcc:ledTo network:nea-low-carbon-city-platform ; rdfs:label ?name .
        OPTIONAL { ?e lcc:startDate ?d } } ORDER BY ?d""",
    )
    dated = [n for n, d in got if d]
    assert dated == [
        "Suwon Conference on Low Carbon, Green Cities in North-East Asia",
        "18th Senior Officials Meeting (SOM-18)",
        "International Symposium “Realizing Low Carbon Cities in North-East Asia”",
    ]
    assert {n for n, d in got if not d} == {"SOM-17"}


def test_cq17_session_d3_speakers_and_organisations(store):
    got = rows(
        store,
        """SELECT ?person ?org WHERE {
        event:session-d3-2015 lcc:speaker ?p . ?p rdfs:label ?person ; org:memberOf ?o .
        ?o rdfs:label ?org }""",
    )
    assert set(got) == {
        ("Naoki Mori", "Japan International Cooperation Agency"),
        ("Kim Sang-Kap", "Gwangju"),
    }


def test_cq18_discussion_paper_activities_and_secretariat(store):
    areas = rows(
        store,
        """SELECT ?o ?n WHERE { network:proposed-asian-intercity-platform lcc:activityArea ?a .
        ?a lcc:ordinal ?o ; rdfs:label ?n } ORDER BY ?o""",
    )
    assert [n for _, n in areas] == [
        "Technical co-operation on low-carbon policies and practices",
        "Collaboration to promote low-carbon environment and energy business in developing Asia",
        "Joint carbon credit projects",
        "Carbon offsetting",
    ]
    tasks = labels(
        store,
        "SELECT ?t WHERE { network:proposed-asian-intercity-platform lcc:secretariatTask ?t }",
    )
    assert len(tasks) == 4
