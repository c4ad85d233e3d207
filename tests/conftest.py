"""Shared fixtures: the seed graph in a store, a store on disk, a real Oxigraph server."""

from __future__ import annotations

import subprocess

import pyoxigraph as ox
import pytest
from support import free_port, oxigraph_binary, push, stop, wait_http

from lcgraph.config import Settings
from lcgraph.store import build


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def seed_store(settings) -> ox.Store:
    """The whole knowledge graph in an in-memory store (built once per test session)."""
    store, _ = build(settings, in_memory=True)
    return store


@pytest.fixture(scope="session")
def disk_store(settings, tmp_path_factory) -> Settings:
    """Settings pointing at a store built on disk in a temporary folder."""
    path = tmp_path_factory.mktemp("store") / "store"
    local = settings.with_(store_path=path)
    build(local)
    return local


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real, empty `oxigraph serve` on 127.0.0.1 and a free port; yields its base URL."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/query?query=ASK%7B%7D", proc=proc)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def loaded_server(oxigraph_server, disk_store) -> str:
    """The Oxigraph server with the graph pushed into it through `lcgraph push`."""
    result = push(disk_store.store_path, f"{oxigraph_server}/query")
    assert result.returncode == 0, result.stderr
    assert "pushed" in result.stdout
    return oxigraph_server


# --- analysis -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def analysis_settings(settings) -> Settings:
    return settings


@pytest.fixture(scope="session")
def seed_tables(seed_store, settings):
    from lcgraph.analysis.graphs import fetch_tables

    return fetch_tables(seed_store, settings)


@pytest.fixture(scope="session")
def oxigraph_endpoint(loaded_server) -> str:
    """A real `oxigraph serve` on 127.0.0.1 loaded with `lcgraph push`: its query URL."""
    return f"{loaded_server}/query"


ECHO = """#+ summary: echo a string and an IRI parameter
#+ params:
#+   - name: text
#+     type: xsd:string
#+     required: true
#+   - name: entity
#+     type: iri
#+     class: lcc:City
#+ example: lcgraph query echo --param text=x
SELECT ?text ?entity (STRLEN(?text) AS ?length) WHERE {
}
"""


@pytest.fixture(scope="session")
def echo(tmp_path_factory):
    """A saved query that returns its string and IRI parameters as they were bound."""
    from lcgraph.queries import get_query

    path = tmp_path_factory.mktemp("queries") / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    return get_query(path)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A TestClient of the app on the seed graph built in memory (no store on disk)."""
    from fastapi.testclient import TestClient

    from lcgraph.web.app import create_app

    settings = Settings.from_env().with_(
        store_path=tmp_path_factory.mktemp("none") / "absent", workers=1
    )
    with TestClient(create_app(settings)) as c:
        yield c
