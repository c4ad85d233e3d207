"""The rules of the data, as tests over the real data files, one case per entity.

In the style of bioregistry's ``tests/test_data.py``: every rule is parametrised over the
entities (or files, or graphs) of ``data/*.trig``, so data added tomorrow is covered without
touching this file, and a failure names the entity, its file and what to fix. Each rule is a
function that returns its problems as sentences; the same functions run on a deliberately broken
fixture (``tests/fixtures/data-rules-broken.trig``) to show that each rule catches what it is
for.

The provenance rule, precisely: every subject described in a named graph has
``prov:wasDerivedFrom`` the *source of that graph*, stated in that same graph. The source of a
graph is the one node in it typed ``lcc:SourceDocument`` (a seed document) or ``dcat:Dataset``
(the packaged datasets behind the generated link files). Exempt are the source node itself and
reified statements (``rdf:Statement``, the sides of an ``lcc:Discrepancy``): a statement cites
the document *it* was read from, which is often another one than the discrepancy's. Hash-IRI
membership nodes (``id/network/asian-network-of-major-cities-21#tokyo``) are not exempt: they come from a document like
any other node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, SKOS, BNode, Literal, URIRef
from support import REPO

from lcgraph.config import DEFAULT_BASE, Settings
from lcgraph.link import fold
from lcgraph.namespace import LCC
from lcgraph.rdfio import all_prefixes, data_files, parse_dataset
from lcgraph.validate import validate_project

pytest_plugins = ("foundation_fixtures",)  # the fixture ontology_graph

PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
ID = f"{DEFAULT_BASE}id/"
SETTINGS = Settings().with_(root=REPO)
BROKEN = REPO / "tests" / "fixtures" / "data-rules-broken.trig"

#: target kinds stated as a percentage, and those stated as an amount in a unit (targets.ttl)
PERCENT_KINDS = {
    LCC.kindAbsolute, LCC.kindPerCapita, LCC.kindIntensity, LCC.kindBau, LCC.kindReduction,
    LCC.kindLevel, LCC.kindShare, LCC.kindIncrease, LCC.kindImprovement,
}  # fmt: skip
AMOUNT_KINDS = {LCC.kindCap, LCC.kindSaving, LCC.kindQuantity}


# --- loading ----------------------------------------------------------------------------------


@dataclass
class Data:
    """Data files parsed once: each file, each named graph (with its file), and their union."""

    files: dict[str, rdflib.Dataset]
    graphs: dict[URIRef, rdflib.Graph]
    graph_files: dict[URIRef, set[str]]
    union: rdflib.Graph

    def file_of(self, node) -> str:
        names = {
            f
            for g, graph in self.graphs.items()
            if (node, None, None) in graph
            for f in self.graph_files[g]
        }
        return ", ".join(sorted(names)) or "no data file"

    def entities(self, *classes: URIRef) -> list[URIRef]:
        """Instances of the given classes, or every typed {base}id/ node, in a stable order."""
        if classes:
            found = {s for cls in classes for s in self.union.subjects(RDF.type, cls)}
        else:
            found = {s for s in self.union.subjects(RDF.type, None) if str(s).startswith(ID)}
        return sorted(s for s in found if isinstance(s, URIRef))

    def is_statement(self, node) -> bool:
        return (node, RDF.type, RDF.Statement) in self.union


def data_from_paths(paths: Iterable[Path]) -> Data:
    """A pure loader over any files, so that the rules run on fixtures as on data/."""
    files, graphs, graph_files = {}, {}, defaultdict(set)
    union = rdflib.Graph()
    for path in paths:
        name = str(Path(path).relative_to(REPO))
        ds = parse_dataset(path)
        files[name] = ds
        for s, p, o, g in ds.quads((None, None, None, None)):
            graph_id = g.identifier if isinstance(g, rdflib.Graph) else g
            if graph_id is None or graph_id == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
                continue
            graphs.setdefault(graph_id, rdflib.Graph()).add((s, p, o))
            graph_files[graph_id].add(name)
            union.add((s, p, o))
    return Data(files, graphs, dict(graph_files), union)


def short(node) -> str:
    return str(node)[len(ID) :] if str(node).startswith(ID) else str(node)


def curie(iri: URIRef) -> str:
    for prefix, ns in sorted(all_prefixes().items(), key=lambda kv: -len(kv[1])):
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns) :]}"
    return f"<{iri}>"


def english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


# --- the rules: each returns its problems, as sentences for a data author -----------------


def blank_node_problems(data: Data, name: str) -> list[str]:
    quads = data.files[name].quads((None, None, None, None))
    blank = sorted({t.n3() for quad in quads for t in quad if isinstance(t, BNode)})
    if not blank:
        return []
    return [
        f"{name}: blank nodes {blank[:5]}: give each node an IRI {{base}}id/{{kind}}/{{slug}} "
        "(or a hash IRI under the node it belongs to) so that others can link to it"
    ]


def named_graph_problems(data: Data, name: str) -> list[str]:
    problems = []
    outside = len(data.files[name].default_graph)
    if outside:
        problems.append(f"{name}: {outside} triple(s) outside a named graph")
    mine = sorted(str(g) for g, files in data.graph_files.items() if name in files)
    if len(mine) != 1:
        problems.append(f"{name}: one named graph per data file, found {mine}")
    for g in mine:
        others = sorted(data.graph_files[URIRef(g)] - {name})
        if others:
            problems.append(f"{name}: the graph {g} is also written by {others}")
    return problems


def undeclared_term_problems(data: Data, name: str) -> list[str]:
    used = {
        t
        for quad in data.files[name].quads((None, None, None, None))
        for t in quad[:3]
        if isinstance(t, URIRef) and str(t).startswith(str(LCC))
    }
    unknown = sorted(str(t)[len(str(LCC)) :] for t in used if t not in LCC)
    if unknown:
        return [f"{name} uses lcc: terms that ontology/lcc.ttl does not declare: {unknown}"]
    return []


def sources(graph: rdflib.Graph) -> list[URIRef]:
    found = set(graph.subjects(RDF.type, LCC.SourceDocument))
    found |= set(graph.subjects(RDF.type, DCAT.Dataset))
    return sorted(found)


def source_problems(data: Data, graph_id: URIRef) -> list[str]:
    found = sources(data.graphs[graph_id])
    if len(found) == 1:
        return []
    return [
        f"{sorted(data.graph_files[graph_id])}: the graph {graph_id} must describe exactly one "
        f"source (an lcc:SourceDocument or a dcat:Dataset), found {[short(s) for s in found]}"
    ]


def provenance_problems(data: Data, graph_id: URIRef, subject) -> list[str]:
    graph = data.graphs[graph_id]
    cited = set(graph.objects(subject, PROV.wasDerivedFrom))
    where = f"{sorted(data.graph_files[graph_id])}: {short(subject)}"
    if data.is_statement(subject):
        if not {d for d in cited if (d, RDF.type, LCC.SourceDocument) in data.union}:
            return [f"{where} (a statement) cites no source document (prov:wasDerivedFrom)"]
        return []
    found = sources(graph)
    if len(found) == 1 and found[0] not in cited:
        return [
            f"{where} is described in {graph_id} but has no prov:wasDerivedFrom "
            f"{short(found[0])} there (it cites {sorted(short(c) for c in cited)})"
        ]
    return []


def label_problems(data: Data, entity) -> list[str]:
    labels = english(data.union.objects(entity, RDFS.label))
    if len(labels) == 1:
        return []
    return [
        f"{short(entity)} ({data.file_of(entity)}) has {len(labels)} English rdfs:label(s) "
        f"{sorted(str(x) for x in labels)}: keep one, move the others to skos:altLabel"
    ]


def link_problems(data: Data, entity) -> list[str]:
    dangling = sorted(
        short(o)
        for o in data.union.objects(entity, None)
        if isinstance(o, URIRef) and str(o).startswith(ID) and (o, RDF.type, None) not in data.union
    )
    if not dangling:
        return []
    return [
        f"{short(entity)} ({data.file_of(entity)}) links to nodes that no data file describes: "
        f"{dangling} (a typo in a slug, or a node still to be written)"
    ]


def place_problems(data: Data, place) -> list[str]:
    where = f"{short(place)} ({data.file_of(place)})"
    problems = []
    countries = list(data.union.objects(place, LCC.country))
    if len(countries) != 1:
        problems.append(
            f"{where} has {len(countries)} lcc:country {sorted(short(c) for c in countries)}: "
            "give the source's country, or run `lcgraph link` to take it from GeoNames"
        )
    problems += [
        f"{where}: its country {short(c)} is not an lcc:Country"
        for c in countries
        if (c, RDF.type, LCC.Country) not in data.union
    ]
    cited = data.union.objects(place, PROV.wasDerivedFrom)
    if not [c for c in cited if (c, RDF.type, LCC.SourceDocument) in data.union]:
        problems.append(f"{where} cites no source document (prov:wasDerivedFrom)")
    links = list(data.union.objects(place, LCC.geonames))
    reasons = list(data.union.objects(place, LCC.noGeonamesReason))
    if len(links) + len(reasons) != 1:
        problems.append(
            f"{where} needs one GeoNames link or one recorded reason, has {len(links)} link(s) "
            f"and {len(reasons)} reason(s): run `lcgraph link`"
        )
    return problems


def city_names(data: Data) -> dict[tuple[str, URIRef], set[URIRef]]:
    """(folded name, country) -> the cities with that name in that country."""
    keys = defaultdict(set)
    for city in data.entities(LCC.City):
        names = [*data.union.objects(city, RDFS.label), *data.union.objects(city, SKOS.altLabel)]
        for country in data.union.objects(city, LCC.country):
            for name in names:
                if fold(str(name)):
                    keys[(fold(str(name)), country)].add(city)
    return keys


def duplicate_city_problems(data: Data, city) -> list[str]:
    clashes = sorted(
        f"{name!r} with {sorted(short(c) for c in cities - {city})}"
        for (name, _), cities in city_names(data).items()
        if city in cities and len(cities) > 1
    )
    if not clashes:
        return []
    return [
        f"{short(city)} ({data.file_of(city)}) shares names with other cities of its country: "
        f"{clashes}; one city, two nodes? merge them and keep the spelling as skos:altLabel"
    ]


def target_problems(data: Data, target, ontology: rdflib.Graph) -> list[str]:
    where = f"{short(target)} ({data.file_of(target)})"
    problems = []

    def values(predicate) -> list:
        found = list(data.union.objects(target, predicate))
        if len(found) > 1:
            problems.append(
                f"{where} has {len(found)} {curie(predicate)}: {[str(v) for v in found]}"
            )
        return found

    if not list(data.union.subjects(LCC.hasTarget, target)):
        problems.append(f"{where}: nothing holds it (no ?holder lcc:hasTarget {short(target)})")
    kinds, indicators = values(LCC.targetKind), values(LCC.indicator)
    if not kinds or (kinds[0], SKOS.inScheme, LCC.TargetKindScheme) not in ontology:
        problems.append(
            f"{where}: lcc:targetKind {[curie(k) for k in kinds]} is not one TargetKindScheme concept"
        )
    if not indicators or (indicators[0], SKOS.inScheme, LCC.IndicatorScheme) not in ontology:
        problems.append(
            f"{where}: lcc:indicator {[curie(i) for i in indicators]} is not one IndicatorScheme concept"
        )
    percent, upper = values(LCC.percent)[:1], values(LCC.percentUpper)[:1]
    if percent and not 0 <= percent[0].toPython() <= 100:
        problems.append(f"{where}: percent {percent[0]} is not between 0 and 100")
    if upper and not percent:
        problems.append(f"{where}: lcc:percentUpper {upper[0]} without lcc:percent")
    if upper and percent and not percent[0].toPython() <= upper[0].toPython() <= 100:
        problems.append(f"{where}: the range {percent[0]}-{upper[0]} is upside down or above 100")
    kind = kinds[0] if kinds else None
    if kind in PERCENT_KINDS and not percent:
        problems.append(f"{where}: a {curie(kind)} target needs lcc:percent")
    if kind in AMOUNT_KINDS and not (values(LCC.amount) and values(LCC.unit)):
        problems.append(f"{where}: a {curie(kind)} target needs lcc:amount and lcc:unit")
    base, year = values(LCC.baseYear)[:1], values(LCC.targetYear)[:1]
    if base and year and not int(str(base[0])) < int(str(year[0])):
        problems.append(f"{where}: base year {base[0]} is not before target year {year[0]}")
    if not english(data.union.objects(target, LCC.evidence)):
        problems.append(f"{where}: no quote from its source (lcc:evidence)")
    return problems


def discrepancy_problems(data: Data, discrepancy) -> list[str]:
    where = f"{short(discrepancy)} ({data.file_of(discrepancy)})"
    problems = []
    statements = sorted(data.union.objects(discrepancy, LCC.conflictingStatement))
    if len(statements) < 2:
        problems.append(f"{where} links {len(statements)} statement(s); it needs two or more")
    if not list(data.union.objects(discrepancy, RDFS.comment)):
        problems.append(f"{where} does not explain itself (rdfs:comment)")
    needed = (RDF.subject, RDF.predicate, RDF.object, PROV.wasDerivedFrom, LCC.evidence)
    for st in statements:
        missing = [curie(p) for p in needed if (st, p, None) not in data.union]
        if missing:
            problems.append(f"{where}: the statement {short(st)} lacks {missing}")
    return problems


# --- the real data ----------------------------------------------------------------------------

DATA = data_from_paths(data_files(SETTINGS))
FILES = sorted(DATA.files)
ENTITIES = [e for e in DATA.entities() if not DATA.is_statement(e)]
SUBJECTS_BY_GRAPH = [
    (g, s)
    for g in sorted(DATA.graphs)
    for s in sorted(set(DATA.graphs[g].subjects()), key=str)
    if s not in sources(DATA.graphs[g])
]


def test_the_data_is_there():
    """Guards the parametrised rules: an empty or unreadable data/ would give them no case."""
    assert "data/000-kuala-lumpur-tokyo.trig" in DATA.files
    assert URIRef(ID + "city/tokyo") in DATA.entities(LCC.City)
    assert URIRef(ID + "target/tokyo-ghg-halving-2030") in DATA.entities(LCC.Target)
    assert len(ENTITIES) > 30


@pytest.mark.parametrize("name", FILES)
def test_file_has_no_blank_nodes(name):
    assert not blank_node_problems(DATA, name), blank_node_problems(DATA, name)[0]


@pytest.mark.parametrize("name", FILES)
def test_file_is_one_named_graph(name):
    problems = named_graph_problems(DATA, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", FILES)
def test_file_uses_only_declared_lcc_terms(name):
    problems = undeclared_term_problems(DATA, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("graph_id", sorted(DATA.graphs), ids=lambda g: str(g).rsplit("/", 1)[-1])
def test_graph_has_one_source(graph_id):
    problems = source_problems(DATA, graph_id)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("graph_id", "subject"),
    SUBJECTS_BY_GRAPH,
    ids=[f"{str(g).rsplit('/', 1)[-1]}:{short(s)}" for g, s in SUBJECTS_BY_GRAPH],
)
def test_subject_cites_the_source_of_its_graph(graph_id, subject):
    problems = provenance_problems(DATA, graph_id, subject)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entity", ENTITIES, ids=short)
def test_entity_has_one_english_label(entity):
    problems = label_problems(DATA, entity)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entity", ENTITIES, ids=short)
def test_entity_links_resolve(entity):
    problems = link_problems(DATA, entity)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("place", DATA.entities(LCC.City, LCC.Region), ids=short)
def test_place_has_country_provenance_and_geonames(place):
    problems = place_problems(DATA, place)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("city", DATA.entities(LCC.City), ids=short)
def test_no_second_node_for_the_same_city(city):
    """Two city nodes sharing a name (folded: accents, case, spaces and hyphens ignored) in the
    same country are one city described twice."""
    problems = duplicate_city_problems(DATA, city)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", DATA.entities(LCC.Target), ids=short)
def test_target_is_consistent(target, ontology_graph):
    problems = target_problems(DATA, target, ontology_graph)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", FILES)
def test_discrepancies_link_sourced_statements(name):
    """Per file (seed 000 has no discrepancy, and an empty parameter set would be skipped),
    with one sentence per discrepancy that breaks the rule."""
    mine = [d for d in DATA.entities(LCC.Discrepancy) if name in DATA.file_of(d)]
    problems = [p for d in mine for p in discrepancy_problems(DATA, d)]
    assert not problems, "\n".join(problems)


def test_the_knowledge_graph_conforms_to_the_shapes():
    report = validate_project(SETTINGS)
    assert report.conforms, "the data does not conform to shapes/:\n\n" + report.text()


# --- the rules catch what they are for: a broken fixture ----------------------------------

BAD = data_from_paths([BROKEN])
BAD_FILE = str(BROKEN.relative_to(REPO))
ONTOLOGY = rdflib.Graph().parse(REPO / "ontology" / "lcc.ttl", format="turtle")


def node(slug: str) -> URIRef:
    return URIRef(ID + slug)


def graph(slug: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE}graph/{slug}")


RULE_CASES = [
    ("blank-node", lambda: blank_node_problems(BAD, BAD_FILE), "blank nodes"),
    ("triples-outside-a-graph", lambda: named_graph_problems(BAD, BAD_FILE), "outside a named graph"),
    ("two-graphs-in-a-file", lambda: named_graph_problems(BAD, BAD_FILE), "one named graph per data file"),
    ("undeclared-term", lambda: undeclared_term_problems(BAD, BAD_FILE), "['populaton']"),
    ("graph-without-source", lambda: source_problems(BAD, graph("orphan")), "exactly one source"),
    (
        "subject-without-provenance",
        lambda: provenance_problems(BAD, graph("broken"), node("city/osaka")),
        "city/osaka is described in https://w3id.org/lcc/graph/broken but has no prov:wasDerivedFrom document/broken",
    ),
    (
        "statement-without-source",
        lambda: provenance_problems(BAD, graph("broken"), node("discrepancy/osaka-year#b")),
        "(a statement) cites no source document",
    ),
    ("two-english-labels", lambda: label_problems(BAD, node("city/osaka")), "has 2 English rdfs:label(s)"),
    ("dangling-link", lambda: link_problems(BAD, node("city/osaka")), "['network/nowhere']"),
    ("place-without-country", lambda: place_problems(BAD, node("city/sakai")), "has 0 lcc:country"),
    ("place-link-and-reason", lambda: place_problems(BAD, node("city/sakai")), "has 1 link(s) and 1 reason(s)"),
    ("place-without-source", lambda: place_problems(BAD, node("city/sakai")), "cites no source document"),
    ("duplicate-city", lambda: duplicate_city_problems(BAD, node("city/osaka")), "'osaka' with ['city/osaka-shi']"),
    ("target-percent-range", lambda: target_problems(BAD, node("target/a"), ONTOLOGY), "percent 120.0 is not between 0 and 100"),
    ("target-upside-down-range", lambda: target_problems(BAD, node("target/a"), ONTOLOGY), "the range 120.0-50.0"),
    ("target-years", lambda: target_problems(BAD, node("target/a"), ONTOLOGY), "base year 2030 is not before target year 2020"),
    ("target-without-holder", lambda: target_problems(BAD, node("target/b"), ONTOLOGY), "nothing holds it"),
    ("target-needs-percent", lambda: target_problems(BAD, node("target/b"), ONTOLOGY), "a lcc:kindIntensity target needs lcc:percent"),
    ("target-without-evidence", lambda: target_problems(BAD, node("target/b"), ONTOLOGY), "no quote"),
    ("target-cap-needs-unit", lambda: target_problems(BAD, node("target/c"), ONTOLOGY), "a lcc:kindCap target needs lcc:amount and lcc:unit"),
    ("target-indicator-not-an-indicator", lambda: target_problems(BAD, node("target/c"), ONTOLOGY), "lcc:indicator ['lcc:kindCap'] is not one IndicatorScheme concept"),
    ("discrepancy-one-statement", lambda: discrepancy_problems(BAD, node("discrepancy/osaka-name")), "links 1 statement(s)"),
    ("statement-without-evidence", lambda: discrepancy_problems(BAD, node("discrepancy/osaka-year")), "osaka-year#b lacks ['prov:wasDerivedFrom', 'lcc:evidence']"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "check", "expected"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rule_catches_a_broken_example(rule, check, expected):
    problems = check()
    assert any(expected in p for p in problems), f"{rule}: {expected!r} not in {problems}"
