"""Helpers shared by the foundation's tests (their fixtures are in foundation_fixtures.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from lcgraph.web import launch

REPO = Path(__file__).resolve().parent.parent
PROJECT_DIRS = ("ontology", "shapes", "data")

#: how a subprocess test starts the CLI: this interpreter, this checkout's code
LCGRAPH = [sys.executable, "-m", "lcgraph"]


def copy_project(dest: Path) -> Path:
    """Copy the parts of the checkout that a build reads into ``dest``; return ``dest``."""
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, dest / name)
    return dest


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for :data:`LCGRAPH` subprocesses: this checkout first on the path, and
    no ``LCGRAPH_*`` settings inherited from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCGRAPH_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def lcgraph_cmd(*args: str) -> list[str]:
    return [*LCGRAPH, *args]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers; fail early if ``proc`` exits."""
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
    """Terminate a server process, killing it if it does not stop."""
    launch.stop(proc, timeout=10)


def oxigraph_binary() -> str:
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    assert found, (
        "the `oxigraph` server binary is missing: `pip install -e '.[test]'` (make test) installs it"
    )
    return found


def remote_select(base: str, query: str) -> dict:
    """SPARQL JSON results of ``query`` on the Oxigraph server at ``base``."""
    import json
    import urllib.parse

    url = f"{base}/query?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def push(store_path, endpoint: str) -> subprocess.CompletedProcess:
    """`lcgraph push` of the store at ``store_path`` into ``endpoint``."""
    return subprocess.run(
        lcgraph_cmd("--store", str(store_path), "push", "--endpoint", endpoint),
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
