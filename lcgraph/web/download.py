"""Dumps, the dataset description and the JSON-LD context.

- ``GET /download/``: the list of dumps with sizes and SHA-256 (HTML, or JSON by Accept);
- ``GET /download/lcgraph.{nq,trig,jsonld,ttl,nt}.gz`` and ``/download/SHA256SUMS``;
- ``GET /.well-known/void`` (and ``/void``): VoID + DCAT, by content negotiation (RDF, or a
  page for browsers);
- ``GET /context.jsonld``: the JSON-LD context that entity documents refer to.

Dumps are made once per store generation (``app.state.generation``) and kept in memory.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from lcgraph.errors import InputError
from lcgraph.web.conneg import HTML, RDF_TYPES, choose

__all__ = ["rdf_response", "router"]

router = APIRouter(tags=["Downloads"])
_build_lock = threading.Lock()


class DumpInfo(BaseModel):
    name: str
    url: str
    media_type: str
    size: int
    sha256: str
    statements: int
    named_graphs: bool


class DumpList(BaseModel):
    dataset: str
    generation: int
    dumps: list[DumpInfo]
    checksums: str
    void: str


class NotFound(InputError):
    http_status = 404


def rdf_response(
    triples,
    media: str,
    prefixes: dict | None,
    settings,
    headers: dict | None = None,
    context_url: str | None = None,
) -> Response:
    """Serialise ``triples`` (pyoxigraph) as ``media``; JSON-LD is compacted with our context."""
    import pyoxigraph as ox

    from lcgraph.export import compact_jsonld

    headers = {"Vary": "Accept", **(headers or {})}
    if media == "application/ld+json":
        body = compact_jsonld(list(triples), settings, context_url)
        return Response(body, media_type=media, headers=headers)
    fmt = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
    }[media]
    use = prefixes if fmt != ox.RdfFormat.N_TRIPLES else None
    body = ox.serialize(list(triples), format=fmt, prefixes=use)
    charset = (
        "; charset=utf-8" if media.startswith("text/") or media == "application/n-triples" else ""
    )
    return Response(body, media_type=media + charset, headers=headers)


def dumps(request: Request) -> dict:
    """``{"files": {name: (bytes, DumpFile)}, "sums": str}`` for the current generation."""
    from lcgraph.export import DUMP_FORMATS, DUMP_STEM, _gzip, dump_bytes, named_quads, sha256sums

    state = request.app.state
    key = ("dumps", state.generation)
    cached = state.cache.get(key)
    if cached:
        return cached
    with _build_lock:
        cached = state.cache.get(key)
        if cached:
            return cached
        import hashlib

        from lcgraph.export import DumpFile

        quads = named_quads(state.store)
        files = {}
        for ext, (_fmt, media, graphs) in DUMP_FORMATS.items():
            data, count = dump_bytes(state.store, ext, state.settings, quads)
            packed = _gzip(data)
            info = DumpFile(
                f"{DUMP_STEM}.{ext}.gz",
                media,
                len(packed),
                hashlib.sha256(packed).hexdigest(),
                count,
                graphs,
            )
            files[info.name] = (packed, info)
        result = {"files": files, "sums": sha256sums(info for _b, info in files.values())}
        with state.cache_lock:
            if state.generation == key[1]:
                state.cache[key] = result
        return result


@router.get(
    path="/download/",
    summary="Dumps of the whole dataset, with checksums",
    response_model=DumpList,
)
def download_index(request: Request):
    from lcgraph.export import dataset_iri
    from lcgraph.web.pages import render

    settings = request.app.state.settings
    made = dumps(request)
    infos = [
        DumpInfo(
            name=i.name,
            url=f"{settings.path_prefix}/download/{i.name}",
            media_type=i.media_type,
            size=i.size,
            sha256=i.sha256,
            statements=i.statements,
            named_graphs=i.graphs,
        )
        for _b, i in made["files"].values()
    ]
    media = choose(
        request.query_params.get("format"),
        request.headers.get("accept"),
        (HTML, "application/json"),
    )
    if media == HTML:
        return render(
            "downloads.html",
            root=settings.path_prefix,
            title="Downloads",
            dumps=infos,
            settings=settings,
            headers={"Vary": "Accept"},
        )
    body = DumpList(
        dataset=dataset_iri(settings),
        generation=request.app.state.generation,
        dumps=infos,
        checksums=f"{settings.path_prefix}/download/SHA256SUMS",
        void=f"{settings.path_prefix}/.well-known/void",
    )
    return JSONResponse(body.model_dump(), headers={"Vary": "Accept"})


@router.get(path="/download/{name}", summary="One dump (gzip) or SHA256SUMS")
def download_file(name: str, request: Request):
    made = dumps(request)
    if name == "SHA256SUMS":
        return Response(made["sums"], media_type="text/plain; charset=utf-8")
    if name not in made["files"]:
        raise NotFound(f"no dump named {name!r}; see /download/ for the list")
    data, info = made["files"][name]
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Digest": f"sha-256={_b64(info.sha256)}",
        "X-Checksum-SHA256": info.sha256,
        "ETag": f'"{info.sha256}"',
    }
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/gzip", headers=headers)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (RFC 9110 §13.1.2: ``*``, a list,
    weak comparison).

    >>> etag_matches('W/"a", "b"', '"a"'), etag_matches("*", '"a"'), etag_matches('"b"', '"a"')
    (True, True, False)
    """
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(
        tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(",") if tag.strip()
    )


