"""Web UI page times: each page of ``lcgraph serve`` on the seed graph and on a synthetic one.

Starts a real ``lcgraph serve`` on 127.0.0.1 (store built on disk first) for the project's seed
graph (``data/``) and for the scale's synthetic graph (bench/gen.py), and requests each page:
the **first** request (which computes what the page caches per store generation: counts,
search index, analysis tables, the figure, the match catalogue) and then ``--repeat`` x 10
**warm** requests over one keep-alive connection, reported as median and 95th percentile.
The server runs with its background warm-up off (``LCGRAPH_WARM_UP=0``), so that the first
request measures that computation; a server with the warm-up (the default) computes the same
values after start and after each change, and its visitors see the warm times
(``GET /api/status`` shows the warm-up's steps and their times).
Times are taken by the client over loopback, so they bound the server-side time from above
(loopback and parsing add well under a millisecond).

A request slower than the cap (``LCGRAPH_BENCH_CAP``, default 120 s) is reported as ``>=`` the
cap and not repeated. This module writes Markdown only (no fresh-process rows: a page's time
is not a process's).

    python bench/bench_ui.py --scale S --repeat 3 --markdown /tmp/ui.md
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

ROOT = Path(__file__).resolve().parent.parent


def server_env(root: Path | None, store: Path) -> dict[str, str]:
    extra = {"LCGRAPH_STORE": str(store), "LCGRAPH_WORKERS": "1", "LCGRAPH_WARM_UP": "0"}
    if root is not None:
        extra["LCGRAPH_ROOT"] = str(root)
    return harness.env(**extra)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    # pages as a browser asks for them; the JSON/SVG APIs with their own types
    accept = "*/*" if path.startswith("/api/") else "text/html"
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, body


def a_city(base: str) -> tuple[str, str]:
    """(slug, label) of the first city of the served graph, by IRI."""
    query = """SELECT ?c ?l WHERE { ?c a <https://w3id.org/lcc/ontology#City> ;
                 <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?c LIMIT 1"""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    conn.request(
        "GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "application/json"}
    )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(
            f"bench_ui: the first-city query failed ({response.status}): {body[:300]!r}"
        )
    row = json.loads(body)["results"]["bindings"][0]
    return row["c"]["value"].rsplit("/", 1)[-1], row["l"]["value"]


def pages(slug: str, label: str) -> list[tuple[str, str]]:
    name = quote(label)
    return [
        ("home", "/"),
        ("search", f"/search?q={name}"),
        ("entity page", f"/page/city/{slug}"),
        ("query", "/query"),
        ("saved query (API)", f"/api/queries/search?text={name}"),
        ("peer match", f"/match?city={slug}"),
        ("network", "/network"),
        ("network figure (SVG)", "/api/analysis/figure.svg"),
    ]


def measure_pages(base: str, slug: str, label: str, warm: int, cap: float) -> list[dict]:
    parts = urlsplit(base)
    rows = []
    for page, path in pages(slug, label):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=cap)
        row = {"page": page, "path": path, "capped": False, "warm": []}
        try:
            row["first"], row["status"], body = get(conn, path)
            row["bytes"] = len(body)
            for _ in range(warm):
                row["warm"].append(get(conn, path)[0])
        except TimeoutError:
            row["capped"] = True
        finally:
            conn.close()
        rows.append(row)
    return rows


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def table(title: str, rows: list[dict], cap: float) -> str:
    lines = [
        f"**{title}**",
        "",
        "| page | path | status | first (ms) | warm median (ms) | warm p95 (ms) | n | KB |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["capped"] and "first" not in r:
            lines.append(f"| {r['page']} | `{r['path']}` | - | >= {_ms(cap)} | | | 0 | |")
            continue
        warm = sorted(r["warm"])
        median = _ms(statistics.median(warm)) if warm else ""
        p95 = _ms(warm[min(len(warm) - 1, int(0.95 * len(warm)))]) if warm else ""
        lines.append(
            f"| {r['page']} | `{r['path']}` | {r['status']} | {_ms(r['first'])} | {median} "
            f"| {p95} | {len(warm)} | {r['bytes'] / 1024:.0f} |"
        )
    return "\n".join(lines)


def run_one(title: str, root: Path | None, warm: int, cap: float, seed_city: tuple | None) -> str:
    with tempfile.TemporaryDirectory(prefix="lcgraph-bench-ui-") as tmp:
        from lcgraph.web.launch import running_server

        store = Path(tmp) / "store"
        env = server_env(root, store)
        # the store built on disk first, as `make run` does (a server without one builds it in
        # memory and hands each worker a snapshot: at L the first queries outlast the timeout)
        import subprocess

        subprocess.run(
            [harness.python(), "-m", "lcgraph", "build"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = time.perf_counter()
        with running_server(env=env, cwd=ROOT, start_timeout=1800) as (base, _proc, _lines):
            ready = time.perf_counter() - started
            slug, label = seed_city or a_city(base)
            rows = measure_pages(base, slug, label, warm, cap)
    return table(f"{title} (server ready in {ready:.1f} s; city: {label})", rows, cap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.standard_args(parser)
    args = parser.parse_args(argv)
    cap = harness.cap(120.0)
    warm = max(1, args.repeat) * 10
    import gen

    sections = [
        "Web UI page times (client-side over loopback; an upper bound of the server-side time).",
        "",
        run_one("Seed graph (data/)", None, warm, cap, ("tokyo", "Tokyo")),
        "",
    ]
    root = gen.dataset_in_subprocess(args.scale, args.seed)
    sections += [run_one(f"Synthetic graph, scale {args.scale}", root, warm, cap, None), ""]
    text = "\n".join(sections)
    if args.json:
        args.json.write_text("[]\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
