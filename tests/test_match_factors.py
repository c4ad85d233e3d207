"""Factor functions on small hand-built graphs whose scores were computed by hand.

tests/fixtures/match/small.trig has four cities (Alpha, Beta, Gamma, Empty City): the peer
population is N = 4, so a topic held by k of them has IDF ln((1 + 4) / (1 + k)) + 1.
"""

from __future__ import annotations

import math

import pytest
from match_support import fixture_catalog, iri

from lcgraph.match import factors as F
from lcgraph.match import match
from lcgraph.match.vocab import lcc

IDF1 = math.log(5 / 2) + 1  # a topic one city of four has (waste, energy efficiency)
IDF2 = math.log(5 / 3) + 1  # a topic two have (transport, decarbonisation, city cooperation)


@pytest.fixture(scope="module")
def small():
    return fixture_catalog("small.trig")


@pytest.fixture(scope="module")
def collab():
    return fixture_catalog("collab.trig")


def pair(cat, x: str, y: str):
    return cat.profiles[iri("city", x)], cat.profiles[iri("city", y)]


def test_profiles_read_from_the_graph(small):
    alpha, beta = pair(small, "alpha", "beta")
    assert {k: v.strength for k, v in alpha.topics.items()} == {
        lcc("topicWaste"): 1.0,
        lcc("topicTransport"): 1.0,
        lcc("topicDecarbonization"): 1.0,  # its GHG target, read as decarbonisation
        lcc("topicCityCooperation"): 0.25,  # the subject of Net One, which it belongs to
    }
    assert {k: v.strength for k, v in beta.supply.items()} == {lcc("topicTransport"): 1.0}
    # Alpha has done nothing: its own subjects (half strength) and its target are unmet needs
    assert {k: v.strength for k, v in alpha.demand.items()} == {
        lcc("topicWaste"): 0.5,
        lcc("topicTransport"): 0.5,
        lcc("topicDecarbonization"): 1.0,
    }
    assert small.topic_idf(lcc("topicWaste")) == pytest.approx(IDF1)
    assert small.topic_idf(lcc("topicTransport")) == pytest.approx(IDF2)


def test_topics_is_the_idf_weighted_jaccard(small):
    alpha, beta = pair(small, "alpha", "beta")
    # shared: transport 1, decarbonisation 1, city cooperation 0.25 (IDF2 each);
    # Alpha alone: waste (IDF1); Beta alone: energy efficiency (IDF1)
    shared = IDF2 * 2.25
    expected = shared / (2 * (IDF1 + shared) - shared)
    result = F.topics(small, alpha, beta)
    assert result.score == pytest.approx(expected)
    assert expected == pytest.approx(0.470048, abs=1e-6)
    texts = [r.text for r in result.reasons]
    assert texts[0].startswith("Both work on ")
    assert any(
        "low-carbon transport" in t and "runs «Beta Transport Programme»" in t for t in texts
    )


def test_complementarity_meets_alphas_need_with_betas_programme(small):
    alpha, beta = pair(small, "alpha", "beta")
    # Alpha needs waste 0.5, transport 0.5, decarbonisation 1; Beta offers transport 1;
    # Beta's needs (energy efficiency, decarbonisation) meet nothing Alpha offers.
    expected = IDF2 * 0.5 / (IDF1 * 0.5 + IDF2 * 0.5 + IDF2 * 1.0)
    result = F.complementarity(small, alpha, beta)
    assert result.score == pytest.approx(expected)
    assert expected == pytest.approx(0.234281, abs=1e-6)
    assert F.complementarity(small, beta, alpha).score == pytest.approx(expected)
    (reason,) = result.reasons
    assert reason.text.startswith("Beta can offer low-carbon transport, which Alpha needs")


