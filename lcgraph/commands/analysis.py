"""``lcgraph analyse``: centrality, brokerage and structural holes of the knowledge graph."""

from __future__ import annotations

from pathlib import Path

import click

from lcgraph.config import Settings
from lcgraph.errors import InputError

GRAPH_NAMES = ("collaboration", "membership", "co-membership", "network-overlap", "actors")
FORMATS = ("table", "csv", "json")
MISSING = ("unknown", "own", "drop", "error")


def _common(func):
    """Options every analysis shares: the graph, where it comes from, output."""
    options = [
        click.option(
            "--graph",
            "graph_name",
            type=click.Choice(GRAPH_NAMES),
            default="actors",
            show_default=True,
            help="Which graph to analyse.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
        ),
        click.option("--top", type=int, default=None, help="Only the first N rows."),
        click.option("--store", "store_path", type=click.Path(), help="Embedded store to read."),
        click.option("--endpoint", help="Read from a remote SPARQL endpoint instead."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _graph(settings: Settings, name: str, store_path: str | None, endpoint: str | None):
    from lcgraph.analysis.graphs import load_graph

    return load_graph(name, settings.with_(store_path=store_path), endpoint=endpoint)


def _emit(table, fmt: str, top: int | None, text_columns: list[str] | None = None) -> None:
    """Write ``table``; the text form shows ``text_columns`` only (CSV and JSON have all)."""
    table = table.head(top)
    if fmt == "table" and text_columns:
        table = table.select(text_columns)
    out = {"table": table.to_text, "csv": table.to_csv, "json": table.to_json}[fmt]()
    click.echo(out.rstrip("\n"))


def _check_top(top: int | None) -> None:
    if top is not None and top < 1:
        raise InputError("--top must be 1 or more")


def _plot_path(path: str | None) -> Path | None:
    if path is None:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{path}: a plot is written as .png, .svg or .pdf")
    return target


@click.group()
def analyse() -> None:
    """Network analysis: centrality and brokerage among cities and networks."""


@analyse.command()
@_common
@click.option(
    "--k", type=int, default=None, help="Sample betweenness and closeness from K sources."
)
@click.option("--exact", is_flag=True, help="Exact betweenness and closeness on any graph.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--plot", type=click.Path(), help="Draw the network (node size: betweenness).")
@click.pass_obj
def centrality(
    settings: Settings,
    graph_name: str,
    fmt: str,
    top: int | None,
    store_path: str | None,
    endpoint: str | None,
    k: int | None,
    exact: bool,
    seed: int,
    plot: str | None,
) -> None:
    """Degree, betweenness, closeness and eigenvector centrality of every node.

    The membership graph gets the bipartite forms (actors against networks and programmes).
    Betweenness and closeness are exact up to 5,000 nodes and sampled from 256 sources above
    (one search from each), unless --k or --exact says otherwise.
    """
    from lcgraph.analysis.centrality import centrality_table

    _check_top(top)
    if k is not None and k < 1:
        raise InputError("--k must be 1 or more")
    plot_path = _plot_path(plot)
    G = _graph(settings, graph_name, store_path, endpoint)
    side = None
    if graph_name == "membership":
        side = [n for n, d in G.nodes(data=True) if d.get("bipartite") == 0]
    table = centrality_table(G, bipartite_nodes=side, k=None if exact else (k or "auto"), seed=seed)
    _emit(table, fmt, top, ["label", "kind", "country", *table.columns[5:]])
    if plot_path:
        from lcgraph.analysis.plots import plot_network

        sizes = {row["iri"]: row["betweenness"] for row in table.rows}
        brokers = {row["iri"] for row in table.rows if (row["betweenness"] or 0) > 0}
        plot_network(G, plot_path, size_by=sizes, highlight=brokers, title=table.title)
        click.echo(f"wrote {plot_path}", err=True)


@analyse.command()
@_common
@click.option(
    "--group",
    "attr",
    default="country",
    show_default=True,
    help="Node attribute that defines the groups: country, region, network, kind.",
)
@click.option(
    "--missing",
    type=click.Choice(MISSING),
    default="unknown",
    show_default=True,
    help="Nodes without a group: one shared unknown group, a group each, dropped, or an error.",
)
@click.option("--plot", type=click.Path(), help="Bar chart of the brokers' roles.")
@click.option("--plot-network", type=click.Path(), help="Network with the brokers ringed.")
@click.pass_obj
def brokerage(
    settings: Settings,
    graph_name: str,
    fmt: str,
    top: int | None,
    store_path: str | None,
    endpoint: str | None,
    attr: str,
    missing: str,
    plot: str | None,
    plot_network: str | None,
) -> None:
    """Gould–Fernandez brokerage roles of every node, with z-scores (as R's sna).

    A broker v sits on a path a -> v -> b whose ends are not tied; by the groups of a, v and
    b it is a coordinator, itinerant, gatekeeper, representative or liaison.
    """
    import networkx as nx

    from lcgraph.analysis.brokerage import brokerage_table, fill_groups

    _check_top(top)
    bars, drawing = _plot_path(plot), _plot_path(plot_network)
    G = _graph(settings, graph_name, store_path, endpoint)
    grouped, notes = fill_groups(G, attr, missing)
    try:
        table = brokerage_table(grouped, attr)
    except nx.NetworkXError as exc:
        raise InputError(f"{exc} (see --missing)") from exc
    table.notes[:0] = notes
    roles = ["coordinator", "itinerant", "gatekeeper", "representative", "liaison", "total"]
    _emit(table, fmt, top, ["label", "kind", "group", *roles, "z_total"])
    if bars:
        from lcgraph.analysis.plots import plot_brokerage_roles

        plot_brokerage_roles(table, bars, top=top or 15)
        click.echo(f"wrote {bars}", err=True)
    if drawing:
        from lcgraph.analysis.plots import plot_network as draw

        sizes = {row["iri"]: row["total"] for row in table.rows}
        brokers = {row["iri"] for row in table.rows if row["total"] > 0}
        draw(grouped, drawing, size_by=sizes, highlight=brokers, title=table.title)
        click.echo(f"wrote {drawing}", err=True)


@analyse.command()
@_common
@click.pass_obj
def constraint(
    settings: Settings,
    graph_name: str,
    fmt: str,
    top: int | None,
    store_path: str | None,
    endpoint: str | None,
) -> None:
    """Burt's constraint and effective size: who spans structural holes."""
    from lcgraph.analysis.brokerage import structural_holes_table

    _check_top(top)
    G = _graph(settings, graph_name, store_path, endpoint)
    columns = ["label", "kind", "degree", "constraint", "effective_size"]
    _emit(structural_holes_table(G), fmt, top, columns)


@analyse.command()
@click.option(
    "--out",
    type=click.Path(),
    default="docs/analysis.md",
    show_default=True,
    help="Markdown file to write ('-' for standard output).",
)
@click.option(
    "--img",
    type=click.Path(),
    default="docs/img",
    show_default=True,
    help="Folder for the figures.",
)
@click.option("--store", "store_path", type=click.Path(), help="Embedded store to read.")
@click.option("--endpoint", help="Read from a remote SPARQL endpoint instead.")
@click.pass_obj
def report(
    settings: Settings, out: str, img: str, store_path: str | None, endpoint: str | None
) -> None:
    """Write the findings report (docs/analysis.md) and its figures from the graph.

    The graph is built in memory from data/ (so the report follows the data files), unless
    --store or --endpoint names where to read it.
    """
    from lcgraph.analysis.report import write_report

    path = write_report(
        settings.with_(store_path=store_path),
        out=None if out == "-" else Path(out),
        img_dir=Path(img),
        endpoint=endpoint,
        use_store=store_path is not None,
    )
    if path is not None:
        click.echo(f"wrote {path}", err=True)
