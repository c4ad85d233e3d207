"""The view model of an entity page: statements grouped by node and property, with sources."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from lcgraph.entity import RDF_TYPE, RDFS_LABEL, EntityDescription, labels
from lcgraph.web.pages import render, shorten

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
ONTOLOGY_NS = "https://w3id.org/lcc/ontology#"


@dataclass
class Value:
    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    sources: list[dict] = field(default_factory=list)


@dataclass
class Row:
    predicate: str
    label: str
    href: str | None
    values: list[Value]


@dataclass
class Node:
    iri: str
    anchor: str
    label: str
    rows: list[Row]


class Linker:
    """Turns IRIs into links: the server's own paths for its IRIs, the ontology's anchors."""

    def __init__(self, base: str, label_of: dict[str, str], root: str = ""):
        self.base = base
        self.label_of = label_of
        self.root = root  # the path prefix (lcgraph.web.prefix)

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.base + "id/"):
            rest = iri[len(self.base) + 3 :]
            path, _, frag = rest.partition("#")
            return f"{self.root}/page/{path}" + (f"#{frag}" if frag else "")
        if iri.startswith(ONTOLOGY_NS):
            return f"{self.root}/ontology#" + iri[len(ONTOLOGY_NS) :]
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def text(self, iri: str) -> str:
        return self.label_of.get(iri) or shorten(iri, self.base)

    def value(self, term) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(text=self.text(term.value), href=self.href(term.value), iri=term.value)
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype else None
            return Value(
                text=term.value,
                lang=term.language,
                datatype=None if dt in (XSD_STRING, RDF_LANG) else shorten(dt, self.base),
            )
        return Value(text=str(term))


def _sources(graphs: list[str], base: str, label_of: dict[str, str], root: str) -> list[dict]:
    out = []
    for g in sorted(set(graphs)):
        slug = g[len(base) + len("graph/") :] if g.startswith(base + "graph/") else g
        doc = f"{base}id/document/{slug}"
        out.append(
            {
                "slug": slug,
                "label": label_of.get(doc, slug),
                "href": f"{root}/page/document/{slug}" if doc in label_of else None,
                "graph": g,
            }
        )
    return out


def build_nodes(
    desc: EntityDescription, base: str, label_of: dict[str, str], root: str = ""
) -> list[Node]:
    link = Linker(base, label_of, root)
    nodes = []
    for iri in desc.nodes():
        by_pred: dict[str, dict[tuple, tuple[ox.Quad, list[str]]]] = {}
        for q in desc.statements:
            if q.subject.value != iri:
                continue
            bucket = by_pred.setdefault(q.predicate.value, {})
            key = (type(q.object).__name__, str(q.object))
            bucket.setdefault(key, (q, []))[1].append(q.graph_name.value)
        order = {RDF_TYPE: 0, RDFS_LABEL: 1}
        rows = []
        for pred in sorted(by_pred, key=lambda p: (order.get(p, 2), link.text(p).lower())):
            values = []
            for q, graphs in sorted(by_pred[pred].values(), key=lambda v: str(v[0].object)):
                value = link.value(q.object)
                value.sources = _sources(graphs, base, label_of, root)
                values.append(value)
            rows.append(Row(pred, link.text(pred), link.href(pred), values))
        anchor = iri.partition("#")[2] or "top"
        nodes.append(Node(iri, anchor, label_of.get(iri) or shorten(iri, base), rows))
    return nodes


def entity_page(
    request: Request, desc: EntityDescription, kind: str, slug: str, headers: dict
) -> HTMLResponse:
    settings = request.app.state.settings
    base = settings.base
    store = request.app.state.store
    docs = {
        f"{base}id/document/{g[len(base) + 6 :]}"
        for g in desc.graphs
        if g.startswith(base + "graph/")
    }
    docs |= {
        f"{base}id/document/{q.graph_name.value[len(base) + 6 :]}"
        for q in desc.incoming
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(base + "graph/")
    }
    label_of = {**labels(store, docs - set(desc.labels)), **desc.labels}
    root = settings.path_prefix
    link = Linker(base, label_of, root)
    incoming = [
        {
            "subject": link.value(q.subject),
            "predicate": link.text(q.predicate.value),
            "predicate_href": link.href(q.predicate.value),
            "sources": _sources([q.graph_name.value], base, label_of, root),
        }
        for q in sorted(
            desc.incoming, key=lambda q: (link.text(q.subject.value).lower(), q.predicate.value)
        )
    ]
    from lcgraph.web.facts import TARGET_COLUMNS, key_facts

    return render(
        "entity.html",
        root=root,
        headers={"Vary": "Accept", **headers},
        title=desc.label,
        desc=desc,
        kind=kind,
        slug=slug,
        types=[link.value(ox.NamedNode(t)) for t in desc.types],
        nodes=build_nodes(desc, base, label_of, root),
        incoming=incoming,
        facts=key_facts(request.app.state, desc, link),
        target_columns=TARGET_COLUMNS,
        sources=_sources(desc.graphs, base, label_of, root),
        # a statement's source badge leads to that source's quotes in the Sources section
        listed_graphs=set(desc.graphs),
        formats=[
            ("Turtle", "ttl"),
            ("N-Triples", "nt"),
            ("JSON-LD", "jsonld"),
            ("RDF/XML", "rdf"),
            ("TriG", "trig"),
            ("N-Quads", "nq"),
        ],
    )
