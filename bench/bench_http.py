"""HTTP throughput and latency of a typical SPARQL query: lcgraph vs oxigraph serve vs rdflib-endpoint.

One run starts each server in turn on 127.0.0.1 on the same data, checks that the three give
the same answer, then drives it with a bounded closed-loop load generator (``--clients``
threads, each with its own keep-alive connection, sending the query for ``--seconds`` after a
warm-up) and reports requests/s and latency percentiles. Loopback only; every server is
stopped at the end, also on error.

Data: the project's knowledge graph (``data/``), or with ``--synthetic N`` a generated graph of
N cities (label, country, population, network memberships) in named graphs, so the query has
work to do.

    python bench/bench_http.py                      # seed data, 8 clients, 5 s per server
    python bench/bench_http.py --synthetic 20000 --clients 16 --seconds 10 --out bench/out/http.md

rdflib-endpoint is an optional bench dependency (``pip install -e '.[bench]'``); without it
that row is skipped with a note.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
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
LCC = "https://w3id.org/lcc/ontology#"
BASE = "https://w3id.org/lcc/"

#: Two typical research queries: a selective lookup (the engine does little: the HTTP stack
#: and the query dispatch dominate) and a scan with a sort (the engine dominates).
QUERIES = {
    "lookup": f"""PREFIX lcc: <{LCC}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?country ?population WHERE {{
  <{BASE}id/city/tokyo> rdfs:label ?label .
  OPTIONAL {{ <{BASE}id/city/tokyo> lcc:country ?country }}
  OPTIONAL {{ <{BASE}id/city/tokyo> lcc:population ?population }}
}}""",
    "scan-sort": f"""PREFIX lcc: <{LCC}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?label ?country ?population WHERE {{
  ?city a lcc:City ; rdfs:label ?label .
  OPTIONAL {{ ?city lcc:country ?country }}
  OPTIONAL {{ ?city lcc:population ?population }}
}} ORDER BY ?label LIMIT 25""",
}


#: bench/run.py scales -> synthetic cities
SCALES = {"XS": 100, "S": 1_000, "M": 10_000, "L": 50_000}


# --- data ---------------------------------------------------------------------------------


def synthetic_quads(n: int, seed: int = 7):
    """``n`` cities in ~n/50 countries, members of some of 40 networks, one graph per 1000 cities."""
    import pyoxigraph as ox

    rng = random.Random(seed)
    N, L = ox.NamedNode, ox.Literal
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = N("http://www.w3.org/2000/01/rdf-schema#label")
    member = N("http://www.w3.org/ns/org#memberOf")
    xsd_int = N("http://www.w3.org/2001/XMLSchema#integer")
    countries = [N(f"{BASE}id/country/c{i}") for i in range(max(1, n // 50))]
    networks = [N(f"{BASE}id/network/n{i}") for i in range(40)]
    out = []
    for i in range(n):
        g = N(f"{BASE}graph/synthetic-{i // 1000}")
        city = N(f"{BASE}id/city/{'tokyo' if i == 0 else f'city-{i}'}")
        out += [
            ox.Quad(city, rdf_type, N(LCC + "City"), g),
            ox.Quad(city, label, L(f"City {i:06d}", language="en"), g),
            ox.Quad(city, N(LCC + "country"), rng.choice(countries), g),
            ox.Quad(
                city,
                N(LCC + "population"),
                L(str(rng.randint(10_000, 10_000_000)), datatype=xsd_int),
                g,
            ),
        ]
        out += [ox.Quad(city, member, net, g) for net in rng.sample(networks, rng.randint(0, 3))]
    return out


def prepare(workdir: Path, synthetic: int, seed: int = 7) -> tuple[Path, Path, Path, int]:
    """Build the lcgraph store, an N-Quads file (oxigraph) and a Turtle union file (rdflib)."""
    import pyoxigraph as ox

    sys.path.insert(0, str(ROOT))
    from lcgraph import export as ex
    from lcgraph import store as store_mod
    from lcgraph.config import Settings

    store_path = workdir / "lcgraph-store"
    if synthetic:
        store = ox.Store(str(store_path))
        store.bulk_extend(synthetic_quads(synthetic, seed))
        store.flush()
    else:
        store, _ = store_mod.build(Settings.from_env().with_(store_path=store_path))
    quads = ex.named_quads(store)
    del store
    gc.collect()
    nq = workdir / "data.nq"
    nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    ttl = workdir / "data.ttl"
    ttl.write_bytes(ox.serialize(ex.union_triples(quads), format=ox.RdfFormat.TURTLE))
    return store_path, nq, ttl, len(quads)


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, timeout: float = 120) -> None:
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
def process(
    cmd: list[str], port: int, ready_path: str, env: dict | None = None
) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_http(port, ready_path)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def lcgraph_server(store: Path, workers: int, cache: bool = True):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("LCGRAPH_NO_RESULT_CACHE", None)
    if not cache:
        env["LCGRAPH_NO_RESULT_CACHE"] = "1"
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


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def answer(body: bytes) -> list[tuple]:
    rows = json.loads(body)["results"]["bindings"]
    return [tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, default=0, help="generate N cities instead of the seed data"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2, help="lcgraph query workers")
    parser.add_argument(
        "--only",
        choices=["lcgraph", "lcgraph-nocache", "oxigraph", "rdflib-endpoint"],
        action="append",
    )
    parser.add_argument("--query", choices=list(QUERIES), action="append", help="default: all")
    parser.add_argument("--out", type=Path, help="also write the results table (Markdown) here")
    # the interface of bench/run.py (bench/README.md): a scale picks the synthetic size; this
    # module writes its own Markdown table and no timing rows
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        help="synthetic size: " + ", ".join(f"{k} {v}" for k, v in SCALES.items()),
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="(bench/run.py interface; one load run per query)"
    )
    parser.add_argument(
        "--json", type=Path, help="(bench/run.py interface) rows: none, an empty list"
    )
    parser.add_argument("--markdown", type=Path, help="same as --out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.scale:
        args.synthetic = SCALES[args.scale]
    args.out = args.out or args.markdown
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text("[]\n", encoding="utf-8")

    workdir = Path(tempfile.mkdtemp(prefix="lcgraph-bench-http-"))
    try:
        store, nq, ttl, nquads = prepare(workdir, args.synthetic, args.seed)
        servers = {
            "lcgraph": lambda: lcgraph_server(store, args.workers),
            # every request evaluated by a worker: the repeated query is not served from cache
            "lcgraph-nocache": lambda: lcgraph_server(store, args.workers, cache=False),
            "oxigraph": lambda: oxigraph_server(workdir, nq),
            "rdflib-endpoint": lambda: rdflib_endpoint_server(ttl),
        }
        queries = {name: QUERIES[name] for name in (args.query or QUERIES)}
        results: dict[tuple[str, str], dict] = {}
        answers: dict[tuple[str, str], list] = {}
        for name, make in servers.items():
            if args.only and name not in args.only:
                continue
            made = make()
            if made is None:
                print(
                    f"{name}: not installed, skipped (pip install -e '.[bench]')", file=sys.stderr
                )
                continue
            ctx, port, endpoint = made
            with ctx:
                for qname, query in queries.items():
                    path_q = endpoint + "?" + urlencode({"query": query})
                    status, body = fetch(port, path_q)
                    if status != 200:
                        raise RuntimeError(f"{name} answered {status}: {body[:300]!r}")
                    answers[(qname, name)] = answer(body)
                    r = results[(qname, name)] = load(
                        port, path_q, args.clients, args.seconds, args.warmup
                    )
                    print(
                        f"{qname:10} {name:16} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  errors {r['errors']}",
                        file=sys.stderr,
                    )
        same = all(
            a == answers[(q, n2)]
            for (q, _n), a in answers.items()
            for (q2, n2) in answers
            if q2 == q
        )
        table = render(results, args, nquads, same)
        print(table)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(table, encoding="utf-8")
        return 0 if same else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render(results: dict, args, nquads: int, same: bool) -> str:
    lines = [
        f"{args.clients} concurrent keep-alive clients, {args.seconds:g} s per server and query after "
        f"{args.warmup:g} s warm-up, {nquads:,} quads ({'synthetic ' + str(args.synthetic) + ' cities' if args.synthetic else 'seed data'}), "
        f"{os.cpu_count()} CPUs, lcgraph workers {args.workers}. Same answers from every server: {'yes' if same else 'NO'}.",
        "",
        "| query | server | req/s | p50 ms | p99 ms | errors | lcgraph / server |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (qname, name), r in results.items():
        base = results.get((qname, "lcgraph"), {}).get("rps")
        ratio = f"{base / r['rps']:.2f}x" if base and r["rps"] and name != "lcgraph" else ""
        lines.append(
            f"| {qname} | {name} | {r['rps']:.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
