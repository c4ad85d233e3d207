"""The change log: one record per committed change, in the named graph ``{base}graph/changes``.

Each change is a node ``{base}id/document/change-{id}`` (a ``dcat:Dataset``: what the change
contributed, so that contributed entities can cite it with ``prov:wasDerivedFrom``) with who
(``dcterms:creator``), when (``dcterms:created``, UTC, strictly increasing), from what
(``dcterms:source``, ``dcterms:format``), why (``dcterms:description``) and what: the exact
triples it removed from and added to ``graph/contrib``, as an RDF Patch text
(``rdf:value``, lines ``D <s> <p> <o> .`` then ``A <s> <p> <o> .``). A revert points at the
change it undoes with ``dcterms:references``.

Keeping the delta as one literal, not as reified statements, keeps the knowledge graph free of
bookkeeping nodes (the union default graph would otherwise show every contributed triple twice,
and entity pages would list change statements among their incoming links), and makes the log
exact: replaying every patch in order gives the contrib graph (:func:`verify`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from lcgraph.config import DEFAULT_BASE, Settings
from lcgraph.errors import InputError, StoreError

__all__ = [
    "ChangeInfo",
    "export_contrib",
    "find_change",
    "list_changes",
    "new_change_id",
    "parse_patch",
    "patch_text",
    "record_triples",
    "verify",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PATCH_MEDIA_TYPE = "application/rdf-patch"


def contrib_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("contrib"))


def changes_graph(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(settings.graph_iri("changes"))


def change_node(settings: Settings, change_id: str) -> ox.NamedNode:
    return ox.NamedNode(settings.entity_iri("document", f"change-{change_id}"))


def new_change_id(now: dt.datetime) -> str:
    """``YYYYMMDD-HHMMSS-xxxxxx``: sortable by time, unique by its random tail.

    >>> import re
    >>> bool(re.fullmatch(r"20260102-030405-[0-9a-f]{6}", new_change_id(dt.datetime(2026, 1, 2, 3, 4, 5))))
    True
    """
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


# --- patches --------------------------------------------------------------------------------


def _nt(triple: ox.Triple) -> str:
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def patch_text(added: Iterable[ox.Triple], removed: Iterable[ox.Triple]) -> str:
    """An RDF Patch body: deletions, then additions, one N-Triples statement a line, sorted."""
    lines = sorted(f"D {_nt(t)}" for t in removed) + sorted(f"A {_nt(t)}" for t in added)
    return "\n".join(lines) + "\n"


def parse_patch(text: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """(added, removed) triples of a patch written by :func:`patch_text`."""
    blocks: dict[str, list[str]] = {"A": [], "D": []}
    # split on "\n" only: str.splitlines() also breaks at \x1c, \x85, \u2028... inside literals
    for line in text.split("\n"):
        if not line.strip():
            continue
        op, _, rest = line.partition(" ")
        if op not in blocks:
            raise StoreError(f"the change log has a malformed patch line: {line[:80]!r}")
        blocks[op].append(rest)
    out = {}
    for op, lines in blocks.items():
        data = "\n".join(lines).encode("utf-8")
        try:
            quads = ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES) if lines else []
            out[op] = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        except SyntaxError as exc:
            raise StoreError(f"the change log has a malformed patch: {exc}") from exc
    return out["A"], out["D"]


# --- records --------------------------------------------------------------------------------


def record_triples(
    settings: Settings,
    change_id: str,
    created: str,
    author: str,
    source: str,
    media_type: str,
    message: str | None,
    added: list[ox.Triple],
    removed: list[ox.Triple],
    reverts: str | None = None,
) -> list[ox.Triple]:
    """The triples of a change's record (they go into ``graph/changes``)."""
    node = change_node(settings, change_id)

    def p(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    triples = [
        ox.Triple(node, p(f"{RDF}type"), p(f"{DCAT}Dataset")),
        ox.Triple(node, p(f"{RDF}type"), p(f"{PROV}Entity")),
        ox.Triple(node, p(f"{RDFS}label"), ox.Literal(f"Change {change_id}", language="en")),
        ox.Triple(node, p(f"{DCT}identifier"), ox.Literal(f"change-{change_id}")),
        ox.Triple(node, p(f"{DCT}created"), ox.Literal(created, datatype=p(f"{XSD}dateTime"))),
        ox.Triple(node, p(f"{DCT}creator"), ox.Literal(author)),
        ox.Triple(node, p(f"{DCT}source"), ox.Literal(source)),
        ox.Triple(node, p(f"{DCT}format"), ox.Literal(media_type)),
        ox.Triple(node, p(f"{RDF}value"), ox.Literal(patch_text(added, removed))),
    ]
    if message:
        triples.append(ox.Triple(node, p(f"{DCT}description"), ox.Literal(message, language="en")))
    if reverts:
        triples.append(ox.Triple(node, p(f"{DCT}references"), change_node(settings, reverts)))
    return triples


@dataclass
class ChangeInfo:
    """A change as the log records it."""

    id: str
    iri: str
    created: str
    author: str
    source: str
    media_type: str
    message: str | None
    added: list[ox.Triple] = field(repr=False, default_factory=list)
    removed: list[ox.Triple] = field(repr=False, default_factory=list)
    reverts: str | None = None
    reverted_by: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "iri": self.iri,
            "created": self.created,
            "author": self.author,
            "source": self.source,
            "format": self.media_type,
            "message": self.message,
            "added": len(self.added),
            "removed": len(self.removed),
            "reverts": self.reverts,
            "reverted_by": self.reverted_by,
        }


