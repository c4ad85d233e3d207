"""Saved-query latency: the embedded store (pyoxigraph) against plain rdflib, side by side.

Every query of the catalogue runs with its example parameters on both engines over the same
files, exactly as :func:`lcgraph.queries.run` sends it (:func:`lcgraph.queries.prepare`: a
``VALUES`` block for pyoxigraph, ``initBindings`` for rdflib), and the answers are compared
(after normalising term forms) so that both engines are timed on the same work. The clock
covers running the query and turning every solution into Python terms, as a caller sees it;
loading is timed separately.

Data: ``--scale seed`` is ``data/`` alone; ``S``, ``M`` and ``L`` add a synthetic graph of
about 20 k, 200 k and 1 M triples (:func:`write_synthetic`, seeded, following the LCC model, so
that every query has work to do at scale); ``--trig FILE`` adds any TriG file instead, e.g. one
written by ``bench/gen.py``.

rdflib can take minutes on one query at 1 M triples, so each rdflib run is stopped (a timer
signal interrupts its pure-Python evaluator) after ``--cap`` seconds or ``--cap-factor`` times
the pyoxigraph median, whichever is longer, and reported as a lower bound: a capped ratio is
still at least the cap factor. rdflib is repeated only while a run stays under
``--repeat-below`` seconds.

    python bench/bench_queries.py --scale L --repeat 5 --markdown bench/results-queries-L.md

``main(argv)`` returns 0 and, with ``--json FILE``, writes one row per query and tool:
``{"bench", "tool", "scale", "triples", "seconds", "min", "median", "rows", "capped"}``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

#: scale name -> number of synthetic cities (about 33 triples per city, all told)
SCALES = {"seed": 0, "XS": 50, "S": 500, "M": 5_000, "L": 25_000}

BASE = "https://w3id.org/lcc/"
LCC = "https://w3id.org/lcc/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
P = {
    "a": f"<{RDF}type>",
    "label": "<http://www.w3.org/2000/01/rdf-schema#label>",
    "comment": "<http://www.w3.org/2000/01/rdf-schema#comment>",
    "alt": "<http://www.w3.org/2004/02/skos/core#altLabel>",
    "from": "<http://www.w3.org/ns/prov#wasDerivedFrom>",
    "memberOf": "<http://www.w3.org/ns/org#memberOf>",
    "member": "<http://www.w3.org/ns/org#member>",
    "organization": "<http://www.w3.org/ns/org#organization>",
    "role": "<http://www.w3.org/ns/org#role>",
    "Membership": "<http://www.w3.org/ns/org#Membership>",
    "Organization": "<http://www.w3.org/ns/org#Organization>",
    "Person": "<http://xmlns.com/foaf/0.1/Person>",
    "name": "<http://xmlns.com/foaf/0.1/name>",
    "lat": "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>",
    "long": "<http://www.w3.org/2003/01/geo/wgs84_pos#long>",
    "description": "<http://purl.org/dc/terms/description>",
    "creator": "<http://purl.org/dc/terms/creator>",
    "date": "<http://purl.org/dc/terms/date>",
    "title": "<http://purl.org/dc/terms/title>",
    "type": "<http://purl.org/dc/terms/type>",
    "spatial": "<http://purl.org/dc/terms/spatial>",
    "subject": "<http://purl.org/dc/terms/subject>",
    "Statement": f"<{RDF}Statement>",
    "rdfSubject": f"<{RDF}subject>",
    "rdfPredicate": f"<{RDF}predicate>",
    "rdfObject": f"<{RDF}object>",
}
#: the largest synthetic network (see _synthetic_graphs)
MAX_MEMBERS = 150
#: the largest synthetic Eco-Model City Programme
MAX_ECO_MODEL = 120
#: countries already in data/ (ISO links), with their alpha-2 codes
COUNTRIES = [
    ("china", "CN"),
    ("japan", "JP"),
    ("republic-of-korea", "KR"),
    ("mongolia", "MN"),
    ("malaysia", "MY"),
    ("indonesia", "ID"),
    ("thailand", "TH"),
    ("vietnam", "VN"),
    ("india", "IN"),
]
KINDS = ["Absolute", "PerCapita", "Intensity", "Bau", "Reduction", "Level", "Share", "Neutrality"]
INDICATORS = ["Ghg", "Co2", "CarbonIntensity", "EnergyIntensity", "RenewableShare"]
ACTIVITIES = ["Meeting", "Trip", "Conference", "TechnicalSupport", "KnowledgeSharing"]
TOPICS = ["Decarbonization", "EnergyEfficiency", "Transport", "Waste", "RenewableEnergy"]


def iri(kind: str, slug: str) -> str:
    return f"<{BASE}id/{kind}/{slug}>"


def lcc(local: str) -> str:
    return f"<{LCC}{local}>"


def lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _synthetic_graphs(n_cities: int, seed: int) -> Iterator[tuple[str, list[str]]]:
    """(graph IRI, triple lines) per synthetic source document of about 500 cities.

    Networks have power-law popularity; collaborations pair cities that share a network more
    often than not; every entity cites its document and carries a quote, like the real data.
    """
    rng = random.Random(seed)
    # Skewed but bounded popularity: a few large networks, many small ones, none above
    # MAX_MEMBERS. Co-membership pairs grow with the square of a network's size, so an
    # unbounded power law would make `edges-co-membership` return tens of millions of rows.
    n_networks = max(8, n_cities // 15)
    n_orgs = max(6, n_cities // 100)
    n_programmes = max(4, n_cities // 200)
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(n_networks)]
    city_country = [rng.choice(COUNTRIES) for _ in range(n_cities)]
    members: dict[int, list[int]] = {}
    eco_model = 0
    chunk = 500
    for start in range(0, max(n_cities, 1), chunk):
        doc_slug = f"synthetic-{start // chunk:04d}"
        doc = iri("document", doc_slug)
        g = f"<{BASE}graph/{doc_slug}>"
        out: list[str] = [
            f"{doc} {P['a']} {lcc('SourceDocument')} .",
            f"{doc} {P['label']} {lit(f'Synthetic source document {start // chunk}')} .",
            f"{doc} {P['title']} {lit(f'Synthetic source document {start // chunk}')} .",
            f"{doc} {lcc('seedFile')} {lit(f'{doc_slug}.txt', None)} .",
        ]

        def cite(node: str, quote: str, out: list[str] = out, doc: str = doc) -> None:
            out.append(f"{node} {P['from']} {doc} .")
            out.append(f"{node} {lcc('evidence')} {lit(quote)} .")

        if start == 0:  # the shared actors live in the first document
            for j in range(n_networks):
                net = iri("network", f"syn-network-{j}")
                out += [
                    f"{net} {P['a']} {lcc('Network')} .",
                    f"{net} {P['label']} {lit(f'Synthetic Network {j}')} .",
                    f"{net} {P['alt']} {lit(f'SN{j}')} .",
                    f"{net} {P['description']} {lit(f'a synthetic city network, rank {j}')} .",
                    f"{net} {lcc('runBy')} {iri('organisation', f'syn-org-{j % n_orgs}')} .",
                ]
                cite(net, f"Synthetic Network {j} is a network of cities")
            for j in range(n_orgs):
                org = iri("organisation", f"syn-org-{j}")
                cls = ["InternationalOrganization", "ResearchOrganization", "NonProfitOrganization"]
                out += [
                    f"{org} {P['a']} {lcc(cls[j % 3])} .",
                    f"{org} {P['label']} {lit(f'Synthetic Organisation {j}')} .",
                ]
                cite(org, f"Synthetic Organisation {j}")
            for j in range(n_programmes):
                prog = iri("programme", f"syn-programme-{j}")
                country = COUNTRIES[j % len(COUNTRIES)][0]
                out += [
                    f"{prog} {P['a']} {lcc('Programme' if j % 3 else 'Policy')} .",
                    f"{prog} {P['label']} {lit(f'Synthetic Programme {j}')} .",
                    f"{prog} {lcc('runBy')} {iri('organisation', f'syn-org-{j % n_orgs}')} .",
                    f"{prog} {P['spatial']} {iri('country', country)} .",
                    f"{prog} {lcc('startDate')} {typed(2005 + j % 15, 'gYear')} .",
                    f"{prog} {lcc('memberCount')} {typed(rng.randint(5, 200), 'integer')} .",
                ]
                cite(prog, f"Synthetic Programme {j} runs in {country}")
            for j in range(max(2, n_programmes // 2)):
                tool = iri("tool", f"syn-tool-{j}")
                out += [
                    f"{tool} {P['a']} {lcc('Tool')} .",
                    f"{tool} {P['label']} {lit(f'Synthetic Tool {j}')} .",
                    f"{tool} {P['creator']} {iri('organisation', f'syn-org-{j % n_orgs}')} .",
                    f"{tool} {lcc('linkedWith')} {iri('tool', f'syn-tool-{(j + 1) % 2}')} .",
                ]
                cite(tool, f"Synthetic Tool {j}")
        for i in range(start, min(start + chunk, n_cities)):
            city = iri("city", f"syn-city-{i}")
            country, iso = city_country[i]
            out += [
                f"{city} {P['a']} {lcc('City')} .",
                f"{city} {P['label']} {lit(f'Synthetic City {i}')} .",
                f"{city} {P['alt']} {lit(f'SC{i} City Hall')} .",
                f"{city} {lcc('country')} {iri('country', country)} .",
                f"{city} {lcc('population')} {typed(rng.randint(20_000, 9_000_000), 'integer')} .",
                f"{city} {lcc('areaKm2')} {typed(rng.randint(10, 3000), 'decimal')} .",
                f"{city} {P['lat']} {typed(round(rng.uniform(-10, 50), 4), 'decimal')} .",
                f"{city} {P['long']} {typed(round(rng.uniform(70, 145), 4), 'decimal')} .",
                f"{city} {P['subject']} {lcc('topic' + rng.choice(TOPICS))} .",
                f"{city} {lcc('noGeonamesReason')} {lit('a synthetic city')} .",
            ]
            cite(city, f"Synthetic City {i} in {iso}")
            joined = {
                j
                for j in rng.choices(range(n_networks), weights=popularity, k=rng.randint(1, 3))
                if len(members.get(j, ())) < MAX_MEMBERS
            } or {rng.randrange(n_networks)}
            for j in sorted(joined):
                net = iri("network", f"syn-network-{j}")
                members.setdefault(j, []).append(i)
                out.append(f"{city} {P['memberOf']} {net} .")
                if rng.random() < 0.3:
                    m = f"<{BASE}id/network/syn-network-{j}#syn-city-{i}>"
                    role = "roleCoSponsor" if rng.random() < 0.1 else "roleMember"
                    out += [
                        f"{m} {P['a']} {P['Membership']} .",
                        f"{m} {P['label']} {lit(f'Synthetic City {i} in Synthetic Network {j}')} .",
                        f"{m} {P['member']} {city} .",
                        f"{m} {P['organization']} {net} .",
                        f"{m} {P['role']} {lcc(role)} .",
                    ]
                    cite(m, f"Synthetic City {i} is a member of Synthetic Network {j}")
            if iso == "JP" and eco_model < MAX_ECO_MODEL and rng.random() < 0.3:
                # a national programme stays small (the real one has 23 cities) at any scale
                eco_model += 1
                out.append(f"{city} {lcc('participatesIn')} {iri('programme', 'eco-model-city')} .")
                if rng.random() < 0.4:
                    fc = iri("programme", "futurecity-initiative")
                    out.append(f"{city} {lcc('participatesIn')} {fc} .")
            if rng.random() < 0.2:
                prog = iri("programme", f"syn-programme-{rng.randrange(n_programmes)}")
                out.append(f"{city} {lcc('participatesIn')} {prog} .")
            if rng.random() < 0.02:
                prog = iri("programme", f"syn-programme-{rng.randrange(n_programmes)}")
                out.append(f"{prog} {lcc('pilotCity')} {city} .")
            for k in range(rng.randint(1, 2)):
                t = iri("target", f"syn-city-{i}-{k}")
                kind = rng.choice(KINDS)
                pct = rng.choice([10, 20, 25, 30, 40, 45, 50, 60, 80])
                base, year = rng.choice([1990, 2005, 2010, 2013]), rng.choice([2020, 2025, 2030])
                out += [
                    f"{city} {lcc('hasTarget')} {t} .",
                    f"{t} {P['a']} {lcc('Target')} .",
                    f"{t} {P['label']} {lit(f'Synthetic City {i}: {pct}% by {year}')} .",
                    f"{t} {lcc('targetKind')} {lcc('kind' + kind)} .",
                    f"{t} {lcc('indicator')} {lcc('indicator' + rng.choice(INDICATORS))} .",
                    f"{t} {lcc('percent')} {typed(pct, 'decimal')} .",
                    f"{t} {lcc('baseYear')} {typed(base, 'gYear')} .",
                    f"{t} {lcc('targetYear')} {typed(year, 'gYear')} .",
                    f"{t} {lcc('horizon')} {lcc('horizonMidTerm')} .",
                ]
                if rng.random() < 0.2:
                    out.append(f"{t} {lcc('percentUpper')} {typed(pct + 10, 'decimal')} .")
                cite(t, f"{pct}% by {year} against {base}")
            if i % 6 == 5:  # a collaboration, within a shared network two times in three
                net = rng.choice(sorted(joined))
                pool = members.get(net, [])
                other = rng.choice(pool) if pool and rng.random() < 0.67 else rng.randrange(i)
                if other != i:
                    out += _collaboration(i, other, rng, cite)
            if i % 50 == 49:
                out += _event(i, n_orgs, rng, cite)
            if i % 1000 == 999:
                out += _discrepancy(i, cite)
        yield g, out


def _collaboration(i: int, other: int, rng: random.Random, cite: Callable) -> list[str]:
    slug = f"syn-city-{other}-syn-city-{i}"
    c, agreement = iri("collaboration", slug), iri("agreement", slug)
    a, b = iri("city", f"syn-city-{other}"), iri("city", f"syn-city-{i}")
    year = rng.randint(2008, 2022)
    out = [
        f"{c} {P['a']} {lcc('Collaboration')} .",
        f"{c} {P['label']} {lit(f'Synthetic City {other}–Synthetic City {i} collaboration')} .",
        f"{c} {lcc('partner')} {a} .",
        f"{c} {lcc('partner')} {b} .",
        f"{c} {lcc('startDate')} {typed(year, 'gYear')} .",
        f"{c} {lcc('agreement')} {agreement} .",
        f"{agreement} {P['a']} {lcc('Agreement')} .",
        f"{agreement} {P['label']} {lit(f'Agreement {slug}')} .",
        f"{agreement} {P['date']} {typed(year, 'gYear')} .",
        f"{agreement} {lcc('signatory')} {a} .",
        f"{agreement} {lcc('signatory')} {b} .",
    ]
    cite(c, f"a collaboration signed in {year}")
    cite(agreement, f"an agreement signed in {year}")
    for k, kind in enumerate(rng.sample(ACTIVITIES, 2)):
        act = iri("activity", f"{slug}-{k}")
        out += [
            f"{c} {lcc('hasActivity')} {act} .",
            f"{act} {P['a']} {lcc('Activity')} .",
            f"{act} {P['label']} {lit(f'{kind} ({slug})')} .",
            f"{act} {lcc('activityKind')} {lcc('activity' + kind)} .",
            f"{act} {lcc('count')} {typed(rng.randint(1, 40), 'integer')} .",
            f"{act} {lcc('destination')} {rng.choice([a, b])} .",
        ]
        cite(act, f"{kind}: several")
    outcome = iri("outcome", slug)
    out += [
        f"{c} {lcc('hasOutcome')} {outcome} .",
        f"{outcome} {P['a']} {lcc('Outcome')} .",
        f"{outcome} {P['label']} {lit(f'Outcome of {slug}')} .",
        f"{outcome} {P['description']} {lit('A plan was adopted.')} .",
        f"{outcome} {lcc('concerns')} {b} .",
    ]
    cite(outcome, "A plan was adopted.")
    return out


def _event(i: int, n_orgs: int, rng: random.Random, cite: Callable) -> list[str]:
    e = iri("event", f"syn-event-{i}")
    org = iri("organisation", f"syn-org-{rng.randrange(n_orgs)}")
    day = f"{rng.randint(2008, 2022)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    kind = rng.choice(["Conference", "Session", "Symposium", "Meeting"])
    out = [
        f"{e} {P['a']} {lcc('Event')} .",
        f"{e} {P['label']} {lit(f'Synthetic {kind} {i}')} .",
        f"{e} {P['type']} {lcc('event' + kind)} .",
        f"{e} {lcc('startDate')} {typed(day, 'date')} .",
        f"{e} {lcc('place')} {iri('city', f'syn-city-{i}')} .",
        f"{e} {lcc('organiser')} {org} .",
    ]
    cite(e, f"held on {day}")
    for k in range(2):
        person = iri("person", f"syn-person-{i}-{k}")
        m = f"<{BASE}id/person/syn-person-{i}-{k}#affiliation>"
        out += [
            f"{e} {lcc('speaker')} {person} .",
            f"{person} {P['a']} {P['Person']} .",
            f"{person} {P['label']} {lit(f'Speaker {i}-{k}')} .",
            f"{person} {P['name']} {lit(f'Speaker {i}-{k}', None)} .",
            f"{person} {P['memberOf']} {org} .",
            f"{m} {P['a']} {P['Membership']} .",
            f"{m} {P['member']} {person} .",
            f"{m} {P['organization']} {org} .",
            f"{m} {lcc('positionTitle')} {lit('Director')} .",
        ]
        cite(person, f"Speaker {i}-{k}, Director")
        cite(m, f"Speaker {i}-{k}, Director")
    return out


def _discrepancy(i: int, cite: Callable) -> list[str]:
    d = iri("discrepancy", f"syn-population-{i}")
    city = iri("city", f"syn-city-{i}")
    out = [
        f"{d} {P['a']} {lcc('Discrepancy')} .",
        f"{d} {P['label']} {lit(f'Population of Synthetic City {i}')} .",
        f"{d} {P['comment']} {lit('Two documents give different figures.')} .",
        f"{d} {lcc('discrepancyKind')} {lcc('discrepancyFigure')} .",
        f"{d} {lcc('concerns')} {city} .",
    ]
    cite(d, "two figures")
    for k, value in enumerate((100_000 + i, 120_000 + i)):
        s = f"<{BASE}id/discrepancy/syn-population-{i}#s{k}>"
        out += [
            f"{d} {lcc('conflictingStatement')} {s} .",
            f"{s} {P['a']} {P['Statement']} .",
            f"{s} {P['rdfSubject']} {city} .",
            f"{s} {P['rdfPredicate']} {lcc('population')} .",
            f"{s} {P['rdfObject']} {typed(value, 'integer')} .",
        ]
        cite(s, f"population {value}")
    return out


def write_synthetic(path: Path, n_cities: int, seed: int = 42) -> int:
    """Write a synthetic TriG file of ``n_cities`` cities; return its number of triples."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for graph, lines in _synthetic_graphs(n_cities, seed):
            fh.write(f"{graph} {{\n")
            fh.write("\n".join(lines))
            fh.write("\n}\n")
            n += len(lines)
    return n


