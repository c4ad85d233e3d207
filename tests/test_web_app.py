"""The web app through FastAPI's TestClient: pages, data documents, base IRI, store changes."""

from __future__ import annotations

import json
import re
import time
from html import unescape
from types import SimpleNamespace

import pyoxigraph as ox
import rdflib
import rdflib.compare
from fastapi.testclient import TestClient

from lcgraph import export as ex
from lcgraph.config import Settings
from lcgraph.store import add_quads, remove_quads
from lcgraph.web.app import ROUTERS, create_app
from lcgraph.web.gencache import per_generation
from lcgraph.web.sparql import DIRECT, UPDATE

TOKYO = "https://w3id.org/lcc/id/city/tokyo"
ANMC21 = "https://w3id.org/lcc/id/network/asian-network-of-major-cities-21"


def test_store_is_built_in_memory_when_none_exists(client):
    assert client.app.state.store_path is None
    assert (
        client.get("/sparql", params={"query": f"ASK {{ <{TOKYO}> ?p ?o }}"}).json()["boolean"]
        is True
    )


def test_entity_page_shows_labels_links_sources_and_incoming_links(client):
    r = client.get("/page/city/tokyo")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert html.count("<h1") == 1 and '<h1 id="top">Tokyo</h1>' in html
    assert 'lang="en"' in html and 'aria-label="Site"' in html
    assert 'href="/ontology#City"' in html  # the type links to its documentation
    assert "kl-tokyo-collaboration" in html  # the source of statements
    assert 'href="/page/city/kuala-lumpur"' in html or "/page/collaboration/" in html
    assert (
        "Linked from" in html
        and 'href="/page/network/asian-network-of-major-cities-21#tokyo"' in html
    )
    assert 'rel="alternate"' in r.headers["link"]


def test_hash_nodes_belong_to_the_page_of_their_base(client):
    html = client.get("/page/network/asian-network-of-major-cities-21").text
    assert 'id="tokyo"' in html and 'id="kuala-lumpur"' in html
    ttl = client.get("/data/network/asian-network-of-major-cities-21.ttl").text
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    membership = rdflib.URIRef(ANMC21 + "#tokyo")
    assert (membership, rdflib.URIRef("http://www.w3.org/ns/org#member"), rdflib.URIRef(TOKYO)) in g
    # labels of linked things come along, so the document is readable on its own
    assert (rdflib.URIRef(TOKYO), rdflib.RDFS.label, rdflib.Literal("Tokyo", lang="en")) in g


