"""Analysis: centrality and brokerage against plain networkx and the plain Python loop.

Two graphs per scale, each built once in a fresh child process, then every measure timed there
(unit "s work": the computation alone, the graph already in memory; the child's peak memory is
the row's):

- ``actors``: the actor graph a user analyses (``lcgraph.analysis.graphs.build_graph("actors",
  store)``: collaborations, memberships, events), built from the synthetic graph of
  ``bench/gen.py`` at the scale, loaded into an in-memory store;
- ``gnm``: a seeded random graph with as many nodes as the scale has cities and five times as
  many edges (``networkx.gnm_random_graph(n, 5 n)``, 20 random groups): 50,000 nodes and
  250,000 edges at L, the size the analysis issue set its targets on.

Measures, ours (``lcgraph.analysis``) against the reference a user would otherwise run:

- brokerage (Gould–Fernandez role counts): vectorised against the plain Python loop
  (``lcgraph.analysis._reference.gould_fernandez_naive``, networkx has none); checked equal;
  target >= 50× at L. Our z-scores (``gould_fernandez_zscores``) are timed too;
- betweenness sampled from 256 sources (seed 0) against ``networkx.betweenness_centrality``
  with the same sources; target < 2 s at L;
- closeness of every node against ``networkx.closeness_centrality``; and ours estimated from
  256 pivots (what ``centrality_table`` runs above 5,000 nodes), with its median and 99th
  percentile relative error against the exact values (networkx has no sampled closeness);
- eigenvector against ``networkx.eigenvector_centrality``;
- Burt's constraint of every node (the indirect term summed on the ties, from the triangles)
  against ``networkx.constraint`` node by node on a sample, scaled; the same for the effective
  size; the values are checked equal on the sample.

A reference that would take longer than the budget (``--cap``, default 120 s) is timed on a
sample (fewer sources, fewer nodes) and scaled linearly: the row says so in its note. The
references run once; ours ``--repeat`` times.

    python bench/bench_analysis.py --scale L --repeat 3
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen
import harness

GROUPS = 20
K = 256
#: closeness (ours) is timed on at most this many nodes at scale, then scaled
SAMPLE = 4096
#: constraint (networkx's, quadratic in a node's degree: the network hubs) on this many nodes
CONSTRAINT_SAMPLE = 500
#: Up to this many nodes networkx's all-node forms of constraint and effective size run too:
#: they square the normalised matrix (effective size into a dense n x n array: 20 GB at 50k)
DENSE_LIMIT = 12_000
TARGETS = {
    "brokerage": ">= 50× naive at L",
    "betweenness": "< 2 s at L (ours)",
}


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call; the result is dropped after the clock stops, as the references' are."""
    out = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - start)
        del result
    return out


def _exact_closeness(G, most: int) -> dict:
    """Exact closeness (ours, tested equal to networkx's) of at most ``most`` random nodes."""
    import numpy as np

    from lcgraph.analysis._arrays import arcs
    from lcgraph.analysis.centrality import _exact_closeness as exact

    data = arcs(G)
    some = sorted(random.Random(2).sample(range(data.n), min(data.n, most)))
    values = exact(data, np.array(some, dtype=np.int64))
    return {data.nodes[i]: value for i, value in zip(some, values.tolist(), strict=True)}


def graphs(scale: str, seed: int, which: list[str]):
    """(name, graph, group attribute) for each graph asked for."""
    import networkx as nx

    if "actors" in which:
        from lcgraph.analysis.brokerage import fill_groups
        from lcgraph.analysis.graphs import build_graph
        from lcgraph.config import Settings
        from lcgraph.store import build

        root = gen.dataset(scale, seed)
        settings = Settings.from_env().with_(root=root)
        store, _ = build(settings, in_memory=True)
        G = build_graph("actors", store, settings)
        del store
        G, _ = fill_groups(G, "region")  # networks and organisations: one "(unknown)" group
        yield "actors", G, "region"
    if "gnm" in which:
        n = gen.SCALES[scale]
        G = nx.gnm_random_graph(n, 5 * n, seed=n)
        rng = random.Random(n)
        nx.set_node_attributes(G, {v: rng.randrange(GROUPS) for v in G}, "g")
        yield "gnm", G, "g"


