"""Lookups cheap enough to answer in the server process, without the hop to a worker.

Queries run in worker processes so that one running past its deadline can be killed
(:mod:`lcgraph.web.pool`). The hop costs a round trip between two processes (two pickles, two
socket writes, two process wake-ups), several times the cost of a lookup such as "this city's
label, country and population". A query may skip it only when its cost is bounded before it
runs. This module decides that, conservatively, in two steps.

1. **Shape.** The text must be, token for token, in this small subset of SPARQL (anything else,
   including every text this module does not understand, goes to the pool)::

       PREFIX p: <absolute IRI>  (each prefix once; no BASE)
       SELECT [DISTINCT|REDUCED] (* | ?v ...) [WHERE] { block } [LIMIT n] [OFFSET n]
       ASK [WHERE] { block }
       block   := triples ('.' separated), { block } and OPTIONAL { block }, 8 levels at most
       triples := subject predicate object (, object)* (; predicate object ...)*

   Every **subject is a constant** (an absolute IRI or a declared prefixed name); a predicate is
   ``a``, an IRI, a prefixed name or a variable; an object is a variable, an IRI, a prefixed
   name, a plain number, a boolean or a string (with a language tag or a datatype). There is no
   FILTER, BIND, VALUES, UNION, MINUS, GRAPH, SERVICE, sub-query, property path, blank node,
   aggregate, ORDER BY, FROM or backslash escape, and the request names no dataset.

2. **Bound.** Each triple pattern's matches are counted in the store as (subject, predicate
   or any, any object, any graph): an upper bound of what the pattern matches in the default
   graph. Whatever join order the engine picks, no intermediate result and no answer holds
   more rows than the product of these counts (each taken as at least 1, for OPTIONAL), so the
   engine's work is bounded by that product. The query is answered here only when the product
   is at most the budget (``LCGRAPH_DIRECT_BUDGET``, default 256; 0 sends every query to the
   pool). Counting stops as soon as the product passes the budget, so deciding costs at most
   a few hundred index reads; counts are kept until the store changes (8,192 at most).

An answer from here is produced by the same function the workers run
(:func:`lcgraph.web.worker.execute`), on the server's store, so it is byte for byte the answer a
worker would give.

>>> shape(inspect_query('PREFIX ex: <http://ex.org/> SELECT ?o { ex:a ex:p ?o ; a ?t }').tokens)
[('http://ex.org/a', 'http://ex.org/p'), ('http://ex.org/a', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type')]
>>> shape(inspect_query('SELECT ?o { ?s <http://ex.org/p> ?o }').tokens) is None
True
"""

from __future__ import annotations

import logging
import re
from itertools import islice

import pyoxigraph as ox

from lcgraph.entity import RDF_TYPE
from lcgraph.sparql_text import QueryInfo, inspect_query  # noqa: F401  (doctest)
from lcgraph.web.worker import Reply, Task, default_graph_is_materialised, execute

__all__ = ["DEFAULT_BUDGET", "DirectPath", "bounded", "shape"]

#: the largest product of pattern counts answered in the server process
DEFAULT_BUDGET = 256
#: more triple patterns than this go to the pool (deciding would cost more than it saves)
MAX_PATTERNS = 32
#: groups nested deeper than this go to the pool
MAX_DEPTH = 8
#: pattern counts kept between queries (per store generation)
MAX_COUNTS = 8192

_ABSOLUTE_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:[^<>]*>\Z")
_VAR = re.compile(r"[?$][A-Za-z0-9_]+\Z")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
#: prefixed names without dots: pyoxigraph's parser ends a local part at its second group of
#: dots (``ex:o.b.REST`` is ``ex:o.b``, ``.``, then REST), where the grammar and the lexer read
#: one name; ``%`` only as the start of an escape of two hex digits
_PNAME_NS = re.compile(r"(?:[A-Za-z][A-Za-z0-9_\-]*)?:\Z")
_PNAME_LN = re.compile(r"((?:[A-Za-z][A-Za-z0-9_\-]*)?):((?:[A-Za-z0-9_:\-]|%[0-9A-Fa-f]{2})+)\Z")
_STRINGS = frozenset(("str1", "str2", "long1", "long2"))

Pattern = tuple[str, str | None]

