"""The linked-data server as a real process: `lcgraph serve` on 127.0.0.1, driven over HTTP.

One server (module scope) serves a store built from the project's data with small limits
(timeout 3 s, 100 rows) so that every limit can be hit quickly.
"""

from __future__ import annotations

import gc
import gzip
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from lcgraph import export as ex
from lcgraph import store as store_mod
from lcgraph.config import Settings
from tests.lcserver import Canary, running_server

pytestmark = pytest.mark.server

TIMEOUT_S = 3.0
MAX_ROWS = 100
CITY = "https://w3id.org/lcc/ontology#City"
TOKYO = "https://w3id.org/lcc/id/city/tokyo"
KL = "https://w3id.org/lcc/id/city/kuala-lumpur"
KL_GRAPH = "https://w3id.org/lcc/graph/kl-tokyo-collaboration"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "store"
    settings = Settings.from_env().with_(store_path=path)
    store, _ = store_mod.build(settings)
    quads = ex.named_quads(store)
    del store
    gc.collect()
    return path, quads


@pytest.fixture(scope="module")
def server(built):
    path, _ = built
    env = {
        "LCGRAPH_QUERY_TIMEOUT": str(TIMEOUT_S),
        "LCGRAPH_MAX_ROWS": str(MAX_ROWS),
        "LCGRAPH_MAX_REQUEST_BYTES": "200000",
        "LCGRAPH_MAX_QUERY_DEPTH": "200",
    }
    with running_server("--store", str(path), "--workers", "2", env=env) as (url, proc, lines):
        yield url, proc, lines


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server[0], timeout=30) as c:
        yield c


def values(response, var: str) -> list[str]:
    """The values of ``var`` in a SELECT answer, whatever its format."""
    media = response.headers["content-type"].split(";")[0]
    if media == "text/csv":  # lossy, so pyoxigraph does not read it
        import csv
        import io

        return [row[var] for row in csv.DictReader(io.StringIO(response.text))]
    fmt = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[media]
    return [row[var].value for row in ox.parse_query_results(response.content, format=fmt)]


def sparql_get(client, query, **params):
    return client.get("/sparql", params={"query": query, **params})


