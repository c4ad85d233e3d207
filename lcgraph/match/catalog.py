"""Profiles of all actors, built once from the facts: the precomputation behind matching.

:func:`build_catalog` is a pure function of quads. It reads who is what (cities, regions,
networks, programmes, organisations, tools), and for each actor what it works on (topics), what
it has done or offers (supply), what it targets or needs and has not done (demand), its size,
targets, country and world region, and the relations around it (partners, networks,
programmes, events, runners) that network proximity walks. Every item keeps the facts it comes
from, so reasons can cite them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lcgraph.match import vocab as V
from lcgraph.match.facts import FactTable
from lcgraph.match.model import Evidence, Fact, Item, Lit, Profile, Source, TargetInfo
from lcgraph.match.read import Quad

__all__ = ["Catalog", "build_catalog", "fold"]


@dataclass
class Catalog:
    """Everything matching needs, computed once per store (see :func:`build_catalog`)."""

    base: str
    facts: FactTable
    profiles: dict[str, Profile]
    adjacency: dict[str, dict[str, Evidence]]
    labels: dict[str, str]
    broader: dict[str, str]
    idf: dict[str, float]
    documents: dict[str, Source]
    iso2: dict[str, str]
    unseen_idf: float = 1.0
    _weights: dict[str, float] = field(default_factory=dict, repr=False)
    #: Derived structures built on first use (screens per mode, the name index).
    cache: dict[str, object] = field(default_factory=dict, repr=False)

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or _slug(iri)

    def node_weight(self, node: str) -> float:
        """Adamic-Adar weight of a common neighbour: ``1 / ln(1 + degree)``."""
        weight = self._weights.get(node)
        if weight is None:
            weight = 1.0 / math.log(1 + max(1, len(self.adjacency.get(node, ()))))
            self._weights[node] = weight
        return weight

    def topic_idf(self, concept: str) -> float:
        """IDF of a concept among cities and regions; the largest for one none of them has."""
        idf = self.idf.get(concept)
        return self.unseen_idf if idf is None else idf

    def source(self, graph: str) -> Source:
        return self.documents.get(graph) or Source(graph, None, None)

    def sources(self, facts: Iterable[Fact]) -> tuple[Source, ...]:
        seen: dict[str, Source] = {}
        for fact in facts:
            for g in fact.graphs:
                if g not in seen:
                    seen[g] = self.source(g)
        return tuple(seen[g] for g in sorted(seen))

    def quotes(
        self, facts: Iterable[Fact], skip: Iterable[str] = (), limit: int = 2
    ) -> tuple[str, ...]:
        """Evidence quotes (``lcc:evidence``) of the nodes a chain of facts passes through.

        The subjects come first, from the end of the chain (the most specific node: the
        activity rather than its collaboration, the target rather than its holder), then the
        objects. Nodes in ``skip`` (the actors themselves, whose quotes are about them in
        general) are used only when no other node has a quote.
        """
        chain = list(facts)[::-1]
        nodes = [f.s for f in chain] + [f.o for f in chain if isinstance(f.o, str)]
        skip = set(skip)
        primary: list[str] = []
        fallback: list[str] = []
        for node in dict.fromkeys(nodes):
            for lit in self.facts.literals(node, V.lcc("evidence")):
                target = fallback if node in skip else primary
                if lit.value not in primary and lit.value not in fallback:
                    target.append(lit.value)
        return tuple((primary or fallback)[:limit])

    def country_code(self, country: str | None) -> str | None:
        return self.iso2.get(country) if country else None


def fold(text: str) -> str:
    """Fold a name for lookup: ASCII, lower case, single spaces between letters and digits.

    >>> fold("  Kuala-Lumpur  City Hall ")
    'kuala lumpur city hall'
    >>> fold("Gāngnéung")
    'gangneung'
    """
    if not text.isascii():
        import unicodedata

        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # runs of characters that are not str.isalnum() ([\W_]: \w is isalnum or "_") to one space
    return _NOT_ALNUM.sub(" ", text.casefold()).strip()


_NOT_ALNUM = re.compile(r"[\W_]+")


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _q(label: str) -> str:
    return f"«{label}»"


def _put(items: dict[str, Item], key: str, item: Item) -> None:
    """Keep the strongest evidence per key; ties go to the shorter, then the first by phrase."""
    old = items.get(key)
    if old is None or _item_key(item) < _item_key(old):
        items[key] = item


def _item_key(item: Item) -> tuple:
    return (-item.strength, len(item.evidence.facts), item.evidence.phrase)


def _year(lit) -> int | None:
    if isinstance(lit, Lit) and len(lit.value) >= 4 and lit.value[:4].isdigit():
        return int(lit.value[:4])
    return None


def _number(lit) -> float | None:
    if not isinstance(lit, Lit):
        return None
    try:
        value = float(lit.value)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


#: Relations stated by one triple ``x p y``: the predicate, then the phrase from x's side about
#: y, and from y's side about x. The first relation found between two nodes is the one cited.
_RELATIONS: tuple[tuple[str, str, str], ...] = (
    (V.MEMBER_OF, "is a member of {}", "has member {}"),
    (V.lcc("participatesIn"), "takes part in {}", "has participant {}"),
    (V.lcc("pilotCity"), "pilots in {}", "is a pilot city of {}"),
    (V.lcc("runBy"), "is run by {}", "runs {}"),
    (V.lcc("adoptedBy"), "was adopted by {}", "adopted {}"),
    (V.CREATOR, "was created by {}", "created {}"),
    (V.lcc("secretariat"), "has the secretariat {}", "is the secretariat of {}"),
    (V.lcc("fundingSource"), "is funded by {}", "funds {}"),
    (V.SPATIAL, "covers {}", "is covered by {}"),
    (V.lcc("governedBy"), "is governed by {}", "governs {}"),
    (V.lcc("locatedIn"), "is located in {}", "contains {}"),
    (V.UNIT_OF, "is a unit of {}", "has the unit {}"),
    (V.lcc("linkedWith"), "is linked with {}", "is linked with {}"),
    (V.lcc("ledTo"), "led to {}", "was prepared by {}"),
    (V.lcc("host"), "was hosted by {}", "hosted {}"),
    (V.lcc("organiser"), "was organised by {}", "organised {}"),
    (V.lcc("participant"), "had the participant {}", "took part in {}"),
    (V.lcc("place"), "took place in {}", "was the place of {}"),
)


class _Builder:
    def __init__(self, facts: FactTable, base: str):
        self.f = facts
        self.base = base
        self.types: dict[str, set[str]] = {}
        for s, o in facts.pairs(V.RDF_TYPE):
            if isinstance(o, str):
                self.types.setdefault(s, set()).add(o)
        self.labels = self._labels()
        self.kinds = {iri: k for iri in self.types if (k := self._kind(iri))}
        self.topics: dict[str, dict[str, Item]] = {a: {} for a in self.kinds}
        self.supply: dict[str, dict[str, Item]] = {a: {} for a in self.kinds}
        self.need: dict[str, dict[str, Item]] = {a: {} for a in self.kinds}
        self.adjacency: dict[str, dict[str, Evidence]] = {}
        self.broader = {s: o for s, o in facts.pairs(V.BROADER) if isinstance(o, str) and s != o}

    # --- who is what ------------------------------------------------------------------
    def _labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for prop in (V.ALT_LABEL, V.LABEL):  # rdfs:label wins over an alias
            for s in self.f.subjects_of(prop):
                lits = self.f.literals(s, prop)
                english = [lit for lit in lits if (lit.language or "").lower().startswith("en")]
                chosen = (english or lits)[:1]
                if chosen:
                    labels[s] = chosen[0].value
        return labels

    def _kind(self, iri: str) -> str | None:
        if not iri.startswith(self.base + "id/"):
            return None
        types = self.types.get(iri, set())
        if V.CITY in types:
            return "city"
        if V.REGION in types and V.WORLD_REGION not in types:
            return "region"
        if types & {V.NETWORK, V.PLATFORM}:
            return "network"
        if types & {V.PROGRAMME, V.POLICY}:
            return "programme"
        if V.TOOL in types:
            return "tool"
        if types & V.ORG_TYPES:
            return "organisation"
        # a unit is an actor only where it is a network (C40's regional network is one)
        return None

    def is_node(self, iri: str) -> bool:
        """Nodes of the relation graph: actors, and events (hubs people meet at)."""
        return iri in self.kinds or V.EVENT in self.types.get(iri, ())

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or _slug(iri)

    def fact(self, s: str, p: str, o) -> Fact:
        return self.f.fact(s, p, o)

    # --- relations ---------------------------------------------------------------------
    def edge(self, u: str, v: str, facts: tuple[Fact, ...], uv: str, vu: str) -> None:
        if u == v or not (self.is_node(u) and self.is_node(v)):
            return
        # the first evidence found for a pair wins: passes run in order of how telling they are
        self.adjacency.setdefault(u, {}).setdefault(v, Evidence(uv, facts))
        self.adjacency.setdefault(v, {}).setdefault(u, Evidence(vu, facts))

    def relations(self, collaborations: list[tuple[str, list[str]]]) -> None:
        L = self.label
        for collab, partners in collaborations:
            for i, a in enumerate(partners):
                for b in partners[i + 1 :]:
                    facts = (
                        self.fact(collab, V.lcc("partner"), a),
                        self.fact(collab, V.lcc("partner"), b),
                    )
                    self.edge(
                        a,
                        b,
                        facts,
                        f"is a partner of {_q(L(b))} in {_q(L(collab))}",
                        f"is a partner of {_q(L(a))} in {_q(L(collab))}",
                    )
        for agreement in self.f.subjects_of(V.lcc("signatory")):
            signatories = self.f.iris(agreement, V.lcc("signatory"))
            for i, a in enumerate(signatories):
                for b in signatories[i + 1 :]:
                    facts = (
                        self.fact(agreement, V.lcc("signatory"), a),
                        self.fact(agreement, V.lcc("signatory"), b),
                    )
                    self.edge(
                        a,
                        b,
                        facts,
                        f"signed {_q(L(agreement))} with {_q(L(b))}",
                        f"signed {_q(L(agreement))} with {_q(L(a))}",
                    )
        # memberships: the org:Membership node (role, quote) before the direct org:memberOf
        co_sponsor = V.lcc("roleCoSponsor")
        for m in self.f.subjects_of(V.ORGANIZATION):
            for member in self.f.iris(m, V.MEMBER):
                for network in self.f.iris(m, V.ORGANIZATION):
                    roles = self.f.iris(m, V.ROLE)
                    verb = "co-sponsors" if co_sponsor in roles else "is a member of"
                    facts = (self.fact(m, V.MEMBER, member), self.fact(m, V.ORGANIZATION, network))
                    self.edge(
                        member,
                        network,
                        facts,
                        f"{verb} {_q(L(network))}",
                        f"has {'co-sponsor' if co_sponsor in roles else 'member'} {_q(L(member))}",
                    )
        for prop, from_subject, from_object in _RELATIONS:
            for x, y in self.f.pairs(prop):
                if not isinstance(y, str):
                    continue
                if prop == V.SPATIAL and self.kinds.get(y) not in V.PEER_KINDS:
                    continue  # a programme for a country is not a relation to each of its cities
                self.edge(
                    x,
                    y,
                    (self.fact(x, prop, y),),
                    from_subject.format(_q(L(y))),
                    from_object.format(_q(L(x))),
                )

    # --- topics, supply, need ---------------------------------------------------------
    def add(
        self,
        table: dict[str, dict[str, Item]],
        actor: str,
        concept: str,
        strength: float,
        phrase: str,
        facts: tuple[Fact, ...],
        note: str | None = None,
    ) -> None:
        if actor in table and isinstance(concept, str):
            _put(table[actor], concept, Item(strength, Evidence(phrase, facts, note)))

    def subjects(self, thing: str) -> list[tuple[str, Fact]]:
        return [(t, self.fact(thing, V.SUBJECT, t)) for t in self.f.iris(thing, V.SUBJECT)]

    def own_subjects(self) -> None:
        S = V.STRENGTH
        for actor, kind in self.kinds.items():
            for topic, fact in self.subjects(actor):
                self.add(
                    self.topics, actor, topic, S["subject"], "lists it among its subjects", (fact,)
                )
                if kind in V.SUPPORTER_KINDS:
                    # what a network, programme, organisation or tool works on is what it offers
                    self.add(self.supply, actor, topic, S["subject"], "works on it", (fact,))
                else:
                    self.add(
                        self.need,
                        actor,
                        topic,
                        S["own_subject_need"],
                        "lists it among its subjects",
                        (fact,),
                    )
            for area in self.f.iris(actor, V.lcc("activityArea")):
                link = self.fact(actor, V.lcc("activityArea"), area)
                for topic, fact in self.subjects(area):
                    phrase = f"has the activity area {_q(self.label(area))}"
                    self.add(self.topics, actor, topic, S["activity_area"], phrase, (link, fact))
                    self.add(self.supply, actor, topic, S["activity_area"], phrase, (link, fact))

    def targets(self) -> dict[str, list[TargetInfo]]:
        S = V.STRENGTH
        has_target = V.lcc("hasTarget")
        out: dict[str, list[TargetInfo]] = {}
        for actor in self.f.subjects_of(has_target):
            if actor not in self.kinds:
                continue
            for t in self.f.iris(actor, has_target):
                link = self.fact(actor, has_target, t)
                info = self.target_info(t, link)
                out.setdefault(actor, []).append(info)
                phrase = f"targets it: {_q(info.label)}"
                for prop, rule in (
                    (V.lcc("indicator"), V.INDICATOR_TOPICS),
                    (V.lcc("targetKind"), V.KIND_TOPICS),
                ):
                    for value in self.f.iris(t, prop):
                        topic = rule.get(value)
                        if topic:
                            facts = (link, self.fact(t, prop, value))
                            note = (
                                f"lcgraph reads {_q(self.label(value))} "
                                f"as the topic {_q(self.label(topic))}"
                            )
                            self.add(self.topics, actor, topic, S["target"], phrase, facts, note)
                            self.add(self.need, actor, topic, S["target"], phrase, facts, note)
        return out

    def target_info(self, t: str, link: Fact) -> TargetInfo:
        def one(prop: str):
            values = self.f.objects(t, prop)
            return values[0] if values else None

        kind, indicator = one(V.lcc("targetKind")), one(V.lcc("indicator"))
        facts = [link]
        for prop, value in ((V.lcc("targetKind"), kind), (V.lcc("indicator"), indicator)):
            if value is not None:
                facts.append(self.fact(t, prop, value))
        return TargetInfo(
            iri=t,
            label=self.label(t),
            kind=kind if isinstance(kind, str) else None,
            indicator=indicator if isinstance(indicator, str) else None,
            percent=_number(one(V.lcc("percent"))),
            percent_upper=_number(one(V.lcc("percentUpper"))),
            base_year=_year(one(V.lcc("baseYear"))),
            target_year=_year(one(V.lcc("targetYear"))),
            evidence=Evidence(f"targets {_q(self.label(t))}", tuple(facts)),
        )

    def programmes(self) -> None:
        S = V.STRENGTH
        runner_props = (
            (V.lcc("runBy"), "runs"),
            (V.lcc("adoptedBy"), "adopted"),
            (V.CREATOR, "created"),
            (V.SPATIAL, "is covered by"),
        )
        for prop, verb in runner_props:
            for thing, actor in self.f.pairs(prop):
                if not isinstance(actor, str) or actor not in self.kinds or thing == actor:
                    continue
                if self.kinds.get(thing) not in V.SUPPORTER_KINDS:
                    continue  # documents have creators too; they are not things an actor runs
                link = self.fact(thing, prop, actor)
                phrase = f"{verb} {_q(self.label(thing))}"
                for topic, fact in self.subjects(thing):
                    self.add(self.topics, actor, topic, S["runs"], phrase, (link, fact))
                    self.add(self.supply, actor, topic, S["runs"], phrase, (link, fact))
        taking_part = (
            (V.lcc("participatesIn"), False, "takes part in"),
            (V.lcc("pilotCity"), True, "is a pilot city of"),
        )
        for prop, inverse, verb in taking_part:
            for s, o in self.f.pairs(prop):
                if not isinstance(o, str):
                    continue
                actor, programme = (o, s) if inverse else (s, o)
                if actor not in self.kinds:
                    continue
                link = self.fact(s, prop, o)
                phrase = f"{verb} {_q(self.label(programme))}"
                for topic, fact in self.subjects(programme):
                    self.add(self.topics, actor, topic, S["programme"], phrase, (link, fact))
                    # a selected model or pilot city has projects on the programme's topics
                    self.add(self.supply, actor, topic, S["programme"], phrase, (link, fact))
        for actor, network in self.f.pairs(V.MEMBER_OF):
            if actor in self.kinds and isinstance(network, str):
                link = self.fact(actor, V.MEMBER_OF, network)
                for topic, fact in self.subjects(network):
                    self.add(
                        self.topics,
                        actor,
                        topic,
                        S["network"],
                        f"belongs to {_q(self.label(network))}",
                        (link, fact),
                    )

    def collaborations(self) -> list[tuple[str, list[str]]]:
        S = V.STRENGTH
        P = V.lcc
        found = []
        for collab in self.f.subjects_of(P("partner")):
            partners = self.f.iris(collab, P("partner"))
            found.append((collab, partners))
            # activities and projects, and their outcomes, with the chain of facts to each
            parts: list[tuple[str, tuple[Fact, ...]]] = []
            for prop in (P("hasActivity"), P("hasProject")):
                for part in self.f.iris(collab, prop):
                    chain = (self.fact(collab, prop, part),)
                    parts.append((part, chain))
                    for sub in self.f.iris(part, P("hasActivity")):
                        parts.append((sub, (*chain, self.fact(part, P("hasActivity"), sub))))
            outcomes: list[tuple[str, tuple[Fact, ...]]] = [
                (o, (self.fact(collab, P("hasOutcome"), o),))
                for o in self.f.iris(collab, P("hasOutcome"))
            ]
            for part, chain in parts:
                outcomes += [
                    (o, (*chain, self.fact(part, P("hasOutcome"), o)))
                    for o in self.f.iris(part, P("hasOutcome"))
                ]
            concerned = {c for o, _ in outcomes for c in self.f.iris(o, P("concerns"))}
            for region in list(concerned):  # an authority stands for its region and back
                concerned.update(self.f.iris(region, P("governedBy")))
                concerned.update(self.f.subjects(P("governedBy"), region))
            recipients = [p for p in partners if p in concerned]
            helpers = [p for p in partners if p not in concerned] if recipients else []
            c_label = _q(self.label(collab))
            subjects = [(t, (f,)) for t, f in self.subjects(collab)]
            part_subjects = [
                (t, (*chain, f)) for part, chain in parts for t, f in self.subjects(part)
            ]
            for partner in partners:
                link = self.fact(collab, P("partner"), partner)
                for topic, chain in subjects:
                    self.add(
                        self.topics,
                        partner,
                        topic,
                        S["collaboration"],
                        f"is a partner in {c_label}",
                        (link, *chain),
                    )
                for topic, chain in part_subjects:
                    self.add(
                        self.topics,
                        partner,
                        topic,
                        S["activity"],
                        f"is a partner in {c_label}, activity {_q(self.label(chain[-1].s))}",
                        (link, *chain),
                    )
                for topic, chain in subjects + part_subjects:
                    if partner in helpers:
                        others = ", ".join(_q(self.label(r)) for r in recipients)
                        self.add(
                            self.supply,
                            partner,
                            topic,
                            S["helper"],
                            f"helped {others} on it in {c_label}",
                            (link, *chain),
                        )
                    elif partner in recipients and helpers:
                        others = ", ".join(_q(self.label(h)) for h in helpers)
                        self.add(
                            self.need,
                            partner,
                            topic,
                            S["recipient"],
                            f"received support on it from {others} in {c_label}",
                            (link, *chain),
                        )
        return found

    def outcomes(self) -> None:
        """Outcomes (of collaborations, activities, events) and the actors they concern."""
        S = V.STRENGTH
        concerns = V.lcc("concerns")
        for outcome in self.f.subjects_of(concerns):
            if V.OUTCOME not in self.types.get(outcome, ()):
                continue  # discrepancies concern entities too
            subjects = self.subjects(outcome)
            phrase = f"achieved the outcome {_q(self.label(outcome))}"
            for actor in self.f.iris(outcome, concerns):
                if actor not in self.kinds:
                    continue
                link = self.fact(outcome, concerns, actor)
                for topic, fact in subjects:
                    self.add(self.topics, actor, topic, S["outcome"], phrase, (link, fact))
                    if topic not in V.SERVICE_TOPICS:
                        self.add(self.supply, actor, topic, S["outcome"], phrase, (link, fact))

    def platform_needs(
        self, countries: dict[str, tuple[str, Fact]], regions: dict[str, tuple[str, Fact]]
    ) -> None:
        """What a platform's activity areas offer to the cities of its world region."""
        S = V.STRENGTH
        by_region: dict[str, list[tuple[str, Fact, Fact]]] = {}
        for actor, (country, c_fact) in sorted(countries.items()):
            if self.kinds.get(actor) in V.PEER_KINDS and country in regions:
                region, r_fact = regions[country]
                by_region.setdefault(region, []).append((actor, c_fact, r_fact))
        for platform, scope in self.f.pairs(V.SPATIAL):
            if V.PLATFORM not in self.types.get(platform, ()) or scope not in by_region:
                continue
            scope_fact = self.fact(platform, V.SPATIAL, scope)
            for area in self.f.iris(platform, V.lcc("activityArea")):
                area_fact = self.fact(platform, V.lcc("activityArea"), area)
                phrase = (
                    f"is in {_q(self.label(scope))}, where {_q(self.label(platform))} "
                    f"offers {_q(self.label(area))}"
                )
                for topic, fact in self.subjects(area):
                    for actor, c_fact, r_fact in by_region[scope]:
                        facts = (c_fact, r_fact, scope_fact, area_fact, fact)
                        self.add(self.need, actor, topic, S["platform_need"], phrase, facts)

    def with_broader(self, items: dict[str, Item]) -> dict[str, Item]:
        """The items plus their broader concepts (skos:broader) at half strength."""
        out = dict(items)
        for concept, item in sorted(items.items()):
            parent = self.broader.get(concept)
            if parent is None:
                continue
            link = self.fact(concept, V.BROADER, parent)
            ev = item.evidence
            broader = Item(
                item.strength * V.STRENGTH["broader"],
                Evidence(
                    f"{ev.phrase} (on {_q(self.label(concept))}, a narrower topic)",
                    (*ev.facts, link),
                    ev.note,
                ),
            )
            _put(out, parent, broader)
        return out


