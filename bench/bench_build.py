"""Load and build: ``lcgraph build`` against rdflib's ``Dataset.parse``, side by side.

Data: the synthetic graph of ``bench/gen.py`` at the given scale (generated once, reused).
Each tool runs in a fresh process, ``--repeat`` times:

- ``lcgraph build``: the CLI, parsing every data file and the ontology into a new on-disk
  pyoxigraph store (streamed in batches, swapped in atomically), then counting triples per graph
  and entities per class for its summary;
- ``lcgraph build --in-memory``: the same into an in-memory store (no RocksDB writes);
- ``rdflib Dataset.parse``: what a user of plain rdflib does, parsing the same files into one
  ``rdflib.Dataset``;

and, as bench ``reopen`` (what every later session pays before its first answer): a new process
that opens the built store and counts the cities with SPARQL, against rdflib parsing the files
again and running the same query.

    python bench/bench_build.py --scale L --repeat 3 --markdown /tmp/build-L.md
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen
import harness

COUNT_CITIES = (
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/lcc/ontology#City> }"
)


def child_rdflib(root: Path, query: bool) -> int:
    """Parse the data files with rdflib (and run the count); print the sizes."""
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    for path in sorted((root / "data").glob("*.trig")):
        ds.parse(path, format="trig")
    ds.parse(root / "ontology" / "lcc.ttl", format="turtle", publicID=None)
    out = {"quads": len(ds)}
    if query:
        out["cities"] = int(next(iter(ds.query(COUNT_CITIES)))[0])
    print(json.dumps(out))
    return 0


def child_open(store: Path) -> int:
    """Open a built store read-only and run the count (the union of the named graphs)."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store))
    rows = st.query(COUNT_CITIES, use_default_graph_as_union=True)
    print(json.dumps({"cities": int(next(iter(rows))["n"].value)}))
    return 0


def bench(args) -> list[dict]:
    root = gen.dataset_in_subprocess(args.scale, args.seed)
    manifest = json.loads((root / "gen.json").read_text(encoding="utf-8"))
    triples = manifest["triples"]
    env = harness.env(LCGRAPH_ROOT=str(root))
    py = harness.python()
    me = str(Path(__file__).resolve())
    work = Path(tempfile.mkdtemp(prefix="lcgraph-bench-build-"))
    store = work / "store"
    common = {"scale": args.scale, "triples": triples}
    rows = []
    try:

        def clean() -> None:
            shutil.rmtree(store, ignore_errors=True)

        rows.append(
            harness.measure(
                [py, "-m", "lcgraph", "build", "-q", "--store", str(store)],
                repeat=args.repeat,
                env=env,
                setup=clean,
                bench="build",
                tool="lcgraph build (on disk)",
                ours=True,
                target=">= 10× rdflib at L; peak <= 500 MB",
                **common,
            )
        )
        rows.append(
            harness.measure(
                [py, "-m", "lcgraph", "build", "-q", "--in-memory"],
                repeat=args.repeat,
                env=env,
                bench="build",
                tool="lcgraph build --in-memory",
                ours=True,
                **common,
            )
        )
        rows.append(
            harness.measure(
                [py, me, "--child", "rdflib", str(root)],
                repeat=args.repeat,
                env=env,
                timeout=args.cap,
                tolerate_failure=True,
                bench="build",
                tool="rdflib Dataset.parse",
                **common,
            )
        )
        # the store of the last build stays for the reopen bench
        rows.append(
            harness.measure(
                [py, me, "--child", "open", str(store)],
                repeat=args.repeat,
                env=env,
                bench="reopen",
                tool="lcgraph store: open + count cities",
                ours=True,
                **common,
            )
        )
        rows.append(
            harness.measure(
                [py, me, "--child", "rdflib-query", str(root)],
                repeat=args.repeat,
                env=env,
                timeout=args.cap,
                tolerate_failure=True,
                bench="reopen",
                tool="rdflib: parse + count cities",
                **common,
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.standard_args(parser)
    parser.add_argument(
        "--cap", type=float, default=harness.cap(1800), help="stop a peer's run after S s"
    )
    parser.add_argument("--child", choices=["rdflib", "rdflib-query", "open"], help="(internal)")
    parser.add_argument("path", nargs="?", type=Path, help="(internal)")
    args = parser.parse_args(argv)
    if args.child == "open":
        return child_open(args.path)
    if args.child:
        return child_rdflib(args.path, query=args.child == "rdflib-query")
    rows = bench(args)
    harness.report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
