"""SHACL validation compiled to SPARQL and run on pyoxigraph: the fast engine.

pySHACL (the reference, :mod:`lcgraph.validate`) checks every constraint once per focus node in
Python, and runs a SPARQL constraint as one rdflib query per focus node; on the synthetic graph of
a million triples (``bench/gen.py --scale L``) that takes hours. This engine compiles each
constraint of a shape into *one* SPARQL query over all the shape's focus nodes and lets
pyoxigraph (Rust) evaluate it: the target becomes a sub-select binding ``?this``, a property
shape's values a property path from ``?this``, and each constraint component a filter that keeps
the violating nodes. ``sh:node``, ``sh:or``, ``sh:xone``... on value nodes become nested
``EXISTS`` expressions. A SPARQL-based constraint keeps its own text, with the target pattern
put first in its ``WHERE`` group, which binds ``$this`` as pySHACL's pre-binding does.

It implements the part of SHACL that the project's shapes use, with pySHACL's reading of it
(:data:`NODE_TESTS`, :data:`PROPERTY_ONLY`, targets, SPARQL constraints and targets), and
refuses any other shape feature with :class:`UnsupportedShapes` rather than give a different
answer: ``lcgraph validate --engine auto`` then falls back to pySHACL. ``tests/test_validate_fast.py``
checks that both engines report the same (focus node, path, constraint component) results on the
seed data and on a fixture that breaks every shape.

Known differences, none of which the project's shapes reach: regular expressions run on Rust's
``regex`` crate, not Python's ``re`` (no look-around or back-references: such a pattern is
refused when the query is prepared); ``xsd:decimal`` well-formedness follows XSD (no exponent)
where rdflib's ``Decimal`` would also take ``1e5``.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from lcgraph.config import Settings
from lcgraph.errors import InputError
from lcgraph.rdfio import BaseRewriter, data_files
from lcgraph.store import outside_named_graph, rdf_format_of

__all__ = [
    "FastValidator",
    "UnsupportedShapes",
    "load_data_store",
    "path_sparql",
    "validate",
    "validate_project_fast",
    "validate_store",
]


class UnsupportedShapes(InputError):
    """The shapes use a SHACL feature that the fast engine does not implement."""

    def __init__(self, what: str):
        super().__init__(
            f"the fast validation engine does not support {what}; use --engine pyshacl"
        )


#: Prefixes that rdflib binds in every graph, and so every query pySHACL runs can use.
DEFAULT_PREFIXES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
}

#: Predicates of a shape that say nothing to validate (documentation, grouping).
IGNORED = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.isDefinedBy,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
SHAPE_META = {SH.message, SH.severity, SH.deactivated, SH.path, SH.property, SH.sparql, SH.prefixes}

#: Components that test one value node at a time; on a node shape the value node is the focus
#: node. Parameter -> constraint component.
NODE_TESTS = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
}
#: Components that look at all values of a path together.
PROPERTY_ONLY = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
}
PARAMETERS = {*NODE_TESTS, *PROPERTY_ONLY, SH.hasValue, SH.flags}

#: Lexical forms that rdflib (and so pySHACL's sh:datatype) accepts, for the datatypes whose
#: values rdflib checks; the others (xsd:gYear, xsd:anyURI...) match on the datatype IRI alone.
LEXICAL = {
    XSD.integer: r"^[+-]?[0-9]+$",
    XSD.decimal: r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.date: r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}
UNCHECKED_DATATYPES = {
    XSD.string,
    RDF.langString,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.anyURI,
    RDFS.Literal,
}

NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}

_THIS = re.compile(r"\$this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_MESSAGE_VAR = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


# --- Terms and paths ----------------------------------------------------------------------


def sparql_term(term) -> str:
    """An rdflib term written in SPARQL syntax.

    >>> sparql_term(URIRef("https://w3id.org/lcc/ontology#City"))
    '<https://w3id.org/lcc/ontology#City>'
    >>> sparql_term(Literal(0))
    '"0"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> sparql_term(Literal("Tokyo", lang="en"))
    '"Tokyo"@en'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^<{term.datatype}>"
        return text
    raise UnsupportedShapes(f"a blank node ({term}) as a constraint value")


