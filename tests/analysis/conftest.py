"""Fixtures for the analysis tests: the seed graph in a store and its query tables."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lcgraph.config import Settings
from lcgraph.store import build


@pytest.fixture(scope="session")
def analysis_settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def seed_store(analysis_settings):
    """The knowledge graph of data/ in an in-memory store (built once per session)."""
    store, _ = build(analysis_settings, in_memory=True)
    return store


@pytest.fixture(scope="session")
def seed_tables(seed_store, analysis_settings):
    from lcgraph.analysis.graphs import fetch_tables

    return fetch_tables(seed_store, analysis_settings)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory, analysis_settings):
    """A real `oxigraph serve` on 127.0.0.1 holding the ontology and data/: its query URL."""
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "the `oxigraph` server binary is missing: pip install -e '.[test]'"
    location = tmp_path_factory.mktemp("oxigraph")
    files = [str(p) for p in sorted(analysis_settings.data_dir.glob("*.trig"))]
    subprocess.run(
        [str(binary), "load", "--location", str(location), "--file", *files],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
