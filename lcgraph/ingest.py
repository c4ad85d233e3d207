"""Validated writes: the one code path of ``lcgraph ingest`` and ``POST /api/ingest``.

:func:`ingest` takes a payload (Turtle, TriG, JSON-LD, a JSON change set or a CSV template) and

1. parses it into a :class:`~lcgraph.changeset.ChangeSet` (additions and removals);
2. names its new entities: a blank node or a CSV row is matched to an existing entity by
   label/alias (and country), or gets a fresh ``{base}id/{kind}/{slug}``; every match is
   reported, an ambiguous name is an error (:mod:`lcgraph.reconcile`);
3. checks what SHACL cannot: subjects are under ``{base}id/`` (other IRIs may only be objects),
   every ``lcc:`` term is in the ontology, literals are short and of their datatype, what is
   removed is in the contrib graph (source documents are changed in ``data/``, not here);
4. validates the union of the store and the change (with the change's provenance record)
   against ``shapes/`` with pySHACL, so dangling links and duplicate cities are caught;
5. commits the additions and removals to ``graph/contrib``, and the record to
   ``graph/changes`` (:mod:`lcgraph.changelog`), in ONE SPARQL Update, which pyoxigraph applies
   as one transaction, keeping the store's default graph the union of its named graphs.

A change that is rejected (:class:`IngestRejected`, with the SHACL report) or fails in any way
writes nothing. Writers are serialised by a lock held from reading the store to the commit, so
two changes validated at the same time cannot both pass on a state that one of them changed.
"""

from __future__ import annotations

import functools
import getpass
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lcgraph import changelog
from lcgraph.changeset import ChangeSet, check_literal, detect_format, parse_rdf_changeset
from lcgraph.config import Settings
from lcgraph.errors import InputError, StoreError
from lcgraph.reconcile import CLASS_KINDS, Entity, EntityIndex, fold_name

__all__ = ["IngestRejected", "IngestResult", "ingest", "revert", "write_lock"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
LCC = "https://w3id.org/lcc/ontology#"
ORG = "http://www.w3.org/ns/org#"
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")

log = logging.getLogger(__name__)

#: Held by every write in this process from reading the store to the commit.
write_lock = threading.RLock()

_MAX_PROBLEMS = 20


@dataclass
class IngestResult:
    """What a change did (or, in a dry run or a rejection, would do)."""

    change_id: str | None
    committed: bool
    dry_run: bool
    source: str
    author: str
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)
    new_entities: list[dict] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conforms: bool | None = None
    violations: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "change_id": f"change-{self.change_id}" if self.change_id else None,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "source": self.source,
            "author": self.author,
            "conforms": self.conforms,
            "added": [_nt(t) for t in self.added],
            "removed": [_nt(t) for t in self.removed],
            "new_entities": self.new_entities,
            "matches": self.matches,
            "notes": self.notes,
            "violations": self.violations,
            "seconds": round(self.seconds, 3),
        }

    def text(self, curie: Callable[[str], str] = str) -> str:
        """A readable summary: what changed (or would), new entities, matches, notes."""
        lines = []
        if self.committed:
            lines.append(
                f"committed change-{self.change_id}: +{len(self.added)} -{len(self.removed)} triples"
            )
        elif self.dry_run and self.conforms:
            lines.append(
                f"dry run: the change conforms; it would add {len(self.added)} and remove {len(self.removed)} triples"
            )
        elif not self.added and not self.removed:
            lines.append("nothing to change: the contrib graph already says all of this")
        for entity in self.new_entities:
            lines.append(
                f"new {entity['kind']}: {curie(entity['iri'])} ({entity['label']}){_where(entity)}"
            )
        for match in self.matches:
            lines.append(f"matched: {match['input']} -> {curie(match['iri'])} ({match['how']})")
        lines.extend(f"note: {note}" for note in self.notes)
        if self.dry_run or not self.committed:
            lines.extend(f"- {_show(t, curie)}" for t in self.removed)
            lines.extend(f"+ {_show(t, curie)}" for t in self.added)
        return "\n".join(lines) + "\n"


class IngestRejected(InputError):
    """The change does not conform to the shapes; nothing was written."""

    exit_code = 1
    http_status = 422

    def __init__(self, report, result: IngestResult):
        count = sum(1 for v in report.violations if v.severity == "Violation")
        super().__init__(
            f"rejected: the graph with this change would not conform ({count} violation(s))"
        )
        self.report = report
        self.result = result


