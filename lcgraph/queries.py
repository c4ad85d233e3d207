"""The saved-query catalogue: load, bind parameters safely, run on any engine.

Each ``queries/NAME.rq`` starts with ``#+`` lines holding a YAML header in the style of grlc
(summary, description, tags, params, example); the rest is SPARQL. Parameters are validated
against their declared type, turned into RDF terms, and bound without ever pasting user text
into the query:

* ``oxigraph`` (default), the embedded store whose default graph is the union of the named
  graphs, and ``remote``, any SPARQL 1.1 endpoint through SPARQLWrapper: the terms go into a
  ``VALUES`` block at the start of the query's main ``WHERE`` group, rendered in N-Triples
  syntax (strings escaped, IRIs checked). Unset optional parameters are left out of the block
  (the variable stays unbound, so queries test ``BOUND(?x)``, or use the parameter's variable in
  a triple pattern, which then matches anything): a column of ``UNDEF`` means the same in
  SPARQL but costs Oxigraph's planner up to twice the time (``memberships`` without a group:
  0.37 s against 0.19 s at 200 k triples, ``bench/bench_queries.py``);
* ``rdflib``, an rdflib Dataset of the same files (a slower reference implementation): rdflib's
  own ``initBindings``, because rdflib's evaluator joins a leading ``VALUES`` block with
  ``UNION`` patterns very slowly (seconds instead of milliseconds on the seed graph).

Binding with pyoxigraph's ``substitutions`` was not chosen: it accepts only projected variables,
and a remote endpoint has no such option. Parameters are meant for the main group (not inside
subqueries), where both mechanisms give the same answers; the cross-engine tests check it.

>>> from lcgraph.queries import run
>>> rows = run("cq05-eco-model-and-futurecity")
>>> sorted(r["name"] for r in rows)
['Kitakyushu', 'Shimokawa', 'Toyama', 'Yokohama']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import multiprocessing
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lcgraph.config import Settings
from lcgraph.errors import InputError, LcgraphError, QueryTimeout, StoreError
from lcgraph.rdfio import all_prefixes, sparql_prologue
from lcgraph.sparql import (
    XSD,
    Term,
    decimal_lexical,
    find_main_where,
    iri_term,
    literal_term,
    query_form,
)

__all__ = [
    "IRI",
    "Param",
    "Result",
    "SavedQuery",
    "bind",
    "catalogue",
    "get_query",
    "run",
    "run_text",
]

ENGINES = ("oxigraph", "rdflib", "remote")
PARAM_TYPES = (
    "xsd:string",
    "xsd:integer",
    "xsd:decimal",
    "xsd:date",
    "xsd:gYear",
    "xsd:boolean",
    "iri",
)
MAX_STRING = 1_000


class IRI(str):
    """An IRI in a result row (a ``str``, so it prints and compares as its text)."""

    __slots__ = ()


class BNodeId(str):
    """A blank node label in a result row."""

    __slots__ = ()


# --- The catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "xsd:string"
    default: Any = None
    description: str = ""
    cls: str | None = None
    values: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path | None
    text: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    example: str = ""

    @property
    def form(self) -> str:
        return query_form(self.text) or "SELECT"

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise InputError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")


def _split_header(text: str) -> tuple[str, str]:
    """The leading ``#+`` lines (without the marker) and the rest of the file."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith("#+"):
        n += 1
    header = [line[3:] if line.startswith("#+ ") else line[2:] for line in lines[:n]]
    return "".join(header), "".join(lines[n:])


