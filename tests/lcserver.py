"""Start a real ``lcgraph serve`` process for tests, and always stop it.

The server binds 127.0.0.1 on a port the OS picks (``--port 0``) and prints
``serving on http://HOST:PORT`` on stderr once it listens; the helper reads that line.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lcgraph.web import launch

ROOT = Path(__file__).resolve().parent.parent


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


@contextmanager
def running_server(
    *serve_args: str, env: dict[str, str] | None = None, start_timeout: float = 90
) -> Iterator[tuple[str, subprocess.Popen, list[str]]]:
    """Yield ``(base_url, process, stderr_lines)`` of a server running this checkout's code."""
    with launch.running_server(
        *serve_args, env=_env(env), cwd=ROOT, start_timeout=start_timeout
    ) as running:
        yield running


class Canary:
    """A listening socket on 127.0.0.1 that records every connection it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(4096) or b"<connected>")
                except OSError:
                    self.hits.append(b"<connected>")

    def close(self) -> list[bytes]:
        time.sleep(0.3)
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
        return self.hits
