"""Look at a SPARQL request's text before any engine parses it.

The query engine (pyoxigraph's recursive-descent parser) overflows its stack on a few thousand
nested groups and would take the whole process down, and it fetches ``SERVICE`` endpoints over
HTTP by itself. So the server reads the text first with a small lexer that knows exactly where
strings, IRIs and comments start and end (the SPARQL 1.1 terminals ``IRIREF``, ``STRING_*``,
``#`` comments), and from the tokens outside them finds:

- the nesting depth of ``{ ( [``, refused above a limit before the engine sees the text;
- the operation's form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or an update keyword);
- every ``SERVICE`` clause and the endpoint it names.

The lexer errs on the side of refusal: a word ``SERVICE`` anywhere outside a string, IRI or
comment counts as a service clause, even where the grammar would not allow one; so does a word
that the engine's parser may split into one (``SERVICE:x {``, ``ex:o.b.SERVICE: {``).

>>> info = inspect_query('PREFIX ex: <http://ex/#> SELECT * { ?s ex:p "{{{" }  # }}}')
>>> info.form, info.depth, info.services
('SELECT', 1, ())
>>> inspect_query("ASK { SERVICE <http://x/sparql> { ?s ?p ?o } }").services
('http://x/sparql',)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lcgraph.errors import InputError

__all__ = [
    "QUERY_FORMS",
    "TOKENS_UP_TO",
    "UPDATE_KEYWORDS",
    "QueryInfo",
    "ReadOnlyError",
    "check_query",
    "inspect_query",
]

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)

#: One token of SPARQL text, in the order the lexer must try them, after the spaces and
#: comments before it (skipped by a possessive loop, so they never cost a match of their own;
#: ``end`` matches the spaces and comments at the end). Strings and IRIs follow the grammar's
#: terminals exactly: an ``<`` that cannot start an IRIREF is the less-than operator.
_TOKEN = re.compile(
    r"""
    (?:\s|\#[^\r\n]*)*+
    (?:
    (?P<end>\Z)
  | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
  | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\")
  | (?P<str1>'(?:[^'\\\n\r]|\\.)*')
  | (?P<str2>"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][^\s{}()\[\],;.'"<>#]*)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF0-9][A-Za-z_\u00C0-\uFFFF0-9\-.:%\\]*|:[^\s{}()\[\],;'"<>#]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
    )
    """,
    re.VERBOSE | re.DOTALL,
)

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class ReadOnlyError(InputError):
    """An update sent to the read-only endpoint."""

    http_status = 403


@dataclass(frozen=True)
class QueryInfo:
    """What the lexer found in a SPARQL text."""

    form: str | None
    depth: int
    #: the endpoint of each SERVICE clause: an absolute IRI, or ``None`` for a variable,
    #: a prefixed name or a relative IRI (which the server cannot check against an allowlist)
    services: tuple[str | None, ...]
    #: whether the text has a dataset clause (``FROM`` / ``FROM NAMED``)
    has_dataset: bool = False
    #: the significant tokens ``(kind, text)`` (no spaces or comments), kept for short texts
    #: only (:data:`TOKENS_UP_TO` characters) so that :mod:`lcgraph.web.direct` need not lex
    #: again; ``None`` for longer ones
    tokens: tuple[tuple[str, str], ...] | None = None


#: texts up to this many characters keep their tokens in :class:`QueryInfo`
TOKENS_UP_TO = 2_000


def _unescape_iri(token: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])


def _hides_service(upper: str) -> bool:
    """Whether the engine may read a SERVICE keyword into this word (upper-cased), which the
    grammar's terminals make one prefixed name: pyoxigraph's parser matches keywords without a
    word boundary (``SERVICE:x {`` is SERVICE with the endpoint ``:x``) and ends a prefixed
    name's local part at its second group of dots (``ex:o.b.SERVICE: {`` is ``ex:o.b``, ``.``,
    then a SERVICE clause). It is one when a ``{`` follows, after an optional SILENT and an
    endpoint.

    >>> _hides_service("SERVICE:X"), _hides_service("EX:O.B.SERVICE:"), _hides_service("EX:A")
    (True, True, False)
    """
    return upper.startswith("SERVICE") or ".SERVICE" in upper


def inspect_query(text: str, max_depth: int | None = None) -> QueryInfo:
    """Lex ``text`` and report its form, nesting depth and SERVICE endpoints.

    Stops as soon as the depth passes ``max_depth`` (so a hostile text costs little) and
    raises :class:`InputError` then.

    >>> inspect_query("SELECT * WHERE " + "{" * 5 + "}" * 5).depth
    5
    >>> inspect_query("PREFIX service: <http://ex/> SELECT * { service:a ?p ?SERVICE }").services
    ()
    """
    depth = max_seen = 0
    form: str | None = None
    services: list[str | None] = []
    expect_service_target = False
    has_dataset = False
    tokens: list[tuple[str, str]] | None = [] if len(text) <= TOKENS_UP_TO else None
    # a word the engine may read as SERVICE (see _hides_service): None, or how far its
    # clause has got (0: the word; 1: an endpoint after it), until a "{" confirms it
    hidden: int | None = None
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "end":
            break
        value = match.group(kind)
        if tokens is not None:
            tokens.append((kind, value))
        if hidden is not None:
            if kind == "open" and value == "{":
                services.append(None)
                hidden = None
            elif hidden == 0 and kind == "word" and value.upper() == "SILENT":
                pass
            elif hidden == 0 and kind in ("iri", "var", "word"):
                hidden = 1
            else:
                hidden = None
        if expect_service_target:
            if kind == "word" and value.upper() == "SILENT":
                continue
            expect_service_target = False
            if kind == "iri":
                iri = _unescape_iri(value)
                services.append(iri if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None)
            else:
                services.append(None)
        if kind == "open":
            depth += 1
            if depth > max_seen:
                max_seen = depth
                if max_depth is not None and depth > max_depth:
                    raise InputError(
                        f"the query nests groups deeper than {max_depth} levels "
                        f"(at character {match.start(kind) + 1}); simplify it"
                    )
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            upper = value.upper()
            if upper == "SERVICE":
                expect_service_target = True
            elif _hides_service(upper):
                hidden = 0
            elif upper == "FROM" and depth == 0:
                has_dataset = True
            elif form is None and (upper in QUERY_FORMS or upper in UPDATE_KEYWORDS):
                form = upper
    if expect_service_target:
        services.append(None)
    return QueryInfo(
        form, max_seen, tuple(services), has_dataset, None if tokens is None else tuple(tokens)
    )


def check_query(text: str, *, max_depth: int, service_allowlist: tuple[str, ...] = ()) -> QueryInfo:
    """Refuse what the read-only, no-fetch endpoint must never run.

    Raises :class:`ReadOnlyError` (HTTP 403) for an update and :class:`InputError` (400) for a
    text nested too deep or a SERVICE clause whose endpoint is not in ``service_allowlist``.

    >>> check_query("INSERT DATA { <a> <b> <c> }", max_depth=10)
    Traceback (most recent call last):
    ...
    lcgraph.sparql_text.ReadOnlyError: this endpoint is read-only: INSERT (SPARQL Update) is not accepted
    """
    info = inspect_query(text, max_depth)
    if info.form in UPDATE_KEYWORDS:
        raise ReadOnlyError(
            f"this endpoint is read-only: {info.form} (SPARQL Update) is not accepted"
        )
    allowed = set(service_allowlist)
    for endpoint in info.services:
        if endpoint is None:
            raise InputError(
                "SERVICE needs the endpoint written as a full IRI in <...> (a name that starts "
                "with SERVICE, or has .SERVICE after a dot, before a { counts as a SERVICE "
                "clause: the query engine reads it so); this server makes no outbound requests "
                "except to endpoints its operator allows"
            )
        if endpoint not in allowed:
            raise InputError(
                f"SERVICE <{endpoint}> is not allowed: this server makes no outbound requests "
                "except to endpoints its operator lists in LCGRAPH_SERVICE_ALLOWLIST"
            )
    return info
