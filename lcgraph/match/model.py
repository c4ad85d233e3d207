"""The data that matching works on and answers with: facts, evidence, profiles, results.

Everything here is plain data. A :class:`Fact` is one triple of the store with the named graphs
that state it, so that every reason can be traced back to its source documents; an
:class:`Evidence` is the chain of facts behind one statement ("Tokyo runs the 2050 Zero Emissions
Strategy, whose subject is decarbonisation").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Lit(NamedTuple):
    """An RDF literal: lexical value, datatype IRI (None for a language string), language tag."""

    value: str
    datatype: str | None = None
    language: str | None = None


#: An RDF term as matching sees it: an IRI (``str``) or a literal (:class:`Lit`).
Term = str | Lit

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True, slots=True)
class Fact:
    """One triple and the named graphs that state it."""

    s: str
    p: str
    o: Term
    graphs: tuple[str, ...]

    # Pickling (the match catalog's cache, lcgraph.match.load) by constructor arguments: the
    # slotted frozen dataclasses' own __setstate__ looks up fields() per object, 2.4x slower
    # to load for the million facts of a large catalog.
    def __reduce__(self):
        return (Fact, (self.s, self.p, self.o, self.graphs))

    def as_dict(self) -> dict[str, Any]:
        if isinstance(self.o, Lit):
            obj: dict[str, Any] = {
                "object": self.o.value,
                "object_type": "literal",
                "datatype": self.o.datatype,
                "language": self.o.language,
            }
        else:
            obj = {"object": self.o, "object_type": "iri", "datatype": None, "language": None}
        return {"subject": self.s, "predicate": self.p, **obj, "graphs": list(self.graphs)}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a profile holds an item: a short phrase and the facts it rests on.

    ``phrase`` completes a sentence about the actor ("runs «2050 Zero Emissions Strategy»").
    ``note`` says where lcgraph added a rule of its own (an indicator read as a topic).
    """

    phrase: str
    facts: tuple[Fact, ...]
    note: str | None = None

    def __reduce__(self):  # see Fact.__reduce__
        return (Evidence, (self.phrase, self.facts, self.note))

    @property
    def graphs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for fact in self.facts:
            for g in fact.graphs:
                seen.setdefault(g, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Item:
    """An entry of a profile (a topic, a need, a network...): its strength in (0, 1] and why."""

    strength: float
    evidence: Evidence

    def __reduce__(self):  # see Fact.__reduce__
        return (Item, (self.strength, self.evidence))


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """A target of an actor, with the values the profile factor compares."""

    iri: str
    label: str
    kind: str | None
    indicator: str | None
    percent: float | None
    percent_upper: float | None
    base_year: int | None
    target_year: int | None
    evidence: Evidence

    def __reduce__(self):  # see Fact.__reduce__
        return (
            TargetInfo,
            (
                self.iri,
                self.label,
                self.kind,
                self.indicator,
                self.percent,
                self.percent_upper,
                self.base_year,
                self.target_year,
                self.evidence,
            ),
        )


@dataclass
class Profile:
    """What the graph says about one actor, reduced to what matching compares.

    ``topics`` (what it works on), ``supply`` (what it has done or offers) and ``demand`` (what
    it targets or needs and has not done) map concept IRIs to :class:`Item`; ``reach`` maps the
    places a supporter covers to :class:`Item`. ``neighbours`` maps the actors, networks,
    programmes and events it is directly related to (partners, memberships, events...) to the
    evidence of that relation, phrased from this actor's side.
    """

    iri: str
    kind: str
    types: frozenset[str]
    label: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    country_evidence: Evidence | None = None
    world_region: str | None = None
    world_region_evidence: Evidence | None = None
    population: int | None = None
    population_evidence: Evidence | None = None
    area: float | None = None
    area_evidence: Evidence | None = None
    targets: list[TargetInfo] = field(default_factory=list)
    topics: dict[str, Item] = field(default_factory=dict)
    supply: dict[str, Item] = field(default_factory=dict)
    demand: dict[str, Item] = field(default_factory=dict)
    neighbours: dict[str, Evidence] = field(default_factory=dict)
    reach: dict[str, Item] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the profile holds nothing that any factor compares."""
        return not (
            self.topics
            or self.supply
            or self.demand
            or self.neighbours
            or self.targets
            or self.population
            or self.area
            or self.country
        )


@dataclass(frozen=True)
class Source:
    """A named graph cited by a reason, with its source document."""

    graph: str
    document: str | None
    label: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"graph": self.graph, "document": self.document, "label": self.label}


@dataclass(frozen=True)
class Reason:
    """A human-readable reason, with the facts it cites and their sources."""

    factor: str
    text: str
    facts: tuple[Fact, ...]
    sources: tuple[Source, ...] = ()
    evidence: tuple[str, ...] = ()
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "text": self.text,
            "facts": [f.as_dict() for f in self.facts],
            "sources": [s.as_dict() for s in self.sources],
            "evidence": list(self.evidence),
            "note": self.note,
        }


@dataclass(frozen=True)
class FactorResult:
    """A factor's score in [0, 1] for one pair, and the reasons behind it."""

    score: float
    reasons: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        # a ratio of float sums can land a rounding error outside [0, 1]
        object.__setattr__(self, "score", min(1.0, max(0.0, float(self.score))))


@dataclass
class Candidate:
    """One ranked candidate."""

    iri: str
    label: str
    kind: str
    country: str | None
    score: float
    factors: dict[str, float]
    already_collaborating: bool
    reasons: list[Reason]

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "country": self.country,
            "score": round(self.score, 6),
            "factors": {k: round(v, 6) for k, v in self.factors.items()},
            "already_collaborating": self.already_collaborating,
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass
class MatchResult:
    """The answer to one match request."""

    query: str
    query_label: str
    query_kind: str
    mode: str
    weights: dict[str, float]
    candidates: list[Candidate]
    considered: int
    note: str | None = None
    country: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": {"iri": self.query, "label": self.query_label, "kind": self.query_kind},
            "mode": self.mode,
            "country": self.country,
            "weights": dict(self.weights),
            "considered": self.considered,
            "note": self.note,
            "candidates": [c.as_dict() for c in self.candidates],
        }
