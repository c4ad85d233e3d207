"""Exports for partners: dumps, the JSON-LD context, VoID/DCAT, the ontology's documentation.

Used by ``lcgraph export`` and by the server's ``/download/``, ``/.well-known/void``,
``/context.jsonld`` and ``/ontology``. Dumps are written by pyoxigraph (fast, streaming) and
gzipped deterministically (no timestamp in the gzip header), so the same store gives the same
bytes and the same SHA-256 checksums.

What each dump holds: the quad formats (N-Quads, TriG, JSON-LD) hold every named graph, so
provenance survives; the triple formats (Turtle, N-Triples) hold the union of the named graphs
with duplicates merged. A store's default graph (empty, or the materialised union) is never
exported on its own.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from lcgraph import __version__
from lcgraph.config import ONTOLOGY_IRI, ONTOLOGY_NS, Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import VOCAB_PREFIXES, all_prefixes

__all__ = [
    "DUMP_FORMATS",
    "DumpFile",
    "dump_bytes",
    "isomorphic",
    "jsonld_context",
    "named_quads",
    "ontology_html",
    "ontology_model",
    "union_triples",
    "void_triples",
    "write_dumps",
]

#: extension -> (pyoxigraph format, media type, holds named graphs)
DUMP_FORMATS: dict[str, tuple[ox.RdfFormat, str, bool]] = {
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads", True),
    "trig": (ox.RdfFormat.TRIG, "application/trig", True),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", True),
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle", False),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples", False),
}
DUMP_STEM = "lcgraph"

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF_NS + "type"
XSD = "http://www.w3.org/2001/XMLSchema#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
GEONAMES = "https://sws.geonames.org/"


@dataclass(frozen=True)
class DumpFile:
    """One gzipped dump: its file name, media type, size, SHA-256 and statement count."""

    name: str
    media_type: str
    size: int
    sha256: str
    statements: int
    graphs: bool


# --- Dumps --------------------------------------------------------------------------------


def named_quads(store: ox.Store) -> list[ox.Quad]:
    """Every quad in a named graph, sorted (graph, subject, predicate, object).

    The store's own order depends on its internal ids and blank-node labels on the parse, both
    of which differ between builds; canonical blank-node labels and sorting make dumps (and
    their checksums) depend on the data alone, and group each subject's statements.
    """
    # graph by graph: a scan of every quad would also read (and drop) the default graph's union
    quads = [
        q
        for graph in store.named_graphs()
        for q in store.quads_for_pattern(None, None, None, graph)
    ]
    quads = _canonical_blank_nodes(quads)
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return quads


def _canonical_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Rename blank nodes canonically (RDFC-1.0), so their labels do not change between builds.

    Only the quads that mention a blank node take part (a blank node's canonical label depends
    on those alone), which keeps the cost to the few blank nodes there are (OWL lists in the
    ontology; the data has none).
    """

    def has_bnode(q: ox.Quad) -> bool:
        return (
            isinstance(q.subject, ox.BlankNode)
            or isinstance(q.object, ox.BlankNode)
            or isinstance(q.graph_name, ox.BlankNode)
        )

    with_b = [q for q in quads if has_bnode(q)]
    if not with_b:
        return quads
    canon = ox.Dataset(with_b)
    canon.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [q for q in quads if not has_bnode(q)] + list(canon)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The union of the graphs as triples, duplicates merged, first occurrence order."""
    seen: dict[ox.Triple, None] = {}
    for q in quads:
        seen.setdefault(q.triple, None)
    return list(seen)


def dump_bytes(
    store: ox.Store, ext: str, settings: Settings, quads: list[ox.Quad] | None = None
) -> tuple[bytes, int]:
    """The uncompressed dump in format ``ext`` and its number of statements."""
    if ext not in DUMP_FORMATS:
        raise InputError(f"unknown dump format {ext!r}; use one of: {', '.join(DUMP_FORMATS)}")
    fmt, _media, with_graphs = DUMP_FORMATS[ext]
    quads = named_quads(store) if quads is None else quads
    prefixes = (
        all_prefixes(settings.base) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    )
    if with_graphs:
        return ox.serialize(quads, format=fmt, prefixes=prefixes), len(quads)
    triples = union_triples(quads)
    return ox.serialize(triples, format=fmt, prefixes=prefixes), len(triples)


def _gzip(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6) as gz:
        gz.write(data)
    return out.getvalue()


def write_dumps(
    store: ox.Store, settings: Settings, out_dir: Path, formats: Iterable[str] | None = None
) -> list[DumpFile]:
    """Write ``lcgraph.<ext>.gz`` for each format, ``SHA256SUMS`` and ``void.ttl`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    quads = named_quads(store)
    files = []
    for ext in formats or DUMP_FORMATS:
        data, count = dump_bytes(store, ext, settings, quads)
        packed = _gzip(data)
        name = f"{DUMP_STEM}.{ext}.gz"
        (out_dir / name).write_bytes(packed)
        files.append(
            DumpFile(
                name,
                DUMP_FORMATS[ext][1],
                len(packed),
                hashlib.sha256(packed).hexdigest(),
                count,
                DUMP_FORMATS[ext][2],
            )
        )
    (out_dir / "SHA256SUMS").write_text(sha256sums(files), encoding="utf-8")
    void = ox.serialize(
        void_triples(store, settings, files),
        format=ox.RdfFormat.TURTLE,
        prefixes=_void_prefixes(settings),
    )
    (out_dir / "void.ttl").write_bytes(void)
    return files


def sha256sums(files: Iterable[DumpFile]) -> str:
    """The ``sha256sum -c`` format: ``<hex>  <name>`` per line."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in files)


def read_dump(data: bytes, ext: str) -> list[ox.Quad]:
    """Parse a (gzipped or plain) dump back into quads (triples land in the default graph)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    fmt = DUMP_FORMATS[ext][0]
    return list(ox.parse(data, format=fmt))


def isomorphic(a: Iterable[ox.Quad], b: Iterable[ox.Quad]) -> bool:
    """Whether two datasets are the same up to blank-node renaming (RDFC-1.0 canonical forms)."""
    da, db = ox.Dataset(list(a)), ox.Dataset(list(b))
    da.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    db.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(da) == set(db)


# --- JSON-LD context ----------------------------------------------------------------------


def _ontology_terms(settings: Settings) -> Iterator[tuple[str, str, str | None]]:
    """(local name, kind, xsd range) of every lcc: property in the ontology file."""
    owl = "http://www.w3.org/2002/07/owl#"
    rdfs_range = "http://www.w3.org/2000/01/rdf-schema#range"
    quads = list(ox.parse(path=settings.ontology_path, format=ox.RdfFormat.TURTLE))
    kinds: dict[str, str] = {}
    ranges: dict[str, str] = {}
    for q in quads:
        s = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
        if not s or not s.startswith(ONTOLOGY_NS):
            continue
        if q.predicate.value == RDF_TYPE and q.object.value in (
            owl + "ObjectProperty",
            owl + "DatatypeProperty",
        ):
            kinds[s] = "object" if q.object.value.endswith("ObjectProperty") else "datatype"
        elif q.predicate.value == rdfs_range and isinstance(q.object, ox.NamedNode):
            ranges[s] = q.object.value
    for iri in sorted(kinds):
        rng = ranges.get(iri)
        yield iri[len(ONTOLOGY_NS) :], kinds[iri], rng if rng and rng.startswith(XSD) else None


def jsonld_context(settings: Settings) -> dict:
    """The published JSON-LD context: prefixes, and a term for every lcc: property.

    Object properties are typed ``@id`` (so links compact to prefixed names); datatype
    properties with an XSD range carry it as ``@type``; literal strings keep their language.
    """
    ctx: dict[str, object] = dict(sorted(all_prefixes(settings.base).items()))
    ctx["label"] = {"@id": "rdfs:label"}
    ctx["altLabel"] = {"@id": "skos:altLabel"}
    ctx["type"] = "@type"
    ctx["id"] = "@id"
    for name, kind, rng in _ontology_terms(settings):
        if name in ctx:
            continue
        term: dict[str, str] = {"@id": f"lcc:{name}"}
        if kind == "object":
            term["@type"] = "@id"
        elif rng and rng != XSD + "string":
            term["@type"] = "xsd:" + rng[len(XSD) :]
        ctx[name] = term
    return {"@context": ctx}


def compact_jsonld(
    triples: list[ox.Triple], settings: Settings, context_url: str | None = None
) -> bytes:
    """Triples as compacted JSON-LD using :func:`jsonld_context` (rdflib's compaction).

    The output's ``@context`` is ``context_url`` when given (the published context), else the
    context inline. Meant for small documents (an entity): rdflib is slow on large graphs.
    """
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    ctx = jsonld_context(settings)["@context"]
    text = graph.serialize(format="json-ld", context=ctx, auto_compact=True)
    doc = json.loads(text)
    if context_url:
        doc["@context"] = context_url
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


# --- VoID and DCAT ------------------------------------------------------------------------


def _void_prefixes(settings: Settings) -> dict[str, str]:
    return {**VOCAB_PREFIXES, "graph": f"{settings.base}graph/"}


def dataset_iri(settings: Settings) -> str:
    return f"{settings.base}dataset"


def void_triples(
    store: ox.Store, settings: Settings, dumps: Iterable[DumpFile] = ()
) -> list[ox.Triple]:
    """VoID + DCAT description of the dataset: statistics, partitions, linksets, distributions.

    - ``void:triples`` (union, distinct), ``void:entities`` (instances under ``{base}id/``),
      ``void:classPartition`` per class with ``void:entities``;
    - a ``void:subset`` per named graph with its triple count;
    - a ``void:Linkset`` to GeoNames (``lcc:geonames`` links) with its count;
    - ``void:sparqlEndpoint``, ``void:dataDump`` and a ``dcat:Distribution`` per dump;
    - license, title, version.
    """
    N, L = ox.NamedNode, ox.Literal
    xsd_int = N(XSD + "integer")
    ds = N(dataset_iri(settings))
    out: list[ox.Triple] = []

    def add(s, p: str, o) -> None:
        out.append(ox.Triple(s, N(p), o))

    def count(n: int) -> ox.Literal:
        return L(str(n), datatype=xsd_int)

    stem = json.dumps(f"{settings.base}id/")
    add(ds, RDF_TYPE, N(VOID + "Dataset"))
    add(ds, RDF_TYPE, N(DCAT + "Dataset"))
    add(
        ds,
        DCT + "title",
        L("lcgraph: low-carbon cities, city networks and collaborations in Asia", language="en"),
    )
    add(
        ds,
        DCT + "description",
        L(
            "A linked-data knowledge graph of cities, city networks and city-to-city collaborations for low-carbon development in Asia, with the source of every statement.",
            language="en",
        ),
    )
    add(ds, DCT + "license", N(LICENSE))
    add(ds, "http://www.w3.org/2002/07/owl#versionInfo", L(__version__))
    add(ds, VOID + "sparqlEndpoint", N(f"{settings.base}sparql"))
    add(ds, VOID + "uriSpace", L(f"{settings.base}id/"))
    add(ds, VOID + "vocabulary", N(ONTOLOGY_IRI))
    add(ds, VOID + "feature", N("http://www.w3.org/ns/formats/N-Quads"))
    add(ds, VOID + "feature", N("http://www.w3.org/ns/formats/Turtle"))
    add(ds, VOID + "exampleResource", N(f"{settings.base}id/city/tokyo"))

    total = _one(
        store,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    )
    entities = _one(
        store,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), {stem})) }}",
    )
    add(ds, VOID + "triples", count(total))
    add(ds, VOID + "entities", count(entities))
    add(
        ds,
        VOID + "distinctSubjects",
        count(_one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")),
    )
    add(
        ds,
        VOID + "properties",
        count(_one(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")),
    )

    for row in store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} FILTER(STRSTARTS(STR(?s), {stem})) }} GROUP BY ?c ORDER BY ?c"
    ):
        part = N(f"{dataset_iri(settings)}#class-{_fragment(row['c'].value)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", row["c"])
        add(part, VOID + "entities", count(int(row["n"].value)))

    for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    ):
        g = row["g"]
        add(ds, VOID + "subset", g)
        add(g, RDF_TYPE, N(VOID + "Dataset"))
        add(g, VOID + "triples", count(int(row["n"].value)))
        add(g, "http://www.w3.org/ns/sparql-service-description#name", g)

    geonames = _one(
        store,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{ONTOLOGY_NS}geonames> ?o }} }} }}",
    )
    links = N(f"{dataset_iri(settings)}#geonames-links")
    add(ds, VOID + "subset", links)
    add(links, RDF_TYPE, N(VOID + "Linkset"))
    add(links, VOID + "linkPredicate", N(ONTOLOGY_NS + "geonames"))
    add(links, VOID + "subjectsTarget", ds)
    add(links, VOID + "objectsTarget", N("https://www.geonames.org/"))
    add(links, VOID + "triples", count(geonames))
    add(N("https://www.geonames.org/"), RDF_TYPE, N(VOID + "Dataset"))
    add(N("https://www.geonames.org/"), VOID + "uriSpace", L(GEONAMES))

    for dump in dumps:
        url = N(f"{settings.base}download/{dump.name}")
        add(ds, VOID + "dataDump", url)
        dist = N(f"{dataset_iri(settings)}#dump-{dump.name.replace('.', '-')}")
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF_TYPE, N(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", url)
        add(
            dist,
            DCAT + "mediaType",
            N(f"https://www.iana.org/assignments/media-types/{dump.media_type}"),
        )
        add(
            dist,
            DCAT + "compressFormat",
            N("https://www.iana.org/assignments/media-types/application/gzip"),
        )
        add(dist, DCAT + "byteSize", L(str(dump.size), datatype=N(XSD + "nonNegativeInteger")))
        add(dist, "http://spdx.org/rdf/terms#checksum", L(f"sha256:{dump.sha256}"))
        add(dist, DCT + "license", N(LICENSE))
    service = N(f"{settings.base}sparql")
    add(ds, DCAT + "distribution", N(f"{dataset_iri(settings)}#sparql"))
    add(N(f"{dataset_iri(settings)}#sparql"), RDF_TYPE, N(DCAT + "Distribution"))
    add(N(f"{dataset_iri(settings)}#sparql"), DCAT + "accessService", service)
    add(service, RDF_TYPE, N(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", service)
    add(service, DCAT + "servesDataset", ds)
    return out


def _one(store: ox.Store, query: str) -> int:
    for row in store.query(query):
        return int(row[0].value)
    return 0


def _fragment(iri: str) -> str:
    for prefix, ns in sorted(VOCAB_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}-{iri[len(ns) :]}"
    return hashlib.sha1(iri.encode()).hexdigest()[:12]


# --- Ontology documentation ---------------------------------------------------------------


@dataclass
class Term:
    iri: str
    name: str
    label: str
    definition: str
    kinds: list[str]
    #: each entry is one class, or the members of an ``owl:unionOf`` (read "A or B")
    domain: list[list[str]]
    range: list[list[str]]
    parents: list[str]
    children: list[str]
    scheme: list[str]
    comment: str = ""


def ontology_model(settings: Settings) -> dict:
    """The ontology as plain data for its documentation page.

    ``{"header": {...}, "classes": [...], "object_properties": [...],
    "datatype_properties": [...], "schemes": [{"term": Term, "concepts": [...]}], "tree": [...]}``
    """
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    skos = "http://www.w3.org/2004/02/skos/core#"
    owl = "http://www.w3.org/2002/07/owl#"
    quads = list(ox.parse(path=settings.ontology_path, format=ox.RdfFormat.TURTLE))
    by_s: dict[str, dict[str, list]] = {}
    blank: dict[ox.BlankNode, dict[str, ox.Term]] = {}
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            by_s.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(q.object)
        elif isinstance(q.subject, ox.BlankNode):
            blank.setdefault(q.subject, {})[q.predicate.value] = q.object

    def vals(s: str, p: str) -> list[str]:
        return sorted(o.value for o in by_s.get(s, {}).get(p, []))

    def members(node) -> list[str]:
        """The IRIs of an RDF list (an ``owl:unionOf``), in order."""
        out: list[str] = []
        while isinstance(node, ox.BlankNode) and node in blank and len(out) < 1000:
            first = blank[node].get(RDF_NS + "first")
            if isinstance(first, ox.NamedNode):
                out.append(first.value)
            node = blank[node].get(RDF_NS + "rest")
        return out

    def classes_of(s: str, p: str) -> list[list[str]]:
        """Each value of ``p``: a class, or the classes of an ``owl:unionOf``."""
        out = []
        for o in by_s.get(s, {}).get(p, []):
            if isinstance(o, ox.NamedNode):
                out.append([o.value])
            elif isinstance(o, ox.BlankNode) and blank.get(o, {}).get(owl + "unionOf"):
                out.append(members(blank[o][owl + "unionOf"]))
        return sorted(out)

    def text(s: str, p: str) -> str:
        objs = by_s.get(s, {}).get(p, [])
        en = [o.value for o in objs if isinstance(o, ox.Literal) and o.language in (None, "en")]
        return en[0] if en else (objs[0].value if objs else "")

    terms: dict[str, Term] = {}
    for s in by_s:
        if not s.startswith(ONTOLOGY_NS):
            continue
        terms[s] = Term(
            iri=s,
            name=s[len(ONTOLOGY_NS) :],
            label=text(s, rdfs + "label"),
            definition=text(s, skos + "definition"),
            comment=text(s, rdfs + "comment"),
            kinds=vals(s, RDF_TYPE),
            domain=classes_of(s, rdfs + "domain"),
            range=classes_of(s, rdfs + "range"),
            parents=vals(s, rdfs + "subClassOf")
            + vals(s, rdfs + "subPropertyOf")
            + vals(s, skos + "broader"),
            children=[],
            scheme=vals(s, skos + "inScheme"),
        )
    for term in terms.values():
        for parent in term.parents:
            if parent in terms:
                terms[parent].children.append(term.iri)

    def of(kind: str) -> list[Term]:
        return sorted((t for t in terms.values() if kind in t.kinds), key=lambda t: t.name.lower())

    classes = of(owl + "Class")
    schemes = [
        {
            "term": t,
            "concepts": sorted(
                (c for c in terms.values() if t.iri in c.scheme), key=lambda c: c.name.lower()
            ),
        }
        for t in of(skos + "ConceptScheme")
    ]
    class_iris = {c.iri for c in classes}

    def tree(iri: str, depth: int = 0) -> list[tuple[int, Term]]:
        rows = [(depth, terms[iri])]
        for child in sorted(terms[iri].children, key=lambda c: terms[c].name.lower()):
            if child in class_iris:
                rows.extend(tree(child, depth + 1))
        return rows

    roots = [c for c in classes if not any(p in class_iris for p in c.parents)]
    flat: list[tuple[int, Term]] = []
    for root in roots:
        flat.extend(tree(root.iri))
    header = {
        "iri": ONTOLOGY_IRI,
        "title": text(ONTOLOGY_IRI, DCT + "title"),
        "description": text(ONTOLOGY_IRI, DCT + "description"),
        "version": text(ONTOLOGY_IRI, "http://www.w3.org/2002/07/owl#versionInfo"),
        "version_iri": (vals(ONTOLOGY_IRI, owl + "versionIRI") or [""])[0],
        "created": text(ONTOLOGY_IRI, DCT + "created"),
        "modified": text(ONTOLOGY_IRI, DCT + "modified"),
        "creator": text(ONTOLOGY_IRI, DCT + "creator"),
        "license": (vals(ONTOLOGY_IRI, DCT + "license") or [""])[0],
        "namespace": ONTOLOGY_NS,
    }
    return {
        "header": header,
        "classes": classes,
        "object_properties": of(owl + "ObjectProperty"),
        "datatype_properties": of(owl + "DatatypeProperty"),
        "annotation_properties": of(owl + "AnnotationProperty"),
        "schemes": schemes,
        "tree": flat,
        "terms": terms,
    }


def ontology_html(settings: Settings) -> str:
    """The ontology's documentation page (every class, property and concept scheme)."""
    from lcgraph.web.pages import environment, shorten

    model = ontology_model(settings)
    env = environment()
    return env.get_template("ontology.html").render(
        title=model["header"]["title"] or "Ontology",
        m=model,
        short=lambda iri: shorten(iri, settings.base),
        anchor=lambda iri: iri[len(ONTOLOGY_NS) :] if iri.startswith(ONTOLOGY_NS) else None,
        root=settings.path_prefix,
    )
