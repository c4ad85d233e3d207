"""The foundation's commands through their real interface: click's CliRunner, and subprocesses.

Every test that writes works on a throw-away project (``Settings.root`` in a temporary folder):
``project_copy`` copies the real ontology, shapes and data; ``mini`` copies the ontology and shapes
with one small conforming data file, for the validation runs, so that they stay fast however
much data/ grows.
"""

from __future__ import annotations

import gc
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import SH
from support import LCGRAPH, REPO, subprocess_env

from lcgraph.cli import COMMANDS, cli
from lcgraph.config import PRESERVED_GRAPHS, Settings
from lcgraph.errors import InputError, StoreError
from lcgraph.rdfio import parse_dataset
from lcgraph.store import build

pytest_plugins = ("foundation_fixtures",)  # the fixture project_copy

HEAVY_MODULES = ("rdflib", "pyoxigraph", "pyshacl", "networkx", "fastapi", "matplotlib", "rich")
MINI = REPO / "tests" / "fixtures" / "mini" / "mini.trig"
KL_TOKYO = "https://w3id.org/lcc/graph/kl-tokyo-collaboration"


@pytest.fixture
def mini(tmp_path: Path) -> Settings:
    root = tmp_path / "mini"
    for name in ("ontology", "shapes"):
        shutil.copytree(REPO / name, root / name)
    (root / "data").mkdir()
    shutil.copy(MINI, root / "data" / "mini.trig")
    return Settings().with_(root=root, store_path=root / ".lcgraph" / "store")


def invoke(settings: Settings, *args: str):
    """Run ``lcgraph ARGS`` in-process on the project of ``settings``."""
    env = {
        "LCGRAPH_ROOT": str(settings.root),
        "LCGRAPH_STORE": str(settings.store_path),
        "LCGRAPH_BASE": None,
    }
    return CliRunner().invoke(cli, list(args), env=env)


def assert_clean_error(result, exit_code: int, *fragments: str) -> None:
    """A user error: the exit code, one `error:` line with the fragments, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), f"not a clean exit: {result.exception!r}"
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    assert "Traceback" not in result.output


def store_quads(path: Path) -> set[str]:
    store = ox.Store.read_only(str(path))
    quads = {str(q) for q in store}
    del store
    gc.collect()
    return quads


# --- help and version -----------------------------------------------------------------------


def test_help_lists_every_subcommand():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = re.findall(r"^  (\w[\w-]*)\s", result.output.split("Commands:")[1], re.MULTILINE)
    assert listed == sorted(COMMANDS)
    for name, (_, summary) in COMMANDS.items():
        assert summary[:30] in " ".join(result.output.split()), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_loads_and_has_help(name):
    """A COMMANDS entry that names a missing module or attribute breaks only when used; this
    catches it at once."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {name}" in result.output or f"Usage: lcgraph {name}" in result.output


