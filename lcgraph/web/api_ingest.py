"""HTTP routes for the secretariat's writes: ``POST /api/ingest``, the change log, reverts.

The app provides (``app.state``): ``settings`` (:class:`~lcgraph.config.Settings`), ``store``
(the server's one writable pyoxigraph store) and optionally ``on_store_change()``, called after
every commit (the server refreshes its query workers with it).

Writes need ``Authorization: Bearer <token>``, the token the operator configured
(``LCGRAPH_INGEST_TOKEN`` or ``LCGRAPH_INGEST_TOKEN_FILE``; never in the repository). With no
token configured, writes are disabled (403); a missing token is 401 with ``WWW-Authenticate``,
a wrong one 403. Bodies above ``max_ingest_bytes`` are refused (413) before they are read whole.
Every error is a JSON object with an ``error`` message. Reading the log is public: the log is in
the public graph anyway (``graph/changes``).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from lcgraph.errors import LcgraphError

router = APIRouter(tags=["ingest"])

_REALM = 'Bearer realm="lcgraph ingest"'


class IngestOut(BaseModel):
    change_id: str | None
    committed: bool
    dry_run: bool
    source: str
    author: str
    conforms: bool | None
    added: list[str]
    removed: list[str]
    new_entities: list[dict]
    matches: list[dict]
    notes: list[str]
    violations: list[dict]
    seconds: float


class ChangeOut(BaseModel):
    id: str
    iri: str
    created: str
    author: str
    source: str
    format: str
    message: str | None
    added: int
    removed: int
    reverts: str | None
    reverted_by: list[str]


class ChangeDetailOut(ChangeOut):
    added_triples: list[str]
    removed_triples: list[str]


def _error(status: int, message: str, headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _authorise(request: Request) -> JSONResponse | None:
    """None when the request carries the configured token; else the error response."""
    token = request.app.state.settings.ingest_token
    if not token:
        return _error(
            403,
            "writes are disabled: the operator has configured no ingest token "
            "(LCGRAPH_INGEST_TOKEN or LCGRAPH_INGEST_TOKEN_FILE)",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return _error(
            401,
            "a bearer token is required: Authorization: Bearer <token>",
            {"WWW-Authenticate": _REALM},
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        return _error(
            403, "the token is not valid", {"WWW-Authenticate": f'{_REALM}, error="invalid_token"'}
        )
    return None


async def _read_body(request: Request, limit: int) -> bytes | JSONResponse:
    """The body, or a 413 as soon as it is known to be longer than ``limit``."""
    too_big = _error(
        413, f"the body is larger than {limit:,} bytes (LCGRAPH_MAX_INGEST_BYTES); split the change"
    )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _on_commit(request: Request):
    return getattr(request.app.state, "on_store_change", None)


def _author(request: Request, author: str | None) -> str:
    return f"{author} (api)" if author else "api"


async def _write(request: Request, action, status: int) -> JSONResponse:
    from lcgraph.ingest import IngestRejected

    try:
        result = await run_in_threadpool(action)
    except IngestRejected as exc:
        return _error(exc.http_status, exc.message, **exc.result.as_dict())
    except LcgraphError as exc:
        return _error(exc.http_status, exc.message)
    body = IngestOut(**result.as_dict()).model_dump()
    return JSONResponse(body, status_code=status if result.committed else 200)


@router.post(
    "/api/ingest",
    response_model=IngestOut,
    status_code=201,
    summary="Add or remove statements through the SHACL gate (bearer token)",
    responses={
        200: {"description": "dry run, or nothing to change"},
        401: {},
        403: {},
        413: {},
        415: {},
        422: {},
    },
)
async def post_ingest(
    request: Request,
    kind: str | None = None,
    format: str | None = None,  # the query parameter's name
    filename: str | None = None,
    dry_run: bool = False,
    author: str | None = None,
    message: str | None = None,
):
    """Body: Turtle (text/turtle), TriG (application/trig), JSON-LD (application/ld+json), a
    change set (application/json: {"add": TURTLE, "remove": TURTLE, "message": TEXT}) or a CSV
    template (text/csv, with ?kind=cities|memberships|collaborations|targets). 201 committed,
    200 dry run or nothing to change, 422 rejected by the shapes (with the report)."""
    denied = _authorise(request)
    if denied is not None:
        return denied
    settings = request.app.state.settings
    body = await _read_body(request, settings.max_ingest_bytes)
    if isinstance(body, JSONResponse):
        return body
    from lcgraph import ingest as ingest_mod

    media_type = request.headers.get("content-type")
    client = request.client.host if request.client else "unknown"
    name = (
        f"{filename} via POST /api/ingest from {client}"
        if filename
        else f"POST /api/ingest from {client}"
    )
    from lcgraph.changeset import GENERIC_MEDIA_TYPES, detect_format

    generic = (media_type or "").split(";", 1)[0].strip().lower() in GENERIC_MEDIA_TYPES
    if generic and not format and not filename:
        return _error(
            415,
            f"cannot tell the format of a {media_type or 'body without a Content-Type'}: send it "
            "as text/turtle, application/trig, application/ld+json, application/json (a change "
            "set) or text/csv, or name it with ?format= or ?filename=",
        )
    if filename and not format and not media_type:
        try:
            format = detect_format(filename, None, body)
        except LcgraphError as exc:
            return _error(exc.http_status, exc.message)
    if kind is None and filename:
        kind = ingest_mod.kind_from_name(filename) or None
    return await _write(
        request,
        lambda: ingest_mod.ingest(
            request.app.state.store,
            settings,
            body,
            name=name,
            media_type=media_type if not format else None,
            fmt=format,
            kind=kind,
            author=_author(request, author),
            message=message,
            dry_run=dry_run,
            on_commit=_on_commit(request),
        ),
        201,
    )


@router.get("/api/changes", response_model=list[ChangeOut], summary="The change log, oldest first")
def get_changes(request: Request):
    from lcgraph import changelog

    log = changelog.list_changes(request.app.state.store, request.app.state.settings)
    return [c.as_dict() for c in log]


@router.get(
    "/api/changes/{change_id}",
    response_model=ChangeDetailOut,
    summary="One change, with its triples",
)
def get_change(request: Request, change_id: str):
    from lcgraph import changelog

    try:
        change = changelog.find_change(
            request.app.state.store, request.app.state.settings, change_id
        )
    except LcgraphError as exc:
        return _error(exc.http_status, exc.message)
    return {
        **change.as_dict(),
        "added_triples": [f"{t.subject} {t.predicate} {t.object} ." for t in change.added],
        "removed_triples": [f"{t.subject} {t.predicate} {t.object} ." for t in change.removed],
    }


@router.post(
    "/api/changes/{change_id}/revert",
    response_model=IngestOut,
    status_code=201,
    summary="Undo a change, as a new validated change (bearer token)",
)
async def post_revert(
    request: Request, change_id: str, dry_run: bool = False, author: str | None = None
):
    denied = _authorise(request)
    if denied is not None:
        return denied
    from lcgraph import ingest as ingest_mod

    return await _write(
        request,
        lambda: ingest_mod.revert(
            request.app.state.store,
            request.app.state.settings,
            change_id,
            author=_author(request, author),
            dry_run=dry_run,
            on_commit=_on_commit(request),
        ),
        201,
    )