def path_sparql(graph: rdflib.Graph, path) -> str:
    """A SHACL property path as a SPARQL property path (``<p>``, ``^<p>``, ``(<p>|<q>)``...).

    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:s sh:path [ sh:inversePath ex:p ] .
    ...     ex:t sh:path [ sh:alternativePath ( ex:p [ sh:zeroOrMorePath ex:q ] ) ] .''')
    >>> EX = rdflib.Namespace("http://example.org/")
    >>> path_sparql(g, g.value(EX.s, SH.path))
    '^<http://example.org/p>'
    >>> path_sparql(g, g.value(EX.t, SH.path))
    '(<http://example.org/p>|<http://example.org/q>*)'
    """
    from lcgraph.validate import path_expression

    def refuse(node):
        raise UnsupportedShapes(f"the property path {node!r}")

    return path_expression(graph, path, unknown=refuse)


def path_text(graph: rdflib.Graph, path) -> str | None:
    """A result's path as the reports write it: a bare IRI, else the SPARQL path text."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    return path_sparql(graph, path)


# --- Compiled checks ----------------------------------------------------------------------


@dataclass
class Check:
    """One SPARQL query that lists the violations of one constraint of one shape."""

    query: str
    shape: object  # the shape node that holds the constraint
    component: URIRef
    path: str | None
    messages: list[str]
    severity: str
    #: a SPARQL-based constraint: ?value / ?path come from the query, messages are templates
    sparql: bool = False
    node_shape: bool = True


@dataclass
class Result:
    focus: str
    path: str | None
    value: object  # a pyoxigraph term, or None
    component: str
    shape: object
    message: str
    severity: str


class Compiler:
    """Turns a shapes graph into :class:`Check` queries, refusing what it cannot translate."""

    def __init__(self, shapes: rdflib.Graph):
        self.g = shapes
        self.prefixes = dict(DEFAULT_PREFIXES)
        self._fresh = 0

    def var(self) -> str:
        self._fresh += 1
        return f"?_v{self._fresh}"

    # shapes ------------------------------------------------------------------------------
    def top_shapes(self) -> list:
        shapes = {s for p in TARGETS for s in self.g.subjects(p, None)}
        for s in self.g.subjects(RDF.type, SH.NodeShape):
            if (s, RDF.type, RDFS.Class) in self.g or (s, RDF.type, OWL.Class) in self.g:
                shapes.add(s)
        return sorted(shapes, key=str)

    def checks(self) -> list[Check]:
        out = []
        for shape in self.top_shapes():
            if self._deactivated(shape):
                continue
            target = self.target_pattern(shape)
            out.extend(self.shape_checks(shape, target))
        return out

    def _deactivated(self, shape) -> bool:
        value = self.g.value(shape, SH.deactivated)
        return value is not None and bool(getattr(value, "value", False))

    def _check_predicates(self, shape, allowed: set) -> None:
        for p in set(self.g.predicates(shape, None)):
            if p in IGNORED or p in allowed:
                continue
            if str(p).startswith(str(SH)) or p == OWL.imports:
                raise UnsupportedShapes(f"{p} (on shape {shape})")

    def severity(self, shape) -> str:
        value = self.g.value(shape, SH.severity)
        return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"

    def messages(self, node) -> list[str]:
        return sorted(str(m) for m in self.g.objects(node, SH.message))

    # targets -----------------------------------------------------------------------------
    def target_pattern(self, shape) -> str:
        parts = []
        classes = list(self.g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            classes.append(shape)
        for cls in classes:
            parts.append(f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(cls)} }}")
        for node in self.g.objects(shape, SH.targetNode):
            parts.append(f"{{ VALUES ?this {{ {sparql_term(node)} }} }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {sparql_term(p)} [] }}")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {sparql_term(p)} ?this }}")
        for target in self.g.objects(shape, SH.target):
            select = self.g.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in self.g or select is None:
                raise UnsupportedShapes(f"the target {target} of {shape} (only sh:SPARQLTarget)")
            self._check_predicates(target, {SH.select, SH.prefixes})
            self.collect_prefixes(target)
            parts.append(f"{{ {self._embeddable(str(select), target)} }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def _embeddable(self, select: str, where) -> str:
        if re.search(r"^\s*(PREFIX|BASE)\b", select, re.IGNORECASE | re.MULTILINE):
            raise UnsupportedShapes(f"PREFIX or BASE inside the SPARQL text of {where}")
        if re.search(r"\$(PATH|currentShape|shapesGraph)\b", select):
            raise UnsupportedShapes(f"pre-bound variables other than $this in {where}")
        return _THIS.sub("?this", select.strip())

    def collect_prefixes(self, node) -> None:
        for holder in self.g.objects(node, SH.prefixes):
            for declaration in self.g.objects(holder, SH.declare):
                prefix = str(self.g.value(declaration, SH.prefix))
                namespace = str(self.g.value(declaration, SH.namespace))
                if self.prefixes.get(prefix, namespace) != namespace:
                    raise UnsupportedShapes(f"the prefix {prefix}: declared with two namespaces")
                self.prefixes[prefix] = namespace

    # constraints of a shape --------------------------------------------------------------
    def shape_checks(self, shape, target: str) -> Iterator[Check]:
        path_node = self.g.value(shape, SH.path)
        if path_node is not None:
            yield from self.property_checks(shape, target, shape_is_top=True)
            return
        self._check_predicates(shape, TARGETS | SHAPE_META | PARAMETERS)
        severity, messages = self.severity(shape), self.messages(shape)
        for param, component in NODE_TESTS.items():
            for value in self.g.objects(shape, param):
                test = self.node_test(param, value, "?this", shape)
                yield Check(
                    f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!({test})) }}",
                    shape,
                    component,
                    None,
                    messages,
                    severity,
                )
        for value in self.g.objects(shape, SH.hasValue):
            yield Check(
                f"SELECT DISTINCT ?this WHERE {{ {target} FILTER(!sameTerm(?this, "
                f"{sparql_term(value)})) }}",
                shape,
                SH.HasValueConstraintComponent,
                None,
                messages,
                severity,
            )
        for prop in self.g.objects(shape, SH.property):
            if not self._deactivated(prop):
                yield from self.property_checks(prop, target)
        for constraint in self.g.objects(shape, SH.sparql):
            yield self.sparql_check(shape, constraint, target, severity)

    def property_checks(self, prop, target: str, shape_is_top: bool = False) -> Iterator[Check]:
        allowed = SHAPE_META | PARAMETERS | (TARGETS if shape_is_top else set())
        self._check_predicates(prop, allowed - {SH.property, SH.sparql})
        path_node = self.g.value(prop, SH.path)
        if path_node is None:
            raise UnsupportedShapes(f"a property shape without sh:path ({prop})")
        path = path_sparql(self.g, path_node)
        shown = path_text(self.g, path_node)
        severity, messages = self.severity(prop), self.messages(prop)

        def check(query: str, component) -> Check:
            return Check(query, prop, component, shown, messages, severity, node_shape=False)

        for param, component in NODE_TESTS.items():
            for value in self.g.objects(prop, param):
                test = self.node_test(param, value, "?value", prop)
                yield check(
                    f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                    f"FILTER(!({test})) }}",
                    component,
                )
        for value in self.g.objects(prop, SH.minCount):
            n = int(value)
            if n == 1:
                query = f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?x }} }}"
            elif n > 1:
                query = (
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?x }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?x) < {n})"
                )
            else:
                continue
            yield check(query, SH.MinCountConstraintComponent)
        for value in self.g.objects(prop, SH.maxCount):
            yield check(
                f"SELECT ?this WHERE {{ {target} ?this {path} ?x }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?x) > {int(value)})",
                SH.MaxCountConstraintComponent,
            )
        for value in self.g.objects(prop, SH.hasValue):
            yield check(
                f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?x . "
                f"FILTER(sameTerm(?x, {sparql_term(value)})) }} }}",
                SH.HasValueConstraintComponent,
            )
        for value in self.g.objects(prop, SH.uniqueLang):
            if getattr(value, "value", None) is True:
                # one result per focus node and repeated language tag, without a value (pySHACL)
                yield check(
                    f"SELECT DISTINCT ?this ?lang WHERE {{ {target} ?this {path} ?a . "
                    f"?this {path} ?b . FILTER(isLiteral(?a) && LANG(?a) != '' && "
                    "!sameTerm(?a, ?b) && LCASE(LANG(?a)) = LCASE(LANG(?b))) "
                    "BIND(LCASE(LANG(?a)) AS ?lang) }",
                    SH.UniqueLangConstraintComponent,
                )
        for other in self.g.objects(prop, SH.lessThanOrEquals):
            yield check(
                f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                f"?this {sparql_term(other)} ?o . FILTER(!COALESCE(?value <= ?o, false)) }}",
                SH.LessThanOrEqualsConstraintComponent,
            )

    def sparql_check(self, shape, constraint, target: str, severity: str) -> Check:
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapes(f"a SPARQL constraint without sh:select on {shape}")
        self._check_predicates(constraint, {SH.select, SH.prefixes, SH.message, SH.deactivated})
        self.collect_prefixes(constraint)
        text = self._embeddable(str(select), constraint)
        match = _WHERE.search(text) or re.search(r"\{", text)
        if match is None:
            raise UnsupportedShapes(f"the SPARQL text of {constraint}: no WHERE group")
        # the target first in the WHERE group: ?this is bound before the constraint's own
        # filters run, as pySHACL's pre-binding of $this does
        query = text[: match.end()] + f" {target} " + text[match.end() :]
        messages = self.messages(constraint) or self.messages(shape)
        return Check(query, shape, SH.SPARQLConstraintComponent, None, messages, severity, True)

    # value tests as SPARQL expressions ---------------------------------------------------
    def node_test(self, param, value, v: str, owner, depth: int = 0) -> str:
        """A SPARQL expression, true when the node in variable ``v`` passes the constraint."""
        if param == SH["class"]:
            return (
                f"(!isLiteral({v}) && EXISTS {{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* "
                f"{sparql_term(value)} }})"
            )
        if param == SH.datatype:
            return self.datatype_test(value, v)
        if param == SH.nodeKind:
            if value not in NODE_KINDS:
                raise UnsupportedShapes(f"sh:nodeKind {value}")
            return NODE_KINDS[value].format(v=v)
        if param == SH.pattern:
            flags = self.g.value(owner, SH.flags)
            return (
                f"(!isBlank({v}) && REGEX(STR({v}), {json.dumps(str(value), ensure_ascii=False)}"
                + (f", {json.dumps(str(flags))}" if flags is not None else "")
                + "))"
            )
        comparisons = {
            SH.minInclusive: ">=",
            SH.maxInclusive: "<=",
            SH.minExclusive: ">",
            SH.maxExclusive: "<",
        }
        if param in comparisons:
            return f"COALESCE({v} {comparisons[param]} {sparql_term(value)}, false)"
        if param in (SH.minLength, SH.maxLength):
            op = ">=" if param == SH.minLength else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {int(value)})"
        if param == SH.languageIn:
            langs = [str(x).lower() for x in Collection(self.g, value)]
            if "*" in langs:
                return f"(isLiteral({v}) && LANG({v}) != '')"
            listed = ", ".join(json.dumps(x) for x in langs)
            return (
                f"(isLiteral({v}) && LANG({v}) != '' && (LCASE(LANG({v})) IN ({listed}) || "
                f"LCASE(STRBEFORE(CONCAT(LANG({v}), '-'), '-')) IN ({listed})))"
            )
        if param == SH["in"]:
            members = [f"sameTerm({v}, {sparql_term(x)})" for x in Collection(self.g, value)]
            return "(" + (" || ".join(members) or "false") + ")"
        if param == SH.node:
            return self.conforms(value, v, depth + 1)
        if param in (SH["or"], SH["and"], SH.xone):
            tests = [self.conforms(s, v, depth + 1) for s in Collection(self.g, value)]
            if param == SH["or"]:
                return "(" + (" || ".join(tests) or "false") + ")"
            if param == SH["and"]:
                return "(" + (" && ".join(tests) or "true") + ")"
            return "((" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") = 1)"
        if param == SH["not"]:
            return f"(!{self.conforms(value, v, depth + 1)})"
        raise UnsupportedShapes(f"{param}")

    def datatype_test(self, datatype, v: str) -> str:
        if datatype == RDF.langString:
            return f"(isLiteral({v}) && LANG({v}) != '')"
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == XSD.string:
            return f"(isLiteral({v}) && LANG({v}) = '' && DATATYPE({v}) = <{XSD.string}>)"
        base = f"isLiteral({v}) && DATATYPE({v}) = {sparql_term(datatype)}"
        if datatype in LEXICAL:
            test = f"({base} && REGEX(STR({v}), {json.dumps(LEXICAL[datatype])})"
            if datatype == XSD.date:  # a real month and day, as rdflib's date parser wants
                test += f" && COALESCE(xsd:date(STR({v})) = xsd:date(STR({v})), false)"
            return test + ")"
        if datatype in UNCHECKED_DATATYPES:
            return f"({base})"
        raise UnsupportedShapes(f"sh:datatype {datatype} (its lexical check is not implemented)")

    def conforms(self, shape, v: str, depth: int) -> str:
        """A SPARQL expression, true when the node in ``v`` conforms to ``shape``."""
        if depth > 8:
            raise UnsupportedShapes(f"shapes nested deeper than 8 levels (at {shape})")
        if self._deactivated(shape):
            return "true"
        self._check_predicates(shape, SHAPE_META | PARAMETERS)
        if self.g.value(shape, SH.sparql) is not None:
            raise UnsupportedShapes(f"a SPARQL constraint in a nested shape ({shape})")
        tests = []
        path_node = self.g.value(shape, SH.path)
        if path_node is not None:
            tests.extend(self.property_conforms(shape, v, depth))
        else:
            for param in NODE_TESTS:
                for value in self.g.objects(shape, param):
                    tests.append(self.node_test(param, value, v, shape, depth))
            for value in self.g.objects(shape, SH.hasValue):
                tests.append(f"sameTerm({v}, {sparql_term(value)})")
            for prop in self.g.objects(shape, SH.property):
                if not self._deactivated(prop):
                    tests.extend(self.property_conforms(prop, v, depth))
        return "(" + (" && ".join(tests) or "true") + ")"

    def property_conforms(self, prop, v: str, depth: int) -> list[str]:
        self._check_predicates(prop, (SHAPE_META | PARAMETERS) - {SH.property, SH.sparql})
        path = path_sparql(self.g, self.g.value(prop, SH.path))
        tests = []
        for param in NODE_TESTS:
            for value in self.g.objects(prop, param):
                x = self.var()
                test = self.node_test(param, value, x, prop, depth)
                tests.append(f"NOT EXISTS {{ {v} {path} {x} . FILTER(!({test})) }}")
        for value in self.g.objects(prop, SH.minCount):
            n = int(value)
            if n > 1:
                raise UnsupportedShapes(f"sh:minCount {n} in a nested shape ({prop})")
            if n == 1:
                tests.append(f"EXISTS {{ {v} {path} {self.var()} }}")
        for value in self.g.objects(prop, SH.maxCount):
            n = int(value)
            a, b = self.var(), self.var()
            if n == 0:
                tests.append(f"NOT EXISTS {{ {v} {path} {a} }}")
            elif n == 1:
                tests.append(
                    f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} . FILTER(!sameTerm({a}, {b})) }}"
                )
            else:
                raise UnsupportedShapes(f"sh:maxCount {n} in a nested shape ({prop})")
        for value in self.g.objects(prop, SH.hasValue):
            x = self.var()
            tests.append(
                f"EXISTS {{ {v} {path} {x} . FILTER(sameTerm({x}, {sparql_term(value)})) }}"
            )
        for value in self.g.objects(prop, SH.uniqueLang):
            if getattr(value, "value", None) is True:
                a, b = self.var(), self.var()
                tests.append(
                    f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} . FILTER(isLiteral({a}) && "
                    f"LANG({a}) != '' && !sameTerm({a}, {b}) && LCASE(LANG({a})) = LCASE(LANG({b}))) }}"
                )
        for other in self.g.objects(prop, SH.lessThanOrEquals):
            a, b = self.var(), self.var()
            tests.append(
                f"NOT EXISTS {{ {v} {path} {a} . {v} {sparql_term(other)} {b} . "
                f"FILTER(!COALESCE({a} <= {b}, false)) }}"
            )
        return tests

    def prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))


# --- Running ------------------------------------------------------------------------------


def _value(term) -> str:
    return term.value if not isinstance(term, ox.BlankNode) else f"_:{term.value}"


def _default_message(check: Check) -> str:
    name = str(check.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    where = f" on {check.path}" if check.path else ""
    return f"{name} constraint violated{where}"


class FastValidator:
    """Compiled shapes, ready to run on any pyoxigraph store (its default graph is the data)."""

    def __init__(self, shapes: rdflib.Graph):
        self.shapes = shapes
        compiler = Compiler(shapes)
        self.checks = compiler.checks()
        self.prologue = compiler.prologue()
        self.seconds: dict[str, float] = {}

    def run(self, store: ox.Store) -> list[Result]:
        results: dict[tuple, Result] = {}
        for check in self.checks:
            start = time.perf_counter()
            try:
                solutions = store.query(self.prologue + check.query)
            except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
                raise UnsupportedShapes(
                    f"the query for {check.component} on {check.shape} failed: {exc}"
                ) from exc
            variables = [v.value for v in solutions.variables]
            for row in solutions:
                bound = {name: row[name] for name in variables if row[name] is not None}
                result = self._result(check, bound)
                key = (
                    result.focus,
                    result.path,
                    None if result.value is None else _value(result.value),
                    result.component,
                    str(result.shape),
                    tuple(sorted((k, _value(t)) for k, t in bound.items())),
                )
                results.setdefault(key, result)
            key = f"{check.shape} {check.component}"
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - start
        return list(results.values())

    def _result(self, check: Check, bound: dict) -> Result:
        focus = _value(bound["this"])
        value = None
        path = check.path
        message = check.messages[0] if check.messages else _default_message(check)
        if check.sparql:
            value = bound.get("value", bound["this"])
            if "path" in bound:
                path = _value(bound["path"])

            def fill(match: re.Match) -> str:
                term = bound.get(match.group(1))
                return _value(term) if term is not None else match.group(0)

            message = _MESSAGE_VAR.sub(fill, message)
        elif "value" in bound:
            value = bound["value"]
        elif check.node_shape:
            value = bound["this"]
        return Result(
            focus, path, value, str(check.component), check.shape, message, check.severity
        )


# --- Loading and the project's entry point -------------------------------------------------

_BATCH = 200_000


def _triples(path: Path, rewriter: BaseRewriter, where: dict, name: str) -> Iterator[ox.Quad]:
    fmt = rdf_format_of(path)
    trig = fmt == ox.RdfFormat.TRIG
    last = None
    try:
        # blank node labels are scoped to their file, as the build reads them
        for quad in ox.parse(path=path, format=fmt, rename_blank_nodes=True):
            if trig and isinstance(quad.graph_name, ox.DefaultGraph):
                raise outside_named_graph(path, quad)
            s, p, o = quad.subject, quad.predicate, quad.object
            if rewriter.active:
                s, p, o = (
                    ox.NamedNode(rewriter.iri(t.value)) if isinstance(t, ox.NamedNode) else t
                    for t in (s, p, o)
                )
            if s != last:  # quads come grouped by subject: record each run once
                where.setdefault(_value(s), set()).add(name)
                last = s
            yield ox.Quad(s, p, o)
    except SyntaxError as exc:
        raise InputError(f"{path}: {' '.join(str(exc).split())}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def load_data_store(
    settings: Settings, paths: Iterable[Path] | None = None
) -> tuple[ox.Store, dict[str, set[str]]]:
    """The data files and the ontology in the default graph of an in-memory store.

    Returns the store and, for each subject, the data files that describe it. Quads are added
    in batches so that memory stays bounded by the store, not by a list of every quad.
    """
    from lcgraph.validate import _display_path

    paths = data_files(settings) if paths is None else [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    rewriter = BaseRewriter(settings.base)
    store = ox.Store()
    where: dict[str, set[str]] = {}
    sources = [(settings.ontology_path, None)] + [(p, _display_path(p, settings)) for p in paths]
    for path, name in sources:
        batch: list[ox.Quad] = []
        ignore: dict[str, set[str]] = {}
        for quad in _triples(path, rewriter, where if name else ignore, name or ""):
            batch.append(quad)
            if len(batch) >= _BATCH:
                store.bulk_extend(batch)
                batch = []
        store.bulk_extend(batch)
    return store, where


def _rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    # an ill-typed value (the very thing a report shows) makes rdflib log a traceback
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.CRITICAL)
    try:
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    finally:
        rdflib_log.setLevel(level)


def validate_store(store: ox.Store, shapes: rdflib.Graph, where: dict | None = None):
    """Validate the default graph of ``store`` against ``shapes``; return a :class:`Report`."""
    from lcgraph.validate import Report, Violation, shape_name

    results = FastValidator(shapes).run(store)
    violations = []
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    report_node = BNode()
    graph.add((report_node, RDF.type, SH.ValidationReport))
    for r in results:
        violations.append(
            Violation(
                focus=r.focus,
                path=r.path,
                message=r.message,
                severity=r.severity,
                constraint=r.component,
                shape=shape_name(shapes, r.shape),
                value=None if r.value is None else _value(r.value),
                files=sorted((where or {}).get(r.focus, ())),
            )
        )
        # the same results as a SHACL validation report, for --format turtle
        node = BNode()
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add(
            (
                node,
                SH.focusNode,
                URIRef(r.focus) if not r.focus.startswith("_:") else BNode(r.focus[2:]),
            )
        )
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
        graph.add((node, SH.sourceShape, r.shape))
        graph.add((node, SH.resultMessage, Literal(r.message)))
        if r.path and not r.path.startswith(("^", "(", "<")):
            graph.add((node, SH.resultPath, URIRef(r.path)))
        if r.value is not None:
            graph.add((node, SH.value, _rdflib_term(r.value)))
    violations.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    conforms = not any(v.severity == "Violation" for v in violations)
    graph.add((report_node, SH.conforms, Literal(conforms)))
    return Report(conforms=conforms, violations=violations, results=graph)


def validate_project_fast(settings: Settings, data_paths: Iterable[Path] | None = None):
    """Validate the project's data files (or the given ones) with the fast engine."""
    from lcgraph.validate import check_shape_targets, load_ontology, load_shapes

    shapes = load_shapes(settings)
    check_shape_targets(shapes, load_ontology(settings))
    FastValidator(shapes)  # refuse unsupported shapes before the data is loaded
    store, where = load_data_store(settings, data_paths)
    return validate_store(store, shapes, where)