# --- timing -------------------------------------------------------------------------------


class Capped(BaseException):
    """Raised by the timer signal inside rdflib's evaluator (a BaseException, so that the
    runner's ``except Exception`` around rdflib does not swallow it)."""


@contextlib.contextmanager
def cap(seconds: float) -> Iterator[None]:
    def _stop(signum, frame):
        raise Capped

    old = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def normalise(result) -> list[tuple]:
    """Rows as comparable tuples: canonical terms, GROUP_CONCAT parts sorted, rows sorted."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return sorted((s.n3(), p.n3(), o.n3()) for s, p, o in result.triples)
    rows = []
    for row in result.terms:
        cells = []
        for var in result.variables:
            term = row.get(var)
            if term is None:
                cells.append(None)
            elif term.kind == "literal" and " | " in term.value:
                cells.append(" | ".join(sorted(term.value.split(" | "))))
            else:
                cells.append(term.n3())
        rows.append(tuple(cells))
    return sorted(rows, key=repr)


def project(tmp: Path, extra: list[Path]) -> Path:
    """A project folder with the real ontology, shapes and data, plus the extra TriG files."""
    (tmp / "ontology").mkdir(parents=True)
    shutil.copy(ROOT / "ontology" / "lcc.ttl", tmp / "ontology" / "lcc.ttl")
    shutil.copytree(ROOT / "shapes", tmp / "shapes")
    (tmp / "data").mkdir()
    for path in sorted((ROOT / "data").glob("*.trig")):
        shutil.copy(path, tmp / "data" / path.name)
    for k, path in enumerate(extra):
        shutil.copy(path, tmp / "data" / f"zz-extra-{k}.trig")
    return tmp


def load_rdflib(settings):
    """Plain rdflib: one Dataset with a union default graph, each file parsed into it."""
    import rdflib

    from lcgraph.store import source_files

    ds = rdflib.Dataset(default_union=True)
    for path, graph in source_files(settings):
        if graph:
            ds.graph(rdflib.URIRef(settings.graph_iri(graph))).parse(path, format="turtle")
        else:
            ds.parse(path, format="trig")
    return ds


def measure(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def digest(result) -> str:
    """A fingerprint of the normalised answers, to compare engines across processes."""
    return hashlib.sha256(repr(normalise(result)).encode("utf-8")).hexdigest()


def in_child(target: Callable, *args):
    """``target(*args)`` in a forked process, so that each engine is timed alone in its process.

    Timing both in one process made pyoxigraph's small queries up to 3x slower next to the
    millions of Python objects of rdflib's graph at 1 M triples; a user runs one engine.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work() -> None:
        try:
            child.send(("ok", target(*args)))
        except BaseException as exc:  # report anything to the parent, then end
            child.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            child.close()

    proc = ctx.Process(target=work)
    proc.start()
    child.close()
    status, payload = parent.recv()  # before join: a large answer would fill the pipe
    proc.join()
    if status == "error":
        raise RuntimeError(f"benchmark process failed: {payload}")
    return payload


