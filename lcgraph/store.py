"""The embedded store: build it from ``ontology/`` and ``data/``, open it, summarise it.

The store is a pyoxigraph (RocksDB) directory, by default ``.lcgraph/store`` in the project
root. Every triple is kept in the named graph of its source *and* once in the store's default
graph, which is thus the RDF merge (a set) of all named graphs. Queries run on that default
graph, not with pyoxigraph's ``use_default_graph_as_union``, whose union has bag semantics: a
triple stated by two documents would be counted twice. Writers keep the two in step with
:func:`add_quads` and :func:`remove_quads`.

A build never leaves a half-built store behind: it loads into a sibling temporary directory
and swaps it in only when everything parsed. Graphs written by users (``graph/contrib``,
``graph/changes``) are carried over from the previous store.
"""

from __future__ import annotations

import json
import operator
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lcgraph.config import PRESERVED_GRAPHS, Settings
from lcgraph.errors import InputError, StoreError
from lcgraph.rdfio import BaseRewriter, data_files, parse_error

ONTOLOGY_GRAPH_SLUG = "ontology"

#: pyoxigraph's parser for each file suffix (the build's and the fast validator's)
OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


@dataclass
class BuildReport:
    """What a build loaded: files, triples per named graph, entities per class."""

    store_path: Path | None
    files: list[Path]
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    preserved: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def source_files(settings: Settings) -> list[tuple[Path, str | None]]:
    """Files a build loads: (path, graph slug for triple files or None for quad files)."""
    if not settings.ontology_path.is_file():
        raise InputError(f"{settings.ontology_path}: no such file (the LCC ontology)")
    files: list[tuple[Path, str | None]] = [(settings.ontology_path, ONTOLOGY_GRAPH_SLUG)]
    data = data_files(settings)
    if not data:
        raise InputError(f"{settings.data_dir}: no *.trig data files")
    files.extend((path, None) for path in data)
    return files


def _ox_term(term, rewriter: BaseRewriter):
    if isinstance(term, ox.NamedNode) and rewriter.active:
        return ox.NamedNode(rewriter.iri(term.value))
    return term


def read_quads(path: Path, settings: Settings, to_graph: str | None = None) -> Iterator[ox.Quad]:
    """Parse a file with pyoxigraph, rewriting IRIs to the configured base.

    Raises :class:`InputError` naming the file and the position on a syntax error, and when a
    data (TriG) file has triples outside a named graph.
    """
    fmt = rdf_format_of(path)
    rewriter = BaseRewriter(settings.base)
    graph = ox.NamedNode(settings.graph_iri(to_graph)) if to_graph else None
    try:
        # blank node labels are scoped to their file: `_:x` in two files is two nodes
        for quad in ox.parse(path=path, format=fmt, rename_blank_nodes=True):
            g = quad.graph_name
            if graph is not None:
                g = graph
            elif isinstance(g, ox.DefaultGraph):
                raise outside_named_graph(path, quad)
            elif not rewriter.active:  # the common case: the parsed quad is the one to store
                yield quad
                continue
            yield ox.Quad(
                _ox_term(quad.subject, rewriter),
                _ox_term(quad.predicate, rewriter),
                _ox_term(quad.object, rewriter),
                _ox_term(g, rewriter),
            )
    except SyntaxError as exc:
        raise parse_error(path, exc) from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def rdf_format_of(path: Path) -> ox.RdfFormat:
    """pyoxigraph's format for a file, by its suffix; InputError for an unknown one."""
    fmt = OX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r}")
    return fmt


def outside_named_graph(path: Path, quad: ox.Quad) -> InputError:
    """The error for a data file's triple in the default graph."""
    return InputError(
        f"{path}: every triple in a data file belongs in a named graph, "
        f"found one outside: {quad.subject} {quad.predicate} {quad.object}"
    )