def test_data_negotiates_without_extension(client):
    r = client.get("/data/city/tokyo", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-location"] == "/data/city/tokyo.nt"
    assert client.get("/data/city/tokyo.xyz").status_code == 404
    assert client.get("/data/city/tokyo", headers={"Accept": "image/png"}).status_code == 406


def test_jsonld_uses_the_published_context(client):
    ctx = client.get("/context.jsonld").json()["@context"]
    assert ctx["lcc"] == "https://w3id.org/lcc/ontology#" and ctx["partner"] == {
        "@id": "lcc:partner",
        "@type": "@id",
    }
    doc = client.get("/data/city/tokyo.jsonld").json()
    assert doc["@context"].endswith("/context.jsonld")
    doc["@context"] = ctx
    g = rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")
    ttl = rdflib.Graph().parse(data=client.get("/data/city/tokyo.ttl").text, format="turtle")
    assert rdflib.compare.isomorphic(g, ttl)


def test_unknown_kind_and_slug(client):
    r = client.get("/id/town/tokyo", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "kinds" in r.json()["message"]
    r = client.get("/page/city/TOKYO", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["suggestions"][0]["iri"] == TOKYO


def test_ontology_documents_every_term(client):
    html = client.get("/ontology").text
    model = ex.ontology_model(client.app.state.settings)
    terms = model["classes"] + model["object_properties"] + model["datatype_properties"]
    terms += [s["term"] for s in model["schemes"]] + [
        c for s in model["schemes"] for c in s["concepts"]
    ]
    assert len(terms) > 100
    missing = [
        t.name
        for t in terms
        if f'id="{t.name}"' not in html
        or (
            t.definition
            and t.definition
            not in html.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
        )
    ]
    assert missing == []
    assert "Class hierarchy" in html
    assert client.get("/ontology", headers={"Accept": "application/n-triples"}).status_code == 200


def test_download_index_html_and_json(client):
    html = client.get("/download/", headers={"Accept": "text/html"}).text
    assert "lcgraph.nq.gz" in html and "sha256sum -c" in html
    listing = client.get("/download/", headers={"Accept": "application/json"}).json()
    assert len(listing["dumps"]) == 5 and listing["void"] == "/.well-known/void"
    assert client.get("/download/nope.gz").status_code == 404
    r = client.get("/download/lcgraph.nq.gz")
    etag = r.headers["etag"]
    assert client.get("/download/lcgraph.nq.gz", headers={"If-None-Match": etag}).status_code == 304


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_void_is_a_page_for_browsers_and_rdf_for_programs(client):
    ttl = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    city = rdflib.URIRef("https://w3id.org/lcc/ontology#City")
    (entities,) = [g.value(p, void.entities) for p in g.subjects(void["class"], city)]
    triples = g.value(rdflib.URIRef("https://w3id.org/lcc/dataset"), void.triples)
    assert entities is not None and triples is not None
    r = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept"
    page = unescape(r.text)
    assert f"lcc:City: {entities} entities" in page and f"<td>{triples}</td>" in page
    assert 'href="/download/lcgraph.nq.gz"' in page  # the server's own IRIs: its paths
    assert 'href="/.well-known/void?format=ttl"' in page
    # every link to a described resource lands on its section
    for anchor_id in re.findall(r'href="#([^"]+)"', page):
        assert f'id="{anchor_id}"' in page
    assert client.get("/.well-known/void", params={"format": "html"}).text == r.text
    # programs: anything -> Turtle; XML -> RDF/XML, as before
    for accept, media in [
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
        ("application/xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
    ]:
        headers = {"Accept": accept} if accept else {}
        got = client.get("/.well-known/void", headers=headers).headers["content-type"]
        assert got.startswith(media), (accept, got)


def test_on_store_change_reaches_queries_dumps_and_pages(client):
    state = client.app.state
    sums_before = client.get("/download/SHA256SUMS").text
    new = "https://w3id.org/lcc/id/city/test-town"
    graph = ox.NamedNode("https://w3id.org/lcc/graph/contrib")
    quads = [
        ox.Quad(
            ox.NamedNode(new),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/lcc/ontology#City"),
            graph,
        ),
        ox.Quad(
            ox.NamedNode(new),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Test Town", language="en"),
            graph,
        ),
    ]
    # a variable subject: the query runs in a worker
    ask = {"query": f"ASK {{ ?s ?p ?o FILTER(?s = <{new}>) }}"}
    # one entity's lookup: answered in the server process, from the live store
    lookup = {"query": f"ASK {{ <{new}> ?p ?o }}"}
    assert client.get("/sparql", params=ask).json()["boolean"] is False  # takes the snapshot
    try:
        add_quads(state.store, quads)
        # workers read a snapshot until the change is announced; lookups see it at once
        assert client.get("/sparql", params=ask).json()["boolean"] is False
        assert client.get("/sparql", params=lookup).json()["boolean"] is True
        generation = state.generation
        assert state.on_store_change() == generation + 1
        assert client.get("/sparql", params=ask).json()["boolean"] is True
        assert client.get("/download/SHA256SUMS").text != sums_before
        assert "Test Town" in client.get("/page/city/test-town").text
    finally:
        remove_quads(state.store, quads)
        state.on_store_change()
    assert client.get("/sparql", params=ask).json()["boolean"] is False
    assert client.get("/sparql", params=lookup).json()["boolean"] is False


def test_every_router_is_mounted(tmp_path):
    """Each area's router is part of the app: a missing module fails create_app, not a page."""
    settings = Settings.from_env().with_(store_path=tmp_path / "absent", workers=1)
    paths = [
        "/sparql",
        "/id/city/tokyo",
        "/ontology",
        "/download/",
        "/api/queries",
        "/api/match/tokyo",
        "/api/analysis/centrality",
        "/api/changes",
        "/",
        "/query",
        "/network",
    ]
    with TestClient(create_app(settings)) as c:
        status = {path: c.get(path, follow_redirects=False).status_code for path in paths}
    assert all(code in (200, 303) for code in status.values()), status
    assert len(ROUTERS) == len({spec.split(":")[0] for spec in ROUTERS}) == 9


def test_another_base_iri_is_served_and_rewritten_consistently(tmp_path):
    base = "https://example.org/lcc/"
    settings = Settings.from_env().with_(base=base, store_path=tmp_path / "absent", workers=1)
    with TestClient(create_app(settings)) as c:
        r = c.get("/id/city/tokyo", headers={"Accept": "text/turtle"}, follow_redirects=True)
        g = rdflib.Graph().parse(data=r.text, format="turtle")
        me = rdflib.URIRef(f"{base}id/city/tokyo")
        assert (me, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/lcc/ontology#City")) in g
        assert "w3id.org/lcc/id/" not in r.text and "w3id.org/lcc/graph/" not in r.text
        sparql = c.get(
            "/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{me}> a ?t }} }}"}
        ).json()
        assert {b["g"]["value"] for b in sparql["results"]["bindings"]} >= {
            f"{base}graph/kl-tokyo-collaboration"
        }
        void = c.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
        assert f"<{base}dataset>" in void and f"<{base}sparql>" in void
        assert "w3id.org/lcc/id/" not in void
        nq = ex.read_dump(c.get("/download/lcgraph.nq.gz").content, "nq")
        assert nq and not any(str(q.subject).startswith("<https://w3id.org/lcc/id/") for q in nq)
        assert c.get("/context.jsonld").json()["@context"]["city"] == f"{base}id/city/"
        doc = c.get("/data/city/tokyo.jsonld", headers={"Host": "elsewhere.example"}).json()
        assert doc["@context"] == f"{base}context.jsonld"  # not from the Host header
        page = c.get("/page/city/tokyo").text
        assert f"{base}id/city/tokyo" in page


def test_an_allowed_service_endpoint_is_queried_and_others_are_not(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tests.lcserver import Canary

    answer = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"from the partner"}}]}}'
    calls = []

    class Partner(BaseHTTPRequestHandler):
        def do_POST(self):
            calls.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    partner = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    allowed = f"http://127.0.0.1:{partner.server_address[1]}/sparql"
    canary = Canary()
    settings = Settings.from_env().with_(
        store_path=tmp_path / "absent", workers=1, service_allowlist=(allowed,)
    )
    try:
        with TestClient(create_app(settings)) as c:
            r = c.get(
                "/sparql",
                params={"query": f"SELECT ?x WHERE {{ SERVICE <{allowed}> {{ ?x ?p ?o }} }}"},
            )
            assert r.status_code == 200, r.text
            assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [
                "from the partner"
            ]
            r = c.get(
                "/sparql",
                params={
                    "query": f"SELECT ?x WHERE {{ SERVICE <{canary.url}/sparql> {{ ?x ?p ?o }} }}"
                },
            )
            assert r.status_code == 400
            sd = c.get("/sparql", headers={"Accept": "text/turtle"}).text
            assert "BasicFederatedQuery" in sd
    finally:
        partner.shutdown()
        hits = canary.close()
    assert len(calls) == 1 and hits == []


