"""The description of one entity: what its page and its data documents show.

An entity's description is every statement with the entity as subject, in every named graph
(the graph says which source stated it), plus the statements about its hash nodes
(``{iri}#...``: memberships, reified statements), which belong to its page, plus the labels of
everything these statements link to. Incoming links are listed separately.

Queries use explicit ``GRAPH`` patterns, so they give the same answer whether or not the store
materialises the union in its default graph.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from lcgraph.config import KINDS, Settings

__all__ = ["EntityDescription", "describe", "entity_index", "entity_triples", "suggest"]

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"


@dataclass
class EntityDescription:
    """Statements about an entity (with their graphs), incoming links and labels."""

    iri: str
    statements: list[ox.Quad]
    incoming: list[ox.Quad] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    incoming_truncated: bool = False

    @property
    def label(self) -> str:
        return self.labels.get(self.iri) or self.iri.rsplit("/", 1)[-1]

    @property
    def types(self) -> list[str]:
        return sorted(
            {
                q.object.value
                for q in self.statements
                if q.subject.value == self.iri and q.predicate.value == RDF_TYPE
            }
        )

    @property
    def graphs(self) -> list[str]:
        return sorted(
            {q.graph_name.value for q in self.statements if isinstance(q.graph_name, ox.NamedNode)}
        )

    def nodes(self) -> list[str]:
        """The entity, then its hash nodes, in a stable order."""
        hashes = sorted({q.subject.value for q in self.statements} - {self.iri})
        return [self.iri, *hashes]


def _q(iri: str) -> str:
    # IRIs come from the store or from a checked path; refuse anything that could break out
    if re.search(r'[<>"{}|^`\\\s]', iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def describe(store: ox.Store, iri: str, max_incoming: int = 500) -> EntityDescription | None:
    """The description of ``iri``, or ``None`` when the store says nothing about it."""
    target = _q(iri)
    prefix = json.dumps(iri + "#")
    # the entity's own statements, then those of its fragment nodes (iri#...), in separate
    # queries: as one UNION, Oxigraph scanned every quad of the store for the second branch
    # (0.4 s per page at 1 M triples)
    rows = list(
        store.query(f"SELECT ?s ?p ?o ?g WHERE {{ BIND({target} AS ?s) GRAPH ?g {{ ?s ?p ?o }} }}")
    )
    fragments = [
        r["s"]
        for r in store.query(
            f"""SELECT DISTINCT ?s WHERE {{
                  {{ GRAPH ?g1 {{ ?s ?x {target} }} }} UNION {{ GRAPH ?g2 {{ {target} ?x ?s }} }}
                  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}"""
        )
    ]
    if fragments:
        values = " ".join(str(f) for f in fragments)
        rows += store.query(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
    statements = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
    if not statements:
        return None
    own = {q.subject.value for q in statements}
    incoming = [
        ox.Quad(r["s"], r["p"], ox.NamedNode(iri), r["g"])
        for r in store.query(
            f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {target} }} }} LIMIT {max_incoming + 1}"
        )
        if r["s"].value not in own
    ]
    truncated = len(incoming) > max_incoming
    desc = EntityDescription(iri, statements, incoming[:max_incoming], incoming_truncated=truncated)
    linked = {iri} | own
    linked |= {q.object.value for q in statements if isinstance(q.object, ox.NamedNode)}
    linked |= {q.predicate.value for q in statements}
    linked |= {q.subject.value for q in desc.incoming if isinstance(q.subject, ox.NamedNode)}
    linked |= {q.graph_name.value for q in statements if isinstance(q.graph_name, ox.NamedNode)}
    desc.labels = labels(store, linked)
    return desc


def labels(store: ox.Store, iris: set[str]) -> dict[str, str]:
    """English (or untagged) labels of ``iris``: rdfs:label, else skos:prefLabel or foaf:name."""
    if not iris:
        return {}
    rank = {RDFS_LABEL: 0, SKOS_PREF: 1, FOAF_NAME: 2}
    # (node, property) pairs in one VALUES block: with two separate blocks Oxigraph scanned
    # every label of the store (0.4 s per call at 1 M triples, against about 1 ms)
    pairs = " ".join(f"({_q(i)} <{p}>)" for i in sorted(iris) for p in rank)
    best: dict[str, tuple[int, str]] = {}
    for row in store.query(
        f"""SELECT ?x ?p ?l WHERE {{ VALUES (?x ?p) {{ {pairs} }}
              GRAPH ?g {{ ?x ?p ?l }} FILTER(isLiteral(?l) && (LANGMATCHES(LANG(?l), "en") || LANG(?l) = "")) }}"""
    ):
        key = (rank[row["p"].value], row["l"].value)
        x = row["x"].value
        if x not in best or key < best[x]:
            best[x] = key
    return {x: v[1] for x, v in best.items()}


def entity_triples(desc: EntityDescription, with_labels: bool = True) -> list[ox.Triple]:
    """The description as triples (graphs dropped, duplicates merged), with linked labels."""
    seen: dict[tuple, ox.Triple] = {}
    for q in desc.statements:
        seen.setdefault(
            (q.subject, q.predicate, q.object), ox.Triple(q.subject, q.predicate, q.object)
        )
    if with_labels:
        label = ox.NamedNode(RDFS_LABEL)
        for iri, text in sorted(desc.labels.items()):
            if iri in {q.subject.value for q in desc.statements}:
                continue
            t = ox.Triple(ox.NamedNode(iri), label, ox.Literal(text, language="en"))
            seen.setdefault((t.subject, t.predicate, t.object), t)
    return list(seen.values())


def entity_quads(desc: EntityDescription) -> list[ox.Quad]:
    """The description with its graphs (for TriG and N-Quads)."""
    return list(desc.statements)


def entity_index(store: ox.Store, settings: Settings) -> dict[str, tuple[str, str]]:
    """Every entity under ``{base}id/``: IRI -> (slug, label). Build once per store generation."""
    stem = f"{settings.base}id/"
    rows = store.query(
        f"""SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{ ?s <{RDFS_LABEL}> ?l }}
              FILTER(isIRI(?s) && STRSTARTS(STR(?s), {json.dumps(stem)}) && !CONTAINS(STR(?s), "#")) }}
            GROUP BY ?s"""
    )
    index: dict[str, tuple[str, str]] = {}
    for row in rows:
        iri = row["s"].value
        k, _, s = iri[len(stem) :].partition("/")
        if k in KINDS:
            index[iri] = (s, row["label"].value if row["label"] is not None else s)
    return index


def suggest(
    store: ox.Store,
    settings: Settings,
    kind: str,
    slug: str,
    n: int = 5,
    index: dict[str, tuple[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """Entities whose slug or label is close to ``slug``: ``(iri, label)``, best first.

    Entities of the asked kind come first; the others follow (a city asked as an
    organisation is still found). Pass ``index`` (:func:`entity_index`) to reuse it.
    """
    stem = f"{settings.base}id/"
    candidates = index if index is not None else entity_index(store, settings)
    wanted = slug.lower().replace("_", "-")[:100]
    # a cheap filter first, so that a large graph does not cost a full difflib pass per 404
    quick = difflib.get_close_matches(wanted, [s for s, _ in candidates.values()], n=50, cutoff=0.3)
    words = set(wanted.split("-"))
    pool = {
        iri: v
        for iri, v in candidates.items()
        if v[0] in quick or words & set(v[1].lower().split())
    }

    def score(item: tuple[str, tuple[str, str]]) -> float:
        iri, (s, label) = item
        a = difflib.SequenceMatcher(None, wanted, s).ratio()
        b = difflib.SequenceMatcher(None, wanted.replace("-", " "), label.lower()).ratio()
        return max(a, b) + (0.05 if iri.startswith(f"{stem}{kind}/") else 0.0)

    ranked = sorted(((score(item), item) for item in pool.items()), key=lambda x: -x[0])
    return [(iri, label) for sc, (iri, (_s, label)) in ranked[:n] if sc >= 0.4]
