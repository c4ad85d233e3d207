"""The ingest pipeline through its library interface, on the small fixture graph."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from ingest_helpers import digest, fixture_store, turtle, union_is_default_graph

from lcgraph import changelog
from lcgraph.errors import InputError
from lcgraph.ingest import IngestRejected, ingest, revert

CITY = "https://w3id.org/lcc/id/city/"
LCC = "https://w3id.org/lcc/ontology#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


@pytest.fixture
def env(tmp_path):
    return fixture_store(tmp_path)


def has(store, s, p, o, graph=None) -> bool:
    g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return any(True for _ in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), o, g))


def csv(text: str) -> bytes:
    return text.encode("utf-8")


# --- CSV: match, mint, never merge two cities -------------------------------------------------


def test_csv_row_naming_an_existing_city_reuses_its_iri_and_says_so(env):
    store, settings = env
    result = ingest(
        store,
        settings,
        csv("name,population\nTokyo Metropolitan Government,14000000\n"),
        name="cities.csv",
    )
    assert result.committed
    assert result.matches == [
        {"input": "row 2: Tokyo Metropolitan Government", "iri": CITY + "tokyo", "how": "alias"}
    ]
    assert result.new_entities == []
    contrib = settings.graph_iri("contrib")
    population = ox.Literal(
        "14000000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert has(store, CITY + "tokyo", LCC + "population", population, contrib)
    # the alias matched: no second label, no new alias
    labels = list(
        store.quads_for_pattern(
            ox.NamedNode(CITY + "tokyo"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            None,
            None,
        )
    )
    assert {q.object.value for q in labels} == {"Tokyo"}


def test_csv_new_city_gets_a_minted_iri_country_and_provenance(env):
    store, settings = env
    data = csv(
        'name,country,population,no_geonames_reason,networks,evidence\nPenang,MY,"794,313",test,C40,Penang joined C40\n'
    )
    result = ingest(
        store, settings, data, name="cities.csv", author="alice", message="Penang joins"
    )
    assert [e["iri"] for e in result.new_entities] == [CITY + "penang"]
    change = changelog.change_node(settings, result.change_id)
    assert has(
        store,
        CITY + "penang",
        LCC + "country",
        ox.NamedNode("https://w3id.org/lcc/id/country/malaysia"),
    )
    assert has(
        store,
        CITY + "penang",
        "http://www.w3.org/ns/org#memberOf",
        ox.NamedNode("https://w3id.org/lcc/id/network/c40"),
    )
    assert has(store, CITY + "penang", PROV_DERIVED, change, settings.graph_iri("contrib"))
    info = changelog.find_change(store, settings, result.change_id)
    assert (info.author, info.source, info.message, len(info.added)) == (
        "alice",
        "cities.csv",
        "Penang joins",
        len(result.added),
    )
    assert union_is_default_graph(store)


def test_same_name_in_another_country_is_another_city(env):
    store, settings = env
    data = csv("name,country,no_geonames_reason\nKuala Lumpur,JP,test\n")
    result = ingest(store, settings, data, name="cities.csv")
    assert [e["iri"] for e in result.new_entities] == [CITY + "kuala-lumpur-jp"]
    assert any("elsewhere" in note for note in result.notes)


def test_ambiguous_name_is_an_error_asking_for_the_iri(env):
    store, settings = env
    before = digest(store)
    with pytest.raises(
        InputError,
        match=r"'Kochi' is ambiguous.*city:kochi .*city:kochi-in .*give the IRI or the country",
    ):
        ingest(store, settings, csv("name,population\nKochi,600000\n"), name="cities.csv")
    assert digest(store) == before
    # the country settles it
    result = ingest(
        store, settings, csv("name,country,population\nKochi,IN,600000\n"), name="cities.csv"
    )
    assert result.matches[0]["iri"] == CITY + "kochi-in"


def test_every_row_problem_is_reported_at_once(env):
    store, settings = env
    data = csv("name,country,population,lat\nA-town,ZZ,12,1\nTokyo,,many,\nB-town,JP,5,91\n")
    with pytest.raises(InputError) as info:
        ingest(store, settings, data, name="cities.csv")
    message = info.value.message
    assert "3 problem(s)" in message
    assert "row 2: column country: 'ZZ'" in message
    assert "row 3: column population: 'many' is not a whole number" in message
    assert "row 4: column lat: 91 is outside -90..90" in message


def test_csv_single_valued_column_replaces_the_secretariats_earlier_value(env):
    store, settings = env
    contrib = settings.graph_iri("contrib")
    ingest(store, settings, csv("name,area_km2\nKuala Lumpur,243\n"), name="cities.csv")
    second = ingest(store, settings, csv("name,area_km2\nKuala Lumpur,243.65\n"), name="cities.csv")
    assert [str(t.object) for t in second.removed] == [
        '"243"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    ]
    values = [
        q.object.value
        for q in store.quads_for_pattern(
            ox.NamedNode(CITY + "kuala-lumpur"),
            ox.NamedNode(LCC + "areaKm2"),
            None,
            ox.NamedNode(contrib),
        )
    ]
    assert values == ["243.65"]


def test_ingesting_the_same_file_twice_changes_nothing_the_second_time(env):
    store, settings = env
    data = csv("name,country,no_geonames_reason\nPenang,MY,test\n")
    ingest(store, settings, data, name="cities.csv")
    before = digest(store)
    again = ingest(store, settings, data, name="cities.csv")
    assert not again.committed and again.change_id is None and not again.added
    assert digest(store) == before
    assert len(changelog.list_changes(store, settings)) == 1


# --- RDF: blank nodes, change sets, removals -------------------------------------------------------


def test_blank_nodes_are_matched_or_minted(env):
    store, settings = env
    data = turtle(
        """[] a lcc:City ; rdfs:label "Kuala Lumpur"@en ; lcc:population 1982112 .
           [] a lcc:City ; rdfs:label "Ipoh"@en ; lcc:country country:malaysia ; lcc:noGeonamesReason "test" .
        """
    )
    result = ingest(store, settings, data, name="new.ttl")
    assert [m["iri"] for m in result.matches] == [CITY + "kuala-lumpur"]
    assert [e["iri"] for e in result.new_entities] == [CITY + "ipoh"]
    assert has(
        store,
        CITY + "ipoh",
        "http://www.w3.org/2000/01/rdf-schema#label",
        ox.Literal("Ipoh", language="en"),
    )


def test_change_set_with_additions_and_removals(env):
    store, settings = env
    first = ingest(store, settings, turtle("city:tokyo lcc:areaKm2 2194.0 ."), name="a.ttl")
    assert first.committed
    body = {
        "add": "<https://w3id.org/lcc/id/city/tokyo> <https://w3id.org/lcc/ontology#areaKm2> 2194.07 .",
        "remove": "<https://w3id.org/lcc/id/city/tokyo> <https://w3id.org/lcc/ontology#areaKm2> 2194.0 .",
        "message": "more precise area",
    }
    result = ingest(store, settings, json.dumps(body).encode(), name="fix.json")
    assert len(result.removed) == 1 and result.committed
    areas = [
        q.object.value
        for q in store.quads_for_pattern(
            ox.NamedNode(CITY + "tokyo"), ox.NamedNode(LCC + "areaKm2"), None, None
        )
    ]
    assert sorted(areas) == ["2194.07", "2194.07"]  # once in graph/contrib, once in the union
    assert union_is_default_graph(store)


def test_trig_change_set_graphs(env):
    store, settings = env
    ingest(store, settings, turtle('city:tokyo skos:altLabel "Tokio"@en .'), name="a.ttl")
    data = turtle(
        """graph:removals { city:tokyo skos:altLabel "Tokio"@en . }
           graph:additions { city:tokyo skos:altLabel "Tôkyô"@en . }"""
    )
    result = ingest(store, settings, data, name="change.trig")
    assert [t.object.value for t in result.removed] == ["Tokio"]
    # the new alias, and the subject citing this change too
    assert sorted(t.predicate.value for t in result.added) == [
        "http://www.w3.org/2004/02/skos/core#altLabel",
        PROV_DERIVED,
    ]
    with pytest.raises(InputError, match="graph:removals"):
        ingest(
            store,
            settings,
            turtle('graph:kl { city:tokyo skos:altLabel "X"@en . }'),
            name="bad.trig",
        )


def test_removing_what_a_source_document_says_is_refused(env):
    store, settings = env
    before = digest(store)
    body = json.dumps(
        {
            "remove": "<https://w3id.org/lcc/id/city/tokyo> <https://w3id.org/lcc/ontology#population> 13960000 ."
        }
    )
    with pytest.raises(
        InputError, match=r"stated by graph:fixture: source documents are changed in data/"
    ):
        ingest(store, settings, body.encode(), name="rm.json")
    assert digest(store) == before


def test_a_removal_that_leaves_the_union_only_when_no_graph_states_it(env):
    store, settings = env
    # the secretariat restates a fact of the fixture document, then takes it back
    fact = "city:tokyo lcc:population 13960000 ."
    ingest(store, settings, turtle(fact), name="a.ttl")
    body = json.dumps(
        {
            "remove": "<https://w3id.org/lcc/id/city/tokyo> <https://w3id.org/lcc/ontology#population> 13960000 ."
        }
    )
    ingest(store, settings, body.encode(), name="rm.json")
    population = ox.Literal(
        "13960000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert has(
        store, CITY + "tokyo", LCC + "population", population
    )  # still stated by graph:fixture
    assert union_is_default_graph(store)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<https://sws.geonames.org/1850147/> rdfs:label "Tokyo"@en .',
            "outside https://w3id.org/lcc/id/",
        ),
        ('lcc:City rdfs:label "x"@en .', "outside https://w3id.org/lcc/id/"),
        ("city:tokyo lcc:populaton 5 .", "ontology#populaton> is not a term of the LCC ontology"),
        ('city:tokyo lcc:population "many"^^xsd:integer .', "is not a valid xsd:integer"),
        ('target:tokyo-ghg-2030 lcc:targetYear "20x0"^^xsd:gYear .', "is not a valid xsd:gYear"),
        (
            'city:tokyo skos:editorialNote "' + "x" * 10_001 + '" .',
            "a literal of 10,001 characters",
        ),
        ('document:change-20260101-000000-abcdef rdfs:label "forged"@en .', "is a change record"),
        ("[] lcc:population 5 .", "a blank node needs a type"),
    ],
)
def test_bad_terms_are_refused_before_validation(env, body, message):
    store, settings = env
    before = digest(store)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(".", r"\.")):
        ingest(store, settings, turtle(body), name="bad.ttl")
    assert digest(store) == before


def test_too_big_a_payload_is_refused(env):
    store, settings = env
    settings = settings.with_(max_ingest_bytes=100)
    with pytest.raises(InputError, match="more than the 100 a change may have") as info:
        ingest(store, settings, turtle("city:tokyo lcc:population 5 ."), name="big.ttl")
    assert info.value.http_status == 413


# --- validation, dry run, revert, the log ---------------------------------------------------------


def test_a_rejected_change_writes_nothing_and_reports_focus_path_message(env):
    store, settings = env
    before = digest(store)
    with pytest.raises(IngestRejected) as info:
        ingest(store, settings, turtle("city:tokyo lcc:country country:atlantis ."), name="bad.ttl")
    violations = info.value.result.violations
    assert any(v["focus"] == CITY + "tokyo" and "dangling link" in v["message"] for v in violations)
    assert any(
        v["path"] == LCC + "country" and "exactly one country" in v["message"] for v in violations
    )
    assert info.value.exit_code == 1 and info.value.http_status == 422
    assert digest(store) == before


def test_dry_run_shows_the_change_and_writes_nothing(env):
    store, settings = env
    before = digest(store)
    result = ingest(
        store,
        settings,
        csv("name,country,no_geonames_reason\nPenang,MY,test\n"),
        name="cities.csv",
        dry_run=True,
    )
    assert result.dry_run and result.conforms and not result.committed
    assert any(t.subject.value == CITY + "penang" for t in result.added)
    assert result.new_entities[0]["iri"] == CITY + "penang"
    assert "dry run: the change conforms" in result.text()
    assert digest(store) == before


def test_revert_undoes_a_change_and_is_itself_logged(env):
    store, settings = env
    before = digest(store)
    first = ingest(
        store, settings, csv("name,country,no_geonames_reason\nPenang,MY,test\n"), name="cities.csv"
    )
    undo = revert(store, settings, f"change-{first.change_id}", author="bob")
    assert undo.committed and len(undo.removed) == len(first.added)
    log = changelog.list_changes(store, settings)
    assert [c.id for c in log] == [first.change_id, undo.change_id]
    assert log[0].reverted_by == [undo.change_id] and log[1].reverts == first.change_id
    assert changelog.contrib_triples(store, settings) == set()
    assert changelog.verify(store, settings) == (set(), set())
    assert union_is_default_graph(store)
    with pytest.raises(InputError, match="nothing left to revert"):
        revert(store, settings, first.change_id)
    # the store is as before, but for the log
    changes = ox.NamedNode(settings.graph_iri("changes"))
    for q in list(store.quads_for_pattern(None, None, None, changes)):
        store.remove(q)
        store.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    assert digest(store) == before


def test_revert_that_would_leave_a_dangling_link_is_rejected(env):
    store, settings = env
    first = ingest(
        store, settings, csv("name,country,no_geonames_reason\nPenang,MY,test\n"), name="cities.csv"
    )
    ingest(store, settings, turtle("city:tokyo lcc:linkedWith city:penang ."), name="link.ttl")
    before = digest(store)
    with pytest.raises(IngestRejected) as info:
        revert(store, settings, first.change_id)
    assert any("dangling link" in v["message"] for v in info.value.result.violations)
    assert digest(store) == before


def test_unknown_change_id_is_a_404(env):
    store, settings = env
    with pytest.raises(InputError, match="no change 'nope'") as info:
        revert(store, settings, "nope")
    assert info.value.http_status == 404


def test_verify_notices_a_contrib_graph_that_drifted_from_the_log(env):
    store, settings = env
    ingest(store, settings, turtle('city:tokyo skos:altLabel "Tokio"@en .'), name="a.ttl")
    stray = ox.Quad(
        ox.NamedNode(CITY + "tokyo"),
        ox.NamedNode(LCC + "population"),
        ox.Literal("1"),
        ox.NamedNode(settings.graph_iri("contrib")),
    )
    store.add(stray)
    missing, extra = changelog.verify(store, settings)
    assert missing == set() and extra == {ox.Triple(stray.subject, stray.predicate, stray.object)}


def test_literals_survive_the_sparql_update_unchanged(env):
    store, settings = env
    # \x85, \x1c and \u2028 are line breaks to str.splitlines(), not to N-Triples (a bug hypothesis found)
    text = (
        'quote " backslash \\ u-escape \\u0022 tab \t newline \n emoji 😀 \x01 \x1c \x85 \u2028 end'
    )
    data = json.dumps(
        {
            "add": f"<{CITY}tokyo> <http://www.w3.org/2004/02/skos/core#editorialNote> {json.dumps(text, ensure_ascii=False)}@en ."
        },
        ensure_ascii=False,
    )
    ingest(store, settings, data.encode(), name="lit.json")
    notes = [
        q.object.value
        for q in store.quads_for_pattern(
            ox.NamedNode(CITY + "tokyo"),
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote"),
            None,
            ox.NamedNode(settings.graph_iri("contrib")),
        )
    ]
    assert notes == [text]
    assert changelog.verify(store, settings) == (set(), set())  # the patch text reads back


def test_a_failing_on_commit_hook_does_not_hide_the_commit(env):
    store, settings = env

    def hook():
        raise RuntimeError("reader pool gone")

    result = ingest(
        store,
        settings,
        turtle('city:tokyo skos:altLabel "Tokio"@en .'),
        name="a.ttl",
        on_commit=hook,
    )
    assert result.committed
    assert result.notes == ["committed, but telling the server failed: reader pool gone"]
    assert changelog.verify(store, settings) == (set(), set())
