"""The two-command setup and CI: the README's commands, the Makefile's recipes, ``.ci/run``.

Running ``make test`` from here would run this suite recursively, so the recipes are checked
with stand-ins: ``make -o`` skips the install prerequisites and ``PY=`` points at a fake
interpreter; ``.ci/run`` gets a fake ``make`` first on its PATH. What the stand-ins exit with is
what pytest would: 0 (passed), 1 (failures), 5 (no test collected).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REPO

MAKE = shutil.which("make")


def fake_program(folder: Path, name: str, exit_code: int) -> Path:
    """A program that logs its arguments to ``name.log`` and exits with ``exit_code``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "$@" >> "{folder / name}.log"\nexit {exit_code}\n')
    path.chmod(0o755)
    return path


def test_readme_starts_with_exactly_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```\w*\n(.*?)```", text, re.DOTALL)
    assert first_block and text.index("```") < 40, "the README must open with its commands"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_make_run_builds_then_validates():
    # --no-print-directory: under CI's `make test` this make is a sub-make, which would print
    # "Entering directory .../lcgraph" lines
    result = subprocess.run(
        [MAKE, "-n", "--no-print-directory", "-o", "install", "run"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    steps = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith(".venv/bin/lcgraph")
    ]
    assert steps[:2] == ["build", "validate"], result.stdout


@pytest.mark.parametrize(
    ("pytest_exit", "make_exit", "named"),
    [(0, 0, False), (1, 2, False), (5, 2, True)],
    ids=["passed", "failed", "no-tests"],
)
def test_make_test_fails_on_failures_and_on_no_tests(tmp_path, pytest_exit, make_exit, named):
    python = fake_program(tmp_path, "python", pytest_exit)
    skip_installs = ["-o", "install-test", "-o", "browser-deps"]
    result = subprocess.run(
        [MAKE, "-s", *skip_installs, "test", f"PY={python}", "PYTEST_ARGS=-q tests/x.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == make_exit, result.stderr
    assert (tmp_path / "python.log").read_text().split() == ["-m", "pytest", "-q", "tests/x.py"]
    assert ("collected no tests" in result.stderr) is named, result.stderr


@pytest.mark.parametrize(
    ("make_exit", "ci_exit"),
    [(0, 0), (2, 2), (1, 1), (5, 1)],
    ids=["passed", "make-failed", "failed", "pytest-exit-5-passed-through"],
)
def test_ci_run_calls_make_test_and_fails_on_exit_5(tmp_path, make_exit, ci_exit):
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "run", checkout / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    fake_program(bin_dir, "make", make_exit)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTEST_ARGS": "-x"}
    result = subprocess.run(
        ["bash", str(checkout / ".ci" / "run")], capture_output=True, text=True, env=env
    )
    assert result.returncode == ci_exit, result.stderr
    assert (bin_dir / "make.log").read_text().strip() == "test PYTEST_ARGS=-x"
    assert ("collected no tests" in result.stderr) is (make_exit == 5)


def test_ci_run_is_executable():
    assert os.access(REPO / ".ci" / "run", os.X_OK)