def parse_query_file(path: Path) -> SavedQuery:
    """Read a saved query; raise :class:`InputError` for a bad header or no SPARQL body."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such query file")
    text = path.read_text(encoding="utf-8")
    head, body = _split_header(text)
    try:
        meta = yaml.safe_load(head) if head.strip() else {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: bad '#+' header: {' '.join(str(exc).split())}") from exc
    if not isinstance(meta, dict):
        raise InputError(f"{path}: the '#+' header must be a YAML mapping")
    params = []
    for raw in meta.get("params") or []:
        if not isinstance(raw, dict) or "name" not in raw:
            raise InputError(f"{path}: each param needs a name")
        ptype = str(raw.get("type", "xsd:string"))
        if ptype not in PARAM_TYPES:
            raise InputError(
                f"{path}: param {raw['name']}: unknown type {ptype!r} (one of {', '.join(PARAM_TYPES)})"
            )
        params.append(
            Param(
                name=str(raw["name"]),
                type=ptype,
                default=raw.get("default"),
                description=str(raw.get("description", "")),
                cls=raw.get("class"),
                values=tuple(str(v) for v in raw.get("values", ()) or ()),
                required=bool(raw.get("required", False)),
            )
        )
    if not query_form(body):
        raise InputError(f"{path}: no SPARQL query after the header")
    if params and find_main_where(body) is None:
        raise InputError(f"{path}: a query with parameters needs an explicit 'WHERE {{'")
    tags = meta.get("tags") or ()
    return SavedQuery(
        name=path.stem,
        path=path,
        text=body,
        summary=str(meta.get("summary", "")),
        description=str(meta.get("description", "")).strip(),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list | tuple) else [tags])),
        params=tuple(params),
        example=str(meta.get("example", "")),
    )


def catalogue(settings: Settings | None = None) -> dict[str, SavedQuery]:
    """Every saved query in ``settings.queries_dir``, by name."""
    settings = settings or Settings.from_env()
    return {p.stem: parse_query_file(p) for p in sorted(settings.queries_dir.glob("*.rq"))}


def get_query(name_or_path: str | Path, settings: Settings | None = None) -> SavedQuery:
    """A saved query by name, or any ``.rq`` file by path; unknown names get suggestions."""
    settings = settings or Settings.from_env()
    text = str(name_or_path)
    if text.endswith(".rq") or "/" in text:
        return parse_query_file(Path(text))
    path = settings.queries_dir / f"{text}.rq"
    if path.is_file():
        return parse_query_file(path)
    import difflib

    names = sorted(p.stem for p in settings.queries_dir.glob("*.rq"))
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `lcgraph queries` lists them"
    raise InputError(f"no saved query named {text!r}{hint}")


# --- Parameter binding --------------------------------------------------------------------

# ASCII digits only (``\d`` alone also matches other scripts' digits, which XSD does not)
_INT = re.compile(r"^[+-]?\d{1,18}$", re.ASCII)
_DEC = re.compile(r"^[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})$", re.ASCII)
_YEAR = re.compile(r"^\d{4}$", re.ASCII)
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _class_kind(cls: str | None) -> str | None:
    """The IRI kind for a class named in a param (lcc:City -> city), for bare slugs."""
    table = {
        "lcc:City": "city", "lcc:Region": "region", "lcc:Country": "country", "lcc:Network": "network",
        "lcc:Platform": "network", "org:Organization": "organisation", "lcc:Programme": "programme",
        "lcc:Policy": "programme", "lcc:Tool": "tool", "lcc:Collaboration": "collaboration",
        "lcc:Event": "event", "foaf:Person": "person", "lcc:Target": "target", "lcc:SourceDocument": "document",
    }  # fmt: skip
    return table.get(cls or "")


def expand_curie(value: str, base: str) -> str | None:
    prefix, sep, local = value.partition(":")
    if sep and not local.startswith("//"):
        ns = all_prefixes(base).get(prefix)
        if ns:
            return ns + local
    return None


def coerce(param: Param, raw: Any, settings: Settings) -> Term:
    """Validate ``raw`` against the param's type and make it an RDF term, or raise InputError."""
    name = f"parameter {param.name!r} ({param.type})"
    text = str(raw).strip() if not isinstance(raw, str) else raw
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a lone surrogate: what Python makes of bytes that are not UTF-8 on a command line
        raise InputError(f"{name}: not valid Unicode text (is the terminal UTF-8?)") from None
    if param.values and text not in param.values:
        raise InputError(f"{name}: {text!r} is not one of {', '.join(param.values)}")
    try:
        if param.type == "xsd:integer":
            if isinstance(raw, bool) or not _INT.match(text.strip()):
                raise ValueError
            return literal_term(str(int(text)), XSD + "integer")
        if param.type == "xsd:decimal":
            if isinstance(raw, bool) or not _DEC.match(text.strip()):
                raise ValueError
            return literal_term(decimal_lexical(Decimal(text.strip())), XSD + "decimal")
        if param.type == "xsd:date":
            value = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(text.strip())
            return literal_term(value.isoformat(), XSD + "date")
        if param.type == "xsd:gYear":
            if not _YEAR.match(text.strip()):
                raise ValueError
            return literal_term(text.strip(), XSD + "gYear")
        if param.type == "xsd:boolean":
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return literal_term(
                "true" if text.lower() in ("true", "1") else "false", XSD + "boolean"
            )
        if param.type == "iri":
            return iri_term(_resolve_iri(text.strip(), param, settings))
    except (ValueError, InvalidOperation) as exc:
        detail = f": {exc}" if str(exc) and param.type == "iri" else ""
        raise InputError(f"{name}: {text!r} is not a valid value{detail}") from None
    if len(text) > MAX_STRING:
        raise InputError(f"{name}: longer than {MAX_STRING} characters")
    return literal_term(unicodedata.normalize("NFC", text))