log = logging.getLogger(__name__)


class _No(Exception):
    """The text is outside the subset: it goes to the pool."""


_END = ("end", "")


def _split_dots(tokens) -> list[tuple[str, str]]:
    """The lexer keeps a word's trailing dots (``ex:o.``); a prefixed name or a number cannot
    end with one, so they are the triple separator. The list ends with an ``end`` token."""
    out: list[tuple[str, str]] = []
    for token in tokens:
        kind, value = token
        if kind == "word" and value[-1] == "." and value != ".":
            stripped = value.rstrip(".")
            out.append((kind, stripped))
            out.extend(("other", ".") for _ in range(len(value) - len(stripped)))
        else:
            out.append(token)
    out.append(_END)
    return out


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.patterns: list[Pattern] = []

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i]  # the list ends with an "end" token, never passed

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        if token[0] == "end":
            raise _No
        self.i += 1
        return token

    def keyword(self, *words: str) -> str | None:
        kind, value = self.peek()
        if kind == "word" and value.upper() in words:
            self.i += 1
            return value.upper()
        return None

    def expect(self, kind: str, value: str) -> None:
        if self.take() != (kind, value):
            raise _No

    # --- terms ----------------------------------------------------------------------------
    def constant(self, kind: str, value: str) -> str:
        """An absolute IRI or a declared prefixed name, as an IRI; _No otherwise."""
        if kind == "iri" and _ABSOLUTE_IRI.match(value):
            return value[1:-1]
        if kind == "word":
            match = _PNAME_LN.match(value)
            if match and match.group(1) in self.prefixes:
                return self.prefixes[match.group(1)] + match.group(2)
        raise _No

    def predicate(self) -> str | None:
        kind, value = self.take()
        if kind == "var" and _VAR.match(value):
            return None
        if (kind, value) == ("word", "a"):
            return RDF_TYPE
        return self.constant(kind, value)

    def object(self) -> None:
        kind, value = self.take()
        if kind == "var" and _VAR.match(value):
            return
        if kind == "word" and (_NUMBER.match(value) or value in ("true", "false")):
            return
        if kind in _STRINGS:
            if self.peek() == ("other", "@"):
                self.i += 1
                tag_kind, tag = self.take()
                if tag_kind != "word" or not re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*", tag):
                    raise _No
            elif self.peek() == ("other", "^"):
                self.i += 1
                self.expect("other", "^")
                self.constant(*self.take())
            return
        self.constant(kind, value)

    # --- structure ------------------------------------------------------------------------
    def triples(self) -> None:
        """subject predicate object (, object)* (; predicate object ...)* [;]"""
        subject = self.constant(*self.take())
        while True:
            predicate = self.predicate()
            while True:
                self.object()
                self.patterns.append((subject, predicate))
                if len(self.patterns) > MAX_PATTERNS:
                    raise _No
                if self.peek() != ("other", ","):
                    break
                self.i += 1
            while self.peek() == ("other", ";"):
                self.i += 1
            kind, value = self.peek()
            if (kind, value) in (("other", "."), ("close", "}"), ("open", "{")) or (
                kind == "word" and value.upper() == "OPTIONAL"
            ):
                return
            if self.tokens[self.i - 1] != ("other", ";"):
                raise _No

    def block(self, depth: int = 1) -> None:
        """``{`` was read: triples, nested groups and OPTIONAL groups up to the matching ``}``."""
        if depth > MAX_DEPTH:
            raise _No
        while True:
            kind, value = self.peek()
            if (kind, value) == ("close", "}"):
                self.i += 1
                return
            if (kind, value) == ("other", "."):
                self.i += 1
            elif (kind, value) == ("open", "{"):
                self.i += 1
                self.block(depth + 1)
            elif self.keyword("OPTIONAL"):
                self.expect("open", "{")
                self.block(depth + 1)
            else:
                self.triples()

    def query(self) -> list[Pattern]:
        while self.keyword("PREFIX"):
            kind, name = self.take()
            if kind != "word" or not _PNAME_NS.match(name) or name[:-1] in self.prefixes:
                raise _No
            kind, iri = self.take()
            if kind != "iri" or not _ABSOLUTE_IRI.match(iri):
                raise _No
            self.prefixes[name[:-1]] = iri[1:-1]
        form = self.keyword("SELECT", "ASK")
        if form == "SELECT":
            self.keyword("DISTINCT", "REDUCED")
            if self.peek() == ("other", "*"):
                self.i += 1
            else:
                seen = 0
                while self.peek()[0] == "var":
                    if not _VAR.match(self.take()[1]):
                        raise _No
                    seen += 1
                if not seen:
                    raise _No
        elif form != "ASK":
            raise _No
        self.keyword("WHERE")
        self.expect("open", "{")
        self.block()
        modifiers = ("LIMIT", "OFFSET") if form == "SELECT" else ()
        used: set[str] = set()
        while (word := self.keyword(*modifiers)) is not None:
            kind, value = self.take()
            if word in used or kind != "word" or not (value.isascii() and value.isdigit()):
                raise _No
            used.add(word)
        if self.peek()[0] != "end":
            raise _No
        return self.patterns


