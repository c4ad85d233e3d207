"""The FastAPI application: ``create_app(settings)``.

``app.state`` holds what routers share (a contract other routers rely on):

- ``settings``: the :class:`~lcgraph.config.Settings`;
- ``store``: the one writable pyoxigraph ``Store`` of the server process, opened once (the
  built store on disk, or an in-memory build when there is none);
- ``on_store_change()``: call it after writing to ``store``: it bumps ``generation``, drops
  caches (dumps, VoID) and makes the query workers read a fresh snapshot;
- ``generation``: an integer that changes with the data (a cache key);
- ``pool``: the :class:`~lcgraph.web.pool.QueryPool` that runs SPARQL from clients.

Routers are module-level ``APIRouter`` objects listed in :data:`ROUTERS`; a new area adds
its router there (``"module:attribute"``). An entry may also name a function that takes the
settings and returns a router, for routes that depend on them (the saved-query API has one
typed route per query file).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from lcgraph import __version__
from lcgraph.config import Settings
from lcgraph.errors import LcgraphError, StoreError
from lcgraph.web.cors import ReadOnlyCors
from lcgraph.web.guard import RequestGuard
from lcgraph.web.head import HeadAsGet
from lcgraph.web.pages import STATIC_DIR, error_response, validation_message
from lcgraph.web.prefix import prefix_of
from lcgraph.web.sparql import EndpointShortcut

log = logging.getLogger(__name__)

#: Routers included by :func:`create_app`, in order.
ROUTERS: list[str] = [
    "lcgraph.web.sparql:router",
    "lcgraph.web.entities:router",
    "lcgraph.web.ontology:router",
    "lcgraph.web.download:router",
    "lcgraph.web.api_queries:make_router",
    "lcgraph.web.api_match:router",
    "lcgraph.web.api_analysis:router",
    "lcgraph.web.api_ingest:router",
    "lcgraph.web.ui:router",
]


def open_server_store(settings: Settings):
    """The server's writable store: the built one, or an in-memory build when none exists."""
    import pyoxigraph as ox

    from lcgraph import store as store_mod

    path = Path(settings.store_path)
    if path.is_dir():
        try:
            return ox.Store(str(path)), path
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot open the store for the server ({' '.join(str(exc).split())}); "
                "is another server or build using it?"
            ) from exc
    store, _ = store_mod.build(settings, in_memory=True)
    return store, None


def _offline_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the files the fastapi-offline package ships (FastAPI's own
    page loads them from a CDN, so it is blank offline)."""
    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/docs", StaticFiles(directory=static), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        root = prefix_of(request)
        return get_swagger_ui_html(
            openapi_url=root + (app.openapi_url or "/openapi.json"),
            title=f"{app.title}: API",
            swagger_js_url=f"{root}/static/docs/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/static/docs/swagger-ui.css",
            swagger_favicon_url=f"{root}/static/docs/favicon.png",
        )


def allowed_methods(request: Request) -> str:
    """The ``Allow`` header of a 405: the methods of every route at the request's path (a path
    may have one route per method), with HEAD wherever GET is (it is answered as GET)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):  # which would a route take?
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def _include_routers(app: FastAPI, settings: Settings) -> None:
    from fastapi import APIRouter

    for spec in ROUTERS:
        module_name, attr = spec.split(":")
        router = getattr(importlib.import_module(module_name), attr)
        if not isinstance(router, APIRouter):
            router = router(settings)
        app.include_router(router)


def create_app(
    settings: Settings | None = None, *, sandbox: bool = True, result_cache: bool = True
) -> FastAPI:
    """The lcgraph web application for ``settings`` (default: from the environment).

    ``sandbox``: query workers run in a network namespace without interfaces where the OS
    allows it. ``result_cache``: repeated queries are answered from a per-generation cache
    (:mod:`lcgraph.web.result_cache`).

    The store is opened and the query workers started when the app starts (its lifespan),
    so creating the app is cheap and a test client controls when processes run.
    """
    from lcgraph.web.direct import DirectPath
    from lcgraph.web.pool import QueryPool
    from lcgraph.web.result_cache import ResultCache
    from lcgraph.web.warm import Warmer

    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store, path = open_server_store(settings)
        # allowed SERVICE endpoints need the network: then the lexical check is the guard
        isolate = sandbox and not settings.service_allowlist
        pool = QueryPool(store, path, size=settings.workers, sandbox=isolate)
        app.state.store = store
        app.state.store_path = path
        app.state.pool = pool
        app.state.generation = 0
        app.state.cache = {}
        app.state.cache_lock = threading.Lock()
        app.state.results = ResultCache() if result_cache else None
        app.state.direct = DirectPath(store, settings.direct_budget)
        warmer = app.state.warmer = Warmer(app.state, enabled=settings.warm_up)

        def on_store_change() -> int:
            # first the in-process path's counts, which read the live store (pool.changed()
            # may wait for a snapshot being taken)
            app.state.direct.changed()
            with app.state.cache_lock:
                app.state.generation = pool.changed()
                app.state.cache = {}
                if app.state.results is not None:
                    app.state.results.clear()
            warmer.start()
            return app.state.generation

        app.state.on_store_change = on_store_change
        await pool.start()
        log.info("lcgraph server: %s workers, sandbox %s", pool.size, pool.sandbox_status)
        warmer.start()
        try:
            yield
        finally:
            await asyncio.to_thread(warmer.stop)
            await pool.close()
            del app.state.store

    app = FastAPI(
        title="lcgraph",
        version=__version__,
        summary="Low-carbon cities, city networks and collaborations in Asia, as linked data.",
        description=(
            "A SPARQL 1.1 endpoint (read-only) at `/sparql`, entity pages at `/id/{kind}/{slug}` "
            "with content negotiation, the ontology at `/ontology`, dumps at `/download/` and "
            "the dataset description at `/.well-known/void`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served below from local files: no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    _offline_docs(app)
    app.add_middleware(EndpointShortcut)  # innermost: after the guard, CORS and HEAD
    app.add_middleware(RequestGuard)
    app.add_middleware(ReadOnlyCors)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_routers(app, settings)

    @app.get("/api/status", summary="The server's state: data generation, query workers, warm-up")
    def status(request: Request) -> dict:
        state = request.app.state
        return {
            "version": __version__,
            "generation": state.generation,
            "workers": state.pool.stats(),
            "warm_up": state.warmer.status(),
            "result_cache": state.results is not None,
            "direct_queries": state.direct.stats(),
        }

    @app.exception_handler(LcgraphError)
    async def lcgraph_error(request: Request, exc: LcgraphError):
        return error_response(request, exc.http_status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        # FastAPI's list stays in "detail" for API clients; a sentence for people, and a page
        # for browsers, as for every other error
        errors = jsonable_encoder(exc.errors())
        return error_response(request, 422, validation_message(errors), detail=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # the same body for FastAPI's own errors (404 no route, 405 method), headers kept
        detail = exc.detail
        extra = {}
        if isinstance(detail, dict) and "message" in detail:  # {"message", ...more fields}
            extra = {k: v for k, v in detail.items() if k not in ("message", "status", "error")}
            detail = detail["message"]
        response = error_response(request, exc.status_code, str(detail), **extra)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    return app