def _resolve_iri(text: str, param: Param, settings: Settings) -> str:
    if re.match(r"^https?://", text):
        return text
    expanded = expand_curie(text, settings.base)
    if expanded:
        return expanded
    kind = _class_kind(param.cls)
    if kind and _SLUG.match(text):
        return settings.entity_iri(kind, text)
    raise ValueError("give a full IRI, a prefixed name such as city:tokyo, or a slug")


def bind(
    query: SavedQuery, values: Mapping[str, Any], settings: Settings
) -> dict[str, Term | None]:
    """Validated terms for every declared param (defaults applied; ``None``: left unbound)."""
    for key in values:
        query.param(key)  # raises for unknown parameters
    bound: dict[str, Term | None] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None or raw == "":
            if param.required:
                raise InputError(f"query {query.name!r} needs the parameter {param.name!r}")
            bound[param.name] = None
        else:
            bound[param.name] = coerce(param, raw, settings)
    return bound


def values_block(bound: Mapping[str, Term | None]) -> str:
    """One ``VALUES`` row of the set parameters; unset ones (``None``) stay unbound variables.

    >>> from lcgraph.sparql import literal_term
    >>> values_block({"text": literal_term('a" }'), "kind": None})
    '\\n  VALUES (?text) { ("a\\\\" }") }\\n'
    """
    terms = {name: term for name, term in bound.items() if term is not None}
    if not terms:
        return ""
    names = " ".join(f"?{n}" for n in terms)
    row = " ".join(t.n3() for t in terms.values())
    return f"\n  VALUES ({names}) {{ ({row}) }}\n"


def bound_text(query: SavedQuery, bound: Mapping[str, Term | None], settings: Settings) -> str:
    """The full query text to send: prologue, body, and the VALUES block in the main WHERE."""
    body = query.text
    if any(term is not None for term in bound.values()):
        at = find_main_where(body)
        if at is None:
            raise InputError(f"query {query.name!r}: parameters need an explicit 'WHERE {{'")
        body = body[:at] + values_block(bound) + body[at:]
    return sparql_prologue(settings.base) + _rewrite_base(body, settings)


def _rewrite_base(text: str, settings: Settings) -> str:
    from lcgraph.rdfio import BaseRewriter

    return BaseRewriter(settings.base).text(text)


# --- Results -----------------------------------------------------------------------------


def to_python(term: Term | None) -> Any:
    """A Python value for a term: numbers, dates, booleans, str; IRI for IRIs."""
    if term is None:
        return None
    if term.kind == "uri":
        return IRI(term.value)
    if term.kind == "bnode":
        return BNodeId(term.value)
    dtype = (term.datatype or "").removeprefix(XSD)
    try:
        if dtype in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
            return int(term.value)
        if dtype == "decimal":
            return Decimal(term.value)
        if dtype in ("double", "float"):
            return float(term.value)
        if dtype == "boolean":
            return term.value in ("true", "1")
        if dtype == "date":
            return dt.date.fromisoformat(term.value)
        if dtype == "dateTime":
            return dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))
        if dtype == "gYear":
            return int(term.value)
    except ValueError:
        return term.value
    return term.value


