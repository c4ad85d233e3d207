"""The ``lcgraph match`` command: peer-match candidates for a city, ranked and explained."""

from __future__ import annotations

import click

from lcgraph.config import Settings

FACTOR_HELP = "topics, complementarity, profile, proximity, novelty"


@click.command()
@click.argument("city")
@click.option("--top", type=int, default=10, show_default=True, help="How many candidates to list.")
@click.option(
    "--mode",
    type=click.Choice(["peers", "supporters"]),
    default="peers",
    show_default=True,
    help="peers: cities and regions; supporters: networks, programmes, organisations, tools.",
)
@click.option(
    "--weights",
    "weights_file",
    type=click.Path(dir_okay=False),
    help="TOML or JSON file of factor weights (see docs/match.md).",
)
@click.option(
    "--weight",
    "-w",
    "weight_options",
    multiple=True,
    metavar="FACTOR=N",
    help=f"Override one weight (repeatable); factors: {FACTOR_HELP}.",
)
@click.option("--country", metavar="XX", help="Only candidates in this country (ISO 3166 alpha-2).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--reasons",
    "n_reasons",
    type=int,
    default=5,
    show_default=True,
    help="Reasons shown per candidate in the table.",
)
@click.option("--store", "store_path", type=click.Path(), help="Path of the embedded store.")
@click.option("--endpoint", metavar="URL", help="Read from a SPARQL endpoint instead of the store.")
@click.pass_obj
def match(
    settings: Settings,
    city: str,
    top: int,
    mode: str,
    weights_file: str | None,
    weight_options: tuple[str, ...],
    country: str | None,
    fmt: str,
    n_reasons: int,
    store_path: str | None,
    endpoint: str | None,
) -> None:
    """Rank peer-match candidates for CITY, with reasons that cite their sources.

    CITY is a slug (kuala-lumpur), a label or an alias (Kwangju finds Gwangju), or an IRI.
    Each candidate gets a total score in [0, 1], the score of each factor, and reasons that
    cite the facts and source documents they rest on. Candidates already related to CITY
    (partners, members) are flagged, not hidden.
    """
    from lcgraph.match import load_catalog
    from lcgraph.match import match as run_match
    from lcgraph.match.render import as_csv, as_json, as_table
    from lcgraph.match.weights import merged, parse_options, read_file

    layers = []
    if weights_file:
        layers.append(read_file(weights_file))
    if weight_options:
        layers.append(parse_options(weight_options))
    weights = merged(*layers)  # bad weights fail before the store is read
    settings = settings.with_(store_path=store_path, endpoint=endpoint)
    catalog = load_catalog(settings)
    result = run_match(catalog, city, mode=mode, top=top, weights=weights, country=country)
    if fmt == "json":
        click.echo(as_json(result))
    elif fmt == "csv":
        click.echo(as_csv(result), nl=False)
        if result.note:
            click.echo(f"note: {result.note}", err=True)
    else:
        click.echo(as_table(result, max(0, n_reasons)), nl=False)
