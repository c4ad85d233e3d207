"""Names to IRIs: find the entities a change speaks of, and mint IRIs for new ones.

An :class:`EntityIndex` is a snapshot of the store's entities (``{base}id/{kind}/{slug}``) with
their labels, aliases and country, their concepts (topics, target kinds, indicators...) and the
IRIs already in use. Ingest asks it three things:

* *resolve* a reference typed by a person (a CSV cell): an IRI, a CURIE (``city:tokyo``), an ISO
  code for a country, or a name, matched on labels and aliases after folding (case, accents,
  punctuation). A name that fits several entities is an error that lists them: the person must
  give the IRI. Nothing is guessed.
* *match* an unnamed new entity (a CSV row, a blank node) by name, kind and country: the same name
  in the same country is the same entity (the rule of ``shapes/places.ttl``); the same name in
  another country is another entity.
* *mint* an IRI ``{base}id/{kind}/{slug}`` that collides with nothing in the store or the change.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from lcgraph.config import KINDS, Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import all_prefixes

__all__ = ["CLASS_KINDS", "Entity", "EntityIndex", "fold_name", "shorten", "slugify"]

LCC = "https://w3id.org/lcc/ontology#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCAT = "http://www.w3.org/ns/dcat#"

#: The kind of IRI minted for a node of each class (the first class of a node that is listed).
CLASS_KINDS: dict[str, str] = {
    f"{LCC}City": "city",
    f"{LCC}Region": "region",
    f"{LCC}WorldRegion": "region",
    f"{LCC}Country": "country",
    f"{LCC}Network": "network",
    f"{LCC}Platform": "network",
    f"{LCC}GovernmentBody": "organisation",
    f"{LCC}InternationalOrganization": "organisation",
    f"{LCC}ResearchOrganization": "organisation",
    f"{LCC}Company": "organisation",
    f"{LCC}NonProfitOrganization": "organisation",
    f"{ORG}OrganizationalUnit": "organisation",
    f"{ORG}Organization": "organisation",
    f"{LCC}Programme": "programme",
    f"{LCC}Policy": "programme",
    f"{LCC}Tool": "tool",
    f"{LCC}Collaboration": "collaboration",
    f"{LCC}Agreement": "agreement",
    f"{LCC}Event": "event",
    f"{FOAF}Person": "person",
    f"{LCC}Target": "target",
    f"{LCC}Activity": "activity",
    f"{LCC}Outcome": "outcome",
    f"{LCC}Facility": "facility",
    f"{LCC}SourceDocument": "document",
    f"{FOAF}Document": "document",
    f"{DCAT}Dataset": "document",
    f"{LCC}Discrepancy": "discrepancy",
}

#: The stem of the local names of each concept scheme's concepts (``lcc:kindBau``).
SCHEME_STEMS = {
    "TargetKindScheme": "kind",
    "IndicatorScheme": "indicator",
    "HorizonScheme": "horizon",
    "TopicScheme": "topic",
    "SectorScheme": "sector",
    "RoleScheme": "role",
    "StatusScheme": "status",
    "ActivityKindScheme": "activity",
    "EventTypeScheme": "event",
    "DiscrepancyKindScheme": "discrepancy",
}

#: Kinds whose entities are told apart by country as well as by name.
PLACE_KINDS = frozenset({"city", "region"})

_SLUG_MAX = 60


def fold_name(text: str) -> str:
    """Fold a name for matching: accents dropped, case folded, words of letters and digits.

    >>> fold_name("  Kōchi-shi ") == fold_name("kochi shi")
    True
    >>> fold_name("C40 Cities"), fold_name("Ōita–Suwon"), fold_name("東京都")
    ('c40 cities', 'oita suwon', '東京都')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(w for w in re.split(r"[\W_]+", plain) if w)


def slugify(text: str, limit: int = _SLUG_MAX) -> str:
    """A slug: lower-case ASCII words joined by single hyphens, cut at a word boundary.

    >>> slugify("Kuala Lumpur City Hall")
    'kuala-lumpur-city-hall'
    >>> slugify("Ōita–Suwon (MoU)")
    'oita-suwon-mou'
    >>> slugify("東京都")  # no ASCII at all: the caller falls back to another name
    ''
    """
    words = [re.sub(r"[^a-z0-9]", "", w) for w in fold_name(text).split()]
    slug = ""
    for word in filter(None, words):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit and slug:
            break
        slug = candidate[:limit]
    return slug


@dataclass
class Entity:
    """An entity of the store, as the index knows it."""

    iri: str
    kind: str
    label: str | None = None
    names: set[str] = field(default_factory=set)
    country: str | None = None
    types: set[str] = field(default_factory=set)

    def describe(self, index: EntityIndex) -> str:
        where = f", {index.country_code(self.country) or self.country}" if self.country else ""
        return f"{index.curie(self.iri)} ({self.label or '?'}{where})"


