"""The ``lcgraph`` command: one entry point, subcommands loaded lazily.

``lcgraph --help`` must answer fast (cold start under 0.3 s), so the subcommands' modules, and
with them rdflib, pySHACL, networkx and FastAPI, are imported only when a subcommand runs. Each
area keeps its commands in ``lcgraph/commands/<area>.py``; this table names them.
"""

from __future__ import annotations

import importlib
import sys

import click

from lcgraph import __version__

#: name -> ("module:attribute", one-line help shown by ``lcgraph --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("lcgraph.commands.store:build", "Build the embedded store from ontology/ and data/."),
    "validate": ("lcgraph.commands.store:validate", "Validate the data against the SHACL shapes."),
    "fmt": ("lcgraph.commands.store:fmt", "Rewrite data files in canonical TriG."),
    "link": (
        "lcgraph.commands.store:link",
        "Regenerate GeoNames and ISO 3166 links from shipped datasets.",
    ),
    "stats": ("lcgraph.commands.store:stats", "Print triples per graph and entities per class."),
    "queries": (
        "lcgraph.commands.queries:list_queries",
        "List the saved SPARQL queries and their parameters.",
    ),
    "query": (
        "lcgraph.commands.queries:query",
        "Run a saved query on the store or a remote endpoint.",
    ),
    "push": (
        "lcgraph.commands.queries:push",
        "Load the graph into a remote store (Graph Store Protocol).",
    ),
    "match": ("lcgraph.commands.match:match", "Rank peer-match candidates for a city, explained."),
    "analyse": (
        "lcgraph.commands.analysis:analyse",
        "Centrality and brokerage among cities and networks.",
    ),
    "ingest": (
        "lcgraph.commands.ingest:ingest",
        "Add or remove statements through the SHACL gate (secretariat).",
    ),
    "changes": (
        "lcgraph.commands.ingest:changes",
        "List the secretariat's changes (the audit log).",
    ),
    "revert": ("lcgraph.commands.ingest:revert", "Undo a change, as a new validated change."),
    "contrib": (
        "lcgraph.commands.ingest:contrib",
        "Export the contrib graph for review; CSV templates.",
    ),
    "serve": (
        "lcgraph.commands.web:serve",
        "Serve SPARQL, entity pages, the ontology and dumps over HTTP.",
    ),
    "export": (
        "lcgraph.commands.web:export",
        "Write dumps, checksums, VoID/DCAT, JSON-LD context, ontology docs.",
    ),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module_name, attr = spec[0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from lcgraph.errors import LcgraphError

        try:
            return super().invoke(ctx)
        except LcgraphError as exc:
            click.echo(f"error: {exc.message}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lcgraph")
@click.option(
    "--base", envvar="LCGRAPH_BASE", help="Base IRI of instances (default https://w3id.org/lcc/)."
)
@click.option(
    "--store",
    "store_path",
    envvar="LCGRAPH_STORE",
    type=click.Path(),
    help="Path of the embedded store (default: .lcgraph/store in the project root).",
)
@click.pass_context
def cli(ctx: click.Context, base: str | None, store_path: str | None) -> None:
    """lcgraph: a knowledge graph of low-carbon cities, city networks and collaborations."""
    from lcgraph.config import Settings
    from lcgraph.runtime import keep_freed_memory

    keep_freed_memory()  # this process's malloc keeps freed memory for reuse (lcgraph.runtime)

    try:
        ctx.obj = Settings.from_env(base=base, store_path=store_path)
    except ValueError as exc:  # a malformed LCGRAPH_* setting
        raise click.UsageError(f"bad setting: {exc}") from None


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="lcgraph")


if __name__ == "__main__":
    main()
