"""The web UI: ``/`` (home), ``/search``, ``/query``, ``/match`` and ``/network``.

Pages are rendered on the server from the store (cached per generation where they summarise
the whole graph) and work without JavaScript, except the query page, whose editor runs queries
through ``/sparql`` and ``/api/queries`` in the browser (``static/query.js``; its highlighter
is our own ``static/highlight.js``). Entity pages are ``/page/{kind}/{slug}``
(:mod:`lcgraph.web.entities`), the ontology ``/ontology`` and the dumps ``/download/``.
Everything a page loads is served from ``/static``: no CDN, no web fonts.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from lcgraph.config import KINDS
from lcgraph.errors import LcgraphError
from lcgraph.web.pages import render
from lcgraph.web.prefix import prefix_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

EXAMPLE_QUERY = """PREFIX lcc: <https://w3id.org/lcc/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?city ?label WHERE {
  ?city a lcc:City ; rdfs:label ?label .
}
ORDER BY ?label
LIMIT 20"""

GRAPHS = ("actors", "collaboration", "membership", "co-membership", "network-overlap")
GROUPS = ("country", "network", "region", "kind")
#: Above this many cities, the match page asks for a name instead of offering a drop-down.
MAX_CITY_OPTIONS = 500
FACTORS = ("topics", "complementarity", "profile", "proximity", "novelty")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    from lcgraph.web.ui_data import summary

    return render(
        "home.html",
        title="Home",
        active="Home",
        kinds=KINDS,
        root=prefix_of(request),
        **summary(request.app.state),
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=200),
    kind: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    from lcgraph.web.ui_data import search, search_index

    chosen = {k for k in kind or () if k in KINDS}
    hits = search(search_index(request.app.state), q, chosen) if q.strip() else []
    return render(
        "search.html",
        root=prefix_of(request),
        title=f"Search: {q}" if q else "Search",
        active="Search",
        q=q,
        kinds=KINDS,
        chosen=chosen,
        hits=hits,
    )


@router.get("/query", response_class=HTMLResponse)
def query_page(request: Request, query: str | None = Query(None, max_length=100_000)):
    from lcgraph.web.api_queries import saved_queries

    settings = request.app.state.settings
    return render(
        "query.html",
        root=prefix_of(request),
        title="Query",
        active="Query",
        text=query or EXAMPLE_QUERY,
        saved=saved_queries(settings),
        settings=settings,
    )


def _weights(request: Request) -> tuple[dict[str, float], str | None]:
    """The form's weights (the default where a field is empty) and what is wrong with them: a
    value that is not a number keeps the default in the form and is named in the message."""
    from lcgraph.match.weights import DEFAULT_WEIGHTS

    out, bad = {}, []
    for name in FACTORS:
        raw = request.query_params.get(f"w_{name}")
        try:
            out[name] = float(raw) if raw not in (None, "") else DEFAULT_WEIGHTS[name]
        except ValueError:
            out[name] = DEFAULT_WEIGHTS[name]
            bad.append(f"the weight of {name!r} must be a number, not {raw!r}")
    return out, "; ".join(bad) or None


@router.get("/match", response_class=HTMLResponse)
def match_page(
    request: Request,
    city: str = Query("", max_length=200),
    mode: str = Query("peers", pattern="^(peers|supporters)$"),
    top: int = Query(10, ge=1, le=50),
) -> HTMLResponse:
    from lcgraph.match import NotFound, match
    from lcgraph.web.api_match import catalog_for

    catalog = catalog_for(request)
    cities = sorted(
        (
            (catalog.label(iri), iri.rsplit("/", 1)[-1])
            for iri, p in catalog.profiles.items()
            if p.kind == "city"
        ),
        key=lambda c: c[0].lower(),
    )
    weights, error = _weights(request)
    result, suggestions = None, []
    if city and not error:
        try:
            result = match(catalog, city, mode=mode, top=top, weights=weights).as_dict()
        except NotFound as exc:
            error, suggestions = exc.message, exc.suggestions
        except LcgraphError as exc:
            error = exc.message
    return render(
        "match.html",
        root=prefix_of(request),
        # a long list is no use in a drop-down: a text field takes a name, alias or slug
        city_list=len(cities) <= MAX_CITY_OPTIONS,
        status=404 if suggestions else 400 if error else 200,
        title="Peer match",
        active="Match",
        cities=cities,
        city=city,
        mode=mode,
        top=top,
        weights=weights,
        result=result,
        error=error,
        suggestions=suggestions,
    )


@router.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request,
    graph: str = Query("actors"),
    group: str = Query("country"),
    top: int = Query(15, ge=1, le=500),
) -> HTMLResponse:
    from lcgraph.analysis.brokerage import ROLES
    from lcgraph.web.api_analysis import analysis_table

    if graph not in GRAPHS:
        graph = "actors"
    if group not in GROUPS:
        group = "country"
    state = request.app.state
    centrality = analysis_table(state, "centrality", graph, group)
    brokerage = analysis_table(state, "brokerage", graph, group)
    cent_rows = sorted(centrality.rows, key=lambda r: -(r.get("betweenness") or 0))[:top]
    brok_rows = sorted(brokerage.rows, key=lambda r: -(r.get("total") or 0))[:top]
    score_columns = [c for c in centrality.columns[5:] if c not in ("bipartite",)]
    return render(
        "network.html",
        root=prefix_of(request),
        title="Network",
        active="Network",
        graphs=GRAPHS,
        groups=GROUPS,
        graph=graph,
        group=group,
        top=top,
        centrality=centrality,
        cent_rows=cent_rows,
        cent_columns=score_columns,
        brokerage=brokerage,
        brok_rows=brok_rows,
        roles=list(ROLES),
        base=state.settings.base,
    )
