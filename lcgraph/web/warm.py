"""Warm the server's per-generation caches in the background, so no visitor waits for them.

Pages that summarise the whole graph compute their value once per store generation
(:mod:`lcgraph.web.gencache`). On the seed graph that is milliseconds; on a million triples
the first visitor of the peer-match page waited ~19 s for the catalogue, of the network page
~28 s for the analysis tables (closeness of 27 k actors) and of the search page ~2 s. The
server computes them in one background thread after it starts and again after every change
to the store, cheapest first: the home page's counts, the search index, the map's points, the
peer-match catalogue, then the network page's tables and figure (the default graph and
grouping). A request that needs a value being computed waits for that computation instead of
starting a second one; one that needs a value not reached yet computes it itself.

The thread stops between steps when the store changes again (the next warm-up takes over) or
the server shuts down. A failing step is logged and skipped: warming is an optimisation, and
the request that needs the value computes it again and reports the error properly.
``LCGRAPH_WARM_UP=0`` (``Settings.warm_up``) turns it off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Warmer", "steps"]

log = logging.getLogger(__name__)


def steps(state: Any) -> list[tuple[str, Callable[[], object]]]:
    """The values to compute, in order: (name, function of no arguments)."""
    from lcgraph.web.api_analysis import analysis_table, figure
    from lcgraph.web.api_match import catalog_of
    from lcgraph.web.facts import all_points
    from lcgraph.web.ui_data import search_index, summary

    return [
        ("summary", lambda: summary(state)),
        ("search index", lambda: search_index(state)),
        ("map points", lambda: all_points(state)),
        ("peer-match catalogue", lambda: catalog_of(state)),
        ("centrality", lambda: analysis_table(state, "centrality", "actors", "country")),
        ("brokerage", lambda: analysis_table(state, "brokerage", "actors", "country")),
        ("network figure", lambda: figure(state, "actors", "country", "svg")),
    ]


class Warmer:
    """Runs :func:`steps` for the current generation in a daemon thread; restartable.

    A warmer made with ``enabled=False`` (``Settings.warm_up`` off) starts nothing."""

    def __init__(self, state: Any, enabled: bool = True):
        self.state = state
        self.enabled = enabled
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: (generation, step name, seconds) of the steps done, for the log and the tests
        self.done: list[tuple[int, str, float]] = []

    def start(self) -> None:
        """Warm the current generation. A warm-up of an older one stops at its next step; the
        new one waits for it, so that two never compete for the cores (after a burst of
        changes only the last generation's warm-up does any work)."""
        with self._lock:
            if self._stop.is_set() or not self.enabled:
                return
            previous = self._thread
            generation = getattr(self.state, "generation", 0)
            thread = threading.Thread(
                target=self._run, args=(previous, generation), name="lcgraph-warm-up", daemon=True
            )
            self._thread = thread
            thread.start()

    def _run(self, previous: threading.Thread | None, generation: int) -> None:
        if previous is not None:
            previous.join()
        with self._lock:  # keep the record of the latest generation only
            self.done = [d for d in self.done if d[0] == generation]
        for name, compute in steps(self.state):
            if self._stop.is_set() or getattr(self.state, "generation", 0) != generation:
                return
            if getattr(self.state, "store", None) is None:
                return
            start = time.perf_counter()
            try:
                compute()
            except Exception:  # the request that needs it will compute it and report
                log.warning("warm-up step %r failed", name, exc_info=True)
                continue
            seconds = time.perf_counter() - start
            self.done.append((generation, name, seconds))
            log.info("warm-up: %s in %.2f s (generation %d)", name, seconds, generation)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the running step (waiting at most ``timeout`` seconds for it).

        A step cannot be interrupted: one that runs on past ``timeout`` (the analysis tables
        of a very large graph) keeps its reference to the store until it ends, so the store
        stays locked for that long in this process.
        """
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def status(self) -> dict[str, object]:
        """What ``/api/status`` shows: the steps done for the current generation, and whether
        a warm-up is running."""
        generation = getattr(self.state, "generation", 0)
        thread = self._thread
        return {
            "enabled": self.enabled,
            "running": bool(thread is not None and thread.is_alive()),
            "generation": generation,
            "done": [
                {"step": name, "seconds": round(seconds, 3)}
                for gen, name, seconds in list(self.done)
                if gen == generation
            ],
            "steps": [name for name, _ in steps(self.state)],
        }

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the latest warm-up (and so every earlier one) to finish; whether it did
        within ``timeout``."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()