#: ``--engine auto`` takes the fast engine above this much data (bytes of data files): below
#: it pySHACL, the reference, answers in seconds.
AUTO_FAST_BYTES = 2_000_000

ENGINES = ("auto", "pyshacl", "fast")


def choose_engine(settings: Settings, data_paths: Iterable[Path] | None, engine: str) -> str:
    """The engine ``auto`` stands for: ``fast`` for large data, else ``pyshacl``."""
    if engine != "auto":
        return engine
    paths = data_files(settings) if data_paths is None else [Path(p) for p in data_paths]
    size = sum(p.stat().st_size for p in paths if p.is_file())
    return "fast" if size > AUTO_FAST_BYTES else "pyshacl"


def validate(settings: Settings, data_paths: Iterable[Path] | None = None, engine: str = "auto"):
    """Validate with the chosen engine (``auto``, ``pyshacl`` or ``fast``); return a Report.

    ``auto`` falls back to pySHACL when the shapes use a feature the fast engine refuses.
    """
    from lcgraph.validate import validate_project

    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (one of {', '.join(ENGINES)})")
    data_paths = None if data_paths is None else list(data_paths)
    chosen = choose_engine(settings, data_paths, engine)
    if chosen == "fast":
        try:
            return validate_project_fast(settings, data_paths)
        except UnsupportedShapes:
            if engine == "fast":
                raise
    return validate_project(settings, data_paths)
