"""What the engine cross-checks compare: (focus node, path, constraint component) of each result."""

from __future__ import annotations

from rdflib.namespace import RDF, SH

from lcgraph.validate_fast import path_text


def reference_keys(report) -> set[tuple]:
    """The keys of a pySHACL report, read from its results graph.

    The results graph, not the Violation rows, so that a complex path (``^lcc:hasTarget``, a
    blank node there) reads as the SPARQL path text the fast engine writes, whichever version
    of ``lcgraph.validate`` made the rows. Nested results (``sh:detail``) are left out, as the
    rows leave them out.
    """
    g = report.results
    nested = set(g.objects(None, SH.detail))
    keys = set()
    for result in g.subjects(RDF.type, SH.ValidationResult):
        if result in nested:
            continue
        keys.add(
            (
                str(g.value(result, SH.focusNode)),
                path_text(g, g.value(result, SH.resultPath)),
                str(g.value(result, SH.sourceConstraintComponent)),
            )
        )
    return keys


def fast_keys(report) -> set[tuple]:
    return {(v.focus, v.path, v.constraint) for v in report.violations}
