"""Pausing the cyclic garbage collector around bulk allocation (numpy-free, for any module)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Allocating tens of thousands of dicts (analysis results) or millions of small objects (the
    match catalog read back from its cache) triggers collections that traverse every object the
    process holds, a large graph included; what is built holds no cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