def oxigraph_pass(settings, plan: list[tuple], repeat: int) -> dict:
    from lcgraph.queries import run_oxigraph
    from lcgraph.store import build

    start = time.perf_counter()
    store, report = build(settings, in_memory=True)
    load_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    out = {}
    for name, ox_text, _, _ in plan:
        times, result = measure(lambda t=ox_text: run_oxigraph(t, store, None), repeat)
        out[name] = {"seconds": times, "rows": len(result), "digest": digest(result)}
    return {"load_s": load_s, "triples": report.triples, "peak_mb": peak_mb(), "queries": out}


def rdflib_pass(settings, plan: list[tuple], args: argparse.Namespace, ox: dict) -> dict:
    from lcgraph.queries import run_rdflib

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # rdflib's evaluator recurses
    start = time.perf_counter()
    dataset = load_rdflib(settings)
    load_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    out = {}
    for name, _, rdf_text, bindings in plan:
        times: list[float] = []
        result, capped = None, False
        # long enough that a capped run still proves the ratio the cap factor names
        limit = max(args.cap, args.cap_factor * statistics.median(ox[name]["seconds"]))
        for k in range(args.repeat):
            start = time.perf_counter()
            try:
                with cap(limit):
                    result = run_rdflib(rdf_text, dataset, None, bindings)
            except Capped:
                capped = True
                times.append(limit)
                break
            times.append(time.perf_counter() - start)
            if k == 0 and times[0] > args.repeat_below:
                break
        out[name] = {
            "seconds": times,
            "rows": None if capped else len(result),
            "digest": None if capped else digest(result),
            "capped": capped,
        }
        if not args.quiet:
            print(line(name, ox[name], out[name]), flush=True)
    return {"load_s": load_s, "peak_mb": peak_mb(), "queries": out}


