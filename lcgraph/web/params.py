"""Query-string checks that FastAPI does not make."""

from __future__ import annotations

from fastapi import Request

from lcgraph.errors import InputError

__all__ = ["check_names"]


def check_names(request: Request, known: set[str] | None) -> None:
    """400 for a query parameter not in ``known`` (any name when ``None``), or one given twice.

    FastAPI would silently drop an unknown name (a typo such as ``min_pc=30`` would run a saved
    query unfiltered, ``w_topic=2`` rank candidates unweighted) and keep only the last of
    repeated values.
    """
    given = request.query_params
    unknown = [] if known is None else sorted(set(given) - known)
    if unknown:
        raise InputError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; this takes: "
            + ", ".join(sorted(known))
        )
    repeated = sorted(k for k in set(given) if len(given.getlist(k)) > 1)
    if repeated:
        raise InputError(f"give each parameter once: {', '.join(map(repr, repeated))}")
