"""Commands that publish the knowledge graph: ``serve`` (the linked-data server), ``export``."""

from __future__ import annotations

from pathlib import Path

import click

from lcgraph.config import Settings
from lcgraph.errors import InputError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(),
    help="The store to serve (default: the built one, else an in-memory build).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Query worker processes (default LCGRAPH_WORKERS or 2).",
)
@click.option(
    "--timeout",
    "query_timeout",
    type=click.FloatRange(0.1, 3600),
    help="Seconds a query may run (default LCGRAPH_QUERY_TIMEOUT or 10).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    help="Most rows in an answer (default LCGRAPH_MAX_ROWS or 10000).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="LCGRAPH_NO_RESULT_CACHE",
    help="Do not answer repeated queries from the per-generation result cache.",
)
@click.option(
    "--no-warm-up",
    is_flag=True,
    help="Do not compute the pages' summaries (search index, peer-match catalogue, network "
    "analysis) in the background after start and after each change (LCGRAPH_WARM_UP=0).",
)
@click.option(
    "--path-prefix",
    help="The path a reverse proxy publishes the server under, stripping it before passing "
    "requests on (such as /lcc); every link the server writes starts with it "
    "(default LCGRAPH_PATH_PREFIX or none).",
)
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.pass_obj
def serve(
    settings: Settings,
    host: str,
    port: int,
    store_path,
    workers,
    query_timeout,
    max_rows,
    no_cache: bool,
    no_warm_up: bool,
    path_prefix: str | None,
    log_level: str,
) -> None:
    """Serve SPARQL, entity pages, the ontology and dumps over HTTP.

    One server process holds the store; SPARQL queries run in a pool of worker processes that
    can be stopped at the time limit. Prints "serving on http://HOST:PORT" once it listens.
    """
    import socket

    import uvicorn

    from lcgraph.web.app import create_app

    try:
        settings = settings.with_(
            store_path=store_path,
            workers=workers,
            query_timeout=query_timeout,
            max_rows=max_rows,
            warm_up=False if no_warm_up else None,
            path_prefix=path_prefix,
        )
    except ValueError as exc:  # a malformed --path-prefix
        raise click.BadParameter(str(exc), param_hint="--path-prefix") from None
    if not Path(settings.store_path).is_dir():
        click.echo(
            f"no store at {settings.store_path}: serving an in-memory build of "
            f"{settings.data_dir} (run `lcgraph build` for a persistent store)",
            err=True,
        )
    app = create_app(settings, result_cache=not no_cache)
    # bind here so that --port 0 can report the port it got, then hand the socket to uvicorn
    # proto=IPPROTO_TCP so that asyncio sets TCP_NODELAY on accepted connections (it checks);
    # without it Nagle's algorithm and delayed ACKs add ~40 ms to every response
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=log_level in ("info", "debug"),
        timeout_graceful_shutdown=5,
        # request.url is the public URL; routes see the path after the prefix
        root_path=settings.path_prefix,
        # long GET queries reach the app, which answers 414 past max_request_bytes
        h11_max_incomplete_event_size=settings.max_request_bytes + 16_384,
    )
    server = uvicorn.Server(config)

    original = server.startup

    async def startup(sockets=None):
        await original(sockets=sockets)
        click.echo(f"serving on http://{shown}:{sock.getsockname()[1]}", err=True)
        if settings.path_prefix:
            click.echo(f"links start with {settings.path_prefix}/ (the proxy's path)", err=True)

    server.startup = startup
    server.run(sockets=[sock])


@click.command()
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["nq", "trig", "jsonld", "ttl", "nt", "all"]),
    default=("all",),
    show_default=True,
    help="Dump format(s); repeat the option for several.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write into.",
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(),
    help="Store to export (default: the built one, else an in-memory build).",
)
@click.pass_obj
def export(settings: Settings, formats: tuple[str, ...], out_dir: str, store_path) -> None:
    """Write dumps (gzip), SHA256SUMS, VoID/DCAT, the JSON-LD context and the ontology docs.

    The same files the server offers at /download/, /.well-known/void, /context.jsonld and
    /ontology.
    """
    import json

    from lcgraph import export as ex
    from lcgraph import store as store_mod

    settings = settings.with_(store_path=store_path)
    store = store_mod.load_store(settings)
    chosen = list(ex.DUMP_FORMATS) if "all" in formats else list(dict.fromkeys(formats))
    out = Path(out_dir)
    files = ex.write_dumps(store, settings, out, chosen)
    (out / "context.jsonld").write_text(
        json.dumps(ex.jsonld_context(settings), indent=2) + "\n", encoding="utf-8"
    )
    (out / "ontology.html").write_text(ex.ontology_html(settings), encoding="utf-8")
    for f in files:
        click.echo(f"{f.name}  {f.statements:,} statements  {f.size:,} bytes  sha256 {f.sha256}")
    click.echo(
        f"wrote {len(files)} dump(s), SHA256SUMS, void.ttl, context.jsonld, ontology.html to {out}"
    )
