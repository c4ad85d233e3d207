"""Server-rendered HTML: the Jinja2 environment, the shared layout, error pages.

Templates live in ``lcgraph/web/templates/`` (``base.html`` is the layout every page
extends: header, the site's navigation, main, footer) and static files in
``lcgraph/web/static/``; nothing is loaded from a CDN.
"""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from lcgraph.rdfio import all_prefixes
from lcgraph.web.conneg import HTML, negotiate

__all__ = [
    "NAV",
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "error_page",
    "error_response",
    "render",
    "shorten",
    "wants_html",
]

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

#: The site's navigation: (label, path). The UI adds the pages that are not served yet.
NAV = [
    ("Home", "/"),
    ("Search", "/search"),
    ("Query", "/query"),
    ("Match", "/match"),
    ("Network", "/network"),
    ("Ontology", "/ontology"),
    ("Downloads", "/download/"),
]


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["nav"] = NAV
    return env


def render(name: str, status: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
    """Render template ``name`` as an HTML response."""
    html = environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=headers)


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML to JSON (a browser), by its Accept header."""
    accept = request.headers.get("accept")
    if not accept:
        return False
    return negotiate(accept, ("application/json", HTML)) == HTML


def error_page(request: Request, status: int, message: str, **extra) -> HTMLResponse:
    return render(
        "error.html",
        root=request.app.state.settings.path_prefix,
        status=status,
        title=f"{status} {HTTPStatus(status).phrase}",
        status_code=status,
        message=message,
        path=request.url.path,
        **extra,
    )


def validation_message(errors: list[dict]) -> str:
    """FastAPI's validation errors as one sentence, for people.

    >>> validation_message([{"loc": ["query", "top"], "msg": "Input should be greater than or "
    ...     "equal to 1", "input": "-1"}, {"loc": ["query", "city"], "msg": "Field required"}])
    "top: Input should be greater than or equal to 1 (got '-1'); city: Field required"
    """
    parts = []
    for error in errors:
        where = ".".join(
            str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")
        )
        value = error.get("input")
        got = f" (got {value!r})" if isinstance(value, str | int | float) else ""
        parts.append(f"{where or 'the request'}: {error.get('msg', 'not valid')}{got}")
    return "; ".join(parts) or "the request's parameters are not valid"


def error_response(request: Request, status: int, message: str, **extra):
    """An error as JSON ``{"status", "error", "message", ...}``, or as a page for browsers
    (``Vary: Accept``; a 503 says when to retry)."""
    headers = {"Vary": "Accept"}
    if status == 503:
        headers["Retry-After"] = "5"
    if wants_html(request):
        response = error_page(request, status, message, **extra)
        response.headers.update(headers)
        return response
    body = {"status": status, "error": HTTPStatus(status).phrase, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers)


def shorten(iri: str, base: str) -> str:
    """A prefixed name for ``iri`` when a known prefix covers it, else the IRI.

    >>> shorten("https://w3id.org/lcc/id/city/tokyo", "https://w3id.org/lcc/")
    'city:tokyo'
    """
    best = None
    for prefix, ns in all_prefixes(base).items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    if best is None or not iri[len(best[1]) :]:
        return iri
    return f"{best[0]}:{iri[len(best[1]) :]}"
