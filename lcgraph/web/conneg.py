"""Content negotiation: the ``Accept`` header (RFC 9110 §12.5.1) and a ``format`` parameter.

Pure functions over strings, shared by the SPARQL endpoint, the entity pages and the dumps.

>>> negotiate("text/turtle;q=0.9, application/ld+json", RDF_TYPES)
'application/ld+json'
>>> negotiate("text/*", RESULTS_TYPES)
'text/csv'
>>> negotiate("image/png", RESULTS_TYPES) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lcgraph.errors import InputError

__all__ = [
    "FORMAT_ALIASES",
    "HTML",
    "RDF_TYPES",
    "RESULTS_TYPES",
    "NotAcceptable",
    "choose",
    "negotiate",
    "negotiate_or_refuse",
    "parse_accept",
]

HTML = "text/html"

#: SELECT/ASK result types, the server's preference first (JSON: the most used by clients).
RESULTS_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)

#: Graph types (CONSTRUCT, DESCRIBE, entity data, dumps), the server's preference first.
RDF_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
)

#: Short names accepted by the ``format`` parameter, and synonyms clients send in ``Accept``.
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf/xml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "html": HTML,
}

#: Media types that mean the same as one we offer.
_SYNONYMS = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
    "application/xhtml+xml": HTML,
}
#: Synonyms that name a graph type when the result is a graph.
_RDF_SYNONYMS = {
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
}


_RESULTS_TO_RDF = {
    "application/sparql-results+json": "application/ld+json",
    "application/sparql-results+xml": "application/rdf+xml",
}


class NotAcceptable(InputError):
    """No representation matches the request's ``Accept`` header (HTTP 406)."""

    http_status = 406


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media: str) -> int:
        """Specificity of the match (3 exact, 2 ``type/*``, 1 ``*/*``), 0 for none."""
        mtype, _, msub = media.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == mtype and self.subtype == "*":
            return 2
        return 3 if (self.type, self.subtype) == (mtype, msub) else 0


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an ``Accept`` header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [_Range("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        mtype, _, sub = media.partition("/")
        ranges.append(_Range(mtype, sub, q, order))
    return ranges


def _canonical(media: str, offered: tuple[str, ...]) -> str:
    """The offered type that ``media`` stands for: itself, or the synonym that is offered
    (``application/json`` is SPARQL JSON results where results are offered, JSON-LD where only
    graphs are, and itself where plain JSON is offered)."""
    if media in offered:
        return media
    for table in (_SYNONYMS, _RDF_SYNONYMS):
        if table.get(media) in offered:
            return table[media]
    for plain in offered:  # a plain type offered (application/json) for a specific one
        if media in (_SYNONYMS.get(plain), _RDF_SYNONYMS.get(plain)):
            return plain
    return _SYNONYMS.get(media, media)


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    """The best of ``offered`` for an ``Accept`` header, or ``None`` when none is acceptable.

    Each offered type takes the q of the most specific range that matches it (a synonym such as
    ``application/json`` counts as the type it stands for); ties go to the earlier offer.
    Answers for headers of everyday length are remembered (clients send a handful of them).
    """
    if accept is not None and len(accept) > _REMEMBERED_ACCEPT:
        return _negotiate(accept, offered)
    return _negotiate_remembered(accept, offered)


#: ``Accept`` headers up to this length have their answers remembered (512 of them at most)
_REMEMBERED_ACCEPT = 256


@lru_cache(maxsize=512)
def _negotiate_remembered(accept: str | None, offered: tuple[str, ...]) -> str | None:
    return _negotiate(accept, offered)


def _negotiate(accept: str | None, offered: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best: tuple[float, int, int] | None = None
    choice = None
    for index, media in enumerate(offered):
        q, specificity = 0.0, 0
        for rng in ranges:
            full = f"{rng.type}/{rng.subtype}"
            canon = _canonical(full, offered) if "*" not in full else full
            spec = rng.matches(media) if "*" in full else (3 if canon == media else 0)
            if spec > specificity or (spec == specificity and spec and rng.q > q):
                q, specificity = rng.q, spec
        if specificity and q > 0:
            key = (q, specificity, -index)
            if best is None or key > best:
                best, choice = key, media
    return choice


def choose(fmt: str | None, accept: str | None, offered: tuple[str, ...]) -> str:
    """The media type to answer with: the ``format`` parameter wins over ``Accept``.

    Raises :class:`NotAcceptable` when neither names an offered type.

    >>> choose("ttl", "application/ld+json", RDF_TYPES)
    'text/turtle'
    """
    if fmt:
        wanted = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if "application/ld+json" in offered and wanted not in offered:
            # format=json / xml for a graph means its JSON-LD / RDF/XML form
            wanted = _RESULTS_TO_RDF.get(wanted, wanted)
        wanted = _canonical(wanted, offered)
        if wanted not in offered:
            raise NotAcceptable(
                f"format {fmt!r} is not available here; use one of: "
                + ", ".join(sorted({k for k, v in FORMAT_ALIASES.items() if v in offered}))
            )
        return wanted
    return negotiate_or_refuse(accept, offered)


def negotiate_or_refuse(accept: str | None, offered: tuple[str, ...]) -> str:
    """:func:`negotiate`, raising :class:`NotAcceptable` (406) when nothing offered fits."""
    media = negotiate(accept, offered)
    if media is None:
        raise NotAcceptable(
            f"cannot answer with any of the accepted types ({accept}); available: "
            + ", ".join(offered)
        )
    return media
