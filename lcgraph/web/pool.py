"""A pool of query worker processes that the event loop can wait on and kill.

Why processes: pyoxigraph cannot interrupt a query, a thread cannot be killed, and a parser
stack overflow takes its process down. Each worker (``python -m lcgraph.web.worker``, a fresh
interpreter that imports only pyoxigraph, talking over a socket pair) reads a
read-only snapshot of the store and answers one task at a time. The event loop talks to each
worker through an asyncio protocol on its end of the socket pair, registered once when the
worker starts (framing and pickles as :class:`multiprocessing.connection.Connection`, which the
worker uses): a task costs one write and one read callback, no per-task system calls to watch
the socket. A query that runs past its deadline has its worker killed (SIGKILL) and replaced,
and answers :class:`QueryTimeout`. Clients beyond the pool's size wait for a free worker,
within the same deadline.

Snapshots: workers never open the live store, which the server process writes (pyoxigraph
calls a read-only view of a store that another process writes undefined behaviour). For an
on-disk store a snapshot is a RocksDB checkpoint (``Store.backup``: hard links, cheap); for an
in-memory store it is a copy written to a temporary on-disk store. :meth:`QueryPool.changed`
bumps the generation; the next task takes a fresh snapshot and each worker reopens before its
next query. A snapshot is deleted when no running task reads it any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from lcgraph.errors import LcgraphError, QueryTimeout, StoreError
from lcgraph.web.worker import Reply, Task

__all__ = ["QueryPool", "ServerBusy", "WorkerCrashed"]

#: the folder that holds the ``lcgraph`` package, so that workers import the same code
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


def _remove_orphans(folder: Path, stem: str) -> None:
    """Delete snapshot folders left by servers that were killed (their pid is gone)."""
    for path in folder.glob(f"{stem}*"):
        pid = path.name[len(stem) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            continue  # another user's live process


def _wait(process: subprocess.Popen, timeout: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)


log = logging.getLogger(__name__)


class ServerBusy(LcgraphError):
    """Every worker stayed busy until the request's deadline."""

    http_status = 503


class WorkerCrashed(LcgraphError):
    """The worker died while evaluating the query (the engine aborted on it)."""

    http_status = 400


class _Channel(asyncio.Protocol):
    """The event loop's end of one worker's socket: pickled messages framed as
    :class:`multiprocessing.connection.Connection` frames them (a 4-byte big-endian length, or
    -1 and an 8-byte length), so the worker can keep its blocking ``Connection``."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future | None = None
        self._messages: list[object] = []
        self._lost: BaseException | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        buf += data
        while len(buf) >= 4:
            (size,) = struct.unpack_from("!i", buf)
            start = 4
            if size == -1:
                if len(buf) < 12:
                    return
                (size,) = struct.unpack_from("!Q", buf, 4)
                start = 12
            if len(buf) < start + size:
                return
            payload = bytes(buf[start : start + size])
            del buf[: start + size]
            try:
                message: object = pickle.loads(payload)
            except Exception as exc:  # an unreadable reply: the worker is replaced
                message = _Unreadable(exc)
            self._deliver(message)

    def _deliver(self, message: object) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            if isinstance(message, _Unreadable):
                waiter.set_exception(message.exc)
            else:
                waiter.set_result(message)
        else:
            self._messages.append(message)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._lost = exc or EOFError("the query worker closed its socket")
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(self._lost)

    def send(self, obj: object) -> None:
        if self.transport is None or self.transport.is_closing():
            raise BrokenPipeError("the query worker's socket is closed")
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        n = len(data)
        header = struct.pack("!i", n) if n <= 0x7FFFFFFF else struct.pack("!iQ", -1, n)
        self.transport.write(header + data)

    async def receive(self) -> object:
        """The next message (waiting for it); EOFError/OSError once the worker is gone."""
        if self._messages:
            message = self._messages.pop(0)
            if isinstance(message, _Unreadable):
                raise message.exc
            return message
        if self._lost is not None:
            raise self._lost
        self._waiter = asyncio.get_running_loop().create_future()
        return await self._waiter

    @property
    def lost(self) -> bool:
        """The worker's end is closed (it died or was killed)."""
        return self._lost is not None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


