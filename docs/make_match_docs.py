"""Regenerate the generated parts of docs/match.md: the defaults and the worked example.

Run ``python docs/make_match_docs.py`` after changing the defaults in lcgraph/match or the
data; ``--check`` only reports whether the guide is up to date (exit 1 when it is not).
tests/test_match_docs.py fails when the guide is stale and names this command.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GUIDE = ROOT / "docs" / "match.md"

#: The worked example: the commands whose output the guide shows, run on the seed graph.
EXAMPLE_COMMANDS = (
    ["match", "kitakyushu", "--top", "3", "--reasons", "4"],
    [
        "match",
        "kitakyushu",
        "--top",
        "3",
        "--reasons",
        "0",
        "-w",
        "novelty=3",
        "-w",
        "complementarity=0",
    ],
    ["match", "Kwangju", "--mode", "supporters", "--top", "3", "--reasons", "2"],
)


def defaults_block() -> str:
    from lcgraph.match import vocab as V
    from lcgraph.match.catalog import _slug
    from lcgraph.match.weights import DEFAULT_WEIGHTS

    lines = ["| factor | default weight |", "|---|---:|"]
    lines += [f"| `{k}` | {v:g} |" for k, v in DEFAULT_WEIGHTS.items()]
    lines += ["", "| evidence | strength |", "|---|---:|"]
    lines += [f"| `{k}` | {v:g} |" for k, v in V.STRENGTH.items()]
    lines += ["", "| profile part (peers) | weight |", "|---|---:|"]
    lines += [f"| `{k}` | {v:g} |" for k, v in V.PROFILE_PARTS.items()]
    lines += ["", "| target indicator or kind | read as topic |", "|---|---|"]
    rules = {**V.INDICATOR_TOPICS, **V.KIND_TOPICS}
    lines += [
        f"| `lcc:{_slug(k).split('#')[-1]}` | `lcc:{_slug(v).split('#')[-1]}` |"
        for k, v in rules.items()
    ]
    return "\n".join(lines)


def example_block() -> str:
    from click.testing import CliRunner

    from lcgraph.cli import cli

    parts = []
    for args in EXAMPLE_COMMANDS:
        result = CliRunner().invoke(
            cli, [*args, "--store", str(ROOT / ".lcgraph" / "no-store-here")]
        )
        if result.exit_code != 0:
            raise RuntimeError(f"lcgraph {' '.join(args)} failed: {result.output}")
        parts.append(f"```\n$ lcgraph {' '.join(args)}\n{result.output.rstrip()}\n```")
    return "\n\n".join(parts)


def json_block() -> str:
    """An excerpt of ``--format json`` for Kitakyushu: the first candidate, one reason."""
    import json

    from click.testing import CliRunner

    from lcgraph.cli import cli

    args = ["match", "kitakyushu", "--top", "1", "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--store", str(ROOT / ".lcgraph" / "no-store-here")])
    data = json.loads(result.output)
    candidate = data["candidates"][0]
    reason = next(r for r in candidate["reasons"] if r["factor"] == "complementarity")
    excerpt = {
        **{k: data[k] for k in ("query", "mode", "country", "weights", "considered", "note")},
        "candidates": [{**candidate, "reasons": [{**reason, "facts": reason["facts"][:1]}]}],
    }
    text = json.dumps(excerpt, ensure_ascii=False, indent=2)
    return f"```\n$ lcgraph {' '.join(args)}   # excerpt: one reason, one of its facts\n{text}\n```"


def render(text: str) -> str:
    """The guide with its generated blocks replaced by fresh ones."""
    blocks = (("defaults", defaults_block), ("json", json_block), ("example", example_block))
    for name, make in blocks:
        pattern = re.compile(
            rf"(<!-- generated:{name} start -->\n)(?:.*?\n)?(<!-- generated:{name} end -->)", re.S
        )
        if not pattern.search(text):
            raise RuntimeError(f"{GUIDE}: no generated:{name} block")
        block = make()
        text = pattern.sub(lambda m, block=block: m.group(1) + block + "\n" + m.group(2), text)
    return text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = GUIDE.read_text(encoding="utf-8")
    fresh = render(text)
    if "--check" in argv:
        if fresh != text:
            print(f"{GUIDE} is out of date: run python docs/make_match_docs.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(fresh, encoding="utf-8")
    print(f"wrote {GUIDE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
