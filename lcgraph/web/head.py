"""HEAD for every GET route: the GET answer's status and headers, without its body.

RFC 9110 (9.3.2) asks a server to answer HEAD like GET without content. FastAPI routes one
method per operation in the OpenAPI schema, and a route declared for GET and HEAD gives two
operations with one id (an invalid schema); so routes are declared for GET only and this
middleware runs a HEAD request as a GET and drops the body on the way out. ``Content-Length``
stays the GET's, as clients that probe a dump's size expect.
"""

from __future__ import annotations

__all__ = ["HeadAsGet"]


class HeadAsGet:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def send_without_body(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # swallow the chunks; the last one ends the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(dict(scope, method="GET"), receive, send_without_body)
