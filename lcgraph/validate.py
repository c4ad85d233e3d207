"""SHACL validation of the knowledge graph with pySHACL, and readable reports.

The data graph is the union of the data files (or any graph handed in); the ontology is mixed in
(``ont_graph``) so that class targets follow ``rdfs:subClassOf``. Every result names its focus
node, path, message, constraint and the data file(s) the focus node is described in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SH

from lcgraph.config import Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import BaseRewriter, all_prefixes, data_files, parse_dataset, parse_graph

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


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    results: rdflib.Graph = field(repr=False, default_factory=rdflib.Graph)

    def text(self) -> str:
        if self.conforms:
            return "Conforms: yes (0 violations)"
        nm = _namespace_manager()
        lines = [f"Conforms: no ({len(self.violations)} result(s))", ""]
        for v in self.violations:
            lines.append(f"{v.severity}: {v.message}")
            lines.append(f"  focus node: {_short(v.focus, nm)}")
            if v.path:
                lines.append(f"  path:       {_short(v.path, nm)}")
            if v.value is not None:
                lines.append(f"  value:      {v.value}")
            lines.append(f"  constraint: {_short(v.constraint, nm)}")
            lines.append(f"  shape:      {_short(v.shape, nm)}")
            if v.files:
                lines.append(f"  file:       {', '.join(v.files)}")
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


def _namespace_manager() -> rdflib.namespace.NamespaceManager:
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, ns in all_prefixes().items():
        graph.bind(prefix, ns)
    return graph.namespace_manager


def _short(iri: str, nm) -> str:
    try:
        return nm.normalizeUri(URIRef(iri)) if iri.startswith("http") else iri
    except Exception:  # normalizeUri rejects some IRIs; the full IRI is fine then
        return iri


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
            raise InputError(
                f"{path}: cannot parse turtle: {' '.join(str(exc).split())[:300]}"
            ) from exc
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


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    where: dict[str, set[str]] | None = None,
) -> Report:
    """Validate ``data`` against ``shapes`` with ``ontology`` mixed in."""
    import pyshacl  # heavy import, only when validating

    check_shape_targets(shapes, ontology)
    # The ontology is mixed into a copy of the data graph (concept schemes, subclass axioms), so
    # that class targets follow rdfs:subClassOf and concept-scheme checks see skos:inScheme.
    combined = rdflib.Graph()
    combined += data
    combined += ontology
    try:
        conforms, results, _ = pyshacl.validate(
            combined,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
        )
    except Exception as exc:  # pySHACL raises parse and constraint-load errors of many types
        raise InputError(f"the shapes cannot be used: {' '.join(str(exc).split())[:500]}") from exc
    if not isinstance(results, rdflib.Graph):  # pySHACL reports unusable shapes this way
        raise InputError(f"the shapes cannot be used: {' '.join(str(results).split())[:500]}")
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        violations.append(
            Violation(
                focus=str(focus),
                path=str(path)
                if isinstance(path, URIRef)
                else (str(path) if path is not None else None),
                message=str(message) if message is not None else "constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                constraint=str(results.value(result, SH.sourceConstraintComponent)),
                shape=str(results.value(result, SH.sourceShape)),
                value=str(value) if value is not None else None,
                files=sorted((where or {}).get(str(focus), ())),
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
    return validate_graph(data, shapes, ontology, where)
