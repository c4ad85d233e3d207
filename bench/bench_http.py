"""HTTP: ``lcgraph serve`` against ``oxigraph serve-read-only`` and rdflib-endpoint.

Data: the synthetic graph of ``bench/gen.py`` at the scale, built into an lcgraph store; the
same quads go to oxigraph (N-Quads, ``--union-default-graph``) and, as their union, to
rdflib-endpoint (Turtle). Each server is started in turn on 127.0.0.1, its answers to the two
queries are checked equal to the others', then a bounded closed-loop load generator drives it
(``--clients`` threads, each with its own keep-alive connection, for ``--seconds`` after a
warm-up, ``--repeat`` rounds). Rows: requests/s (unit "req/s", one value a round; the ratio is
lcgraph's over the peer's) and the median latency (unit "ms p50"). Loopback only; every server
is stopped at the end, also on error.

Two typical queries: ``lookup`` (one city's label, country and population: the HTTP stack
dominates) and ``scan-sort`` (every city, ``ORDER BY ?label LIMIT 25``: the engine dominates).
lcgraph's row of reference runs without its result cache (every request evaluated: the lookup,
of bounded cost, in the server process, lcgraph.web.direct; the scan in a worker); the row "all
in workers" sends the lookup to a worker too (``LCGRAPH_DIRECT_BUDGET=0``), and the cached row
shows what a repeated query costs. A server whose single request takes longer than half a
load run (rdflib-endpoint at scale) gets no load run: its row is 1 / that request's latency.

Targets (the server issue, docs/server.md): >= 10× rdflib-endpoint and >= 0.7× oxigraph serve
in requests/s.

    python bench/bench_http.py --scale M --repeat 3 --clients 8 --seconds 5

rdflib-endpoint is an optional bench dependency (``pip install -e '.[bench]'``); without it
that row is left out.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(1, str(ROOT))

import gen  # noqa: E402
import harness  # noqa: E402

LCC = "https://w3id.org/lcc/ontology#"
BASE = "https://w3id.org/lcc/"

#: The server issue's targets, on a query where the engine does the work
TARGETS = ">= 10× rdflib-endpoint, >= 0.7× oxigraph serve (req/s)"

#: Two typical research queries (each with a total order, so that every server must give the
#: same 25 rows: cities share names): a selective lookup (the engine does little: the HTTP stack
#: and the query dispatch dominate) and a scan with a sort (the engine dominates).
QUERIES = {
    "lookup": f"""PREFIX lcc: <{LCC}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?country ?population WHERE {{
  <{{city}}> rdfs:label ?label .
  OPTIONAL {{ <{{city}}> lcc:country ?country }}
  OPTIONAL {{ <{{city}}> lcc:population ?population }}
}}""",
    "scan-sort": f"""PREFIX lcc: <{LCC}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?label ?country ?population WHERE {{
  ?city a lcc:City ; rdfs:label ?label .
  OPTIONAL {{ ?city lcc:country ?country }}
  OPTIONAL {{ ?city lcc:population ?population }}
}} ORDER BY ?label ?city ?country LIMIT 25""",
}


# --- data ---------------------------------------------------------------------------------


def prepare(workdir: Path, root: Path) -> tuple[Path, Path, Path, int, str]:
    """Build the lcgraph store of the project at ``root`` (its ``data/``), an N-Quads file (for
    oxigraph) and a Turtle union file (for rdflib-endpoint); and pick the city to look up."""
    import pyoxigraph as ox

    from lcgraph import export as ex
    from lcgraph import store as store_mod
    from lcgraph.config import Settings

    store_path = workdir / "lcgraph-store"
    settings = Settings.from_env().with_(root=root, store_path=store_path)
    store, _ = store_mod.build(settings)
    # the largest city: bench/gen.py writes the cities largest first
    found = store.query(f"SELECT ?c WHERE {{ ?c a <{LCC}City> }} LIMIT 1")
    city = next(iter(found))["c"].value
    quads = ex.named_quads(store)
    del store, found
    gc.collect()
    nq = workdir / "data.nq"
    nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    ttl = workdir / "data.ttl"
    ttl.write_bytes(ox.serialize(ex.union_triples(quads), format=ox.RdfFormat.TURTLE))
    return store_path, nq, ttl, len(quads), city


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on port {port} after {timeout} s")


@contextmanager
def process(cmd: list[str], port: int, ready_path: str, env: dict | None = None) -> Iterator[dict]:
    """Run a server until the block ends; the dict yielded gets its peak memory (``peak_mb``,
    the main process's maximum resident set, from ``os.wait4`` when it has stopped)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    info: dict = {"proc": proc}
    try:
        wait_http(port, ready_path)
        yield info
    finally:
        proc.terminate()
        deadline = time.monotonic() + 15
        while True:
            pid, _status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = 0  # reaped here: Popen must not wait for it again
                info["peak_mb"] = round(usage.ru_maxrss / 1024, 1)
                break
            if time.monotonic() > deadline:
                proc.kill()
                deadline = time.monotonic() + 5
            time.sleep(0.05)


def lcgraph_server(store: Path, workers: int, cache: bool = True, direct: bool = True):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("LCGRAPH_NO_RESULT_CACHE", None)
    # the pages' background warm-up (tens of seconds of CPU at L) would share the cores with
    # the load run; SPARQL does not use what it computes
    env["LCGRAPH_WARM_UP"] = "0"
    if not cache:
        env["LCGRAPH_NO_RESULT_CACHE"] = "1"
    env.pop("LCGRAPH_DIRECT_BUDGET", None)
    if not direct:
        env["LCGRAPH_DIRECT_BUDGET"] = "0"  # every query to a worker, lookups included
    cmd = [
        sys.executable,
        "-m",
        "lcgraph",
        "serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return process(cmd, port, "/sparql?query=ASK%7B%7D", env), port, "/sparql"


def oxigraph_server(workdir: Path, nq: Path):
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    location = workdir / "oxigraph-store"
    subprocess.run(
        [exe, "load", "--location", str(location), "--file", str(nq)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    cmd = [
        exe,
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return process(cmd, port, "/query?query=ASK%7B%7D"), port, "/query"


def rdflib_endpoint_server(ttl: Path):
    exe = shutil.which("rdflib-endpoint") or str(Path(sys.executable).parent / "rdflib-endpoint")
    if not Path(exe).exists():
        return None
    port = free_port()
    cmd = [exe, "serve", "--host", "127.0.0.1", "--port", str(port), str(ttl)]
    # rdflib-endpoint's CLI serves the endpoint at the root path
    return process(cmd, port, "/?query=ASK%7B%7D"), port, "/"


# --- load ---------------------------------------------------------------------------------


def fetch(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def answer(body: bytes) -> list[tuple]:
    """The solutions as sorted tuples: the same set, whatever order a server sends it in."""
    rows = json.loads(body)["results"]["bindings"]
    return sorted(tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows)


def load(port: int, path: str, clients: int, seconds: float, warmup: float) -> dict:
    """Closed-loop load: ``clients`` threads with keep-alive connections, for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_evt = threading.Event()
    state = {"measure_from": 0.0, "stop_at": 0.0}

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_evt.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= state["stop_at"]:
                break
            try:
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t1 = time.perf_counter()
            if t0 >= state["measure_from"]:
                if ok:
                    latencies[i].append(t1 - t0)
                else:
                    errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    now = time.perf_counter()
    state["measure_from"] = now + warmup
    state["stop_at"] = now + warmup + seconds
    start_evt.set()
    for t in threads:
        t.join()
    lat = sorted(x for per in latencies for x in per)
    if not lat:
        return {
            "rps": 0.0,
            "p50_ms": float("nan"),
            "p99_ms": float("nan"),
            "requests": 0,
            "errors": sum(errors),
        }
    return {
        "rps": len(lat) / seconds,
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        "requests": len(lat),
        "errors": sum(errors),
    }


def serve_and_load(args, root: Path) -> tuple[list[dict], list[str]]:
    """Start each server in turn, check the answers, drive the load: rows, and the servers
    whose answers differ from the first server's."""
    workdir = Path(tempfile.mkdtemp(prefix="lcgraph-bench-http-"))
    try:
        # in a child: the parent stays small, so the servers it starts report their own peaks
        # (Linux carries a parent's high-water mark into its children)
        subprocess.run(
            [sys.executable, __file__, "--prepare-into", str(workdir), "--root", str(root)],
            check=True,
            env=harness.env(),
        )
        store, nq, ttl = (workdir / n for n in ("lcgraph-store", "data.nq", "data.ttl"))
        meta = json.loads((workdir / "prepared.json").read_text(encoding="utf-8"))
        nquads, city = meta["quads"], meta["city"]
        servers = {
            # every request evaluated: the repeated query is not served from cache (a lookup
            # of bounded cost in the server process, the rest in a worker)
            "lcgraph serve (no result cache)": lambda: lcgraph_server(store, args.workers, False),
            # the same, with every query in a worker: what the in-process path saves
            "lcgraph serve (no result cache, all in workers)": lambda: lcgraph_server(
                store, args.workers, False, direct=False
            ),
            "lcgraph serve (result cache)": lambda: lcgraph_server(store, args.workers),
            "oxigraph serve-read-only": lambda: oxigraph_server(workdir, nq),
            "rdflib-endpoint": lambda: rdflib_endpoint_server(ttl),
        }
        queries = {name: QUERIES[name].replace("{city}", city) for name in args.query}
        rows: list[dict] = []
        answers: dict[tuple[str, str], list] = {}
        common = {"scale": args.scale, "triples": nquads}
        for name, make in servers.items():
            made = make()
            if made is None:
                print(f"{name}: not installed, skipped", file=sys.stderr)
                continue
            ctx, port, endpoint = made
            ours = name == "lcgraph serve (no result cache)"
            first = len(rows)
            with ctx as info:
                for qname, query in queries.items():
                    path_q = endpoint + "?" + urlencode({"query": query})
                    t0 = time.perf_counter()
                    status, body = fetch(port, path_q, timeout=args.cap)
                    single = time.perf_counter() - t0
                    if status != 200:
                        raise RuntimeError(f"{name} answered {status}: {body[:300]!r}")
                    answers[(qname, name)] = answer(body)
                    bench = f"http {qname}"
                    if single > args.seconds / 2:
                        # too slow for a load run: requests would outlast it; one request timed
                        rows.append(
                            harness.row_of(
                                [1 / single],
                                unit="req/s",
                                bench=bench,
                                tool=name,
                                ours=ours,
                                note=f"one request took {single:.1f} s: no load run, 1/latency",
                                **common,
                            )
                        )
                        continue
                    rounds = [
                        load(port, path_q, args.clients, args.seconds, args.warmup)
                        for _ in range(max(1, args.repeat))
                    ]
                    for r in rounds:
                        print(
                            f"{qname:10} {name:32} {r['rps']:9.1f} req/s  p50 "
                            f"{r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  "
                            f"errors {r['errors']}",
                            file=sys.stderr,
                        )
                    errors = sum(r["errors"] for r in rounds)
                    note = f"{errors} failed requests" if errors else ""
                    target = TARGETS if ours and qname == "scan-sort" else ""
                    rows.append(
                        harness.row_of(
                            [r["rps"] for r in rounds],
                            unit="req/s",
                            bench=bench,
                            tool=name,
                            ours=ours,
                            note=note,
                            target=target,
                            **common,
                        )
                    )
                    p50s = [r["p50_ms"] for r in rounds if r["requests"]]
                    if p50s:
                        rows.append(
                            harness.row_of(
                                p50s, unit="ms p50", bench=bench, tool=name, ours=ours, **common
                            )
                        )
            for row in rows[first:]:  # known once the server has stopped
                row["peak_mb"] = info.get("peak_mb", 0.0)
        first = {}
        for (q, n), a in answers.items():
            first.setdefault(q, (n, a))
        differ = [f"{q}: {n} vs {first[q][0]}" for (q, n), a in answers.items() if a != first[q][1]]
        return rows, differ
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.standard_args(parser)
    quick = harness.cap(30) < 10  # the smoke run (run.py --cap 3): short load runs
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0 if quick else 5.0)
    parser.add_argument("--warmup", type=float, default=0.3 if quick else 1.0)
    parser.add_argument("--workers", type=int, default=2, help="lcgraph query workers")
    parser.add_argument("--query", choices=list(QUERIES), nargs="+", default=list(QUERIES))
    parser.add_argument(
        "--cap", type=float, default=harness.cap(600), help="longest single request, s"
    )
    parser.add_argument("--prepare-into", type=Path, help="(internal) build the data here")
    parser.add_argument("--root", type=Path, help="(internal) the project root to prepare")
    args = parser.parse_args(argv)
    if args.prepare_into:
        *_, nquads, city = prepare(args.prepare_into, args.root)
        meta = {"quads": nquads, "city": city}
        (args.prepare_into / "prepared.json").write_text(json.dumps(meta), encoding="utf-8")
        return 0
    root = gen.dataset_in_subprocess(args.scale, args.seed)
    rows, differ = serve_and_load(args, root)
    notes = (
        f"{args.clients} concurrent keep-alive clients, {args.seconds:g} s per server, query and "
        f"round after {args.warmup:g} s warm-up; lcgraph with {args.workers} workers; "
        f"{os.cpu_count()} CPUs (clients and server share them). Same answers from every "
        f"server: {'NO (' + '; '.join(differ) + ')' if differ else 'yes'}."
    )
    harness.report(rows, args, notes)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
