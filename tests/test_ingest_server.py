"""Durability and concurrency against a real `lcgraph serve` process (127.0.0.1, a free port).

The store is a pyoxigraph (RocksDB) directory that the tests reopen after the server is gone.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from ingest_helpers import (
    PREFIXES,
    TOKEN,
    Server,
    digest,
    fixture_settings,
    union_is_default_graph,
)

from lcgraph import changelog
from lcgraph.store import build, open_store

pytestmark = pytest.mark.server

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}


@pytest.fixture
def project(tmp_path):
    settings = fixture_settings(tmp_path)
    store, _ = build(settings)
    del store
    return settings


def alias(n: int) -> bytes:
    return (PREFIXES + f'city:tokyo skos:altLabel "Tokyo alias {n}"@en .\n').encode()


def reopen(settings):
    return open_store(settings, read_only=False)


def test_acknowledged_changes_survive_kill_9(project):
    settings = project
    server = Server(settings.root, settings.store_path)
    try:
        acked = []
        for n in range(3):
            response = httpx.post(
                f"{server.url}/api/ingest", content=alias(n), headers=AUTH, timeout=30
            )
            assert response.status_code == 201, response.text
            acked.append(response.json()["change_id"].removeprefix("change-"))
        server.kill9()  # right after the last 2xx
    finally:
        server.stop()
    store = reopen(settings)
    assert [c.id for c in changelog.list_changes(store, settings)] == acked
    assert changelog.verify(store, settings) == (set(), set())
    assert union_is_default_graph(store)
    del store
    with Server(settings.root, settings.store_path) as again:
        assert [c["id"] for c in httpx.get(f"{again.url}/api/changes", timeout=10).json()] == acked


def test_a_change_killed_before_its_commit_leaves_no_trace(project):
    settings = project
    store = reopen(settings)
    before = digest(store)
    del store
    server = Server(
        settings.root, settings.store_path, extra_env={"LCGRAPH_TEST_SLOW_VALIDATE": "5"}
    )
    outcome = {}

    def post():
        try:
            outcome["response"] = httpx.post(
                f"{server.url}/api/ingest", content=alias(1), headers=AUTH, timeout=30
            )
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    try:
        writer = threading.Thread(target=post)
        writer.start()
        time.sleep(1.5)  # the change is parsed and waits in validation
        server.kill9()
        writer.join(timeout=30)
    finally:
        server.stop()
    assert "error" in outcome and "response" not in outcome  # never acknowledged
    store = reopen(settings)
    assert digest(store) == before
    assert changelog.list_changes(store, settings) == []


def test_parallel_writers_never_interleave_and_the_log_matches(project):
    """Pairs of writers add two cities of one name in one country at the same moment: each
    alone conforms, together they are a duplicate. Serialised writes accept exactly one of each
    pair; writes that validated on a stale state would accept both."""
    settings = project
    pairs = 3
    bodies = []
    for k in range(pairs):
        for side in ("a", "b"):
            bodies.append(
                (
                    PREFIXES
                    + f'<https://w3id.org/lcc/id/city/dupville-{k}-{side}> a lcc:City ; rdfs:label "Dupville {k}"@en ;'
                    + ' lcc:country country:japan ; lcc:noGeonamesReason "test" .\n'
                ).encode()
            )
    results: list[httpx.Response | None] = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    with Server(settings.root, settings.store_path) as server:

        def post(i: int) -> None:
            start.wait()
            results[i] = httpx.post(
                f"{server.url}/api/ingest", content=bodies[i], headers=AUTH, timeout=60
            )

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        log = httpx.get(f"{server.url}/api/changes", timeout=10).json()
    statuses = [r.status_code for r in results]
    for k in range(pairs):
        assert sorted(statuses[2 * k : 2 * k + 2]) == [201, 422], [r.text[:300] for r in results]
    committed = sorted(
        r.json()["change_id"].removeprefix("change-") for r in results if r.status_code == 201
    )
    assert sorted(c["id"] for c in log) == committed
    store = reopen(settings)
    assert changelog.verify(store, settings) == (set(), set())
    assert union_is_default_graph(store)


def test_kill_9_in_a_burst_of_writers_leaves_whole_changes_only(project):
    settings = project
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = Server(settings.root, settings.store_path)

    def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            try:
                response = httpx.post(
                    f"{server.url}/api/ingest",
                    content=alias(1000 * w + n),
                    headers=AUTH,
                    timeout=30,
                )
            except httpx.HTTPError:
                return
            if response.status_code == 201:
                with lock:
                    acked.append(response.json()["change_id"].removeprefix("change-"))
            n += 1

    try:
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acked) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        server.stop()
    assert len(acked) >= 3
    store = reopen(settings)
    present = {c.id for c in changelog.list_changes(store, settings)}
    assert set(acked) <= present
    assert len(present - set(acked)) <= 1  # at most the one committed as the server died
    assert changelog.verify(store, settings) == (set(), set())  # no half change anywhere
    assert union_is_default_graph(store)


def test_an_ingested_change_is_visible_to_sparql_and_entity_pages_at_once(project):
    settings = project
    ask = {"query": 'ASK { <https://w3id.org/lcc/id/city/tokyo> ?p "Tokyo alias 7"@en }'}
    with Server(settings.root, settings.store_path) as server:
        assert httpx.get(f"{server.url}/sparql", params=ask, timeout=30).json()["boolean"] is False
        response = httpx.post(
            f"{server.url}/api/ingest", content=alias(7), headers=AUTH, timeout=30
        )
        assert response.status_code == 201, response.text
        # the query workers read a new snapshot once the write is acknowledged
        assert httpx.get(f"{server.url}/sparql", params=ask, timeout=30).json()["boolean"] is True
        page = httpx.get(f"{server.url}/page/city/tokyo", timeout=30).text
        assert "Tokyo alias 7" in page
        # and the public endpoint stays read-only
        update = httpx.post(
            f"{server.url}/sparql",
            content='INSERT DATA { <https://w3id.org/lcc/id/city/x> <http://a> "b" }',
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        )
        assert update.status_code in (403, 415)


def _warmed(url: str, generation: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = httpx.get(f"{url}/api/status", timeout=30).json()
        warm = status["warm_up"]
        done = [d["step"] for d in warm["done"]]
        if status["generation"] == generation and not warm["running"] and done == warm["steps"]:
            return status
        time.sleep(0.1)
    raise AssertionError(f"not warmed up for generation {generation}: {status}")


def test_the_server_warms_its_page_caches_after_start_and_after_each_change(project):
    settings = project
    with Server(settings.root, settings.store_path) as server:
        status = _warmed(server.url, 0)
        assert status["warm_up"]["enabled"] is True
        assert "peer-match catalogue" in status["warm_up"]["steps"]
        search = httpx.get(f"{server.url}/search", params={"q": "Tokyo alias 9"}, timeout=30)
        assert "/page/city/tokyo" not in search.text
        response = httpx.post(
            f"{server.url}/api/ingest", content=alias(9), headers=AUTH, timeout=30
        )
        assert response.status_code == 201, response.text
        _warmed(server.url, 1)
        # the warmed search index is the new generation's: the new alias finds the city
        search = httpx.get(f"{server.url}/search", params={"q": "Tokyo alias 9"}, timeout=30)
        assert "/page/city/tokyo" in search.text


def test_warm_up_can_be_turned_off(project):
    settings = project
    with Server(settings.root, settings.store_path, extra_env={"LCGRAPH_WARM_UP": "0"}) as server:
        time.sleep(0.5)
        warm = httpx.get(f"{server.url}/api/status", timeout=30).json()["warm_up"]
        assert warm["enabled"] is False and warm["done"] == [] and not warm["running"]
        # pages still compute what they need on demand
        assert httpx.get(f"{server.url}/network", timeout=60).status_code == 200
