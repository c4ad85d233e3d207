"""What runs inside a query worker process: open a read-only snapshot, evaluate, serialise.

Only pyoxigraph is imported here, so a worker starts in a fraction of a second. Results are
serialised by pyoxigraph's own writers: SELECT solutions are first written as SPARQL TSV (one
line per row, so rows can be counted and cut at the row cap while the engine streams them),
then re-read and written in the negotiated format. Writing stops as soon as the cap is passed,
which also stops the evaluation, so a query with a billion rows costs no more than the cap.

:func:`execute` is a pure function of a store and a :class:`Task`, so tests call it directly.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import os
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["Reply", "Task", "dataset_kwargs", "execute", "isolate_network", "worker_main"]

_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_CHARSET = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples"}


@dataclass(frozen=True)
class Task:
    """One query for a worker: the text, the protocol's dataset, and how to answer."""

    query: str
    results_type: str = "application/sparql-results+json"
    rdf_type: str = "text/turtle"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: the text has FROM / FROM NAMED (then the union default graph must not override it)
    has_dataset: bool = False
    max_rows: int = 10_000
    #: relative IRIs in the query resolve against this (the endpoint's URL)
    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    #: which snapshot to read: the worker reopens when this changes
    generation: int = 0
    snapshot: str | None = None


@dataclass(frozen=True)
class Reply:
    """A worker's answer: an HTTP status, a media type and the body, or an error message."""

    status: int
    media_type: str
    body: bytes
    truncated: bool = False
    rows: int = 0


def _error(status: int, message: str) -> Reply:
    return Reply(status, "text/plain", message.encode("utf-8"))


def default_graph_is_materialised(store: ox.Store) -> bool:
    """Whether the store keeps the union of its named graphs in its default graph.

    Newer builds of lcgraph's store materialise the union (set semantics) there; older ones
    leave the default graph empty and ask the engine for the union at query time.
    """
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    )


def dataset_kwargs(store: ox.Store, task: Task, materialised: bool | None = None) -> dict:
    """pyoxigraph ``query`` arguments for the request's RDF dataset.

    The protocol's ``default-graph-uri`` / ``named-graph-uri`` override the query's FROM
    clauses (SPARQL 1.1 Protocol §2.1.4); only one of the two given means the other is empty.
    Without either, and without FROM in the text, the default graph is the union of the
    named graphs.
    """
    if task.default_graphs or task.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in task.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in task.named_graphs],
        }
    if task.has_dataset:
        return {}
    if materialised is None:
        materialised = default_graph_is_materialised(store)
    return {} if materialised else {"use_default_graph_as_union": True}


class _RowCap(io.RawIOBase):
    """A sink for TSV that counts lines and stops the writer after ``limit`` of them."""

    def __init__(self, limit: int):
        self.buffer = bytearray()
        self.lines = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        self.lines += bytes(data).count(b"\n")
        if self.lines > self.limit:
            raise _CapReached
        return len(data)


class _CapReached(Exception):
    pass


def _select(solutions: ox.QuerySolutions, media: str, max_rows: int) -> Reply:
    sink = _RowCap(max_rows + 1)  # the header line, then one line per row
    truncated = False
    try:
        solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except _CapReached:
        truncated = True
    except OSError as exc:
        # the writer wraps a Python exception raised in write() as OSError
        if not isinstance(exc.__cause__, _CapReached) and "_CapReached" not in repr(exc):
            raise
        truncated = True
    tsv = bytes(sink.buffer)
    if truncated:
        cut = -1
        for _ in range(max_rows + 1):
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
    rows = max(tsv.count(b"\n") - 1, 0)
    if media == "text/tab-separated-values":
        body = tsv
    else:
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=_RESULTS_FORMATS[media])
        if truncated and media == "application/sparql-results+json":
            # a top-level member that SPARQL JSON readers ignore and our clients can test
            body = b'{"truncated":true,"maxRows":%d,' % max_rows + body[1:]
    return Reply(200, media, body, truncated, rows)


def _graph(triples: ox.QueryTriples, media: str, max_rows: int, prefixes: dict) -> Reply:
    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    if truncated:
        kept = kept[:max_rows]
    fmt = _RDF_FORMATS[media]
    use_prefixes = (
        used_prefixes(kept, prefixes)
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)
        else None
    )
    body = ox.serialize(kept, format=fmt, prefixes=use_prefixes)
    return Reply(200, media, body, truncated, len(kept))


_XML_TYPES = ("application/sparql-results+xml", "application/rdf+xml")
#: characters XML 1.0 cannot carry (C0 controls), and CR, which XML parsers turn into LF
_NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\r]")
#: the writer's stand-in for a namespace it could not split off a predicate IRI
_NO_LOCAL_NAME = re.compile(rb"<oxprefix:[\s>/]")