def list_changes(store: ox.Store, settings: Settings) -> list[ChangeInfo]:
    """Every change of the log, oldest first."""
    graph = changes_graph(settings)
    rows = store.query(
        f"""SELECT ?c ?id ?created ?author ?source ?format ?message ?patch ?reverts WHERE {{
              GRAPH {graph} {{
                ?c <{DCT}identifier> ?id ; <{DCT}created> ?created ; <{RDF}value> ?patch .
                OPTIONAL {{ ?c <{DCT}creator> ?author }}
                OPTIONAL {{ ?c <{DCT}source> ?source }}
                OPTIONAL {{ ?c <{DCT}format> ?format }}
                OPTIONAL {{ ?c <{DCT}description> ?message }}
                OPTIONAL {{ ?c <{DCT}references> ?reverts }} }} }}"""
    )
    changes = []
    for row in rows:
        added, removed = parse_patch(row["patch"].value)
        reverts = (
            row["reverts"].value.rsplit("/change-", 1)[-1] if row["reverts"] is not None else None
        )
        changes.append(
            ChangeInfo(
                id=row["id"].value.removeprefix("change-"),
                iri=row["c"].value,
                created=row["created"].value,
                author=row["author"].value if row["author"] is not None else "",
                source=row["source"].value if row["source"] is not None else "",
                media_type=row["format"].value if row["format"] is not None else "",
                message=row["message"].value if row["message"] is not None else None,
                added=added,
                removed=removed,
                reverts=reverts,
            )
        )
    changes.sort(key=lambda c: (c.created, c.id))
    by_id = {c.id: c for c in changes}
    for change in changes:
        if change.reverts in by_id:
            by_id[change.reverts].reverted_by.append(change.id)
    return changes


def find_change(store: ox.Store, settings: Settings, change_id: str) -> ChangeInfo:
    """A change by its id (with or without ``change-``); an unknown id is an error."""
    wanted = change_id.strip().removeprefix("change-")
    for change in list_changes(store, settings):
        if change.id == wanted:
            return change
    raise InputError(f"no change {change_id!r} in the log (see `lcgraph changes`)", http_status=404)


def last_created(store: ox.Store, settings: Settings) -> str | None:
    rows = store.query(
        f"SELECT (MAX(STR(?t)) AS ?last) WHERE {{ GRAPH {changes_graph(settings)} {{ ?c <{DCT}created> ?t }} }}"
    )
    for row in rows:
        return row["last"].value if row["last"] is not None else None
    return None


def next_timestamp(store: ox.Store, settings: Settings) -> tuple[dt.datetime, str]:
    """Now in UTC, strictly after the last change's time (so that the log has one order)."""
    now = dt.datetime.now(dt.UTC)
    last = last_created(store, settings)
    if last:
        previous = dt.datetime.fromisoformat(last.replace("Z", "+00:00"))
        if now <= previous:
            now = previous + dt.timedelta(microseconds=1)
    return now, now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- checks and export ----------------------------------------------------------------------


def contrib_triples(store: ox.Store, settings: Settings) -> set[ox.Triple]:
    graph = contrib_graph(settings)
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, graph)
    }


def verify(store: ox.Store, settings: Settings) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """Replay the log from an empty contrib graph and compare with the store's.

    Returns (triples the log has that the store lacks, triples the store has that the log
    lacks): both empty when the log matches the store.
    """
    replayed: set[ox.Triple] = set()
    for change in list_changes(store, settings):
        replayed.difference_update(change.removed)
        replayed.update(change.added)
    actual = contrib_triples(store, settings)
    return replayed - actual, actual - replayed


def to_rdflib(term, normalize: bool = False):
    """A pyoxigraph term as an rdflib term (plain literals without a datatype, as rdflib reads).

    ``normalize=True`` gives typed literals the lexical form rdflib (and so ``lcgraph fmt``)
    writes, e.g. ``...Z`` -> ``...+00:00``; the store compares them by value either way.
    """
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == f"{XSD}string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype), normalize=normalize)
    raise TypeError(f"unexpected term {term!r}")


def export_contrib(store: ox.Store, settings: Settings) -> str:
    """The contrib and changes graphs as canonical TriG, with IRIs on the default base.

    Data files are written on the default base (``lcgraph build`` rewrites them to the
    deployment's), so an export from any deployment can go into ``data/`` as it is.
    """
    from lcgraph.rdfio import BaseRewriter, CanonicalWriter, all_prefixes

    back = BaseRewriter(DEFAULT_BASE, source_base=settings.base)

    def term(t):
        if isinstance(t, ox.NamedNode):
            return to_rdflib(ox.NamedNode(back.iri(t.value)))
        return to_rdflib(t, normalize=True)  # exactly what `lcgraph fmt` would write

    quads = []
    for graph in (contrib_graph(settings), changes_graph(settings)):
        for q in store.quads_for_pattern(None, None, None, graph):
            quads.append((term(q.subject), term(q.predicate), term(q.object), term(q.graph_name)))
    if not quads:
        raise InputError("the contrib graph is empty: nothing to export", exit_code=1)
    return CanonicalWriter(all_prefixes(DEFAULT_BASE)).dataset(quads)