def _nt(t: ox.Triple) -> str:
    return f"{t.subject} {t.predicate} {t.object} ."


def _show(t: ox.Triple, curie: Callable[[str], str]) -> str:
    def term(x):
        return curie(x.value) if isinstance(x, ox.NamedNode) else str(x)

    return f"{term(t.subject)} {term(t.predicate)} {term(t.object)}"


def _where(entity: dict) -> str:
    return f" [{entity['where']}]" if entity.get("where") else ""


# --- entry points ---------------------------------------------------------------------------


def ingest(
    store: ox.Store,
    settings: Settings,
    data: bytes,
    *,
    name: str | None = None,
    media_type: str | None = None,
    fmt: str | None = None,
    kind: str | None = None,
    author: str | None = None,
    message: str | None = None,
    dry_run: bool = False,
    on_commit: Callable[[], None] | None = None,
) -> IngestResult:
    """Parse, reconcile, validate and (unless ``dry_run``) commit a payload.

    ``name`` is the file name or a description of the request (it goes into the log);
    ``media_type``/``fmt`` give the format, else the file name does. Raises
    :class:`~lcgraph.errors.InputError` for unusable input and :class:`IngestRejected` when the
    shapes reject the change; in both cases the store is as it was.
    """
    source = name or "input"
    if len(data) > settings.max_ingest_bytes:
        raise InputError(
            f"{source}: {len(data):,} bytes, more than the {settings.max_ingest_bytes:,} a change may have "
            "(LCGRAPH_MAX_INGEST_BYTES); split it",
            http_status=413,
        )
    fmt = fmt or ("csv" if kind else detect_format(name, media_type, data))
    media = (
        media_type.split(";", 1)[0].strip()
        if media_type
        else _MEDIA_OF_FORMAT.get(fmt, "text/turtle")
    )
    change = None
    if fmt != "csv":  # RDF is parsed before taking the lock: it needs nothing from the store
        change = parse_rdf_changeset(data, fmt, settings.base, source, media)
    with write_lock:
        index = EntityIndex(store, settings)
        if change is None:
            from lcgraph.csvtemplates import csv_changeset

            change = csv_changeset(
                data, kind or kind_from_name(name), store, index, settings, source, media
            )
        else:
            _name_blank_nodes(change, index)
        if message:
            change.message = message
        return _apply(
            store, settings, change, index, author=author, dry_run=dry_run, on_commit=on_commit
        )


def revert(
    store: ox.Store,
    settings: Settings,
    change_id: str,
    *,
    author: str | None = None,
    dry_run: bool = False,
    on_commit: Callable[[], None] | None = None,
) -> IngestResult:
    """Undo a change: a new change that removes what it added and adds back what it removed
    (as far as the contrib graph still has or lacks them), through the same validation."""
    with write_lock:
        record = changelog.find_change(store, settings, change_id)
        present = changelog.contrib_triples(store, settings)
        change = ChangeSet(
            additions=[t for t in record.removed if t not in present],
            removals=[t for t in record.added if t in present],
            source=f"revert of change-{record.id}",
            media_type=changelog.PATCH_MEDIA_TYPE,
            message=f"Revert change-{record.id}",
            provenance=False,
        )
        if not change.additions and not change.removals:
            raise InputError(
                f"change-{record.id} has nothing left to revert: the contrib graph no longer has what it added"
            )
        index = EntityIndex(store, settings)
        return _apply(
            store,
            settings,
            change,
            index,
            author=author,
            dry_run=dry_run,
            on_commit=on_commit,
            reverts=record.id,
        )


_MEDIA_OF_FORMAT = {
    "turtle": "text/turtle",
    "trig": "application/trig",
    "json-ld": "application/ld+json",
    "changeset": "application/json",
    "csv": "text/csv",
}


def kind_from_name(name: str | None) -> str:
    """``cities.csv`` or ``2026-new-cities.csv`` -> ``cities``; otherwise the caller must say."""
    from lcgraph.csvtemplates import KINDS

    stem = Path(name or "").stem.lower()
    found = [k for k in KINDS if stem == k or stem.endswith(("-" + k, "_" + k))]
    return found[0] if len(found) == 1 else ""


# --- naming new entities ----------------------------------------------------------------------


