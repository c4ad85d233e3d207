"""Key facts of an entity page in readable form: aliases, targets, a map, quotes per source.

The statements table of an entity page lists every triple; this module adds what a reader
looks for first: the other names, the targets as sentences and a small table, where a city is
(an inline SVG of longitude/latitude on an equirectangular frame: no tiles, works offline), and
for each source document the quotes (``lcc:evidence``) that support the statements.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from lcgraph.web.gencache import per_generation

__all__ = ["KeyFacts", "key_facts", "map_frame", "target_sentence"]

LCC = "https://w3id.org/lcc/ontology#"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
EVIDENCE = LCC + "evidence"

#: Target properties shown in the table, in order: (local name, column heading).
TARGET_COLUMNS = [
    ("targetKind", "Kind"),
    ("indicator", "Indicator"),
    ("percent", "Percent"),
    ("amount", "Amount"),
    ("baseYear", "Base year"),
    ("targetYear", "Target year"),
    ("horizon", "Horizon"),
    ("statedIn", "Stated in"),
]


@dataclass
class KeyFacts:
    aliases: list[str] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    point: tuple[float, float] | None = None  # (lat, lon)
    map: dict[str, Any] | None = None
    quotes: dict[str, list[str]] = field(default_factory=dict)  # graph -> quotes


def _number(text: str) -> str:
    """``50.0`` -> ``50``; other numbers as written.

    >>> _number("50.0"), _number("12.5"), _number("x")
    ('50', '12.5', 'x')
    """
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else text


def target_sentence(holder: str, t: dict[str, str]) -> str:
    """A target as one sentence, from its properties' display texts.

    >>> target_sentence("Tokyo", {"targetKind": "reduction", "indicator": "GHG emissions",
    ...                           "percent": "50.0", "targetYear": "2030"})
    'Tokyo: reduction of GHG emissions by 50% by 2030.'
    >>> target_sentence("Kuala Lumpur", {"targetKind": "carbon neutrality", "targetYear": "2050",
    ...                                  "baseYear": "2005", "percent": "40", "percentUpper": "45"})
    'Kuala Lumpur: carbon neutrality by 40-45% against 2005 by 2050.'
    """
    text = t.get("targetKind") or "target"
    if t.get("indicator"):
        text += f" of {t['indicator']}"
    if t.get("percent"):
        pct = _number(t["percent"])
        if t.get("percentUpper"):
            pct += f"-{_number(t['percentUpper'])}"
        text += f" by {pct}%"
    if t.get("amount"):
        text += f" of {_number(t['amount'])}" + (f" {t['unit']}" if t.get("unit") else "")
    if t.get("baseYear"):
        text += f" against {t['baseYear']}"
    if t.get("targetYear"):
        text += f" by {t['targetYear']}"
    if t.get("horizon"):
        text += f" ({t['horizon']})"
    return f"{holder}: {text}."


def _targets(store: ox.Store, iris: list[str], holder: str, link) -> list[dict[str, Any]]:
    if not iris:
        return []
    values = " ".join(f"<{i}>" for i in iris)
    props: dict[str, dict[str, list]] = {i: {} for i in iris}
    for row in store.query(
        f"""SELECT ?t ?p ?o ?ol WHERE {{ VALUES ?t {{ {values} }} ?t ?p ?o .
              OPTIONAL {{ ?o <{RDFS_LABEL}> ?ol }} }}"""
    ):
        p = row["p"].value
        name = p[len(LCC) :] if p.startswith(LCC) else ("label" if p == RDFS_LABEL else None)
        if name is None:
            continue
        o, ol = row["o"], row["ol"]
        text = ol.value if ol is not None else (o.value if not isinstance(o, ox.NamedNode) else "")
        href = link.href(o.value) if isinstance(o, ox.NamedNode) else None
        props[row["t"].value].setdefault(name, []).append((text or link.text(o.value), href))
    out = []
    for iri in iris:
        p = props[iri]
        first = {k: v[0][0] for k, v in p.items()}
        cells = []
        for name, _ in TARGET_COLUMNS:
            text, href = p.get(name, [("", None)])[0]
            if name == "percent" and text:
                text = _number(text) + (
                    f"-{_number(first['percentUpper'])}" if first.get("percentUpper") else ""
                )
            if name == "amount" and text:
                text = _number(text) + (f" {first['unit']}" if first.get("unit") else "")
            cells.append({"text": text, "href": href})
        out.append(
            {
                "iri": iri,
                "href": link.href(iri),
                "label": first.get("label", link.text(iri)),
                "sentence": target_sentence(holder, first),
                "cells": cells,
                "quotes": [q for q, _ in p.get("evidence", [])],
            }
        )
    out.sort(key=lambda t: (t["cells"][5]["text"], t["label"]))
    return out


def _all_points(store: ox.Store) -> list[tuple[float, float]]:
    """The graph's places, one per 0.5° cell (finer than a pixel of the 320-pixel map)."""
    cells: dict[tuple[int, int], tuple[float, float]] = {}
    for r in store.query(
        f"SELECT DISTINCT ?lat ?lon WHERE {{ ?s <{GEO}lat> ?lat ; <{GEO}long> ?lon }}"
    ):
        lat, lon = float(r["lat"].value), float(r["lon"].value)
        cells.setdefault((round(lat * 2), round(lon * 2)), (lat, lon))
    return list(cells.values())


