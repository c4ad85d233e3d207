"""docs/match.md stays true: its defaults tables and worked example are regenerated and compared."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("make_match_docs", DOCS / "make_match_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_guide_is_up_to_date():
    gen = _generator()
    text = gen.GUIDE.read_text(encoding="utf-8")
    fresh = gen.render(text)
    assert fresh == text, (
        "docs/match.md is out of date with lcgraph/match or data/: "
        "run `python docs/make_match_docs.py` and review the diff"
    )


def test_guide_documents_every_factor_and_option():
    from lcgraph.match import FACTORS

    text = (DOCS / "match.md").read_text(encoding="utf-8")
    for factor in FACTORS:
        assert f"`{factor}`" in text, factor
    for option in ("--top", "--mode", "--weights", "-w", "--country", "--format", "--endpoint"):
        assert option in text, option