def test_version():
    from lcgraph import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_in_a_subprocess_imports_no_heavy_module():
    """`lcgraph --help` must stay fast (measured in bench/); here: it works in a real process
    and imports none of the heavy libraries that would make it slow."""
    result = subprocess.run(
        [*LCGRAPH, "--help"], capture_output=True, text=True, env=subprocess_env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.stdout, re.MULTILINE), name
    probe = textwrap.dedent(
        f"""
        import sys
        from lcgraph.cli import main
        try:
            main(["--help"])
        except SystemExit:
            pass
        heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]
        print("HEAVY", heavy, file=sys.stderr)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=subprocess_env()
    )
    assert "HEAVY []" in out.stderr, out.stderr


# --- build ------------------------------------------------------------------------------------


def test_build_creates_the_store_and_prints_a_summary(project_copy):
    result = invoke(project_copy, "build")
    assert result.exit_code == 0, result.output
    store = project_copy.store_path
    assert store.is_dir()
    assert re.search(rf"built {re.escape(str(store))}: [\d,]+ triples in \d+ graphs", result.output)
    assert "Triples per named graph" in result.output and "Entities per class" in result.output
    assert "graph:kl-tokyo-collaboration" in result.output and "graph:ontology" in result.output
    assert re.search(r"lcc:City\s+│\s+\d+", result.output), result.output
    # the graph of seed 000 holds exactly the triples of its file
    expected = {
        (s.n3(), p.n3(), o.n3())
        for s, p, o, _ in parse_dataset(
            project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
        ).quads()
    }
    st = ox.Store.read_only(str(store))
    got = {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in st.quads_for_pattern(None, None, None, ox.NamedNode(KL_TOKYO))
    }
    del st
    assert len(got) == len(expected) > 200
    assert not list(store.parent.glob(f".{store.name}.*")), "temporary folders left behind"


def test_build_in_memory_writes_nothing(project_copy):
    result = invoke(project_copy, "build", "--in-memory", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("built memory: ")
    assert len(result.output.strip().splitlines()) == 1
    assert not project_copy.store_path.exists()


def test_build_store_option_wins_over_the_default(project_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "store"
    result = invoke(project_copy, "build", "--store", str(elsewhere), "-q")
    assert result.exit_code == 0, result.output
    assert elsewhere.is_dir() and not project_copy.store_path.exists()


def test_the_default_store_belongs_to_the_project_root_not_the_working_directory(
    project_copy, tmp_path, monkeypatch
):
    """`lcgraph build` run from anywhere writes <root>/.lcgraph/store (LCGRAPH_ROOT's)."""
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    env = {"LCGRAPH_ROOT": str(project_copy.root), "LCGRAPH_STORE": None, "LCGRAPH_BASE": None}
    result = CliRunner().invoke(cli, ["build", "-q"], env=env)
    assert result.exit_code == 0, result.output
    assert (project_copy.root / ".lcgraph" / "store").is_dir()
    assert not (elsewhere / ".lcgraph").exists()


def test_settings_store_follows_the_root_unless_given(tmp_path, monkeypatch):
    monkeypatch.delenv("LCGRAPH_STORE", raising=False)
    default = Settings.from_env(root=tmp_path / "a")
    assert default.store_path == tmp_path / "a" / ".lcgraph" / "store"
    moved = default.with_(root=tmp_path / "b")
    assert moved.store_path == tmp_path / "b" / ".lcgraph" / "store"
    given = default.with_(store_path=tmp_path / "s").with_(root=tmp_path / "c")
    assert given.store_path == tmp_path / "s"
    monkeypatch.setenv("LCGRAPH_STORE", "relative/store")  # as typed: relative to the cwd
    assert Settings.from_env(root=tmp_path / "d").store_path == Path("relative/store")


def test_stats_summarises_the_built_store(project_copy):
    assert invoke(project_copy, "build", "-q").exit_code == 0
    result = invoke(project_copy, "--store", str(project_copy.store_path), "stats")
    assert result.exit_code == 0, result.output
    assert re.match(r"[\d,]+ triples in \d+ graphs", result.output)
    assert "graph:kl-tokyo-collaboration" in result.output


def test_a_failing_build_leaves_the_previous_store_as_it_was(project_copy):
    assert invoke(project_copy, "build", "-q").exit_code == 0
    before = store_quads(project_copy.store_path)
    seed = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    seed.write_text(seed.read_text(encoding="utf-8").replace("lcc:count 37 ;", "lcc:count 37 ;;."))

    result = invoke(project_copy, "build")
    assert_clean_error(result, 2, "000-kuala-lumpur-tokyo.trig:")
    assert store_quads(project_copy.store_path) == before
    leftovers = [p.name for p in project_copy.store_path.parent.iterdir() if p.name != "store"]
    assert not leftovers, f"temporary folders left behind: {leftovers}"


def test_a_rebuild_keeps_the_user_written_graphs(project_copy):
    assert invoke(project_copy, "build", "-q").exit_code == 0
    contrib = ox.NamedNode(project_copy.graph_iri("contrib"))
    written = [
        ox.Quad(
            ox.NamedNode(project_copy.entity_iri("city", "tokyo")),
            ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
            ox.Literal("Edo", language="en"),
            contrib,
        ),
        ox.Quad(
            ox.NamedNode(project_copy.entity_iri("city", "osaka")),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Osaka", language="en"),
            contrib,
        ),
    ]
    st = ox.Store(str(project_copy.store_path))
    st.extend(written)
    st.flush()
    del st
    gc.collect()

    result = invoke(project_copy, "build")
    assert result.exit_code == 0, result.output
    assert "kept user-written graphs: contrib (2 triples)" in result.output
    st = ox.Store.read_only(str(project_copy.store_path))
    kept = set(st.quads_for_pattern(None, None, None, contrib))
    assert kept == set(written)
    # and the seed graphs were rebuilt from data/, not copied
    assert next(iter(st.quads_for_pattern(None, None, None, ox.NamedNode(KL_TOKYO))), None)
    del st
    assert "contrib" in PRESERVED_GRAPHS


def test_a_rebuild_picks_up_edited_data(project_copy):
    assert invoke(project_copy, "build", "-q").exit_code == 0
    seed = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    seed.write_text(seed.read_text(encoding="utf-8").replace("lcc:count 37 ;", "lcc:count 38 ;"))
    assert invoke(project_copy, "build", "-q").exit_code == 0
    quads = store_quads(project_copy.store_path)
    assert any('"38"^^<http://www.w3.org/2001/XMLSchema#integer>' in q for q in quads)
    assert not any('"37"^^<http://www.w3.org/2001/XMLSchema#integer>' in q for q in quads)


# --- build: bad input -------------------------------------------------------------------------


def test_build_malformed_trig_names_file_and_line(project_copy):
    seed = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    lines = seed.read_text(encoding="utf-8").splitlines()
    bad_line = next(i for i, line in enumerate(lines) if "lcc:count 37 ;" in line)
    lines[bad_line] = lines[bad_line].replace("lcc:count 37 ;", 'lcc:count "37 ;')
    seed.write_text("\n".join(lines) + "\n")
    result = invoke(project_copy, "build")
    assert_clean_error(result, 2, f"{seed}:{bad_line + 1}: cannot parse trig")
    assert not project_copy.store_path.exists(), "a half-built store was left"


def test_build_missing_ontology(project_copy):
    (project_copy.root / "ontology" / "lcc.ttl").unlink()
    assert_clean_error(invoke(project_copy, "build"), 2, "lcc.ttl: no such file")


def test_build_without_data_files(project_copy):
    for path in project_copy.data_dir.glob("*.trig"):
        path.unlink()
    assert_clean_error(invoke(project_copy, "build"), 2, "no *.trig data files")


def test_build_refuses_triples_outside_a_named_graph(project_copy):
    (project_copy.data_dir / "zz-stray.trig").write_text(
        "<https://w3id.org/lcc/id/city/x> <http://www.w3.org/2000/01/rdf-schema#label> 'X' .\n"
    )
    assert_clean_error(
        invoke(project_copy, "build"), 2, "zz-stray.trig", "belongs in a named graph", "city/x"
    )
    assert not project_copy.store_path.exists()


def test_build_store_under_a_file_is_refused(project_copy, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    target = blocker / "store"
    result = invoke(project_copy, "build", "--store", str(target))
    assert_clean_error(result, 2, str(target), "cannot create the store's folder")


def test_build_store_path_that_is_a_file_is_refused(project_copy, tmp_path):
    target = tmp_path / "store"
    target.write_text("not a store")
    result = invoke(project_copy, "build", "--store", str(target))
    assert_clean_error(result, 2, str(target), "exists and is not a store folder")
    assert target.read_text() == "not a store"


def test_build_where_writing_fails_is_refused(project_copy, monkeypatch):
    """A read-only file system refuses the write even to root, who passes every access check:
    the build must say so in one line, not with a traceback."""
    import tempfile

    def refuse(*_args, **_kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    result = invoke(project_copy, "build")
    assert_clean_error(result, 2, str(project_copy.store_path), "Read-only file system")
    assert not project_copy.store_path.exists()


def test_store_errors_are_store_errors(project_copy, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        build(project_copy.with_(store_path=blocker / "store"))
    (project_copy.data_dir / "000-kuala-lumpur-tokyo.trig").write_text("graph:x { .")
    with pytest.raises(InputError):
        build(project_copy, in_memory=True)


def test_bad_input_in_a_subprocess_exits_2_without_traceback(project_copy):
    seed = project_copy.data_dir / "000-kuala-lumpur-tokyo.trig"
    seed.write_text(seed.read_text(encoding="utf-8") + "\ngraph:oops { city:x a }\n")
    result = subprocess.run(
        [*LCGRAPH, "build", "--store", str(project_copy.store_path)],
        capture_output=True,
        text=True,
        env=subprocess_env(LCGRAPH_ROOT=str(project_copy.root)),
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert re.match(rf"error: {re.escape(str(seed))}:\d+: cannot parse trig: ", line), line
    assert not project_copy.store_path.exists()


# --- validate ---------------------------------------------------------------------------------


def break_mini(settings: Settings) -> None:
    path = settings.data_dir / "mini.trig"
    path.write_text(
        path.read_text(encoding="utf-8").replace("lcc:percent 50.0", "lcc:percent 150.0")
    )


def test_validate_conforming_data_exits_0(mini):
    result = invoke(mini, "validate")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Conforms: yes (0 violations)"


def test_validate_text_report_names_focus_path_message_and_file(mini):
    break_mini(mini)
    result = invoke(mini, "validate")
    assert result.exit_code == 1, result.output
    text = result.output
    assert text.startswith("Conforms: no (1 result(s))")
    assert "Violation: a target percent is one xsd:decimal between 0 and 100" in text
    assert "focus node: target:tokyo-halving" in text
    assert "path:       lcc:percent" in text
    assert "value:      150.0" in text
    assert "constraint: sh:MaxInclusiveConstraintComponent" in text
    assert "shape:      lccsh:TargetShape" in text
    assert "file:       data/mini.trig" in text


def test_validate_json_report(mini):
    break_mini(mini)
    result = invoke(mini, "validate", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False and report["count"] == 1
    (v,) = report["results"]
    assert v["focus"] == "https://w3id.org/lcc/id/target/tokyo-halving"
    assert v["path"] == "https://w3id.org/lcc/ontology#percent"
    assert v["constraint"] == str(SH.MaxInclusiveConstraintComponent)
    assert v["files"] == ["data/mini.trig"]


def test_validate_turtle_report(mini):
    break_mini(mini)
    result = invoke(mini, "validate", "--format", "turtle")
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.output, format="turtle")
    report = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    (res,) = graph.objects(report, SH.result)
    assert graph.value(res, SH.focusNode) == rdflib.URIRef(
        "https://w3id.org/lcc/id/target/tokyo-halving"
    )


def test_validate_json_of_conforming_data(mini):
    result = invoke(mini, "validate", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"conforms": True, "count": 0, "results": []}


def test_validate_given_files(mini, tmp_path):
    other = tmp_path / "other.trig"
    shutil.copy(MINI, other)
    assert invoke(mini, "validate", str(other)).exit_code == 0


def test_validate_malformed_trig_exits_2(mini):
    path = mini.data_dir / "mini.trig"
    path.write_text(path.read_text(encoding="utf-8").replace('"JP" ;', '"JP ;'))
    result = invoke(mini, "validate")
    assert_clean_error(result, 2, f"{path}:", "cannot parse trig")
    line = int(re.search(r"mini\.trig:(\d+):", result.output).group(1))
    assert '"JP ;' in path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_validate_missing_file_exits_2(mini):
    assert_clean_error(invoke(mini, "validate", "nowhere.trig"), 2, "nowhere.trig: no such file")


def test_validate_refuses_triples_outside_a_named_graph(mini):
    (mini.data_dir / "stray.trig").write_text(
        "<https://w3id.org/lcc/id/city/x> <http://www.w3.org/2000/01/rdf-schema#label> 'X' .\n"
    )
    assert_clean_error(invoke(mini, "validate"), 2, "stray.trig", "belongs in a named graph")


def test_validate_unknown_shape_target_exits_2(mini):
    (mini.shapes_dir / "typo.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix lcc: <https://w3id.org/lcc/ontology#> .\n"
        "<https://w3id.org/lcc/shapes#TypoShape> a sh:NodeShape ; sh:targetClass lcc:Citty .\n"
    )
    assert_clean_error(
        invoke(mini, "validate"), 2, "TypoShape", "lcc/ontology#Citty", "does not know"
    )


def test_validate_malformed_shapes_exits_2(mini):
    path = mini.shapes_dir / "broken.ttl"
    path.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path .\n")
    assert_clean_error(invoke(mini, "validate"), 2, f"{path}:3: cannot parse turtle")


def test_validate_unusable_shapes_exit_2(mini):
    """A shape pySHACL cannot load (two paths on one property shape) is unusable input."""
    (mini.shapes_dir / "odd.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix lcc: <https://w3id.org/lcc/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/lcc/shapes#Odd> a sh:NodeShape ; sh:targetClass lcc:City ;\n"
        "  sh:property [ sh:path rdfs:label , lcc:country ; sh:minCount 1 ] .\n"
    )
    assert_clean_error(invoke(mini, "validate"), 2, "the shapes cannot be used")


def test_validate_invalid_date_gives_a_violation_not_a_traceback(mini):
    path = mini.data_dir / "mini.trig"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'lcc:seedFile "mini.txt" .',
            'lcc:seedFile "mini.txt" .\n    city:tokyo lcc:startDate "2015-02-30"^^xsd:date .',
        )
    )
    result = subprocess.run(
        [*LCGRAPH, "validate"],
        capture_output=True,
        text=True,
        env=subprocess_env(LCGRAPH_ROOT=str(mini.root)),
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == "", "rdflib's traceback for an ill-typed literal leaked"
    assert "value:      2015-02-30" in result.stdout


# --- base IRI ---------------------------------------------------------------------------------


def test_base_iri_rewrites_instances_and_graphs_not_the_ontology(project_copy):
    base = "https://example.org/lcc/"
    store, report = build(project_copy.with_(base=base), in_memory=True)
    graphs = set(report.graphs)
    assert f"{base}graph/kl-tokyo-collaboration" in graphs
    assert f"{base}graph/ontology" in graphs
    assert not [g for g in graphs if g.startswith("https://w3id.org/lcc/")]

    terms = {t.value for q in store for t in q if isinstance(t, ox.NamedNode)}
    assert f"{base}id/city/tokyo" in terms
    assert not [
        t
        for t in terms
        if t.startswith(("https://w3id.org/lcc/id/", "https://w3id.org/lcc/graph/"))
    ]
    # the vocabulary is published at w3id.org and stays there
    assert "https://w3id.org/lcc/ontology#City" in terms
    assert "https://w3id.org/lcc/ontology" in terms
    tokyo_is_a_city = store.query(
        f"ASK {{ GRAPH <{base}graph/kl-tokyo-collaboration> "
        f"{{ <{base}id/city/tokyo> a <https://w3id.org/lcc/ontology#City> }} }}"
    )
    assert bool(tokyo_is_a_city)


def test_base_iri_from_the_command_line(project_copy):
    result = invoke(project_copy, "--base", "https://example.org/kg", "build", "-q")
    assert result.exit_code == 0, result.output
    st = ox.Store.read_only(str(project_copy.store_path))
    graphs = {g.value for g in st.named_graphs()}
    del st
    assert "https://example.org/kg/graph/kl-tokyo-collaboration" in graphs


def test_validate_with_another_base_conforms(mini):
    """The shapes' IRIs (in SPARQL and in regexes) follow the base, or every node would fail."""
    result = CliRunner().invoke(
        cli,
        ["--base", "https://example.org/lcc/", "validate"],
        env={"LCGRAPH_ROOT": str(mini.root)},
    )
    assert result.exit_code == 0, result.output
