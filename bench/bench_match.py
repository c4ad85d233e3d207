"""Benchmark: peer match for one city on a synthetic graph of 50,000 cities.

Two implementations, side by side in one run, on the same in-memory pyoxigraph store:

``precomputed`` (lcgraph.match.match)
    The catalog of profiles and the numpy screen are built once after the store is open
    (timed separately as "precompute"); each query then scores all candidates at once from
    postings and arrays and explains the top 10.
``naive`` (recompute everything per query with SPARQL)
    Each query reads the facts with one SPARQL SELECT, rebuilds every profile, and scores the
    candidates one by one with the factor functions (lcgraph.match.match_naive).

The synthetic graph is generated here (a minimal LCC-shaped generator: cities with countries,
populations, areas, subjects and targets; networks and programmes with Zipf-like sizes;
collaborations with outcomes; one platform per world region), because the project's shared
generator (bench/gen.py) had not landed when this was written. It is deterministic per seed.

Usage: python bench/bench_match.py [--cities 50000] [--queries 200] [--naive-queries 3]
       [--seed 1] [--out bench/results/match.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from lcgraph.config import Settings  # noqa: E402
from lcgraph.match import build_catalog, match, match_naive  # noqa: E402
from lcgraph.match.rank import screen_for  # noqa: E402
from lcgraph.match.read import quads_from_sparql_select, quads_from_store  # noqa: E402
from lcgraph.store import read_quads  # noqa: E402

BASE = "https://w3id.org/lcc/"
LCC = "https://w3id.org/lcc/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"

TOPICS = [
    "topicDecarbonization",
    "topicEnergyManagement",
    "topicEnergyEfficiency",
    "topicBuildingRetrofit",
    "topicRenewableEnergy",
    "topicWasteToEnergy",
    "topicWaste",
    "topicIndustrialSymbiosis",
    "topicCarbonMarkets",
    "topicGhgAccounting",
    "topicLowCarbonPlanning",
    "topicLowCarbonDistrict",
    "topicTransport",
    "topicGreenSpace",
    "topicFinance",
    "topicCapacityBuilding",
    "topicKnowledgeSharing",
    "topicPeerReview",
    "topicResearch",
    "topicResilience",
    "topicCityCooperation",
    "topicLowCarbonBusiness",
    "topicPollution",
    "topicLifestyle",
]
KINDS = [
    "kindAbsolute",
    "kindPerCapita",
    "kindIntensity",
    "kindBau",
    "kindReduction",
    "kindNeutrality",
]
INDICATORS = [
    "indicatorGhg",
    "indicatorCo2",
    "indicatorCarbonIntensity",
    "indicatorEnergyIntensity",
]


def _zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


def synthetic_quads(n_cities: int, seed: int = 1) -> list[ox.Quad]:
    """An LCC-shaped graph with ``n_cities`` cities (see the module docstring)."""
    rnd = random.Random(seed)
    g = ox.NamedNode(BASE + "graph/synthetic")
    quads: list[ox.Quad] = []
    nn = ox.NamedNode

    def add(s: str, p: str, o) -> None:
        quads.append(ox.Quad(nn(s), nn(p), o if not isinstance(o, str) else nn(o), g))

    def lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=nn(XSD + datatype))

    def label(s: str, text: str) -> None:
        add(s, RDFS_LABEL, lit(text, lang="en"))

    doc = BASE + "id/document/synthetic"
    add(doc, RDF_TYPE, LCC + "SourceDocument")
    label(doc, "Synthetic benchmark graph")

    regions = [BASE + f"id/region/world-{k}" for k in range(5)]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    countries = [BASE + f"id/country/c{k}" for k in range(40)]
    for k, c in enumerate(countries):
        add(c, RDF_TYPE, LCC + "Country")
        label(c, f"Country {k}")
        add(c, LCC + "isoAlpha2", lit(letters[k // 26] + letters[k % 26], "string"))
        add(c, LCC + "worldRegion", regions[k % len(regions)])
    for k, r in enumerate(regions):
        add(r, RDF_TYPE, LCC + "WorldRegion")
        label(r, f"World region {k}")
        platform_iri = BASE + f"id/network/platform-{k}"
        add(platform_iri, RDF_TYPE, LCC + "Platform")
        label(platform_iri, f"Platform {k}")
        add(platform_iri, DCT + "spatial", r)
        for j, topic in enumerate(
            ("topicCapacityBuilding", "topicKnowledgeSharing", "topicPeerReview")
        ):
            area = BASE + f"id/activity/platform-{k}-area-{j}"
            add(area, RDF_TYPE, LCC + "ActivityArea")
            label(area, f"Platform {k} area {j}")
            add(area, DCT + "subject", LCC + topic)
            add(platform_iri, LCC + "activityArea", area)

    orgs = [BASE + f"id/organisation/o{k}" for k in range(100)]
    for k, o in enumerate(orgs):
        add(o, RDF_TYPE, LCC + "InternationalOrganization")
        label(o, f"Organisation {k}")
    networks = [BASE + f"id/network/n{k}" for k in range(300)]
    for k, n in enumerate(networks):
        add(n, RDF_TYPE, LCC + "Network")
        label(n, f"Network {k}")
        for topic in rnd.sample(TOPICS, rnd.randint(1, 3)):
            add(n, DCT + "subject", LCC + topic)
    programmes = [BASE + f"id/programme/p{k}" for k in range(150)]
    for k, p in enumerate(programmes):
        add(p, RDF_TYPE, LCC + "Programme")
        label(p, f"Programme {k}")
        for topic in rnd.sample(TOPICS, rnd.randint(1, 2)):
            add(p, DCT + "subject", LCC + topic)
        add(p, LCC + "runBy", rnd.choice(orgs + networks[:30]))
        if rnd.random() < 0.5:
            add(p, DCT + "spatial", rnd.choice(countries))

    topic_w = _zipf_weights(len(TOPICS), 0.8)
    net_w = _zipf_weights(len(networks))
    prog_w = _zipf_weights(len(programmes))
    country_w = _zipf_weights(len(countries), 0.7)
    cities = [BASE + f"id/city/c{k}" for k in range(n_cities)]
    for k, c in enumerate(cities):
        add(c, RDF_TYPE, LCC + "City")
        label(c, f"City {k}")
        add(c, LCC + "country", rnd.choices(countries, country_w)[0])
        if rnd.random() < 0.8:
            add(c, LCC + "population", lit(int(10 ** rnd.gauss(5.3, 0.7)), "integer"))
        if rnd.random() < 0.5:
            add(c, LCC + "areaKm2", lit(round(10 ** rnd.gauss(2.5, 0.5), 1), "decimal"))
        for topic in set(rnd.choices(TOPICS, topic_w, k=rnd.randint(0, 3))):
            add(c, DCT + "subject", LCC + topic)
        for n in set(rnd.choices(networks, net_w, k=min(4, int(rnd.expovariate(0.7))))):
            add(c, ORG + "memberOf", n)
        if rnd.random() < 0.4:
            add(c, LCC + "participatesIn", rnd.choices(programmes, prog_w)[0])
        for j in range(rnd.choice((0, 1, 1, 2, 2, 3))):
            t = f"{c}-target-{j}"
            add(t, RDF_TYPE, LCC + "Target")
            label(t, f"City {k} target {j}")
            add(c, LCC + "hasTarget", t)
            kind = rnd.choice(KINDS)
            add(t, LCC + "targetKind", LCC + kind)
            add(t, LCC + "indicator", LCC + rnd.choice(INDICATORS))
            if kind != "kindNeutrality":
                add(t, LCC + "percent", lit(rnd.randint(5, 80), "decimal"))
                add(t, LCC + "baseYear", lit(rnd.choice((1990, 2000, 2005, 2010)), "gYear"))
            add(t, LCC + "targetYear", lit(rnd.choice((2020, 2025, 2030, 2050)), "gYear"))

    for k in range(n_cities // 20):
        collab = BASE + f"id/collaboration/k{k}"
        a, b = rnd.sample(cities, 2)
        add(collab, RDF_TYPE, LCC + "Collaboration")
        label(collab, f"Collaboration {k}")
        add(collab, LCC + "partner", a)
        add(collab, LCC + "partner", b)
        add(collab, LCC + "evidence", lit(f"City pair {k} signed a memorandum.", lang="en"))
        for topic in rnd.sample(TOPICS, rnd.randint(1, 3)):
            add(collab, DCT + "subject", LCC + topic)
        if rnd.random() < 0.5:
            outcome = BASE + f"id/outcome/k{k}"
            add(outcome, RDF_TYPE, LCC + "Outcome")
            label(outcome, f"Outcome {k}")
            add(collab, LCC + "hasOutcome", outcome)
            add(outcome, LCC + "concerns", b)
            add(outcome, DCT + "subject", LCC + rnd.choice(TOPICS))
    return quads


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def run(n_cities: int, n_queries: int, n_naive: int, seed: int, log=print) -> dict:
    settings = Settings.from_env()
    load_average = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    t0 = time.perf_counter()
    quads = synthetic_quads(n_cities, seed)
    store = ox.Store()
    store.bulk_extend(list(read_quads(settings.ontology_path, settings, to_graph="ontology")))
    store.bulk_extend(quads)
    del quads  # only the store holds the graph from here on, as in a server
    load_s = time.perf_counter() - t0
    log(f"store: {len(store):,} quads ({n_cities:,} cities) generated and loaded in {load_s:.1f} s")

    t0 = time.perf_counter()
    catalog = build_catalog(quads_from_store(store), BASE)
    catalog_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    screen_for(catalog, "peers")
    screen_for(catalog, "supporters")
    screen_s = time.perf_counter() - t0
    log(f"precompute: catalog {catalog_s:.1f} s, screens {screen_s:.1f} s")

    rnd = random.Random(seed + 1)
    cities = [iri for iri, p in sorted(catalog.profiles.items()) if p.kind == "city"]
    picks = rnd.sample(cities, min(n_queries, len(cities)))
    timings: dict[str, list[float]] = {"peers": [], "supporters": []}
    for mode in timings:
        for city in picks:
            t0 = time.perf_counter()
            match(catalog, city, mode=mode, top=10)
            timings[mode].append(time.perf_counter() - t0)

    naive: list[float] = []
    agree = 0
    for city in picks[:n_naive]:
        t0 = time.perf_counter()
        fresh = build_catalog(quads_from_sparql_select(store), BASE)
        slow = match_naive(fresh, city, mode="peers", top=10)
        naive.append(time.perf_counter() - t0)
        fast = match(catalog, city, mode="peers", top=10)
        agree += [c.iri for c in slow.candidates] == [c.iri for c in fast.candidates]
        log(f"naive query {len(naive)}/{n_naive}: {naive[-1]:.1f} s")

    return {
        "cities": n_cities,
        "quads": len(store),
        "load_s": load_s,
        "catalog_s": catalog_s,
        "screen_s": screen_s,
        "timings": timings,
        "naive": naive,
        "agree": agree,
        "queries": len(picks),
        "cpus": os.cpu_count(),
        "load_average": load_average,
    }


def report(r: dict) -> str:
    lines = [
        "# Peer match: precomputed vs naive",
        "",
        f"Synthetic graph: {r['cities']:,} cities, {r['quads']:,} quads (bench/bench_match.py, "
        f"in-memory pyoxigraph store). Machine: {platform.machine()}, {r['cpus']} CPUs, "
        f"load average {r['load_average']:.1f} at the start (a shared machine: other jobs slow "
        f"every figure), Python {platform.python_version()}.",
        "",
        f"Precompute once after the store is open: catalog of profiles {r['catalog_s']:.1f} s, "
        f"numpy screens (peers and supporters) {r['screen_s']:.1f} s.",
        "",
        "| implementation | mode | queries | p50 ms | p95 ms | max ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for mode, values in r["timings"].items():
        lines.append(
            f"| precomputed (`match`) | {mode} | {len(values)} | "
            f"{_ms(statistics.median(values))} | {_ms(_percentile(values, 0.95))} | "
            f"{_ms(max(values))} |"
        )
    if r["naive"]:
        values = r["naive"]
        lines.append(
            f"| naive (SPARQL + profiles + pairwise, per query) | peers | {len(values)} | "
            f"{_ms(statistics.median(values))} | {_ms(_percentile(values, 0.95))} | "
            f"{_ms(max(values))} |"
        )
        lines.append("")
        lines.append(
            f"The naive and precomputed rankings agree on {r['agree']} of {len(values)} naive "
            "queries (same top 10, same order)."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive-queries", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="Also write the results table (Markdown) here.")
    args = parser.parse_args(argv)
    result = run(
        args.cities,
        args.queries,
        args.naive_queries,
        args.seed,
        log=lambda msg: print(msg, file=sys.stderr),
    )
    text = report(result)
    print(text, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0 if result["agree"] == len(result["naive"]) else 1


if __name__ == "__main__":
    sys.exit(main())
