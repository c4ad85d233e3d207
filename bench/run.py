"""Run every benchmark module in fresh processes and write ``bench/RESULTS.md``.

Discovers ``bench/bench_*.py`` (bench/README.md gives the interface they follow), runs each
once per scale as ``python bench/bench_X.py --scale SCALE --repeat N --json F --markdown F``,
each in a new process, and writes one results file: the machine, versions, the commands, and
for every module its rows with ratios against lcgraph's row of the same bench and scale, then
the module's own notes. A module that fails is reported with its last lines; the others go on.

    python bench/run.py                        # S, M and L, 3 runs each: what make bench does
    python bench/run.py --scale S --repeat 1   # the smoke run of tests/test_bench_smoke.py
    python bench/run.py --only build validate --scale L --cap 900
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

BENCH = Path(__file__).resolve().parent
#: Modules whose numbers do not depend on the data scale: run once, at the first scale.
SCALE_FREE = {"cli"}


def discover(only: list[str] | None = None) -> list[Path]:
    """The benchmark modules, ``bench/bench_<name>.py``, by name (or only the named ones)."""
    found = sorted(BENCH.glob("bench_*.py"))
    if only:
        wanted = set(only)
        found = [p for p in found if p.stem.removeprefix("bench_") in wanted]
        missing = wanted - {p.stem.removeprefix("bench_") for p in found}
        if missing:
            raise SystemExit(f"run.py: no bench module named {', '.join(sorted(missing))}")
    return found


def run_module(path: Path, scale: str, repeat: int, cap: float | None, timeout: float) -> dict:
    """Run one module at one scale in a new process; return its rows, notes and status."""
    with tempfile.TemporaryDirectory(prefix="lcgraph-bench-") as tmp:
        json_path, md_path = Path(tmp) / "rows.json", Path(tmp) / "table.md"
        cmd = [
            harness.python(),
            str(path),
            "--scale",
            scale,
            "--repeat",
            str(repeat),
            "--json",
            str(json_path),
            "--markdown",
            str(md_path),
        ]
        extra = {"LCGRAPH_BENCH_CAP": str(cap)} if cap else {}
        load = round(os.getloadavg()[0], 2)  # the load this module started under
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        start = time.perf_counter()
        _seconds, peak, code, timed_out, tail = harness.run_once(
            cmd, env=harness.env(**extra), timeout=timeout
        )
        rows, problem = read_rows(json_path)
        notes = md_path.read_text(encoding="utf-8", errors="replace") if md_path.is_file() else ""
    status = "ok" if code == 0 and not timed_out else ("timed out" if timed_out else f"exit {code}")
    if problem and status == "ok":
        status = f"malformed rows: {problem}"
    return {
        "module": path.stem,
        "scale": scale,
        "command": " ".join(["python", *(harness._show(c) for c in cmd[1:6])]),
        "status": status,
        "seconds": round(time.perf_counter() - start, 1),
        "rows": rows,
        "notes": notes,
        "tail": tail if status != "ok" else "",
        "peak_mb": round(peak, 1),
        "load": load,
        "cap": cap,
        "started": started,
    }


def read_rows(path: Path) -> tuple[list[dict], str | None]:
    """A module's rows and, when they break the interface, why (the rows are then dropped).

    A module that wrote nothing has no rows and no problem: its Markdown, if any, is shown.
    """
    if not path.is_file():
        return [], None
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], f"not JSON ({exc})"
    problem = harness.check_rows(rows)
    return ([], problem) if problem else (rows, None)


def render(results: list[dict], args, started: str, machine: dict, versions: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python bench/run.py` (`make bench`); do not edit by hand, re-run it. "
        "What each benchmark compares, and how, is in bench/README.md and each module's "
        "docstring. Times are wall-clock seconds of a whole fresh process (start, imports, "
        "work, exit); peak MB is that process's maximum resident memory. `× slower than "
        "lcgraph` is a tool's median over lcgraph's median in the same bench and scale; "
        "'>=' marks a run stopped at its time cap (a lower bound).",
        "",
        "## Run",
        "",
        f"- started: {started}; command: `python bench/run.py {' '.join(args.argv)}`".rstrip(),
        f"- machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['os']}, Python {machine['python']}",
        (
            f"- merged from the runs saved in {', '.join(p.name for p in args.merge)}: each "
            "module's line gives when it ran, its load average at the start and its cap"
            if args.merge
            else f"- load average when it started: {', '.join(map(str, machine['load_average']))}"
            " (the machine is shared; timings move with the load)"
        ),
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- data: bench/gen.py (seed 42): "
        + "; ".join(f"{s}: {d}" for s, d in _data_sizes(args.scale).items()),
        "",
    ]
    by_module: dict[str, list[dict]] = {}
    for result in results:
        by_module.setdefault(result["module"], []).append(result)
    for module, parts in by_module.items():
        lines += [f"## {module}", ""]
        rows = [row for part in parts for row in part["rows"]]
        if rows:
            lines.append(harness.markdown_table(rows))
        for part in parts:
            lines.append(
                f"- `{part['command']}` ({part['scale']}): {part['status']}, {part['seconds']} s"
                + (f", started {part['started']}" if "started" in part else "")
                + (f", load average {part['load']} at its start" if "load" in part else "")
                + (f", peers capped at {part['cap']:g} s" if part.get("cap") else "")
            )
            if part["tail"]:
                lines += ["", "```", part["tail"], "```"]
        if not rows:  # a module that wrote no JSON rows: its own Markdown report
            lines += ["", *(p["notes"] for p in parts if p["notes"])]
        else:  # the notes a module wrote under its table, per scale
            for part in parts:
                _, mark, notes = part["notes"].partition(harness.NOTES_MARK)
                if mark and notes.strip():
                    lines += ["", f"{part['scale']}: {notes.strip()}"]
        lines.append("")
    import targets

    lines += [
        "## Targets",
        "",
        "The issue's targets against this run's rows (bench/targets.py). A lower bound ('>=') "
        "comes from a peer stopped at its cap; 'not shown' means the cap came first.",
        "",
        targets.table(results),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _data_sizes(scales: list[str]) -> dict[str, str]:
    import gen

    out = {}
    for scale in scales:
        stamp = gen.OUT / f"gen-{scale}-s42" / "gen.json"
        if stamp.is_file():
            manifest = json.loads(stamp.read_text())
            out[scale] = f"{manifest['cities']:,} cities, {manifest['triples']:,} triples"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", nargs="+", default=["S", "M", "L"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", help="only these modules (bench_<name>.py)")
    parser.add_argument("--cap", type=float, help="stop a peer's run after S s (LCGRAPH_BENCH_CAP)")
    parser.add_argument(
        "--timeout", type=float, default=4 * 3600, help="stop a whole module run after S s"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every result as JSON here")
    parser.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        default=[],
        help="results (--json) of earlier runs to add; a later one replaces a module and scale",
    )
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine, versions = harness.machine(), harness.versions()
    results = []
    for earlier in args.merge:  # a later file's (module, scale) replaces an earlier one's
        for result in json.loads(earlier.read_text(encoding="utf-8")):
            key = (result["module"], result["scale"])
            results = [r for r in results if (r["module"], r["scale"]) != key] + [result]
    for path in discover(args.only) if not (args.merge and not args.only) else []:
        name = path.stem.removeprefix("bench_")
        scales = args.scale[:1] if name in SCALE_FREE else args.scale
        for scale in scales:
            print(f"run.py: {path.name} --scale {scale}", file=sys.stderr, flush=True)
            result = run_module(path, scale, args.repeat, args.cap, args.timeout)
            print(f"run.py:   {result['status']} in {result['seconds']} s", file=sys.stderr)
            results.append(result)
    if args.json:  # first: the measurements survive whatever happens to the rendering
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    args.out.write_text(render(results, args, started, machine, versions), encoding="utf-8")
    print(f"run.py: wrote {args.out}", file=sys.stderr)
    failed = [r for r in results if r["status"] != "ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