def test_serve_reports_a_busy_port_as_one_line(tmp_path):
    import socket

    from click.testing import CliRunner

    from lcgraph.cli import cli

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["--store", str(tmp_path / "absent"), "serve", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1" in result.output and "Traceback" not in result.output


def test_read_only_paths_allow_cross_origin_use_and_head(client):
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    r = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://partner.example"}
    )
    assert (
        r.headers["access-control-allow-origin"] == "*"
        and "X-LCGraph-Truncated" in r.headers["access-control-expose-headers"]
    )
    assert client.get("/context.jsonld").headers["access-control-allow-origin"] == "*"
    head = client.head("/id/city/tokyo", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert head.status_code == 303 and head.headers["location"] == "/data/city/tokyo.ttl"
    head = client.head("/download/lcgraph.nq.gz")
    assert head.status_code == 200 and int(head.headers["content-length"]) > 1000
    assert head.content == b""
    assert "access-control-allow-origin" not in client.get("/docs").headers


def test_head_answers_like_get_without_a_body(client):
    for path in ("/", "/page/city/tokyo", "/ontology", "/.well-known/void", "/api/queries"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.content == b"" and got.content


def test_openapi_operation_ids_are_unique(client):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns on a duplicate operation id
        client.app.openapi_schema = None  # generate afresh
        schema = client.app.openapi()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and len(ids) > 20


def _in_threads(n: int, fn, meanwhile=None) -> list:
    """``fn()`` in ``n`` threads at once (``meanwhile()`` 0.1 s in); their results."""
    import threading

    results: list = []
    threads = [threading.Thread(target=lambda: results.append(fn())) for _ in range(n)]
    for t in threads:
        t.start()
    if meanwhile is not None:
        time.sleep(0.1)
        meanwhile()
    for t in threads:
        t.join()
    return results


def _recorded(calls: list, seconds: float, outcome):
    """A compute function: records its call in ``calls``, takes ``seconds``, then returns
    ``outcome(number of calls so far)``, or raises it when that is an exception."""

    def compute():
        calls.append(1)
        time.sleep(seconds)
        value = outcome(len(calls))
        if isinstance(value, Exception):
            raise value
        return value

    return compute


def test_per_generation_computes_a_value_once_for_concurrent_callers():
    state = SimpleNamespace(generation=0)
    calls = []
    slow = _recorded(calls, 0.3, lambda n: 42)
    results = _in_threads(4, lambda: per_generation(state, "k", slow))
    assert results == [42] * 4 and len(calls) == 1
    state.generation = 1
    assert per_generation(state, "k", lambda: 7) == 7


def test_warm_up_after_a_burst_of_changes_works_only_for_the_last_generation(monkeypatch):
    import threading

    from lcgraph.web import warm

    state = SimpleNamespace(generation=0, store=object())
    running, most = [0], [0]
    lock = threading.Lock()

    ran = []

    def step(name: str, seconds: float):
        def compute() -> None:
            ran.append((state.generation, name))
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(seconds)
            with lock:
                running[0] -= 1

        return compute

    monkeypatch.setattr(warm, "steps", lambda s: [("a", step("a", 0.3)), ("b", step("b", 0.01))])
    warmer = warm.Warmer(state)
    warmer.start()
    time.sleep(0.05)  # generation 0 is in step "a"
    for generation in (1, 2):
        state.generation = generation
        warmer.start()
    assert warmer.wait(10)
    # generation 0 finished its running step and stopped; 1 never started; 2 ran them all
    assert ran == [(0, "a"), (2, "a"), (2, "b")]
    assert [(g, name) for g, name, _ in warmer.done] == [(2, "a"), (2, "b")]
    assert most[0] == 1, "two warm-ups ran at once"
    assert [d["step"] for d in warmer.status()["done"]] == ["a", "b"]
    warmer.stop()
    warmer.start()  # a stopped warmer starts nothing
    assert warmer.wait(1) and len(ran) == 3


def test_per_generation_waiters_share_the_value_even_when_the_store_changes_meanwhile():
    state = SimpleNamespace(generation=0)
    calls = []
    slow = _recorded(calls, 0.4, lambda n: n)

    def change() -> None:
        state.generation = 1  # a change lands while the value computes: it is not cached

    start = time.monotonic()
    results = _in_threads(4, lambda: per_generation(state, "k", slow), meanwhile=change)
    assert results == [1] * 4 and len(calls) == 1 and time.monotonic() - start < 1.0
    assert per_generation(state, "k", slow) == 2  # the new generation computes afresh


def test_per_generation_waiters_share_an_error():
    state = SimpleNamespace(generation=0)
    calls = []
    failing = _recorded(calls, 0.3, lambda n: ValueError("no data"))

    def call() -> str:
        try:
            per_generation(state, "k", failing)
        except ValueError as exc:
            return str(exc)
        return "no error"

    assert _in_threads(3, call) == ["no data"] * 3 and len(calls) == 1
    assert per_generation(state, "k", lambda: 5) == 5  # an error is not cached


def test_api_docs_load_nothing_from_elsewhere(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"""(src|href)=["']https?://""", page.text)
    for path in re.findall(r"""(?:src|href)=["'](/static/docs/[^"']+)""", page.text):
        assert client.get(path).status_code == 200, path


def test_the_endpoint_shortcut_answers_as_the_routes_do(tmp_path):
    """``EndpointShortcut`` sends /sparql straight to its handlers: every kind of request gets
    the same status, headers and body as from the app without it (its routes)."""
    from lcgraph.web.sparql import EndpointShortcut

    ask = "ASK { ?s ?p ?o }"
    select = f"SELECT ?p WHERE {{ <{TOKYO}> ?p ?o }} ORDER BY ?p LIMIT 3"
    form = "application/x-www-form-urlencoded"
    preflight = {"Access-Control-Request-Method": "POST"}
    requests = [
        ("GET", "/sparql", {"params": {"query": select}}),
        ("GET", "/sparql/", {"params": {"query": ask, "format": "xml"}}),
        ("GET", "/sparql", {"params": {"query": select}, "headers": {"Accept": "text/csv"}}),
        ("GET", "/sparql", {"params": {"query": f"CONSTRUCT WHERE {{ <{TOKYO}> a ?t }}"}}),
        ("GET", "/sparql", {}),  # the service description
        ("GET", "/sparql", {"headers": {"Accept": "text/html"}}),
        ("GET", "/sparql", {"params": {"query": "SELECT * {"}}),  # 400 with the position
        ("GET", "/sparql", {"params": {"query": "SELECT * {"}, "headers": {"Accept": "text/html"}}),
        ("GET", "/sparql", {"params": {"query": ask}, "headers": {"Accept": "image/png"}}),  # 406
        ("GET", "/sparql", {"params": [("query", ask), ("query", ask)]}),  # twice: 400
        ("GET", "/sparql", {"params": {"update": "CLEAR ALL"}}),  # 403
        ("GET", "/sparql?query=%FF", {}),  # not UTF-8
        ("HEAD", "/sparql", {"params": {"query": ask}}),
        ("POST", "/sparql", {"content": f"query={ask}", "headers": {"Content-Type": form}}),
        ("POST", "/sparql", {"content": ask, "headers": {"Content-Type": DIRECT}}),
        ("POST", "/sparql", {"content": ask, "headers": {"Content-Type": "text/plain"}}),  # 415
        ("POST", "/sparql", {"content": "CLEAR ALL", "headers": {"Content-Type": UPDATE}}),
        ("POST", "/sparql", {"content": b"ASK {\xff}", "headers": {"Content-Type": DIRECT}}),
        ("PUT", "/sparql", {"content": ask}),  # 405 with Allow, from the routes
        ("OPTIONS", "/sparql", {"headers": {"Origin": "https://x.org", **preflight}}),
        ("GET", "/sparql", {"params": {"query": ask}, "headers": {"Origin": "https://x.org"}}),
    ]
    settings = Settings.from_env().with_(store_path=tmp_path / "absent", workers=1)
    answers = []
    for shortcut in (True, False):
        app = create_app(settings)
        assert any(m.cls is EndpointShortcut for m in app.user_middleware)
        if not shortcut:
            app.user_middleware = [m for m in app.user_middleware if m.cls is not EndpointShortcut]
        with TestClient(app) as c:
            answers.append(
                [
                    (r.status_code, sorted(r.headers.items()), r.content)
                    for method, url, kw in requests
                    for r in [c.request(method, url, **kw)]
                ]
            )
    for request, got, expected in zip(requests, *answers, strict=True):
        assert got == expected, request
    statuses = [status for status, _, _ in answers[0]]
    # a browser's Accept cannot have SELECT results: 406 (a page) before the syntax is read
    assert (
        " ".join(map(str, statuses[6:]))
        == "400 406 406 400 403 400 200 200 200 415 403 400 405 204 200"
    )
    assert statuses[:6] == [200] * 6
