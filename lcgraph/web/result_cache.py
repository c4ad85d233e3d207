"""A small LRU cache of SPARQL answers, valid for one store generation.

The same query on the same data gives the same answer, except where the query asks for
something new each time (``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``):
those are never cached. Answers larger than ``max_bytes`` are not kept. A store change
(``on_store_change``) bumps the generation, which is part of every key, so stale answers are
never served; old entries age out.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from lcgraph.web.worker import Reply, Task

__all__ = ["ResultCache", "cacheable"]

# the name, then any white space and comments before "(" (a comment runs to the line's end;
# each alternative consumes different characters, so the match is linear, never exponential)
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)(?:\s|#[^\n\r]*[\n\r])*\(", re.IGNORECASE)
#: SPARQL's codepoint escapes apply before parsing (SPARQL 1.1 §19.2), so a name could hide
_ESCAPE = re.compile(r"\\[uU]")


def cacheable(query: str) -> bool:
    r"""Whether the answer to ``query`` depends on the data alone (when in doubt: no).

    >>> cacheable("SELECT * { ?s ?p ?o }"), cacheable("SELECT (rand() AS ?r) {}")
    (True, False)
    >>> cacheable("SELECT (RAND#c" + chr(10) + "() AS ?r) {}")
    False
    >>> cacheable("SELECT (R\\u0041ND() AS ?r) {}")
    False
    """
    return _VOLATILE.search(query) is None and _ESCAPE.search(query) is None


class ResultCache:
    def __init__(self, max_entries: int = 512, max_bytes: int = 256_000):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, Reply] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(task: Task, generation: int) -> tuple:
        return (
            generation,
            task.query,
            task.results_type,
            task.rdf_type,
            task.default_graphs,
            task.named_graphs,
            task.max_rows,
            task.base_iri,
        )

    def get(self, key: tuple) -> Reply | None:
        with self._lock:
            reply = self._data.get(key)
            if reply is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return reply

    def put(self, key: tuple, reply: Reply) -> None:
        if reply.status != 200 or len(reply.body) > self.max_bytes:
            return
        with self._lock:
            self._data[key] = reply
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
