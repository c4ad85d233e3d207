"""``/ontology``: the LCC ontology's documentation (HTML) and its file, by content negotiation.

The namespace ``https://w3id.org/lcc/ontology#`` is a hash namespace, so every term's IRI
dereferences to this one document: the HTML has an anchor per term (``/ontology#City``).
``/ontology.ttl`` is the Turtle file as written; other RDF forms are serialised from it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lcgraph.web.conneg import HTML, RDF_TYPES, choose
from lcgraph.web.prefix import prefix_of

__all__ = ["router"]

router = APIRouter(tags=["Ontology"])


@router.get(
    path="/ontology",
    summary="The LCC ontology: HTML documentation, or RDF by Accept",
)
def ontology(request: Request) -> Response:
    media = choose(
        request.query_params.get("format"), request.headers.get("accept"), (HTML, *RDF_TYPES)
    )
    if media == HTML:
        from lcgraph.export import ontology_html

        html = ontology_html(request.app.state.settings)
        return Response(
            html,
            media_type="text/html; charset=utf-8",
            headers={
                "Vary": "Accept",
                "Link": f'<{prefix_of(request)}/ontology.ttl>; rel="alternate"; type="text/turtle"',
            },
        )
    if media == "text/turtle":
        return ontology_ttl(request)
    import pyoxigraph as ox

    from lcgraph.rdfio import VOCAB_PREFIXES
    from lcgraph.web.download import rdf_response

    settings = request.app.state.settings
    triples = [q.triple for q in ox.parse(path=settings.ontology_path, format=ox.RdfFormat.TURTLE)]
    return rdf_response(triples, media, VOCAB_PREFIXES, settings)


@router.get(path="/ontology.ttl", summary="The ontology's Turtle file")
def ontology_ttl(request: Request) -> Response:
    path = request.app.state.settings.ontology_path
    return Response(
        path.read_bytes(), media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"}
    )
