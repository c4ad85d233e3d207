"""Match results as text: a readable table with reasons, CSV, or JSON."""

from __future__ import annotations

import csv
import io
import json

from lcgraph.match.factors import FACTORS
from lcgraph.match.model import MatchResult, Reason

_SHORT = {
    "topics": "topics",
    "complementarity": "compl",
    "profile": "profile",
    "proximity": "prox",
    "novelty": "novelty",
}


def _graph_slug(graph: str) -> str:
    return graph.rstrip("/").rsplit("/", 1)[-1]


def _cite(reason: Reason) -> str:
    return ", ".join(_graph_slug(s.graph) for s in reason.sources)


def as_json(result: MatchResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=2)


def as_csv(result: MatchResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "rank",
            "iri",
            "label",
            "kind",
            "country",
            "score",
            *FACTORS,
            "already_collaborating",
            "reasons",
            "sources",
        ]
    )
    for rank, c in enumerate(result.candidates, 1):
        sources = sorted({s.graph for r in c.reasons for s in r.sources})
        writer.writerow(
            [
                rank,
                c.iri,
                c.label,
                c.kind,
                c.country or "",
                f"{c.score:.4f}",
                *(f"{c.factors[f]:.4f}" for f in FACTORS),
                "yes" if c.already_collaborating else "no",
                " | ".join(r.text for r in c.reasons),
                " ".join(sources),
            ]
        )
    return out.getvalue()


def as_table(result: MatchResult, reasons_per_candidate: int = 5) -> str:
    """A ranking table, then each candidate's main reasons (the best of each factor first)."""
    what = "Peer-match candidates" if result.mode == "peers" else "Possible supporters"
    where = f" in {result.country}" if result.country else ""
    lines = [
        f"{what} for {result.query_label} ({result.query_kind}){where}: "
        f"{len(result.candidates)} of {result.considered} candidates",
        "weights: " + ", ".join(f"{k} {v:g}" for k, v in result.weights.items()),
    ]
    if not result.candidates:
        lines.append(f"no candidates: {result.note}" if result.note else "no candidates")
        return "\n".join(lines) + "\n"
    rows = [["#", "candidate", "kind", "country", "score", *(_SHORT[f] for f in FACTORS), ""]]
    for rank, c in enumerate(result.candidates, 1):
        rows.append(
            [
                str(rank),
                c.label,
                c.kind,
                c.country or "-",
                f"{c.score:.3f}",
                *(f"{c.factors[f]:.2f}" for f in FACTORS),
                "already related" if c.already_collaborating else "",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = {0, 4, 5, 6, 7, 8, 9}
    lines.append("")
    for row in rows:
        cells = [
            cell.rjust(w) if i in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    for rank, c in enumerate(result.candidates, 1):
        if reasons_per_candidate <= 0:
            break
        lines.append("")
        lines.append(f"{rank}. {c.label}: why")
        firsts = _interleave(c.reasons)
        for reason in firsts[:reasons_per_candidate]:
            lines.append(f"   - {reason.text} [{_cite(reason)}]")
        if len(c.reasons) > reasons_per_candidate:
            more = len(c.reasons) - reasons_per_candidate
            lines.append(f"   ({more} more reason{'s' if more > 1 else ''} in --format json)")
    return "\n".join(lines) + "\n"


def _interleave(reasons: list[Reason]) -> list[Reason]:
    """Reasons ordered round-robin by factor, so the table shows each factor's best first."""
    by_factor: dict[str, list[Reason]] = {}
    for r in reasons:
        by_factor.setdefault(r.factor, []).append(r)
    out: list[Reason] = []
    depth = max((len(v) for v in by_factor.values()), default=0)
    for i in range(depth):
        for factor in FACTORS:
            group = by_factor.get(factor, [])
            if i < len(group):
                out.append(group[i])
    return out
