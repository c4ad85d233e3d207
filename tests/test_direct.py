"""The in-process path for lookups of bounded cost (lcgraph.web.direct).

What it accepts is a strict subset of SPARQL whose work is bounded by the product of the
patterns' match counts; everything else goes to the worker pool, where the deadline applies.
The server-level behaviour (answers, counters, the pool still stopping what it refuses) is in
test_server_process.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcgraph.sparql_text import inspect_query
from lcgraph.web.direct import MAX_PATTERNS, RDF_TYPE, DirectPath, bounded, shape
from lcgraph.web.worker import Task, execute

EX = "http://ex.org/"
P = f"PREFIX ex: <{EX}> "


def patterns(text: str):
    return shape(inspect_query(text).tokens)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (P + "SELECT ?o WHERE { ex:a ex:p ?o }", [(EX + "a", EX + "p")]),
        (f"ASK {{ <{EX}a> ?p ?o }}", [(EX + "a", None)]),
        (
            P + "select * { ex:a a ?t ; ex:p ?x , ?y ; }",
            [(EX + "a", RDF_TYPE), (EX + "a", EX + "p"), (EX + "a", EX + "p")],
        ),
        (
            P
            + "SELECT ?l ?c { ex:a ex:label ?l . OPTIONAL { ex:a ex:c ?c } OPTIONAL { { ex:b ex:d ?c } } }",
            [(EX + "a", EX + "label"), (EX + "a", EX + "c"), (EX + "b", EX + "d")],
        ),
        (
            P
            + 'SELECT * { ex:a ex:p "x"@en-GB, "1"^^<http://www.w3.org/2001/XMLSchema#int>, 3, 2.5, true, ex:o. }',
            [(EX + "a", EX + "p")] * 6,
        ),
        (
            P + "PREFIX : <http://e2.org/> SELECT DISTINCT ?o { :s ex:p?o } LIMIT 5 OFFSET 2",
            [("http://e2.org/s", EX + "p")],
        ),
        (P + "# a comment\nSELECT ?o { ex:a ex:p ?o } # }} more", [(EX + "a", EX + "p")]),
        ("ASK {}", []),
    ],
)
def test_accepted_lookups_and_their_patterns(text, expected):
    assert patterns(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { ?s ?p ?o }",  # a variable subject
        P + "SELECT * { _:b ex:p ?o }",  # a blank node
        P + "SELECT * { [] ex:p ?o }",
        P + "SELECT * { ex:a ex:p [ ex:q ?o ] }",
        P + "SELECT * { ex:a ex:p ( 1 2 ) }",
        P + "SELECT * { ex:a ex:p ?o FILTER(?o > 1) }",
        P + "SELECT * { ex:a ex:p ?o BIND(1 AS ?x) }",
        P + "SELECT * { VALUES ?o { 1 } ex:a ex:p ?o }",
        P + "SELECT * { { ex:a ex:p ?o } UNION { ex:b ex:p ?o } }",
        P + "SELECT * { ex:a ex:p ?o MINUS { ex:b ex:p ?o } }",
        P + "SELECT * { GRAPH ?g { ex:a ex:p ?o } }",
        P + "SELECT * { SERVICE <http://127.0.0.1:9/> { ex:a ex:p ?o } }",
        P + "SELECT * { { SELECT ?o { ex:a ex:p ?o } } }",
        P + "SELECT * { ex:a ex:p/ex:q ?o }",
        P + "SELECT * { ex:a ex:p|ex:q ?o }",
        P + "SELECT * { ex:a ^ex:p ?o }",
        P + "SELECT * { ex:a ex:p* ?o }",
        P + "SELECT * { ex:a ex:p+ ?o }",
        P + "SELECT * { ex:a ex:p? ?o }",
        P + "SELECT * { ex:a !ex:p ?o }",
        P + "SELECT * { ex:a ex:p ?o } ORDER BY ?o",
        P + "SELECT ?o { ex:a ex:p ?o } GROUP BY ?o",
        P + "SELECT (COUNT(*) AS ?n) { ex:a ex:p ?o }",
        P + "SELECT * FROM <http://ex.org/g> { ex:a ex:p ?o }",
        "BASE <http://ex.org/> SELECT * { <a> <p> ?o }",
        "SELECT * { <a> <http://ex.org/p> ?o }",  # a relative IRI
        "SELECT * { ex:a ex:p ?o }",  # an undeclared prefix
        P + P + "SELECT * { ex:a ex:p ?o }",  # a prefix declared twice
        P + "CONSTRUCT { ex:a ex:p ?o } WHERE { ex:a ex:p ?o }",
        P + "DESCRIBE ex:a",
        P + "SELECT * { ex:a ex:p ?o } LIMIT 1 LIMIT 2",
        P + "SELECT * { ex:a ex:p ?o } VALUES ?o { 1 }",
        P + "SELECT * { ex:a ex:p ?o ex:b ex:q ?x }",  # two triples without a dot
        P + "SELECT * { ex:a ex:p -1 }",
        P + "SELECT * { ex:a ex:p 1e3 }",
        P + "SELECT * { ex:a ex:p ?o }}",
        P + "SELECT * " + "{" * 10 + " ex:a ex:p ?o " + "}" * 10,
        P + "SELECT * {" + " ex:a ex:p ?o ." * (MAX_PATTERNS + 1) + "}",
        P + "SELECT * { <<ex:a ex:p ex:o>> ex:q ?o }",
        # dotted local names: pyoxigraph splits ex:o.b.REST after ex:o.b, where the lexer reads
        # one name (REST could be blank-node triples, a cross product, or a SERVICE clause)
        P + "SELECT DISTINCT ?o { ex:hub ex:q ?o , ex:o.b._:b0:-5._:b1:-5._:b2:-5 }",
        P
        + "PREFIX : <http://127.0.0.1:9/sparql> SELECT * { ex:a ex:q ex:o.b.SERVICE: { ex:a ex:p ?z } }",
        P + "SELECT * { ex:a ex:p ex:o.b }",
        "PREFIX e.x: <http://ex.org/> SELECT * { e.x:a e.x:p ?o }",
        P + "SELECT * { ex:a ex:p ex:%zz }",
        P + "SELECT * { ex:a ex:p ?o } OFFSET \u0663",  # an Arabic-Indic digit
        P + 'SELECT * { ex:a ex:p "\\u0031" }',  # an escape
        P + "SELECT * { ex:a\\.b ex:p ?o }",
    ],
)
def test_everything_else_goes_to_the_pool(text):
    assert patterns(text) is None


def _store(degree: int) -> ox.Store:
    """ex:hub has ``degree`` ex:p values and one ex:q; ex:leaf has one ex:p; the default
    graph holds the union (as lcgraph's stores do)."""
    store = ox.Store()
    hub, leaf = ox.NamedNode(EX + "hub"), ox.NamedNode(EX + "leaf")
    p, q = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    g = ox.NamedNode(EX + "graph")
    for graph in (g, ox.DefaultGraph()):
        for i in range(degree):
            store.add(ox.Quad(hub, p, ox.Literal(str(i)), graph))
        store.add(ox.Quad(hub, q, leaf, graph))
        store.add(ox.Quad(leaf, p, ox.Literal("x"), graph))
    return store


def test_bounded_multiplies_the_counts_and_stops_at_the_budget():
    store = _store(20)
    hub_p, hub_q, leaf_p = (EX + "hub", EX + "p"), (EX + "hub", EX + "q"), (EX + "leaf", EX + "p")
    # counted in the default graph, which holds the union: exact
    assert bounded(store, [hub_p], 20, True) and not bounded(store, [hub_p], 19, True)
    assert bounded(store, [hub_p, hub_q, leaf_p], 20, True)
    # an empty pattern counts as 1: the engine may still enumerate the others first
    assert bounded(store, [hub_p, (EX + "hub", EX + "none")], 20, True)
    assert bounded(store, [hub_p, hub_p], 400, True) and not bounded(
        store, [hub_p, hub_p], 399, True
    )
    assert bounded(store, [(EX + "hub", None)], 21, True)  # a variable predicate: every triple
    assert not bounded(store, [(EX + "hub", None)], 20, True)
    # in every graph (a store that does not materialise the union): an upper bound
    assert bounded(store, [hub_p, hub_q], 80, False) and not bounded(store, [hub_p], 39, False)


def test_counts_are_kept_until_the_store_changes():
    store = _store(3)
    direct = DirectPath(store, budget=9)
    q = P + "SELECT * { ex:hub ex:p ?a . ex:hub ex:p ?b }"
    task = Task(q)
    assert direct.answer(task, inspect_query(q)) is not None  # 3 × 3 = 9
    hub, p = ox.NamedNode(EX + "hub"), ox.NamedNode(EX + "p")
    store.add(ox.Quad(hub, p, ox.Literal("new"), ox.DefaultGraph()))
    direct.changed()
    assert direct.answer(task, inspect_query(q)) is None  # 4 × 4 = 16
    assert direct.stats() == {"budget": 9, "answered": 1, "passed_on": 1}


def test_answers_are_the_workers_answers():
    store = _store(5)
    direct = DirectPath(store)
    q = P + "SELECT ?v ?o WHERE { ex:hub ex:p ?v . OPTIONAL { ex:hub ex:q ?o } } LIMIT 3"
    for media in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        task = Task(q, results_type=media, max_rows=2)
        reply = direct.answer(task, inspect_query(q))
        assert reply == execute(store, task)
        assert reply.truncated and reply.rows == 2  # the row cap applies here too


@pytest.mark.parametrize(
    "task",
    [
        Task(P + "ASK { ex:hub ex:p ?o }", default_graphs=(EX + "graph",)),
        Task(P + "ASK { ex:hub ex:p ?o }", named_graphs=(EX + "graph",)),
        Task(P + 'ASK { ex:hub ex:p "\\u0031" }'),  # escapes: the engine reads them, we do not
    ],
)
def test_requests_naming_a_dataset_or_with_escapes_go_to_the_pool(task):
    direct = DirectPath(_store(2))
    assert direct.answer(task, inspect_query(task.query)) is None


@pytest.mark.parametrize(
    "text",
    ["ASK { <http://[::1> ?p ?o }", P + "ASK { ex:%zz ex:p ?o }", "ASK { <a:%zz> <a:p> ?o }"],
)
def test_iris_the_engine_refuses_go_to_the_pool(text):
    """The lexer's IRI is wider than an IRI pyoxigraph accepts: the worker reports the error."""
    direct = DirectPath(_store(1))
    assert direct.answer(Task(text), inspect_query(text)) is None
    with pytest.raises((ValueError, SyntaxError)):
        ox.Store().query(text)


def test_a_budget_of_zero_sends_everything_to_the_pool():
    direct = DirectPath(_store(1), budget=0)
    assert direct.answer(Task("ASK {}"), inspect_query("ASK {}")) is None


def _product(store: ox.Store, found) -> int:
    """The bound, counted here independently: every match of each pattern in the default graph
    (which holds the union), each count at least 1."""
    product = 1
    for subject, predicate in found:
        n = sum(
            1
            for _ in store.quads_for_pattern(
                ox.NamedNode(subject),
                ox.NamedNode(predicate) if predicate else None,
                None,
                ox.DefaultGraph(),
            )
        )
        product *= max(1, n)
    return product


_TERMS = st.sampled_from(["ex:hub", "ex:leaf", "ex:none"])
_PREDICATES = st.sampled_from(["ex:p", "ex:q", "?p1", "?p2", "a"])
_OBJECTS = st.sampled_from(["?a", "?b", "?c", "ex:leaf", '"x"', "3"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(_TERMS, _PREDICATES, _OBJECTS, st.booleans()), min_size=1, max_size=4),
    st.booleans(),
)
def test_the_bound_holds_for_any_accepted_query(triples, distinct):
    """The soundness of the bound: no answer has more rows than the product of the counts."""
    store = _store(6)
    body = " ".join(
        f"OPTIONAL {{ {s} {p} {o} }}" if optional else f"{s} {p} {o} ."
        for s, p, o, optional in triples
    )
    q = P + f"SELECT {'DISTINCT ' if distinct else ''}* WHERE {{ {body} }}"
    found = patterns(q)
    assert found is not None, q
    product = _product(store, found)
    rows = len(list(store.query(q)))
    assert rows <= product
    assert bounded(store, found, product, True)
    if product > 1:
        assert not bounded(store, found, product - 1, True)


def test_an_engine_failure_passes_the_query_to_the_pool(monkeypatch):
    """A panic in the engine (pyo3 raises it as a BaseException) must not become a 500: the
    worker pool answers or reports it."""
    import lcgraph.web.direct as direct_mod

    class Panic(BaseException):
        pass

    def boom(*args, **kwargs):
        raise Panic

    monkeypatch.setattr(direct_mod, "execute", boom)
    direct = DirectPath(_store(1))
    assert direct.answer(Task("ASK {}"), inspect_query("ASK {}")) is None
    assert direct.stats()["passed_on"] == 1 and direct.stats()["answered"] == 0


_FRAGMENTS = [
    "SELECT", "ASK", "DISTINCT", "*", "?a", "?b", "$c", "?", "WHERE", "{", "}", ".", ";", ",",
    "ex:hub", "ex:leaf", "ex:p", "ex:q", "a", f"<{EX}hub>", f"<{EX}p>", "OPTIONAL", "LIMIT",
    "OFFSET", "5", "1.5", '"x"', "'y'", '"""z"""', "@en", "^^", "ex:dt", "true", "#c\n", "/",
    "|", "^", "+", "!", "(", ")", "[", "]", "_:b", "FILTER", "UNION", "GRAPH", "VALUES",
    "ex:", ":", "ex:hub.", "ex:p.", "<<", ">>", "-", "ex:a:b", "?a.", "ORDER", "BY", "{}",
]  # fmt: skip


_TRIPLES = st.lists(
    st.tuples(_TERMS, _PREDICATES, _OBJECTS, st.sampled_from([".", ".", ".", ";", ""])),
    min_size=1,
    max_size=4,
).map(lambda ts: [part for t in ts for part in t if part])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["SELECT * ", "ASK ", "SELECT ?a ", "SELECT DISTINCT ?a "]),
    _TRIPLES,
    st.lists(st.tuples(st.integers(0, 20), st.sampled_from(_FRAGMENTS)), max_size=2),
)
def test_token_soup_is_refused_or_bounded(head, triples, insertions):
    """Whatever the tokens, an accepted text parses as the engine parses it (or is the engine's
    syntax error, answered by a worker), never yields more rows than the bound, and never
    makes the in-process path raise."""
    store = _store(6)
    fragments = list(triples)  # valid triples with a few fragments slipped in
    for at, fragment in insertions:
        fragments.insert(min(at, len(fragments)), fragment)
    q = P + head + "{ " + " ".join(fragments) + " }"
    info = inspect_query(q)
    found = shape(info.tokens)
    if found is None:
        return
    DirectPath(store).answer(Task(q), info)  # a Reply or None, never an exception
    try:
        result = store.query(q)
    except SyntaxError:
        return
    rows = 1 if isinstance(result, ox.QueryBoolean) else len(list(result))
    product = _product(store, found)
    assert rows <= product, q