def bench(args: argparse.Namespace) -> tuple[dict, list[dict]]:
    from lcgraph.config import Settings
    from lcgraph.queries import catalogue, prepare

    meta: dict = {"scale": args.scale}
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp_name:
        root = project(Path(tmp_name), [Path(p) for p in args.trig])
        if SCALES[args.scale] and not args.trig:
            start = time.perf_counter()
            n_cities = SCALES[args.scale]
            meta["synthetic_triples"] = write_synthetic(
                root / "data" / "zz-synthetic.trig", n_cities, args.seed
            )
            meta["generate_s"] = time.perf_counter() - start
        settings = Settings.from_env().with_(root=root)
        queries = catalogue(Settings.from_env())
        plan = []
        for name in args.queries or sorted(queries):
            params = example_params(queries[name])
            ox_text, _ = prepare(queries[name], params, settings, "oxigraph")
            rdf_text, bindings = prepare(queries[name], params, settings, "rdflib")
            plan.append((name, ox_text, rdf_text, bindings))
        ox = in_child(oxigraph_pass, settings, plan, args.repeat)
        rdf = in_child(rdflib_pass, settings, plan, args, ox["queries"])
    meta.update(
        triples=ox["triples"],
        oxigraph_load_s=ox["load_s"],
        rdflib_load_s=rdf["load_s"],
        oxigraph_peak_mb=ox["peak_mb"],
        rdflib_peak_mb=rdf["peak_mb"],
    )
    rows: list[dict] = []
    for name, *_ in plan:
        a, b = ox["queries"][name], rdf["queries"][name]
        same = None if b["capped"] else a["digest"] == b["digest"]
        for tool, stats in (("lcgraph (pyoxigraph)", a), ("rdflib", b)):
            rows.append(
                {
                    "bench": f"query/{name}",
                    "tool": tool,
                    "scale": args.scale,
                    "triples": meta["triples"],
                    "seconds": stats["seconds"],
                    "min": min(stats["seconds"]),
                    "median": statistics.median(stats["seconds"]),
                    "rows": stats["rows"],
                    "capped": stats.get("capped", False),
                    "same_answers": same,
                }
            )
    return meta, rows


