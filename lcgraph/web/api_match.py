"""``GET /api/match/{slug}``: peer-match candidates as JSON, with the CLI's options.

The router reads ``request.app.state.settings`` and ``request.app.state.store`` (a pyoxigraph
store; without one, ``settings.endpoint``). The catalog of profiles is built on the first
request and kept on ``app.state``, keyed by ``app.state.generation`` (0 when the app sets none):
a writer that changes the store bumps the generation and the next request rebuilds it.
"""

from __future__ import annotations

import inspect
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from lcgraph.errors import LcgraphError
from lcgraph.match import Catalog, NotFound, load_catalog, match
from lcgraph.web.gencache import per_generation
from lcgraph.web.pages import error_response
from lcgraph.web.params import check_names
from lcgraph.web.prefix import prefix_of

router = APIRouter()


class FactModel(BaseModel):
    subject: str
    predicate: str
    object: str
    object_type: Literal["iri", "literal"]
    datatype: str | None = None
    language: str | None = None
    graphs: list[str]


class SourceModel(BaseModel):
    graph: str
    document: str | None = None
    label: str | None = None


class ReasonModel(BaseModel):
    factor: str
    text: str
    facts: list[FactModel]
    sources: list[SourceModel]
    evidence: list[str]
    note: str | None = None


class CandidateModel(BaseModel):
    iri: str
    label: str
    kind: str
    country: str | None = None
    score: float = Field(ge=0, le=1)
    factors: dict[str, float]
    already_collaborating: bool
    reasons: list[ReasonModel]


class QueryModel(BaseModel):
    iri: str
    label: str
    kind: str


class MatchResponse(BaseModel):
    query: QueryModel
    mode: Literal["peers", "supporters"]
    country: str | None = None
    weights: dict[str, float]
    considered: int = Field(description="Candidates with some evidence, before --top.")
    note: str | None = Field(None, description="Why the list is empty, when it is.")
    candidates: list[CandidateModel]


class Suggestion(BaseModel):
    label: str
    iri: str
    kind: str
    url: str = Field(description="The peer-match page for this name.")


class NotFoundResponse(BaseModel):
    """The server's error body (``lcgraph.web.pages.error_response``) with suggestions."""

    status: int = 404
    error: str = "Not Found"
    message: str
    suggestions: list[Suggestion]


def catalog_for(request: Request) -> Catalog:
    """The app's catalog for the current store generation, built once per generation."""
    return catalog_of(request.app.state)


def catalog_of(state) -> Catalog:
    """:func:`catalog_for` an ``app.state`` (the server's warm-up builds it this way)."""

    def build() -> Catalog:
        store = getattr(state, "store", None)
        if store is None and not state.settings.endpoint:
            raise HTTPException(503, detail="no store or endpoint is configured")
        return load_catalog(state.settings, store=store)

    return per_generation(state, "match-catalog", build)


@router.get(
    "/api/match/{slug}",
    response_model=MatchResponse,
    summary="Peer-match candidates for a city, ranked and explained",
    responses={
        404: {"model": NotFoundResponse, "description": "Unknown city (with suggestions)"},
        400: {"description": "Bad weights, unknown country code"},
    },
    tags=["match"],
)
def get_match(
    request: Request,
    slug: str,
    top: int = Query(10, ge=1, le=1000, description="How many candidates to list."),
    mode: Literal["peers", "supporters"] = Query("peers"),
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="ISO 3166 alpha-2."),
    w_topics: float | None = Query(None, ge=0, le=1000),
    w_complementarity: float | None = Query(None, ge=0, le=1000),
    w_profile: float | None = Query(None, ge=0, le=1000),
    w_proximity: float | None = Query(None, ge=0, le=1000),
    w_novelty: float | None = Query(None, ge=0, le=1000),
) -> MatchResponse:
    """Candidates for the city (slug, label or alias), with factor scores and cited reasons."""
    weights = {
        name: value
        for name, value in (
            ("topics", w_topics),
            ("complementarity", w_complementarity),
            ("profile", w_profile),
            ("proximity", w_proximity),
            ("novelty", w_novelty),
        )
        if value is not None
    }
    try:
        check_names(request, _PARAMETERS)
        result = match(
            catalog_for(request), slug, mode=mode, top=top, weights=weights, country=country
        )
    except NotFound as exc:
        suggestions = [
            {**s, "url": f"{prefix_of(request)}/match?city={quote(s['label'], safe='')}"}
            for s in exc.suggestions
        ]
        return error_response(request, 404, exc.message, suggestions=suggestions)
    except LcgraphError as exc:
        raise HTTPException(exc.http_status, detail=exc.message) from exc
    return MatchResponse.model_validate(result.as_dict())


#: the query parameters of GET /api/match/{slug}: those of its function, but the path's
_PARAMETERS = set(inspect.signature(get_match).parameters) - {"request", "slug"}
