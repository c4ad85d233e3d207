"""Properties of matching on random graphs: determinism, bounds, symmetry, zero weights.

Hypothesis draws small random knowledge graphs (cities, regions, networks, programmes,
targets, collaborations with outcomes, countries in world regions) as quads.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lcgraph.match import build_catalog, match, match_naive
from lcgraph.match import factors as F
from lcgraph.match.model import Lit
from lcgraph.match.rank import screen_for
from lcgraph.match.screen import stack
from lcgraph.match.vocab import (
    ALT_LABEL,
    BROADER,
    CREATOR,
    LABEL,
    MEMBER_OF,
    RDF_TYPE,
    SPATIAL,
    SUBJECT,
    lcc,
)
from lcgraph.match.weights import DEFAULT_WEIGHTS

BASE = "https://w3id.org/lcc/"
G1, G2 = BASE + "graph/one", BASE + "graph/two"
XSD = "http://www.w3.org/2001/XMLSchema#"
TOPICS = [
    lcc(t)
    for t in (
        "topicWaste",
        "topicWasteToEnergy",
        "topicTransport",
        "topicFinance",
        "topicCapacityBuilding",
        "topicBuildingRetrofit",
        "topicEnergyEfficiency",
    )
]
KINDS = [
    lcc(k)
    for k in (
        "kindAbsolute",
        "kindBau",
        "kindIntensity",
        "kindLevel",
        "kindNeutrality",
        "kindShare",
    )
]
INDICATORS = [lcc(i) for i in ("indicatorGhg", "indicatorEnergyIntensity", "indicatorGreenArea")]
RUN_PROPS = [lcc("runBy"), CREATOR, SPATIAL, lcc("adoptedBy")]


def i(kind: str, n: int) -> str:
    return f"{BASE}id/{kind}/{kind[0]}{n}"


@st.composite
def graphs(draw):
    """Quads of a random small graph."""
    quads = []
    g = lambda: draw(st.sampled_from([G1, G2]))  # noqa: E731

    def add(s, p, o):
        quads.append((s, p, o, g()))

    n_city = draw(st.integers(2, 7))
    n_region = draw(st.integers(0, 2))
    n_net = draw(st.integers(0, 3))
    n_prog = draw(st.integers(0, 3))
    n_country = draw(st.integers(0, 3))
    actors = [i("city", n) for n in range(n_city)] + [i("region", n) for n in range(n_region)]
    nets = [i("network", n) for n in range(n_net)]
    progs = [i("programme", n) for n in range(n_prog)]
    countries = [i("country", n) for n in range(n_country)]
    add(lcc("topicWasteToEnergy"), BROADER, lcc("topicWaste"))
    add(lcc("topicBuildingRetrofit"), BROADER, lcc("topicEnergyEfficiency"))
    for c in countries:
        add(c, RDF_TYPE, lcc("Country"))
        add(c, lcc("isoAlpha2"), Lit(f"X{c[-1]}", XSD + "string"))
        if draw(st.booleans()):
            add(c, lcc("worldRegion"), BASE + "id/region/world" + draw(st.sampled_from("ab")))
    for n, a in enumerate(actors):
        add(a, RDF_TYPE, lcc("City") if "/city/" in a else lcc("Region"))
        add(a, LABEL, Lit(f"Actor {n}", None, "en"))
        if draw(st.booleans()):
            add(a, ALT_LABEL, Lit(f"Alias {n}", None, "en"))
        for topic in draw(st.lists(st.sampled_from(TOPICS), max_size=2)):
            add(a, SUBJECT, topic)
        if countries and draw(st.booleans()):
            add(a, lcc("country"), draw(st.sampled_from(countries)))
        if draw(st.booleans()):
            add(a, lcc("population"), Lit(str(draw(st.integers(1000, 10**7))), XSD + "integer"))
        if draw(st.booleans()):
            add(a, lcc("areaKm2"), Lit(str(draw(st.integers(5, 5000))), XSD + "decimal"))
        for t in range(draw(st.integers(0, 2))):
            target = f"{a}-t{t}"
            add(a, lcc("hasTarget"), target)
            add(target, RDF_TYPE, lcc("Target"))
            add(target, lcc("targetKind"), draw(st.sampled_from(KINDS)))
            add(target, lcc("indicator"), draw(st.sampled_from(INDICATORS)))
            if draw(st.booleans()):
                add(target, lcc("percent"), Lit(str(draw(st.integers(1, 90))), XSD + "decimal"))
            if draw(st.booleans()):
                add(
                    target,
                    lcc("baseYear"),
                    Lit(str(draw(st.sampled_from([1990, 2005, 2010]))), XSD + "gYear"),
                )
            if draw(st.booleans()):
                add(
                    target,
                    lcc("targetYear"),
                    Lit(str(draw(st.sampled_from([2020, 2030, 2050]))), XSD + "gYear"),
                )
    for n in nets:
        add(n, RDF_TYPE, lcc("Network"))
        for topic in draw(st.lists(st.sampled_from(TOPICS), max_size=2)):
            add(n, SUBJECT, topic)
        for a in draw(st.lists(st.sampled_from(actors), max_size=4, unique=True)):
            add(a, MEMBER_OF, n)
    for p in progs:
        add(p, RDF_TYPE, lcc("Programme"))
        for topic in draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2)):
            add(p, SUBJECT, topic)
        add(p, draw(st.sampled_from(RUN_PROPS)), draw(st.sampled_from(actors + nets or actors)))
        for a in draw(st.lists(st.sampled_from(actors), max_size=3, unique=True)):
            add(a, lcc("participatesIn"), p)
    for k in range(draw(st.integers(0, 2))):
        collab = f"{BASE}id/collaboration/c{k}"
        add(collab, RDF_TYPE, lcc("Collaboration"))
        partners = draw(st.lists(st.sampled_from(actors), min_size=2, max_size=3, unique=True))
        for a in partners:
            add(collab, lcc("partner"), a)
        for topic in draw(st.lists(st.sampled_from(TOPICS), max_size=2)):
            add(collab, SUBJECT, topic)
        if draw(st.booleans()):
            outcome = f"{BASE}id/outcome/o{k}"
            add(outcome, RDF_TYPE, lcc("Outcome"))
            add(collab, lcc("hasOutcome"), outcome)
            add(outcome, lcc("concerns"), draw(st.sampled_from(partners)))
            add(outcome, SUBJECT, draw(st.sampled_from(TOPICS)))
    return quads


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(graphs(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_facts(quads, rnd):
    shuffled = list(quads)
    rnd.shuffle(shuffled)
    one, two = build_catalog(quads, BASE), build_catalog(shuffled, BASE)
    for mode in ("peers", "supporters"):
        for a in one.profiles.values():
            if a.kind in ("city", "region"):
                r1 = match(one, a.iri, mode=mode, top=20).as_dict()
                assert r1 == match(two, a.iri, mode=mode, top=20).as_dict()
                assert r1 == match(one, a.iri, mode=mode, top=20).as_dict()


@PROPERTY
@given(graphs())
def test_scores_are_within_bounds_and_equal_the_factor_functions(quads):
    cat = build_catalog(quads, BASE)
    for mode in ("peers", "supporters"):
        screen = screen_for(cat, mode)
        for a in cat.profiles.values():
            arrays = screen.scores(a)
            for name, values in arrays.items():
                assert np.all((values >= 0) & (values <= 1)), name
            for k, b in enumerate(screen.profiles):
                for name, result in F.evaluate(cat, a, b, mode).items():
                    assert 0.0 <= result.score <= 1.0
                    assert arrays[name][k] == pytest.approx(result.score, abs=1e-9), (
                        name,
                        a.iri,
                        b.iri,
                    )
            for c in match(cat, a, mode=mode, top=50).candidates:
                assert 0.0 <= c.score <= 1.0


@PROPERTY
@given(graphs())
def test_peer_factors_are_symmetric(quads):
    cat = build_catalog(quads, BASE)
    peers = [p for p in cat.profiles.values() if p.kind in ("city", "region")]
    for a in peers:
        for b in peers:
            ab = F.evaluate(cat, a, b, "peers", explain=False)
            ba = F.evaluate(cat, b, a, "peers", explain=False)
            for name in F.FACTORS:
                assert ab[name].score == pytest.approx(ba[name].score, abs=1e-12), name


@PROPERTY
@given(graphs(), st.sampled_from(F.FACTORS), st.randoms(use_true_random=False))
def test_a_zero_weight_removes_the_factor(quads, factor, rnd):
    cat = build_catalog(quads, BASE)
    weights = {**DEFAULT_WEIGHTS, factor: 0.0}
    if factor != "novelty" and not any(weights[f] for f in F.FACTORS if f != "novelty"):
        return
    screen = screen_for(cat, "peers")
    for a in cat.profiles.values():
        scores = screen.scores(a)
        changed = dict(scores)
        changed[factor] = np.asarray([rnd.random() for _ in range(screen.n)])
        assert np.allclose(stack(scores, weights, F.FACTORS), stack(changed, weights, F.FACTORS))
        for c in match(cat, a, weights={factor: 0.0}, top=50).candidates:
            rest = [f for f in F.FACTORS if f != factor]
            expected = sum(weights[f] * c.factors[f] for f in rest) / sum(weights[f] for f in rest)
            assert c.score == pytest.approx(expected)


@PROPERTY
@given(graphs())
def test_match_agrees_with_the_naive_loop(quads):
    cat = build_catalog(quads, BASE)
    for mode in ("peers", "supporters"):
        for a in cat.profiles.values():
            fast = match(cat, a, mode=mode, top=5).as_dict()
            slow = match_naive(cat, a, mode=mode, top=5).as_dict()
            assert fast["candidates"] == slow["candidates"]
            assert fast["considered"] == slow["considered"]


def _fold_reference(text: str) -> str:
    """fold() as first written: per character, no fast path."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fold_equals_the_per_character_definition(text):
    from lcgraph.match.catalog import fold

    assert fold(text) == _fold_reference(text)


def test_fold_on_names_with_marks_and_symbols():
    from lcgraph.match.catalog import fold

    for name in ["Gāngnéung", "İstanbul", "Straße", "東京都", "Kuala_Lumpur", "ﬁve²", "a\u00a0b"]:
        assert fold(name) == _fold_reference(name), name
