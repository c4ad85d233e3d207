"""Reading the facts that matching needs, from the embedded store or a SPARQL endpoint.

This is the I/O edge of :mod:`lcgraph.match`: it yields plain quads ``(s, p, o, g)`` of IRIs
(``str``) and literals (:class:`~lcgraph.match.model.Lit`) for a fixed set of predicates, from
the *named* graphs only. The store's default graph (the union, where a build materialises one)
is skipped, so that every fact keeps the graph, and so the document, it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lcgraph.errors import QueryTimeout, StoreError
from lcgraph.match.model import RDF_TYPE, Lit, Term

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
LCC_NS = "https://w3id.org/lcc/ontology#"

Quad = tuple[str, str, Term, str]

_LCC_PREDICATES = [
    "hasTarget",
    "targetKind",
    "indicator",
    "percent",
    "percentUpper",
    "baseYear",
    "targetYear",
    "runBy",
    "adoptedBy",
    "secretariat",
    "fundingSource",
    "participatesIn",
    "pilotCity",
    "partner",
    "signatory",
    "hasActivity",
    "hasProject",
    "hasOutcome",
    "concerns",
    "country",
    "worldRegion",
    "isoAlpha2",
    "population",
    "geonamesPopulation",
    "areaKm2",
    "activityArea",
    "governedBy",
    "locatedIn",
    "participant",
    "host",
    "place",
    "organiser",
    "ledTo",
    "linkedWith",
    "evidence",
]

#: The predicates whose triples matching reads; everything else in the store is ignored.
PREDICATES: tuple[str, ...] = (
    RDF_TYPE,
    RDFS + "label",
    SKOS + "altLabel",
    SKOS + "broader",
    DCT + "subject",
    DCT + "spatial",
    DCT + "creator",
    ORG + "memberOf",
    ORG + "member",
    ORG + "organization",
    ORG + "role",
    ORG + "unitOf",
    *(LCC_NS + name for name in _LCC_PREDICATES),
)


def quads_from_store(store, predicates: Iterable[str] = PREDICATES) -> Iterator[Quad]:
    """Quads of the named graphs of a pyoxigraph store, one index scan per graph and predicate.

    Scanning by (graph, predicate) skips the default graph's union, which a scan by predicate
    alone would read and drop (half of it), and leaves only the subject and object to convert
    (at 1.2 M triples: 11.5 s -> about 5 s).
    """
    import pyoxigraph as ox

    nodes = [(p, ox.NamedNode(p)) for p in predicates]
    for graph in store.named_graphs():
        if not isinstance(graph, ox.NamedNode):
            continue
        g = graph.value
        for p, node in nodes:
            for quad in store.quads_for_pattern(None, node, None, graph):
                subject = quad.subject
                if not isinstance(subject, ox.NamedNode):
                    continue
                o = _ox_term(quad.object)
                if o is not None:
                    yield subject.value, p, o, g


def _ox_term(term) -> Term | None:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return Lit(term.value, None, term.language)
        return Lit(term.value, term.datatype.value, None)
    return None  # blank nodes: the data has none by design, and they cannot be cited


def select_quads_query(predicates: Iterable[str] = PREDICATES) -> str:
    """One SPARQL SELECT for the quads of the given predicates in named graphs."""
    values = " ".join(f"<{p}>" for p in predicates)
    return f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def quads_from_rows(rows: Iterable[dict]) -> Iterator[Quad]:
    """Quads from SPARQL 1.1 JSON result bindings (``{"s": {"type": "uri", ...}, ...}``)."""
    for row in rows:
        s, p, o, g = (row.get(k) for k in ("s", "p", "o", "g"))
        if not (s and p and o and g) or s["type"] != "uri" or g["type"] != "uri":
            continue
        if o["type"] == "uri":
            obj: Term = o["value"]
        elif o["type"] in ("literal", "typed-literal"):
            lang = o.get("xml:lang")
            obj = Lit(o["value"], None if lang else o.get("datatype", _XSD_STRING), lang)
        else:
            continue
        yield s["value"], p["value"], obj, g["value"]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def quads_from_sparql_select(store, predicates: Iterable[str] = PREDICATES) -> Iterator[Quad]:
    """The same quads as :func:`quads_from_store`, through a SPARQL query on the store.

    Slower than index scans; the naive benchmark uses it to recompute everything per request.
    """
    import pyoxigraph as ox

    for row in store.query(select_quads_query(predicates)):
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        if not isinstance(s, ox.NamedNode) or not isinstance(g, ox.NamedNode):
            continue
        obj = _ox_term(o)
        if obj is not None:
            yield s.value, p.value, obj, g.value


def quads_from_endpoint(
    url: str, timeout: float = 10.0, predicates: Iterable[str] = PREDICATES
) -> Iterator[Quad]:
    """Quads from a remote SPARQL endpoint (SPARQL 1.1 Protocol, JSON results)."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    client = SPARQLWrapper(url)
    client.setQuery(select_quads_query(predicates))
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(max(1, timeout)))
    try:
        result = client.queryAndConvert()
    except TimeoutError as exc:
        raise QueryTimeout(f"{url}: no answer within {timeout:g} s") from exc
    except (SPARQLWrapperException, OSError, ValueError) as exc:
        raise StoreError(f"{url}: cannot read the facts for matching: {exc}") from exc
    if not isinstance(result, dict) or "results" not in result:
        raise StoreError(f"{url}: the endpoint did not answer with SPARQL JSON results")
    yield from quads_from_rows(result["results"]["bindings"])