def _preserved_quads(path: Path, settings: Settings) -> list[ox.Quad]:
    """Quads of the user-written graphs in an existing store (empty if there is none)."""
    if not path.exists():
        return []
    try:
        old = ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot open the existing store to keep its contrib graph: {exc}"
        ) from exc
    quads: list[ox.Quad] = []
    for slug in PRESERVED_GRAPHS:
        quads.extend(
            old.quads_for_pattern(None, None, None, ox.NamedNode(settings.graph_iri(slug)))
        )
    del old
    return quads


#: Quads handed to pyoxigraph's bulk loader at a time. A whole file at once held every quad as
#: a Python object and the loader's buffers: 1.1 GB for a 1.2 M-triple graph; batches of this
#: size keep the build under 200 MB at no cost in speed (bench/RESULTS.md).
LOAD_BATCH = 100_000


def batched(quads: Iterable[ox.Quad], size: int | None = None) -> Iterator[list[ox.Quad]]:
    """Lists of at most ``size`` (default :data:`LOAD_BATCH`) quads, in order."""
    size = size or LOAD_BATCH
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each named-graph quad, followed by its triple in the default graph (the union)."""
    default = ox.DefaultGraph()
    for quad in quads:
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


def bulk_extend_with_union(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Bulk-load named-graph quads and their triples into the default graph (the union).

    The union's triples go in as N-Triples written by pyoxigraph (``Quad.triple``, then
    :func:`pyoxigraph.serialize`), not as new ``Quad`` objects: building a Python object per
    triple cost ~4 µs, a third of a million-triple build. The loader gives blank nodes new
    labels, so a batch whose text has ``_:`` anywhere goes in as objects (a ``_:`` inside an
    IRI or a literal only costs that batch the slower path).
    """
    store.bulk_extend(quads)
    union = ox.serialize(map(_TRIPLE, quads), format=ox.RdfFormat.N_TRIPLES)
    if b"_:" in union:
        default = ox.DefaultGraph()
        store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object, default) for q in quads])
    elif union:
        store.bulk_load(union, format=ox.RdfFormat.N_TRIPLES)


_TRIPLE = operator.attrgetter("triple")


def add_quads(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add named-graph quads and keep the default graph the union of the named graphs."""
    store.extend(list(with_union(quads)))


def remove_quads(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Remove named-graph quads; drop a triple from the union only when no graph states it."""
    quads = list(quads)
    for quad in quads:
        store.remove(quad)
    default = ox.DefaultGraph()
    for quad in quads:
        still = any(
            not isinstance(q.graph_name, ox.DefaultGraph)
            for q in store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
        )
        if not still:
            store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, default))


def load_into(
    store: ox.Store, settings: Settings, progress: Callable[[Path, int], None] | None = None
) -> list[Path]:
    """Load ontology and data files into ``store``, streaming in batches; return the files.

    Each batch goes in with its triples added to the default graph (the union of the named
    graphs), so memory stays bounded by :data:`LOAD_BATCH` whatever the size of a file.
    """
    loaded = []
    for path, graph in source_files(settings):
        count = 0
        for batch in batched(read_quads(path, settings, to_graph=graph)):
            bulk_extend_with_union(store, batch)
            count += len(batch)
        loaded.append(path)
        if progress:
            progress(path, count)
    return loaded


#: The union of the named graphs, written into the default graph in one update
_UNION_UPDATE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def load_into_memory(
    store: ox.Store, settings: Settings, progress: Callable[[Path, int], None] | None = None
) -> list[Path]:
    """:func:`load_into` for an in-memory store: each file parsed and stored by pyoxigraph
    itself, then the union written by one SPARQL update (1.2 M triples: 6.9 s against 12.1 s
    quad by quad; a store in memory gains nothing from bounded batches). A base IRI other than
    the data's needs every IRI rewritten, so it takes :func:`load_into`'s path.
    """
    if BaseRewriter(settings.base).active:
        return load_into(store, settings, progress)
    loaded = []
    count = 0
    default = ox.DefaultGraph()
    for path, graph in source_files(settings):
        fmt = rdf_format_of(path)
        to_graph = ox.NamedNode(settings.graph_iri(graph)) if graph else default
        try:
            store.load(path=path, format=fmt, to_graph=to_graph)
        except SyntaxError as exc:
            raise parse_error(path, exc) from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
        outside = next(iter(store.quads_for_pattern(None, None, None, default)), None)
        if outside is not None:
            raise outside_named_graph(path, outside)
        loaded.append(path)
        if progress:
            total = len(store)
            progress(path, total - count)
            count = total
    store.update(_UNION_UPDATE)
    return loaded


