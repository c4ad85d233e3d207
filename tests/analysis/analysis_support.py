"""Names and helpers shared by the analysis tests (a plain module: conftest.py is for fixtures,
and its module name is shared with other test folders)."""

from __future__ import annotations

import os
import sys

from lcgraph.config import ROOT

#: Entities of data/000-kuala-lumpur-tokyo.trig
BASE = "https://w3id.org/lcc/id/"
TOKYO = BASE + "city/tokyo"
KUALA_LUMPUR = BASE + "city/kuala-lumpur"
#: ANMC21 by its label: its slug is not settled (anmc21 / asian-network-of-major-cities-21)
ANMC21_LABEL = "Asian Network of Major Cities 21"
C40 = BASE + "network/c40"
C40_REGION = BASE + "network/c40-east-southeast-asia-oceania"
CAP_AND_TRADE = BASE + "programme/tokyo-cap-and-trade"


def node_by_label(G, label: str):
    """The one node of ``G`` with this label."""
    found = [n for n, d in G.nodes(data=True) if d.get("label") == label]
    assert len(found) == 1, f"{len(found)} nodes labelled {label!r}"
    return found[0]


def lcgraph_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "lcgraph", *args]


def subprocess_env() -> dict[str, str]:
    """The environment for a subprocess that must import this checkout's lcgraph."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env
