"""What a secretariat sends: a change set of triples to add and to remove, read from a payload.

Formats (``FORMATS``), by file suffix or media type:

* ``turtle`` (``.ttl``, ``text/turtle``; N-Triples too): triples to add.
* ``trig`` (``.trig``, ``application/trig``) and ``json-ld`` (``.jsonld``,
  ``application/ld+json``): triples in the default graph, in ``graph:additions`` or in
  ``graph:contrib`` (where they will go) are added; triples in ``graph:removals`` are removed.
  Any other named graph is an error.
* ``changeset`` (``application/json``): ``{"add": TURTLE, "remove": TURTLE, "message": TEXT}``.
* ``csv`` (``.csv``, ``text/csv``): one of the templates of :mod:`lcgraph.csvtemplates`.

Blank nodes may stand for new entities to add (they are matched to existing entities or given
IRIs by :mod:`lcgraph.ingest`); everything else is checked here, before the store is read:
syntax, size, literals that are too long or not of their datatype, RDF-star. Errors are
:class:`~lcgraph.errors.InputError` with the file and line where the parser gives one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from lcgraph.errors import InputError
from lcgraph.rdfio import BaseRewriter

__all__ = [
    "FORMATS",
    "ChangeSet",
    "check_literal",
    "detect_format",
    "parse_rdf_changeset",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = f"{XSD}string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Longest literal accepted, in characters: labels, quotes and notes are short; a longer value
#: is almost always a mistake (a whole file pasted into a cell).
MAX_LITERAL_CHARS = 10_000

FORMATS = ("turtle", "trig", "json-ld", "changeset", "csv")

_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "turtle",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".csv": "csv",
}
_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "turtle",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "text/csv": "csv",
    "application/csv": "csv",
}
_OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "json-ld": ox.RdfFormat.JSON_LD,
}


@dataclass
class ChangeSet:
    """Triples to add and to remove, with where they came from.

    ``replace`` lists (subject, predicate) pairs whose new values replace the values the contrib
    graph has (single-valued CSV columns: a new population replaces the one the secretariat
    entered before; values stated by source documents are never touched).
    """

    additions: list[ox.Triple] = field(default_factory=list)
    removals: list[ox.Triple] = field(default_factory=list)
    replace: set[tuple[str, str]] = field(default_factory=set)
    #: entities of the input found in the graph: {"input", "iri", "how"}
    matches: list[dict] = field(default_factory=list)
    #: entities the change creates: {"iri", "kind", "label", "where"}
    new_entities: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = "input"
    media_type: str = "text/turtle"
    message: str | None = None
    #: add ``prov:wasDerivedFrom`` the change to every subject it adds to (not for reverts)
    provenance: bool = True


#: media types that say nothing of the format: it is then told by the file name
GENERIC_MEDIA_TYPES = ("", "application/octet-stream", "text/plain")


def detect_format(name: str | None = None, media_type: str | None = None, data: bytes = b"") -> str:
    """The format of a payload from its media type, else its file name, else its content."""
    if media_type:
        base = media_type.split(";", 1)[0].strip().lower()
        if base in _MEDIA_TYPES:
            return _MEDIA_TYPES[base]
        if base == "application/json":
            return _sniff_json(data)
        if base not in GENERIC_MEDIA_TYPES:
            raise InputError(
                f"unsupported media type {base!r}: use text/turtle, application/trig, "
                "application/ld+json, application/json (a change set) or text/csv",
                http_status=415,
            )
    if name:
        lower = name.lower()
        for suffix, fmt in _SUFFIXES.items():
            if lower.endswith(suffix):
                return fmt
        if lower.endswith(".json"):
            return _sniff_json(data)
        raise InputError(
            f"{name}: cannot tell the format from the file name; give --format "
            f"({', '.join(FORMATS)})"
        )
    raise InputError(f"cannot tell the format of the input; give it ({', '.join(FORMATS)})")


def _sniff_json(data: bytes) -> str:
    """A JSON object with "add" or "remove" keys is a change set; other JSON is JSON-LD."""
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return "changeset"  # the change-set reader gives the precise error
    if isinstance(value, dict) and ({"add", "remove"} & set(value)):
        return "changeset"
    return "json-ld"


# --- RDF formats -------------------------------------------------------------------------


def parse_rdf_changeset(
    data: bytes, fmt: str, base: str, source: str, media_type: str
) -> ChangeSet:
    """Read a Turtle, TriG, JSON-LD or JSON change-set payload into a :class:`ChangeSet`."""
    additions_graph = f"{base}graph/additions"
    removals_graph = f"{base}graph/removals"
    contrib_graph = f"{base}graph/contrib"
    change = ChangeSet(source=source, media_type=media_type)
    if fmt == "changeset":
        body = _read_json_changeset(data, source)
        change.message = body.get("message")
        change.additions = _triples(body.get("add", ""), "turtle", base, f"{source} (add)")
        change.removals = _triples(body.get("remove", ""), "turtle", base, f"{source} (remove)")
    elif fmt in _OX_FORMAT:
        for quad in _parse(data, fmt, base, source):
            graph = quad.graph_name
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if isinstance(graph, ox.DefaultGraph) or graph.value in (
                additions_graph,
                contrib_graph,
            ):
                change.additions.append(triple)
            elif graph.value == removals_graph:
                change.removals.append(triple)
            else:
                raise InputError(
                    f"{source}: triples in the graph <{graph.value}>: a change set puts what it "
                    "adds in the default graph or graph:additions, and what it removes in "
                    "graph:removals (all of it goes to graph:contrib)"
                )
    else:
        raise InputError(f"{source}: {fmt!r} is not an RDF format")
    if not change.additions and not change.removals:
        raise InputError(f"{source}: no triples to add or remove")
    for triple in change.removals:
        if any(isinstance(t, ox.BlankNode) for t in (triple.subject, triple.object)):
            raise InputError(
                f"{source}: a triple to remove has a blank node ({triple}): name what to remove "
                "by its IRIs"
            )
    return change


def _read_json_changeset(data: bytes, source: str) -> dict:
    try:
        body = json.loads(data)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except ValueError as exc:
        raise InputError(f"{source}: not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InputError(f'{source}: a change set is a JSON object {{"add": ..., "remove": ...}}')
    unknown = set(body) - {"add", "remove", "message"}
    if unknown:
        raise InputError(
            f"{source}: unknown key(s) {', '.join(sorted(map(repr, unknown)))} in the change set "
            '(expected "add", "remove", "message")'
        )
    for key in ("add", "remove", "message"):
        if key in body and not isinstance(body[key], str):
            raise InputError(f'{source}: "{key}" must be a string (Turtle text for add/remove)')
    return body


def _triples(text: str, fmt: str, base: str, source: str) -> list[ox.Triple]:
    triples = []
    for quad in _parse(text.encode("utf-8"), fmt, base, source):
        triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return triples


def _parse(data: bytes, fmt: str, base: str, source: str) -> list[ox.Quad]:
    rewriter = BaseRewriter(base)
    try:
        quads = list(ox.parse(input=data, format=_OX_FORMAT[fmt]))
    except SyntaxError as exc:
        raise InputError(
            f"{source}: cannot parse {fmt}: {' '.join(str(exc).split())[:300]}"
        ) from exc
    except (ValueError, OSError) as exc:  # e.g. bytes that are not UTF-8
        raise InputError(
            f"{source}: cannot read {fmt}: {' '.join(str(exc).split())[:300]}"
        ) from exc
    out = []
    for quad in quads:
        terms = [quad.subject, quad.predicate, quad.object]
        if any(isinstance(t, ox.Triple) for t in terms):
            raise InputError(f"{source}: quoted triples (RDF-star) are not supported")
        if rewriter.active:
            terms = [
                ox.NamedNode(rewriter.iri(t.value)) if isinstance(t, ox.NamedNode) else t
                for t in terms
            ]
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode):
                graph = ox.NamedNode(rewriter.iri(graph.value))
            out.append(ox.Quad(*terms, graph))
        else:
            out.append(quad)
    return out


# --- Literals ---------------------------------------------------------------------------

_LEXICAL = {
    f"{XSD}integer": re.compile(r"[+-]?\d+"),
    f"{XSD}nonNegativeInteger": re.compile(r"\+?\d+"),
    f"{XSD}decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    f"{XSD}gYear": re.compile(r"-?\d{4,}(Z|[+-]\d{2}:\d{2})?"),
    f"{XSD}gYearMonth": re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?"),
    f"{XSD}boolean": re.compile(r"true|false|1|0"),
    f"{XSD}anyURI": re.compile(r"[^\s<>\"{}|\\^`]*"),
}


def check_literal(lit: ox.Literal) -> str | None:
    """Why a literal cannot go into the graph (too long, not of its datatype), or None.

    >>> check_literal(ox.Literal("2030", datatype=ox.NamedNode(XSD + "gYear"))) is None
    True
    >>> check_literal(ox.Literal("12a", datatype=ox.NamedNode(XSD + "integer")))
    "'12a' is not a valid xsd:integer"
    """
    value = lit.value
    if len(value) > MAX_LITERAL_CHARS:
        return f"a literal of {len(value):,} characters (at most {MAX_LITERAL_CHARS:,})"
    datatype = lit.datatype.value if lit.datatype else XSD_STRING
    if datatype in (XSD_STRING, RDF_LANGSTRING) or not datatype.startswith(XSD):
        return None
    shown = f"{value[:40]!r}{'...' if len(value) > 40 else ''}"
    pattern = _LEXICAL.get(datatype)
    if pattern is not None:
        return (
            None
            if pattern.fullmatch(value)
            else f"{shown} is not a valid xsd:{datatype[len(XSD) :]}"
        )
    if datatype == f"{XSD}date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{shown} is not a valid xsd:date (YYYY-MM-DD)"
        return (
            None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            else f"{shown} is not a valid xsd:date (YYYY-MM-DD)"
        )
    with _quiet_rdflib():
        import rdflib

        if rdflib.Literal(value, datatype=datatype).ill_typed:
            return f"{shown} is not a valid xsd:{datatype[len(XSD) :]}"
    return None


@contextmanager
def _quiet_rdflib():
    """rdflib logs a traceback for every ill-typed literal it builds; here that is expected."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
