"""CORS for the read-only surface, so partners' web pages can query and fetch data.

Everything under the read-only paths (SPARQL, entities, ontology, dumps, VoID, the context,
the read-only JSON API: saved queries, match, analysis, status, the OpenAPI description)
answers ``Access-Control-Allow-Origin: *`` and exposes the headers a client needs (the
truncation marker, ``Link``, ``Location``). No credentials are involved. Other paths (writes,
the UI) get nothing from here: they decide for themselves.
"""

from __future__ import annotations

from lcgraph.web.prefix import route_path

__all__ = ["READ_ONLY_PATHS", "ReadOnlyCors"]

READ_ONLY_PATHS = (
    "/sparql",
    "/id/",
    "/page/",
    "/data/",
    "/ontology",
    "/download/",
    "/.well-known/",
    "/void",
    "/context.jsonld",
    "/api/queries",
    "/api/match/",
    "/api/analysis/",
    "/api/status",
    "/openapi.json",
)
_ALLOW_HEADERS = b"Accept, Accept-Language, Content-Language, Content-Type, If-None-Match"
_EXPOSE = b"X-LCGraph-Truncated, X-LCGraph-Rows, X-LCGraph-Max-Rows, Link, Location, Content-Location, ETag"


class ReadOnlyCors:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not route_path(scope).startswith(READ_ONLY_PATHS):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        (b"access-control-allow-origin", b"*"),
                        (b"access-control-allow-methods", b"GET, HEAD, POST, OPTIONS"),
                        (b"access-control-allow-headers", _ALLOW_HEADERS),
                        (b"access-control-max-age", b"86400"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return None

        async def send_with_cors(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", _EXPOSE),
                ]
            await send(message)

        return await self.app(scope, receive, send_with_cors)
