"""Fuzzed inputs: whatever arrives, ingest answers with a result or one clear InputError, and a
refused input leaves the store exactly as it was (no partial write)."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import PREFIXES, digest, fixture_store

from lcgraph import changelog
from lcgraph.csvtemplates import TEMPLATES
from lcgraph.errors import InputError
from lcgraph.ingest import ingest

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def env(tmp_path):
    return fixture_store(tmp_path)


def attempt(store, config, data: bytes, **kwargs) -> None:
    """Ingest; on refusal the message is one readable line (or a list) and nothing changed."""
    before = digest(store)
    try:
        ingest(store, config, data, **kwargs)
    except InputError as exc:  # IngestRejected is an InputError too
        assert exc.message and "Traceback" not in exc.message
        assert digest(store) == before
    else:
        assert changelog.verify(store, config) == (set(), set())


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_as_turtle(env, text):
    store, config = env
    attempt(store, config, text.encode("utf-8"), name="fuzz.ttl")


@FUZZ
@given(
    data=st.binary(max_size=300),
    fmt=st.sampled_from(["turtle", "trig", "json-ld", "changeset", "csv"]),
)
def test_random_bytes_in_every_format(env, data, fmt):
    store, config = env
    attempt(store, config, data, name="fuzz", fmt=fmt, kind="cities" if fmt == "csv" else None)


@FUZZ
@given(
    line=st.sampled_from(
        [
            "city:tokyo lcc:population {} .",
            "city:tokyo lcc:areaKm2 {} .",
            "target:tokyo-ghg-2030 lcc:percent {} .",
            "<https://w3id.org/lcc/id/collaboration/kuala-lumpur-tokyo> lcc:startDate {} .",
        ]
    ),
    datatype=st.sampled_from(
        ["xsd:integer", "xsd:decimal", "xsd:gYear", "xsd:date", "xsd:boolean", "xsd:string"]
    ),
    lexical=st.text(alphabet=string.digits + "-+.eEZ:T abc", max_size=12),
)
def test_wrong_datatypes(env, line, datatype, lexical):
    store, config = env
    literal = f"{json.dumps(lexical)}^^{datatype}"
    attempt(store, config, (PREFIXES + line.format(literal)).encode(), name="fuzz.ttl")


@FUZZ
@given(size=st.integers(min_value=10_001, max_value=200_000))
def test_huge_literals_are_refused(env, size):
    store, config = env
    before = digest(store)
    data = (PREFIXES + f'city:tokyo skos:editorialNote "{"x" * size}"@en .').encode()
    with pytest.raises(InputError, match="a literal of"):
        ingest(store, config, data, name="huge.ttl")
    assert digest(store) == before


@FUZZ
@given(
    iri=st.builds(
        "{}{}".format,
        st.sampled_from(
            [
                "http://example.org/",
                "https://w3id.org/lcc/ontology#",
                "urn:x:",
                "https://sws.geonames.org/",
            ]
        ),
        st.text(alphabet=string.ascii_letters + string.digits + "-_/", min_size=1, max_size=20),
    )
)
def test_subjects_outside_the_base_are_refused(env, iri):
    store, config = env
    before = digest(store)
    data = (PREFIXES + f'<{iri}> rdfs:label "x"@en .').encode()
    with pytest.raises(InputError):
        ingest(store, config, data, name="outside.ttl")
    assert digest(store) == before


COLUMNS = sorted({c.name for cols in TEMPLATES.values() for c in cols})


@FUZZ
@given(
    kind=st.sampled_from(sorted(TEMPLATES)),
    header=st.lists(
        st.one_of(
            st.sampled_from(COLUMNS),
            st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    cells=st.lists(st.lists(st.text(max_size=15), min_size=0, max_size=7), min_size=0, max_size=4),
)
def test_random_csv(env, kind, header, cells):
    store, config = env
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(cells)
    attempt(store, config, out.getvalue().encode("utf-8"), name=f"{kind}.csv")


@FUZZ
@given(name=st.text(min_size=1, max_size=40), population=st.integers(min_value=0, max_value=10**9))
def test_random_city_names_ingest_or_fail_cleanly(env, name, population):
    """Any name: a new city is minted with a well-formed IRI, or the name is refused clearly."""
    store, config = env
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(
        [["name", "country", "population", "no_geonames_reason"], [name, "JP", population, "fuzz"]]
    )
    attempt(store, config, out.getvalue().encode("utf-8"), name="cities.csv")
