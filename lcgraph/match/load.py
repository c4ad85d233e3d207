"""Loading the catalog from where the facts are: an embedded store or a SPARQL endpoint."""

from __future__ import annotations

from lcgraph.config import Settings
from lcgraph.match.catalog import Catalog, build_catalog
from lcgraph.match.read import quads_from_endpoint, quads_from_store


def load_catalog(settings: Settings, store=None, endpoint: str | None = None) -> Catalog:
    """The catalog of the given store, of ``endpoint``, or of the settings' store or endpoint.

    Without a store or endpoint, the built store at ``settings.store_path`` is used, or an
    in-memory build of ``data/`` when none exists (as every read command does).
    """
    endpoint = endpoint or (settings.endpoint if store is None else None)
    if endpoint:
        quads = quads_from_endpoint(endpoint, settings.query_timeout)
    else:
        if store is None:
            from lcgraph.store import load_store

            store = load_store(settings)
        quads = quads_from_store(store)
    return build_catalog(quads, settings.base)
