"""Values computed from the store once per store generation (``app.state.generation``).

Pages and APIs that summarise the whole graph (counts, the search index, analysis tables, the
network figure) compute their value once and keep it in ``app.state.cache`` under
``(key, generation)``; ``on_store_change()`` replaces that dict, so nothing stale is ever
served. Callers that miss the same key at once compute it once: the later ones wait for the
first and share its value or its error (a per-key future), which matters when the server's
warm-up (:mod:`lcgraph.web.warm`) is already computing a value that takes seconds at scale.
Callers are request handlers that run in the thread pool and the warm-up thread, never the
event loop itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["per_generation"]

T = TypeVar("T")
_fallback_lock = threading.Lock()


def per_generation(state: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store generation, cached on ``state`` (an ``app.state``).

    >>> from types import SimpleNamespace
    >>> state = SimpleNamespace(generation=0)
    >>> calls = []
    >>> per_generation(state, "x", lambda: calls.append(1) or len(calls))
    1
    >>> per_generation(state, "x", lambda: calls.append(1) or len(calls))
    1
    >>> state.generation = 1
    >>> per_generation(state, "x", lambda: calls.append(1) or len(calls))
    2
    """
    generation = getattr(state, "generation", 0)
    cache = getattr(state, "cache", None)
    lock = getattr(state, "cache_lock", None) or _fallback_lock
    if cache is None:
        with lock:
            cache = getattr(state, "cache", None)
            if cache is None:
                cache = state.cache = {}
    full = (key, generation)
    if full in cache:
        return cache[full]
    with lock:
        pending = getattr(state, "cache_pending", None)
        if pending is None:
            pending = state.cache_pending = {}
        cache = getattr(state, "cache", cache)
        if full in cache:
            return cache[full]
        running = pending.get(full)
        owner = running is None
        if owner:
            running = pending[full] = Future()
    if not owner:
        # another caller is computing it: share its value (or its error)
        return running.result()
    try:
        value = compute()
    except BaseException as exc:
        with lock:
            pending.pop(full, None)
        running.set_exception(exc)
        raise
    with lock:
        # the store may have changed while computing: cache it only if still current
        if getattr(state, "generation", 0) == generation:
            state.cache[full] = value
        pending.pop(full, None)
    running.set_result(value)
    return value