# --- Protocol ----------------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(client):
    q = f"SELECT ?c WHERE {{ ?c a <{CITY}> }} ORDER BY ?c"
    a = sparql_get(client, q)
    b = client.post("/sparql", data={"query": q})
    c = client.post(
        "/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    for r in (a, b, c):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
    values = [[row["c"]["value"] for row in r.json()["results"]["bindings"]] for r in (a, b, c)]
    assert values[0] == values[1] == values[2]
    assert TOKYO in values[0] and KL in values[0]


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("application/json", None, "application/sparql-results+json"),
        (None, "xml", "application/sparql-results+xml"),
        ("text/csv", "tsv", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_accept_and_format(client, accept, fmt, media):
    q = f"SELECT ?label WHERE {{ <{TOKYO}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    headers = {"Accept": accept} if accept else {}
    params = {"query": q, **({"format": fmt} if fmt else {})}
    r = client.get("/sparql", params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert "Accept" in r.headers["vary"]
    assert values(r, "label") == ["Tokyo"]


@pytest.mark.parametrize(
    "media", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_results_in_every_rdf_format(client, media, form):
    q = (
        f"CONSTRUCT {{ <{TOKYO}> ?p ?o }} WHERE {{ <{TOKYO}> ?p ?o }}"
        if form == "CONSTRUCT"
        else f"DESCRIBE <{TOKYO}>"
    )
    r = client.get("/sparql", params={"query": q}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    fmt = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }[media]
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    labels = set(g.objects(rdflib.URIRef(TOKYO), rdflib.RDFS.label))
    assert rdflib.Literal("Tokyo", lang="en") in labels


def test_ask_answers_boolean(client):
    r = sparql_get(client, f"ASK {{ <{TOKYO}> a <{CITY}> }}")
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = client.get(
        "/sparql",
        params={"query": "ASK { <urn:x:none> ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert bool(ox.parse_query_results(r.content, format=ox.QueryResultsFormat.XML)) is False


def test_default_graph_is_the_union_and_protocol_dataset_overrides_from(client):
    triple = f"<{KL}> a <{CITY}>"
    assert sparql_get(client, f"ASK {{ {triple} }}").json()["boolean"] is True
    # FROM an unrelated graph hides the union
    assert sparql_get(client, f"ASK FROM <urn:x:empty> {{ {triple} }}").json()["boolean"] is False
    # default-graph-uri overrides the FROM clause (SPARQL 1.1 Protocol 2.1.4)
    r = client.get(
        "/sparql",
        params={"query": f"ASK FROM <urn:x:empty> {{ {triple} }}", "default-graph-uri": KL_GRAPH},
    )
    assert r.json()["boolean"] is True
    r = client.get(
        "/sparql",
        params={"query": f"ASK {{ GRAPH ?g {{ {triple} }} }}", "named-graph-uri": "urn:x:empty"},
    )
    assert r.json()["boolean"] is False
    r = client.post(
        "/sparql",
        data={"query": f"SELECT ?g {{ GRAPH ?g {{ {triple} }} }}", "named-graph-uri": KL_GRAPH},
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [KL_GRAPH]


def test_service_description_without_query(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(g.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (service, sd.feature, sd.UnionDefaultGraph) in g
    assert rdflib.URIRef(KL_GRAPH) in set(g.objects(None, sd.name))
    html = client.get("/sparql", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "<form" in html.text


# --- Errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "fragment"),
    [
        ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "line 1, column"),
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "once"),
        ("GET", {"params": {"default-graph-uri": KL_GRAPH}}, 400, "missing"),
        ("POST", {"data": {"default-graph-uri": KL_GRAPH}}, 400, "missing"),
        (
            "POST",
            {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
            415,
            "application/sparql-query",
        ),
        ("POST", {"content": b"ASK {}"}, 415, "Content-Type"),
        (
            "POST",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "UTF-8",
        ),
        (
            "POST",
            {
                "content": b"ASK { <urn:\xff> ?p ?o }",
                "headers": {"Content-Type": "application/sparql-query"},
            },
            400,
            "UTF-8",
        ),
        (
            "POST",
            {
                "content": b"query=ASK%20%7B%FF%7D",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            "UTF-8",
        ),
        (
            "POST",
            {
                "content": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            403,
            "read-only",
        ),
        ("POST", {"data": {"update": "CLEAR ALL"}}, 403, "read-only"),
        ("GET", {"params": {"update": "CLEAR ALL"}}, 403, "read-only"),
        ("GET", {"params": {"query": "DELETE WHERE { ?s ?p ?o }"}}, 403, "read-only"),
        ("GET", {"params": {"query": "LOAD <http://127.0.0.1:9/x>"}}, 403, "read-only"),
        ("GET", {"params": {"query": "ASK {}", "format": "png"}}, 406, "format"),
        (
            "GET",
            {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}},
            406,
            "accepted",
        ),
        (
            "GET",
            {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            400,
            "absolute IRI",
        ),
        ("GET", {"params": {"query": "   "}}, 400, "empty"),
        (
            "POST",
            {"content": b"x" * 200_001, "headers": {"Content-Type": "application/sparql-query"}},
            413,
            "larger",
        ),
        ("PUT", {"params": {"query": "ASK {}"}}, 405, "Method Not Allowed"),
    ],
)
def test_errors_are_4xx_with_a_message(client, method, kwargs, status, fragment):
    r = client.request(method, "/sparql", **kwargs)
    assert r.status_code == status, r.text
    if fragment:
        body = r.json()
        assert fragment in body["message"], body
        assert body["status"] == status


def test_invalid_utf8_in_the_url_is_refused(client):
    r = client.get("/sparql?query=ASK%20%7B%FF%7D")
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]
    r = client.get("/id/city/%FF%FE")
    assert r.status_code == 400


def _raw_get(url: str, target: str) -> bytes:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_long_get_queries_work_and_oversized_ones_are_refused(server):
    url = server[0]
    long_ok = "/sparql?query=" + quote("ASK {} #" + "x" * 60_000)
    assert _raw_get(url, long_ok).startswith(b"HTTP/1.1 200")
    too_long = "/sparql?query=" + quote("ASK {} #" + "x" * 200_001)
    # 414 from the app, or 400 from the HTTP parser when its own line limit is lower
    status = _raw_get(url, too_long)[:12]
    assert status in (b"HTTP/1.1 414", b"HTTP/1.1 400"), status


# --- Safety ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "query",
    [
        CROSS,
        # an aggregate over a large VALUES block joined with the whole store
        "SELECT (SUM(?x) AS ?n) WHERE { VALUES ?x { "
        + " ".join(str(i) for i in range(3000))
        + " } ?a ?b ?c . ?d ?e ?f }",
        # a deep join through property paths
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:p>)* ?b . ?c (<urn:p>|!<urn:p>)* ?d . ?d ?e ?f }",
    ],
    ids=["cross-product", "values-aggregate", "path-join"],
)
def test_timeout_really_stops_the_query_and_the_server_recovers(client, server, query):
    start = time.monotonic()
    r = client.post(
        "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    took = time.monotonic() - start
    assert r.status_code == 503, r.text
    assert "longer than" in r.json()["message"]
    assert took < TIMEOUT_S + 5
    # the killed worker is replaced: the server keeps answering, on both workers (a variable
    # subject: the query goes to a worker, not the in-process path for lookups)
    for _ in range(6):
        assert sparql_get(client, "ASK { ?s ?p ?o }").status_code == 200


def test_deeply_nested_query_is_refused_without_crashing(client):
    q = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    r = client.post(
        "/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 400 and "deeper than" in r.json()["message"]
    q = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    assert sparql_get(client, q).status_code == 400
    assert sparql_get(client, "ASK {}").status_code == 200


def test_row_cap_truncates_with_an_explicit_marker(client, server):
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    r = sparql_get(client, q)
    assert r.status_code == 200, r.text + "".join(server[2][-30:])
    assert r.headers["x-lcgraph-truncated"] == "true"
    body = r.json()
    assert body["truncated"] is True and body["maxRows"] == MAX_ROWS
    assert len(body["results"]["bindings"]) == MAX_ROWS
    csv = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert csv.headers["x-lcgraph-truncated"] == "true"
    assert len(values(csv, "s")) == MAX_ROWS
    g = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert g.headers["x-lcgraph-truncated"] == "true"
    assert len(g.text.strip().splitlines()) == MAX_ROWS
    small = sparql_get(client, f"SELECT ?c WHERE {{ ?c a <{CITY}> }}")
    assert "x-lcgraph-truncated" not in small.headers and "truncated" not in small.json()


def test_no_outbound_request_ever(client):
    canary = Canary()
    try:
        c = canary.url
        refused = [
            f"SELECT * WHERE {{ SERVICE <{c}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{c}/sparql> {{ ?s ?p ?o }} }}",
            f"PREFIX e: <{c}/> SELECT * WHERE {{ service e:sparql {{ ?s ?p ?o }} }}",
            "SELECT * WHERE { BIND(<"
            + c.replace("h", "\\u0068", 1)
            + "/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
            "SELECT * WHERE { SERVICE <" + c.replace("h", "\\u0068", 1) + "/sparql> { ?s ?p ?o } }",
            f"SELECT * WHERE {{ ?s ?p ?o FILTER(1 < 2) SERVICE <{c}/x> {{ ?s ?p ?o }} FILTER(2 > 1) }}",
            # names the engine's parser splits into a SERVICE clause
            f"PREFIX : <{c}/sparql> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
            f"PREFIX city: <https://w3id.org/lcc/id/city/> PREFIX : <{c}/sparql> "
            "SELECT * WHERE { city:tokyo ?p city:o.b.SERVICE: { ?s ?p ?o } }",
        ]
        for q in refused:
            r = sparql_get(client, q)
            assert r.status_code == 400, (q, r.text)
            assert "SERVICE" in r.json()["message"]
        for q in [
            f"SELECT * FROM <{c}/data> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{c}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        ]:
            assert sparql_get(client, q).status_code == 200
        assert (
            client.get(
                "/sparql", params={"query": "ASK {}", "default-graph-uri": f"{c}/dg"}
            ).status_code
            == 200
        )
        assert client.post("/sparql", data={"update": f"LOAD <{c}/load>"}).status_code == 403
        # a string or comment that mentions SERVICE is not a service clause
        ok = f'SELECT ?x WHERE {{ BIND("SERVICE <{c}>" AS ?x) }} # SERVICE <{c}>'
        assert sparql_get(client, ok).status_code == 200
    finally:
        hits = canary.close()
    assert hits == []


@pytest.mark.slow
def test_a_slow_query_does_not_block_fifty_other_clients(client, server):
    url = server[0]
    slow_result: dict = {}

    def slow() -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            slow_result["response"] = c.post(
                "/sparql",
                content=CROSS.encode(),
                headers={"Content-Type": "application/sparql-query"},
            )
            slow_result["done"] = time.monotonic()

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)  # the slow query holds a worker now
    start = time.monotonic()
    # a variable subject: answered by the other worker (lookups of one entity would not even
    # need it: test_lookups_are_answered_in_process_while_every_worker_is_busy)
    q = (
        "SELECT ?label WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        f"FILTER(?c = <{TOKYO}>) }}"
    )

    def fast(i: int) -> tuple[int, float]:
        with httpx.Client(base_url=url, timeout=30) as c:
            r = c.get("/sparql", params={"query": q + f" # client {i}"})
            return r.status_code, time.monotonic()

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(fast, range(50)))
    thread.join()
    assert [status for status, _ in results] == [200] * 50
    assert slow_result["response"].status_code == 503
    # every fast client was answered while the slow query was still running
    assert max(t for _, t in results) < slow_result["done"], (
        max(t for _, t in results) - start,
        slow_result["done"] - start,
    )


def _direct(client) -> dict:
    return client.get("/api/status").json()["direct_queries"]


LOOKUP = f"""PREFIX lcc: <https://w3id.org/lcc/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?country ?population WHERE {{
  <{KL}> rdfs:label ?label .
  OPTIONAL {{ <{KL}> lcc:country ?country }}
  OPTIONAL {{ <{KL}> lcc:population ?population }}
}}"""


def test_lookups_are_answered_in_process_with_the_workers_answers(client):
    before = _direct(client)
    assert before["budget"] == 256
    r = sparql_get(client, LOOKUP)
    after = _direct(client)
    assert r.status_code == 200 and after["answered"] == before["answered"] + 1
    # the same question with a variable subject goes to a worker: the same answer
    pooled = sparql_get(
        client,
        LOOKUP.replace(f"<{KL}>", "?c").replace("WHERE {", f"WHERE {{ VALUES ?c {{ <{KL}> }}", 1),
    )
    assert _direct(client)["passed_on"] == after["passed_on"] + 1
    assert pooled.status_code == 200
    rows = r.json()["results"]["bindings"]
    assert rows and rows == pooled.json()["results"]["bindings"]
    assert rows[0]["label"]["value"] == "Kuala Lumpur"
    for accept in ("text/csv", "application/sparql-results+xml", "text/tab-separated-values"):
        a = client.get("/sparql", params={"query": LOOKUP}, headers={"Accept": accept})
        assert a.status_code == 200 and a.headers["content-type"].startswith(accept)
    assert _direct(client)["answered"] == after["answered"] + 3
    # an IRI the lexer takes and the engine refuses: the worker's 400, never a 500
    bad = sparql_get(client, "ASK { <http://[::1> ?p ?o }")
    assert bad.status_code == 400 and "IRI" in bad.json()["message"], bad.text


@pytest.mark.slow
def test_lookups_are_answered_in_process_while_every_worker_is_busy(server):
    """Two slow queries hold both workers until the deadline: lookups of one entity are still
    answered at once, and a query of constant subjects whose counts multiply past the budget
    (20^8 candidate rows) is not: it waits for a worker and is stopped at the deadline."""
    url = server[0]
    done: list[httpx.Response] = []

    def slow() -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            done.append(
                c.post(
                    "/sparql",
                    content=CROSS.encode(),
                    headers={"Content-Type": "application/sparql-query"},
                )
            )

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            start = time.monotonic()
            for _ in range(20):
                assert sparql_get(c, LOOKUP).status_code == 200
            assert time.monotonic() - start < TIMEOUT_S / 2
            assert not done  # the slow queries still hold the workers
            wide = (
                "SELECT DISTINCT ?o1 WHERE { "
                + " ".join(f"<{KL}> ?p{i} ?o{i} ." for i in range(1, 9))
                + " }"
            )
            before = _direct(c)["passed_on"]
            r = sparql_get(c, wide)
            assert r.status_code == 503, r.text
            assert _direct(c)["passed_on"] == before + 1
    finally:
        for t in threads:
            t.join()
    assert [r.status_code for r in done] == [503, 503]


# --- Linked data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "location", "parse"),
    [
        ("text/html", "/page/city/tokyo", None),
        ("text/turtle", "/data/city/tokyo.ttl", "turtle"),
        ("application/n-triples", "/data/city/tokyo.nt", "nt"),
        ("application/ld+json", "/data/city/tokyo.jsonld", "json-ld"),
        ("application/rdf+xml", "/data/city/tokyo.rdf", "xml"),
        ("application/trig", "/data/city/tokyo.trig", "trig"),
        ("application/n-quads", "/data/city/tokyo.nq", "nquads"),
    ],
)
def test_entity_iri_dereferences_by_conneg(client, accept, location, parse):
    r = client.get("/id/city/tokyo", headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["location"] == location
    assert "Accept" in r.headers["vary"]
    assert 'rel="alternate"' in r.headers["link"]
    doc = client.get(location, headers={"Accept": accept})
    assert doc.status_code == 200
    assert doc.headers["content-type"].split(";")[0] == accept
    if parse is None:
        assert "<h1" in doc.text and "Tokyo" in doc.text
        return
    body = doc.content
    if parse == "json-ld":
        data = json.loads(body)
        assert data["@context"].endswith("/context.jsonld")
        data["@context"] = client.get("/context.jsonld").json()["@context"]
        body = json.dumps(data).encode()
    if parse in ("trig", "nquads"):
        ds = rdflib.Dataset()
        ds.parse(data=body, format=parse)
        graphs = {str(g) for _s, _p, _o, g in ds.quads((rdflib.URIRef(TOKYO), None, None, None))}
        assert KL_GRAPH in graphs
        return
    g = rdflib.Graph().parse(data=body, format=parse)
    assert (rdflib.URIRef(TOKYO), rdflib.RDF.type, rdflib.URIRef(CITY)) in g
    assert (rdflib.URIRef(TOKYO), rdflib.RDFS.label, rdflib.Literal("Tokyo", lang="en")) in g


def test_unknown_slug_is_404_with_suggestions(client):
    r = client.get("/id/city/tokio", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["suggestions"][0]["iri"] == TOKYO
    html = client.get("/id/city/kuala-lumpu", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "/id/city/kuala-lumpur" in html.text


def test_dumps_round_trip_to_an_isomorphic_dataset(client, built):
    _, quads = built
    listing = client.get("/download/", headers={"Accept": "application/json"}).json()
    sums = dict(line.split()[::-1] for line in client.get("/download/SHA256SUMS").text.splitlines())
    assert {d["name"] for d in listing["dumps"]} == {f"lcgraph.{e}.gz" for e in ex.DUMP_FORMATS}
    union = [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ex.union_triples(quads)
    ]
    import hashlib

    for dump in listing["dumps"]:
        r = client.get(dump["url"])
        assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
        assert hashlib.sha256(r.content).hexdigest() == dump["sha256"] == sums[dump["name"]]
        ext = dump["name"].split(".")[1]
        back = ex.read_dump(gzip.decompress(r.content), ext)
        expected = quads if dump["named_graphs"] else union
        assert ex.isomorphic(back, expected), dump["name"]


def test_void_describes_the_dataset(client):
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = rdflib.URIRef("https://w3id.org/lcc/dataset")
    assert int(next(g.objects(ds, void.triples))) > 1000
    classes = {
        next(g.objects(p, void["class"])): int(next(g.objects(p, void.entities)))
        for p in g.objects(ds, void.classPartition)
    }
    assert classes[rdflib.URIRef(CITY)] >= 2
    linksets = list(g.subjects(rdflib.RDF.type, void.Linkset))
    assert linksets and int(next(g.objects(linksets[0], void.triples))) >= 2
    assert len(list(g.objects(ds, void.dataDump))) == len(ex.DUMP_FORMATS)
    assert (ds, void.sparqlEndpoint, rdflib.URIRef("https://w3id.org/lcc/sparql")) in g


def test_ontology_page_and_file(client):
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and 'id="City"' in html.text and 'id="partner"' in html.text
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert (rdflib.URIRef(CITY), rdflib.RDF.type, rdflib.OWL.Class) in g
    assert client.get("/ontology.ttl").text == ttl.text


# --- HTTP details (found by an adversarial review of the running server) ------------------


def test_match_404_is_the_servers_error_body_with_suggestions(client):
    r = client.get("/api/match/tokio")
    assert r.status_code == 404 and r.headers["vary"] == "Accept"
    body = r.json()
    assert body["status"] == 404 and body["message"].startswith("unknown city or actor 'tokio'")
    assert body["suggestions"][0]["label"] == "Tokyo"
    assert body["suggestions"][0]["url"] == "/match?city=Tokyo"
    page = client.get("/api/match/tokio", headers={"Accept": "text/html"})
    assert page.status_code == 404 and 'href="/match?city=Tokyo"' in page.text
    assert "{'message'" not in page.text


def test_ontology_page_shows_unions_without_blank_node_links(client):
    first = client.get("/ontology", headers={"Accept": "text/html"})
    second = client.get("/ontology", headers={"Accept": "text/html"})
    assert first.text == second.text  # no blank-node ids that change per request
    hrefs = re.findall(r'href="([^"]*)"', first.text)
    assert all(h.startswith(("#", "/", "http")) for h in hrefs), hrefs
    section = first.text[first.text.index('id="concerns"') :]
    assert '<a href="#Outcome">lcc:Outcome</a> or <a href="#Discrepancy">' in section[:1500]
    head = client.head("/ontology", headers={"Accept": "text/html"})
    assert head.headers["content-length"] == str(len(first.content))


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/data/city/tokyo", "application/json", "application/ld+json"),
        ("/data/city/tokyo", "application/xml", "application/rdf+xml"),
        ("/ontology", "application/json", "application/ld+json"),
        ("/ontology", "text/xml", "application/rdf+xml"),
        ("/.well-known/void", "application/json", "application/ld+json"),
    ],
)
def test_plain_json_and_xml_mean_json_ld_and_rdf_xml_for_a_graph(client, path, accept, expected):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


def test_id_redirects_by_plain_json_accept_and_by_format(client):
    r = client.get("/id/city/tokyo", headers={"Accept": "application/json"})
    assert r.status_code == 303 and r.headers["location"] == "/data/city/tokyo.jsonld"
    for fmt, ext in (("trig", "trig"), ("nq", "nq"), ("json", "jsonld"), ("xml", "rdf")):
        r = client.get("/id/city/tokyo", params={"format": fmt})
        assert r.status_code == 303 and r.headers["location"] == f"/data/city/tokyo.{ext}"


def test_download_index_by_format_and_vary(client):
    r = client.get("/download/", params={"format": "json"})
    assert r.status_code == 200 and r.json()["dumps"]
    assert r.headers["vary"] == "Accept"
    assert client.get("/download/", headers={"Accept": "text/html"}).headers["vary"] == "Accept"


def test_if_none_match_weak_lists_and_star(client):
    name = client.get("/download/", params={"format": "json"}).json()["dumps"][0]["name"]
    etag = client.get(f"/download/{name}").headers["etag"]
    for header in ("*", f"W/{etag}", f'"other", {etag}', f'"x",W/{etag}'):
        r = client.get(f"/download/{name}", headers={"If-None-Match": header})
        assert r.status_code == 304, header
    assert client.get(f"/download/{name}", headers={"If-None-Match": '"x"'}).status_code == 200


def test_405_lists_every_allowed_method(client):
    r = client.put("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    r = client.post("/ontology")
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_saved_construct_query_answers_in_graph_formats(client):
    url = "/api/queries/entity-triples"
    params = {"entity": "city:tokyo"}
    r = client.get(url, params={**params, "format": "jsonld"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert rdflib.Graph().parse(data=r.text, format="json-ld")
    r = client.get(url, params=params, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")
    r = client.get(url, params={**params, "format": "ttl"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert client.get(url, params={**params, "format": "csv"}).status_code == 422
    assert client.get(url, params=params, headers={"Accept": "text/csv"}).status_code == 406


def test_year_parameter_takes_ascii_digits_only(client):
    url = "/api/queries/cq02-eco-model-base-year"
    assert client.get(url, params={"base_year": "1990"}).status_code == 200
    r = client.get(url, params={"base_year": "\u0661\u0669\u0669\u0660"})  # Arabic-Indic 1990
    assert r.status_code in (400, 422), r.text


def test_update_in_the_url_of_a_direct_post_is_refused(client):
    r = client.post(
        "/sparql",
        params={"update": "x"},
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 403, r.text


def test_direct_post_with_a_byte_order_mark(client):
    r = client.post(
        "/sparql",
        content="\ufeffASK { ?s ?p ?o }".encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_repeated_accept_lines_are_one_list(client):
    r = client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers=[("Accept", "text/html"), ("Accept", "text/tab-separated-values")],
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "text/tab-separated-values"
    )


def test_compressed_request_body_is_415(client):
    r = client.post(
        "/sparql",
        content=gzip.compress(b"ASK {}"),
        headers={"Content-Type": "application/sparql-query", "Content-Encoding": "gzip"},
    )
    assert r.status_code == 415 and "Content-Encoding" in r.json()["message"]


def test_random_answers_are_not_cached_even_behind_a_comment(client):
    query = "SELECT (RAND#hidden\n() AS ?r) {}"
    answers = {
        client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"}).text
        for _ in range(3)
    }
    assert len(answers) == 3


def test_read_only_api_answers_cross_origin(client):
    for path in ("/api/status", "/api/queries", "/api/match/tokyo"):
        r = client.get(path, headers={"Origin": "https://partner.example"})
        assert r.headers.get("access-control-allow-origin") == "*", path
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert "If-None-Match" in pre.headers["access-control-allow-headers"]


@pytest.mark.parametrize(
    ("query", "fmt", "why"),
    [
        ('SELECT ?x { BIND("\\u0001x" AS ?x) }', "xml", "control character"),
        ('SELECT ?x { BIND("a\\r\\nb" AS ?x) }', "xml", "carriage return"),
        ('CONSTRUCT { <http://ex.org/s> <http://ex.org/p/> "v" } WHERE {}', "rdfxml", "local name"),
        ('CONSTRUCT { <http://ex.org/s> <urn:x:1> "v" } WHERE {}', "rdfxml", "local name"),
    ],
)
def test_answers_xml_cannot_carry_are_406_not_broken_xml(client, query, fmt, why):
    r = client.get("/sparql", params={"query": query, "format": fmt})
    assert r.status_code == 406 and why in r.json()["message"]
    other = client.get("/sparql", params={"query": query})  # the default format carries it
    assert other.status_code == 200


def test_xml_answers_that_xml_can_carry_still_parse(client):
    r = client.get(
        "/sparql",
        params={"query": 'SELECT ?x { BIND("a < b & \\"c\\"\\n" AS ?x) }', "format": "xml"},
    )
    assert r.status_code == 200
    assert values(r, "x") == ['a < b & "c"\n']


@pytest.mark.slow
def test_timeout_page_for_browsers_says_when_to_retry(client):
    r = client.post(
        "/sparql",
        content=CROSS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/html, */*;q=0.1"},
    )
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5" and r.headers["vary"] == "Accept"
    assert r.headers["content-type"].startswith("text/html")


def test_no_traceback_in_the_server_log(server):
    _, _, lines = server
    assert not any("Traceback" in line for line in lines), "".join(lines)
