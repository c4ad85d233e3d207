"""Matching on the seed graph: obvious pairs rank high, for reasons that cite real facts.

Assertions use facts of the five seed documents only; they hold when data is added.
"""

from __future__ import annotations

import numpy as np
import pytest
from match_support import assert_facts_in_store, iri, seed

from lcgraph.errors import InputError
from lcgraph.match import factors as F
from lcgraph.match import match, match_naive
from lcgraph.match.rank import screen_for
from lcgraph.match.screen import is_candidate
from lcgraph.match.vocab import lcc

QUERIES = [
    ("kuala-lumpur", "peers"),
    ("tokyo", "peers"),
    ("kitakyushu", "peers"),
    ("Kwangju", "peers"),
    ("kyoto", "peers"),
    ("iskandar-malaysia", "peers"),
    ("kuala-lumpur", "supporters"),
    ("gwangju", "supporters"),
    ("ulaanbaatar", "supporters"),
]


@pytest.fixture(scope="module")
def seeded():
    return seed()


def labels(result):
    return [c.label for c in result.candidates]


def texts(candidate, factor=None):
    return [r.text for r in candidate.reasons if factor is None or r.factor == factor]


def test_tokyo_is_among_kuala_lumpurs_first_peers_and_is_flagged_as_a_partner(seeded):
    _, cat = seeded
    result = match(cat, "kuala-lumpur")
    tokyo = next(c for c in result.candidates[:3] if c.iri == iri("city", "tokyo"))
    assert tokyo.already_collaborating  # flagged, not hidden
    assert tokyo.factors["novelty"] == 0.0
    assert any(
        t.startswith("Already related: Kuala Lumpur is a partner of «Tokyo»")
        for t in texts(tokyo, "novelty")
    )
    assert any(
        "co-sponsors «Asian Network of Major Cities 21»" in t for t in texts(tokyo, "proximity")
    )
    assert any(
        t.startswith("Tokyo can offer decarbonisation, which Kuala Lumpur needs")
        and "«Kuala Lumpur: carbon neutrality by 2050»" in t
        for t in texts(tokyo, "complementarity")
    )


def test_kitakyushu_and_iskandar_malaysia(seeded):
    _, cat = seeded
    result = match(cat, "Kitakyushu City")  # an alias
    top = next(c for c in result.candidates[:3] if c.iri == iri("region", "iskandar-malaysia"))
    assert top.already_collaborating
    assert any(
        t.startswith("Kitakyushu can offer waste-to-energy, which Iskandar Malaysia needs")
        for t in texts(top, "complementarity")
    )


def test_eco_model_cities_find_each_other_through_the_programme(seeded):
    _, cat = seeded
    eco = iri("programme", "eco-model-city")
    members = set(cat.facts.subjects(lcc("participatesIn"), eco))
    result = match(cat, "kyoto", top=3)
    assert len(result.candidates) == 3
    for c in result.candidates:
        assert c.iri in members, f"{c.label} is not an Eco-Model City"
        assert any(
            f.s == c.iri and f.p == lcc("participatesIn") and f.o == eco
            for r in c.reasons
            if r.factor == "proximity"
            for f in r.facts
        )


def test_kwangju_finds_gwangju(seeded):
    _, cat = seeded
    by_alias = match(cat, "Kwangju")
    assert by_alias.query == iri("city", "gwangju")
    assert by_alias.as_dict() == match(cat, "gwangju").as_dict()
    assert match(cat, "KWANGJU").query == iri("city", "gwangju")


def test_supporters_of_gwangju_include_the_platform_and_its_runner(seeded):
    _, cat = seeded
    result = match(cat, "gwangju", mode="supporters", top=3)
    top = {c.iri for c in result.candidates}
    assert iri("network", "nea-low-carbon-city-platform") in top
    assert iri("organisation", "neaspec") in top
    platform = next(
        c for c in result.candidates if c.iri == iri("network", "nea-low-carbon-city-platform")
    )
    assert any("capacity building" in t for t in texts(platform, "complementarity"))
    assert any(t.startswith("Reach: ") for t in texts(platform, "profile"))