def shape(tokens) -> list[Pattern] | None:
    """The (subject, predicate or ``None``) of each triple pattern when the tokens are in the
    subset this module accepts (see the module's text); ``None`` otherwise."""
    if tokens is None or "\\" in "".join([value for _, value in tokens]):
        return None  # escapes: the engine reads them, this module does not
    try:
        return _Reader(_split_dots(tokens)).query()
    except _No:
        return None


def bounded(
    store: ox.Store,
    patterns: list[Pattern],
    budget: int,
    materialised: bool = False,
    counts: dict[Pattern, int] | None = None,
) -> bool:
    """Whether the product of the patterns' match counts (each at least 1) is within
    ``budget``. Counts are read in the default graph where the store materialises the union
    there (then they are exact), else in every graph (an upper bound of the union); each
    stops at the budget, so this reads at most a few hundred quads. ``counts`` keeps them
    between calls (the caller empties it when the store changes)."""
    graph = ox.DefaultGraph() if materialised else None
    product = 1
    for pattern in patterns:
        n = counts.get(pattern) if counts is not None else None
        if n is None:
            subject, predicate = pattern
            found = store.quads_for_pattern(
                ox.NamedNode(subject),
                None if predicate is None else ox.NamedNode(predicate),
                None,
                graph,
            )
            n = sum(1 for _ in islice(found, budget + 1))
            if counts is not None:
                if len(counts) >= MAX_COUNTS:
                    counts.clear()
                counts[pattern] = n
        product *= max(1, n)
        if product > budget:
            return False
    return True


class DirectPath:
    """Answers the queries that :func:`shape` accepts and :func:`bounded` admits, on ``store``
    in the calling thread; counts what it answered and what it passed on."""

    def __init__(self, store: ox.Store, budget: int = DEFAULT_BUDGET):
        self.store = store
        self.budget = budget
        self.answered = 0
        self.passed = 0
        self._materialised: bool | None = None
        self._counts: dict[Pattern, int] = {}

    def changed(self) -> None:
        """The store changed: counts are read again (and the layout checked again)."""
        self._materialised = None
        self._counts = {}

    def answer(self, task: Task, info: QueryInfo | None) -> Reply | None:
        """The reply, or ``None`` when the query must go to the worker pool."""
        if (
            self.budget <= 0
            or info is None
            or task.default_graphs
            or task.named_graphs
            or task.has_dataset
            or "\\" in task.query
        ):
            self.passed += 1
            return None
        patterns = shape(info.tokens)
        if patterns is None:
            self.passed += 1
            return None
        materialised = self._materialised
        if materialised is None:
            materialised = self._materialised = default_graph_is_materialised(self.store)
        try:
            admitted = bounded(self.store, patterns, self.budget, materialised, self._counts)
        except ValueError:  # not an IRI pyoxigraph accepts: the engine's own error, from a worker
            admitted = False
        if not admitted:
            self.passed += 1
            return None
        try:
            reply = execute(self.store, task, materialised)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # an engine panic (pyo3 raises it as a BaseException)
            log.exception("in-process query failed; passing it to a worker")
            self.passed += 1
            return None
        self.answered += 1
        return reply

    def stats(self) -> dict[str, int]:
        return {"budget": self.budget, "answered": self.answered, "passed_on": self.passed}
