"""The fast validation engine against pySHACL, the reference, and through the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import SH
from validation_keys import fast_keys, reference_keys

from lcgraph import validate_fast
from lcgraph.cli import cli
from lcgraph.config import Settings
from lcgraph.rdfio import data_files
from lcgraph.validate import load_shapes, validate_project
from lcgraph.validate_fast import (
    FastValidator,
    UnsupportedShapes,
    load_data_store,
    validate,
    validate_project_fast,
)

BROKEN = Path(__file__).parent / "fixtures" / "validate-broken.trig"
SEED = "000-kuala-lumpur-tokyo.trig"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="module")
def broken_reports(settings):
    return validate_project(settings, [BROKEN]), validate_project_fast(settings, [BROKEN])


def test_seed_data_conforms_in_both_engines(settings):
    ref = validate_project(settings)
    fast = validate_project_fast(settings)
    assert ref.conforms and fast.conforms, fast.text()
    assert fast_keys(fast) == reference_keys(ref) == set()


def test_broken_fixture_same_results_as_pyshacl(broken_reports):
    ref, fast = broken_reports
    assert not ref.conforms and not fast.conforms
    only_ref = reference_keys(ref) - fast_keys(fast)
    only_fast = fast_keys(fast) - reference_keys(ref)
    assert not only_ref and not only_fast, f"pySHACL only: {only_ref}\nfast only: {only_fast}"


def test_broken_fixture_breaks_every_shape(settings, broken_reports):
    """The cross-check means something only if every targeted shape reports a result."""
    _, fast = broken_reports
    shapes = load_shapes(settings)
    targeted = {
        str(s)
        for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
        for s in shapes.subjects(p, None)
    }
    reported = {v.shape for v in fast.violations}
    assert targeted - reported == set()
    components = {v.constraint.rsplit("#", 1)[1] for v in fast.violations}
    for name in ("MinCount", "MaxCount", "Class", "Datatype", "Pattern", "Or", "Xone", "Node",
                 "SPARQL", "UniqueLang", "LanguageIn", "LessThanOrEquals", "MinLength", "NodeKind"):  # fmt: skip
        assert f"{name}ConstraintComponent" in components, name


def test_broken_fixture_values_and_messages(broken_reports):
    _, fast = broken_reports
    by_key = {
        (v.focus.rsplit("/", 1)[1], v.constraint.rsplit("#", 1)[1]): v for v in fast.violations
    }
    dangling = by_key[("dangling-link", "SPARQLConstraintComponent")]
    assert dangling.value == "https://w3id.org/lcc/id/city/nowhere"
    assert dangling.message == (
        "links to https://w3id.org/lcc/id/city/nowhere, which is not described anywhere "
        "(a dangling link)"
    )
    assert by_key[("bad-values", "LessThanOrEqualsConstraintComponent")].value in {"150.0", "30"}
    backwards = by_key[("not-an-org", "SPARQLConstraintComponent")]
    assert backwards.message == "ends (2020-05-01) before it starts (2020-05-02)"
    assert all(v.files == ["tests/fixtures/validate-broken.trig"] for v in fast.violations)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_randomly_damaged_seed_data_same_results(tmp_path, settings, seed):
    """Drop 5% of the seed document's triples at random: dangling links, missing labels..."""
    rng = random.Random(seed)
    quads = [
        q
        for q in ox.parse(path=settings.data_dir / SEED, format=ox.RdfFormat.TRIG)
        if rng.random() > 0.05
    ]
    damaged = tmp_path / "damaged.trig"
    damaged.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    paths = [damaged] + [p for p in data_files(settings) if p.name != SEED]
    ref = validate_project(settings, paths)
    fast = validate_project_fast(settings, paths)
    assert not ref.conforms
    assert fast_keys(fast) == reference_keys(ref)


def _shapes(turtle: str) -> rdflib.Graph:
    return rdflib.Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix lcc: <https://w3id.org/lcc/ontology#> .\n" + turtle,
        format="turtle",
    )


