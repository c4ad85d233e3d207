"""Factor weights: the documented defaults, a TOML or JSON file, and ``name=value`` overrides.

A weights file names some or all factors, at the top level or under a ``[weights]`` table::

    # weights.toml
    [weights]
    complementarity = 3   # the secretariat's priority: demand meets supply
    novelty = 1           # prefer pairs that do not work together yet

Factors left out keep their defaults. A weight is a finite number >= 0; 0 removes the factor.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from lcgraph.errors import InputError
from lcgraph.match.factors import FACTORS

#: The defaults: complementarity weighs most, because matching demand with supply is what the
#: platform's secretariat does (seed 004, capacity building; seed 003, technical assistance).
DEFAULT_WEIGHTS: dict[str, float] = {
    "topics": 1.0,
    "complementarity": 1.5,
    "profile": 1.0,
    "proximity": 1.0,
    "novelty": 0.5,
}
MAX_WEIGHT = 1000.0


def check(weights: Mapping[str, object], where: str = "weights") -> dict[str, float]:
    """Validate a mapping of factor weights; return it as floats in the factors' order.

    >>> check({"topics": 2, "novelty": 0})["topics"]
    2.0
    >>> check({"topcs": 1})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lcgraph.errors.InputError: weights: unknown factor 'topcs' (factors: topics, ...)
    """
    out: dict[str, float] = {}
    for name, value in weights.items():
        if name not in FACTORS:
            raise InputError(f"{where}: unknown factor {name!r} (factors: {', '.join(FACTORS)})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}: the weight of {name!r} must be a number, not {value!r}")
        value = float(value)
        if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
            raise InputError(
                f"{where}: the weight of {name!r} must be a number from 0 to {MAX_WEIGHT:g}, "
                f"not {value!r}"
            )
        out[name] = value
    return {name: out[name] for name in FACTORS if name in out}


def merged(*layers: Mapping[str, float]) -> dict[str, float]:
    """Defaults overridden by each layer in turn; at least one evidence factor must weigh > 0."""
    weights = dict(DEFAULT_WEIGHTS)
    for layer in layers:
        weights.update(check(layer))
    if not any(weights[name] > 0 for name in FACTORS if name != "novelty"):
        raise InputError(
            "weights: topics, complementarity, profile and proximity are all 0; "
            "at least one must be above 0 for any candidate to rank"
        )
    return weights


def read_file(path: str | Path) -> dict[str, float]:
    """Weights from a ``.toml`` or ``.json`` file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such weights file")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the weights file: {exc}") from exc
    if suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{path}: not valid TOML: {exc}") from exc
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    else:
        raise InputError(f"{path}: a weights file is .toml or .json, not {suffix or 'no suffix'!r}")
    if isinstance(data, dict) and isinstance(data.get("weights"), dict):
        data = data["weights"]
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a table of factor = weight")
    return check(data, str(path))


def parse_options(options: Iterable[str]) -> dict[str, float]:
    """``name=value`` strings (``--weight complementarity=3``) as weights.

    >>> parse_options(["topics=2", "novelty=0"])
    {'topics': 2.0, 'novelty': 0.0}
    """
    out: dict[str, object] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep:
            raise InputError(f"--weight {option!r}: expected FACTOR=NUMBER, e.g. complementarity=3")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"--weight {option!r}: {value!r} is not a number") from None
    return check(out, "--weight")