def _xml_checked(reply: Reply) -> Reply:
    """An XML answer the writer could not make faithful becomes a 406 that says why: a literal
    with a control character or a CR (pyoxigraph writes them raw), or, in RDF/XML, a predicate
    with no local name (``http://ex.org/p/``), which RDF/XML cannot write at all."""
    if reply.status != 200 or reply.media_type not in _XML_TYPES:
        return reply
    if _NOT_IN_XML.search(reply.body):
        why = "a value holds a control character or a carriage return, which XML cannot carry"
    elif reply.media_type == "application/rdf+xml" and _NO_LOCAL_NAME.search(reply.body):
        why = "a predicate IRI ends without a local name, which RDF/XML cannot write"
    else:
        return reply
    return _error(
        406,
        f"this answer cannot be written as XML: {why}; ask for JSON, CSV/TSV, Turtle or N-Triples",
    )


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes that some IRI in ``triples`` starts with (so Turtle declares only those)."""
    if not prefixes:
        return {}
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def syntax_message(exc: Exception) -> str:
    """pyoxigraph's parse error, with the character classes of its expected set left out.

    >>> syntax_message(SyntaxError("error at 1:7: expected one of '{', [_], ['0'..='9']"))
    "syntax error at line 1, column 7: expected one of '{' (or a name)"
    """
    import re

    text = " ".join(str(exc).split())
    m = re.match(r"error at (\d+):(\d+): (.*)$", text)
    if not m:
        return f"syntax error: {_short(exc)}"
    line, col, rest = m.groups()
    if "[" in rest:
        cut = rest.index("[")
        rest = rest[:cut].rstrip(" ,") + " (or a name)"
    return f"syntax error at line {line}, column {col}: {rest[:400]}"


def execute(store: ox.Store, task: Task, materialised: bool | None = None) -> Reply:
    """Evaluate ``task`` on ``store`` and serialise the answer; errors become 4xx replies."""
    try:
        kwargs = dataset_kwargs(store, task, materialised)
        results = store.query(task.query, base_iri=task.base_iri, **kwargs)
        if isinstance(results, ox.QuerySolutions):
            return _xml_checked(_select(results, task.results_type, task.max_rows))
        if isinstance(results, ox.QueryTriples):
            return _xml_checked(_graph(results, task.rdf_type, task.max_rows, task.prefixes))
        media = task.results_type
        return Reply(200, media, results.serialize(format=_RESULTS_FORMATS[media]), False, 1)
    except SyntaxError as exc:
        return _error(400, syntax_message(exc))
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        # evaluation errors (a failing SERVICE, an unsupported feature) are the query's fault
        return _error(400, f"the query could not be evaluated: {_short(exc)}")


def _short(exc: Exception, limit: int = 600) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + " …"


# --- Sandbox ------------------------------------------------------------------------------

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> str:
    """Move this process into a fresh network namespace with no interfaces up.

    After this, nothing the engine does (a SERVICE call, a LOAD) can reach any host, not even
    127.0.0.1. Needs root or unprivileged user namespaces; where neither is available the
    server still refuses SERVICE lexically, and this returns ``"none"``.
    """
    if not hasattr(os, "getuid") or not os.path.exists("/proc/self/ns/net"):
        return "none"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
        if libc.unshare(flags) != 0:
            return "none"
    except (OSError, AttributeError):
        return "none"
    return "network-namespace"


# --- The worker loop ----------------------------------------------------------------------


def _open(path: str) -> ox.Store:
    return ox.Store.read_only(path)


def worker_main(conn, sandbox: bool) -> None:  # pragma: no cover - runs in a child process
    """Serve tasks from ``conn`` until it closes: ``("ready", sandbox)`` then one Reply per Task."""
    status = isolate_network() if sandbox else "off"
    conn.send(("ready", status))
    store: ox.Store | None = None
    generation: int | None = None
    materialised = False
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            if task.generation != generation or store is None:
                store = None
                store = _open(task.snapshot)
                generation = task.generation
                materialised = default_graph_is_materialised(store)
            reply = execute(store, task, materialised)
        except OSError as exc:
            reply = _error(503, f"the query worker cannot read the store: {_short(exc)}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


if __name__ == "__main__":  # pragma: no cover - started by QueryPool
    import multiprocessing.connection
    import sys

    # run the importable module's function, so that replies pickle as lcgraph.web.worker.Reply
    from lcgraph.web import worker as _module

    _module.worker_main(multiprocessing.connection.Connection(int(sys.argv[1])), sys.argv[2] == "1")
