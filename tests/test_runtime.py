"""lcgraph.runtime: the malloc settings that lcgraph's own processes apply.

Each case runs in a fresh interpreter: the settings are process-wide, and what is checked is
their effect (page faults when a freed block is allocated again), not a flag.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from lcgraph.cli import cli
from lcgraph.runtime import is_glibc
from tests.support import subprocess_env

glibc = pytest.mark.skipif(
    not is_glibc(),
    reason="glibc's malloc settings (the setting is a no-op elsewhere, tested below)",
)

# a 16 MB array allocated, written and freed twice: the page faults of the second round
PROBE = """
import json, resource
from lcgraph.runtime import keep_freed_memory
applied = keep_freed_memory()
import numpy as np
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
a = np.ones(2 << 20); del a
before = faults()
a = np.ones(2 << 20); del a
print(json.dumps({"applied": applied, "faults": faults() - before}))
"""


def probe(**env: str) -> dict:
    clean = {k: v for k, v in subprocess_env().items() if not k.startswith("MALLOC_")}
    clean.pop("GLIBC_TUNABLES", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


@glibc
def test_freed_memory_is_reused_without_page_faults():
    kept = probe()
    returned = probe(LCGRAPH_MALLOC_KEEP="0")
    assert kept["applied"] is True and returned["applied"] is False
    assert kept["faults"] < 50 < returned["faults"]


@glibc
@pytest.mark.parametrize(
    "env",
    [
        {"LCGRAPH_MALLOC_KEEP": "0"},
        {"LCGRAPH_MALLOC_KEEP": "lots"},  # malformed: ignored, as glibc ignores its own
        {"MALLOC_TRIM_THRESHOLD_": "1000000"},  # the operator's own choice wins
        {"MALLOC_MMAP_THRESHOLD_": "1000000"},
        {"MALLOC_TOP_PAD_": "1000000"},
        {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1000000"},
    ],
)
def test_settings_left_alone(env):
    assert probe(**env)["applied"] is False


def test_a_non_glibc_system_is_left_alone(monkeypatch):
    from lcgraph import runtime

    monkeypatch.setattr(runtime, "is_glibc", lambda: False)
    assert runtime.keep_freed_memory() is False


def test_the_cli_applies_it(monkeypatch):
    from lcgraph import runtime

    calls = []
    monkeypatch.setattr(runtime, "keep_freed_memory", lambda: calls.append(1) or True)
    result = CliRunner().invoke(cli, ["queries"])
    assert result.exit_code == 0
    assert calls == [1]


def test_importing_the_library_changes_nothing():
    code = (
        "import sys, lcgraph, lcgraph.analysis.brokerage, lcgraph.store, lcgraph.queries; "
        "print('lcgraph.runtime' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False"
