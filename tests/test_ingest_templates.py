"""The shipped CSV templates: their columns, and a sample row of each that ingests."""

from __future__ import annotations

import csv
import io

import pytest
from ingest_helpers import REPO, fixture_store

from lcgraph import changelog
from lcgraph.changeset import FORMATS
from lcgraph.commands.ingest import FORMAT_CHOICES, KIND_CHOICES
from lcgraph.csvtemplates import KINDS, TEMPLATES, template_header
from lcgraph.ingest import ingest

TEMPLATE_DIR = REPO / "docs" / "templates"

SAMPLES = {
    "cities": {
        "name": "Ipoh",
        "aliases": "Ipoh City; Bandaraya Ipoh",
        "country": "MY",
        "population": "759,952",
        "population_year": "2020",
        "area_km2": "643",
        "networks": "C40",
        "programmes": "Eco-Model City Programme",
        "topics": "energy efficiency; sectorTransport",
        "source": "document:fixture",
        "evidence": "Ipoh joined the network",
        "note": "added by the secretariat",
    },
    "memberships": {
        "member": "Kuala Lumpur City Hall",
        "organisation": "C40",
        "role": "co-sponsor",
        "evidence": "Kuala Lumpur co-sponsors C40",
    },
    "collaborations": {
        "name": "Kochi–Kuala Lumpur city-to-city collaboration",
        "partners": "city:kochi; Kuala Lumpur",
        "agreement": "Memorandum of Understanding",
        "agreement_date": "2024-05-01",
        "start_date": "2024-05",
        "topics": "waste",
        "evidence": "signed an MoU in May 2024",
    },
    "targets": {
        "holder": "Kuala Lumpur",
        "kind": "per capita",
        "indicator": "GHG",
        "percent": "45",
        "base_year": "2010",
        "target_year": "2030",
        "horizon": "mid-term",
        "evidence": "a 45% cut per capita by 2030 against 2010",
    },
}


def test_cli_choices_match_the_library():
    assert FORMAT_CHOICES == FORMATS
    assert KIND_CHOICES == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_template_is_the_documented_header(kind):
    assert (TEMPLATE_DIR / f"{kind}.csv").read_text(encoding="utf-8") == template_header(kind)
    docs = (REPO / "docs" / "ingest.md").read_text(encoding="utf-8")
    for column in TEMPLATES[kind]:
        assert f"`{column.name}`" in docs, f"docs/ingest.md does not document {kind}.{column.name}"


@pytest.mark.parametrize("kind", KINDS)
def test_template_filled_with_a_sample_row_ingests(tmp_path, kind):
    store, settings = fixture_store(tmp_path)
    header = (TEMPLATE_DIR / f"{kind}.csv").read_text(encoding="utf-8")
    columns = next(csv.reader(io.StringIO(header)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([SAMPLES[kind].get(c, "") for c in columns])
    result = ingest(
        store, settings, (header + out.getvalue().split("\n", 1)[1]).encode(), name=f"{kind}.csv"
    )
    assert result.committed, result.text()
    assert changelog.verify(store, settings) == (set(), set())
    again = ingest(store, settings, out.getvalue().encode(), name=f"{kind}.csv")
    assert not again.committed, (
        f"ingesting the same {kind} row twice changed something: {again.text()}"
    )
