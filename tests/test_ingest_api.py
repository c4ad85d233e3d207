"""POST /api/ingest and the change-log routes, through FastAPI's TestClient."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import PREFIXES, TOKEN, digest, fixture_settings

from lcgraph.store import build
from lcgraph.web.app import create_app

AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
ALIAS = (PREFIXES + 'city:tokyo skos:altLabel "Tokio"@en .\n').encode()


def make_client(tmp_path, **overrides):
    settings = fixture_settings(tmp_path, **overrides)
    store, _ = build(settings)
    del store
    app = create_app(settings)
    return TestClient(app), app


@pytest.fixture
def api(tmp_path):
    client, app = make_client(tmp_path, ingest_token=TOKEN)
    with client:
        yield client, app


def test_no_token_configured_means_writes_are_disabled(tmp_path):
    client, app = make_client(tmp_path)
    with client:  # the app opens its store on startup
        before = digest(app.state.store)
        response = client.post("/api/ingest", content=ALIAS, headers={**AUTH, **TURTLE})
        assert response.status_code == 403
        assert "writes are disabled" in response.json()["error"]
        assert client.get("/api/changes").status_code == 200  # reading the log stays public
        assert digest(app.state.store) == before


def test_missing_token_is_401_with_a_challenge(api):
    client, app = api
    before = digest(app.state.store)
    response = client.post("/api/ingest", content=ALIAS, headers=TURTLE)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "bearer token is required" in response.json()["error"]
    basic = client.post(
        "/api/ingest", content=ALIAS, headers={**TURTLE, "Authorization": "Basic eDp5"}
    )
    assert basic.status_code == 401
    assert digest(app.state.store) == before


def test_wrong_token_is_403(api):
    client, app = api
    before = digest(app.state.store)
    for token in ("wrong", TOKEN + "x", TOKEN[:-1]):
        response = client.post(
            "/api/ingest", content=ALIAS, headers={**TURTLE, "Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 403
        assert response.json() == {"error": "the token is not valid"}
    revert = client.post("/api/changes/whatever/revert", headers={"Authorization": "Bearer wrong"})
    assert revert.status_code == 403
    assert digest(app.state.store) == before


def test_right_token_commits_and_tells_the_server(api):
    client, app = api
    generation = app.state.generation
    response = client.post(
        "/api/ingest?author=alice&message=spelling", content=ALIAS, headers={**AUTH, **TURTLE}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["committed"] and body["change_id"].startswith("change-")
    assert app.state.generation == generation + 1  # the server was told: new snapshot
    log = client.get("/api/changes").json()
    assert [(c["id"], c["author"], c["message"]) for c in log] == [
        (body["change_id"].removeprefix("change-"), "alice (api)", "spelling")
    ]
    detail = client.get(f"/api/changes/{body['change_id']}").json()
    assert any('"Tokio"@en' in t for t in detail["added_triples"])


def test_rejection_is_422_with_the_shacl_report(api):
    client, app = api
    generation = app.state.generation
    before = digest(app.state.store)
    bad = (PREFIXES + "city:tokyo lcc:country country:atlantis .\n").encode()
    response = client.post("/api/ingest", content=bad, headers={**AUTH, **TURTLE})
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("rejected") and body["conforms"] is False
    assert any(
        v["focus"].endswith("/city/tokyo") and v["path"] and v["message"]
        for v in body["violations"]
    )
    assert app.state.generation == generation
    assert digest(app.state.store) == before


def test_csv_with_kind_and_dry_run(api):
    client, app = api
    before = digest(app.state.store)
    data = "name,country,no_geonames_reason\nPenang,MY,test\n"
    dry = client.post(
        "/api/ingest?kind=cities&dry_run=true",
        content=data,
        headers={**AUTH, "Content-Type": "text/csv"},
    )
    assert dry.status_code == 200 and dry.json()["dry_run"] and dry.json()["conforms"]
    assert digest(app.state.store) == before
    no_kind = client.post("/api/ingest", content=data, headers={**AUTH, "Content-Type": "text/csv"})
    assert no_kind.status_code == 400 and "template kind" in no_kind.json()["error"]
    named = client.post("/api/ingest?filename=cities.csv", content=data, headers=AUTH)
    assert named.status_code == 201, named.text
    assert named.json()["new_entities"][0]["iri"].endswith("/city/penang")


def test_json_change_set_and_revert_over_http(api):
    client, _ = api
    first = client.post("/api/ingest", content=ALIAS, headers={**AUTH, **TURTLE}).json()
    body = {
        "remove": '<https://w3id.org/lcc/id/city/tokyo> <http://www.w3.org/2004/02/skos/core#altLabel> "Tokio"@en .'
    }
    removed = client.post(
        "/api/ingest",
        content=json.dumps(body),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert removed.status_code == 201 and len(removed.json()["removed"]) == 1
    undo = client.post(f"/api/changes/{removed.json()['change_id']}/revert", headers=AUTH)
    assert undo.status_code == 201 and len(undo.json()["added"]) == 1
    assert [c["reverted_by"] for c in client.get("/api/changes").json()][1] == [
        undo.json()["change_id"].removeprefix("change-")
    ]
    assert client.post("/api/changes/change-nope/revert", headers=AUTH).status_code == 404
    assert first["committed"]


def test_body_size_is_limited(tmp_path):
    client, app = make_client(tmp_path, ingest_token=TOKEN, max_ingest_bytes=200)
    with client:
        before = digest(app.state.store)
        big = ALIAS + b"#" * 300
        declared = client.post("/api/ingest", content=big, headers={**AUTH, **TURTLE})
        assert declared.status_code == 413 and "larger than 200 bytes" in declared.json()["error"]

        def chunks():  # no Content-Length: the limit must hold while streaming
            for _ in range(10):
                yield b"#" * 50

        streamed = client.post("/api/ingest", content=chunks(), headers={**AUTH, **TURTLE})
        assert streamed.status_code == 413
        assert digest(app.state.store) == before


@pytest.mark.parametrize(
    ("content_type", "body", "status", "message"),
    [
        ("application/xml", b"<x/>", 415, "unsupported media type"),
        ("text/plain", b"<a> <b> <c> .", 415, "cannot tell the format of a text/plain"),
        ("text/turtle", b"<a> <b> <c> .", 400, "cannot parse turtle"),
        ("application/json", b"{not json", 400, "not valid JSON"),
        ("application/json", b'{"add": 5}', 400, '"add" must be a string'),
        (
            "application/ld+json",
            b'{"@context": "https://schema.org/", "@id": "x"}',
            400,
            "cannot parse json-ld",
        ),
    ],
)
def test_bad_bodies_are_json_errors(api, content_type, body, status, message):
    client, app = api
    before = digest(app.state.store)
    response = client.post(
        "/api/ingest", content=body, headers={**AUTH, "Content-Type": content_type}
    )
    assert response.status_code == status
    assert message in response.json()["error"]
    assert digest(app.state.store) == before
