"""An ASGI middleware that refuses malformed requests before any router sees them.

Starlette decodes percent-escapes in paths and query strings with ``errors="replace"``, so
``%FF`` would silently become U+FFFD and reach a query. This guard answers 400 for a path or
query string that is not UTF-8 once percent-decoded, 414 for a query string longer than
``settings.max_request_bytes`` and 415 for a body sent with a ``Content-Encoding`` (the server
reads bodies as they are; it would otherwise report compressed bytes as bad UTF-8). Repeated
``Accept`` header lines are combined into one list, as RFC 9110 §5.3 says they mean.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from lcgraph.web.prefix import route_path

__all__ = ["RequestGuard", "strict_utf8"]


def strict_utf8(raw: bytes) -> bool:
    """Whether percent-decoded ``raw`` is valid UTF-8.

    >>> strict_utf8(b"query=ASK%20%7B%7D"), strict_utf8(b"q=%FF")
    (True, False)
    """
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RequestGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        query = scope.get("query_string", b"")
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        settings = getattr(scope.get("app"), "state", None)
        limit = getattr(getattr(settings, "settings", None), "max_request_bytes", 1_000_000)
        if len(query) > limit:
            return await _reply(
                send,
                414,
                f"the query string is longer than {limit} bytes; send the query with POST",
            )
        # /sparql decodes its parameters strictly itself (400 on bad UTF-8): no second pass
        check_query = not route_path(scope).startswith("/sparql")
        if (check_query and not strict_utf8(query)) or not strict_utf8(raw_path):
            return await _reply(
                send, 400, "the request's URL is not valid UTF-8 after percent-decoding"
            )
        headers = scope.get("headers") or []
        accepts = []
        for key, value in headers:
            if key == b"accept":
                accepts.append(value)
            elif key == b"content-encoding" and value.strip().lower() not in (b"", b"identity"):
                return await _reply(
                    send,
                    415,
                    f"request bodies are read as sent: Content-Encoding "
                    f"{value.decode('latin-1')!r} is not supported",
                )
        if len(accepts) > 1:
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in headers if k != b"accept"] + [
                (b"accept", b", ".join(accepts))
            ]
        return await self.app(scope, receive, send)


async def _reply(send, status: int, message: str) -> None:
    from http import HTTPStatus

    body = json.dumps(
        {"status": status, "error": HTTPStatus(status).phrase, "message": message}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
