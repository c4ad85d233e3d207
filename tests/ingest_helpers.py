"""Shared helpers of the ingest tests: a small project root, store digests, a server process."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from lcgraph.config import Settings
from lcgraph.store import build

REPO = Path(__file__).resolve().parent.parent
FIXTURE_DATA = REPO / "tests" / "fixtures" / "ingest" / "data"
TOKEN = "test-token-4f1c"  # a test value, not a credential: each test server gets it in its env

PREFIXES = """@prefix city: <https://w3id.org/lcc/id/city/> .
@prefix country: <https://w3id.org/lcc/id/country/> .
@prefix document: <https://w3id.org/lcc/id/document/> .
@prefix network: <https://w3id.org/lcc/id/network/> .
@prefix target: <https://w3id.org/lcc/id/target/> .
@prefix graph: <https://w3id.org/lcc/graph/> .
@prefix lcc: <https://w3id.org/lcc/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def fixture_root(tmp_path: Path) -> Path:
    """A project root with the real ontology and shapes and the small fixture data."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "ontology").symlink_to(REPO / "ontology")
    (root / "shapes").symlink_to(REPO / "shapes")
    (root / "queries").symlink_to(REPO / "queries")
    (root / "data").symlink_to(FIXTURE_DATA)
    return root


def fixture_settings(tmp_path: Path, **overrides) -> Settings:
    return Settings(root=fixture_root(tmp_path), store_path=tmp_path / "store").with_(**overrides)


def fixture_store(tmp_path: Path, in_memory: bool = True, **overrides) -> tuple[ox.Store, Settings]:
    settings = fixture_settings(tmp_path, **overrides)
    store, _ = build(settings, in_memory=in_memory)
    return store, settings


def digest(store: ox.Store) -> str:
    """A digest of every quad of the store, named graphs and default graph alike."""
    lines = sorted(str(q) for q in store)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def union_is_default_graph(store: ox.Store) -> bool:
    """Whether the default graph holds exactly the union of the named graphs."""
    named = {
        (q.subject, q.predicate, q.object)
        for q in store
        if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    default = {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    return named == default


def turtle(body: str) -> bytes:
    return (PREFIXES + body).encode("utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A real `lcgraph serve` process (tests/ingest_serve.py) on 127.0.0.1 and a free port."""

    def __init__(
        self, root: Path, store_path: Path, token: str | None = TOKEN, extra_env: dict | None = None
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LCGRAPH_")}
        env.update(
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
            LCGRAPH_ROOT=str(root),
            LCGRAPH_STORE=str(store_path),
            **(extra_env or {}),
        )
        if token:
            env["LCGRAPH_INGEST_TOKEN"] = token
        self.log = store_path.parent / f"server-{self.port}.log"
        self._log = open(self.log, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "tests" / "ingest_serve.py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/changes", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.log.read_text()}")

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
