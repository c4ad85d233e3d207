"""Loading the catalog from where the facts are: an embedded store or a SPARQL endpoint.

Building the catalog reads every fact that matching uses and indexes it in Python: a fraction
of a second on the seed graph, ~18 s at 1.2 M triples. So that each ``lcgraph match`` on a
large built store does not pay that again, the catalog of an on-disk store is kept in a cache
beside it (``<store>.cache/match-catalog-KEY.pickle``, about 100 MB at that size, read back
in ~2.5 s). KEY digests the store's files (names, sizes and modification times, RocksDB's
info logs left out: any write changes them), the base IRI and the matching code itself, so a
build, an ingest or a new version of lcgraph makes a new entry; the older ones are deleted
when it is written. The cache is this user's own file next to their store (a pickle runs code
when loaded, so an entry another user owns is ignored; entries are written mode 0600); an
unreadable entry is ignored and rebuilt, and a folder that cannot be written leaves the
catalog uncached.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from lcgraph._gc import paused_gc
from lcgraph.config import Settings
from lcgraph.match.catalog import Catalog, build_catalog
from lcgraph.match.read import quads_from_endpoint, quads_from_store

__all__ = ["cache_folder", "load_catalog"]

log = logging.getLogger(__name__)

_PREFIX = "match-catalog-"


def load_catalog(
    settings: Settings, store=None, endpoint: str | None = None, *, cache: bool = True
) -> Catalog:
    """The catalog of the given store, of ``endpoint``, or of the settings' store or endpoint.

    Without a store or endpoint, the built store at ``settings.store_path`` is used (through
    the cache above unless ``cache`` is false), or an in-memory build of ``data/`` when none
    exists (as every read command does).
    """
    endpoint = endpoint or (settings.endpoint if store is None else None)
    if endpoint:
        return build_catalog(quads_from_endpoint(endpoint, settings.query_timeout), settings.base)
    if store is None:
        path = Path(settings.store_path)
        if cache and path.is_dir():
            return _cached(settings, path)
        from lcgraph.store import load_store

        store = load_store(settings)
    return build_catalog(quads_from_store(store), settings.base)


def cache_folder(store_path: Path) -> Path:
    """Where the catalog of the store at ``store_path`` is cached."""
    return store_path.parent / f"{store_path.name}.cache"


def _cached(settings: Settings, path: Path) -> Catalog:
    from lcgraph.store import open_store

    key = _key(path, settings.base)
    entry = cache_folder(path) / f"{_PREFIX}{key}.pickle"
    catalog = _read(entry)
    if catalog is not None:
        return catalog
    from lcgraph.match import vocab
    from lcgraph.match.rank import screen_for
    from lcgraph.match.resolve import name_index

    store = open_store(settings)
    catalog = build_catalog(quads_from_store(store), settings.base)
    del store
    # the name index and each mode's screen are built on first use and kept in
    # catalog.cache: built now, the cached copy has them (~5 s per call at 1.2 M triples)
    name_index(catalog)
    for mode in vocab.MODES:
        screen_for(catalog, mode)
    # written only if the store did not change while it was read (else the next run rebuilds)
    if _key(path, settings.base) == key:
        _write(entry, catalog)
    return catalog


def _key(path: Path, base: str) -> str:
    """The store's files (without RocksDB's info logs and lock), the matching code, the base."""
    store_files = [f for f in path.iterdir() if not f.name.startswith(("LOG", "LOCK"))]
    code_files = list(Path(__file__).parent.glob("*.py"))
    digest = hashlib.sha256(base.encode("utf-8"))
    for file in sorted(store_files + code_files):
        if file.is_file():
            stat = file.stat()
            digest.update(f"{file}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:24]


def _read(entry: Path) -> Catalog | None:
    if not entry.is_file():
        return None
    if hasattr(os, "getuid") and entry.stat().st_uid != os.getuid():
        # a pickle runs code when loaded: only this user's own entries are read
        log.warning("ignoring the match cache %s: another user's file", entry)
        return None
    try:
        # ~2x faster with the collector paused: millions of small objects and no cycles
        with paused_gc(), entry.open("rb") as handle:
            catalog = pickle.load(handle)
    except Exception as exc:  # a truncated or foreign file: rebuild it
        log.warning("ignoring the unreadable match cache %s: %s", entry, exc)
        return None
    return catalog if isinstance(catalog, Catalog) else None


def _write(entry: Path, catalog: Catalog) -> None:
    folder = entry.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.info("the match catalog is not cached (%s): %s", folder, exc)
        return
    for old in folder.glob(f"{_PREFIX}*.pickle"):
        if old != entry:
            with contextlib.suppress(OSError):
                old.unlink()
