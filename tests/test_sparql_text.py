"""The lexer that guards the endpoint: depth, form, SERVICE, dataset clauses."""

from __future__ import annotations

import pytest

from lcgraph.errors import InputError
from lcgraph.sparql_text import ReadOnlyError, check_query, inspect_query


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("prefix ex: <http://ex/> ask { ex:a ?p ?o }", "ASK"),
        ("BASE <http://ex/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# SELECT\nDESCRIBE <http://ex/a>", "DESCRIBE"),
        ("PREFIX select: <http://ex/> INSERT DATA { select:a select:b select:c }", "INSERT"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("", None),
    ],
)
def test_form_is_the_first_keyword_outside_strings_and_iris(text, form):
    assert inspect_query(text).form == form


def test_depth_counts_groups_brackets_and_parentheses_but_not_strings():
    assert inspect_query("SELECT * { { ?s ?p [ ?q ( 1 2 ) ] } }").depth == 4
    assert inspect_query('SELECT * { ?s ?p "{{{{((((" }').depth == 1
    assert inspect_query("SELECT * { ?s ?p '''{{\n{{''' } # {{{{").depth == 1
    assert (
        inspect_query("SELECT * { ?s ?p <http://ex/{> }").depth == 2
    )  # not an IRI: '{' is not allowed in one


def test_depth_limit_refuses_before_the_engine_sees_the_text():
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    with pytest.raises(InputError, match="deeper than 200"):
        check_query(deep, max_depth=200)
    check_query("SELECT * WHERE " + "{" * 200 + "}" * 200, max_depth=200)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "select * { service silent <http://evil.example/sparql> { ?s ?p ?o } }",
        "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "BASE <http://evil.example/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <\\u0068ttp://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { FILTER(1 < 2) SERVICE <http://evil.example/> { } FILTER(2 > 1) }",
        "SELECT * { SERVICE#comment\n<http://evil.example/> { } }",
        "SELECT * { SERVICE",
        # names pyoxigraph's parser reads as a SERVICE clause (keywords without a word
        # boundary; a local part ends at its second group of dots)
        "PREFIX : <http://evil.example/> SELECT * { SERVICE:x { ?s ?p ?o } }",
        "PREFIX ex: <http://evil.example/> SELECT * { SERVICEex:y { ?s ?p ?o } }",
        "PREFIX : <http://evil.example/> SELECT * { service: { ?s ?p ?o } }",
        "PREFIX ex: <http://ex/> PREFIX : <http://evil.example/> "
        "SELECT * { ex:a ex:q ex:o.b.SERVICE: { ?s ?p ?o } }",
        "PREFIX ex: <http://ex/> SELECT * { ex:a ex:q ex:o.b.service <http://evil.example/> { } }",
        "PREFIX ex: <http://ex/> SELECT * { ex:a ex:q ex:o.b.SERVICE SILENT ?e { } }",
    ],
)
def test_service_is_refused_unless_allowed(text):
    with pytest.raises(InputError, match="SERVICE"):
        check_query(text, max_depth=100)


def test_allowlisted_service_passes_and_others_still_fail():
    allowed = ("http://partner.example/sparql",)
    check_query(
        "SELECT * { SERVICE <http://partner.example/sparql> { ?s ?p ?o } }",
        max_depth=100,
        service_allowlist=allowed,
    )
    check_query(
        "SELECT * { SERVICE <\\u0068ttp://partner.example/sparql> { } }",
        max_depth=100,
        service_allowlist=allowed,
    )
    with pytest.raises(InputError):
        check_query(
            "SELECT * { SERVICE <http://partner.example/sparql2> { } }",
            max_depth=100,
            service_allowlist=allowed,
        )


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { BIND("SERVICE <http://x/>" AS ?x) }',
        "SELECT * { ?s <http://ex/SERVICE> ?o } # SERVICE <http://x/>",
        "PREFIX service: <http://ex/> SELECT ?service { service:a ?p ?service }",
        "SELECT * { ?s ?p 'SERVICE' }",
    ],
)
def test_the_word_service_in_strings_iris_names_and_comments_is_not_a_clause(text):
    assert inspect_query(text).services == ()


def test_updates_are_read_only_errors():
    with pytest.raises(ReadOnlyError) as info:
        check_query("PREFIX ex: <http://ex/> DELETE WHERE { ?s ?p ?o }", max_depth=10)
    assert info.value.http_status == 403


def test_dataset_clause_is_seen_only_at_top_level():
    assert inspect_query("SELECT * FROM <http://g> { ?s ?p ?o }").has_dataset
    assert inspect_query("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }").has_dataset
    assert not inspect_query('SELECT * { ?s ?p "FROM" }').has_dataset
