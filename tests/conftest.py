"""Shared fixtures: the seed graph in a store, free ports, a real Oxigraph server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from lcgraph.config import ROOT, Settings
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def oxigraph_binary() -> str:
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    assert found, (
        "the `oxigraph` server binary is missing: `pip install -e '.[test]'` (make test) installs it"
    )
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real `oxigraph serve` on 127.0.0.1 and a free port; yields its base URL."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/query?query=ASK%7B%7D", proc=proc)
        yield base
    finally:
        stop(proc)


def lcgraph_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "lcgraph", *args]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env
