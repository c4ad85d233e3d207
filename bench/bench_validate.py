"""Validation: ``lcgraph validate --engine fast`` against plain pySHACL, on the same shapes.

Data: the synthetic graph of ``bench/gen.py`` at the given scale, which conforms to the shapes,
so every tool does the whole work and says "conforms" (each run must exit 0). Each tool runs
in a fresh process:

- ``lcgraph validate --engine fast``: the shapes compiled to SPARQL on pyoxigraph
  (:mod:`lcgraph.validate_fast`), data loaded from the files;
- ``lcgraph validate --engine pyshacl``: the reference engine as lcgraph runs it (scales up to
  S only: it is plain pySHACL plus lcgraph's report);
- ``pySHACL (plain)``: what a user of pySHACL does: parse the data files and the ontology with
  rdflib, parse the shapes, ``pyshacl.validate(..., advanced=True)``.

pySHACL takes minutes at S and hours at L, so a peer's run stops at ``--cap`` seconds and is
reported as a lower bound (">="); its ratio is a lower bound too.

    python bench/bench_validate.py --scale L --repeat 3 --cap 900
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen
import harness


def child_pyshacl(root: Path) -> int:
    """Plain pySHACL over the data files, the ontology and the shapes; exit 0 if it conforms."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    for path in sorted((root / "data").glob("*.trig")):
        ds = rdflib.Dataset()
        ds.parse(path, format="trig")
        for s, p, o, _ in ds.quads((None, None, None, None)):
            data.add((s, p, o))
    data.parse(root / "ontology" / "lcc.ttl", format="turtle")
    shapes = rdflib.Graph()
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    conforms, _, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    print(json.dumps({"conforms": bool(conforms), "triples": len(data)}))
    return 0 if conforms else 1


def bench(args) -> list[dict]:
    root = gen.dataset_in_subprocess(args.scale, args.seed)
    manifest = json.loads((root / "gen.json").read_text(encoding="utf-8"))
    env = harness.env(LCGRAPH_ROOT=str(root))
    py = harness.python()
    common = {"bench": "validate", "scale": args.scale, "triples": manifest["triples"]}
    rows = [
        harness.measure(
            [py, "-m", "lcgraph", "validate", "--engine", "fast"],
            repeat=args.repeat,
            env=env,
            tool="lcgraph validate --engine fast",
            ours=True,
            target=">= 10× pySHACL at L",
            repeat_below=120,
            **common,
        )
    ]
    if gen.SCALES[args.scale] <= gen.SCALES["S"]:
        rows.append(
            harness.measure(
                [py, "-m", "lcgraph", "validate", "--engine", "pyshacl"],
                repeat=args.repeat,
                env=env,
                timeout=args.cap,
                repeat_below=120,
                tolerate_failure=True,
                tool="lcgraph validate --engine pyshacl",
                **common,
            )
        )
    rows.append(
        harness.measure(
            [py, str(Path(__file__).resolve()), "--child", str(root)],
            repeat=args.repeat,
            env=env,
            timeout=args.cap,
            repeat_below=120,
            tolerate_failure=True,
            tool=f"pySHACL {harness.versions().get('pyshacl', '')} (plain)",
            **common,
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.standard_args(parser)
    parser.add_argument(
        "--cap", type=float, default=harness.cap(900), help="stop a pySHACL run after S s"
    )
    parser.add_argument("--child", type=Path, help="(internal) run plain pySHACL on this root")
    args = parser.parse_args(argv)
    if args.child:
        return child_pyshacl(args.child)
    rows = bench(args)
    harness.report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
