"""Serving under a path prefix: a reverse proxy publishes the server at ``/lcc/`` and strips
``/lcc`` before passing requests on (``lcgraph serve --path-prefix /lcc``,
``LCGRAPH_PATH_PREFIX``).

Every link the server writes starts with the prefix: in pages (``{{ root }}`` in the
templates), in JSON (``url`` members), in ``Location``, ``Content-Location`` and ``Link``
headers, and in the scripts (which take their URLs from the page's forms). uvicorn is given the
prefix as its ``root_path``, so ``request.url`` is the public URL and Starlette routes on the
path after the prefix (:func:`route_path`); the server's own middleware does the same.
"""

from __future__ import annotations

__all__ = ["prefix_of", "route_path"]


def route_path(scope) -> str:
    """The request's path after the ASGI ``root_path`` (the prefix), as the routes see it.

    >>> route_path({"path": "/lcc/sparql", "root_path": "/lcc"}), route_path({"path": "/sparql"})
    ('/sparql', '/sparql')
    """
    path = scope.get("path", "")
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :] or "/"
    return path


def prefix_of(request) -> str:
    """The path prefix every link in an answer to ``request`` starts with ("" for none)."""
    return request.app.state.settings.path_prefix
