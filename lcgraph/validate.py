"""SHACL validation of the knowledge graph with pySHACL, and readable reports.

The data graph is the union of the data files (or any graph handed in); the ontology is mixed in
(``ont_graph``) so that class targets follow ``rdfs:subClassOf``. Every result names its focus
node, path, message, constraint and the data file(s) the focus node is described in.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
import rdflib.collection
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from lcgraph.config import DEFAULT_BASE, Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import (
    BaseRewriter,
    all_prefixes,
    data_files,
    parse_dataset,
    parse_graph,
    require_named_graphs,
    syntax_error,
)

__all__ = [
    "Report",
    "Violation",
    "load_data",
    "load_ontology",
    "load_shapes",
    "validate_graph",
    "validate_project",
]


@dataclass
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    constraint: str
    shape: str
    value: str | None = None
    files: list[str] = field(default_factory=list)
    #: why a nested shape (``sh:node``, ``sh:or``...) failed: "focus path: message" lines
    details: list[str] = field(default_factory=list)


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    results: rdflib.Graph = field(repr=False, default_factory=rdflib.Graph)
    #: the base IRI of instances, so that the text report can write ``city:tokyo``
    base: str = DEFAULT_BASE

    def text(self) -> str:
        if self.conforms:
            return "Conforms: yes (0 violations)"
        nm = _namespace_manager(self.base)
        lines = [f"Conforms: no ({len(self.violations)} result(s))", ""]
        for v in self.violations:
            lines.append(f"{v.severity}: {v.message}")
            lines.append(f"  focus node: {_short(v.focus, nm)}")
            if v.path:
                lines.append(f"  path:       {_short(v.path, nm)}")
            if v.value is not None and v.value != v.focus:
                lines.append(f"  value:      {_short(v.value, nm)}")
            lines.append(f"  constraint: {_short(v.constraint, nm)}")
            lines.append(f"  shape:      {_short(v.shape, nm)}")
            if v.files:
                lines.append(f"  file:       {', '.join(v.files)}")
            for detail in v.details:
                lines.append(
                    f"  because:    {_short(detail, nm) if detail.startswith('<') else detail}"
                )
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def as_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "count": len(self.violations),
                "results": [asdict(v) for v in self.violations],
            },
            indent=2,
            ensure_ascii=False,
        )

    def turtle(self) -> str:
        return self.results.serialize(format="turtle")


#: The namespace of the shapes, for reports (not a data prefix, so not in VOCAB_PREFIXES).
SHAPES_NS = "https://w3id.org/lcc/shapes#"

_IRI_IN_PATH = re.compile(r"<([^<>\s]+)>")


def _namespace_manager(base: str = DEFAULT_BASE) -> rdflib.namespace.NamespaceManager:
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, ns in {**all_prefixes(base), "lccsh": SHAPES_NS}.items():
        graph.bind(prefix, ns)
    return graph.namespace_manager


def _short_iri(iri: str, nm) -> str:
    try:
        return nm.normalizeUri(URIRef(iri)) if iri.startswith("http") else iri
    except Exception:  # normalizeUri rejects some IRIs; the full IRI is fine then
        return iri


def _short(text: str, nm) -> str:
    """Shorten an IRI, or each ``<IRI>`` inside a property path such as ``^<...#hasTarget>``."""
    if "<" not in text:
        return _short_iri(text, nm)
    return _IRI_IN_PATH.sub(lambda m: _short_iri(m.group(1), nm), text)


def path_text(graph: rdflib.Graph, path) -> str | None:
    """A SHACL property path as SPARQL property-path text (``^<p>``, ``<p>/<q>``, ``<p>*``).

    A predicate path stays a bare IRI, so that simple paths read as before; complex paths
    (blank nodes in the results graph) would otherwise show as a meaningless node id.
    """
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return path_expression(graph, path)


