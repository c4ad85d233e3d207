"""Reading and writing RDF files: parsing with clear errors, base-IRI rewriting, canonical TriG.

I/O lives here so that the rest of the package works on graphs. The canonical TriG writer is
deliberately small and deterministic (sorted graphs, subjects, predicates and objects; a fixed
prefix table; no blank nodes), so that ``lcgraph fmt`` gives stable, reviewable diffs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from lcgraph.config import DEFAULT_BASE, KINDS, Settings
from lcgraph.errors import InputError


class _IllTypedLiteralFilter(logging.Filter):
    """Drop rdflib's warning, with a traceback, for each ill-typed literal ("2015-02-30"^^xsd:date).

    An ill-typed literal is bad input that the shapes report as a violation naming its node and
    file; rdflib's traceback on stderr would only make ``lcgraph validate`` look as if it crashed.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


if not any(isinstance(f, _IllTypedLiteralFilter) for f in logging.getLogger("rdflib.term").filters):
    logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralFilter())

#: Vocabulary prefixes, used by the canonical writer, the saved queries and the web layer.
VOCAB_PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "gn": "http://www.geonames.org/ontology#",
    "lcc": "https://w3id.org/lcc/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def instance_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefixes for instance IRIs: ``city:`` for ``{base}id/city/`` and so on, plus ``graph:``."""
    prefixes = {kind: f"{base}id/{kind}/" for kind in KINDS}
    prefixes["graph"] = f"{base}graph/"
    return prefixes


def all_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    return {**VOCAB_PREFIXES, **instance_prefixes(base)}


def sparql_prologue(base: str = DEFAULT_BASE) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(all_prefixes(base).items()))


# --- Parsing ------------------------------------------------------------------------------

_FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}


def rdf_format(path: Path) -> str:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"{path}: unknown RDF file type {path.suffix!r} (expected one of {', '.join(_FORMATS)})"
        ) from None


_LINE_RE = re.compile(r"(?:at\s+)?line\s+(\d+)", re.IGNORECASE)


# rdflib's notation3 parser appends a dump of the input buffer (" at ^ in: ..."), which is noise;
# pyoxigraph repeats the position at the end ("(file.trig, line 26)")
_BUFFER_DUMP_RE = re.compile(r"\s+at \^ in:.*$", re.DOTALL)
_TRAILING_POSITION_RE = re.compile(r"\s*\((?:[^()]*, )?line \d+\)$")


def parse_error(path: Path, exc: Exception | str) -> InputError:
    """One clear message for a file that does not parse: ``file:line: cannot parse fmt: why``.

    Works for rdflib's and pyoxigraph's errors, which both name the line in their text.
    """
    text = " ".join(_BUFFER_DUMP_RE.sub("", str(exc)).split())
    text = _TRAILING_POSITION_RE.sub("", text)
    match = _LINE_RE.search(text)
    where = f"{path}:{match.group(1)}" if match else str(path)
    fmt = _FORMATS.get(Path(path).suffix.lower(), "RDF")
    return InputError(f"{where}: cannot parse {fmt}: {text[:300]}")


_OX_FORMAT_NAMES = {
    "turtle": "TURTLE",
    "trig": "TRIG",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "xml": "RDF_XML",
}


def syntax_error(path: Path, exc: Exception, data: str | None = None) -> InputError:
    """The error for a file rdflib could not parse, positioned by pyoxigraph where it can.

    rdflib's Turtle parser often reports a later line than the mistake (an unclosed string
    is reported where the statement ends); pyoxigraph gives the line and column of the
    mistake itself. ``data`` is the text rdflib was given, when it was not the file as is.
    """
    fmt = _FORMATS.get(Path(path).suffix.lower())
    name = _OX_FORMAT_NAMES.get(fmt or "")
    if name is not None:
        import pyoxigraph as ox  # only on this error path: the CLI's cold start stays light

        source = {"path": str(path)} if data is None else {"input": data.encode("utf-8")}
        try:
            for _ in ox.parse(
                **source, format=getattr(ox.RdfFormat, name), base_iri=Path(path).resolve().as_uri()
            ):
                pass
        except SyntaxError as ox_exc:
            return parse_error(path, ox_exc)
        except (OSError, ValueError):  # pyoxigraph cannot help; rdflib's message stands
            pass
    return parse_error(path, exc)


