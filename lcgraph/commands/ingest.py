"""Secretariat commands: ingest, changes, revert, contrib export / template.

Writes go through :mod:`lcgraph.ingest` (validated, atomic, logged). The embedded store can be
opened for writing by one process at a time: while ``lcgraph serve`` runs, write through
``POST /api/ingest`` instead (a ``--dry-run`` still works: it opens the store read-only).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lcgraph.config import Settings
from lcgraph.errors import InputError, StoreError

# literal copies (checked by a test) so that `lcgraph ingest --help` imports nothing heavy
FORMAT_CHOICES = ("turtle", "trig", "json-ld", "changeset", "csv")
KIND_CHOICES = ("cities", "memberships", "collaborations", "targets")


def _open(settings: Settings, write: bool):
    from lcgraph import store as store_mod

    if not write:
        return store_mod.load_store(settings, read_only=True)
    try:
        return store_mod.open_store(settings, read_only=False)
    except StoreError as exc:
        if "lock" in exc.message.lower():
            raise StoreError(
                f"{exc.message}\n(another process, such as `lcgraph serve`, has the store open for "
                "writing: send the change to POST /api/ingest instead)"
            ) from exc
        raise


def _read_input(path: str, settings: Settings) -> tuple[bytes, str]:
    if path == "-":
        data = sys.stdin.buffer.read(settings.max_ingest_bytes + 1)
        return data, "stdin"
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: no such file")
    size = file.stat().st_size
    if size > settings.max_ingest_bytes:
        raise InputError(
            f"{path}: {size:,} bytes, more than the {settings.max_ingest_bytes:,} a change may have "
            "(LCGRAPH_MAX_INGEST_BYTES); split it"
        )
    return file.read_bytes(), file.name


def _print_result(result, settings: Settings, output: str) -> None:
    from lcgraph.reconcile import shorten

    if output == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.text(lambda iri: shorten(iri, settings.base)).rstrip("\n"))


def _run_write(settings: Settings, output: str, action) -> None:
    """Run an ingest or a revert; print the result, or the SHACL report of a rejection."""
    from lcgraph.ingest import IngestRejected

    try:
        result = action()
    except IngestRejected as exc:
        if output == "json":
            click.echo(
                json.dumps(
                    {"error": exc.message, **exc.result.as_dict()}, indent=2, ensure_ascii=False
                )
            )
        else:
            click.echo(exc.report.text().rstrip("\n"))
        click.echo(f"error: {exc.message}; nothing was written", err=True)
        sys.exit(exc.exit_code)
    _print_result(result, settings, output)


_OUTPUT = click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the result.",
)


@click.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    help="Input format (default: from the file name).",
)
@click.option(
    "--kind",
    type=click.Choice(KIND_CHOICES),
    help="CSV template (default: from the file name, e.g. cities.csv).",
)
@click.option("--store", "store_path", type=click.Path(), help="Path of the embedded store.")
@click.option("--author", help="Who makes the change (default: the OS user).")
@click.option("--message", "-m", help="Why: recorded in the change log.")
@_OUTPUT
@click.pass_obj
def ingest(
    settings: Settings,
    file: str,
    dry_run: bool,
    fmt: str | None,
    kind: str | None,
    store_path: str | None,
    author: str | None,
    message: str | None,
    output: str,
) -> None:
    """Add (and remove) statements through the SHACL gate, into graph/contrib.

    FILE is Turtle, TriG or JSON-LD (triples to add; in TriG, graph:removals holds triples to
    remove), a JSON change set {"add": TURTLE, "remove": TURTLE}, or a CSV template (cities,
    memberships, collaborations, targets; see docs/ingest.md). Use - for stdin.

    Exit status: 0 committed (or nothing to change, or a conforming dry run), 1 rejected by the
    shapes (the report is printed), 2 unusable input.
    """
    from lcgraph import ingest as ingest_mod

    settings = settings.with_(store_path=store_path)
    data, name = _read_input(file, settings)
    if name == "stdin" and fmt is None:
        raise InputError("reading stdin: give --format")
    store = _open(settings, write=not dry_run)
    _run_write(
        settings,
        output,
        lambda: ingest_mod.ingest(
            store,
            settings,
            data,
            name=name,
            fmt=fmt,
            kind=kind,
            author=author,
            message=message,
            dry_run=dry_run,
        ),
    )


@click.command()
@click.argument("change_id")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option("--store", "store_path", type=click.Path(), help="Path of the embedded store.")
@click.option("--author", help="Who reverts (default: the OS user).")
@_OUTPUT
@click.pass_obj
def revert(
    settings: Settings,
    change_id: str,
    dry_run: bool,
    store_path: str | None,
    author: str | None,
    output: str,
) -> None:
    """Undo a change (a new, validated change; the log keeps both)."""
    from lcgraph import ingest as ingest_mod

    settings = settings.with_(store_path=store_path)
    store = _open(settings, write=not dry_run)
    _run_write(
        settings,
        output,
        lambda: ingest_mod.revert(store, settings, change_id, author=author, dry_run=dry_run),
    )


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--verify",
    is_flag=True,
    help="Check that replaying the log gives the contrib graph (exit 1 if not).",
)
@click.option("--store", "store_path", type=click.Path(), help="Path of the embedded store.")
@click.pass_obj
def changes(settings: Settings, fmt: str, verify: bool, store_path: str | None) -> None:
    """List the changes written by ingest and revert, oldest first."""
    from lcgraph import changelog

    settings = settings.with_(store_path=store_path)
    store = _open(settings, write=False)
    log = changelog.list_changes(store, settings)
    if fmt == "json":
        click.echo(json.dumps([c.as_dict() for c in log], indent=2, ensure_ascii=False))
    elif not log:
        click.echo("no changes yet")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_edge=False)
        for column in ("change", "created (UTC)", "author", "source", "+", "-", "note"):
            table.add_column(column, justify="right" if column in "+-" else "left")
        for c in log:
            note = c.message or ""
            if c.reverted_by:
                note = f"{note} [reverted by change-{', change-'.join(c.reverted_by)}]".strip()
            table.add_row(
                f"change-{c.id}",
                c.created[:19].replace("T", " "),
                c.author,
                c.source,
                str(len(c.added)),
                str(len(c.removed)),
                note,
            )
        Console(highlight=False, width=200).print(table)
    if verify:
        missing, extra = changelog.verify(store, settings)
        if missing or extra:
            for t in sorted(map(str, missing)):
                click.echo(f"in the log, not in graph/contrib: {t}", err=True)
            for t in sorted(map(str, extra)):
                click.echo(f"in graph/contrib, not in the log: {t}", err=True)
            click.echo(
                f"error: the change log does not match graph/contrib ({len(missing)} missing, {len(extra)} extra)",
                err=True,
            )
            sys.exit(1)
        click.echo(f"the change log matches graph/contrib ({len(log)} change(s))", err=True)


@click.group()
def contrib() -> None:
    """The secretariat's contributions: export them for review, get CSV templates."""


@contrib.command("export")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False), help="Write to this file (default: stdout)."
)
@click.option("--store", "store_path", type=click.Path(), help="Path of the embedded store.")
@click.pass_obj
def export(settings: Settings, out: str | None, store_path: str | None) -> None:
    """Write graph/contrib and graph/changes as canonical TriG (for review, and for data/)."""
    from lcgraph import changelog

    settings = settings.with_(store_path=store_path)
    store = _open(settings, write=False)
    text = changelog.export_contrib(store, settings)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@contrib.command("template")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
def template(kind: str) -> None:
    """Print the header line of a CSV template (docs/templates/KIND.csv)."""
    from lcgraph.csvtemplates import template_header

    click.echo(template_header(kind), nl=False)
