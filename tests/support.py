"""Helpers shared by the foundation's tests (their fixtures are in foundation_fixtures.py)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_DIRS = ("ontology", "shapes", "data")

#: how a subprocess test starts the CLI: this interpreter, this checkout's code
LCGRAPH = [sys.executable, "-m", "lcgraph"]


def copy_project(dest: Path) -> Path:
    """Copy the parts of the checkout that a build reads into ``dest``; return ``dest``."""
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, dest / name)
    return dest


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for :data:`LCGRAPH` subprocesses: this checkout first on the path, and
    no ``LCGRAPH_*`` settings inherited from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCGRAPH_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env
