"""Cold start: ``lcgraph --help`` in a fresh process, against eager imports of the heavy modules.

``lcgraph --help`` must answer in under 0.3 s: the CLI imports click and its own table of
commands, and each subcommand's module (with rdflib, pySHACL, networkx, FastAPI...) only when
that subcommand runs. Beside it: a bare ``python -c pass`` (the floor) and what ``--help`` would
cost if the CLI imported those modules at its top (the peer). The data scale does not matter
here; rows carry scale ``-``.

    python bench/bench_cli.py --repeat 20
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

EAGER = "import click, rdflib, pyshacl, pyoxigraph, networkx, fastapi, lcgraph.cli"


def bench(args) -> list[dict]:
    py = harness.python()
    env = harness.env()
    common = {"bench": "cold start", "scale": "-"}
    return [
        harness.measure(
            [py, "-m", "lcgraph", "--help"],
            repeat=args.repeat,
            env=env,
            tool="lcgraph --help",
            ours=True,
            target="< 0.3 s",
            **common,
        ),
        harness.measure(
            [py, "-c", "pass"], repeat=args.repeat, env=env, tool="python -c pass (floor)", **common
        ),
        harness.measure(
            [py, "-c", EAGER],
            repeat=args.repeat,
            env=env,
            tool="eager imports (rdflib, pyshacl, networkx, fastapi...)",
            **common,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.standard_args(parser)
    args = parser.parse_args(argv)
    rows = bench(args)
    harness.report(rows, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
