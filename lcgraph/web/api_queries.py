"""The saved queries as a REST API: ``GET /api/queries`` and ``GET /api/queries/{name}``.

Every ``queries/NAME.rq`` gets its own route, generated when the app is created
(:func:`make_router`), so that its parameters are real OpenAPI query parameters with their
types, defaults, allowed values and descriptions (``/docs``, ``/openapi.json``):

=================  ==========================================
header type        OpenAPI (and FastAPI's check, 422 when bad)
=================  ==========================================
``xsd:integer``    integer
``xsd:decimal``    number
``xsd:date``       string, format date
``xsd:gYear``      string, pattern ``^[0-9]{4}$``
``xsd:boolean``    boolean
``iri``            string (an IRI, a prefixed name or a slug)
``xsd:string``     string; an enum when the header lists ``values``
=================  ==========================================

A generic ``/api/queries/{name}`` route after them answers unknown names with 404 and the
closest names, and runs a query file added after the server started.

The values are then validated again and bound as RDF terms by :func:`lcgraph.queries.bind`
and :func:`lcgraph.queries.bound_text` (never pasted into the text; 400 for a value its type
refuses), and the query runs in the server's worker pool (``app.state.pool``), like any query
sent to ``/sparql``: the time limit (503), the row cap (``"truncated": true``) and the
per-generation result cache apply.

Answers, by ``format`` or ``Accept``: ``json`` (``application/json``, the default: plain rows
of JSON values, with the bound query text), ``sparql-json`` (SPARQL 1.1 JSON results, which the
web UI reads), ``csv``, ``tsv`` and ``xml`` (SPARQL XML results).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
from functools import lru_cache
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from lcgraph.config import Settings
from lcgraph.errors import InputError
from lcgraph.web.conneg import RDF_TYPES, NotAcceptable, choose, negotiate_or_refuse
from lcgraph.web.params import check_names

__all__ = ["catalogue_models", "make_router", "router", "run_saved"]

log = logging.getLogger(__name__)

TAG = "Saved queries"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: The answer types, the default first; ``format`` names for each.
OFFERED = (
    "application/json",
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-results+xml",
)
FORMATS = {
    "json": "application/json",
    "sparql-json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
}
FormatName = Literal["json", "sparql-json", "csv", "tsv", "xml"]
#: ``format`` names for a CONSTRUCT or DESCRIBE query, whose answer is a graph
GraphFormatName = Literal["turtle", "ttl", "nt", "ntriples", "jsonld", "json", "rdfxml", "xml"]
_NUMERIC = {
    "integer": int,
    "int": int,
    "long": int,
    "short": int,
    "nonNegativeInteger": int,
    "positiveInteger": int,
    "decimal": float,
    "double": float,
    "float": float,
}


# --- models -------------------------------------------------------------------------------


class ParamModel(BaseModel):
    name: str
    type: str = Field(description="xsd:string, xsd:integer, xsd:decimal, xsd:date, ...")
    required: bool
    default: Any = None
    description: str = ""
    values: list[str] = Field(default_factory=list, description="The allowed values, if listed.")
    cls: str | None = Field(None, alias="class", description="For IRIs: the expected class.")

    model_config = {"populate_by_name": True}


class QueryModel(BaseModel):
    name: str
    summary: str
    description: str
    tags: list[str]
    form: str = Field(description="SELECT, ASK, CONSTRUCT or DESCRIBE")
    params: list[ParamModel]
    example: str
    url: str = Field(description="This query's route in the API.")


class CatalogueModel(BaseModel):
    queries: list[QueryModel]


class RowsModel(BaseModel):
    query: str
    params: dict[str, str | None] = Field(description="Each parameter as bound (N-Triples).")
    variables: list[str]
    rows: list[dict[str, Any]]
    count: int
    truncated: bool
    max_rows: int
    sparql: str = Field(description="The query text that ran, with its VALUES block.")


class ErrorModel(BaseModel):
    status: int
    error: str
    message: str


class NotFoundModel(ErrorModel):
    suggestions: list[str]


# --- the catalogue -----------------------------------------------------------------------


def saved_queries(settings: Settings) -> list:
    """Every query file that parses, by name; a broken file is logged and left out.

    Parsed once per set of files and modification times, so that pages listing the catalogue
    do not re-read 30 files per request, and an edited file is still picked up.
    """
    files = tuple(
        (path, path.stat().st_mtime_ns) for path in sorted(settings.queries_dir.glob("*.rq"))
    )
    return list(_parse_all(files, settings))


@lru_cache(maxsize=8)
def _parse_all(files: tuple, settings: Settings) -> tuple:
    from lcgraph.queries import get_query

    found = []
    for path, _mtime in files:
        try:
            found.append(get_query(path.stem, settings))
        except InputError as exc:
            log.warning("saved query %s left out of the API: %s", path.name, exc.message)
    return tuple(found)


def _param_model(p) -> ParamModel:
    return ParamModel(
        name=p.name,
        type=p.type,
        required=p.required,
        default=p.default,
        description=p.description,
        values=list(p.values),
        cls=p.cls,
    )


def query_model(q, root: str = "") -> QueryModel:
    return QueryModel(
        name=q.name,
        summary=q.summary,
        description=q.description,
        tags=list(q.tags),
        form=q.form,
        params=[_param_model(p) for p in q.params],
        example=q.example,
        url=f"{root}/api/queries/{q.name}",
    )


def catalogue_models(settings: Settings) -> CatalogueModel:
    return CatalogueModel(
        queries=[query_model(q, settings.path_prefix) for q in saved_queries(settings)]
    )


def list_queries(request: Request) -> CatalogueModel:
    """Every saved query: summary, description, tags and typed parameters."""
    return catalogue_models(request.app.state.settings)


# --- running -----------------------------------------------------------------------------


def _media(fmt: str | None, accept: str | None, graph_form: bool = False) -> str:
    """The answer type: rows or results for SELECT/ASK, a graph type for CONSTRUCT/DESCRIBE."""
    if graph_form:
        return choose(fmt, accept, RDF_TYPES)
    if fmt:
        media = FORMATS.get(fmt.lower())
        if media is None:
            raise NotAcceptable(
                f"format {fmt!r} is not available here; use one of: "
                + ", ".join(sorted(set(FORMATS) - {"srj", "srx"}))
            )
        return media
    return negotiate_or_refuse(accept, OFFERED)


def _plain(term: dict | None) -> Any:
    """A JSON value for a SPARQL JSON term: numbers and booleans typed, the rest as text."""
    if term is None:
        return None
    if term.get("type") == "literal":
        dtype = (term.get("datatype") or "").removeprefix(XSD)
        convert = _NUMERIC.get(dtype)
        try:
            if convert is not None:
                return convert(term["value"])
        except ValueError:
            return term["value"]
        if dtype == "boolean":
            return term["value"] in ("true", "1")
    return term["value"]


async def run_saved(request: Request, name: str, values: dict[str, Any], fmt: str | None):
    """Bind ``values`` to the saved query ``name``, run it in the pool, answer in ``fmt``."""
    from lcgraph.queries import bind, bound_text, get_query
    from lcgraph.sparql_text import check_query
    from lcgraph.web.sparql import run_task, with_charset
    from lcgraph.web.worker import Task

    state = request.app.state
    settings: Settings = state.settings
    try:
        query = get_query(name, settings)
    except InputError as exc:
        return _not_found(request, name, exc.message, settings)
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    media = _media(fmt, request.headers.get("accept"), graph_form)
    bound = bind(query, values, settings)
    text = bound_text(query, bound, settings)
    info = check_query(
        text, max_depth=settings.max_query_depth, service_allowlist=settings.service_allowlist
    )
    worker_media = "application/sparql-results+json" if media == "application/json" else media
    task = Task(
        query=text,
        results_type="application/sparql-results+json" if graph_form else worker_media,
        rdf_type=media if graph_form else "text/turtle",
        has_dataset=info.has_dataset,
        max_rows=settings.max_rows,
    )
    reply, headers = await run_task(state, task, text, info)
    if media != "application/json" or graph_form:
        return Response(reply.body, media_type=with_charset(reply.media_type), headers=headers)
    doc = json.loads(reply.body)
    variables = doc.get("head", {}).get("vars", [])
    if "boolean" in doc:
        rows = [{"boolean": bool(doc["boolean"])}]
        variables = ["boolean"]
    else:
        rows = [
            {v: _plain(b.get(v)) for v in variables} for b in doc.get("results", {}).get("bindings")
        ]
    body = RowsModel(
        query=query.name,
        params={k: (t.n3() if t is not None else None) for k, t in bound.items()},
        variables=variables,
        rows=rows,
        count=len(rows),
        truncated=reply.truncated,
        max_rows=settings.max_rows,
        sparql=text,
    )
    return JSONResponse(body.model_dump(), headers=headers)


def _not_found(request: Request, name: str, message: str, settings: Settings) -> Response:
    import difflib

    from lcgraph.web.pages import error_response

    names = [q.stem for q in sorted(settings.queries_dir.glob("*.rq"))]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    return error_response(request, 404, message, suggestions=close)


async def run_any(request: Request, name: str) -> Response:
    """Run any saved query by name; parameters as ``?name=value`` (untyped in this schema)."""
    check_names(request, None)  # unknown names: lcgraph.queries.bind says which exist
    params = dict(request.query_params)
    fmt = params.pop("format", None)
    return await run_saved(request, name, params, fmt)


# --- one route per saved query -------------------------------------------------------------


def _python_type(p) -> tuple[Any, dict[str, Any]]:
    """The annotation and extra ``Query`` options for a saved-query parameter."""
    if p.values:
        return Literal[tuple(p.values)], {}  # type: ignore[valid-type]
    return {
        "xsd:integer": (int, {}),
        "xsd:decimal": (float, {}),
        "xsd:date": (dt.date, {}),
        "xsd:gYear": (str, {"pattern": r"^[0-9]{4}$", "examples": ["2030"]}),
        "xsd:boolean": (bool, {}),
        "iri": (str, {"examples": ["tokyo", "city:tokyo"]}),
    }.get(p.type, (str, {"max_length": 1000}))


def _route_for(query):
    """An endpoint whose signature declares the query's parameters (FastAPI reads it)."""
    names: dict[str, str] = {}
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    for i, p in enumerate(query.params):
        python_name = f"p{i}"
        names[python_name] = p.name
        annotation, extra = _python_type(p)
        description = p.description or ""
        if p.type == "iri":
            description = (description + " (a full IRI, a prefixed name or a slug)").strip()
        if p.required:
            default = Query(..., alias=p.name, description=description or None, **extra)
        else:
            annotation = annotation | None
            default = Query(p.default, alias=p.name, description=description or None, **extra)
        parameters.append(
            inspect.Parameter(
                python_name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    own_format = "format" not in {p.name for p in query.params}
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    if own_format:
        parameters.append(
            inspect.Parameter(
                "fmt",
                inspect.Parameter.KEYWORD_ONLY,
                default=Query(None, alias="format", description=_format_help(graph_form)),
                annotation=(GraphFormatName if graph_form else FormatName) | None,
            )
        )

    known = set(names.values()) | {"format"}

    async def endpoint(request: Request, **kwargs: Any) -> Response:
        check_names(request, known)
        fmt = kwargs.pop("fmt", None)
        values = {names[k]: v for k, v in kwargs.items() if v is not None}
        return await run_saved(request, query.name, values, fmt)

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint


def _format_help(graph_form: bool) -> str:
    if graph_form:
        return "turtle (ttl), nt, jsonld (json) or rdfxml (xml); wins over Accept"
    return "json (rows), sparql-json, csv, tsv or xml; wins over Accept"


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "Rows (json), SPARQL results (sparql-json, xml) or CSV/TSV; a graph (Turtle, "
            "N-Triples, JSON-LD, RDF/XML) for a CONSTRUCT or DESCRIBE query."
        ),
        "content": {m: {} for m in (*OFFERED[1:], *RDF_TYPES)},
    },
    400: {
        "model": ErrorModel,
        "description": "A value its type refuses, an unknown or repeated parameter, a query error",
    },
    404: {"model": NotFoundModel, "description": "No such saved query"},
    406: {"model": ErrorModel, "description": "No acceptable answer type"},
    503: {"model": ErrorModel, "description": "The query ran past the time limit"},
}


def _add_common(r: APIRouter) -> None:
    r.add_api_route(
        "/api/queries",
        list_queries,
        methods=["GET"],
        response_model=CatalogueModel,
        summary="The saved-query catalogue",
        tags=[TAG],
    )


def _add_generic(r: APIRouter) -> None:
    r.add_api_route(
        "/api/queries/{name}",
        run_any,
        methods=["GET"],
        summary="Run any saved query by name (parameters as ?name=value)",
        responses=_RESPONSES,
        tags=[TAG],
    )


def make_router(settings: Settings) -> APIRouter:
    """The API for the saved queries in ``settings.queries_dir``: one typed route per query."""
    r = APIRouter()
    _add_common(r)
    for query in saved_queries(settings):
        description = query.description or query.summary
        if query.example:
            description += f"\n\nCLI: `{query.example}`"
        r.add_api_route(
            f"/api/queries/{query.name}",
            _route_for(query),
            methods=["GET"],
            summary=query.summary or query.name,
            description=description,
            response_model=RowsModel,
            responses=_RESPONSES,
            tags=[TAG],
        )
    _add_generic(r)
    return r


#: The routes that do not depend on the catalogue (for apps that build their own router list).
router = APIRouter()
_add_common(router)
_add_generic(router)
