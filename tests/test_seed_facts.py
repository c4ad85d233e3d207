"""Spot checks: a fact read from a seed text is in the graph, in that document's named graph.

Each case pairs a quote that must occur in the seed file (so the fact really is in the source)
with a SPARQL ASK over the named graph of that document (so the graph really states it).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from lcgraph.config import SEEDS_DIR, Settings
from lcgraph.rdfio import sparql_prologue
from lcgraph.store import build

SEEDS = {
    "000": "kl-tokyo-collaboration",
    "001": "iskandar-kitakyushu-collaboration",
    "002": "session-d3-2015",
    "003": "intercity-platform-discussion-paper",
    "004": "nea-low-carbon-city-review",
}

# (seed, quote in the seed text, triple patterns that must hold in that seed's graph)
CASES = [
    # --- seed 000: Kuala Lumpur - Tokyo
    (
        "000",
        "co-sponsors of the Asian Network of Major Cities 21",
        "?m org:member city:tokyo ; org:organization network:asian-network-of-major-cities-21 ; org:role lcc:roleCoSponsor .",
    ),
    (
        "000",
        "co-sponsors of the Asian Network of Major Cities 21",
        "?m org:member city:kuala-lumpur ; org:organization network:asian-network-of-major-cities-21 ; org:role lcc:roleCoSponsor .",
    ),
    (
        "000",
        "East, Southeast Asia & Oceania region (13 cities)",
        "network:c40-east-southeast-asia-oceania lcc:memberCount 13 ; org:unitOf network:c40 .",
    ),
    (
        "000",
        "In 2020, they signed an agreement",
        "collaboration:kuala-lumpur-tokyo lcc:agreement ?a . ?a dcterms:date ?d ; lcc:signatory city:tokyo , city:kuala-lumpur . FILTER(STR(?d) = '2020')",
    ),
    (
        "000",
        '"sustainable energy management" and "decarbonization"',
        "collaboration:kuala-lumpur-tokyo dcterms:subject lcc:topicEnergyManagement , lcc:topicDecarbonization .",
    ),
    (
        "000",
        "Kick-off ceremony: 1",
        "?a lcc:activityKind lcc:activityCeremony ; lcc:count 1 . collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a .",
    ),
    (
        "000",
        "Int'l conferences: 6",
        "collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind lcc:activityConference ; lcc:count 6 ; lcc:includesEvent event:cop , event:apuf .",
    ),
    (
        "000",
        "Project-related meetings: 37",
        "collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind lcc:activityMeeting ; lcc:count 37 .",
    ),
    (
        "000",
        "Trips: 3 to Kuala Lumpur (KL) City Hall",
        "collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind lcc:activityTrip ; lcc:count 3 ; lcc:destination city:kuala-lumpur .",
    ),
    (
        "000",
        "2 to Tokyo Metropolitan Government",
        "collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind lcc:activityTrip ; lcc:count 2 ; lcc:destination city:tokyo .",
    ),
    (
        "000",
        "Sharing with other cities in Asia: 1",
        "collaboration:kuala-lumpur-tokyo lcc:hasActivity ?a . ?a lcc:activityKind lcc:activityKnowledgeSharing ; lcc:count 1 .",
    ),
    (
        "000",
        "carbon neutrality by 2050",
        "city:kuala-lumpur lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindNeutrality ; lcc:targetYear ?y . FILTER(STR(?y) = '2050')",
    ),
    (
        "000",
        "halving the amount of GHG emissions in Tokyo by 2030",
        "city:tokyo lcc:hasTarget ?t . ?t lcc:percent 50.0 ; lcc:indicator lcc:indicatorGhg ; lcc:targetYear ?y . FILTER(STR(?y) = '2030')",
    ),
    (
        "000",
        "World Green Building Council for the world's first urban cap-and-trade system",
        "?p lcc:runBy city:tokyo ; lcc:recognisedBy organisation:world-green-building-council .",
    ),
    (
        "000",
        "renovation plan for KL's four public buildings",
        "collaboration:kuala-lumpur-tokyo lcc:hasOutcome outcome:kuala-lumpur-public-building-renovation-plan .",
    ),
    # --- seed 001: Iskandar Malaysia - Kitakyushu
    (
        "001",
        "signed a Memorandum of Understanding (MOU) in August 2016",
        "agreement:kitakyushu-irda-mou-2016 dcterms:date '2016-08'^^xsd:gYearMonth ; lcc:signatory city:kitakyushu , organisation:irda .",
    ),
    (
        "001",
        "from FY2015 to FY2016",
        "collaboration:iskandar-malaysia-kitakyushu lcc:hasProject ?p . ?p lcc:startDate '2015'^^xsd:gYear ; lcc:endDate '2016'^^xsd:gYear .",
    ),
    (
        "001",
        "This year is the third year of the project",
        "collaboration:iskandar-malaysia-kitakyushu lcc:hasProject ?p . ?p lcc:projectYear 3 .",
    ),
    (
        "001",
        'formulated the "Low Carbon Society Blueprint for Iskandar Malaysia 2025"',
        "programme:iskandar-low-carbon-society-blueprint-2025 dcterms:creator organisation:national-institute-for-environmental-studies , organisation:universiti-teknologi-malaysia , organisation:irda , organisation:kyoto-university .",
    ),
    (
        "001",
        "declared itself a zero-carbon city in 2020",
        "city:kitakyushu lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindNeutrality ; lcc:declaredYear '2020'^^xsd:gYear .",
    ),
    (
        "001",
        "Interviews with two Malaysian companies",
        "activity:iskandar-kitakyushu-eco-town lcc:count 2 ; lcc:activityKind lcc:activityInterview .",
    ),
    (
        "001",
        "Seelong final disposal site (twice)",
        "activity:iskandar-kitakyushu-waste-to-energy lcc:count 2 ; lcc:counterpart organisation:swm-environment . facility:seelong-final-disposal-site lcc:operator organisation:swm-environment .",
    ),
    (
        "001",
        "Meetings with IRDA (3 times)",
        "activity:iskandar-kitakyushu-action-plan lcc:count 3 ; lcc:counterpart organisation:irda .",
    ),
    (
        "001",
        "Comprehensive Development Plan (CDP3) that IRDA is considering preparing",
        "?o lcc:concerns programme:iskandar-cdp3 . programme:iskandar-cdp3 lcc:runBy organisation:irda ; lcc:status lcc:statusProposed .",
    ),
    (
        "001",
        "One new project was identified",
        "activity:iskandar-kitakyushu-jcm-projects lcc:hasOutcome ?o . ?o lcc:concerns programme:jcm .",
    ),
    # --- seed 002: Session D3
    (
        "002",
        "Book Seminar Room, Design Lab",
        "event:session-d3-2015 lcc:venue 'Book Seminar Room, Design Lab' .",
    ),
    (
        "002",
        "Naoki Mori, Executive Technical Advisor",
        "event:session-d3-2015 lcc:speaker person:naoki-mori . person:naoki-mori org:memberOf organisation:japan-international-cooperation-agency .",
    ),
    (
        "002",
        "Kim Sang-Kap, Director, Secretariat of Urban Environmental Accords",
        "event:session-d3-2015 lcc:speaker person:kim-sang-kap . ?m org:member person:kim-sang-kap ; org:organization ?u . ?u org:unitOf city:gwangju .",
    ),
    (
        "002",
        "Role of brokerage and facilitation for city-to-city cooperation",
        "event:session-d3-2015 lcc:objective ?o . FILTER(CONTAINS(?o, 'brokerage and facilitation'))",
    ),
    (
        "002",
        "as of 7th April 2015",
        "document:session-d3-pdf-description dcterms:date '2015-04-07'^^xsd:date .",
    ),
    # --- seed 003: discussion paper
    (
        "003",
        "four potential kinds of activities",
        "network:proposed-asian-intercity-platform lcc:activityArea ?a . ?a lcc:ordinal 4 ; rdfs:label 'Carbon offsetting'@en .",
    ),
    (
        "003",
        "joint carbon credit projects",
        "network:proposed-asian-intercity-platform lcc:activityArea activity:intercity-platform-joint-carbon-credit-projects .",
    ),
    (
        "003",
        "the Japanese government should provide financial support",
        "network:proposed-asian-intercity-platform lcc:fundingSource organisation:government-of-japan .",
    ),
    (
        "003",
        "linking local governments with funding opportunities",
        "network:proposed-asian-intercity-platform lcc:secretariatTask 'Linking local governments with funding opportunities'@en .",
    ),
    # --- seed 004: North-East Asia review
    (
        "004",
        "Baoding: 35% (2010-2020)",
        "city:baoding lcc:hasTarget ?t . ?t lcc:percent 35.0 ; lcc:baseYear '2010'^^xsd:gYear ; lcc:targetYear '2020'^^xsd:gYear ; lcc:indicator lcc:indicatorCarbonIntensity .",
    ),
    (
        "004",
        "Tianjin: 15.5% (2010-2015)",
        "city:tianjin lcc:hasTarget ?t . ?t lcc:percent 15.5 ; lcc:baseYear '2010'^^xsd:gYear ; lcc:targetYear '2015'^^xsd:gYear .",
    ),
    (
        "004",
        "Kangreung: 49% (BAU, 2020)",
        "city:gangneung skos:altLabel 'Kangreung'@en ; lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindBau ; lcc:percent 49.0 .",
    ),
    (
        "004",
        "Kwangju: 40% (BAU, 2020)",
        "city:gwangju skos:altLabel 'Kwangju'@en ; lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindBau ; lcc:percent 40.0 .",
    ),
    (
        "004",
        "Yokohama: 30% per capita",
        "city:yokohama lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindPerCapita ; lcc:percent 30.0 ; lcc:baseYear '2004'^^xsd:gYear ; lcc:targetYear '2025'^^xsd:gYear .",
    ),
    (
        "004",
        "Seoul: 25% (1990-2020)",
        "city:seoul lcc:hasTarget ?t . ?t lcc:targetKind lcc:kindAbsolute ; lcc:percent 25.0 ; lcc:baseYear '1990'^^xsd:gYear .",
    ),
    (
        "004",
        "selected 13 cities",
        "programme:eco-model-city lcc:memberCount 13 ; lcc:startDate '2008'^^xsd:gYear .",
    ),
    ("004", "Shimokawa Town with population of 3,900", "city:shimokawa lcc:population 3900 ."),
    ("004", "1,242", "city:toyama lcc:areaKm2 1242.0 ; lcc:population 420000 ."),
    (
        "004",
        "Miyakojima",
        "city:miyakojima lcc:hasTarget ?t . ?t lcc:percent 30.0 ; lcc:percentUpper 40.0 ; lcc:baseYear '2003'^^xsd:gYear .",
    ),
    (
        "004",
        "City of Kashiwa (Chiba)",
        "city:kashiwa lcc:participatesIn programme:futurecity-initiative .",
    ),
    (
        "004",
        "Kensen Regional FutureCity includes the City of Ofunato",
        "city:ofunato lcc:locatedIn region:kensen ; lcc:participatesIn programme:futurecity-initiative .",
    ),
    (
        "004",
        "pilot projects in Shanghai and Baoding",
        "programme:wwf-lcci lcc:pilotCity city:shanghai , city:baoding ; lcc:runBy organisation:wwf .",
    ),
    (
        "004",
        "jointly developed by WRI, C-40 and ICLEI",
        "tool:gpc dcterms:creator organisation:wri , network:c40 , network:iclei ; lcc:linkedWith tool:heat-plus .",
    ),
    (
        "004",
        "Cities Development Initiative for Asia (CDIA)",
        "programme:cdia lcc:runBy organisation:adb , organisation:giz .",
    ),
    (
        "004",
        "A network of ten cities across India, Indonesia, Thailand and Vietnam",
        "network:acccrn lcc:memberCount 10 ; dcterms:spatial country:india , country:vietnam .",
    ),
    (
        "004",
        "held on 5-6 November 2013, in Ulaanbaatar, Mongolia",
        "event:neaspec-som-18 lcc:startDate '2013-11-05'^^xsd:date ; lcc:place city:ulaanbaatar ; lcc:ledTo network:nea-low-carbon-city-platform .",
    ),
    (
        "004",
        "on 5-6 December 2013 in Beijing, China",
        "event:realizing-low-carbon-cities-symposium-2013 lcc:startDate '2013-12-05'^^xsd:date ; lcc:endDate '2013-12-06'^^xsd:date ; lcc:place city:beijing ; lcc:organiser organisation:cass .",
    ),
    (
        "004",
        "first North-East Asian Mayors’ Forum in August 2014",
        "event:nea-mayors-forum-2014 lcc:startDate '2014-08'^^xsd:gYearMonth ; lcc:host city:ulaanbaatar ; lcc:theme 'Sustainable and Inclusive Cities'@en .",
    ),
    (
        "004",
        "will serve as the Secretariat",
        "network:nea-low-carbon-city-platform lcc:secretariat organisation:unescap-enea .",
    ),
    (
        "004",
        "Providing administrative and financial support to the operation of the Platform",
        "network:nea-low-carbon-city-platform lcc:secretariatTask ?t . FILTER(CONTAINS(?t, 'administrative and financial support'))",
    ),
    (
        "004",
        "designated 42 Pilot Low Carbon Cities since 2010",
        "programme:china-low-carbon-pilot-cities lcc:runBy organisation:ndrc ; lcc:memberCount 42 ; lcc:startDate '2010'^^xsd:gYear .",
    ),
    (
        "004",
        "transform 262 resource-dependent cities",
        "programme:china-resource-dependent-cities-plan lcc:memberCount 262 ; lcc:adoptedBy organisation:china-state-council .",
    ),
    (
        "004",
        "15 main indicators and 52 supporting indicator",
        "tool:lccc-index dcterms:creator organisation:cass .",
    ),
    (
        "004",
        "increasing green area share by 15% by 2020 and 30% by 2030",
        "programme:mongolia-green-development-plan lcc:hasTarget ?a , ?b . ?a lcc:percent 15.0 ; lcc:targetYear '2020'^^xsd:gYear . ?b lcc:percent 30.0 ; lcc:targetYear '2030'^^xsd:gYear .",
    ),
    (
        "004",
        "improve the energy efficiency of Moscow by 43% between 2010",
        "city:moscow lcc:hasTarget ?t . ?t lcc:percent 43.0 ; lcc:baseYear '2010'^^xsd:gYear ; lcc:targetYear '2025'^^xsd:gYear .",
    ),
    (
        "004",
        "save 2 million TOE of energy",
        "target:seoul-energy-saving lcc:amount 2.0 ; lcc:unit 'million TOE' .",
    ),
    (
        "004",
        "reduce 60-80 percent of GHG emissions by 2050",
        "country:japan lcc:hasTarget ?t . ?t lcc:percent 60.0 ; lcc:percentUpper 80.0 ; lcc:targetYear '2050'^^xsd:gYear .",
    ),
    (
        "004",
        "reduction of CO2 emissions per capita of GDP by 21% in 2015 compared",
        "region:teda lcc:locatedIn city:tianjin ; lcc:hasTarget ?t . ?t lcc:percent 21.0 .",
    ),
]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st, _ = build(Settings.from_env(), in_memory=True)
    return st


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        texts[path.name[:3]] = _norm(path.read_text(encoding="utf-8"))
    assert set(texts) >= set(SEEDS), f"seed files missing in {SEEDS_DIR}"
    return texts


def test_enough_spot_checks_over_all_documents():
    per_seed = {seed: sum(1 for c in CASES if c[0] == seed) for seed in SEEDS}
    assert len(CASES) >= 40
    assert all(n >= 4 for n in per_seed.values()), per_seed


@pytest.mark.parametrize(
    ("seed", "quote", "pattern"), CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES]
)
def test_seed_fact_is_in_its_graph(store, seed_texts, seed, quote, pattern):
    assert _norm(quote) in seed_texts[seed], f"the quote is not in seed {seed}: {quote!r}"
    graph = f"https://w3id.org/lcc/graph/{SEEDS[seed]}"
    query = f"{sparql_prologue()}ASK {{ GRAPH <{graph}> {{ {pattern} }} }}"
    assert store.query(query), f"seed {seed} says {quote!r}, but its graph lacks: {pattern}"


def test_every_discrepancy_is_listed_in_the_data_readme(store):
    from lcgraph.config import DATA_DIR

    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    rows = store.query("SELECT ?d WHERE { ?d a <https://w3id.org/lcc/ontology#Discrepancy> }")
    slugs = {row["d"].value.rsplit("/", 1)[1] for row in rows}
    assert slugs, "no discrepancies in the graph"
    missing = sorted(s for s in slugs if f"`{s}`" not in readme)
    assert not missing, f"discrepancies missing from data/README.md's table: {missing}"
