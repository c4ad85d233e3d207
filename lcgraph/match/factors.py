"""The five factors of a match, for one pair of actors, with the reasons behind each score.

Each factor is a pure function ``factor(catalog, a, b) -> FactorResult`` with a score in [0, 1]:

``topics``
    What both work on: a weighted Jaccard index of their topic profiles, each topic weighted
    by its inverse document frequency among cities and regions (a rare shared topic says more
    than "decarbonisation", which nearly everyone targets).
``complementarity``
    Demand meets supply: the share of one actor's unmet needs (targets it has not acted on,
    what it received support on, what its region's platform offers) that the other has done or
    offers. Peers: both directions, combined as ``1 - (1 - x_ab)(1 - x_ba)``. Supporters: the
    supporter's offer against the city's needs.
``profile``
    Peers: similar size, area, kind and ambition of targets, base and target years, country
    and world region. Supporters: reach (does the supporter cover the city's country or world
    region?).
``proximity``
    Network proximity: the Adamic-Adar index of the two actors in the relation graph (shared
    networks, programmes and events, and brokers related to both), ``1 - exp(-AA)``.
``novelty``
    1 for a new pairing, 0 where the two are already related (partners, members): such
    candidates are flagged, not hidden.

:mod:`lcgraph.match.screen` computes the same scores for all candidates at once with numpy;
these functions are the definition, and explain the candidates that ranked.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from lcgraph.match import vocab as V
from lcgraph.match.catalog import Catalog
from lcgraph.match.model import Evidence, Fact, FactorResult, Item, Profile, Reason

__all__ = [
    "FACTORS",
    "adamic_adar",
    "complementarity",
    "coverage",
    "log_closeness",
    "mask_jaccard",
    "novelty",
    "numbers",
    "profile",
    "proximity",
    "topics",
    "weighted_jaccard",
]

FACTORS = ("topics", "complementarity", "profile", "proximity", "novelty")
MAX_REASONS = 3


# --- measures (pure, numeric) ------------------------------------------------------------


def weighted_jaccard(
    x: Mapping[str, float], y: Mapping[str, float], weight: Callable[[str], float]
) -> float:
    """Weighted Jaccard index ``Σ w·min(x, y) / Σ w·max(x, y)`` of two weighted sets.

    Computed as ``s_min / (s_x + s_y - s_min)`` (``max = x + y - min``), as the screen does.

    >>> weighted_jaccard({"a": 1.0, "b": 0.5}, {"a": 1.0}, lambda k: 1.0)
    0.6666666666666666
    >>> weighted_jaccard({"a": 1.0}, {"b": 1.0}, lambda k: 1.0)
    0.0
    """
    s_min = sum(weight(k) * min(v, y[k]) for k, v in x.items() if k in y)
    denom = (
        sum(weight(k) * v for k, v in x.items()) + sum(weight(k) * v for k, v in y.items()) - s_min
    )
    return s_min / denom if denom > 0 else 0.0


def coverage(
    demand: Mapping[str, float], supply: Mapping[str, float], weight: Callable[[str], float]
) -> float:
    """Share of a weighted demand that a supply meets: ``Σ w·min(d, s) / Σ w·d``.

    >>> coverage({"a": 1.0, "b": 1.0}, {"a": 1.0, "c": 1.0}, lambda k: 1.0)
    0.5
    >>> coverage({}, {"a": 1.0}, lambda k: 1.0)
    0.0
    """
    total = sum(weight(k) * v for k, v in demand.items())
    met = sum(weight(k) * min(v, supply[k]) for k, v in demand.items() if k in supply)
    return met / total if total > 0 else 0.0


def log_closeness(x: float, y: float, span: float = 2.0) -> float:
    """1 for equal values, falling linearly in orders of magnitude to 0 at ``span`` of them.

    >>> log_closeness(1000, 1000)
    1.0
    >>> log_closeness(1000, 10_000)
    0.5
    >>> log_closeness(10, 1_000_000)
    0.0
    """
    return max(0.0, 1.0 - abs(math.log10(x) - math.log10(y)) / span)


def mask_jaccard(x: int, y: int) -> float:
    """Jaccard index of two sets held as bit masks.

    >>> mask_jaccard(0b0110, 0b0011)
    0.3333333333333333
    >>> mask_jaccard(0, 0)
    0.0
    """
    union = (x | y).bit_count()
    return (x & y).bit_count() / union if union else 0.0


def adamic_adar(common: Iterable[str], weight: Callable[[str], float]) -> float:
    """Adamic-Adar index ``Σ 1/ln(1 + deg z)`` over common neighbours, as a score in [0, 1).

    Adamic & Adar (2003), Friends and neighbors on the Web, Social Networks 25(3),
    doi:10.1016/S0378-8733(03)00009-1; ``1 - exp(-AA)`` maps it into [0, 1).

    >>> round(adamic_adar(["n"], lambda z: 1 / math.log(3)), 4)  # one neighbour of degree 2
    0.5976
    """
    return 1.0 - math.exp(-sum(weight(z) for z in common))


# --- profile numbers ----------------------------------------------------------------------


class Numbers(NamedTuple):
    """The numbers of a profile that the profile factor compares."""

    population: int | None
    area: float | None
    kinds: int  # bit i set: the actor has a target of kind TARGET_KINDS[i]
    ambition: float | None  # the largest cut it targets, in percent (neutrality = 100)
    base_years: int  # bit y - BASE_YEAR_FIRST
    target_years: int  # bit y - TARGET_YEAR_FIRST


def _year_bit(year: int | None, first: int) -> int:
    if year is None or not 0 <= year - first <= V.YEAR_SPAN:
        return 0
    return 1 << (year - first)


def cut(target) -> float | None:
    """The cut a target aims at, in percent, or None when it is not a reduction."""
    if target.kind == V.NEUTRALITY_KIND:
        return 100.0
    if target.kind in V.CUT_KINDS and target.percent is not None:
        return target.percent
    if target.kind == V.LEVEL_KIND and target.percent is not None:
        level = target.percent_upper if target.percent_upper is not None else target.percent
        return 100.0 - level
    return None


def numbers(p: Profile) -> Numbers:
    kinds = base = years = 0
    ambition = None
    for t in p.targets:
        if t.kind in V.TARGET_KINDS:
            kinds |= 1 << V.TARGET_KINDS.index(t.kind)
        base |= _year_bit(t.base_year, V.BASE_YEAR_FIRST)
        years |= _year_bit(t.target_year, V.TARGET_YEAR_FIRST)
        c = cut(t)
        if c is not None and (ambition is None or c > ambition):
            ambition = c
    return Numbers(p.population, p.area, kinds, ambition, base, years)


def profile_parts(
    x: Numbers, y: Numbers, same_country: bool, same_region: bool
) -> dict[str, float]:
    """Similarity in [0, 1] of each part of two profiles; 0 where either lacks the data."""
    return {
        "population": log_closeness(x.population, y.population)
        if x.population and y.population
        else 0.0,
        "area": log_closeness(x.area, y.area) if x.area and y.area else 0.0,
        "target_kinds": mask_jaccard(x.kinds, y.kinds),
        "ambition": (
            max(0.0, 1.0 - abs(x.ambition - y.ambition) / 100.0)
            if x.ambition is not None and y.ambition is not None
            else 0.0
        ),
        "base_years": mask_jaccard(x.base_years, y.base_years),
        "target_years": mask_jaccard(x.target_years, y.target_years),
        "place": 1.0 if same_country else 0.5 if same_region else 0.0,
    }


def combine_parts(parts: Mapping[str, float]) -> float:
    total = sum(V.PROFILE_PARTS.values())
    return sum(V.PROFILE_PARTS[k] * v for k, v in parts.items()) / total


# --- reasons ------------------------------------------------------------------------------


def _reason(
    cat: Catalog,
    factor: str,
    text: str,
    facts: Iterable[Fact],
    skip: Iterable[str],
    note: str | None = None,
) -> Reason:
    unique: dict[tuple, Fact] = {}
    for f in facts:
        unique.setdefault((f.s, f.p, f.o), f)
    chain = tuple(unique.values())
    return Reason(factor, text, chain, cat.sources(chain), cat.quotes(chain, skip), note)


def _notes(*evidence: Evidence) -> str | None:
    notes = sorted({e.note for e in evidence if e.note})
    return "; ".join(notes) or None


def _q(label: str) -> str:
    return f"«{label}»"


def _strengths(items: Mapping[str, Item]) -> dict[str, float]:
    return {k: v.strength for k, v in items.items()}


# --- the factors --------------------------------------------------------------------------


def topics(cat: Catalog, a: Profile, b: Profile, explain: bool = True) -> FactorResult:
    """What both work on (weighted Jaccard of topics, weighted by IDF)."""
    score = weighted_jaccard(_strengths(a.topics), _strengths(b.topics), cat.topic_idf)
    if not explain or score == 0:
        return FactorResult(score)
    shared = sorted(
        (k for k in a.topics if k in b.topics),
        key=lambda k: (
            -cat.topic_idf(k) * min(a.topics[k].strength, b.topics[k].strength),
            cat.label(k),
        ),
    )
    reasons = []
    for k in shared[:MAX_REASONS]:
        ea, eb = a.topics[k].evidence, b.topics[k].evidence
        text = f"Both work on {cat.label(k)}: {a.label} {ea.phrase}; {b.label} {eb.phrase}."
        reasons.append(
            _reason(cat, "topics", text, ea.facts + eb.facts, (a.iri, b.iri), _notes(ea, eb))
        )
    return FactorResult(score, tuple(reasons))


def complementarity(
    cat: Catalog, a: Profile, b: Profile, mode: str = "peers", explain: bool = True
) -> FactorResult:
    """What one has done or offers that the other needs (see the module docstring)."""
    x_ab = coverage(_strengths(a.demand), _strengths(b.supply), cat.topic_idf)
    if mode == "peers":
        x_ba = coverage(_strengths(b.demand), _strengths(a.supply), cat.topic_idf)
        score = 1.0 - (1.0 - x_ab) * (1.0 - x_ba)
    else:
        x_ba = 0.0
        score = x_ab
    if not explain or score == 0:
        return FactorResult(score)
    # (contribution, label, giver, taker, concept)
    offers = []
    for giver, taker, share in ((b, a, x_ab), (a, b, x_ba)):
        if share == 0:
            continue
        total = sum(cat.topic_idf(k) * v.strength for k, v in taker.demand.items())
        for k, need in taker.demand.items():
            if k in giver.supply:
                weight = cat.topic_idf(k) * min(need.strength, giver.supply[k].strength) / total
                offers.append((-weight, cat.label(k), giver, taker, k))
    offers.sort(key=lambda o: (o[0], o[1], o[2].iri))
    reasons = []
    for _, label, giver, taker, k in offers[:MAX_REASONS]:
        es, ed = giver.supply[k].evidence, taker.demand[k].evidence
        text = (
            f"{giver.label} can offer {label}, which {taker.label} needs: "
            f"{giver.label} {es.phrase}; {taker.label} {ed.phrase}."
        )
        reasons.append(
            _reason(
                cat, "complementarity", text, es.facts + ed.facts, (a.iri, b.iri), _notes(es, ed)
            )
        )
    return FactorResult(score, tuple(reasons))


def profile(
    cat: Catalog, a: Profile, b: Profile, mode: str = "peers", explain: bool = True
) -> FactorResult:
    """Peers: similarity of profile. Supporters: reach of the supporter ``b`` over ``a``."""
    if mode != "peers":
        return reach(cat, a, b, explain)
    same_country = a.country is not None and a.country == b.country
    same_region = a.world_region is not None and a.world_region == b.world_region
    na, nb = numbers(a), numbers(b)
    parts = profile_parts(na, nb, same_country, same_region)
    score = combine_parts(parts)
    if not explain or score == 0:
        return FactorResult(score)
    order = sorted(
        (k for k, v in parts.items() if v > 0), key=lambda k: (-V.PROFILE_PARTS[k] * parts[k], k)
    )
    reasons = [_profile_reason(cat, k, parts[k], a, b, na, nb, same_country) for k in order]
    return FactorResult(score, tuple(r for r in reasons if r is not None))


def _profile_reason(
    cat: Catalog,
    part: str,
    sim: float,
    a: Profile,
    b: Profile,
    na: Numbers,
    nb: Numbers,
    same_country: bool,
) -> Reason | None:
    # "similar" only where the part is close; otherwise the facts alone, without a verdict
    skip = (a.iri, b.iri)
    if part == "population":
        ea, eb = a.population_evidence, b.population_evidence
        verdict = "Similar size" if sim >= 0.5 else "Size"
        text = f"{verdict}: {a.label} {ea.phrase}, {b.label} {eb.phrase}."
        return _reason(cat, "profile", text, ea.facts + eb.facts, skip)
    if part == "area":
        ea, eb = a.area_evidence, b.area_evidence
        verdict = "Similar area" if sim >= 0.5 else "Area"
        text = f"{verdict}: {a.label} {ea.phrase}, {b.label} {eb.phrase}."
        return _reason(cat, "profile", text, ea.facts + eb.facts, skip)
    if part == "place":
        if same_country:
            ea, eb = a.country_evidence, b.country_evidence
            text = f"Same country: both are in {_q(cat.label(a.country))}."
        else:
            ea, eb = a.world_region_evidence, b.world_region_evidence
            text = (
                f"Same world region {_q(cat.label(a.world_region))}: "
                f"{a.label} {ea.phrase}; {b.label} {eb.phrase}."
            )
        return _reason(cat, "profile", text, ea.facts + eb.facts, skip)
    if part == "ambition":
        ta = max((t for t in a.targets if cut(t) == na.ambition), key=lambda t: t.iri)
        tb = max((t for t in b.targets if cut(t) == nb.ambition), key=lambda t: t.iri)
        text = (
            f"{'Similar ambition' if sim >= 0.8 else 'Ambition'}: "
            f"{a.label} aims at {_ambition(ta)} ({_q(ta.label)}), "
            f"{b.label} at {_ambition(tb)} ({_q(tb.label)})."
        )
        facts = _target_facts(cat, ta, V.lcc("percent")) + _target_facts(cat, tb, V.lcc("percent"))
        return _reason(cat, "profile", text, facts, skip)
    if part == "target_kinds":
        shared = [
            k
            for k in V.TARGET_KINDS
            if any(t.kind == k for t in a.targets) and any(t.kind == k for t in b.targets)
        ]
        ta = [next(t for t in a.targets if t.kind == k) for k in shared]
        tb = [next(t for t in b.targets if t.kind == k) for k in shared]
        kinds = ", ".join(cat.label(k) for k in shared)
        text = f"Same kind of target ({kinds}): {a.label} {_targets(ta)}; {b.label} {_targets(tb)}."
        facts = [f for t in ta + tb for f in t.evidence.facts]
        return _reason(cat, "profile", text, facts, skip)
    prop, attr = (
        (V.lcc("baseYear"), "base_year")
        if part == "base_years"
        else (V.lcc("targetYear"), "target_year")
    )
    first = V.BASE_YEAR_FIRST if part == "base_years" else V.TARGET_YEAR_FIRST
    years_a = {getattr(t, attr) for t in a.targets if _year_bit(getattr(t, attr), first)}
    years_b = {getattr(t, attr) for t in b.targets if _year_bit(getattr(t, attr), first)}
    shared_years = sorted(years_a & years_b)
    ta = [t for t in a.targets if getattr(t, attr) in shared_years]
    tb = [t for t in b.targets if getattr(t, attr) in shared_years]
    noun = "base year" if part == "base_years" else "target year"
    years = ", ".join(str(y) for y in shared_years)
    text = (
        f"Same {noun}{'s' if len(shared_years) > 1 else ''} {years}: "
        f"{a.label} {_targets(ta)}; {b.label} {_targets(tb)}."
    )
    facts = [f for t in ta + tb for f in _target_facts(cat, t, prop)]
    return _reason(cat, "profile", text, facts, skip)


def _ambition(t) -> str:
    if t.kind == V.NEUTRALITY_KIND:
        return "carbon neutrality"
    return f"a {cut(t):g}% cut"


def _targets(targets) -> str:
    return "targets " + ", ".join(_q(t.label) for t in targets)


def _target_facts(cat: Catalog, t, prop: str) -> tuple[Fact, ...]:
    facts = tuple(t.evidence.facts[:1])  # holder lcc:hasTarget target
    for value in cat.facts.objects(t.iri, prop)[:1]:
        facts += (cat.facts.fact(t.iri, prop, value),)
    if t.kind:
        facts += (cat.facts.fact(t.iri, V.lcc("targetKind"), t.kind),)
    return facts


def place_keys(a: Profile, cat: Catalog) -> list[str]:
    """Places a supporter may cover to reach ``a``: itself, its regions, country, world region."""
    keys = [a.iri, *cat.facts.iris(a.iri, V.lcc("locatedIn"))]
    keys += [k for k in (a.country, a.world_region) if k]
    return keys


def reach(cat: Catalog, a: Profile, s: Profile, explain: bool = True) -> FactorResult:
    """Does the supporter ``s`` reach ``a``?

    1 where it covers (dcterms:spatial) ``a``, a region ``a`` is in, its country or world
    region, or where it is based in ``a``'s country; 0 where it covers other places only; 0.5
    where the graph does not say what it covers.
    """
    hits = [k for k in place_keys(a, cat) if k in s.reach]
    at_home = s.country is not None and s.country == a.country
    if not hits and not at_home:
        return FactorResult(0.0 if s.reach else 0.5)
    if not explain:
        return FactorResult(1.0)
    skip = (a.iri, s.iri)
    if not hits:
        text = f"Reach: {s.label} {s.country_evidence.phrase}, where {a.label} is."
        facts = s.country_evidence.facts + a.country_evidence.facts
        return FactorResult(1.0, (_reason(cat, "profile", text, facts, skip),))
    place = hits[0]
    es = s.reach[place].evidence
    facts = es.facts
    text = f"Reach: {s.label} {es.phrase}"
    if place == a.country and a.country_evidence:
        facts += a.country_evidence.facts
        text += f", where {a.label} is"
    elif place == a.world_region and a.world_region_evidence:
        facts += a.world_region_evidence.facts
        text += f"; {a.label} {a.world_region_evidence.phrase}"
    return FactorResult(1.0, (_reason(cat, "profile", text + ".", facts, skip),))


def common_neighbours(a: Profile, b: Profile) -> list[str]:
    return [z for z in a.neighbours if z in b.neighbours]


def proximity(cat: Catalog, a: Profile, b: Profile, explain: bool = True) -> FactorResult:
    """Shared networks, programmes and events, and brokers (Adamic-Adar over relations)."""
    common = common_neighbours(a, b)
    score = adamic_adar(common, cat.node_weight)
    if not explain or not common:
        return FactorResult(score)
    ranked = sorted(common, key=lambda z: (-cat.node_weight(z), cat.label(z), z))
    reasons = []
    for z in ranked[:MAX_REASONS]:
        ea, eb = a.neighbours[z], b.neighbours[z]
        profile_z = cat.profiles.get(z)
        if profile_z is not None and profile_z.kind in ("city", "region", "organisation"):
            text = (
                f"Broker: {a.label} {ea.phrase}, and {b.label} {eb.phrase}; "
                f"{_q(cat.label(z))} could introduce them."
            )
        else:
            text = f"Common ground: {a.label} {ea.phrase}, and {b.label} {eb.phrase}."
        reasons.append(_reason(cat, "proximity", text, ea.facts + eb.facts, (a.iri, b.iri)))
    return FactorResult(score, tuple(reasons))


def novelty(cat: Catalog, a: Profile, b: Profile, explain: bool = True) -> FactorResult:
    """1 for a new pairing; 0 (flagged, with the relation cited) where they are related."""
    relation = a.neighbours.get(b.iri)
    if relation is None:
        return FactorResult(1.0)
    if not explain:
        return FactorResult(0.0)
    text = f"Already related: {a.label} {relation.phrase}."
    return FactorResult(0.0, (_reason(cat, "novelty", text, relation.facts, (a.iri, b.iri)),))


def evaluate(
    cat: Catalog, a: Profile, b: Profile, mode: str, explain: bool = True
) -> dict[str, FactorResult]:
    """All five factors for one pair."""
    return {
        "topics": topics(cat, a, b, explain),
        "complementarity": complementarity(cat, a, b, mode, explain),
        "profile": profile(cat, a, b, mode, explain),
        "proximity": proximity(cat, a, b, explain),
        "novelty": novelty(cat, a, b, explain),
    }
