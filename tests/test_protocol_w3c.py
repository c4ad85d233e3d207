"""The W3C SPARQL 1.1 Protocol tests, against a real `lcgraph serve` process.

Ported from w3c/rdf-tests, ``sparql/sparql11/protocol/manifest.ttl``: each case keeps the
manifest's name, request (method, path with ``/sparql/``, headers, body) and expected status
class. The server is read-only by design, so the ``update_*`` cases, which expect 2xx from an
update service, are ported as "refused with 403, and the data unchanged"; every ``bad_*`` case
expects 4xx as in the manifest.
"""

from __future__ import annotations

import gc
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

from tests.lcserver import ROOT, running_server

pytestmark = pytest.mark.server

D = "http://kasei.us/2009/09/sparql/data/"
FIXTURE = ROOT / "tests" / "fixtures" / "w3c-protocol.trig"


def q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    store.load(path=FIXTURE, format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    gc.collect()
    with (
        running_server("--store", str(path), "--workers", "1") as (url, _proc, _lines),
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


ASK_DG = f"ASK {{ <{D}data1.rdf> a ?type . <{D}data2.rdf> a ?type . }}"
ASK_NG = f"ASK {{ GRAPH ?g1 {{ <{D}data1.rdf> a ?type }} GRAPH ?g2 {{ <{D}data2.rdf> a ?type }} }}"
ASK_FULL = f"ASK {{\n  <{D}data3.rdf> a ?type\n  GRAPH ?g1 {{ <{D}data1.rdf> a ?type }}\n  GRAPH ?g2 {{ <{D}data2.rdf> a ?type }}\n}}"
ASK_MULTI = f"ASK FROM <{D}data3.rdf> {{ GRAPH ?g1 {{ <{D}data1.rdf> a ?type }} GRAPH ?g2 {{ <{D}data2.rdf> a ?type }} }}"
FORM = {"content-type": "application/x-www-form-urlencoded"}
DIRECT = {"content-type": "application/sparql-query"}
UPDATE = {"content-type": "application/sparql-update"}
DG0 = f"default-graph-uri={q(D + 'data0.rdf')}"

#: name, method, path, headers, body, expected status class, expected boolean (or None)
CASES = [
    ("query_post_form", "POST", f"/sparql/?{DG0}", FORM, "query=ASK%20%7B%7D", 2, True),
    (
        "query_dataset_default_graphs_get",
        "GET",
        f"/sparql/?query={q(ASK_DG)}&default-graph-uri={q(D + 'data1.rdf')}&default-graph-uri={q(D + 'data2.rdf')}",
        {},
        None,
        2,
        True,
    ),
    (
        "query_dataset_default_graphs_post",
        "POST",
        f"/sparql/?default-graph-uri={q(D + 'data1.rdf')}&default-graph-uri={q(D + 'data2.rdf')}",
        DIRECT,
        ASK_DG,
        2,
        True,
    ),
    (
        "query_dataset_named_graphs_post",
        "POST",
        f"/sparql/?named-graph-uri={q(D + 'data1.rdf')}&named-graph-uri={q(D + 'data2.rdf')}",
        DIRECT,
        ASK_NG,
        2,
        True,
    ),
    (
        "query_dataset_named_graphs_get",
        "GET",
        f"/sparql/?query={q(ASK_NG)}&named-graph-uri={q(D + 'data1.rdf')}&named-graph-uri={q(D + 'data2.rdf')}",
        {},
        None,
        2,
        True,
    ),
    (
        "query_dataset_full",
        "POST",
        f"/sparql/?default-graph-uri={q(D + 'data3.rdf')}&named-graph-uri={q(D + 'data1.rdf')}&named-graph-uri={q(D + 'data2.rdf')}",
        DIRECT,
        ASK_FULL,
        2,
        True,
    ),
    # the manifest's path encodes the second parameter inside the first (%26 ... %3D), as written
    (
        "query_multiple_dataset",
        "POST",
        f"/sparql/?named-graph-uri={q(D + 'data1.rdf')}&named-graph-uri={q(D + 'data2.rdf')}",
        DIRECT,
        ASK_MULTI,
        2,
        True,
    ),
    ("query_get", "GET", f"/sparql/?query=ASK%20%7B%7D&{DG0}", {}, None, 2, True),
    (
        "query_content_type_select",
        "POST",
        f"/sparql/?{DG0}",
        DIRECT,
        "SELECT (1 AS ?value) {}",
        2,
        None,
    ),
    ("query_content_type_ask", "POST", f"/sparql/?{DG0}", DIRECT, "ASK {}", 2, None),
    (
        "query_content_type_describe",
        "POST",
        f"/sparql/?{DG0}",
        DIRECT,
        "DESCRIBE <http://example.org/>",
        2,
        None,
    ),
    (
        "query_content_type_construct",
        "POST",
        f"/sparql/?{DG0}",
        DIRECT,
        "CONSTRUCT { <s> <p> 1 } WHERE {}",
        2,
        None,
    ),
    ("query_post_direct", "POST", "/sparql/", DIRECT, "ASK {}", 2, True),
    ("bad_query_method", "PUT", f"/sparql/?query=ASK%20%7B%7D&{DG0}", FORM, "", 4, None),
    (
        "bad_multiple_queries",
        "GET",
        "/sparql/?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D",
        {},
        None,
        4,
        None,
    ),
    (
        "bad_query_wrong_media_type",
        "POST",
        "/sparql/",
        {"content-type": "text/plain"},
        "ASK {}",
        4,
        None,
    ),
    ("bad_query_missing_form_type", "POST", "/sparql/", {}, "query=ASK%20%7B%7D", 4, None),
    ("bad_query_missing_direct_type", "POST", "/sparql/", {}, "ASK {}", 4, None),
    (
        "bad_query_non_utf8",
        "POST",
        "/sparql/",
        {"content-type": "application/sparql-query; charset=UTF-16"},
        "ASK {}".encode("utf-16"),
        4,
        None,
    ),
    ("bad_query_syntax", "GET", "/sparql/?query=ASK%20%7B", {}, None, 4, None),
    ("bad_update_get", "GET", "/sparql/?update=CLEAR%20ALL", {}, None, 4, None),
    (
        "bad_multiple_updates",
        "POST",
        "/sparql/",
        FORM,
        "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        4,
        None,
    ),
    (
        "bad_update_wrong_media_type",
        "POST",
        "/sparql/",
        {"content-type": "text/plain"},
        "CLEAR NAMED",
        4,
        None,
    ),
    ("bad_update_missing_form_type", "POST", "/sparql/", {}, "update=CLEAR%20NAMED", 4, None),
    (
        "bad_update_non_utf8",
        "POST",
        "/sparql/",
        {"content-type": "application/sparql-update; charset=UTF-16"},
        "CLEAR NAMED".encode("utf-16"),
        4,
        None,
    ),
    ("bad_update_syntax", "POST", "/sparql/", UPDATE, "CLEAR XYZ", 4, None),
    (
        "bad_update_dataset_conflict",
        "POST",
        f"/sparql/?using-graph-uri={q(D + 'data1.rdf')}",
        UPDATE,
        "WITH <http://example.org/> CLEAR ALL",
        4,
        None,
    ),
    # read-only by design: the update cases are refused, and change nothing (checked below)
    (
        "update_dataset_default_graph",
        "POST",
        f"/sparql/?using-graph-uri={q(D + 'data1.rdf')}",
        UPDATE,
        "CLEAR ALL",
        4,
        None,
    ),
    (
        "update_dataset_default_graphs",
        "POST",
        f"/sparql/?using-graph-uri={q(D + 'data1.rdf')}&using-graph-uri={q(D + 'data2.rdf')}",
        UPDATE,
        "CLEAR ALL",
        4,
        None,
    ),
    (
        "update_dataset_named_graphs",
        "POST",
        f"/sparql/?using-named-graph-uri={q(D + 'data1.rdf')}",
        UPDATE,
        "CLEAR ALL",
        4,
        None,
    ),
    (
        "update_dataset_full",
        "POST",
        f"/sparql/?using-graph-uri={q(D + 'data1.rdf')}",
        UPDATE,
        "CLEAR ALL",
        4,
        None,
    ),
    ("update_post_form", "POST", "/sparql/", FORM, "update=CLEAR%20ALL", 4, None),
    ("update_post_direct", "POST", "/sparql/", UPDATE, "CLEAR ALL", 4, None),
    (
        "update_base_uri",
        "POST",
        "/sparql/",
        UPDATE,
        "CLEAR GRAPH <http://example.org/protocol-base-test/>",
        4,
        None,
    ),
]

RESULT_TYPES = {
    "query_content_type_select": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "query_content_type_ask": {"application/sparql-results+json", "application/sparql-results+xml"},
    "query_content_type_describe": {
        "text/turtle",
        "application/rdf+xml",
        "application/n-triples",
        "application/ld+json",
    },
    "query_content_type_construct": {
        "text/turtle",
        "application/rdf+xml",
        "application/n-triples",
        "application/ld+json",
    },
}


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "status", "boolean"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_w3c_protocol(w3c_server, name, method, path, headers, body, status, boolean):
    content = body.encode() if isinstance(body, str) else body
    r = w3c_server.request(method, path, headers=headers, content=content)
    assert r.status_code // 100 == status, (name, r.status_code, r.text)
    if name.startswith("update_"):
        assert r.status_code == 403
    if boolean is not None:
        assert r.json()["boolean"] is boolean
    if name in RESULT_TYPES:
        assert r.headers["content-type"].split(";")[0] in RESULT_TYPES[name]


def test_refused_updates_changed_nothing(w3c_server):
    for name, method, path, headers, body, _status, _b in CASES:
        if "update" in name:
            w3c_server.request(
                method,
                path,
                headers=headers,
                content=body.encode() if isinstance(body, str) else body,
            )
    r = w3c_server.get(
        "/sparql/", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}
    )
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "4"