def build_catalog(quads: Iterable[Quad], base: str) -> Catalog:
    """Build every actor's profile from quads (see the module docstring).

    ``base`` is the instance base IRI (``settings.base``): only ``{base}id/...`` nodes are actors.
    """
    facts = quads if isinstance(quads, FactTable) else FactTable(quads)
    b = _Builder(facts, base)
    b.own_subjects()
    targets = b.targets()
    b.programmes()
    collaborations = b.collaborations()
    b.outcomes()
    b.relations(collaborations)

    countries: dict[str, tuple[str, Fact]] = {}
    for actor, country in facts.pairs(V.lcc("country")):
        if actor in b.kinds and isinstance(country, str) and actor not in countries:
            countries[actor] = (country, facts.fact(actor, V.lcc("country"), country))
    regions: dict[str, tuple[str, Fact]] = {}
    for country, region in facts.pairs(V.lcc("worldRegion")):
        if isinstance(region, str) and country not in regions:
            regions[country] = (region, facts.fact(country, V.lcc("worldRegion"), region))
    b.platform_needs(countries, regions)

    profiles: dict[str, Profile] = {}
    for actor, kind in sorted(b.kinds.items()):
        profile = Profile(
            iri=actor,
            kind=kind,
            types=frozenset(b.types.get(actor, ())),
            label=b.label(actor),
            aliases=tuple(lit.value for lit in facts.literals(actor, V.ALT_LABEL)),
            targets=targets.get(actor, []),
        )
        if actor in countries:
            profile.country, fact = countries[actor]
            profile.country_evidence = Evidence(f"is in {_q(b.label(profile.country))}", (fact,))
            if profile.country in regions:
                profile.world_region, r_fact = regions[profile.country]
                profile.world_region_evidence = Evidence(
                    f"is in {_q(b.label(profile.country))}, in {_q(b.label(profile.world_region))}",
                    (fact, r_fact),
                )
        _size(profile, facts)
        topics = b.with_broader(b.topics[actor])
        supply = b.with_broader(b.supply[actor])
        profile.topics = topics
        profile.supply = supply
        profile.demand = _unmet(b.need[actor], supply)
        profile.neighbours = b.adjacency.get(actor, {})
        profile.reach = _reach(b, actor)
        profiles[actor] = profile

    peers = [p for p in profiles.values() if p.kind in V.PEER_KINDS]
    df: dict[str, int] = {}
    for p in peers:
        for concept in p.topics:
            df[concept] = df.get(concept, 0) + 1
    n = len(peers)
    idf = {concept: math.log((1 + n) / (1 + k)) + 1.0 for concept, k in df.items()}

    return Catalog(
        base=base,
        facts=facts,
        profiles=profiles,
        adjacency=b.adjacency,
        labels=b.labels,
        broader=b.broader,
        idf=idf,
        documents=_documents(b),
        iso2=_iso_codes(facts),
        unseen_idf=math.log(1 + n) + 1.0,
    )


