"""Commands for researchers: list and run saved queries, push the graph to a remote store."""

from __future__ import annotations

import click

from lcgraph.config import Settings
from lcgraph.errors import InputError

FORMATS = ("table", "csv", "tsv", "json", "turtle")


def _shorten(value: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns) :]}"
    return value


def render_table(result, settings: Settings) -> str:
    """A readable table: IRIs as prefixed names, literals as their text."""
    from rich.console import Console
    from rich.table import Table

    from lcgraph.rdfio import all_prefixes

    prefixes = sorted(all_prefixes(settings.base).items(), key=lambda kv: -len(kv[1]))
    console = Console(
        width=max(100, min(220, Console().width)), highlight=False, record=True, file=None
    )
    if result.form == "ASK":
        return "yes" if result.boolean else "no"

    def cell(term) -> str:
        if term is None:
            return ""
        return _shorten(term.value, prefixes) if term.kind == "uri" else term.value

    table = Table(show_edge=False, show_lines=False, header_style="bold")
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        for column in ("subject", "predicate", "object"):
            table.add_column(column, overflow="fold")
        for triple in result.triples:
            table.add_row(*map(cell, triple))
    else:
        for var in result.variables:
            table.add_column(var, overflow="fold")
        for row in result.terms:
            table.add_row(*(cell(row.get(var)) for var in result.variables))
    with console.capture() as capture:
        console.print(table)
    return capture.get().rstrip()


@click.command("queries")
@click.option("--tag", help="Only queries with this tag.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def list_queries(settings: Settings, tag: str | None, fmt: str) -> None:
    """List the saved queries with their summaries and parameters."""
    import json

    from lcgraph.queries import catalogue

    queries = [q for q in catalogue(settings).values() if not tag or tag in q.tags]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "summary": q.summary,
                        "description": q.description,
                        "tags": list(q.tags),
                        "params": [
                            {
                                "name": p.name,
                                "type": p.type,
                                "default": p.default,
                                "required": p.required,
                                "class": p.cls,
                                "values": list(p.values),
                                "description": p.description,
                            }
                            for p in q.params
                        ],
                        "example": q.example,
                    }
                    for q in queries
                ],
                indent=2,
            )
        )
        return
    for q in queries:
        click.echo(click.style(q.name, bold=True) + f"  {q.summary}")
        for p in q.params:
            default = (
                f" = {p.default}"
                if p.default is not None
                else (" (required)" if p.required else "")
            )
            click.echo(f"    --param {p.name}  {p.type}{default}")
    click.echo(f"\n{len(queries)} queries; run one with `lcgraph query NAME [--param k=v ...]`")


@click.command("query")
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--endpoint", help="Run on this remote SPARQL endpoint instead of the embedded store."
)
@click.option(
    "--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True
)
@click.option("--store", "store_path", type=click.Path(), help="The embedded store to use.")
@click.option("--timeout", type=float, help="Stop the query after this many seconds (exit 3).")
@click.option(
    "--limit", type=int, help="Return at most this many rows (a note says when more exist)."
)
@click.option(
    "--show", is_flag=True, help="Print the query as it will be sent, with its parameters bound."
)
@click.pass_obj
def query(
    settings: Settings,
    name: str,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    engine: str,
    store_path: str | None,
    timeout: float | None,
    limit: int | None,
    show: bool,
) -> None:
    """Run a saved query (by NAME, or any FILE.rq) and print its results."""
    from lcgraph.queries import bind, bound_text, get_query, iter_param_pairs, run

    settings = settings.with_(store_path=store_path)
    saved = get_query(name, settings)
    values = iter_param_pairs(params)
    if show:
        click.echo(bound_text(saved, bind(saved, values, settings), settings))
        return
    result = run(
        saved,
        settings=settings,
        engine=engine,
        endpoint=endpoint,
        limit=limit,
        timeout=timeout,
        params=values,
    )
    if fmt == "table":
        click.echo(render_table(result, settings))
    elif result.form == "ASK":
        click.echo(result.to_json() if fmt == "json" else ("true" if result.boolean else "false"))
    elif result.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in ("turtle", "tsv"):
            raise InputError(f"a {result.form} query gives triples: use --format turtle")
        if fmt == "turtle":
            from lcgraph.rdfio import all_prefixes

            click.echo(result.to_turtle(all_prefixes(settings.base)), nl=False)
        else:
            click.echo(result.to_ntriples(), nl=False)
    elif fmt == "turtle":
        raise InputError(
            "--format turtle is for CONSTRUCT and DESCRIBE queries; use table, csv, tsv or json"
        )
    else:
        out = {"csv": result.to_csv, "tsv": result.to_tsv, "json": result.to_json}[fmt]()
        click.echo(out, nl=not out.endswith("\n"))
    if result.truncated:
        click.echo(f"note: results truncated at --limit {limit}; more rows exist", err=True)
    elif fmt == "table" and result.form == "SELECT":
        click.echo(f"{len(result.terms)} row(s)", err=True)
    elif fmt == "table" and result.form in ("CONSTRUCT", "DESCRIBE"):
        click.echo(f"{len(result.triples)} triple(s)", err=True)


@click.command("push")
@click.option(
    "--endpoint",
    required=True,
    help="The remote store's SPARQL query endpoint (used to check the load).",
)
@click.option(
    "--graph-store",
    help="Its SPARQL 1.1 Graph Store Protocol URL (default: guessed from --endpoint).",
)
@click.option("--store", "store_path", type=click.Path(), help="The embedded store to push.")
@click.option("--auth", help="user:password for HTTP basic auth on the remote store.")
@click.pass_obj
def push(
    settings: Settings,
    endpoint: str,
    graph_store: str | None,
    store_path: str | None,
    auth: str | None,
) -> None:
    """Load every named graph (and the union as the default graph) into a remote store.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol: one PUT per named graph, so named graphs
    (one per source document) are preserved and a second push replaces, never duplicates.
    """
    from lcgraph.remote import guess_graph_store, push_store
    from lcgraph.store import load_store

    settings = settings.with_(store_path=store_path)
    gsp = graph_store or guess_graph_store(endpoint)
    report = push_store(load_store(settings), gsp, endpoint, auth=auth)
    for graph, n in report.items():
        click.echo(f"PUT {n:>7,} triples  {graph}")
    click.echo(f"pushed {len(report)} graph(s) to {gsp}")


__all__ = ["list_queries", "push", "query", "render_table"]
