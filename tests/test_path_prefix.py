"""Serving under a path prefix (``lcgraph serve --path-prefix /lcc``) behind a reverse proxy
that publishes the server at ``/lcc/`` and strips the prefix, as nginx's
``location /lcc/ { proxy_pass http://127.0.0.1:PORT/; }`` does.

A small proxy of that kind runs in the test; every page, document and API answer is fetched
through it, and every link they hold (HTML attributes, JSON ``url`` members, ``Location``,
``Content-Location`` and ``Link`` headers) must start with the prefix and answer.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import threading
from collections import deque
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import rdflib
from lcserver import ROOT, _env, running_server

PREFIX = "/lcc"
#: hop-by-hop headers a proxy does not pass on (RFC 9110 §7.6.1), and the length it recomputes
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


class StrippingProxy:
    """Forwards ``/lcc/...`` to ``backend`` as ``/...``; anything else is 404 here."""

    def __init__(self, backend_port: int):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                if not (self.path == PREFIX or self.path.startswith(PREFIX + "/")):
                    body = b"not under the proxy's prefix"
                    self.send_response(404)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                outer.paths.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                conn.request(self.command, self.path[len(PREFIX) :] or "/", body, headers)
                r = conn.getresponse()
                data = r.read()
                conn.close()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in _HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_OPTIONS = _forward

        self.paths: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """``http://127.0.0.1:PORT`` of the proxy in front of ``lcgraph serve --path-prefix``."""
    absent = tmp_path_factory.mktemp("prefix") / "no-store"
    args = ("--store", str(absent), "--workers", "1", "--path-prefix", PREFIX + "/")
    with running_server(*args) as (url, _, lines):
        assert any(f"links start with {PREFIX}/" in line for line in lines)
        with StrippingProxy(urlsplit(url).port) as proxy:
            yield f"http://127.0.0.1:{proxy.port}", proxy


