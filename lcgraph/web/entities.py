"""Entity IRIs that dereference: ``/id/{kind}/{slug}`` with content negotiation.

The IRIs name things (a city, a network), not documents, so they answer as the W3C's "Cool
URIs for the Semantic Web" recommends for such IRIs: **303 See Other** to a document about the
thing, chosen by ``Accept`` (with ``Vary: Accept``):

- ``/page/{kind}/{slug}``: the HTML page (labels, links, incoming links, the source of every
  statement);
- ``/data/{kind}/{slug}.{ttl,nt,jsonld,rdf,trig,nq}``: the data; ``/data/{kind}/{slug}``
  negotiates itself (200, ``Content-Location``). JSON-LD refers to the published context
  ``/context.jsonld``; TriG and N-Quads keep the named graph (the source) of each statement.

Every document and the 303 carry ``Link: <...>; rel="alternate"; type="..."`` headers to the
other forms. Hash IRIs (``/id/network/asian-network-of-major-cities-21#tokyo``) are described on their base's page. An
unknown slug answers 404 with the closest entities as suggestions (HTML or JSON).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from lcgraph.config import KINDS
from lcgraph.errors import InputError
from lcgraph.web.conneg import HTML, choose
from lcgraph.web.prefix import prefix_of

__all__ = ["router"]

router = APIRouter(tags=["Linked data"])

#: extension -> media type of an entity's data documents
DATA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
_EXT = {v: k for k, v in DATA_TYPES.items()}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


class Suggestion(BaseModel):
    iri: str
    label: str
    url: str


class NotFoundBody(BaseModel):
    status: int = 404
    error: str = "Not Found"
    message: str
    suggestions: list[Suggestion]


def local_path(iri: str, base: str, root: str = "") -> str | None:
    """The server path that serves ``iri`` (``/id/...``, after the path prefix ``root``), or
    ``None`` for an outside IRI."""
    if iri.startswith(base):
        return f"{root}/" + iri[len(base) :]
    return None


def _links(kind: str, slug: str, root: str) -> str:
    parts = [f'<{root}/page/{kind}/{slug}>; rel="alternate"; type="text/html"']
    parts += [
        f'<{root}/data/{kind}/{slug}.{ext}>; rel="alternate"; type="{media}"'
        for ext, media in DATA_TYPES.items()
    ]
    return ", ".join(parts)


def _index(request: Request) -> dict:
    """The entity index for suggestions, once per store generation."""
    from lcgraph.entity import entity_index

    state = request.app.state
    key = ("entity-index", state.generation)
    index = state.cache.get(key)
    if index is None:
        index = entity_index(state.store, state.settings)
        with state.cache_lock:
            if state.generation == key[1]:
                state.cache[key] = index
    return index


def _describe_or_404(request: Request, kind: str, slug: str):
    from lcgraph.entity import describe, suggest
    from lcgraph.web.pages import error_response

    settings = request.app.state.settings
    store = request.app.state.store
    desc = None
    if kind in KINDS and _SLUG.match(slug):
        desc = describe(store, settings.entity_iri(kind, slug))
    if desc is not None:
        return desc
    found = suggest(store, settings, kind, slug, index=_index(request)) if kind in KINDS else []
    suggestions = [
        Suggestion(iri=i, label=label, url=local_path(i, settings.base, settings.path_prefix) or i)
        for i, label in found
    ]
    what = f"{kind}/{slug}" if kind in KINDS else f"kind {kind!r} (kinds: {', '.join(KINDS)})"
    message = f"no entity {what} in this knowledge graph"
    return error_response(request, 404, message, suggestions=[s.model_dump() for s in suggestions])


@router.get(
    path="/id/{kind}/{slug}",
    summary="Dereference an entity IRI (303 to its page or data)",
    status_code=303,
    responses={404: {"model": NotFoundBody}},
)
def entity(kind: str, slug: str, request: Request) -> Response:
    desc = _describe_or_404(request, kind, slug)
    if isinstance(desc, Response):
        return desc
    media = choose(
        request.query_params.get("format"),
        request.headers.get("accept"),
        (HTML, *DATA_TYPES.values()),
    )
    root = prefix_of(request)
    target = f"/page/{kind}/{slug}" if media == HTML else f"/data/{kind}/{slug}.{_EXT[media]}"
    return RedirectResponse(
        root + target,
        status_code=303,
        headers={"Vary": "Accept", "Link": _links(kind, slug, root)},
    )


@router.get(
    path="/page/{kind}/{slug}",
    summary="An entity's HTML page",
    response_class=Response,
)
def page(kind: str, slug: str, request: Request) -> Response:
    from lcgraph.web.entity_view import entity_page

    desc = _describe_or_404(request, kind, slug)
    if isinstance(desc, Response):
        return desc
    return entity_page(
        request, desc, kind, slug, headers={"Link": _links(kind, slug, prefix_of(request))}
    )


@router.get(
    path="/data/{kind}/{name}",
    summary="An entity's data (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads)",
)
def data(kind: str, name: str, request: Request) -> Response:
    slug, dot, ext = name.partition(".")
    if dot:
        if ext not in DATA_TYPES:
            raise InputError(
                f"no data format .{ext}; use one of: {', '.join('.' + e for e in DATA_TYPES)}",
                http_status=404,
            )
        media = DATA_TYPES[ext]
    else:
        media = choose(
            request.query_params.get("format"),
            request.headers.get("accept"),
            tuple(DATA_TYPES.values()),
        )
    desc = _describe_or_404(request, kind, slug)
    if isinstance(desc, Response):
        return desc
    root = prefix_of(request)
    headers = {"Link": _links(kind, slug, root)}
    if not dot:
        headers["Content-Location"] = f"{root}/data/{kind}/{slug}.{_EXT[media]}"
    return entity_data(request, desc, media, headers)


def entity_data(request: Request, desc, media: str, headers: dict) -> Response:
    import pyoxigraph as ox

    from lcgraph.entity import entity_triples
    from lcgraph.rdfio import all_prefixes
    from lcgraph.web.download import rdf_response

    settings = request.app.state.settings
    prefixes = all_prefixes(settings.base)
    if media in ("application/trig", "application/n-quads"):
        fmt = ox.RdfFormat.TRIG if media == "application/trig" else ox.RdfFormat.N_QUADS
        body = ox.serialize(
            desc.statements, format=fmt, prefixes=prefixes if fmt == ox.RdfFormat.TRIG else None
        )
        return Response(body, media_type=media, headers={"Vary": "Accept", **headers})
    return rdf_response(
        entity_triples(desc),
        media,
        prefixes,
        settings,
        headers=headers,
        context_url=_context_url(request),
    )


def _context_url(request: Request) -> str:
    """Where JSON-LD documents find their ``@context``: ``{base}context.jsonld`` for a
    deployment under its own base (which maps to this server's root, whatever Host header or
    proxy a request came through); with the default base, this server's own copy."""
    from lcgraph.config import DEFAULT_BASE

    base = request.app.state.settings.base
    if base != DEFAULT_BASE:
        return base + "context.jsonld"
    return str(request.base_url).rstrip("/") + "/context.jsonld"