def measure_graph(name: str, G, attr: str, args, triples: int) -> list[dict]:
    """Time every measure on one graph (ours ``--repeat`` times, the references once)."""
    import networkx as nx

    from lcgraph.analysis import centrality
    from lcgraph.analysis._reference import gould_fernandez_naive
    from lcgraph.analysis.brokerage import (
        constraint,
        effective_size,
        gould_fernandez,
        gould_fernandez_zscores,
    )

    budget = args.cap
    rows: list[dict] = []
    n, m = G.number_of_nodes(), G.number_of_edges()
    label = f"{name} graph ({n:,} nodes, {m:,} edges)"
    print(f"analysis: {label}", file=sys.stderr, flush=True)

    def add(bench, tool, values, ours=False, note="", target="", label=label):
        rows.append(
            harness.row_of(
                values,
                bench=f"{bench} · {name}",
                tool=tool,
                scale=args.scale,
                graph=label,
                triples=triples if name == "actors" else None,
                ours=ours,
                note=note,
                target=target if ours and args.scale == "L" and name == "gnm" else "",
            )
        )

    # brokerage: the vectorised counts against the plain loop; the same answer
    ours = _timed(lambda: gould_fernandez(G, attr), args.repeat)
    start = time.perf_counter()
    reference = gould_fernandez_naive(G, attr)
    naive = time.perf_counter() - start
    if gould_fernandez(G, attr) != reference:
        raise SystemExit("bench_analysis: vectorised and naive brokerage differ")
    add("brokerage", "lcgraph gould_fernandez", ours, True, target=TARGETS["brokerage"])
    add("brokerage", "plain Python loop (naive)", [naive])
    zs = _timed(lambda: gould_fernandez_zscores(G, attr), args.repeat)
    add("brokerage z-scores", "lcgraph gould_fernandez_zscores (counts + z)", zs, True)

    # betweenness from K sources; networkx is linear in the sources: scaled when too slow
    k = min(K, n)
    ours = _timed(lambda: centrality.betweenness(G, k=k, seed=0), args.repeat)
    add(f"betweenness k={k}", "lcgraph betweenness", ours, True, target=TARGETS["betweenness"])
    probe = _timed(lambda: nx.betweenness_centrality(G, k=min(8, k), seed=0), 1)[0]
    if probe * k / min(8, k) <= budget:
        ref = _timed(lambda: nx.betweenness_centrality(G, k=k, seed=0), 1)
        add(f"betweenness k={k}", "networkx betweenness_centrality", ref)
    else:
        small = min(32, k)
        ref = _timed(lambda: nx.betweenness_centrality(G, k=small, seed=0), 1)[0]
        add(
            f"betweenness k={k}",
            "networkx betweenness_centrality",
            [ref * k / small],
            note=f"timed with k={small} sources, scaled to k={k}",
        )

    # closeness: one BFS per node; sampled and scaled when the whole would be too slow
    nodes = list(G)
    sample = random.Random(0).sample(nodes, min(n, 200))
    per = _timed(lambda: [nx.closeness_centrality(G, u=v) for v in sample], 1)[0] / len(sample)
    if per * n <= budget:
        ref, note = _timed(lambda: nx.closeness_centrality(G), 1), ""
    else:
        ref, note = [per * n], f"timed on {len(sample)} nodes, scaled to {n:,}"
    if per * n <= 4 * budget or n <= SAMPLE:
        ours, ours_note = _timed(lambda: centrality.closeness(G), args.repeat), ""
    else:
        from lcgraph.analysis._arrays import arcs
        from lcgraph.analysis._paths import distance_sums

        data = arcs(G)
        some = random.Random(1).sample(range(n), SAMPLE)
        ours = [t * n / SAMPLE for t in _timed(lambda: distance_sums(data, some), 1)]
        ours_note = f"timed on {SAMPLE:,} nodes, scaled to {n:,}"
    add("closeness (all nodes)", "lcgraph closeness", ours, True, note=ours_note)
    add("closeness (all nodes)", "networkx closeness_centrality", ref, note=note)
    if n > k and G.number_of_edges():  # the estimate from k pivots, its error against exact
        estimated = _timed(lambda: centrality.closeness(G, k=k, seed=0), args.repeat)
        estimate = centrality.closeness(G, k=k, seed=0)
        errors = sorted(
            abs(estimate[v] - x) / x for v, x in _exact_closeness(G, SAMPLE).items() if x > 0
        ) or [0.0]
        note = (
            f"{k} pivots (seed 0); relative error against the exact values: median "
            f"{errors[len(errors) // 2]:.1%}, 99th percentile {errors[int(len(errors) * 0.99)]:.1%}"
        )
        add(
            "closeness (all nodes)",
            f"lcgraph closeness, k={k} estimate",
            estimated,
            True,
            note=note,
        )

    # eigenvector
    ours = _timed(lambda: centrality.eigenvector(G, max_iter=1000), args.repeat)
    ref = _timed(lambda: nx.eigenvector_centrality(G, max_iter=1000), 1)
    add("eigenvector", "lcgraph eigenvector", ours, True)
    add("eigenvector", "networkx eigenvector_centrality", ref)

    # Burt's measures: ours on every node; networkx node by node on a sample sized to the
    # budget, scaled (its per-node effective size copies the graph for each node), and its
    # all-node form where it fits (it squares the whole matrix, which hubs make dense; effective
    # size becomes a dense n x n array); values checked equal on the sample
    for bench, ours_fn, theirs_fn, seed in (
        ("constraint", constraint, nx.constraint, 2),
        ("effective size", effective_size, nx.effective_size, 3),
    ):
        ours = _timed(lambda f=ours_fn: f(G), args.repeat)
        probe = random.Random(seed).sample(nodes, min(n, 3))
        per = _timed(lambda f=theirs_fn, p=probe: f(G, nodes=p), 1)[0] / len(probe)
        size = max(len(probe), min(n, CONSTRAINT_SAMPLE, int(budget / 4 / max(per, 1e-9))))
        some = random.Random(seed).sample(nodes, size)
        ref = _timed(lambda f=theirs_fn, s=some: f(G, nodes=s), 1)[0] * n / len(some)
        values, expected = ours_fn(G), theirs_fn(G, nodes=some)
        if any(
            not math.isclose(values[v], expected[v], rel_tol=1e-9, abs_tol=1e-12)
            for v in some
            if not (math.isnan(values[v]) and math.isnan(expected[v]))
        ):
            raise SystemExit(f"bench_analysis: {bench} differs from networkx")
        note = f"timed on {len(some):,} random nodes, scaled to {n:,}" if len(some) < n else ""
        fn = theirs_fn.__name__
        add(bench, f"lcgraph {fn} (all nodes)", ours, True)
        add(bench, f"networkx {fn} (per node)", [ref], note=note)
        if n <= DENSE_LIMIT:
            add(bench, f"networkx {fn} (all nodes)", _timed(lambda f=theirs_fn: f(G), 1))
    return rows


