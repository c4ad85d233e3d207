"""Shared fixtures: the project's real files, and throw-away copies of the project to break.

Tests that write (build a store, reformat a file, corrupt a data file) work on a copy made by
the ``project`` fixture, never on the checkout's ``data/``: its ``Settings.root`` points at a
temporary folder holding copies of ``ontology/``, ``shapes/`` and ``data/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from support import REPO, copy_project

from lcgraph.config import Settings


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """Settings for a private copy of the project, with its store inside the copy."""
    root = copy_project(tmp_path / "project")
    return Settings().with_(root=root, store_path=root / ".lcgraph" / "store")


@pytest.fixture(scope="session")
def repo_settings() -> Settings:
    """Settings for the checkout itself: read it, never build or write with these."""
    return Settings().with_(root=REPO)


@pytest.fixture(scope="session")
def ontology(repo_settings: Settings) -> rdflib.Graph:
    from lcgraph.validate import load_ontology

    return load_ontology(repo_settings)


@pytest.fixture(scope="session")
def shapes(repo_settings: Settings) -> rdflib.Graph:
    from lcgraph.validate import load_shapes

    return load_shapes(repo_settings)