def example_params(query) -> dict[str, str]:
    """The ``--param`` values of a query's ``example:`` line (as the tests read them)."""
    import itertools
    import shlex

    words = shlex.split(query.example)
    params = {}
    for flag, value in itertools.pairwise(words):
        if flag in ("--param", "-p"):
            key, _, val = value.partition("=")
            params[key] = val
    return params


def ratio(ox: dict, rdf: dict) -> str:
    value = rdf["median"] / max(ox["median"], 1e-9)
    return f"{'≥ ' if rdf['capped'] else ''}{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def line(name: str, ox: dict, rdf: dict) -> str:
    """One progress line from the raw per-engine stats of a query."""
    ox_med, rdf_med = statistics.median(ox["seconds"]), statistics.median(rdf["seconds"])
    shown = ratio({"median": ox_med}, {"median": rdf_med, "capped": rdf["capped"]})
    same = "" if rdf["capped"] or rdf["digest"] == ox["digest"] else "  ANSWERS DIFFER"
    return (
        f"{name:32s} {ox['rows']:>7} rows  oxigraph {ox_med * 1000:9.2f} ms  "
        f"rdflib {'>' if rdf['capped'] else ''}{rdf_med * 1000:>10,.1f} ms  {shown:>8}{same}"
    )


def markdown(meta: dict, rows: list[dict], argv: list[str]) -> str:
    import pyoxigraph
    import rdflib

    pairs = list(zip(rows[::2], rows[1::2], strict=True))
    ratios = [r["median"] / max(o["median"], 1e-9) for o, r in pairs]
    out = [
        f"# Saved-query latency at scale {meta['scale']}: pyoxigraph vs rdflib",
        "",
        f"- data: `data/` (the five seeds) + {meta.get('synthetic_triples', 0):,} synthetic "
        f"triples = {meta['triples']:,} triples in the store (ontology included)",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
        f"rdflib {rdflib.__version__}",
        f"- command: `python bench/bench_queries.py {' '.join(argv)}`",
        f"- load: pyoxigraph {meta['oxigraph_load_s']:.1f} s, rdflib {meta['rdflib_load_s']:.1f} s;"
        f" peak RSS {meta['oxigraph_peak_mb']:,.0f} MB and {meta['rdflib_peak_mb']:,.0f} MB"
        " (each engine in its own process)",
        "- each query: its `example:` parameters, bound as `lcgraph.queries.run` binds them;"
        " median of the runs; rdflib stopped at the cap (then ≥)",
        f"- slowest-to-fastest ratio range: {min(ratios):,.1f}× – {max(ratios):,.0f}×; "
        f"queries at ≥ 10×: {sum(x >= 10 for x in ratios)} of {len(ratios)}",
        "",
        "| query | rows | pyoxigraph ms (median) | rdflib ms (median) | rdflib / pyoxigraph | same answers |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for ox, rdf in pairs:
        rdf_ms = f"{'> ' if rdf['capped'] else ''}{rdf['median'] * 1000:,.1f}"
        same = {True: "yes", False: "**no**", None: "(capped)"}[rdf["same_answers"]]
        out.append(
            f"| `{ox['bench'][6:]}` | {ox['rows']:,} | {ox['median'] * 1000:,.2f} | {rdf_ms} | "
            f"{ratio(ox, rdf)} | {same} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="seed")
    parser.add_argument("--trig", action="append", default=[], help="extra TriG file(s) to load")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic graph")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60.0, help="stop an rdflib run after S s")
    parser.add_argument(
        "--cap-factor",
        type=float,
        default=12.0,
        help="... or after this many times the pyoxigraph median, if longer",
    )
    parser.add_argument(
        "--repeat-below", type=float, default=5.0, help="repeat rdflib only under S s"
    )
    parser.add_argument("--queries", nargs="*", help="only these saved queries")
    parser.add_argument("--json", type=Path, help="write the rows as JSON here")
    parser.add_argument("--markdown", type=Path, help="write a results table here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    meta, rows = bench(args)
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(meta, rows, argv), encoding="utf-8")
    if not args.quiet:
        print(
            f"{meta['triples']:,} triples; load: pyoxigraph {meta['oxigraph_load_s']:.2f} s, "
            f"rdflib {meta['rdflib_load_s']:.2f} s; peak RSS {meta['oxigraph_peak_mb']:,.0f} MB "
            f"and {meta['rdflib_peak_mb']:,.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