@pytest.mark.parametrize(
    "turtle, feature",
    [
        ("lcc:S sh:targetClass lcc:City ; sh:closed true .", "closed"),
        ("lcc:S sh:targetClass lcc:City ; sh:property [ sh:path lcc:x ; sh:equals lcc:y ] .", "equals"),
        ("lcc:S sh:targetClass lcc:City ; sh:datatype <http://www.w3.org/2001/XMLSchema#dateTime> .", "dateTime"),
        ("lcc:S sh:targetClass lcc:City ; sh:property [ sh:path lcc:x ; sh:node [ sh:property [ sh:path lcc:y ; sh:minCount 2 ] ] ] .", "minCount 2"),
    ],
)  # fmt: skip
def test_unsupported_features_are_refused(turtle, feature):
    with pytest.raises(UnsupportedShapes, match="does not support") as info:
        FastValidator(_shapes(turtle))
    assert feature in str(info.value)
    assert "--engine pyshacl" in str(info.value)


def test_auto_falls_back_to_pyshacl_on_unsupported_shapes(monkeypatch, settings):
    calls = []

    def refuse(*args, **kwargs):
        calls.append("fast")
        raise UnsupportedShapes("sh:closed")

    monkeypatch.setattr(validate_fast, "validate_project_fast", refuse)
    monkeypatch.setattr(validate_fast, "AUTO_FAST_BYTES", 0)
    report = validate(settings, [BROKEN], engine="auto")
    assert calls == ["fast"]
    assert reference_keys(report)  # pySHACL's report, with its results graph
    with pytest.raises(UnsupportedShapes):
        validate(settings, [BROKEN], engine="fast")


def test_auto_picks_by_data_size(monkeypatch, settings):
    assert validate_fast.choose_engine(settings, None, "auto") == "pyshacl"
    monkeypatch.setattr(validate_fast, "AUTO_FAST_BYTES", 1000)
    assert validate_fast.choose_engine(settings, None, "auto") == "fast"
    assert validate_fast.choose_engine(settings, None, "pyshacl") == "pyshacl"


def test_load_data_store_refuses_a_triple_outside_a_named_graph(tmp_path, settings):
    bad = tmp_path / "bad.trig"
    bad.write_text("<https://w3id.org/lcc/id/city/x> a <https://w3id.org/lcc/ontology#City> .\n")
    with pytest.raises(validate_fast.InputError, match="named graph"):
        load_data_store(settings, [bad])


# --- CLI ---------------------------------------------------------------------------------


def test_cli_fast_engine_reports_violations(settings):
    result = CliRunner().invoke(cli, ["validate", "--engine", "fast", str(BROKEN)])
    assert result.exit_code == 1
    assert result.output.startswith("Conforms: no (")
    assert "links to https://w3id.org/lcc/id/city/nowhere" in result.output


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_cli_fast_engine_formats(fmt, broken_reports):
    result = CliRunner().invoke(cli, ["validate", "--engine", "fast", "--format", fmt, str(BROKEN)])
    assert result.exit_code == 1
    _, fast = broken_reports
    if fmt == "json":
        body = json.loads(result.output)
        assert body["conforms"] is False and body["count"] == len(fast.violations)
    else:
        graph = rdflib.Graph().parse(data=result.output, format="turtle")
        assert len(set(graph.subjects(rdflib.RDF.type, SH.ValidationResult))) == len(
            fast.violations
        )
        assert (None, SH.conforms, rdflib.Literal(False)) in graph


def test_cli_fast_engine_conforming_data():
    result = CliRunner().invoke(cli, ["validate", "--engine", "fast"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Conforms: yes (0 violations)"


def test_cli_unknown_engine_is_a_usage_error():
    result = CliRunner().invoke(cli, ["validate", "--engine", "turbo"])
    assert result.exit_code == 2
    assert "turbo" in result.output
