"""The issue's targets, read off the result rows: the measured value, met or not.

``bench/run.py`` ends ``RESULTS.md`` with :func:`table`. Each target names the rows it reads
(bench, tool, scale); a target whose rows are missing (the scale was not run, the module
failed) says so instead of guessing. A peer stopped at its cap gives a lower bound: the target
is met when the bound already clears it, and "not shown" when it does not (the peer was not
given the time to show it).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import harness

Verdict = tuple[str, str]  # (measured, met / not met / ...)


def _rows(results: list[dict]) -> list[dict]:
    return harness.ratios([row for result in results for row in result.get("rows", [])])


def _find(rows: list[dict], bench: str, tool: str, scale: str, unit: str | None = None):
    for row in rows:
        if (
            row.get("bench") == bench
            and str(row.get("tool", "")).startswith(tool)
            and row.get("scale") == scale
            and (unit is None or row.get("unit", "s") == unit)
        ):
            return row
    return None


def _ratio_target(bench: str, tool: str, need: float, scale: str = "L", unit: str | None = None):
    def check(rows: list[dict]) -> Verdict | None:
        row = _find(rows, bench, tool, scale, unit)
        if row is None or row.get("ratio") is None:
            return None
        value, capped = row["ratio"], row.get("capped", False)
        shown = f"{'>= ' if capped else ''}{value:,.1f}× ({scale})"
        if value >= need:
            return shown, "met"
        return shown, "not shown (peer capped)" if capped else "not met"

    return check


def _value_target(bench: str, tool: str, key: str, limit: float, unit: str, scale: str = "L"):
    def check(rows: list[dict]) -> Verdict | None:
        row = _find(rows, bench, tool, scale)
        if row is None:
            return None
        value = row[key]
        return f"{value:,.3g} {unit} ({scale})", "met" if value < limit else "not met"

    return check


def _queries(rows: list[dict]) -> Verdict | None:
    def peers_at(scale: str) -> list[dict]:
        return [
            r
            for r in rows
            if r.get("bench", "").startswith("query ")
            and r.get("bench") != "query load"
            and r.get("tool") == "rdflib"
            and r.get("scale") == scale
            and r.get("ratio") is not None
        ]

    everywhere = {r["bench"][6:] for scale in ("S", "M", "L") for r in peers_at(scale)}
    for scale in ("L", "M", "S"):
        peers = peers_at(scale)
        if peers:
            ratios = [r["ratio"] for r in peers]
            low = [r["bench"][6:] for r in peers if r["ratio"] < 10]
            missing = sorted(everywhere - {r["bench"][6:] for r in peers})
            shown = (
                f"{sum(x >= 10 for x in ratios)} of {len(ratios)} queries >= 10×, median "
                f"{statistics.median(ratios):,.0f}×, lowest {min(ratios):,.1f}× ({scale})"
            )
            if scale != "L":
                shown += "; L not measured in this run"
            if missing:
                shown += f"; not run at {scale}: {', '.join(missing)}"
            if low:
                return shown + "; below: " + ", ".join(low), "not met"
            if missing:
                return shown, f"met for {len(ratios)} of {len(everywhere)}; not shown for the rest"
            return shown, "met" if scale == "L" else f"met at {scale}"
    return None


def _http(query: str, tool: str, need: float) -> Callable:
    """lcgraph's requests/s over the peer's (the ratio of a req/s row) >= ``need``."""
    return _ratio_target(f"http {query}", tool, need, unit="req/s")


TARGETS: list[tuple[str, Callable[[list[dict]], Verdict | None]]] = [
    (
        "build: `lcgraph build` >= 10× rdflib `Dataset.parse` at L",
        _ratio_target("build", "rdflib Dataset.parse", 10),
    ),
    (
        "build: peak memory <= 500 MB at L",
        lambda rows: (
            None
            if (r := _find(rows, "build", "lcgraph build (on disk)", "L")) is None
            else (f"{r['peak_mb']:,.0f} MB (L)", "met" if r["peak_mb"] <= 500 else "not met")
        ),
    ),
    (
        "validation: `lcgraph validate` >= 10× plain pySHACL at L",
        _ratio_target("validate", "pySHACL", 10),
    ),
    ("saved queries: embedded store >= 10× rdflib (every query)", _queries),
    (
        "analysis: brokerage >= 50× the naive loop at L (random graph, 50 k nodes)",
        _ratio_target("brokerage · gnm", "plain Python loop", 50),
    ),
    (
        "analysis: sampled betweenness (k = 256) < 2 s at L (random graph)",
        _value_target("betweenness k=256 · gnm", "lcgraph betweenness", "median", 2, "s"),
    ),
    (
        "peer match: p95 < 50 ms at L (peers)",
        _value_target("peer match · peers", "lcgraph match", "median", 50, "ms"),
    ),
    (
        "peer match: p95 < 50 ms at L (supporters)",
        _value_target("peer match · supporters", "lcgraph match", "median", 50, "ms"),
    ),
    (
        "HTTP: >= 10× rdflib-endpoint, scan-sort, req/s at L",
        _http("scan-sort", "rdflib-endpoint", 10),
    ),
    ("HTTP: >= 10× rdflib-endpoint, lookup, req/s at L", _http("lookup", "rdflib-endpoint", 10)),
    (
        "HTTP: >= 0.7× `oxigraph serve`, scan-sort, req/s at L",
        _http("scan-sort", "oxigraph serve", 0.7),
    ),
    (
        "HTTP: >= 0.7× `oxigraph serve`, lookup, req/s at L",
        _http("lookup", "oxigraph serve", 0.7),
    ),
    (
        "cold start: `lcgraph --help` < 0.3 s",
        lambda rows: next(
            (
                (f"{r['median']:.3f} s", "met" if r["median"] < 0.3 else "not met")
                for r in rows
                if r.get("tool") == "lcgraph --help"
            ),
            None,
        ),
    ),
]


def table(results: list[dict]) -> str:
    """The Markdown "Targets" table of a run's results."""
    rows = _rows(results)
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for name, check in TARGETS:
        verdict = check(rows)
        measured, met = verdict if verdict else ("not measured in this run", "–")
        lines.append(f"| {name} | {measured} | {met} |")
    lines.append(
        "| GPU: analysis with the nx-cugraph backend at L | not run: no GPU machine was lent "
        "to this task | not done |"
    )
    return "\n".join(lines) + "\n"