def _name_blank_nodes(change: ChangeSet, index: EntityIndex) -> None:
    """Give every blank node of the additions an IRI: an existing entity's, or a new one."""
    by_node: dict[str, list[ox.Triple]] = {}
    for t in change.additions:
        if isinstance(t.subject, ox.BlankNode):
            by_node.setdefault(t.subject.value, []).append(t)
    objects = {t.object.value for t in change.additions if isinstance(t.object, ox.BlankNode)}
    for orphan in sorted(objects - set(by_node)):
        raise InputError(f"{change.source}: the blank node _:{orphan} is used but not described")
    names: dict[str, ox.NamedNode] = {}
    drop: set[tuple] = set()
    problems = []
    # memberships are named after their organisation and member, so they come last
    order = sorted(
        by_node, key=lambda b: any(t.object.value == f"{ORG}Membership" for t in by_node[b])
    )
    for bnode in order:
        triples = by_node[bnode]
        try:
            iri, matched = _name_node(bnode, triples, names, index, change)
        except InputError as exc:
            problems.append(exc.message)
            continue
        names[bnode] = ox.NamedNode(iri)
        if matched:  # its label was for matching: the entity keeps its own
            drop.update(
                (bnode, RDFS_LABEL, t.object) for t in triples if t.predicate.value == RDFS_LABEL
            )
    if problems:
        raise InputError(_problems(change.source, problems))

    def rename(term):
        return names[term.value] if isinstance(term, ox.BlankNode) else term

    change.additions = [
        ox.Triple(rename(t.subject), t.predicate, rename(t.object))
        for t in change.additions
        if not (
            isinstance(t.subject, ox.BlankNode)
            and (t.subject.value, t.predicate.value, t.object) in drop
        )
    ]


def _name_node(bnode, triples, names, index: EntityIndex, change: ChangeSet) -> tuple[str, bool]:
    types = [
        t.object.value
        for t in triples
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)
    ]
    labels = [
        t.object.value
        for t in triples
        if t.predicate.value == RDFS_LABEL and isinstance(t.object, ox.Literal)
    ]
    aliases = [
        t.object.value
        for t in triples
        if t.predicate.value == SKOS_ALT and isinstance(t.object, ox.Literal)
    ]
    where = f"{change.source}: _:{bnode}"
    if f"{ORG}Membership" in types:
        value = {t.predicate.value: t.object for t in triples}
        org, member = value.get(f"{ORG}organization"), value.get(f"{ORG}member")
        org = names.get(org.value, org) if isinstance(org, ox.BlankNode) else org
        member = names.get(member.value, member) if isinstance(member, ox.BlankNode) else member
        if not isinstance(org, ox.NamedNode) or not isinstance(member, ox.NamedNode):
            raise InputError(
                f"{where}: a blank-node membership needs org:organization and org:member"
            )
        iri = f"{org.value}#{member.value.rstrip('/').rsplit('/', 1)[-1].replace('#', '-')}"
        if not index.exists(iri):
            change.new_entities.append(
                {
                    "iri": iri,
                    "kind": "membership",
                    "label": labels[0] if labels else iri,
                    "where": f"_:{bnode}",
                }
            )
        else:
            change.matches.append({"input": f"_:{bnode}", "iri": iri, "how": "existing membership"})
        return iri, False
    kind = next((CLASS_KINDS[t] for t in types if t in CLASS_KINDS), None)
    if kind is None:
        raise InputError(
            f"{where}: a blank node needs a type that says what to mint "
            f"({', '.join(sorted({index.curie(c) for c in CLASS_KINDS}))}), or an IRI"
        )
    if len(labels) != 1:
        raise InputError(f"{where}: a new {kind} needs one rdfs:label to match and mint its IRI")
    name = labels[0]
    if not fold_name(name):
        raise InputError(
            f"{where}: the label {name!r} has no letters or digits to match or mint by"
        )
    country = next((t.object for t in triples if t.predicate.value == f"{LCC}country"), None)
    country_iri = country.value if isinstance(country, ox.NamedNode) else None
    found = index.find(name, [kind], country_iri)
    if not found and aliases:
        found = [e for alias in aliases for e in index.find(alias, [kind], country_iri)]
        found = list({e.iri: e for e in found}.values())
    if len(found) > 1:
        listed = ", ".join(e.describe(index) for e in found)
        raise InputError(f"{where}: {name!r} is ambiguous, it names {listed}: use the IRI")
    if found:
        entity = found[0]
        how = "label" if fold_name(entity.label or "") == fold_name(name) else "alias"
        change.matches.append({"input": f"_:{bnode} ({name})", "iri": entity.iri, "how": how})
        return entity.iri, True
    iri = index.mint(kind, name, index.country_code(country_iri))
    index.remember(Entity(iri, kind, name, {name, *aliases}, country_iri))
    change.new_entities.append({"iri": iri, "kind": kind, "label": name, "where": f"_:{bnode}"})
    return iri, False