@dataclass
class _Unreadable:
    exc: Exception


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: _Channel
    sandbox: str


class QueryPool:
    """``size`` worker processes evaluating SPARQL on snapshots of ``store``.

    Use from one asyncio event loop: ``await pool.start()``, ``await pool.run(task, timeout)``,
    ``await pool.close()``. :meth:`changed` may be called from any thread.
    """

    def __init__(
        self,
        store: ox.Store,
        store_path: Path | None,
        size: int = 2,
        sandbox: bool = True,
        snapshot_root: Path | None = None,
    ):
        self.store = store
        self.store_path = Path(store_path) if store_path else None
        self.size = max(1, size)
        self.sandbox = sandbox
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []
        self._generation = 0
        self._snapshot_gen = -1
        self._snapshot: str | None = None
        self._in_use: dict[str, int] = {}
        self._snap_lock = threading.Lock()
        root = snapshot_root or (self.store_path.parent if self.store_path else None)
        stem = f".{self.store_path.name}.snapshots-" if self.store_path else "lcgraph-snapshots-"
        _remove_orphans(Path(root or tempfile.gettempdir()), stem)
        self._root = Path(tempfile.mkdtemp(prefix=f"{stem}{os.getpid()}-", dir=root))
        self.restarts = 0
        self.sandbox_status = "unknown"
        self._closed = False
        self._pending: set[asyncio.Task] = set()  # replacements being started

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        # a fresh interpreter rather than multiprocessing's spawn, which would re-import the
        # caller's __main__ (a script, pytest) in every worker
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        cmd = [
            sys.executable,
            "-m",
            "lcgraph.web.worker",
            str(child_sock.fileno()),
            "1" if self.sandbox else "0",
        ]
        process = await asyncio.to_thread(
            subprocess.Popen,
            cmd,
            pass_fds=(child_sock.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        child_sock.close()
        loop = asyncio.get_running_loop()
        _, parent = await loop.connect_accepted_socket(_Channel, parent_sock)
        try:
            async with asyncio.timeout(60):
                ready = await parent.receive()
        except Exception as exc:  # no greeting, a closed socket, an unreadable message
            process.kill()
            parent.close()
            await asyncio.to_thread(_wait, process, 5)
            raise StoreError(f"a query worker failed to start: {exc!r}") from exc
        worker = _Worker(process, parent, ready[1])
        self.sandbox_status = worker.sandbox
        self._all.append(worker)
        return worker

    async def close(self) -> None:
        self._closed = True
        # replacements under way finish first (each stops its new worker, seeing the pool closed)
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        for worker in list(self._all):
            with contextlib.suppress(OSError):  # its socket is already closed
                worker.conn.send(None)
        deadline = time.monotonic() + 2
        for worker in list(self._all):
            await asyncio.to_thread(_wait, worker.process, max(0.0, deadline - time.monotonic()))
            if worker.process.poll() is None:
                worker.process.kill()
                await asyncio.to_thread(_wait, worker.process, 2)
            worker.conn.close()
        self._all.clear()
        shutil.rmtree(self._root, ignore_errors=True)

    # --- store changes ------------------------------------------------------------------
    def changed(self) -> int:
        """The store changed: later tasks read a new snapshot. Returns the new generation."""
        with self._snap_lock:
            self._generation += 1
            return self._generation

    @property
    def generation(self) -> int:
        return self._generation

    def _current_snapshot(self) -> tuple[int, str]:
        with self._snap_lock:
            if self._snapshot_gen == self._generation and self._snapshot:
                return self._snapshot_gen, self._snapshot
            gen = self._generation
            target = self._root / f"gen-{gen}"
            shutil.rmtree(target, ignore_errors=True)
            if self.store_path is not None:
                self.store.flush()
                self.store.backup(str(target))
            else:
                copy = ox.Store(str(target))
                copy.bulk_extend(list(self.store.quads_for_pattern(None, None, None, None)))
                copy.flush()
                del copy
            old = self._snapshot
            self._snapshot_gen, self._snapshot = gen, str(target)
            if old and not self._in_use.get(old):
                shutil.rmtree(old, ignore_errors=True)
            return gen, str(target)

    def _release(self, snapshot: str) -> None:
        with self._snap_lock:
            self._in_use[snapshot] -= 1
            if not self._in_use[snapshot]:
                del self._in_use[snapshot]
                if snapshot != self._snapshot:
                    shutil.rmtree(snapshot, ignore_errors=True)

    # --- running ------------------------------------------------------------------------
    async def run(self, task: Task, timeout: float) -> Reply:
        """Evaluate ``task`` on a worker within ``timeout`` seconds (waiting included).

        Raises :class:`QueryTimeout` when the deadline passes while the query runs (its worker
        is killed and replaced), :class:`ServerBusy` when no worker became free in time, and
        :class:`WorkerCrashed` when the worker died on the query.
        """
        assert self._idle is not None, "QueryPool.start() was not awaited"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        worker = await self._take_idle(deadline, timeout)
        try:
            if self._snapshot_gen == self._generation and self._snapshot:
                gen, snapshot = self._snapshot_gen, self._snapshot
            else:  # a new generation: take the snapshot off the event loop
                gen, snapshot = await asyncio.to_thread(self._current_snapshot)
        except BaseException:
            self._idle.put_nowait(worker)
            raise
        with self._snap_lock:
            self._in_use[snapshot] = self._in_use.get(snapshot, 0) + 1
        try:
            worker.conn.send(replace(task, generation=gen, snapshot=snapshot))
            async with asyncio.timeout_at(max(deadline, loop.time() + 0.01)):
                reply = await worker.conn.receive()
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout(
                f"the query ran longer than {timeout:g} s and was stopped; "
                "narrow it down (a LIMIT, more specific patterns) and try again"
            ) from None
        except (Exception, asyncio.CancelledError) as exc:
            # whatever went wrong with this worker (it died, its reply was unreadable, the
            # client went away), it is replaced so the pool never loses or reuses a bad one
            self._replace(worker)
            if isinstance(exc, asyncio.CancelledError):
                raise
            if not isinstance(exc, (EOFError, OSError)):
                log.exception("query worker failed")
            raise WorkerCrashed(
                "the query engine stopped while evaluating this query; "
                "it was not answered (simplify the query)"
            ) from None
        finally:
            self._release(snapshot)
        self._idle.put_nowait(worker)
        return reply

    async def _take_idle(self, deadline: float, timeout: float) -> _Worker:
        """A free, live worker (one that died while idle is replaced on the way)."""
        assert self._idle is not None
        while True:
            try:
                worker = self._idle.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    async with asyncio.timeout_at(deadline):
                        worker = await self._idle.get()
                except TimeoutError:
                    raise ServerBusy(
                        f"every query worker stayed busy for {timeout:g} s; try again shortly"
                    ) from None
            if not worker.conn.lost:
                return worker
            self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now and start a new one in the background."""
        worker.process.kill()
        worker.conn.close()
        if worker in self._all:
            self._all.remove(worker)
        self.restarts += 1
        if not self._closed:
            task = asyncio.get_running_loop().create_task(self._respawn(worker))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _respawn(self, dead: _Worker) -> None:
        await asyncio.to_thread(_wait, dead.process, 5)
        if self._closed:
            return
        try:
            worker = await self._spawn()
        except StoreError:
            log.exception("could not replace a query worker; the pool is one smaller")
            return
        if self._closed:  # the pool closed while this worker started: stop it here
            worker.process.kill()
            worker.conn.close()
            if worker in self._all:
                self._all.remove(worker)
            await asyncio.to_thread(_wait, worker.process, 5)
            return
        assert self._idle is not None
        self._idle.put_nowait(worker)

    def stats(self) -> dict[str, object]:
        return {
            "workers": self.size,
            "alive": sum(w.process.poll() is None for w in self._all),
            "restarts": self.restarts,
            "generation": self._generation,
            "sandbox": self.sandbox_status,
        }


#: A callable that makes the pool see new data (``app.state.on_store_change``).
StoreChange = Callable[[], int]