@dataclass
class Result:
    """Query results with the raw terms and typed Python values."""

    form: str
    variables: list[str] = field(default_factory=list)
    terms: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False
    query_text: str = ""

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [{v: to_python(row.get(v)) for v in self.variables} for row in self.terms]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.terms) if self.form in ("SELECT",) else len(self.triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.form == "ASK" else True

    # --- serialisations (SPARQL 1.1 results formats) -----------------------------------
    def to_json(self) -> str:
        if self.form == "ASK":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)})
        bindings = []
        for row in self.terms:
            out = {}
            for var, term in row.items():
                if term is None:
                    continue
                item: dict[str, str] = {"type": term.kind, "value": term.value}
                if term.lang:
                    item["xml:lang"] = term.lang
                elif term.kind == "literal" and term.datatype and term.datatype != XSD + "string":
                    item["datatype"] = term.datatype
                out[var] = item
            bindings.append(out)
        doc: dict[str, Any] = {"head": {"vars": self.variables}, "results": {"bindings": bindings}}
        if self.truncated:
            doc["truncated"] = True
        return json.dumps(doc, ensure_ascii=False, indent=1)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.terms:
            writer.writerow(["" if row.get(v) is None else row[v].value for v in self.variables])
        return buf.getvalue()

    def to_tsv(self) -> str:
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        for row in self.terms:
            lines.append(
                "\t".join("" if row.get(v) is None else row[v].n3() for v in self.variables)
            )
        return "\n".join(lines) + "\n"

    def to_ntriples(self) -> str:
        return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in self.triples)

    def to_turtle(self, prefixes: Mapping[str, str] | None = None) -> str:
        """The triples of a CONSTRUCT or DESCRIBE as Turtle, with the given prefixes."""
        import pyoxigraph as ox

        def term(t: Term):
            if t.kind == "uri":
                return ox.NamedNode(t.value)
            if t.kind == "bnode":
                return ox.BlankNode(t.value)
            if t.lang:
                return ox.Literal(t.value, language=t.lang)
            return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype or XSD + "string"))

        triples = [ox.Triple(term(s), term(p), term(o)) for s, p, o in self.triples]
        out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes or {}))
        return out.decode("utf-8")


# --- Engines -----------------------------------------------------------------------------


def _ox_term(term) -> Term | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return literal_term(term.value, lang=term.language)
        return literal_term(term.value, term.datatype.value)
    raise TypeError(f"unsupported term {term!r}")


def _rdflib_term(term) -> Term | None:
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return Term("uri", str(term))
    if isinstance(term, rdflib.BNode):
        return Term("bnode", str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return literal_term(str(term), lang=term.language)
        return literal_term(str(term), str(term.datatype) if term.datatype else None)
    raise TypeError(f"unsupported term {term!r}")


def _json_term(item: Mapping[str, str] | None) -> Term | None:
    if item is None:
        return None
    kind = item["type"]
    if kind == "uri":
        return Term("uri", item["value"])
    if kind == "bnode":
        return Term("bnode", item["value"])
    lang = item.get("xml:lang")
    if lang:
        return literal_term(item["value"], lang=lang)
    return literal_term(item["value"], item.get("datatype"))


def _memo(convert):
    """``convert`` with a cache: results repeat terms (kinds, years, labels) many times, and
    converting a term costs more than hashing it."""
    cache: dict = {}

    def get(term):
        if term is None:
            return None
        try:
            return cache[term]
        except KeyError:
            value = cache[term] = convert(term)
            return value

    return get


def _first(items, limit: int | None, result: Result):
    """The first ``limit`` items (all when None); marks ``result`` truncated when more remain."""
    for i, item in enumerate(items):
        if limit is not None and i >= limit:
            result.truncated = True
            return
        yield item


def run_oxigraph(text: str, store, limit: int | None) -> Result:
    import pyoxigraph as ox

    try:
        answer = store.query(text)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {' '.join(str(exc).split())}") from exc
    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer), query_text=text)
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        result = Result("SELECT", variables=variables, query_text=text)
        term = _memo(_ox_term)
        for solution in _first(answer, limit, result):
            # a solution iterates over its values in the order of `variables`
            result.terms.append(dict(zip(variables, map(term, solution), strict=True)))
        return result
    result = Result("CONSTRUCT", query_text=text)
    term = _memo(_ox_term)
    for triple in _first(answer, limit, result):
        result.triples.append((term(triple.subject), term(triple.predicate), term(triple.object)))
    return result


def _rdflib_binding(term: Term):
    import rdflib

    if term.kind == "uri":
        return rdflib.URIRef(term.value)
    if term.lang:
        return rdflib.Literal(term.value, lang=term.lang)
    return rdflib.Literal(
        term.value, datatype=rdflib.URIRef(term.datatype) if term.datatype else None
    )