def _check_writable(target: Path) -> None:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{target}: cannot create the store's folder: {exc.strerror}") from exc
    if not os.access(parent, os.W_OK):
        raise StoreError(f"{target}: the folder {parent} is not writable")
    if target.exists() and not target.is_dir():
        raise StoreError(f"{target}: exists and is not a store folder")


def build(
    settings: Settings,
    *,
    in_memory: bool = False,
    progress: Callable[[Path, int], None] | None = None,
) -> tuple[ox.Store, BuildReport]:
    """Build the store. On disk, atomically: into a temporary folder, then swap it in.

    Returns the open store and a report. Raises :class:`InputError` for bad files and
    :class:`StoreError` for an unwritable store path; in both cases the old store is untouched.
    """
    start = time.perf_counter()
    if in_memory:
        store = ox.Store()
        files = load_into_memory(store, settings, progress)
        report = BuildReport(None, files)
        fill_report(store, settings, report)
        report.seconds = time.perf_counter() - start
        return store, report

    target = Path(settings.store_path)
    _check_writable(target)
    preserved = _preserved_quads(target, settings)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    except OSError as exc:  # a read-only file system passes the access check, even for root
        raise StoreError(f"{target}: cannot write in {target.parent}: {exc.strerror}") from exc
    try:
        store = ox.Store(str(tmp))
        files = load_into(store, settings, progress)
        if preserved:
            bulk_extend_with_union(store, preserved)
        store.flush()
        del store
        _swap_in(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"{target}: cannot build the store: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    store = ox.Store(str(target))
    report = BuildReport(target, files)
    fill_report(store, settings, report)
    for slug in PRESERVED_GRAPHS:
        n = report.graphs.get(settings.graph_iri(slug))
        if n:
            report.preserved[slug] = n
    report.seconds = time.perf_counter() - start
    return store, report


def _swap_in(new: Path, target: Path) -> None:
    """Put the store built at ``new`` in place of ``target``; on failure, keep the old one."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    had_old = target.exists()
    if had_old:
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if had_old:
            old.rename(target)
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)


def open_store(settings: Settings, *, read_only: bool = True) -> ox.Store:
    """Open the built store; a clear error tells how to build it when it is missing."""
    path = Path(settings.store_path)
    if not path.is_dir():
        raise StoreError(f"{path}: no store here; run `lcgraph build` first", exit_code=2)
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc}") from exc


def load_store(settings: Settings, *, read_only: bool = True) -> ox.Store:
    """The store the CLI works on: the built one, or an in-memory build when none exists yet."""
    if Path(settings.store_path).is_dir():
        return open_store(settings, read_only=read_only)
    store, _ = build(settings, in_memory=True)
    return store


def graph_counts(store: ox.Store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def class_counts(store: ox.Store, settings: Settings) -> dict[str, int]:
    # the base comes from settings (an IRI), so quoting it as a SPARQL string is safe
    prefix = json.dumps(f"{settings.base}id/")
    rows = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        f"FILTER(STRSTARTS(STR(?s), {prefix})) }} GROUP BY ?c"
    )
    return {row["c"].value: int(row["n"].value) for row in rows}


def fill_report(store: ox.Store, settings: Settings, report: BuildReport) -> None:
    report.graphs = graph_counts(store)
    report.classes = class_counts(store, settings)


def quads_to_store(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory store of these named-graph quads, with the union in its default graph."""
    store = ox.Store()
    bulk_extend_with_union(store, list(quads))
    return store