def _b64(hexdigest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


@router.get(
    path="/.well-known/void",
    summary="VoID and DCAT description of the dataset",
)
@router.get(path="/void", include_in_schema=False)
def void(request: Request):
    from lcgraph.export import _void_prefixes, void_triples

    state = request.app.state
    # RDF first: a client that accepts anything gets Turtle; a browser, which prefers HTML to
    # application/xml, gets the page
    media = choose(
        request.query_params.get("format"), request.headers.get("accept"), (*RDF_TYPES, HTML)
    )
    key = ("void", state.generation)
    triples = state.cache.get(key)
    if triples is None:
        files = [info for _b, info in dumps(request)["files"].values()]
        triples = void_triples(state.store, state.settings, files)
        with state.cache_lock:
            state.cache[key] = triples
    if media == HTML:
        return void_page(triples, state.settings)
    return rdf_response(triples, media, _void_prefixes(state.settings), state.settings)


#: the machine-readable forms the page links to
_VOID_FORMATS = (("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld"), ("RDF/XML", "rdf"))


def void_page(triples, settings) -> Response:
    """The VoID/DCAT description as a page: one section per described resource (the dataset
    first), each property with its values; resources described on the page link to their
    section, the server's own IRIs to the server's paths."""
    import pyoxigraph as ox

    from lcgraph.entity import RDF_TYPE
    from lcgraph.export import DCAT, DCT, VOID, dataset_iri
    from lcgraph.web.entities import local_path
    from lcgraph.web.entity_view import Linker, Node, Row
    from lcgraph.web.pages import render, shorten
    from lcgraph.web.sparql import SD

    by_subject: dict[object, dict[str, list]] = {}
    for t in triples:
        by_subject.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
    anchors = {subject: f"r{i}" for i, subject in enumerate(by_subject)}
    linker = Linker(settings.base, {}, settings.path_prefix)

    def first(props: dict, predicate: str) -> str | None:
        found = props.get(predicate)
        return found[0].value if found else None

    def summary(subject) -> str:
        """A described resource in words: a class partition, a graph, a dump, a title."""
        props = by_subject[subject]
        if (cls := first(props, VOID + "class")) is not None:
            n = first(props, VOID + "entities")
            return f"{shorten(cls, settings.base)}: {n} {'entity' if n == '1' else 'entities'}"
        if (graph := first(props, SD + "name")) is not None:
            return f"{shorten(graph, settings.base)}: {first(props, VOID + 'triples')} triples"
        if (url := first(props, DCAT + "downloadURL")) is not None:
            return url.rsplit("/", 1)[-1]
        if (title := first(props, DCT + "title")) is not None:
            return title
        return shorten(subject.value, settings.base)

    def value(term):
        v = linker.value(term)
        if term in anchors:
            v.href, v.text = f"#{anchors[term]}", summary(term)
        elif isinstance(term, ox.NamedNode) and not term.value.startswith(settings.base + "id/"):
            v.href = local_path(term.value, settings.base, settings.path_prefix) or v.href
        return v

    def kind(props: dict) -> str:
        types = sorted(shorten(t.value, settings.base) for t in props.get(RDF_TYPE, []))
        return types[0] if types else "~"  # untyped resources last

    dataset = ox.NamedNode(dataset_iri(settings))
    order = sorted(by_subject, key=lambda k: (k != dataset, kind(by_subject[k]), str(k)))
    nodes = []
    for subject in order:
        rows = [
            Row(
                predicate=p,
                label=shorten(p, settings.base),
                href=linker.href(p),
                values=sorted((value(o) for o in objects), key=lambda v: v.text),
            )
            for p, objects in sorted(
                by_subject[subject].items(), key=lambda kv: (kv[0] != RDF_TYPE, kv[0])
            )
        ]
        nodes.append(
            Node(iri=subject.value, anchor=anchors[subject], label=summary(subject), rows=rows)
        )
    return render(
        "void.html",
        root=settings.path_prefix,
        title="Dataset description (VoID, DCAT)",
        nodes=nodes,
        formats=_VOID_FORMATS,
        settings=settings,
        headers={"Vary": "Accept"},
    )


@router.get(
    path="/context.jsonld",
    summary="The JSON-LD context of entity documents",
)
def context(request: Request):
    from lcgraph.export import jsonld_context

    return JSONResponse(
        jsonld_context(request.app.state.settings),
        media_type="application/ld+json",
    )