def parse_dataset(path: Path) -> rdflib.Dataset:
    """Parse one RDF file into a Dataset; raise :class:`InputError` with file and line on error."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = rdf_format(path)
    ds = rdflib.Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many types (BadSyntax, ValueError, SAX errors)
        raise syntax_error(path, exc) from exc
    return ds


def parse_graph(path: Path) -> rdflib.Graph:
    """Parse a triples file (Turtle, N-Triples, RDF/XML...) into a Graph."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    graph = rdflib.Graph()
    try:
        graph.parse(path, format=rdf_format(path))
    except Exception as exc:  # see parse_dataset
        raise syntax_error(path, exc) from exc
    return graph


def named_quads(ds: rdflib.Dataset) -> Iterator[tuple]:
    """The quads of a dataset that are in named graphs (the default graph is skipped)."""
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            continue
        yield s, p, o, g.identifier if isinstance(g, rdflib.Graph) else g


def default_graph_triples(ds: rdflib.Dataset) -> int:
    return len(ds.default_graph)


def require_named_graphs(ds: rdflib.Dataset, path: Path) -> None:
    """Refuse a data file with triples outside a named graph: their source would be unknown."""
    n = default_graph_triples(ds)
    if n:
        s, p, o = next(iter(ds.default_graph))
        raise InputError(
            f"{path}: every triple in a data file belongs in a named graph (the graph of its "
            f"source document); {n} triple(s) are outside one, such as: {s.n3()} {p.n3()} {o.n3()}"
        )


# --- Base IRI rewriting -------------------------------------------------------------------


def _regex_literal(text: str) -> str:
    """``text`` as a regex that matches it literally, metacharacters in brackets (``w3id[.]org``).

    Brackets rather than backslashes, because the regex sits inside a Turtle string where a
    backslash would need escaping again.
    """
    return "".join(f"[{c}]" if c in ".*+?{}()|$" else c for c in text)


class BaseRewriter:
    """Rewrite instance and graph IRIs from the default base to a deployment's base.

    Only ``{default}id/`` and ``{default}graph/`` are rewritten: the ontology namespace
    (``https://w3id.org/lcc/ontology#``) is a published vocabulary and stays as it is.
    """

    def __init__(self, base: str, source_base: str = DEFAULT_BASE):
        self.base = base
        self.source = source_base
        self.active = base != source_base
        self._stems = (f"{source_base}id/", f"{source_base}graph/")

    def iri(self, value: str) -> str:
        if self.active and value.startswith(self._stems):
            return self.base + value[len(self.source) :]
        return value

    def term(self, term):
        if self.active and isinstance(term, URIRef):
            return URIRef(self.iri(str(term)))
        return term

    def quads(self, quads: Iterable[tuple]) -> Iterator[tuple]:
        if not self.active:
            yield from quads
            return
        for s, p, o, g in quads:
            yield self.term(s), self.term(p), self.term(o), self.term(g)

    def text(self, text: str) -> str:
        """Rewrite IRIs inside a text (a shapes file, a query) by plain prefix replacement.

        IRIs inside regular expressions, written with bracketed metacharacters as the shapes
        do (``sh:pattern "^https://w3id[.]org/lcc/id/..."``), are rewritten in that style too.

        >>> rw = BaseRewriter("https://example.org/kg/")
        >>> rw.text('<https://w3id.org/lcc/id/city/x> "^https://w3id[.]org/lcc/id/"')
        '<https://example.org/kg/id/city/x> "^https://example[.]org/kg/id/"'
        """
        if not self.active:
            return text
        for stem in self._stems:
            new = self.base + stem[len(self.source) :]
            text = text.replace(stem, new)
            text = text.replace(_regex_literal(stem), _regex_literal(new))
        return text


# --- Canonical TriG -----------------------------------------------------------------------

# Characters that Turtle's IRIREF does not allow raw, and those a string literal escapes: the
# ones STRING_LITERAL_QUOTE forbids, plus other control characters, which are legal but invisible
# in a diff.
_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _uchar(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04X}"


def _escape_char(match: re.Match) -> str:
    return _ECHAR.get(match.group(0)) or _uchar(match)


_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_BARE_INTEGER = re.compile(r"^[+-]?\d+$")
_BARE_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_PREDICATE_ORDER = {
    str(RDF.type): 0,
    "http://www.w3.org/2000/01/rdf-schema#label": 1,
    "http://www.w3.org/2004/02/skos/core#prefLabel": 2,
    "http://www.w3.org/2004/02/skos/core#altLabel": 3,
}