def test_profile_similarity_by_parts(small):
    alpha, beta = pair(small, "alpha", "beta")
    # population 1e5 vs 1e6: one order of magnitude of two = 0.5 (weight 1); area equal 1 (0.5);
    # same target kind 1 (1); ambition 30 vs 40: 0.9 (1); base year 1 (0.5); target year 1 (0.5);
    # same country 1 (1): (0.5 + 0.5 + 1 + 0.9 + 0.5 + 0.5 + 1) / 5.5
    result = F.profile(small, alpha, beta)
    assert result.score == pytest.approx(4.9 / 5.5)
    texts = " ".join(r.text for r in result.reasons)
    assert "Same country: both are in «Xa»" in texts
    assert "Same base year 2005" in texts and "Same target year 2030" in texts
    gamma = small.profiles[iri("city", "gamma")]
    # Gamma shares only the world region: place 0.5 of weight 1
    assert F.profile(small, alpha, gamma).score == pytest.approx(0.5 / 5.5)


def test_proximity_is_adamic_adar_over_shared_network(small):
    alpha, beta = pair(small, "alpha", "beta")
    # one common neighbour, Net One, of degree 2
    result = F.proximity(small, alpha, beta)
    assert result.score == pytest.approx(1 - math.exp(-1 / math.log(3)))
    (reason,) = result.reasons
    assert "is a member of «Net One»" in reason.text
    assert reason.evidence == ("Alpha and Beta are members of Net One.",)


def test_novelty_flags_partners_and_cites_the_collaboration(collab):
    helper, taker = pair(collab, "helper", "taker")
    result = F.novelty(collab, helper, taker)
    assert result.score == 0.0
    (reason,) = result.reasons
    assert reason.text == (
        "Already related: Helper is a partner of «Taker» in «Helper–Taker collaboration»."
    )
    third = collab.profiles[iri("city", "third")]
    assert F.novelty(collab, helper, third).score == 1.0


def test_collaboration_makes_supply_for_the_helper_and_outcomes_for_the_taker(collab):
    helper, taker = pair(collab, "helper", "taker")
    assert helper.supply[lcc("topicWaste")].evidence.phrase == (
        "helped «Taker» on it in «Helper–Taker collaboration»"
    )
    assert taker.supply[lcc("topicWasteToEnergy")].strength == 1.0
    # its outcome on waste-to-energy counts half for the broader topic, waste ...
    assert taker.supply[lcc("topicWaste")].strength == 0.5
    # ... which is exactly the support it received on waste: no waste need is left
    assert lcc("topicWaste") not in taker.demand
    assert set(taker.demand) == {lcc("topicGreenSpace")}


def test_complementarity_with_a_helper(collab):
    helper, _ = pair(collab, "helper", "taker")
    third = collab.profiles[iri("city", "third")]
    # Third needs green space 1 (IDF ln(4/3)+1, two of three cities) and waste 0.5 (IDF 1, all
    # three); Helper offers waste 1.
    idf_green = math.log(4 / 3) + 1
    expected = 0.5 / (idf_green + 0.5)
    assert F.complementarity(collab, third, helper).score == pytest.approx(expected)
    assert expected == pytest.approx(0.279692, abs=1e-6)


def test_supporters_reach(small):
    alpha = small.profiles[iri("city", "alpha")]
    net = small.profiles[iri("network", "net1")]
    # Net One states no coverage: neither near nor far
    assert F.profile(small, alpha, net, mode="supporters").score == 0.5


def test_ranking_on_the_small_graph(small):
    result = match(small, "alfa")  # an alias, folded
    assert result.query == iri("city", "alpha")
    assert [c.label for c in result.candidates] == ["Beta", "Gamma"]
    assert result.considered == 2  # Empty City has nothing in common: not listed
    beta = result.candidates[0]
    assert beta.score == pytest.approx(
        (
            1.0 * beta.factors["topics"]
            + 1.5 * beta.factors["complementarity"]
            + 1.0 * beta.factors["profile"]
            + 1.0 * beta.factors["proximity"]
            + 0.5 * 1.0
        )
        / 5.0
    )


def test_a_city_with_no_data_gives_an_explained_empty_result(small):
    result = match(small, "Empty City")
    assert result.candidates == []
    assert result.considered == 0
    assert "has no facts that matching uses" in result.note
