"""The findings report stays what the generator writes; plots open and are reproducible."""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from lcgraph.analysis.brokerage import brokerage_table
from lcgraph.analysis.plots import plot_brokerage_roles, plot_network
from lcgraph.analysis.report import write_report
from lcgraph.config import ROOT

COMMITTED = ROOT / "docs" / "analysis.md"
REGENERATE = "python -m lcgraph.analysis.report"


def test_committed_report_is_what_the_generator_writes(analysis_settings, tmp_path):
    out = tmp_path / "docs" / "analysis.md"
    write_report(analysis_settings, out=out, img_dir=tmp_path / "docs" / "img")
    fresh = out.read_text(encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(True), fresh.splitlines(True), "committed", "generated", n=1
        )
    )
    assert fresh == committed, (
        f"docs/analysis.md is out of date with the data: run `{REGENERATE}` and commit it\n"
        + diff[:4000]
    )
    for image in ("actors-centrality", "brokerage-country", "brokerage-network"):
        assert f"(img/{image}.png)" in fresh
        assert (ROOT / "docs" / "img" / f"{image}.png").exists(), f"run `{REGENERATE}`"


def test_report_figures_open(analysis_settings, tmp_path):
    from matplotlib.image import imread

    write_report(analysis_settings, out=tmp_path / "a.md", img_dir=tmp_path / "img")
    for png in sorted((tmp_path / "img").glob("*.png")):
        assert imread(png).shape[0] > 50, png
    svgs = sorted((tmp_path / "img").glob("*.svg"))
    assert svgs
    for svg in svgs:
        assert ET.parse(svg).getroot().tag.endswith("svg"), svg


@pytest.fixture
def grouped_graph():
    G = nx.les_miserables_graph()
    nx.set_node_attributes(G, {n: "abcd"[len(n) % 4] for n in G}, "g")
    return G


def test_plots_are_reproducible(grouped_graph, tmp_path):
    sizes = nx.betweenness_centrality(grouped_graph)
    first, second = tmp_path / "1.svg", tmp_path / "2.svg"
    for path in (first, second):
        plot_network(grouped_graph, path, size_by=sizes, highlight=["Valjean"], title="t")
    assert first.read_bytes() == second.read_bytes()
    assert b"Valjean" in first.read_bytes()


def test_role_bars_and_empty_cases(grouped_graph, tmp_path):
    from matplotlib.image import imread

    table = brokerage_table(grouped_graph, "g")
    path = plot_brokerage_roles(table, tmp_path / "roles.png", top=5)
    assert imread(path).ndim == 3
    lonely = nx.Graph()
    lonely.add_node(1, g="x")
    empty_bars = plot_brokerage_roles(brokerage_table(lonely, "g"), tmp_path / "none.svg")
    assert "nobody brokers" in Path(empty_bars).read_text()
    empty_net = plot_network(nx.Graph(), tmp_path / "empty.png")
    assert imread(empty_net).ndim == 3


def test_the_reports_python_example_runs_on_the_shipped_data():
    text = (Path(__file__).resolve().parents[2] / "docs" / "analysis.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/analysis.md", "exec"), namespace)
    assert namespace["roles"] and namespace["scores"].raw == namespace["roles"]
