"""Values computed from the store once per store generation (``app.state.generation``).

Pages and APIs that summarise the whole graph (counts, the search index, analysis tables, the
network figure) compute their value on the first request and keep it in ``app.state.cache``
under ``(key, generation)``; ``on_store_change()`` replaces that dict, so nothing stale is ever
served. Two requests that miss at once may both compute: the answers are equal, and the
second to finish simply overwrites the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
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
    value = compute()
    with lock:
        # the store may have changed while computing: keep the value only if it is still current
        if getattr(state, "generation", 0) == generation:
            state.cache[full] = value
    return value
