"""What the web UI's home and search pages show, read from the store once per generation.

- :func:`summary`: entities per class and the source documents (with their triple counts);
- :func:`search`: entities by name or alias (``rdfs:label``, ``skos:altLabel``), across kinds.

Both read ``app.state.store`` (its default graph is the union of the named graphs) and are
cached with :func:`lcgraph.web.gencache.per_generation`, so a page costs a dict lookup and a
template after the first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lcgraph.config import KINDS
from lcgraph.web.gencache import per_generation

__all__ = ["Hit", "search", "search_index", "summary"]

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LCC_NS = "https://w3id.org/lcc/ontology#"


def _summary(store, base: str) -> dict[str, Any]:
    classes = [
        {
            "iri": row["c"].value,
            "name": row["c"].value[len(LCC_NS) :],
            "label": row["l"].value if row["l"] is not None else row["c"].value[len(LCC_NS) :],
            "count": int(row["n"].value),
        }
        for row in store.query(
            f"""SELECT ?c (SAMPLE(?label) AS ?l) (COUNT(DISTINCT ?s) AS ?n) WHERE {{
                  ?s a ?c . FILTER(STRSTARTS(STR(?c), "{LCC_NS}"))
                  FILTER(STRSTARTS(STR(?s), "{base}id/"))
                  OPTIONAL {{ ?c <{RDFS}label> ?label }}
                }} GROUP BY ?c ORDER BY DESC(?n) ?c"""
        )
    ]
    sources = []
    for row in store.query(
        """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"""
    ):
        graph = row["g"].value
        slug = graph[len(base) + len("graph/") :] if graph.startswith(base + "graph/") else graph
        sources.append({"graph": graph, "slug": slug, "triples": int(row["n"].value)})
    titles = {
        row["d"].value: row["l"].value
        for row in store.query(
            f"""SELECT ?d (SAMPLE(?label) AS ?l) WHERE {{
                  ?d a <{LCC_NS}SourceDocument> ; <{RDFS}label> ?label }} GROUP BY ?d"""
        )
    }
    for source in sources:
        doc = f"{base}id/document/{source['slug']}"
        source["label"] = titles.get(doc, source["slug"])
        source["path"] = f"/page/document/{source['slug']}" if doc in titles else None
    return {
        "classes": classes,
        "sources": sources,
        "entities": sum(c["count"] for c in classes),
        # the named graphs' statements: len(store) would count the default-graph union twice
        "triples": sum(source["triples"] for source in sources),
    }


def summary(state: Any) -> dict[str, Any]:
    """Counts per class and the sources of the server's store (cached per generation)."""
    return per_generation(state, "ui-summary", lambda: _summary(state.store, state.settings.base))


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    slug: str
    label: str
    matched: str

    @property
    def path(self) -> str:
        """The page's path after the path prefix."""
        return f"/page/{self.kind}/{self.slug}"


def _index(store, base: str) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(iri, kind, slug, label, names) for every entity with a label, names lower-cased."""
    stem = f"{base}id/"
    labels: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for row in store.query(
        f"""SELECT ?s ?p ?name WHERE {{ ?s <{RDFS}label>|<{SKOS}altLabel> ?name ; ?p ?name .
              FILTER(?p IN (<{RDFS}label>, <{SKOS}altLabel>))
              FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{stem}") && !CONTAINS(STR(?s), "#")) }}"""
    ):
        iri, name = row["s"].value, row["name"].value
        if row["p"].value == RDFS + "label":
            labels.setdefault(iri, name)
        names.setdefault(iri, []).append(name)
    out = []
    for iri, label in labels.items():
        kind, _, slug = iri[len(stem) :].partition("/")
        if kind in KINDS:
            out.append((iri, kind, slug, label, tuple(dict.fromkeys(names[iri]))))
    out.sort(key=lambda e: e[3].lower())
    return out


def search_index(state: Any) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    return per_generation(state, "ui-search", lambda: _index(state.store, state.settings.base))


def search(
    index: list[tuple[str, str, str, str, tuple[str, ...]]],
    text: str,
    kinds: set[str] | None = None,
    limit: int = 200,
) -> list[Hit]:
    """Entities whose label or an alias contains ``text`` (case-insensitive), best first:
    exact names, then names that start with the text, then the rest, each by label.

    >>> idx = [("i:1", "city", "gwangju", "Gwangju", ("Gwangju", "Kwangju")),
    ...        ("i:2", "city", "kwangyang", "Kwangyang", ("Kwangyang",))]
    >>> [(h.slug, h.matched) for h in search(idx, "kwang")]
    [('gwangju', 'Kwangju'), ('kwangyang', 'Kwangyang')]
    >>> [h.slug for h in search(idx, "KWANGJU")]
    ['gwangju']
    """
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    scored = []
    for iri, kind, slug, label, names in index:
        if kinds and kind not in kinds:
            continue
        best = None
        for name in names:
            folded = name.casefold()
            if wanted not in folded:
                continue
            rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
            if best is None or rank < best[0]:
                best = (rank, name)
        if best is not None:
            scored.append((best[0], label.casefold(), Hit(iri, kind, slug, label, best[1])))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [s[2] for s in scored[:limit]]