# --- checks ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _schema(root: str, base: str, stamp: tuple) -> tuple:
    """The shapes, the ontology and its ``lcc:`` terms (parsed once while the files stay put)."""
    from lcgraph.validate import load_ontology, load_shapes

    settings = Settings(base=base, root=Path(root))
    ontology = load_ontology(settings)
    shapes = load_shapes(settings)
    terms = frozenset(str(s) for s in ontology.subjects() if str(s).startswith(LCC))
    return shapes, ontology, terms


def schema(settings: Settings) -> tuple:
    files = [settings.ontology_path, *sorted(settings.shapes_dir.glob("*.ttl"))]
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files if p.exists())
    return _schema(str(settings.root), settings.base, stamp)


def _check_terms(change: ChangeSet, settings: Settings, terms: frozenset) -> None:
    base_id = f"{settings.base}id/"
    reserved = f"{base_id}document/change-"
    problems = []
    for triple in change.additions:
        s = triple.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(base_id):
            problems.append(
                f"the subject {s} is outside {base_id}: only the graph's own entities are described "
                "here; other IRIs (GeoNames, the ontology) may be objects"
            )
        elif s.value.startswith(reserved):
            problems.append(f"{s} is a change record: only ingest writes those")
    for triple in change.additions + change.removals:
        for term in (triple.subject, triple.predicate, triple.object):
            if (
                isinstance(term, ox.NamedNode)
                and term.value.startswith(LCC)
                and term.value not in terms
            ):
                problems.append(f"{term} is not a term of the LCC ontology (a typo?)")
            elif isinstance(term, ox.Literal):
                problem = check_literal(term)
                if problem:
                    problems.append(f"{problem} (in {_nt(triple)[:160]})")
    if problems:
        raise InputError(_problems(change.source, list(dict.fromkeys(problems))))


def _problems(source: str, problems: list[str]) -> str:
    shown = "\n  ".join(problems[:_MAX_PROBLEMS])
    more = (
        f"\n  ... and {len(problems) - _MAX_PROBLEMS} more" if len(problems) > _MAX_PROBLEMS else ""
    )
    return f"{source}: {len(problems)} problem(s):\n  {shown}{more}"


def _graphs_stating(store: ox.Store, t: ox.Triple) -> list[str]:
    return sorted(
        q.graph_name.value
        for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)
        if isinstance(q.graph_name, ox.NamedNode)
    )


# --- the pipeline -----------------------------------------------------------------------------


