"""Parameter binding: whatever a user passes is bound as one RDF term, or refused; never syntax.

Property-based (hypothesis): any string comes back from the engine exactly as it went in (after
the NFC normalisation the runner applies), in exactly one row, so no value can close the
literal, open a group or add a UNION. Any text given for an IRI parameter is either refused
with InputError or bound as one well-formed IRI. Run on the embedded store (a VALUES block in
the text) and on rdflib (initBindings); tests/test_queries_engines.py runs the same property
against a real Oxigraph server.
"""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lcgraph.errors import InputError
from lcgraph.queries import bind, bound_text, get_query, run, values_block
from lcgraph.sparql import iri_term, literal_term

#: what SPARQL cares about, mixed with any other character
SPARQL_SIGNIFICANT = [*"\"'\\{}#<>?$\n\r\t.;,()^@ _:", "UNION", "SELECT", "\\u0022", "'''"]
#: any text that is valid Unicode (lone surrogates are refused: test_cli_refuses_bytes_that_are_not_utf8)
TEXT = st.lists(
    st.sampled_from(SPARQL_SIGNIFICANT) | st.characters(codec="utf-8"), max_size=60
).map("".join)


@pytest.fixture(scope="module")
def empty_store():
    return ox.Store()


def echo_rows(echo, settings, engine, store, **params):
    result = run(echo, settings=settings, engine=engine, store=store, params=params)
    return result.rows


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@hsettings(max_examples=150, deadline=None)
@given(text=TEXT.filter(bool))  # an empty value means "not given"
def test_any_string_is_one_literal(engine, text, echo, settings, empty_store):
    rows = echo_rows(echo, settings, engine, empty_store, text=text)
    expected = unicodedata.normalize("NFC", text)
    assert rows == [{"text": expected, "entity": None, "length": len(expected)}]


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@hsettings(max_examples=150, deadline=None)
@given(value=TEXT | TEXT.map(lambda t: "https://example.org/" + t))
def test_any_iri_text_is_refused_or_one_iri(engine, value, echo, settings, empty_store):
    try:
        rows = echo_rows(echo, settings, engine, empty_store, text="x", entity=value)
    except InputError as exc:
        assert "parameter 'entity' (iri)" in str(exc)
        return
    assert len(rows) == 1
    if not value.strip():  # an empty value means "not given"
        assert rows[0]["entity"] is None
        return
    iri_term(rows[0]["entity"])  # well formed: would raise otherwise
    assert value.strip() in rows[0]["entity"] or ":" in value  # the slug, CURIE or IRI given


def test_unset_parameters_stay_out_of_the_values_block(settings):
    # an UNDEF column means the same in SPARQL, but costs Oxigraph up to twice the time
    # (bench/bench_queries.py): unset parameters are left out instead
    assert values_block({"a": None}) == ""
    block = values_block({"a": literal_term("x"), "b": None, "c": iri_term("https://e.org/c")})
    assert block == '\n  VALUES (?a ?c) { ("x" <https://e.org/c>) }\n'
    query = get_query("targets", settings)
    assert "VALUES" not in bound_text(query, bind(query, {}, settings), settings)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("min_pct", "30 } UNION { ?s ?p ?o"),
        ("min_pct", '30"'),
        ("target_year", "2030\n} #"),
        ("base_year", "2005^^<x>"),
        ("kind", "Absolute} UNION {"),
    ],
)
def test_typed_parameters_refuse_breakouts(param, value, seed_store, settings):
    with pytest.raises(InputError, match=f"parameter '{param}'"):
        run("targets", settings=settings, store=seed_store, params={param: value})