def fetch(origin: str, path: str, method: str = "GET", headers: dict | None = None):
    u = urlsplit(origin)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request(method, path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


_ATTR = re.compile(r"""\b(?:href|src|action)="([^"]*)\"""")
_LINK_HEADER = re.compile(r"<([^>]*)>")


def links_in(headers: dict, body: bytes) -> list[str]:
    """Every link an answer holds: HTML attributes, JSON ``url`` members, link headers."""
    found = [headers[h] for h in ("location", "content-location") if h in headers]
    found += _LINK_HEADER.findall(headers.get("link", ""))
    media = headers.get("content-type", "")
    if media.startswith("text/html"):
        found += [unescape(v) for v in _ATTR.findall(body.decode("utf-8"))]
    elif media.startswith("application/json"):

        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("url", "checksums", "void") and isinstance(v, str):
                        found.append(v)
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(json.loads(body))
    return found


def ours(link: str) -> bool:
    """A link this server must answer (not a fragment, another site or an IRI of the data)."""
    return not link.startswith(("#", "http://", "https://", "mailto:", "data:"))


SEEDS = [
    "/",
    "/query",
    "/network",
    "/match?city=tokyo",
    "/search?q=tokyo",
    "/ontology",
    "/download/",
    "/.well-known/void",
    "/sparql",
    "/docs",
    "/api/queries",
    "/api/match/kuala-lumpur",
    "/api/match/tokio",  # 404 with suggestions (url members)
    "/id/city/tokio",  # 404 with suggestions
    "/id/city/tokyo",  # 303 to the page
    "/data/city/tokyo",  # Content-Location
]


def test_every_link_starts_with_the_prefix_and_answers_through_the_proxy(proxied):
    origin, proxy = proxied
    browser_like = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    queue = deque(PREFIX + s for s in SEEDS)
    seen = set(queue)
    checked, bad, failed = 0, [], []
    while queue and checked < 260:
        path = queue.popleft()
        # the dumps are large: that they are there is enough (HEAD)
        method = "HEAD" if path.endswith(".gz") else "GET"
        status, headers, body = fetch(origin, path, method, {} if "/api/" in path else browser_like)
        checked += 1
        expected = (
            status in (200, 303)
            or (status == 404 and "tokio" in path)
            # a saved query with required parameters, linked without them: it answered
            or (status == 422 and path.startswith(PREFIX + "/api/queries/"))
        )
        if not expected:
            failed.append((path, status))
            continue
        for link in links_in(headers, body):
            if not ours(link):
                continue
            target = link.split("#", 1)[0]
            if not target.startswith(PREFIX + "/"):
                bad.append((path, link))
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    assert not bad, bad[:20]
    assert not failed, failed[:20]
    assert checked >= 100  # the crawl reached entity pages, documents and data
    # entity pages of several kinds were reached and checked
    assert {"city", "network", "document"} <= {p.split("/")[3] for p in seen if "/page/" in p}
    # the proxy saw only prefixed paths: the server never sent a client outside /lcc/
    assert all(p.startswith(PREFIX + "/") for p in proxy.paths)


def test_redirects_and_link_headers_carry_the_prefix(proxied):
    origin, _ = proxied
    status, headers, _ = fetch(origin, PREFIX + "/id/city/tokyo", headers={"Accept": "text/turtle"})
    assert status == 303 and headers["location"] == PREFIX + "/data/city/tokyo.ttl"
    assert f"<{PREFIX}/page/city/tokyo>" in headers["link"]
    status, headers, body = fetch(origin, headers["location"])
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")  # IRIs stay IRIs, not paths
    assert rdflib.URIRef("https://w3id.org/lcc/id/city/tokyo") in set(graph.subjects())
    status, headers, body = fetch(origin, PREFIX + "/api/queries")
    assert all(q["url"].startswith(PREFIX + "/api/queries/") for q in json.loads(body)["queries"])
    # the SPARQL endpoint answers under the prefix, through its shortcut
    status, _, body = fetch(origin, PREFIX + "/sparql?query=ASK%7B%7D", headers={"Accept": "*/*"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_the_query_page_runs_queries_under_the_prefix_in_a_browser(proxied):
    from test_browser import css, css_all, new_driver, visible, wait

    origin, _ = proxied
    browser = new_driver()
    try:
        browser.get(origin + PREFIX + "/query")
        css(browser, "#sparql-form button[type=submit]").click()
        wait(browser, visible("#results tbody tr"))
        link = css_all(browser, "#results tbody a")[0]
        assert urlsplit(link.get_attribute("href")).path.startswith(PREFIX + "/page/")
        assert urlsplit(css(browser, "#dl-csv").get_attribute("href")).path == PREFIX + "/sparql"
        link.click()
        wait(browser, lambda b: urlsplit(b.current_url).path.startswith(PREFIX + "/page/"))
        assert css(browser, "h1").text
        # a saved query's form: the script builds its URL under the prefix too
        browser.get(origin + PREFIX + "/query#saved-search")
        field = wait(browser, visible("#p-search-text"))
        field.clear()
        field.send_keys("Kwangju")
        css(browser, "#saved-search button[type=submit]").click()
        wait(browser, visible("#results tbody tr"))
        assert "city/gwangju" in css(browser, "#results").text
        # the API docs load their scripts and the OpenAPI schema under the prefix
        browser.get(origin + PREFIX + "/docs")
        wait(browser, visible(".swagger-ui .info .title"))
    finally:
        browser.quit()
        shutil.rmtree(browser._lcgraph_profile, ignore_errors=True)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["serve", "--path-prefix", "lcc"], {}, "path prefix starts with"),
        (["serve", "--path-prefix", "/a/../b"], {}, "path prefix starts with"),
        (["stats"], {"LCGRAPH_PATH_PREFIX": "/lcc?x"}, "LCGRAPH_PATH_PREFIX"),
        (["stats"], {"LCGRAPH_MAX_ROWS": "many"}, "LCGRAPH_MAX_ROWS must be an integer"),
    ],
)
def test_a_bad_prefix_or_setting_is_a_clear_error(args, env, message):
    run = subprocess.run(
        [sys.executable, "-m", "lcgraph", *args],
        env=_env(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