class CanonicalWriter:
    """Write quads as canonical TriG: the same dataset always gives the same bytes."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        prefixes = prefixes or all_prefixes()
        # longest namespace first, so that ``city:`` wins over a shorter stem
        self._ns = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.prefixes = dict(sorted(prefixes.items()))
        self._used: set[str] = set()

    def iri(self, value: str) -> str:
        for prefix, ns in self._ns:
            if value.startswith(ns):
                local = value[len(ns) :]
                if local and _PN_LOCAL.match(local):
                    self._used.add(prefix)
                    return f"{prefix}:{local}"
        return f"<{_IRI_ESCAPE.sub(_uchar, value)}>"

    def literal(self, lit: Literal) -> str:
        lex = str(lit)
        dt = str(lit.datatype) if lit.datatype else None
        if dt == str(XSD.integer) and _BARE_INTEGER.match(lex):
            return lex
        if dt == str(XSD.decimal) and _BARE_DECIMAL.match(lex):
            return lex
        if dt == str(XSD.boolean) and lex in ("true", "false"):
            return lex
        out = f'"{_STRING_ESCAPE.sub(_escape_char, lex)}"'
        if lit.language:
            return f"{out}@{lit.language}"
        if dt and dt != str(XSD.string):
            return f"{out}^^{self.iri(dt)}"
        return out

    def term(self, term) -> str:
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, BNode):
            raise InputError(
                "blank nodes are not allowed in data files: give the node an IRI "
                f"({{base}}id/{{kind}}/{{slug}}) so that partners can link to it (found _:{term})"
            )
        raise TypeError(f"unexpected RDF term {term!r}")

    @staticmethod
    def _predicate_key(p: str, rendered: str) -> tuple:
        return (_PREDICATE_ORDER.get(p, 9), rendered)

    def graph_block(self, graph_iri: str, triples: Iterable[tuple]) -> str:
        by_subject: dict[str, dict[str, list[str]]] = {}
        for s, p, o in triples:
            subj = self.term(s)
            pred = "a" if p == RDF.type else self.term(p)
            by_subject.setdefault(subj, {}).setdefault((str(p), pred), []).append(self.term(o))
        lines = [f"{self.iri(graph_iri)} {{"]
        for subj in sorted(by_subject):
            lines.append(f"    {subj}")
            preds = sorted(by_subject[subj].items(), key=lambda kv: self._predicate_key(*kv[0]))
            for i, ((_, pred), objects) in enumerate(preds):
                objs = sorted(set(objects))
                end = " ;" if i < len(preds) - 1 else " ."
                if len(objs) == 1:
                    lines.append(f"        {pred} {objs[0]}{end}")
                else:
                    lines.append(f"        {pred}")
                    for j, obj in enumerate(objs):
                        sep = " ," if j < len(objs) - 1 else end
                        lines.append(f"            {obj}{sep}")
            lines.append("")
        if lines[-1] == "":
            lines.pop()
        lines.append("}")
        return "\n".join(lines)

    def dataset(self, quads: Iterable[tuple]) -> str:
        graphs: dict[str, list[tuple]] = {}
        for s, p, o, g in quads:
            if g is None:
                raise InputError(
                    "data files keep every triple in a named graph: "
                    f"found a triple outside one ({s} {p} {o})"
                )
            graphs.setdefault(str(g), []).append((s, p, o))
        self._used = set()
        blocks = [self.graph_block(g, graphs[g]) for g in sorted(graphs)]
        header = [f"@prefix {p}: <{ns}> ." for p, ns in self.prefixes.items() if p in self._used]
        return "\n\n".join(part for part in ("\n".join(header), *blocks) if part) + "\n"


def canonical_trig(ds: rdflib.Dataset, prefixes: dict[str, str] | None = None) -> str:
    """Serialise the named graphs of ``ds`` as canonical TriG."""
    if default_graph_triples(ds):
        raise InputError(
            f"data files keep every triple in a named graph: {default_graph_triples(ds)} "
            "triple(s) are outside one"
        )
    return CanonicalWriter(prefixes).dataset(named_quads(ds))


def data_files(settings: Settings) -> list[Path]:
    """The knowledge graph's data files, in a stable order."""
    return sorted(settings.data_dir.glob("*.trig"))