def test_country_filter(seeded):
    _, cat = seeded
    result = match(cat, "kuala-lumpur", country="jp", top=50)
    assert result.country == "JP"
    assert "Tokyo" in labels(result)[:3]
    assert {c.country for c in result.candidates} == {"Japan"}
    with pytest.raises(InputError, match="known: CN, ID, IN, JP, KR"):
        match(cat, "kuala-lumpur", country="ZZ")


def test_received_capacity_building_is_not_an_offer(seeded):
    _, cat = seeded
    kl = cat.profiles[iri("city", "kuala-lumpur")]
    assert lcc("topicCapacityBuilding") in kl.topics  # the outcome says its capacity grew ...
    assert lcc("topicCapacityBuilding") not in kl.supply  # ... which it cannot offer for that
    assert lcc("topicBuildingRetrofit") in kl.supply  # its renovation plan it can share


@pytest.mark.parametrize(("query", "mode"), QUERIES)
def test_every_cited_fact_is_in_the_store(seeded, query, mode):
    store, cat = seeded
    result = match(cat, query, mode=mode, top=10)
    assert result.candidates
    graphs = {g.value for g in store.named_graphs()}
    for c in result.candidates:
        assert c.reasons, f"{c.label} ranked without a reason"
        for r in c.reasons:
            assert r.facts, f"reason without facts: {r.text}"
            assert_facts_in_store(store, r.facts)
            assert {s.graph for s in r.sources} == {g for f in r.facts for g in f.graphs}
            assert all(s.graph in graphs for s in r.sources)
            seed_sources = [s for s in r.sources if not s.graph.endswith("/graph/ontology")]
            assert all(s.document and s.label for s in seed_sources), r.sources


@pytest.mark.parametrize("mode", ["peers", "supporters"])
def test_screen_equals_the_factor_functions(seeded, mode):
    _, cat = seeded
    screen = screen_for(cat, mode)
    queries = [p for p in cat.profiles.values() if p.kind in ("city", "region")]
    for a in queries:
        arrays = screen.scores(a)
        for i, b in enumerate(screen.profiles):
            expected = F.evaluate(cat, a, b, mode, explain=False)
            for name, result in expected.items():
                assert arrays[name][i] == pytest.approx(result.score, abs=1e-9), (
                    a.label,
                    b.label,
                    name,
                )


@pytest.mark.parametrize("mode", ["peers", "supporters"])
def test_match_agrees_with_the_naive_loop(seeded, mode):
    _, cat = seeded
    for a in cat.profiles.values():
        if not is_candidate(a, "peers") or a.is_empty:
            continue
        fast = match(cat, a, mode=mode, top=10).as_dict()
        slow = match_naive(cat, a, mode=mode, top=10).as_dict()
        assert fast["candidates"] == slow["candidates"], a.label
        assert fast["considered"] == slow["considered"], a.label


def test_results_are_deterministic(seeded):
    _, cat = seeded
    first = match(cat, "tokyo", top=20).as_dict()
    assert match(cat, "tokyo", top=20).as_dict() == first
    scores = [c["score"] for c in first["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert np.all(np.asarray(scores) <= 1.0)


def test_reach_of_supporters(seeded):
    _, cat = seeded
    jica = cat.profiles[
        iri("organisation", "japan-international-cooperation-agency")
    ]  # based in Japan; covers nothing stated
    kitakyushu = cat.profiles[iri("city", "kitakyushu")]
    kuala_lumpur = cat.profiles[iri("city", "kuala-lumpur")]
    at_home = F.reach(cat, kitakyushu, jica)
    assert at_home.score == 1.0
    assert (
        at_home.reasons[0].text
        == "Reach: Japan International Cooperation Agency is in «Japan», where Kitakyushu is."
    )
    # abroad, being based in Japan says nothing about where it works: neither near nor far
    assert F.reach(cat, kuala_lumpur, jica).score == 0.5
    ecorich = cat.profiles[iri("programme", "korea-ecorich-city")]  # covers Korea only
    assert F.reach(cat, kitakyushu, ecorich).score == 0.0