def child(args) -> int:
    """Build the graphs and time every measure; write rows to ``--child-out``."""
    rows: list[dict] = []
    manifest = json.loads((gen.dataset(args.scale, args.seed) / "gen.json").read_text())
    triples = manifest["triples"]
    for name, G, attr in graphs(args.scale, args.seed, args.graph):
        rows += measure_graph(name, G, attr, args, triples)
    args.child_out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.standard_args(parser)
    parser.add_argument(
        "--cap",
        type=float,
        # run.py's --cap is for whole-process peers; a reference here is scaled past 2 minutes
        default=min(harness.cap(120), 120),
        help="budget of a reference run, s",
    )
    parser.add_argument("--graph", nargs="+", choices=["actors", "gnm"], default=["actors", "gnm"])
    # one fresh child per graph, as the docstring says: a graph timed in a process that also
    # held the other one (1 GB at L) ran ~20% slower (scattered Python objects, page faults)
    return harness.main_in_child(
        parser, argv, child, __file__, notes, split=lambda a: [["--graph", g] for g in a.graph]
    )


def notes(rows: list[dict]) -> str:
    graphs_seen = sorted({row["graph"] for row in rows})
    return (
        "Graphs: " + "; ".join(graphs_seen) + ". GPU (nx-cugraph): not run, no GPU machine was "
        "lent to this task (the device tool's status: can_start_another false)."
    )


if __name__ == "__main__":
    sys.exit(main())