class EntityIndex:
    """A snapshot of the store's entities, concepts and used IRIs (see the module docstring)."""

    def __init__(self, store: ox.Store, settings: Settings):
        self.settings = settings
        self.base_id = f"{settings.base}id/"
        self.prefixes = all_prefixes(settings.base)
        self.entities: dict[str, Entity] = {}
        self._by_name: dict[tuple[str, str], list[Entity]] = {}
        self.used: set[str] = set()
        self.country_codes: dict[str, str] = {}
        self.concepts: dict[str, dict[str, str]] = {}
        self._load_entities(store)
        self._load_used(store)
        self._load_concepts(store)

    # --- loading ----------------------------------------------------------------------
    def _load_entities(self, store: ox.Store) -> None:
        # the base comes from settings (an IRI), so quoting it as a SPARQL string is safe; it
        # cannot be a substitution, which pyoxigraph applies to projected variables only
        rows = store.query(
            f"""SELECT ?s ?t ?label ?alias ?country ?iso WHERE {{
                 ?s a ?t . FILTER(isIRI(?s) && STRSTARTS(STR(?s), {json.dumps(self.base_id)}))
                 OPTIONAL {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
                 OPTIONAL {{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?alias }}
                 OPTIONAL {{ ?s <https://w3id.org/lcc/ontology#country> ?country }}
                 OPTIONAL {{ ?s <https://w3id.org/lcc/ontology#isoAlpha2> ?iso }}
               }}"""
        )
        for row in rows:
            iri = row["s"].value
            kind = self.kind_of(iri)
            if kind is None:
                continue
            entity = self.entities.setdefault(iri, Entity(iri, kind))
            entity.types.add(row["t"].value)
            if row["label"] is not None:
                entity.label = entity.label or row["label"].value
                entity.names.add(row["label"].value)
            if row["alias"] is not None:
                entity.names.add(row["alias"].value)
            if row["country"] is not None:
                entity.country = entity.country or row["country"].value
            if row["iso"] is not None:
                self.country_codes[row["iso"].value.upper()] = iri
        for entity in self.entities.values():
            self._add_names(entity)

    def _add_names(self, entity: Entity) -> None:
        if "#" in entity.iri:  # memberships and statements are parts of a page, not entities
            return
        for name in entity.names:
            key = (entity.kind, fold_name(name))
            bucket = self._by_name.setdefault(key, [])
            if entity not in bucket:
                bucket.append(entity)

    def _load_used(self, store: ox.Store) -> None:
        rows = store.query(
            f"""SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
                 FILTER(isIRI(?x) && STRSTARTS(STR(?x), {json.dumps(self.base_id)})) }}"""
        )
        self.used = {row["x"].value.split("#", 1)[0] for row in rows}

    def _load_concepts(self, store: ox.Store) -> None:
        rows = store.query(
            """SELECT ?c ?scheme ?name WHERE {
                 ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme .
                 { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?name }
                 UNION { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }
                 UNION { ?c <http://www.w3.org/2004/02/skos/core#altLabel> ?name } }"""
        )
        for row in rows:
            scheme = row["scheme"].value.removeprefix(LCC)
            names = self.concepts.setdefault(scheme, {})
            iri = row["c"].value
            names.setdefault(fold_name(row["name"].value), iri)
            local = iri.removeprefix(LCC)
            names.setdefault(fold_name(local), iri)
            names.setdefault(fold_name(_split_camel(local)), iri)

    # --- helpers ----------------------------------------------------------------------
    def kind_of(self, iri: str) -> str | None:
        """The kind of an instance IRI (``city`` for ``{base}id/city/tokyo``), or None."""
        if not iri.startswith(self.base_id):
            return None
        kind = iri[len(self.base_id) :].split("/", 1)[0]
        return kind if kind in KINDS else None

    def curie(self, iri: str) -> str:
        return shorten(iri, self.settings.base)

    def expand(self, text: str) -> str | None:
        """An IRI written as ``<...>``, ``http(s)://...`` or a known CURIE; None for a name."""
        text = text.strip()
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        if re.match(r"https?://", text):
            return text
        match = re.fullmatch(r"([a-z][a-z0-9]*):([A-Za-z0-9_][A-Za-z0-9_.#-]*)", text)
        if match and match.group(1) in self.prefixes:
            return self.prefixes[match.group(1)] + match.group(2)
        return None

    def country_code(self, iri: str | None) -> str | None:
        for code, country in self.country_codes.items():
            if country == iri:
                return code
        return None

    def exists(self, iri: str) -> bool:
        return iri in self.entities

    # --- resolving references -------------------------------------------------------------
    def resolve(self, text: str, kinds: Iterable[str], what: str) -> str:
        """The IRI of the existing entity that ``text`` names, among ``kinds``.

        Raises :class:`InputError` when nothing, or more than one entity, fits.
        """
        kinds = tuple(kinds)
        iri = self.expand(text)
        if iri is not None:
            entity = self.entities.get(iri)
            if entity is None:
                raise InputError(f"{what}: {text!r} is not an entity of the graph")
            if entity.kind not in kinds:
                raise InputError(
                    f"{what}: {text!r} is a {entity.kind}, expected {' or '.join(kinds)}"
                )
            return iri
        if "country" in kinds and re.fullmatch(r"[A-Za-z]{2}", text.strip()):
            code = text.strip().upper()
            if code in self.country_codes:
                return self.country_codes[code]
        found = self.find(text, kinds)
        if len(found) == 1:
            return found[0].iri
        if not found:
            raise InputError(
                f"{what}: no {' or '.join(kinds)} is called {text!r} "
                "(give its IRI, or add it first)"
            )
        listed = ", ".join(e.describe(self) for e in found)
        raise InputError(f"{what}: {text!r} is ambiguous, it names {listed}: give the IRI")

    def find(self, name: str, kinds: Iterable[str], country: str | None = None) -> list[Entity]:
        """Entities of ``kinds`` with a label or alias that folds to the same as ``name``.

        With ``country``, places in another country are left out (another place of that name).
        """
        key = fold_name(name)
        if not key:  # a name of punctuation only matches nothing
            return []
        found: list[Entity] = []
        for kind in kinds:
            for entity in self._by_name.get((kind, key), []):
                if (
                    country
                    and entity.kind in PLACE_KINDS
                    and entity.country
                    and entity.country != country
                ):
                    continue
                if entity not in found:
                    found.append(entity)
        return sorted(found, key=lambda e: e.iri)

    def concept(self, text: str, scheme: str, what: str) -> str:
        """The concept of ``lcc:{scheme}`` that ``text`` names (local name, label or alias)."""
        iri = self.expand(text)
        names = self.concepts.get(scheme, {})
        if iri is not None and iri in names.values():
            return iri
        # "per capita" finds lcc:kindPerCapita, "ghg" lcc:indicatorGhg
        for key in (fold_name(text), fold_name(f"{SCHEME_STEMS.get(scheme, '')} {text}")):
            if key in names:
                return names[key]
        known = sorted({self.curie(c) for c in names.values()})
        raise InputError(
            f"{what}: {text!r} is not a concept of lcc:{scheme} (one of {', '.join(known)})"
        )

    # --- new entities -----------------------------------------------------------------
    def remember(self, entity: Entity) -> None:
        """Add an entity minted by the change being prepared, so that later rows see it."""
        self.entities[entity.iri] = entity
        self.used.add(entity.iri.split("#", 1)[0])
        self._add_names(entity)

    def mint(self, kind: str, name: str, qualifier: str | None = None) -> str:
        """A fresh ``{base}id/{kind}/{slug}``: the slug of ``name``, then with ``qualifier``
        (a country code), then numbered; never an IRI in use."""
        if kind not in KINDS:
            raise InputError(f"cannot mint an IRI of kind {kind!r}")
        slug = slugify(name) or kind
        candidates = [slug]
        if qualifier:
            candidates.append(f"{slug}-{slugify(qualifier)}")
        candidates.extend(f"{candidates[-1]}-{n}" for n in range(2, 1000))
        for candidate in candidates:
            iri = f"{self.base_id}{kind}/{candidate}"
            if iri not in self.used:
                self.used.add(iri)
                return iri
        raise InputError(f"cannot mint a free IRI for {name!r}")  # pragma: no cover


@functools.lru_cache(maxsize=4)
def _namespaces(base: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(all_prefixes(base).items(), key=lambda kv: -len(kv[1])))


def shorten(iri: str, base: str) -> str:
    """A CURIE for an IRI under a known namespace, else the IRI in angle brackets.

    >>> shorten("https://w3id.org/lcc/id/city/tokyo", "https://w3id.org/lcc/")
    'city:tokyo'
    >>> shorten("https://sws.geonames.org/1850147/", "https://w3id.org/lcc/")
    '<https://sws.geonames.org/1850147/>'
    """
    for prefix, ns in _namespaces(base):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.#-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _split_camel(local: str) -> str:
    """``kindPerCapita`` -> ``kind Per Capita``, so that ``per capita`` finds it."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local)
