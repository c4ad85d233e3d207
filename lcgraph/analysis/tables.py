"""Tidy result tables (one row per node) and their text, CSV, JSON and Markdown forms.

Analysis functions return dicts; the ``*_table`` functions in centrality and brokerage turn
them into a :class:`Table` with the node's attributes, which this module writes out. No
pandas: a list of dicts is all the CLI, the web API and the report need.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NODE_COLUMNS", "Table", "node_columns"]

#: Columns describing the node in every table.
NODE_COLUMNS = ("iri", "label", "kind", "country", "region")


def node_columns(G, node) -> dict[str, Any]:
    data = G.nodes[node]
    row = {col: data.get(col) for col in NODE_COLUMNS}
    if row["iri"] is None:
        row["iri"] = str(node)
    if row["label"] is None:
        row["label"] = str(node)
    return row


def _clean(value: Any) -> Any:
    """JSON-safe: non-finite floats become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _text(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{digits}f}"
    return str(value)


@dataclass
class Table:
    """Rows of dicts with an explicit column order; ``notes`` say how they were computed."""

    columns: list[str]
    rows: list[dict[str, Any]]
    title: str = ""
    notes: list[str] = field(default_factory=list)

    def head(self, n: int | None) -> Table:
        if n is None or n >= len(self.rows):
            return self
        return Table(self.columns, self.rows[:n], self.title, self.notes)

    def select(self, columns: list[str]) -> Table:
        return Table(columns, self.rows, self.title, self.notes)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.DictWriter(
            buf, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in self.rows:
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in self.columns})
        return buf.getvalue()

    def to_json(self) -> str:
        doc = {
            "title": self.title,
            "notes": self.notes,
            "columns": self.columns,
            "rows": [{c: _clean(row.get(c)) for c in self.columns} for row in self.rows],
        }
        return json.dumps(doc, ensure_ascii=False, indent=1)

    def to_text(self, digits: int = 4) -> str:
        cells = [[_text(row.get(c), digits) for c in self.columns] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        widths = [min(w, 48) for w in widths]

        def line(values: list[str]) -> str:
            out = []
            for value, width in zip(values, widths, strict=True):
                value = value if len(value) <= width else value[: width - 1] + "…"
                out.append(value.ljust(width))
            return "  ".join(out).rstrip()

        lines = [self.title] if self.title else []
        lines.append(line(self.columns))
        lines.append(line(["-" * w for w in widths]))
        lines.extend(line(r) for r in cells)
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines) + "\n"

    def to_markdown(self, digits: int = 3) -> str:
        def cell(value: Any) -> str:
            return _text(value, digits).replace("|", "\\|")

        lines = ["| " + " | ".join(self.columns) + " |"]
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        for row in self.rows:
            lines.append("| " + " | ".join(cell(row.get(c)) for c in self.columns) + " |")
        return "\n".join(lines) + "\n"
