"""The web UI's pages and the JSON APIs they use, through FastAPI's TestClient on the seed graph.

The browser tests (tests/test_browser.py) drive the same pages in Chromium; these check the
server side: what each page and API answers, and their errors.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from http import HTTPStatus

import pytest
from fastapi.testclient import TestClient

from lcgraph.config import Settings
from lcgraph.web.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    """A server whose answers hold at most 2 rows."""
    settings = Settings.from_env().with_(
        store_path=tmp_path_factory.mktemp("none") / "absent", workers=1, max_rows=2
    )
    with TestClient(create_app(settings, result_cache=False)) as c:
        yield c


# --- /api/queries ------------------------------------------------------------------------------


def test_catalogue_lists_saved_queries_with_typed_params(client):
    body = client.get("/api/queries").json()
    by_name = {q["name"]: q for q in body["queries"]}
    search = by_name["search"]
    assert search["url"] == "/api/queries/search" and "search" in search["tags"]
    params = {p["name"]: p for p in search["params"]}
    assert params["text"]["required"] is True and params["text"]["type"] == "xsd:string"
    assert "city" in params["kind"]["values"]


def test_saved_query_runs_with_a_parameter_as_rows(client):
    r = client.get("/api/queries/search", params={"text": "Kwangju"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "search" and body["truncated"] is False
    assert body["params"]["text"] == '"Kwangju"'
    assert {
        "entity": "https://w3id.org/lcc/id/city/gwangju",
        "label": "Gwangju",
        "entityKind": "city",
        "matched": "Kwangju",
    } in body["rows"]
    # bound as a VALUES term, never pasted into the text
    assert "VALUES" in body["sparql"] and "Kwangju" in body["sparql"]


def test_saved_query_answers_csv_by_format_and_sparql_json_by_accept(client):
    r = client.get("/api/queries/search", params={"text": "Kwangju", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["entity"] == "https://w3id.org/lcc/id/city/gwangju"
    r = client.get(
        "/api/queries/search",
        params={"text": "Kwangju"},
        headers={"Accept": "application/sparql-results+json"},
    )
    doc = r.json()
    assert doc["head"]["vars"][0] == "entity"
    assert doc["results"]["bindings"][0]["entity"]["type"] == "uri"


def test_typed_parameters_reach_the_query_as_numbers(client):
    r = client.get("/api/queries/targets-by-threshold", params={"min_pct": 40})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert rows and all(max(row["percent"] or 0, row["percentUpper"] or 0) >= 40 for row in rows), (
        rows
    )
    assert (
        client.get("/api/queries/targets-by-threshold", params={"min_pct": "lots"}).status_code
        == 422
    )


def test_unknown_query_is_404_with_suggestions(client):
    r = client.get("/api/queries/serch")
    assert r.status_code == 404
    assert r.json()["suggestions"] == ["search"]


def test_bad_values_are_client_errors_in_json(client):
    r = client.get("/api/queries/search", params={"text": "x", "kind": "planet"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "kind"]
    r = client.get("/api/queries/search")  # the required text is missing
    assert r.status_code == 422
    r = client.get("/api/queries/search", params={"text": "x", "format": "yaml"})
    assert r.status_code == 422
    body = r.json()
    assert body["status"] == 422 and body["error"] == HTTPStatus(422).phrase
    assert body["message"].startswith("format: ") and "'yaml'" in body["message"]


def test_bad_values_are_error_pages_for_browsers(client):
    r = client.get("/network", params={"top": "-1"}, headers={"Accept": "text/html"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert f"<h1>422 {HTTPStatus(422).phrase}</h1>" in r.text
    assert "top: Input should be greater than or equal to 1 (got &#39;-1&#39;)" in r.text
    assert r.headers["vary"] == "Accept"


def test_unknown_or_repeated_parameters_are_400_not_ignored(client):
    # a typo must not run the query unfiltered
    r = client.get("/api/queries/targets-by-threshold", params={"min_pc": 40})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    message = r.json()["message"]
    assert "'min_pc'" in message and "min_pct" in message, message
    r = client.get("/api/queries/targets-by-threshold?min_pct=40&min_pct=50")
    assert r.status_code == 400 and "'min_pct'" in r.json()["message"]
    r = client.get("/api/queries/search?text=x&format=csv&format=json")
    assert r.status_code == 400 and "once" in r.json()["message"]
    assert (
        client.get("/api/queries/targets-by-threshold", params={"min_pct": 40}).status_code == 200
    )


def test_each_saved_query_is_typed_in_the_openapi_schema(client):
    spec = client.get("/openapi.json").json()
    params = {
        p["name"]: p
        for p in spec["paths"]["/api/queries/targets-by-threshold"]["get"]["parameters"]
    }
    assert params["min_pct"]["schema"]["anyOf"][0]["type"] == "number"
    assert params["min_pct"]["schema"]["default"] == 30
    assert params["target_year"]["schema"]["anyOf"][0]["pattern"] == r"^[0-9]{4}$"
    search = {p["name"]: p for p in spec["paths"]["/api/queries/search"]["get"]["parameters"]}
    assert search["text"]["required"] is True
    assert "city" in search["kind"]["schema"]["anyOf"][0]["enum"]


def test_row_cap_is_reported_as_truncated(capped):
    r = capped.get("/api/queries/search", params={"text": "a"})
    assert r.status_code == 200
    assert r.json()["truncated"] is True and r.json()["count"] == 2
    assert r.headers["X-LCGraph-Truncated"] == "true"


# --- /api/analysis -----------------------------------------------------------------------------


def test_analysis_tables_as_json(client):
    cent = client.get("/api/analysis/centrality", params={"graph": "actors"}).json()
    assert cent["columns"][:2] == ["iri", "label"] and "betweenness" in cent["columns"]
    iris = {row["iri"] for row in cent["rows"]}
    assert "https://w3id.org/lcc/id/city/tokyo" in iris
    brok = client.get("/api/analysis/brokerage", params={"group": "network", "top": 3}).json()
    assert len(brok["rows"]) == 3 and "gatekeeper" in brok["columns"]
    assert all(row["group"] is not None for row in brok["rows"])
    holes = client.get("/api/analysis/constraint").json()
    assert "constraint" in holes["columns"]
    assert client.get("/api/analysis/centrality", params={"graph": "nope"}).status_code == 422


def test_analysis_figure_svg_and_png(client):
    svg = client.get("/api/analysis/figure.svg", params={"graph": "collaboration"})
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    png = client.get("/api/analysis/figure.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"


def test_analysis_is_cached_per_generation(client):
    state = client.app.state
    client.get("/api/analysis/constraint")
    keys = [k for k in state.cache if k[0][0] == "analysis-table"]
    assert keys and all(k[1] == state.generation for k in keys)
    state.on_store_change()
    assert not [k for k in state.cache if k[0][0] == "analysis-table"]
    assert client.get("/api/analysis/constraint").status_code == 200


# --- pages -------------------------------------------------------------------------------------


def test_home_shows_counts_sources_and_search(client):
    html = client.get("/", headers=HTML).text
    assert '<html lang="en">' in html and 'role="search"' in html
    assert re.search(r'href="/ontology#City">City</a></td><td class="num">\d+', html)
    assert "kl-tokyo-collaboration" in html
    # the statements of the named graphs, each counted once (not the default-graph union too)
    state = client.app.state
    named = sum(
        int(r["n"].value)
        for r in state.store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    )
    assert f"<strong>{named}</strong> statements" in html
    for link in ('href="/ontology"', 'href="/download/"', 'href="/.well-known/void"'):
        assert link in html


def test_search_finds_a_city_by_alias_and_filters_by_kind(client):
    html = client.get("/search", params={"q": "kwangju"}).text
    assert 'href="/page/city/gwangju">Gwangju</a>' in html and "Kwangju" in html
    only_networks = client.get("/search", params={"q": "kwangju", "kind": "network"}).text
    assert "/page/city/gwangju" not in only_networks and "0 results" in only_networks
    tokyo = client.get("/search", params={"q": "tokyo", "kind": "city"}).text
    assert 'href="/page/city/tokyo"' in tokyo


def test_entity_page_shows_targets_map_aliases_and_quotes(client):
    html = client.get("/page/city/tokyo").text
    assert "Tokyo: reduction" in html and "greenhouse gas emissions by 50% by 2030." in html
    assert (
        '<table class="targets">' in html and 'href="/page/target/tokyo-ghg-halving-2030"' in html
    )
    assert 'role="img"' in html and 'class="here"' in html  # the offline map
    assert "Tokyo Metropolitan Government" in html  # the alias
    # the quote supporting the statements, under its source document
    assert "highly regarded worldwide" in html
    # every statement's source badge leads to that source with its quotes on the page
    assert '<a href="#src-kl-tokyo-collaboration"' in html
    assert '<li id="src-kl-tokyo-collaboration">' in html
    gwangju = client.get("/page/city/gwangju").text
    assert "Kwangju" in gwangju


def test_query_page_has_editor_catalogue_and_forms(client):
    html = client.get("/query").text
    assert '<textarea id="query"' in html and "/static/highlight.js" in html
    assert 'data-name="search"' in html
    assert '<label for="p-search-text">text (required)' in html
    assert 'id="p-targets-by-threshold-min_pct" name="min_pct" type="number"' in html
    assert "cdn" not in html.lower()


def test_static_assets_are_served_locally(client):
    for name in ("highlight.js", "query.js", "table.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_match_page_ranks_candidates_with_reasons_and_sources(client):
    html = client.get("/match", params={"city": "tokyo", "w_topics": "2"}).text
    assert '<option value="tokyo" selected>Tokyo</option>' in html
    assert 'class="candidate"' in html and 'class="reason"' in html
    assert 'href="/page/city/kuala-lumpur"' in html
    assert 'href="/page/document/kl-tokyo-collaboration"' in html
    assert 'id="w_topics" name="w_topics" min="0" max="5" step="0.5" value="2.0"' in html


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"w_topics": "lots"}, "the weight of 'topics' must be a number, not 'lots'"),
        ({"w_novelty": "-1"}, "must be a number from 0 to 1000"),
        (
            {"w_topics": "0", "w_complementarity": "0", "w_profile": "0", "w_proximity": "0"},
            "at least one must be above 0",
        ),
    ],
)
def test_match_page_says_what_is_wrong_with_the_weights(client, params, says):
    r = client.get("/match", params={"city": "tokyo", **params})
    assert r.status_code == 400 and 'role="alert"' in r.text
    assert says in unescape(r.text) and 'class="candidate"' not in r.text


def test_match_page_unknown_city_suggests(client):
    r = client.get("/match", params={"city": "tokio"})
    assert r.status_code == 404 and 'role="alert"' in r.text and "Tokyo" in r.text


def test_network_page_has_figure_and_tables(client):
    html = client.get("/network", params={"group": "network"}).text
    assert 'src="/api/analysis/figure.svg?graph=actors&amp;group=network"' in html
    assert '<table id="centrality"' in html and '<table id="brokerage"' in html
    assert "Brokerage by network" in html
    assert client.get("/network", params={"graph": "collaboration"}).status_code == 200


def test_navigation_links_to_every_page(client):
    html = client.get("/").text
    for path in ("/search", "/query", "/match", "/network", "/ontology", "/download/"):
        assert f'href="{path}"' in html


def test_figure_of_a_large_graph_draws_the_most_central_nodes(client, monkeypatch):
    from lcgraph.analysis import plots
    from lcgraph.web import api_analysis

    drawn = {}

    def record(G, path, **kwargs):
        drawn["nodes"], drawn["title"] = len(G), kwargs["title"]
        path.write_bytes(b"<svg/>")
        return path

    monkeypatch.setattr(api_analysis, "FIGURE_MAX_NODES", 5)
    monkeypatch.setattr(plots, "plot_network", record)
    client.app.state.on_store_change()  # a new generation: nothing cached
    r = client.get("/api/analysis/figure.svg", params={"graph": "membership"})
    assert r.status_code == 200 and drawn["nodes"] == 5
    assert "the 5 most central of" in drawn["title"]


def test_match_page_asks_for_a_name_when_there_are_many_cities(client, monkeypatch):
    from lcgraph.web import ui

    monkeypatch.setattr(ui, "MAX_CITY_OPTIONS", 1)
    html = client.get("/match", params={"city": "Kwangju"}).text
    assert '<input id="city" name="city" type="search" value="Kwangju" required>' in html
    assert "Candidates for Gwangju" in html


def test_map_draws_one_dot_per_pixel_however_many_places():
    import random

    from lcgraph.web.facts import map_frame

    rng = random.Random(0)
    places = [(rng.uniform(-60, 70), rng.uniform(-170, 170)) for _ in range(50_000)]
    frame = map_frame((35.7, 139.7), places)
    pixels = {(round(x), round(y)) for x, y in frame["others"]}
    assert len(pixels) == len(frame["others"]) <= frame["width"] * frame["height"]
    assert len(frame["others"]) > 1_000  # still shows where the places are
    assert map_frame((35.7, 139.7), [(3.1, 101.7)])["others"] != []
