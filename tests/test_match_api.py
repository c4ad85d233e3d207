"""``GET /api/match/{slug}`` on a minimal FastAPI app holding the seed store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from match_support import assert_facts_in_store, fact_from_dict, fixture_store, iri

from lcgraph.config import Settings
from lcgraph.store import build
from lcgraph.web.api_match import router


@pytest.fixture
def app():
    settings = Settings.from_env()
    store, _ = build(settings, in_memory=True)
    app = FastAPI()
    app.include_router(router)
    app.state.settings = settings
    app.state.store = store
    return app


@pytest.fixture
def client(app):
    return TestClient(app)


def test_match_json(client, app):
    response = client.get("/api/match/kuala-lumpur", params={"top": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["query"]["iri"] == iri("city", "kuala-lumpur")
    assert data["mode"] == "peers"
    tokyo = next(c for c in data["candidates"] if c["label"] == "Tokyo")
    assert tokyo["already_collaborating"] is True
    for c in data["candidates"]:
        for r in c["reasons"]:
            assert_facts_in_store(app.state.store, [fact_from_dict(f) for f in r["facts"]])


def test_same_options_as_the_cli(client):
    response = client.get(
        "/api/match/Kwangju",
        params={"mode": "supporters", "country": "KR", "w_novelty": 0, "w_topics": 2},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["query"]["label"] == "Gwangju"
    assert data["country"] == "KR"
    assert data["weights"]["topics"] == 2.0 and data["weights"]["novelty"] == 0.0


def test_unknown_city_is_404_with_suggestions(client):
    response = client.get("/api/match/Kwangu")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404
    assert body["message"].startswith("unknown city or actor 'Kwangu'")
    assert body["suggestions"][0] == {
        "label": "Gwangju",
        "iri": iri("city", "gwangju"),
        "kind": "city",
        "url": "/match?city=Gwangju",
    }


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"w_topics": -1}, 422),
        ({"w_topics": "much"}, 422),
        ({"mode": "friends"}, 422),
        ({"top": 0}, 422),
        ({"country": "JPN"}, 422),
        ({"country": "ZZ"}, 400),
        ({"w_foo": 1}, 400),
        ({"w_topic": 2}, 400),
        ({"w_topics": 0, "w_complementarity": 0, "w_profile": 0, "w_proximity": 0}, 400),
    ],
)
def test_bad_parameters(client, params, status):
    response = client.get("/api/match/tokyo", params=params)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


def test_catalog_is_cached_per_generation(client, app):
    def jeju_flag():
        data = client.get("/api/match/gwangju", params={"top": 50}).json()
        return next(c for c in data["candidates"] if c["label"] == "Jeju")["already_collaborating"]

    assert jeju_flag() is False
    contrib = ox.NamedNode(app.state.settings.graph_iri("contrib"))
    collab = ox.NamedNode(iri("collaboration", "gwangju-jeju"))
    partner = ox.NamedNode("https://w3id.org/lcc/ontology#partner")
    for city in ("gwangju", "jeju"):
        app.state.store.add(ox.Quad(collab, partner, ox.NamedNode(iri("city", city)), contrib))
    assert jeju_flag() is False  # same generation: the cached catalog answers
    app.state.generation = 1
    assert jeju_flag() is True  # a new generation: rebuilt from the store


def test_city_with_no_data_is_an_explained_empty_list():
    app = FastAPI()
    app.include_router(router)
    app.state.settings = Settings.from_env()
    app.state.store = fixture_store("small.trig")
    response = TestClient(app).get("/api/match/empty-city")
    assert response.status_code == 200
    data = response.json()
    assert data["candidates"] == []
    assert data["note"].startswith("Empty City has no facts that matching uses")
