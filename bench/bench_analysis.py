"""Benchmark: centrality and brokerage at 1k, 10k and 50k nodes, against plain networkx and the
plain Python brokerage loop, side by side in one run.

Graphs are seeded random graphs (``networkx.gnm_random_graph(n, 5 n)``, undirected: 50k nodes
and 250k edges at the top) with a random group attribute (20 groups). Each timing is the best
of ``--repeat`` runs (wall clock); the slow references run once. Where a reference would take
more than ``--budget`` seconds it is timed on a sample and scaled up, and the row says so:

* networkx betweenness with k sources is linear in k: timed with fewer sources;
* closeness (ours and networkx's) is linear in the number of nodes it is computed for: timed on
  a sample of nodes.

The vectorised brokerage is checked equal to the plain loop on every graph it is timed on.

Usage::

    python bench/bench_analysis.py --scale 1k,10k,50k --repeat 3 [--out bench/analysis-results.md]

``main(argv)`` returns the Markdown table, for the bench harness (``bench/run.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx

from lcgraph.analysis import centrality
from lcgraph.analysis._reference import gould_fernandez_naive
from lcgraph.analysis.brokerage import gould_fernandez, gould_fernandez_zscores

SIZES = {"1k": 1_000, "10k": 10_000, "50k": 50_000}
GROUPS = 20
K = 256


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def graph(n: int) -> nx.Graph:
    G = nx.gnm_random_graph(n, 5 * n, seed=n)
    rng = random.Random(n)
    nx.set_node_attributes(G, {v: rng.randrange(GROUPS) for v in G}, "g")
    return G


def rows_for(n: int, repeat: int, budget: float, log) -> list[dict]:
    G = graph(n)
    m = G.number_of_edges()
    rows = []

    def row(measure, ours, reference, naive=None, note=""):
        base = naive if naive is not None else reference
        rows.append(
            {
                "measure": measure,
                "nodes": n,
                "edges": m,
                "lcgraph": ours,
                "networkx": reference,
                "naive": naive,
                "speedup": base / ours if base and ours else None,
                "note": note,
            }
        )
        log(f"  {measure}: {ours:.3f} s vs {base:.3f} s")

    log(f"n = {n:,}, m = {m:,}")
    # brokerage: vectorised vs the plain Python loop (networkx has no brokerage)
    ours = best(lambda: gould_fernandez(G, "g"), repeat)
    start = time.perf_counter()
    reference = gould_fernandez_naive(G, "g")
    naive = time.perf_counter() - start
    assert gould_fernandez(G, "g") == reference, "vectorised and naive brokerage differ"
    row("brokerage (raw counts)", ours, None, naive)
    ours_z = best(lambda: gould_fernandez_zscores(G, "g"), repeat)
    row("brokerage + sna z-scores", ours_z, None, naive, "naive: raw counts only")

    # betweenness sampled from K sources
    k = min(K, n)
    ours = best(lambda: centrality.betweenness(G, k=k, seed=0), repeat)
    estimate = best(lambda: nx.betweenness_centrality(G, k=8, seed=0), 1) * k / 8
    if estimate <= budget:
        reference, note = best(lambda: nx.betweenness_centrality(G, k=k, seed=0), 1), ""
    else:
        small = 32
        reference = best(lambda: nx.betweenness_centrality(G, k=small, seed=0), 1) * k / small
        note = f"networkx timed with k={small}, scaled to k={k}"
    row(f"betweenness (k={k}, seed 0)", ours, reference, note=note)

    # closeness: every node's BFS; sampled when the full run is over budget
    sample = random.Random(0).sample(list(G), min(n, 200))
    per_node = best(lambda: [nx.closeness_centrality(G, u=v) for v in sample], 1) / len(sample)
    if per_node * n <= budget:
        reference, note = best(lambda: nx.closeness_centrality(G), 1), ""
    else:
        reference, note = per_node * n, f"networkx timed on {len(sample)} nodes, scaled"
    if n <= 10_000:
        ours = best(lambda: centrality.closeness(G), repeat)
    else:
        from lcgraph.analysis._arrays import arcs
        from lcgraph.analysis._paths import distance_sums

        data = arcs(G)
        some = random.Random(1).sample(range(n), 4096)
        ours = best(lambda: distance_sums(data, some), 1) * n / len(some)
        note = (note + "; " if note else "") + "lcgraph timed on 4096 nodes, scaled"
    row("closeness (all nodes)", ours, reference, note=note)

    # eigenvector
    ours = best(lambda: centrality.eigenvector(G, max_iter=1000), repeat)
    reference = best(lambda: nx.eigenvector_centrality(G, max_iter=1000), 1)
    row("eigenvector", ours, reference)
    return rows


def markdown(rows: list[dict]) -> str:
    def s(value):
        return "–" if value is None else f"{value:.3f}"

    lines = [
        "| measure | nodes | edges | lcgraph (s) | networkx (s) | naive Python (s) | speed-up | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        speed = "–" if r["speedup"] is None else f"{r['speedup']:.0f}×"
        lines.append(
            f"| {r['measure']} | {r['nodes']:,} | {r['edges']:,} | {s(r['lcgraph'])} | "
            f"{s(r['networkx'])} | {s(r['naive'])} | {speed} | {r['note']} |"
        )
    machine = f"{platform.python_implementation()} {platform.python_version()}, "
    machine += f"networkx {nx.__version__}, {os.cpu_count()} CPU(s), {platform.machine()}"
    lines += ["", f"Measured with {machine}; speed-up against the naive loop where there is one."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description="centrality and brokerage benchmark")
    parser.add_argument("--scale", default="1k,10k,50k", help="sizes: 1k,10k,50k or numbers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per reference run")
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    sizes = [SIZES.get(s) or int(s) for s in args.scale.split(",") if s]

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    rows = []
    for n in sizes:
        rows += rows_for(n, max(1, args.repeat), args.budget, log)
    table = markdown(rows)
    if args.out:
        Path(args.out).write_text(table, encoding="utf-8")
    print(table, end="")
    return table


if __name__ == "__main__":
    main()