def all_points(state: Any) -> list[tuple[float, float]]:
    """Every entity's point in the server's store (cached per generation)."""
    return per_generation(state, "ui-points", lambda: _all_points(state.store))


def map_frame(
    point: tuple[float, float],
    others: list[tuple[float, float]],
    width: int = 320,
    cache: Callable[[Hashable, Callable[[], Any]], Any] | None = None,
) -> dict[str, Any]:
    """An equirectangular frame (SVG coordinates) around ``point`` and the graph's places.

    The frame covers the places in the graph (Asia, for the seed data) plus a margin, so that the
    other cities show where this one lies; longitude maps to x, latitude to -y. ``cache(key,
    compute)`` (a per-generation cache) keeps the projected dots of a frame: every place of the
    graph shares one frame, so a page does not project thousands of places again.

    >>> f = map_frame((35.7, 139.7), [(3.1, 101.7)])
    >>> f["x"] > f["width"] / 2, 0 < f["y"] < f["height"]
    (True, True)
    """
    lats = [p[0] for p in [point, *others]]
    lons = [p[1] for p in [point, *others]]
    south, north = max(-90.0, min(lats) - 5), min(90.0, max(lats) + 5)
    west, east = max(-180.0, min(lons) - 5), min(180.0, max(lons) + 5)
    scale = width / (east - west)
    height = max(120, round((north - south) * scale))

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return round((lon - west) * scale, 1), round((north - lat) * height / (north - south), 1)

    def project() -> list[tuple[float, float]]:
        # one dot per pixel: 50,000 cities would otherwise make a 2.4 MB page of overlapping dots
        dots: dict[tuple[int, int], tuple[float, float]] = {}
        for lat, lon in others:
            dot = xy(lat, lon)
            dots.setdefault((round(dot[0]), round(dot[1])), dot)
        return list(dots.values())

    x, y = xy(*point)
    key = ("ui-map-dots", width, south, north, west, east, len(others))
    dots = cache(key, project) if cache is not None else project()
    grid_lon = [
        (lon, xy(north, lon)[0]) for lon in range(int(west // 10 + 1) * 10, int(east) + 1, 10)
    ]
    grid_lat = [
        (lat, xy(lat, west)[1]) for lat in range(int(south // 10 + 1) * 10, int(north) + 1, 10)
    ]
    return {
        "width": width,
        "height": height,
        "x": x,
        "y": y,
        "others": [dot for dot in dots if dot != (x, y)],
        "grid_lon": grid_lon,
        "grid_lat": grid_lat,
    }


def key_facts(state: Any, desc, link) -> KeyFacts:
    """The key facts of the entity ``desc`` (:class:`~lcgraph.entity.EntityDescription`)."""
    facts = KeyFacts()
    lat = lon = None
    targets = []
    for q in desc.statements:
        if q.subject.value != desc.iri:
            continue
        p = q.predicate.value
        if p == SKOS_ALT:
            facts.aliases.append(q.object.value)
        elif p == GEO + "lat":
            lat = float(q.object.value)
        elif p == GEO + "long":
            lon = float(q.object.value)
        elif p == LCC + "hasTarget" and isinstance(q.object, ox.NamedNode):
            targets.append(q.object.value)
        elif p == EVIDENCE:
            facts.quotes.setdefault(q.graph_name.value, []).append(q.object.value)
    facts.aliases = sorted(set(facts.aliases) - {desc.label})
    facts.targets = _targets(state.store, sorted(set(targets)), desc.label, link)
    if lat is not None and lon is not None:
        facts.point = (lat, lon)
        others = all_points(state)
        facts.map = map_frame(
            facts.point, others, cache=lambda key, compute: per_generation(state, key, compute)
        )
    for quotes in facts.quotes.values():
        quotes.sort()
    return facts