def _iso_codes(facts: FactTable) -> dict[str, str]:
    codes = {}
    for country in facts.subjects_of(V.lcc("isoAlpha2")):
        lits = facts.literals(country, V.lcc("isoAlpha2"))
        if lits:
            codes[country] = lits[0].value.upper()
    return codes


def _unmet(need: dict[str, Item], supply: dict[str, Item]) -> dict[str, Item]:
    """Needs less what the actor has done or offers itself: only what is left is demand."""
    demand = {}
    for concept, item in need.items():
        done = supply[concept].strength if concept in supply else 0.0
        left = round(item.strength - done, 12)
        if left > 0:
            demand[concept] = Item(left, item.evidence)
    return demand


def _size(profile: Profile, facts: FactTable) -> None:
    for prop, phrase in (
        (V.lcc("population"), "has {} people"),
        (V.lcc("geonamesPopulation"), "has {} people (GeoNames)"),
    ):
        for lit in facts.literals(profile.iri, prop):
            value = _number(lit)
            if value is not None and value > 0:
                profile.population = int(value)
                profile.population_evidence = Evidence(
                    phrase.format(f"{int(value):,}"), (facts.fact(profile.iri, prop, lit),)
                )
                break
        if profile.population is not None:
            break
    for lit in facts.literals(profile.iri, V.lcc("areaKm2")):
        value = _number(lit)
        if value is not None and value > 0:
            profile.area = value
            profile.area_evidence = Evidence(
                f"covers {value:,.0f} km²", (facts.fact(profile.iri, V.lcc("areaKm2"), lit),)
            )
            break


def _reach(b: _Builder, actor: str) -> dict[str, Item]:
    """Places a (would-be) supporter covers (dcterms:spatial).

    Its own country (lcc:country) is where it is based, not a limit on where it works (an
    agency for international cooperation is based at home): reach uses it only as a plus.
    """
    reach: dict[str, Item] = {}
    for place in b.f.iris(actor, V.SPATIAL):
        fact = b.fact(actor, V.SPATIAL, place)
        _put(reach, place, Item(1.0, Evidence(f"covers {_q(b.label(place))}", (fact,))))
    return reach


def _documents(b: _Builder) -> dict[str, Source]:
    """The source document of each named graph: its SourceDocument or dataset node."""
    found: dict[str, list[str]] = {}
    for doc, t in b.f.pairs(V.RDF_TYPE):
        if t in (V.SOURCE_DOCUMENT, V.DCAT_DATASET):
            for g in b.f.graphs(doc, V.RDF_TYPE, t):
                found.setdefault(g, []).append(doc)
    documents = {}
    for graph, docs in found.items():
        slug = _slug(graph)
        same = [d for d in docs if _slug(d) == slug]
        doc = sorted(same or docs)[0]
        documents[graph] = Source(graph, doc, b.label(doc))
    return documents
