"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with limits.

- ``GET /sparql?query=...``, ``POST`` as a form (``application/x-www-form-urlencoded``) or
  directly (``application/sparql-query``); ``default-graph-uri`` / ``named-graph-uri`` (in the
  URL, or in the form) override the query's FROM / FROM NAMED.
- The answer's type by ``Accept`` or by a ``format`` parameter (``json``, ``xml``, ``csv``,
  ``tsv``; ``ttl``, ``nt``, ``jsonld``, ``rdfxml``); 406 when neither can be met.
- ``GET /sparql`` without a query: the service description (RDF, or a page for browsers).
- Errors are 4xx with a JSON message: 400 syntax (with the position), a missing or repeated
  ``query``, bad UTF-8, too deep nesting, a SERVICE not allowed; 403 for SPARQL Update; 413 for
  a body over ``max_request_bytes``; 415 for another body type; 503 when the query ran past
  ``query_timeout`` (its worker is killed) or every worker stayed busy.
- At most ``max_rows`` rows (or triples): a longer answer is cut, with the header
  ``X-LCGraph-Truncated: true`` and, in SPARQL JSON, top-level ``"truncated": true``.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lcgraph.errors import InputError, LcgraphError
from lcgraph.rdfio import all_prefixes
from lcgraph.sparql_text import QueryInfo, check_query
from lcgraph.web.conneg import HTML, RDF_TYPES, RESULTS_TYPES, choose, negotiate
from lcgraph.web.pages import error_response
from lcgraph.web.prefix import route_path
from lcgraph.web.result_cache import cacheable
from lcgraph.web.worker import Reply, Task

__all__ = ["EndpointShortcut", "router"]

router = APIRouter(tags=["SPARQL"])

_PARAMS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "A graph of the default graph (overrides FROM).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "A named graph of the dataset (overrides FROM NAMED).",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {
            "type": "string",
            "enum": ["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdfxml"],
        },
        "description": "The answer's format; wins over Accept.",
    },
]

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


class PayloadTooLarge(InputError):
    http_status = 413


class UnsupportedMediaType(InputError):
    http_status = 415


def parse_params(raw: bytes, where: str) -> dict[str, list[str]]:
    """Parameters of a query string or form body; strict UTF-8, blank values kept.

    The same as ``parse_qs(raw.decode(), keep_blank_values=True, errors="strict")``, with the
    percent-escapes decoded in C (``unquote`` loops over them in Python: a typical query has
    dozens).

    >>> parse_params(b"query=ASK+%7B%7D&format=&x", "query string")
    {'query': ['ASK {}'], 'format': [''], 'x': ['']}
    """
    try:
        raw.decode("utf-8")
        params: dict[str, list[str]] = {}
        for field in raw.split(b"&"):
            if not field:
                continue
            name, _, value = field.partition(b"=")
            params.setdefault(_unquote_plus(name), []).append(_unquote_plus(value))
        return params
    except UnicodeDecodeError:
        raise InputError(f"the {where} is not valid UTF-8") from None