def run_rdflib(
    text: str, dataset, limit: int | None, bindings: Mapping[str, Term | None] | None = None
) -> Result:
    from lcgraph.validate import release_parser_cache

    init = {k: _rdflib_binding(v) for k, v in (bindings or {}).items() if v is not None}
    try:
        answer = dataset.query(text, initBindings=init)
    except Exception as exc:  # pyparsing and rdflib raise many types for bad queries
        raise InputError(f"SPARQL error (rdflib): {' '.join(str(exc).split())[:300]}") from exc
    finally:
        release_parser_cache()
    if answer.type == "ASK":
        return Result("ASK", boolean=bool(answer.askAnswer), query_text=text)
    if answer.type == "SELECT":
        variables = [str(v) for v in answer.vars]
        result = Result("SELECT", variables=variables, query_text=text)
        term = _memo(_rdflib_term)
        for row in _first(answer, limit, result):
            result.terms.append({v: term(row[v]) for v in variables})
        return result
    result = Result("CONSTRUCT", query_text=text)
    term = _memo(_rdflib_term)
    for s, p, o in _first(answer, limit, result):
        result.triples.append((term(s), term(p), term(o)))
    return result


def run_remote(text: str, endpoint: str, limit: int | None, timeout: float | None) -> Result:
    """Run on a SPARQL 1.1 endpoint with SPARQLWrapper (POST, JSON or N-Triples results)."""
    import socket
    import urllib.error

    import pyoxigraph as ox
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    form = query_form(text) or "SELECT"
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery(text)
    if timeout:
        # SPARQLWrapper takes whole seconds: round up, never cut the user's limit short
        client.setTimeout(math.ceil(timeout))
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if graph_form:
        client.setReturnFormat("turtle")
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    else:
        client.setReturnFormat(JSON)
    try:
        response = client.query()
        if graph_form:
            raw = response.response.read()
            ctype = (
                response.response.headers.get("Content-Type", "text/turtle").split(";")[0].strip()
            )
            fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in ctype else ox.RdfFormat.TURTLE
            result = Result("CONSTRUCT", query_text=text)
            for triple in _first(ox.parse(raw, format=fmt), limit, result):
                result.triples.append(
                    (_ox_term(triple.subject), _ox_term(triple.predicate), _ox_term(triple.object))
                )
            return result
        doc = response.convert()
    except TimeoutError as exc:
        raise QueryTimeout(f"{endpoint}: no answer within {timeout} s") from exc
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:300] if hasattr(exc, "read") else ""
        raise InputError(f"{endpoint} answered {exc.code}: {' '.join(body.split())}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise QueryTimeout(f"{endpoint}: no answer within {timeout} s") from exc
        raise StoreError(f"cannot reach the endpoint {endpoint}: {exc.reason}") from exc
    except SPARQLWrapperException as exc:
        raise InputError(
            f"{endpoint} rejected the query: {' '.join(str(exc).split())[:300]}"
        ) from exc
    except (ConnectionError, OSError) as exc:
        raise StoreError(f"cannot reach the endpoint {endpoint}: {exc}") from exc
    if not isinstance(doc, dict):
        raise InputError(f"{endpoint} did not answer with SPARQL JSON results")
    if "boolean" in doc:
        return Result("ASK", boolean=bool(doc["boolean"]), query_text=text)
    variables = list(doc.get("head", {}).get("vars", []))
    result = Result("SELECT", variables=variables, query_text=text)
    for binding in _first(doc.get("results", {}).get("bindings", []), limit, result):
        result.terms.append({v: _json_term(binding.get(v)) for v in variables})
    return result


_RDFLIB_CACHE: dict[tuple, Any] = {}


def rdflib_dataset(settings: Settings):
    """The ontology and data files as an rdflib Dataset whose default graph is their union."""
    import rdflib

    from lcgraph.rdfio import BaseRewriter
    from lcgraph.store import source_files

    files = source_files(settings)
    key = (settings.base, tuple((str(p), p.stat().st_mtime_ns) for p, _ in files))
    if key in _RDFLIB_CACHE:
        return _RDFLIB_CACHE[key]
    rewriter = BaseRewriter(settings.base)
    ds = rdflib.Dataset(default_union=True)
    for path, graph in files:
        if graph:
            target = ds.graph(rdflib.URIRef(settings.graph_iri(graph)))
            for s, p, o in rdflib.Graph().parse(path, format="turtle"):
                target.add((rewriter.term(s), rewriter.term(p), rewriter.term(o)))
        else:
            part = rdflib.Dataset()
            part.parse(path, format="trig")
            for s, p, o, g in part.quads((None, None, None, None)):
                ctx = g.identifier if isinstance(g, rdflib.Graph) else g
                ds.graph(rewriter.term(ctx)).add(
                    (rewriter.term(s), rewriter.term(p), rewriter.term(o))
                )
    _RDFLIB_CACHE.clear()
    _RDFLIB_CACHE[key] = ds
    return ds


def _execute(
    text: str,
    engine: str,
    settings: Settings,
    store,
    limit: int | None,
    timeout: float | None,
    bindings=None,
) -> Result:
    if engine == "remote":
        return run_remote(text, settings.endpoint or "", limit, timeout)
    if engine == "rdflib":
        return run_rdflib(text, rdflib_dataset(settings), limit, bindings)
    if store is None:
        from lcgraph.store import load_store

        store = load_store(settings)
    return run_oxigraph(text, store, limit)


def _child(conn, text, engine, settings, store, limit, bindings):  # runs in a forked process
    try:
        conn.send(("ok", _execute(text, engine, settings, store, limit, None, bindings)))
    except LcgraphError as exc:
        conn.send(("error", exc))
    except Exception as exc:  # report anything else as an error, never a silent hang
        conn.send(("error", InputError(f"query failed: {exc}")))
    finally:
        conn.close()


def _with_timeout(
    text: str,
    engine: str,
    settings: Settings,
    store,
    limit: int | None,
    timeout: float,
    bindings=None,
) -> Result:
    """Run a local query in a forked child and kill it at the time limit.

    The embedded engines cannot be interrupted from Python, so the query runs where it can be
    killed; the child inherits the open store (copy-on-write) and sends back the result.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(child, text, engine, settings, store, limit, bindings), daemon=True
    )
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the query ran past the {timeout:g} s time limit and was stopped")
        status, payload = parent.recv()
    except EOFError:
        raise InputError("the query process ended without an answer") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if status == "error":
        raise payload
    return payload


def run_text(
    text: str,
    *,
    settings: Settings | None = None,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    store=None,
    limit: int | None = None,
    timeout: float | None = None,
    bindings: Mapping[str, Term | None] | None = None,
) -> Result:
    """Run a complete SPARQL query text on an engine (``bindings``: rdflib initBindings)."""
    settings = settings or Settings.from_env()
    if endpoint:
        engine, settings = "remote", settings.with_(endpoint=endpoint)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    if engine == "remote" and not settings.endpoint:
        raise InputError("the remote engine needs an endpoint URL (--endpoint)")
    form = query_form(text)
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise InputError(
            f"only SPARQL queries run here, not {form or 'this text'}: the graph is changed with `lcgraph ingest`"
        )
    if limit is not None and limit < 0:
        raise InputError("--limit must be 0 or more")
    if timeout is not None and engine != "remote":
        if timeout <= 0:
            raise InputError("--timeout must be positive")
        if store is None and engine == "oxigraph":
            from lcgraph.store import load_store

            store = load_store(settings)
        return _with_timeout(text, engine, settings, store, limit, timeout, bindings)
    return _execute(text, engine, settings, store, limit, timeout, bindings)


def run(
    name: str | Path | SavedQuery,
    *,
    settings: Settings | None = None,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    store=None,
    limit: int | None = None,
    timeout: float | None = None,
    params: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Result:
    """Run a saved query by name (or path) with parameters given as keywords.

    Returns a :class:`Result`: iterate it for rows of typed Python values, or read ``.terms``.
    """
    settings = settings or Settings.from_env()
    query = name if isinstance(name, SavedQuery) else get_query(name, settings)
    if endpoint:
        engine = "remote"
    text, bindings = prepare(query, {**(params or {}), **kwargs}, settings, engine)
    return run_text(
        text,
        settings=settings,
        engine=engine,
        endpoint=endpoint,
        store=store,
        limit=limit,
        timeout=timeout,
        bindings=bindings,
    )


def prepare(
    query: SavedQuery, values: Mapping[str, Any], settings: Settings, engine: str = "oxigraph"
) -> tuple[str, dict[str, Term | None] | None]:
    """The text to send to ``engine`` and, for rdflib only, the terms for ``initBindings``.

    Validates ``values`` first (:func:`bind`). The oxigraph and remote engines get the terms in
    a ``VALUES`` block inside the text and ``None`` as bindings; rdflib gets the plain text and
    the terms. The benchmarks call this to time the engines on exactly what :func:`run` sends.
    """
    bound = bind(query, values, settings)
    if engine == "rdflib":
        return sparql_prologue(settings.base) + _rewrite_base(query.text, settings), bound
    return bound_text(query, bound, settings), None


def iter_param_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """Parse ``k=v`` strings from the CLI."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param takes name=value, not {pair!r}")
        out[key.strip()] = value
    return out


__all__ += ["ENGINES", "iter_param_pairs", "prepare", "rdflib_dataset", "to_python"]
