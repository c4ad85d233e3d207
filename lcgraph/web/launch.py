"""Run ``lcgraph serve`` as a child process and always stop it: for tests, benchmarks, scripts.

The server binds 127.0.0.1 on a port the OS picks (``--port 0``) and prints
``serving on http://HOST:PORT`` on stderr once it listens; :func:`running_server` reads that
line and yields the URL.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["running_server", "stop"]


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a process, killing it if it has not stopped after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def running_server(
    *serve_args: str,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    start_timeout: float = 90,
) -> Iterator[tuple[str, subprocess.Popen, list[str]]]:
    """Yield ``(base_url, process, stderr_lines)`` of a running server; stop it afterwards.

    ``env`` is the child's whole environment (``None``: this process's). Raises RuntimeError
    with the end of the server's stderr when it does not start within ``start_timeout``.
    """
    cmd = [sys.executable, "-m", "lcgraph", "serve", "--host", "127.0.0.1", "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, *serve_args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        cwd=None if cwd is None else str(cwd),
    )
    lines: list[str] = []
    ready = threading.Event()
    url: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if not ready.is_set() and line.startswith("serving on "):
                url.append(line.split()[-1].strip())
                ready.set()
        ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        ready.wait(start_timeout)
        if not url:
            raise RuntimeError("the server did not start:\n" + "".join(lines[-40:]))
        yield url[0], proc, lines
    finally:
        stop(proc)
        reader.join(5)