def path_expression(graph: rdflib.Graph, node, unknown=str) -> str:
    """A SHACL property path as SPARQL path text; ``unknown(node)`` for a form it cannot read."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    unary = (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    )
    for predicate, template in unary:
        inner = graph.value(node, predicate)
        if inner is not None:
            text = path_expression(graph, inner, unknown)
            if not isinstance(inner, URIRef) and "^" not in template:
                text = f"({text})"
            return template.format(text)
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        items = rdflib.collection.Collection(graph, alternatives)
        return "(" + "|".join(path_expression(graph, i, unknown) for i in items) + ")"
    if (node, RDF.first, None) in graph:  # a sequence path is an RDF list
        return "/".join(
            path_expression(graph, i, unknown) for i in rdflib.collection.Collection(graph, node)
        )
    return unknown(node)


# --- Loading ------------------------------------------------------------------------------


def load_ontology(settings: Settings) -> rdflib.Graph:
    return parse_graph(settings.ontology_path)


def load_shapes(settings: Settings, paths: Iterable[Path] | None = None) -> rdflib.Graph:
    """All shapes files as one graph, with IRIs rewritten to the configured base."""
    paths = sorted(settings.shapes_dir.glob("*.ttl")) if paths is None else list(paths)
    if not paths:
        raise InputError(f"{settings.shapes_dir}: no *.ttl shapes files")
    rewriter = BaseRewriter(settings.base)
    shapes = rdflib.Graph()
    for path in paths:
        if not Path(path).is_file():
            raise InputError(f"{path}: no such file")
        text = rewriter.text(Path(path).read_text(encoding="utf-8"))
        try:
            shapes.parse(data=text, format="turtle", publicID=Path(path).as_uri())
        except Exception as exc:  # rdflib raises many exception types on bad syntax
            raise syntax_error(Path(path), exc, data=text) from exc
    return shapes


def load_data(
    settings: Settings, paths: Iterable[Path] | None = None
) -> tuple[rdflib.Graph, dict[str, set[str]]]:
    """The union of the data files as one graph, and which files describe each subject."""
    paths = data_files(settings) if paths is None else list(paths)
    rewriter = BaseRewriter(settings.base)
    union = rdflib.Graph()
    where: dict[str, set[str]] = {}
    for path in paths:
        ds = parse_dataset(path)
        if Path(path).suffix.lower() == ".trig":
            require_named_graphs(ds, path)
        name = _display_path(path, settings)
        for s, p, o, _ in rewriter.quads(ds.quads((None, None, None, None))):
            union.add((s, p, o))
            where.setdefault(str(s), set()).add(name)
    return union, where


def _display_path(path: Path, settings: Settings) -> str:
    try:
        return str(Path(path).resolve().relative_to(settings.root.resolve()))
    except ValueError:
        return str(path)


def check_shape_targets(shapes: rdflib.Graph, ontology: rdflib.Graph) -> None:
    """Refuse shapes that target a class the ontology never mentions (a typo in a shape)."""
    known = set(ontology.subjects()) | set(ontology.objects())
    for shape, cls in shapes.subject_objects(SH.targetClass):
        if cls not in known:
            raise InputError(
                f"shape {shape} targets the class {cls}, which the ontology does not know"
            )
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if (shape, RDF.type, RDFS.Class) in shapes and shape not in known:
            raise InputError(
                f"shape {shape} is an implicit class target the ontology does not know"
            )


# --- Validation ---------------------------------------------------------------------------


def shape_name(shapes: rdflib.Graph, shape) -> str:
    """The IRI of a shape; for a blank property shape, the IRI of the node shape that owns it.

    A blank node id (``n2e57d5...``) tells a reader nothing, while the owning node shape (with
    the result's path beside it) names the entry of the shapes file to look at.
    """
    seen = set()
    while not isinstance(shape, URIRef) and shape is not None and shape not in seen:
        seen.add(shape)
        owner = shapes.value(predicate=SH.property, object=shape)
        if owner is None:
            break
        shape = owner
    return str(shape)


#: The ontology triples that shapes read: which class or scheme a term is in, and the class
#: hierarchy. Labels, definitions, domains and ranges are left out: no shape reads them, and
#: every SPARQL target scans the whole data graph, so they made each validation 2.5x slower.
AXIOM_PREDICATES = (
    RDF.type,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.broader,
)


def ontology_axioms(ontology: rdflib.Graph) -> rdflib.Graph:
    """The part of the ontology that validation mixes into the data graph."""
    axioms = rdflib.Graph()
    for predicate in AXIOM_PREDICATES:
        for triple in ontology.triples((None, predicate, None)):
            axioms.add(triple)
    return axioms


def _details(results: rdflib.Graph, result) -> list[str]:
    """The nested results of a result (``sh:detail``), as "<focus> <path>: message" lines."""
    lines = []
    for detail in sorted(results.objects(result, SH.detail), key=str):
        focus = results.value(detail, SH.focusNode)
        path = path_text(results, results.value(detail, SH.resultPath))
        message = results.value(detail, SH.resultMessage)
        where = f"<{focus}>" + (f" <{path}>" if path and not path.startswith(("^", "(")) else "")
        lines.append(f"{where}: {message}")
        lines.extend(_details(results, detail))
    return lines


@functools.lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...], base: str | None):
    """A parsed and translated query; it holds no data, so graphs and validations share it."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text, initNs=dict(namespaces), base=base)
    finally:
        release_parser_cache()


def release_parser_cache() -> None:
    """Empty pyparsing's packrat cache after rdflib parsed a query.

    The cache keeps the parse exceptions of failed alternatives, and their tracebacks keep the
    caller's frames alive: here, the frames of a validated write, and with them the open store,
    whose RocksDB lock then refuses the next opening in the same process.
    """
    from pyparsing import ParserElement

    ParserElement.reset_cache()


class PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once and reuses the prepared query.

    pySHACL runs a SPARQL constraint once per focus node: the same text with another ``$this``
    binding. rdflib parses the text on every call (some 20 ms each), which made validating the
    five seed documents take about 10 s, nearly all of it in the SPARQL parser. A prepared query
    (rdflib's ``prepareQuery``) evaluated with the bindings gives the same answers.
    """

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        use_store_provided=True,
        **kwargs,
    ):
        if isinstance(query_object, str) and processor == "sparql":
            # as Graph.query does: with no namespaces given, the graph's own bindings apply
            namespaces = tuple(sorted(dict(initNs or self.namespaces()).items()))
            query_object = _prepared(query_object, namespaces, kwargs.get("base"))
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    where: dict[str, set[str]] | None = None,
) -> Report:
    """Validate ``data`` against ``shapes`` with ``ontology`` mixed in."""
    import pyshacl  # heavy import, only when validating

    check_shape_targets(shapes, ontology)
    # The ontology's axioms are mixed into a copy of the data graph, so that class targets
    # follow rdfs:subClassOf and concept-scheme checks see skos:inScheme.
    combined = PreparedQueryGraph()
    combined += data
    combined += ontology_axioms(ontology)
    try:
        conforms, results, _ = pyshacl.validate(
            combined,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,  # combined is already a private copy; pySHACL's clone would lose the cache
        )
    except Exception as exc:  # pySHACL raises parse and constraint-load errors of many types
        raise InputError(f"the shapes cannot be used: {' '.join(str(exc).split())[:500]}") from exc
    if not isinstance(results, rdflib.Graph):  # pySHACL reports unusable shapes this way
        raise InputError(f"the shapes cannot be used: {' '.join(str(results).split())[:500]}")
    violations = []
    nested = set(results.objects(None, SH.detail))
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if result in nested:  # reported through its parent's details
            continue
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        violations.append(
            Violation(
                focus=str(focus),
                path=path_text(results, path),
                message=str(message) if message is not None else "constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                constraint=str(results.value(result, SH.sourceConstraintComponent)),
                shape=shape_name(shapes, results.value(result, SH.sourceShape)),
                value=str(value) if value is not None else None,
                files=sorted((where or {}).get(str(focus), ())),
                details=_details(results, result),
            )
        )
    violations.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    has_violation = any(v.severity == "Violation" for v in violations)
    return Report(
        conforms=bool(conforms) or not has_violation, violations=violations, results=results
    )


def validate_project(settings: Settings, data_paths: Iterable[Path] | None = None) -> Report:
    """Validate the project's data files (or the given ones) against its shapes and ontology."""
    ontology = load_ontology(settings)
    shapes = load_shapes(settings)
    data, where = load_data(settings, data_paths)
    report = validate_graph(data, shapes, ontology, where)
    report.base = settings.base
    return report
