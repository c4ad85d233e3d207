"""Figures: the network with node size by centrality and brokers highlighted; brokerage roles.

matplotlib's object API (a ``Figure`` per plot, no pyplot state), so plots are safe in a
server. The format follows the file suffix (``.png``, ``.svg``, ``.pdf``). Output is
reproducible: a fixed layout seed, and no dates or random ids in SVG files, so regenerated
figures in ``docs/img/`` give no spurious diffs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lcgraph.analysis.brokerage import ROLES
from lcgraph.analysis.tables import Table

__all__ = ["KIND_COLOURS", "ROLE_COLOURS", "plot_brokerage_roles", "plot_network"]

KIND_COLOURS = {
    "city": "#1f77b4",
    "region": "#17becf",
    "network": "#2ca02c",
    "platform": "#98df8a",
    "programme": "#ff7f0e",
    "tool": "#bcbd22",
    "organisation": "#9467bd",
}
ROLE_COLOURS = {
    "coordinator": "#4c72b0",
    "itinerant": "#55a868",
    "gatekeeper": "#c44e52",
    "representative": "#8172b2",
    "liaison": "#ccb974",
}
BROKER_EDGE = "#d62728"


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str | Path) -> Path:
    import matplotlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower().lstrip(".")
    metadata: dict[str, Any] = {}
    if suffix == "svg":
        metadata = {"Date": None}
    elif suffix == "pdf":
        metadata = {"CreationDate": None}
    with matplotlib.rc_context({"svg.hashsalt": "lcgraph", "svg.fonttype": "none"}):
        fig.savefig(path, format=suffix or "png", metadata=metadata, bbox_inches="tight")
    return path


def plot_network(
    G,
    path: str | Path,
    *,
    size_by: Mapping[Any, float] | None = None,
    highlight: Iterable[Any] = (),
    labels: int = 12,
    title: str = "",
    seed: int = 0,
) -> Path:
    """Draw ``G``: nodes coloured by ``kind``, sized by ``size_by`` (e.g. betweenness),
    ``highlight`` (e.g. brokers) ringed in red, the ``labels`` largest nodes named.

    Returns the path written.
    """
    import networkx as nx

    fig = _figure(10, 8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if len(G) == 0:
        ax.text(0.5, 0.5, "(empty graph)", ha="center", va="center")
        return _save(fig, path)
    layout = nx.spring_layout(G, seed=seed, k=1.5 / max(len(G), 1) ** 0.5)
    nodes = list(G)
    values = [float((size_by or {}).get(n) or 0.0) for n in nodes]
    top = max(values) or 1.0
    sizes = [60 + 1200 * v / top for v in values]
    colours = [KIND_COLOURS.get(G.nodes[n].get("kind"), "#7f7f7f") for n in nodes]
    ringed = set(highlight)
    edge_colours = [BROKER_EDGE if n in ringed else "white" for n in nodes]
    widths = [2.5 if n in ringed else 0.5 for n in nodes]
    nx.draw_networkx_edges(G, layout, ax=ax, alpha=0.35, width=0.8)
    nx.draw_networkx_nodes(
        G,
        layout,
        nodelist=nodes,
        ax=ax,
        node_size=sizes,
        node_color=colours,
        edgecolors=edge_colours,
        linewidths=widths,
    )
    order = sorted(range(len(nodes)), key=lambda i: (-values[i], str(nodes[i])))
    named = [nodes[i] for i in order[:labels]]
    nx.draw_networkx_labels(
        G,
        layout,
        labels={n: G.nodes[n].get("label", str(n)) for n in named},
        ax=ax,
        font_size=8,
    )
    from matplotlib.lines import Line2D

    kinds = sorted({G.nodes[n].get("kind") for n in nodes} & set(KIND_COLOURS))
    handles = [
        Line2D([], [], marker="o", ls="", color=KIND_COLOURS[k], label=k, markersize=8)
        for k in kinds
    ]
    if ringed:
        handles.append(
            Line2D([], [], marker="o", ls="", mfc="white", mec=BROKER_EDGE, mew=2, label="broker")
        )
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
    ax.margins(0.18)  # room for the labels of nodes at the edge
    return _save(fig, path)


def plot_brokerage_roles(table: Table, path: str | Path, *, top: int = 15, title: str = "") -> Path:
    """Stacked bars of the five Gould–Fernandez roles for the ``top`` brokers of ``table``
    (a :func:`~lcgraph.analysis.brokerage.brokerage_table`). Returns the path written."""
    rows = [r for r in table.rows if r["total"] > 0][:top]
    fig = _figure(9, 0.8 + 0.35 * max(len(rows), 3))
    ax = fig.add_subplot()
    ax.set_title(title or table.title)
    if not rows:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no open two-paths: nobody brokers", ha="center", va="center")
        return _save(fig, path)
    names = [str(r["label"]) for r in rows][::-1]
    left = [0] * len(rows)
    for role in ROLES[:-1]:
        counts = [r[role] for r in rows][::-1]
        ax.barh(names, counts, left=left, color=ROLE_COLOURS[role], label=role)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_xlabel("open two-paths brokered")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)