def _apply(
    store: ox.Store,
    settings: Settings,
    change: ChangeSet,
    index: EntityIndex,
    *,
    author: str | None,
    dry_run: bool,
    on_commit: Callable[[], None] | None,
    reverts: str | None = None,
) -> IngestResult:
    start = time.perf_counter()
    shapes, ontology, terms = schema(settings)
    _check_terms(change, settings, terms)
    contrib = changelog.contrib_graph(settings)

    def in_contrib(t: ox.Triple) -> bool:
        return (
            next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object, contrib)), None)
            is not None
        )

    additions = [t for t in dict.fromkeys(change.additions) if not in_contrib(t)]
    removals = list(dict.fromkeys(change.removals))
    problems = []
    for t in removals:
        if not in_contrib(t):
            graphs = [g for g in _graphs_stating(store, t) if g != contrib.value]
            why = (
                f"it is stated by {', '.join(index.curie(g) for g in graphs)}: source documents are "
                "changed in data/, not through ingest"
                if graphs
                else "the graph does not have it"
            )
            problems.append(f"cannot remove {_nt(t)[:160]}: {why}")
    wanted = set(change.additions)
    for t in removals:
        if t in wanted:
            problems.append(f"the change both adds and removes {_nt(t)[:160]}")
    if problems:
        raise InputError(_problems(change.source, problems))
    # single-valued CSV columns: the new value replaces the contrib graph's old one
    for subject, predicate in sorted(change.replace):
        new = {
            t.object
            for t in change.additions
            if t.subject.value == subject and t.predicate.value == predicate
        }
        for q in store.quads_for_pattern(
            ox.NamedNode(subject), ox.NamedNode(predicate), None, contrib
        ):
            old = ox.Triple(q.subject, q.predicate, q.object)
            if q.object not in new and old not in removals:
                removals.append(old)

    now, created = changelog.next_timestamp(store, settings)
    change_id = changelog.new_change_id(now)
    node = changelog.change_node(settings, change_id)
    if change.provenance and additions:
        base_id = f"{settings.base}id/"
        subjects = dict.fromkeys(
            t.subject for t in additions if t.subject.value.startswith(base_id)
        )
        for subject in subjects:
            link = ox.Triple(subject, PROV_DERIVED, node)
            additions.append(link)
    author = author or _os_user()
    result = IngestResult(
        change_id=None,
        committed=False,
        dry_run=dry_run,
        source=change.source,
        author=author,
        added=additions,
        removed=removals,
        new_entities=change.new_entities,
        matches=change.matches,
        notes=change.notes,
    )
    if not additions and not removals:
        result.conforms = True
        result.seconds = time.perf_counter() - start
        return result
    if (problem := check_literal(ox.Literal(author))) is not None:
        raise InputError(f"author: {problem}")
    record = changelog.record_triples(
        settings,
        change_id,
        created,
        author,
        change.source,
        change.media_type,
        change.message,
        additions,
        removals,
        reverts,
    )
    report = _validate(store, additions, removals, record, shapes, ontology, contrib)
    result.conforms = report.conforms
    result.violations = [_violation(v, shapes) for v in report.violations]
    if not report.conforms:
        result.seconds = time.perf_counter() - start
        raise IngestRejected(report, result)
    if not dry_run:
        _commit(store, settings, additions, removals, record)
        result.change_id = change_id
        result.committed = True
        if on_commit is not None:
            try:
                on_commit()
            except Exception as exc:  # the change is committed: say so, whatever the hook did
                log.exception("after change-%s: on_commit failed", change_id)
                result.notes.append(f"committed, but telling the server failed: {exc}")
    result.seconds = time.perf_counter() - start
    return result


def _violation(v, shapes) -> dict:
    """A violation as JSON; ``shape`` is the named node shape (the rule), also for a violation
    of one of its property shapes (which are blank nodes)."""
    return {
        "focus": v.focus,
        "path": v.path,
        "message": v.message,
        "severity": v.severity,
        "value": v.value,
        "shape": _node_shape(shapes, v.shape),
    }


def _node_shape(shapes, shape: str) -> str:
    import rdflib
    from rdflib.namespace import SH

    if shape.startswith(("http://", "https://", "urn:")):
        return shape
    for parent in shapes.subjects(SH.property, rdflib.BNode(shape)):
        if isinstance(parent, rdflib.URIRef):
            return str(parent)
    return shape


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def _validate(store, additions, removals, record, shapes, ontology, contrib):
    """SHACL on the union of the store and the change: what the graph would be after it."""
    import rdflib

    from lcgraph.validate import validate_graph

    to_rdflib = changelog.to_rdflib
    gone = {t for t in removals if all(g == contrib.value for g in _graphs_stating(store, t))}
    data = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if gone and ox.Triple(q.subject, q.predicate, q.object) in gone:
            continue
        data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for t in [*additions, *record]:
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return validate_graph(data, shapes, ontology)


def _commit(store: ox.Store, settings: Settings, additions, removals, record) -> None:
    """One SPARQL Update, one transaction: contrib, the log, and the union default graph."""
    contrib = changelog.contrib_graph(settings)
    changes = changelog.changes_graph(settings)
    ops = []
    if removals:
        body = " ".join(_nt(t) for t in removals)
        ops.append(f"DELETE DATA {{ GRAPH {contrib} {{ {body} }} }}")
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in removals)
        # a triple leaves the union only when no named graph states it any more
        ops.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
            "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
    added = " ".join(_nt(t) for t in additions)
    logged = " ".join(_nt(t) for t in record)
    ops.append(
        f"INSERT DATA {{ GRAPH {contrib} {{ {added} }} GRAPH {changes} {{ {logged} }} {added} {logged} }}"
    )
    try:
        store.update(" ;\n".join(ops))
    except OSError as exc:  # disk full, store closed...: the transaction did not happen
        raise StoreError(f"the change could not be written (nothing was): {exc}") from exc
