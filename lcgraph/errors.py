"""Errors that carry a clear one-line message and an exit code for the CLI (and a status for HTTP)."""

from __future__ import annotations


class LcgraphError(Exception):
    """A user-facing error: bad input, a missing file, an unusable store.

    The CLI prints ``error: <message>`` and exits with ``exit_code``; the web layer answers
    ``http_status`` with a JSON body. Never raised for bugs.
    """

    exit_code = 2
    http_status = 400

    def __init__(
        self, message: str, *, exit_code: int | None = None, http_status: int | None = None
    ):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code
        if http_status is not None:
            self.http_status = http_status

    def __str__(self) -> str:
        return self.message


class InputError(LcgraphError):
    """Unusable input: a malformed file, an unknown name, a wrong parameter."""


class StoreError(LcgraphError):
    """The store cannot be built, opened or written."""

    http_status = 503


class QueryTimeout(LcgraphError):
    """A query ran past its time limit and was stopped."""

    exit_code = 3
    http_status = 503
