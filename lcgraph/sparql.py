"""SPARQL text utilities shared by the query runner and the web endpoint.

A small lexer that knows where strings, IRIs and comments are, so that the rest of the package
can find keywords, nesting depth and the main ``WHERE`` group without being fooled by a ``{``
inside a string. Also RDF term rendering in N-Triples syntax for safe parameter binding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Term",
    "code_spans",
    "find_main_where",
    "iri_term",
    "literal_term",
    "max_depth",
    "query_form",
    "strip_comments",
]

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Term:
    """An RDF term, the same whatever engine produced it.

    ``kind`` is ``"uri"``, ``"literal"`` or ``"bnode"``; plain literals carry the datatype
    xsd:string, language-tagged ones rdf:langString, as RDF 1.1 says.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self) -> str:
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = _escape(self.value)
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype and self.datatype != XSD + "string":
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def iri_term(value: str) -> Term:
    """A validated IRI term; raises ValueError for anything that is not an absolute IRI.

    >>> iri_term("https://w3id.org/lcc/id/city/tokyo").n3()
    '<https://w3id.org/lcc/id/city/tokyo>'
    >>> iri_term("http://x/> } UNION { ?s ?p ?o")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'http://x/> } UNION { ?s ?p ?o'
    >>> iri_term("https://example.org/%zz")
    Traceback (most recent call last):
    ...
    ValueError: not an IRI: 'https://example.org/%zz' (Invalid IRI percent encoding '%zz')
    """
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    # RFC 3987 in full, as the embedded engine reads it (a DEL or a bad %-escape passes the
    # test above but would reach the user as a SPARQL syntax error instead of a clear refusal)
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"not an IRI: {value!r} ({exc})") from None
    return Term("uri", value)


def literal_term(value: str, datatype: str | None = None, lang: str | None = None) -> Term:
    """A literal term; any string is safe here because rendering escapes it.

    Numbers get their canonical lexical form (as Oxigraph gives them), so that results from
    different engines compare equal: ``"30.0"^^xsd:decimal`` becomes ``"30"``.

    >>> literal_term('x" } UNION { ?s ?p ?o } #').n3()
    '"x\\\\" } UNION { ?s ?p ?o } #"'
    >>> literal_term("30.0", XSD + "decimal").value, literal_term("+07", XSD + "integer").value
    ('30', '7')
    """
    if lang:
        return Term("literal", value, RDF_LANGSTRING, lang.lower())
    datatype = datatype or XSD + "string"
    return Term("literal", canonical_number(value, datatype), datatype)


_CANONICAL = {
    XSD + "integer": re.compile(r"(0|-?[1-9][0-9]*)\Z"),
    XSD + "decimal": re.compile(r"(0|-?[1-9][0-9]*|-?(0|[1-9][0-9]*)\.[0-9]*[1-9])\Z"),
}


def canonical_number(value: str, datatype: str) -> str:
    """The canonical lexical form of an xsd:integer or xsd:decimal (others unchanged).

    >>> canonical_number("50.0", XSD + "decimal"), canonical_number("-0", XSD + "integer")
    ('50', '0')
    """
    canonical = _CANONICAL.get(datatype)
    if canonical is None or canonical.match(value):  # most values already are: skip Decimal
        return value
    try:
        if datatype == XSD + "integer":
            return str(int(value))
        if datatype == XSD + "decimal":
            number = Decimal(value)
            if number == number.to_integral_value():
                return str(int(number))
            return format(number.normalize(), "f")
    except (ValueError, ArithmeticError):
        return value
    return value


def decimal_lexical(value: Decimal) -> str:
    text = format(value, "f")
    return text if "." in text else text + ".0"


# --- Lexing -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    """,
    re.VERBOSE | re.DOTALL,
)


def code_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` that are SPARQL code: outside strings, IRIs and comments."""
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            yield pos, match.start()
        pos = match.end()
    if pos < len(text):
        yield pos, len(text)


def strip_comments(text: str) -> str:
    """The query with comments removed (strings and IRIs kept)."""
    out, pos = [], 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        out.append("" if match.lastgroup == "comment" else match.group(0))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def max_depth(text: str) -> int:
    """The deepest nesting of ``{`` and ``(`` in code (not in strings, IRIs, comments).

    >>> max_depth('SELECT * WHERE { ?s ?p "{{{{" FILTER((1)) }')
    3
    """
    depth = deepest = 0
    for start, end in code_spans(text):
        for char in text[start:end]:
            if char in "{(":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "})":
                depth -= 1
    return deepest


_FORM = re.compile(
    r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.I,
)


def query_form(text: str) -> str | None:
    """The first query-form or update keyword in code, upper-cased (``SELECT``, ``INSERT``...)."""
    for start, end in code_spans(text):
        match = _FORM.search(text, start, end)
        if match:
            return match.group(1).upper()
    return None


def find_main_where(text: str) -> int | None:
    """Index just after the ``{`` that opens the main WHERE group (``WHERE`` at depth 0).

    >>> q = 'SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p "WHERE {" } } }'
    >>> q[: find_main_where(q)]
    'SELECT ?x WHERE {'
    """
    depth = 0
    seen_where = False
    for start, end in code_spans(text):
        segment = text[start:end]
        for match in re.finditer(r"\bWHERE\b|[{}()]", segment, re.I):
            token = match.group(0)
            if token in "{(":
                if token == "{" and depth == 0 and seen_where:
                    return start + match.end()
                depth += 1
            elif token in "})":
                depth -= 1
            elif depth == 0:
                seen_where = True
    return None