#: a ``%`` that does not start an escape (``unquote`` keeps it as it is)
_BARE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unquote_plus(raw: bytes) -> str:
    """``urllib.parse.unquote_plus`` of ``raw`` (valid UTF-8), strict: ``+`` is a space, each
    ``%XX`` a byte, the result UTF-8 (else :class:`UnicodeDecodeError`)."""
    raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode("utf-8")
    if _BARE_PERCENT.search(raw):
        return unquote_to_bytes(raw).decode("utf-8")
    # every % starts an escape: as \xXX (backslashes doubled) it is what escape_decode reads
    return codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0].decode(
        "utf-8"
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise InputError(f"give the {name!r} parameter once (it was given {len(values)} times)")
    return values[0]


def _graph_iris(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    iris = tuple(params.get(name, ()))
    for iri in iris:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*$", iri):
            raise InputError(f"{name} must be an absolute IRI, got {iri!r}")
    return iris


def _media_type(request: Request) -> tuple[str | None, dict[str, str]]:
    header = request.headers.get("content-type")
    if not header:
        return None, {}
    main, *params = header.split(";")
    options = {}
    for p in params:
        k, _, v = p.partition("=")
        options[k.strip().lower()] = v.strip().strip('"').lower()
    return main.strip().lower(), options


async def sparql_get(request: Request) -> Response:
    params = parse_params(request.scope.get("query_string", b""), "query string")
    if "update" in params:
        raise _read_only()
    if "query" not in params:
        if any(k in params for k in ("default-graph-uri", "named-graph-uri")):
            raise InputError("the 'query' parameter is missing")
        return service_description(request, params)
    return await _answer(request, params)


async def sparql_post(request: Request) -> Response:
    settings = request.app.state.settings
    media, options = _media_type(request)
    if media == UPDATE:
        raise _read_only()
    if media not in (FORM, DIRECT):
        raise UnsupportedMediaType(
            f"POST a query as {FORM} (query=...) or as {DIRECT}"
            + (f", not {media}" if media else "; the Content-Type header is missing")
        )
    charset = options.get("charset")
    if charset and charset.replace("-", "").replace("_", "") != "utf8":
        raise UnsupportedMediaType(f"the query must be UTF-8 encoded, not {charset}")
    body = await read_body(request, settings.max_request_bytes)
    params = parse_params(request.scope.get("query_string", b""), "query string")
    if "update" in params:
        raise _read_only()
    if media == FORM:
        form = parse_params(body, "form body")
        if "update" in form:
            raise _read_only()
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
    else:
        if "query" in params:
            raise InputError(f"a {DIRECT} POST carries the query in its body, not in the URL")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the query is not valid UTF-8") from None
        params["query"] = [text.removeprefix("\ufeff")]  # a byte-order mark some editors write
    if "query" not in params:
        raise InputError("the 'query' parameter is missing")
    return await _answer(request, params)


# The endpoint is served by plain Starlette routes (registered first, so they match first):
# FastAPI's per-request dependency machinery costs more than the whole dispatch of a small
# query. The APIRoutes after them only document the endpoint in the OpenAPI schema.
for _path in ("/sparql", "/sparql/"):
    router.add_route(_path, sparql_get, methods=["GET"], include_in_schema=False)
    router.add_route(_path, sparql_post, methods=["POST"], include_in_schema=False)
router.add_api_route(
    "/sparql",
    sparql_get,
    methods=["GET"],
    openapi_extra={"parameters": _PARAMS},
    summary="SPARQL query (GET)",
)
router.add_api_route(
    "/sparql",
    sparql_post,
    methods=["POST"],
    openapi_extra={
        "parameters": _PARAMS[1:],
        "requestBody": {
            "content": {
                DIRECT: {"schema": {"type": "string"}},
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
            }
        },
    },
    summary="SPARQL query (POST form or direct)",
)


class EndpointShortcut:
    """ASGI middleware (the innermost of the app's own): ``GET`` and ``POST`` on ``/sparql``
    go straight to their handlers, past Starlette's exception middleware, FastAPI's exit stack
    and the routers' matching (a third of the time a small query spends in the server).

    Behaviour is the routes': the same handlers, and an :class:`LcgraphError` becomes the same
    error response as the app's exception handler makes. Any other exception goes up to the
    server-error middleware (500), as from a route. Other methods (405 with ``Allow``) and every
    other path take the app's routing.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        handler = (
            _SHORTCUTS.get(scope["method"])
            if scope["type"] == "http" and route_path(scope) in ("/sparql", "/sparql/")
            else None
        )
        if handler is None:
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except LcgraphError as exc:
            response = error_response(request, exc.http_status, exc.message)
        await response(scope, receive, send)


_SHORTCUTS = {"GET": sparql_get, "POST": sparql_post}


def _read_only() -> InputError:
    from lcgraph.sparql_text import ReadOnlyError

    return ReadOnlyError("this endpoint is read-only: SPARQL Update is not accepted")


async def _answer(request: Request, params: dict[str, list[str]]) -> Response:
    settings = request.app.state.settings
    text = _one(params, "query") or ""
    if not text.strip():
        raise InputError("the query is empty")
    fmt = _one(params, "format")
    info = check_query(
        text, max_depth=settings.max_query_depth, service_allowlist=settings.service_allowlist
    )
    offered = RDF_TYPES if info.form in ("CONSTRUCT", "DESCRIBE") else RESULTS_TYPES
    media = choose(fmt, request.headers.get("accept"), offered)
    task = Task(
        query=text,
        results_type=media if offered is RESULTS_TYPES else RESULTS_TYPES[0],
        rdf_type=media if offered is RDF_TYPES else RDF_TYPES[0],
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        has_dataset=info.has_dataset,
        max_rows=settings.max_rows,
        base_iri=_base_iri(request.scope),
        # only graph answers (Turtle, RDF/XML) use prefixes; SELECT/ASK tasks stay small
        prefixes=_prefixes(settings.base) if offered is RDF_TYPES else {},
    )
    reply, headers = await run_task(request.app.state, task, text, info)
    return Response(reply.body, media_type=with_charset(reply.media_type), headers=headers)


async def run_task(
    state, task: Task, text: str, info: QueryInfo | None = None
) -> tuple[Reply, dict[str, str]]:
    """Answer ``task`` from the result cache, in this process when it is a lookup of bounded
    cost (:mod:`lcgraph.web.direct`, from the lexer's ``info``), or in the worker pool; the
    reply and the headers every answer carries (row count, truncation marker). A failed query
    raises :class:`InputError` with the worker's status (400, 503...)."""
    settings = state.settings
    cache = getattr(state, "results", None)
    key = cache.key(task, state.generation) if cache is not None and cacheable(text) else None
    reply = cache.get(key) if key is not None else None
    if reply is None:
        direct = getattr(state, "direct", None)
        reply = direct.answer(task, info) if direct is not None else None
        if reply is None:
            reply = await state.pool.run(task, settings.query_timeout)
        if key is not None:
            cache.put(key, reply)
    if reply.status != 200:
        raise InputError(reply.body.decode("utf-8", "replace"), http_status=reply.status)
    headers = {"Vary": "Accept", "X-LCGraph-Rows": str(reply.rows)}
    if reply.truncated:
        headers["X-LCGraph-Truncated"] = "true"
        headers["X-LCGraph-Max-Rows"] = str(settings.max_rows)
    return reply, headers


def _base_iri(scope) -> str:
    """The request's URL without its query: the base IRI of relative IRIs in the query."""
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    server = scope.get("server")
    server = None if server is None else tuple(server)  # a list in Starlette's TestClient
    return _url_of(scope.get("scheme", "http"), server, scope["path"], host)


@lru_cache(maxsize=256)
def _url_of(scheme: str, server, path: str, host: bytes | None) -> str:
    from starlette.datastructures import URL

    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "headers": headers}
    return str(URL(scope=scope))


@lru_cache(maxsize=8)
def _prefixes(base: str) -> dict[str, str]:
    return all_prefixes(base)


def with_charset(media: str) -> str:
    if media.startswith("text/") or media in ("application/n-triples",):
        return f"{media}; charset=utf-8"
    return media


# --- Service description ------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


def service_triples(settings, graphs: list[str]) -> list:
    """The SPARQL 1.1 Service Description of this endpoint."""
    import pyoxigraph as ox

    N = ox.NamedNode
    me = N(f"{settings.base}sparql")
    dataset = N(f"{settings.base}sparql#dataset")
    default = N(f"{settings.base}sparql#default-graph")
    rdf_type = N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    out = [
        ox.Triple(me, rdf_type, N(SD + "Service")),
        ox.Triple(me, N(SD + "endpoint"), me),
        ox.Triple(me, N(SD + "supportedLanguage"), N(SD + "SPARQL11Query")),
        ox.Triple(me, N(SD + "feature"), N(SD + "UnionDefaultGraph")),
        ox.Triple(
            me, N(SD + "defaultEntailmentRegime"), N("http://www.w3.org/ns/entailment/Simple")
        ),
        ox.Triple(me, N(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, N(SD + "Dataset")),
        ox.Triple(dataset, N(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, N(SD + "Graph")),
        ox.Triple(
            me,
            N("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                f"Read-only. The default graph is the union of the named graphs. Queries stop after "
                f"{settings.query_timeout:g} s; answers hold at most {settings.max_rows} rows "
                "(X-LCGraph-Truncated: true when cut). SERVICE is refused unless its endpoint is "
                "allowed by the operator.",
                language="en",
            ),
        ),
    ]
    if settings.service_allowlist:
        out.append(ox.Triple(me, N(SD + "feature"), N(SD + "BasicFederatedQuery")))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        out.append(ox.Triple(me, N(SD + "resultFormat"), N(FORMATS + fmt)))
    for i, g in enumerate(graphs):
        node = N(f"{settings.base}sparql#named-graph-{i + 1}")
        out += [
            ox.Triple(dataset, N(SD + "namedGraph"), node),
            ox.Triple(node, rdf_type, N(SD + "NamedGraph")),
            ox.Triple(node, N(SD + "name"), N(g)),
        ]
    return out


def service_description(request: Request, params: dict[str, list[str]]) -> Response:
    import pyoxigraph as ox

    from lcgraph.web.download import rdf_response
    from lcgraph.web.pages import render

    settings = request.app.state.settings
    fmt = _one(params, "format")
    offered = (*RDF_TYPES, HTML)
    media = (
        choose(fmt, request.headers.get("accept"), offered)
        if fmt
        else (negotiate(request.headers.get("accept"), offered) or "text/turtle")
    )
    graphs = sorted(
        g.value for g in request.app.state.store.named_graphs() if isinstance(g, ox.NamedNode)
    )
    if media == HTML:
        return render(
            "sparql.html",
            root=settings.path_prefix,
            title="SPARQL endpoint",
            settings=settings,
            graphs=graphs,
            pool=request.app.state.pool.stats(),
            headers={"Vary": "Accept"},
        )
    prefixes = {"sd": SD, "formats": FORMATS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    return rdf_response(service_triples(settings, graphs), media, prefixes, settings)
