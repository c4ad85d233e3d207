"""Pushing the graph to a remote SPARQL 1.1 store (Graph Store HTTP Protocol).

One ``PUT`` per named graph keeps the source documents apart on the remote side, and a second
push replaces rather than duplicates. The default graph is pushed too, holding the union of the
named graphs, so that the saved queries (which read the default graph) give the same answers on
the remote store as on the embedded one, whatever the engine's union-default-graph setting.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from lcgraph.errors import InputError

__all__ = ["guess_graph_store", "push_store"]


def guess_graph_store(endpoint: str) -> str:
    """The Graph Store Protocol URL of common servers, from their query endpoint URL.

    >>> guess_graph_store("http://127.0.0.1:7878/query")        # Oxigraph server
    'http://127.0.0.1:7878/store'
    >>> guess_graph_store("http://localhost:3030/lcc/sparql")   # Fuseki
    'http://localhost:3030/lcc/data'
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for tail, gsp in (("/query", "/store"), ("/sparql", "/data")):
        if path.endswith(tail):
            return urllib.parse.urlunsplit(parts._replace(path=path[: -len(tail)] + gsp))
    raise InputError(
        f"cannot guess the Graph Store Protocol URL for {endpoint}: give it with --graph-store "
        "(Oxigraph: .../store, Fuseki: .../data, GraphDB: .../repositories/ID/rdf-graphs/service, "
        "Virtuoso: .../sparql-graph-crud-auth)"
    )


def _put(url: str, body: bytes, auth: str | None) -> None:
    request = urllib.request.Request(url, data=body, method="PUT")
    request.add_header("Content-Type", "application/n-triples")
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise InputError(f"PUT {url} failed with {exc.code}: {' '.join(detail.split())}") from exc
    except urllib.error.URLError as exc:
        raise InputError(f"cannot reach the graph store {url}: {exc.reason}") from exc


def push_store(
    store: ox.Store, graph_store: str, endpoint: str | None = None, auth: str | None = None
) -> dict[str, int]:
    """PUT each named graph and the default graph (the union); return triples per graph."""
    report: dict[str, int] = {}
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    targets = [
        (g, f"{graph_store}?{urllib.parse.urlencode({'graph': g.value})}", g.value) for g in graphs
    ]
    targets.append((ox.DefaultGraph(), f"{graph_store}?default", "(default graph: the union)"))
    for graph, url, name in targets:
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)
        ]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        _put(url, body, auth)
        report[name] = len(triples)
    return report
