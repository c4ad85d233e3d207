"""Query execution in a worker: formats, the row cap, the dataset, errors, the sandbox."""

from __future__ import annotations

import asyncio
import json

import pyoxigraph as ox
import pytest

from lcgraph.web.pool import QueryPool
from lcgraph.web.worker import Task, dataset_kwargs, execute
from tests.lcserver import Canary

N = ox.NamedNode
EX = "http://ex/"


@pytest.fixture
def store():
    s = ox.Store()
    quads = [
        ox.Quad(
            N(f"{EX}s{i}"), N(f"{EX}p"), ox.Literal(f"v{i}\tx\n", language="en"), N(f"{EX}g{i % 2}")
        )
        for i in range(30)
    ]
    quads.append(
        ox.Quad(
            N(f"{EX}s0"),
            N(f"{EX}q"),
            ox.Literal("1", datatype=N("http://www.w3.org/2001/XMLSchema#integer")),
            N(f"{EX}g0"),
        )
    )
    s.bulk_extend(quads)
    return s


SELECT = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"


@pytest.mark.parametrize(
    ("media", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_results_are_exact_in_every_lossless_format(store, media, fmt):
    reply = execute(store, Task(SELECT, results_type=media))
    assert reply.status == 200 and not reply.truncated and reply.rows == 30
    expected = [(r["s"], r["o"]) for r in store.query(SELECT, use_default_graph_as_union=True)]
    got = [(r["s"], r["o"]) for r in ox.parse_query_results(reply.body, format=fmt)]
    assert got == expected  # tabs and newlines inside literals survive the TSV stage


def test_csv_is_plain_values(store):
    reply = execute(
        store, Task(f"SELECT ?o WHERE {{ <{EX}s0> <{EX}q> ?o }}", results_type="text/csv")
    )
    assert reply.body.replace(b"\r\n", b"\n") == b"o\n1\n"


def test_row_cap_cuts_at_exactly_max_rows_and_marks_json(store):
    reply = execute(store, Task(SELECT, max_rows=7))
    body = json.loads(reply.body)
    assert reply.truncated and reply.rows == 7
    assert body["truncated"] is True and body["maxRows"] == 7
    assert len(body["results"]["bindings"]) == 7
    assert body["results"]["bindings"][0]["s"]["value"] == f"{EX}s0"
    exact = execute(store, Task(SELECT, max_rows=30))
    assert not exact.truncated and "truncated" not in json.loads(exact.body)


def test_row_cap_stops_an_unbounded_result_early():
    s = ox.Store()
    s.bulk_extend(
        [ox.Quad(N(f"{EX}a{i}"), N(f"{EX}p"), N(f"{EX}b{i}"), N(f"{EX}g")) for i in range(300)]
    )
    # 300^3 = 27 million rows if the engine were run to the end
    reply = execute(
        s,
        Task(
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            max_rows=50,
            results_type="text/tab-separated-values",
        ),
    )
    assert reply.truncated and reply.rows == 50


def test_construct_cap_and_formats(store):
    reply = execute(
        store, Task("CONSTRUCT WHERE { ?s ?p ?o }", rdf_type="application/n-triples", max_rows=5)
    )
    assert reply.truncated and len(reply.body.strip().splitlines()) == 5
    ttl = execute(
        store,
        Task(
            f"CONSTRUCT WHERE {{ <{EX}s0> ?p ?o }}",
            rdf_type="text/turtle",
            prefixes={"ex": EX, "unused": "http://unused/"},
        ),
    )
    assert b"@prefix ex:" in ttl.body and b"unused" not in ttl.body
    assert len(list(ox.parse(ttl.body, format=ox.RdfFormat.TURTLE))) == 2


def test_ask_and_errors(store):
    assert json.loads(execute(store, Task("ASK { ?s ?p ?o }")).body)["boolean"] is True
    bad = execute(store, Task("SELECT * WHERE { ?s ?p }"))
    assert bad.status == 400 and bad.body.startswith(b"syntax error at line 1, column")


def test_union_default_graph_unless_a_dataset_is_given(store):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def count(task: Task) -> int:
        return int(json.loads(execute(store, task).body)["results"]["bindings"][0]["n"]["value"])

    assert count(Task(q)) == 31
    assert count(Task(q, default_graphs=(f"{EX}g1",))) == 15
    assert count(Task(q, named_graphs=(f"{EX}g1",))) == 0  # only named graphs: the default is empty
    assert (
        count(Task(f"SELECT (COUNT(*) AS ?n) FROM <{EX}g0> WHERE {{ ?s ?p ?o }}", has_dataset=True))
        == 16
    )
    assert (
        count(
            Task(
                f"SELECT (COUNT(*) AS ?n) FROM <{EX}g0> WHERE {{ ?s ?p ?o }}",
                has_dataset=True,
                default_graphs=(f"{EX}g1",),
            )
        )
        == 15
    )


def test_a_materialised_union_is_queried_as_the_default_graph(store):
    materialised = ox.Store()
    materialised.bulk_extend(list(store))
    materialised.bulk_extend(
        [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store]
    )
    assert dataset_kwargs(materialised, Task("ASK {}")) == {}
    assert dataset_kwargs(store, Task("ASK {}")) == {"use_default_graph_as_union": True}
    reply = execute(materialised, Task("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert json.loads(reply.body)["results"]["bindings"][0]["n"]["value"] == "31"


def test_sandboxed_worker_cannot_reach_the_network_even_without_the_lexical_guard(store, tmp_path):
    """Defence in depth: a Task sent straight to a worker (no check_query) with SERVICE."""
    canary = Canary()

    async def run() -> tuple[str, object]:
        pool = QueryPool(store, None, size=1, sandbox=True, snapshot_root=tmp_path)
        await pool.start()
        try:
            reply = await pool.run(
                Task(f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"), 10
            )
            return pool.sandbox_status, reply
        finally:
            await pool.close()

    try:
        status, reply = asyncio.run(run())
    finally:
        hits = canary.close()
    if status == "network-namespace":
        assert hits == [] and reply.status == 400
    else:  # no namespaces on this kernel: the lexical guard is the only line (tested elsewhere)
        assert status == "none"


def test_pool_sees_new_data_after_a_change(store, tmp_path):
    async def run() -> tuple[int, int]:
        pool = QueryPool(store, None, size=2, sandbox=False, snapshot_root=tmp_path)
        await pool.start()
        try:
            q = Task("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            before = json.loads((await pool.run(q, 10)).body)["results"]["bindings"][0]["n"][
                "value"
            ]
            store.add(ox.Quad(N(f"{EX}new"), N(f"{EX}p"), N(f"{EX}o"), N(f"{EX}g9")))
            pool.changed()
            after = [
                json.loads((await pool.run(q, 10)).body)["results"]["bindings"][0]["n"]["value"]
                for _ in range(4)
            ]
            return int(before), {int(a) for a in after}
        finally:
            await pool.close()

    before, after = asyncio.run(run())
    assert before == 31 and after == {32}
    assert list(tmp_path.iterdir()) == [], "snapshots are removed when the pool closes"


def test_large_answers_cross_the_pipe_under_uvloop(tmp_path):
    """Long replies arrive in many reads under uvloop and must still be put back together whole."""
    import uvloop

    s = ox.Store()
    s.bulk_extend(
        [
            ox.Quad(N(f"{EX}s{i}"), N(f"{EX}p"), ox.Literal("x" * 200), N(f"{EX}g"))
            for i in range(5000)
        ]
    )

    async def run() -> list[int]:
        pool = QueryPool(s, None, size=1, sandbox=False, snapshot_root=tmp_path)
        await pool.start()
        try:
            replies = [
                await pool.run(Task("SELECT * WHERE { ?s ?p ?o }", max_rows=10_000), 30)
                for _ in range(3)
            ]
            return [len(r.body) for r in replies if r.status == 200 and r.rows == 5000]
        finally:
            await pool.close()

    sizes = uvloop.run(run())
    assert len(sizes) == 3 and min(sizes) > 1_000_000


def test_snapshots_left_by_a_killed_server_are_removed(tmp_path):
    import os

    store_path = tmp_path / "store"
    dead = tmp_path / ".store.snapshots-999999999-x1"  # no such pid
    alive = tmp_path / f".store.snapshots-{os.getppid()}-x2"
    for folder in (dead, alive):
        (folder / "gen-0").mkdir(parents=True)
    pool = QueryPool(ox.Store(), store_path, size=1)
    try:
        assert not dead.exists() and alive.exists()
        assert pool._root.name.startswith(f".store.snapshots-{os.getpid()}-")
    finally:
        asyncio.run(pool.close())


def test_channel_frames_like_multiprocessing_connection():
    """The event loop's end reads what ``Connection.send`` writes, however the bytes arrive."""
    import multiprocessing.connection
    import socket
    import struct
    import threading

    from lcgraph.web.pool import _Channel

    a, b = socket.socketpair()
    sender = multiprocessing.connection.Connection(a.detach())
    messages = [("ready", "off"), Task("ASK {}"), b"x" * 300_000]

    def send_all() -> None:
        for m in messages:
            sender.send(m)
        sender.close()

    thread = threading.Thread(target=send_all)
    thread.start()
    raw = b""
    while chunk := b.recv(65536):
        raw += chunk
    b.close()
    thread.join()

    async def feed(pieces: list[bytes]) -> list[object]:
        channel = _Channel()
        for piece in pieces:
            channel.data_received(piece)
        got = [await channel.receive() for _ in messages]
        channel.connection_lost(None)
        with pytest.raises(EOFError):
            await channel.receive()
        return got

    one_by_one = [raw[i : i + 1] for i in range(0, 200)] + [raw[200:]]
    assert asyncio.run(feed([raw])) == messages
    assert asyncio.run(feed(one_by_one)) == messages
    # the long form of the header (-1, then an 8-byte length) is read too
    long_form = struct.pack("!iQ", -1, len(b"\x80\x04N.")) + b"\x80\x04N."
    assert asyncio.run(_read_one(long_form)) is None


async def _read_one(raw: bytes) -> object:
    from lcgraph.web.pool import _Channel

    channel = _Channel()
    channel.data_received(raw[:5])
    channel.data_received(raw[5:])
    return await channel.receive()


def test_a_worker_that_dies_mid_query_is_replaced(store, tmp_path):
    from lcgraph.web.pool import WorkerCrashed

    async def run() -> tuple[bool, int, int]:
        pool = QueryPool(store, None, size=1, sandbox=False, snapshot_root=tmp_path)
        await pool.start()
        try:
            product = " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(6))  # 31^6 rows
            slow = Task(f"SELECT (COUNT(*) AS ?n) WHERE {{ {product} }}")
            running = asyncio.ensure_future(pool.run(slow, 30))
            await asyncio.sleep(0.5)
            pool._all[0].process.kill()
            crashed = False
            try:
                await running
            except WorkerCrashed:
                crashed = True
            reply = await pool.run(Task("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 30)
            n = int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])
            return crashed, n, pool.restarts
        finally:
            await pool.close()

    crashed, n, restarts = asyncio.run(run())
    assert crashed and n == 31 and restarts == 1


def test_a_worker_that_died_while_idle_is_not_handed_a_query(store, tmp_path):
    async def run() -> tuple[int, int]:
        pool = QueryPool(store, None, size=1, sandbox=False, snapshot_root=tmp_path)
        await pool.start()
        try:
            pool._all[0].process.kill()
            await asyncio.sleep(0.3)  # the loop sees the socket close
            reply = await pool.run(Task("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 30)
            n = int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])
            return n, pool.restarts
        finally:
            await pool.close()

    assert asyncio.run(run()) == (31, 1)
