"""Fixtures of the foundation's tests, taken with ``pytest_plugins = ("foundation_fixtures",)``.

Tests that write (build a store, reformat a file, corrupt a data file) work on ``project_copy``,
never on the checkout's ``data/``: its ``Settings.root`` points at a temporary folder holding
copies of ``ontology/``, ``shapes/`` and ``data/``. A plugin module rather than conftest.py,
so that these fixtures are declared where they are used and other suites' conftest stays theirs.
It holds no assert, hence PYTEST_DONT_REWRITE (pytest would warn that it cannot rewrite it).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from support import REPO, copy_project

from lcgraph.config import Settings


@pytest.fixture
def project_copy(tmp_path: Path) -> Settings:
    """Settings for a private copy of the project, with its store inside the copy."""
    root = copy_project(tmp_path / "project")
    return Settings().with_(root=root, store_path=root / ".lcgraph" / "store")


@pytest.fixture(scope="session")
def ontology_graph() -> rdflib.Graph:
    """ontology/lcc.ttl of the checkout, parsed once (read it, do not change it)."""
    from lcgraph.validate import load_ontology

    return load_ontology(Settings().with_(root=REPO))


@pytest.fixture(scope="session")
def shapes_graph() -> rdflib.Graph:
    """shapes/*.ttl of the checkout, parsed once (read it, do not change it)."""
    from lcgraph.validate import load_shapes

    return load_shapes(Settings().with_(root=REPO))
