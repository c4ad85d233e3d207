"""Network analysis over HTTP: ``/api/analysis/{centrality,brokerage,constraint}`` and figures.

The same tables as ``lcgraph analyse`` (``graph=`` one of its graphs, ``group=`` the node
attribute that defines brokerage groups), as JSON: ``{"title", "columns", "rows", "notes"}``.
``/api/analysis/figure.svg`` and ``figure.png`` draw the graph (node size: betweenness, brokers
ringed), for the web UI's network page.

Graphs, tables and figures are computed from ``app.state.store`` on the first request and kept
per store generation (:func:`lcgraph.web.gencache.per_generation`): the seed graph's are ready
in milliseconds after that, and a change to the store recomputes them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from lcgraph.errors import InputError
from lcgraph.web.gencache import per_generation

__all__ = ["analysis_table", "figure", "router"]

router = APIRouter(tags=["Analysis"])

GraphName = Literal["collaboration", "membership", "co-membership", "network-overlap", "actors"]
GroupName = Literal["country", "region", "network", "kind"]
Measure = Literal["centrality", "brokerage", "constraint"]


class TableModel(BaseModel):
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    notes: list[str]


def analysis_graph(state: Any, graph: str):
    """The networkx graph ``graph`` of the server's store, once per generation."""
    from lcgraph.analysis.graphs import build_graph

    return per_generation(
        state, ("analysis-graph", graph), lambda: build_graph(graph, state.store, state.settings)
    )


def _compute(state: Any, measure: str, graph: str, group: str):
    G = analysis_graph(state, graph)
    if measure == "centrality":
        from lcgraph.analysis.centrality import centrality_table

        side = None
        if graph == "membership":
            side = [n for n, d in G.nodes(data=True) if d.get("bipartite") == 0]
        return centrality_table(G, bipartite_nodes=side, k="auto", seed=0)
    if measure == "brokerage":
        import networkx as nx

        from lcgraph.analysis.brokerage import brokerage_table, fill_groups

        grouped, notes = fill_groups(G, group, "unknown")
        try:
            table = brokerage_table(grouped, group)
        except nx.NetworkXError as exc:
            raise InputError(str(exc)) from exc
        table.notes[:0] = notes
        return table
    from lcgraph.analysis.brokerage import structural_holes_table

    return structural_holes_table(G)


def analysis_table(state: Any, measure: str, graph: str = "actors", group: str = "country"):
    """The :class:`~lcgraph.analysis.tables.Table` of ``measure``, once per generation."""
    key = ("analysis-table", measure, graph, group if measure == "brokerage" else None)
    return per_generation(state, key, lambda: _compute(state, measure, graph, group))


def _model(table) -> TableModel:
    import json

    # Table.to_json already makes non-finite floats JSON-safe; reuse it rather than repeat it
    rows = json.loads(table.to_json())
    if isinstance(rows, dict):
        rows = rows.get("rows", [])
    return TableModel(title=table.title, columns=list(table.columns), rows=rows, notes=table.notes)


def _endpoint(measure: str):
    def endpoint(
        request: Request,
        graph: Annotated[GraphName, Query(description="Which graph (as `lcgraph analyse`).")] = (
            "actors"
        ),
        group: Annotated[
            GroupName, Query(description="Node attribute that defines brokerage groups.")
        ] = "country",
        top: Annotated[
            int | None, Query(ge=1, le=100000, description="Only the first N rows.")
        ] = None,
    ) -> TableModel:
        table = analysis_table(request.app.state, measure, graph, group)
        model = _model(table)
        if top is not None:
            model.rows = model.rows[:top]
        return model

    endpoint.__name__ = f"analysis_{measure}"
    return endpoint


_SUMMARIES = {
    "centrality": "Degree, betweenness, closeness and eigenvector centrality of every node",
    "brokerage": "Gould-Fernandez brokerage roles of every node, with z-scores",
    "constraint": "Burt's constraint and effective size of every node",
}
for _measure, _summary in _SUMMARIES.items():
    router.add_api_route(
        f"/api/analysis/{_measure}",
        _endpoint(_measure),
        methods=["GET"],
        response_model=TableModel,
        summary=_summary,
    )

_MEDIA = {"svg": "image/svg+xml", "png": "image/png"}

#: The figure draws at most this many nodes (the highest betweenness, then degree): a spring
#: layout of thousands of nodes takes minutes and shows nothing legible.
FIGURE_MAX_NODES = 400


def figure(state: Any, graph: str, group: str, fmt: str) -> bytes:
    """The network drawing of ``graph`` as SVG or PNG bytes, once per generation."""

    def draw() -> bytes:
        import tempfile
        from pathlib import Path

        from lcgraph.analysis.plots import plot_network

        table = analysis_table(state, "centrality", graph, group)
        sizes = {row["iri"]: row["betweenness"] or 0 for row in table.rows}
        brokers = {row["iri"] for row in table.rows if (row["betweenness"] or 0) > 0}
        G = analysis_graph(state, graph)
        title = table.title
        if len(G) > FIGURE_MAX_NODES:
            ranked = sorted(
                table.rows, key=lambda r: (-(r["betweenness"] or 0), -(r["degree"] or 0), r["iri"])
            )
            keep = {r["iri"] for r in ranked[:FIGURE_MAX_NODES]}
            G = G.subgraph(n for n in G if G.nodes[n].get("iri", n) in keep)
            title += f" (the {len(G)} most central of {len(table.rows)} nodes)"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"network.{fmt}"
            plot_network(G, path, size_by=sizes, highlight=brokers, title=title)
            return path.read_bytes()

    return per_generation(state, ("analysis-figure", graph, group, fmt), draw)


@router.get(
    "/api/analysis/figure.{fmt}",
    summary="The network drawn (node size: betweenness; brokers ringed)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
def get_figure(
    request: Request,
    fmt: Literal["svg", "png"],
    graph: Annotated[GraphName, Query()] = "actors",
    group: Annotated[GroupName, Query()] = "country",
) -> Response:
    body = figure(request.app.state, graph, group, fmt)
    return Response(body, media_type=_MEDIA[fmt], headers={"Cache-Control": "no-cache"})
