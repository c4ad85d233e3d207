"""Settings and the paths of the project's files, in one place.

Every setting has a default, can be set from the environment (``LCGRAPH_*``) and overridden by
CLI options. Paths to ``ontology/``, ``shapes/``, ``data/`` and ``queries/`` are relative to the
project root (the checkout), which ``LCGRAPH_ROOT`` can move.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_BASE = "https://w3id.org/lcc/"
ONTOLOGY_NS = "https://w3id.org/lcc/ontology#"
ONTOLOGY_IRI = "https://w3id.org/lcc/ontology"

ROOT = Path(os.environ.get("LCGRAPH_ROOT", Path(__file__).resolve().parent.parent))
ONTOLOGY_PATH = ROOT / "ontology" / "lcc.ttl"
SHAPES_DIR = ROOT / "shapes"
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
SEEDS_DIR = Path(os.environ.get("LCGRAPH_SEEDS", ROOT.parent / "shared" / "seeds"))
DEFAULT_STORE = Path(".lcgraph") / "store"

#: Kinds of instance IRIs, ``{base}id/{kind}/{slug}``. DESIGN.md's list, plus ``region``
#: (sub-national and world regions, which are not cities), ``tool``, ``agreement``, ``outcome``,
#: ``facility`` and ``discrepancy``, which the sources need and the list lacked.
KINDS = (
    "city",
    "region",
    "country",
    "network",
    "organisation",
    "programme",
    "tool",
    "collaboration",
    "agreement",
    "event",
    "person",
    "target",
    "activity",
    "outcome",
    "facility",
    "document",
    "discrepancy",
)

#: Named graphs that hold what users wrote (secretariat ingest); ``lcgraph build`` keeps them.
PRESERVED_GRAPHS = ("contrib", "changes")


def _env_number(name: str, default, kind):
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, not {value!r}") from None


def _env_float(name: str, default: float) -> float:
    return _env_number(name, default, float)


#: one or more path segments of URL path characters (RFC 3986 pchar), no dot segments
_PATH_PREFIX = re.compile(r"(?:/(?!\.\.?(?:/|\Z))[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+\Z")


def path_prefix(text: str) -> str:
    """``text`` as a path prefix: ``""`` or ``/a/b`` (no trailing slash).

    >>> path_prefix("/lcc/"), path_prefix(""), path_prefix("/")
    ('/lcc', '', '')
    >>> path_prefix("lcc")
    Traceback (most recent call last):
    ...
    ValueError: a path prefix starts with "/" and holds path segments only (such as /lcc), not 'lcc'
    """
    text = text.strip()
    cleaned = text.rstrip("/")
    if cleaned and not _PATH_PREFIX.match(cleaned):
        raise ValueError(
            'a path prefix starts with "/" and holds path segments only (such as /lcc), '
            f"not {text!r}"
        )
    return cleaned


def _env_path_prefix() -> str:
    try:
        return path_prefix(os.environ.get("LCGRAPH_PATH_PREFIX", ""))
    except ValueError as exc:
        raise ValueError(f"LCGRAPH_PATH_PREFIX: {exc}") from None


def _env_int(name: str, default: int) -> int:
    return _env_number(name, default, int)


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Build with :meth:`from_env`, then :meth:`with_` to override."""

    base: str = DEFAULT_BASE
    #: the embedded store; ``None`` (the default) means ``<root>/.lcgraph/store``, so the store
    #: belongs to the project it is built from, whatever the working directory
    store_path: Path = None  # type: ignore[assignment]  # resolved in __post_init__
    endpoint: str | None = None
    root: Path = ROOT
    query_timeout: float = 10.0
    max_rows: int = 10_000
    max_request_bytes: int = 1_000_000
    max_query_depth: int = 200
    workers: int = 2
    #: lookups whose cost is bounded by this many rows run in the server process, without
    #: the hop to a worker (lcgraph.web.direct); 0 sends every query to the workers
    direct_budget: int = 256
    service_allowlist: tuple[str, ...] = ()
    ingest_token: str | None = field(default=None, repr=False)
    max_ingest_bytes: int = 5_000_000
    #: compute the pages' per-generation caches in the background (lcgraph.web.warm)
    warm_up: bool = True
    #: the path under which a reverse proxy publishes the server (``/lcc``), which it strips
    #: before passing requests on; every link the server writes starts with it ("" for none)
    path_prefix: str = ""
    #: whether ``store_path`` is the root's default (it then follows the root in :meth:`with_`)
    store_is_default: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.store_path is None:
            object.__setattr__(self, "store_path", Path(self.root) / DEFAULT_STORE)
            object.__setattr__(self, "store_is_default", True)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        token = env.get("LCGRAPH_INGEST_TOKEN")
        token_file = env.get("LCGRAPH_INGEST_TOKEN_FILE")
        if not token and token_file and Path(token_file).is_file():
            token = Path(token_file).read_text(encoding="utf-8").strip() or None
        settings = cls(
            base=env.get("LCGRAPH_BASE", DEFAULT_BASE),
            store_path=Path(env["LCGRAPH_STORE"]) if env.get("LCGRAPH_STORE") else None,
            endpoint=env.get("LCGRAPH_ENDPOINT") or None,
            # read now, not at import: a test or a wrapper may point the root elsewhere later
            root=Path(env["LCGRAPH_ROOT"]) if env.get("LCGRAPH_ROOT") else ROOT,
            query_timeout=_env_float("LCGRAPH_QUERY_TIMEOUT", 10.0),
            max_rows=_env_int("LCGRAPH_MAX_ROWS", 10_000),
            max_request_bytes=_env_int("LCGRAPH_MAX_REQUEST_BYTES", 1_000_000),
            max_query_depth=_env_int("LCGRAPH_MAX_QUERY_DEPTH", 200),
            workers=_env_int("LCGRAPH_WORKERS", 2),
            direct_budget=_env_int("LCGRAPH_DIRECT_BUDGET", 256),
            service_allowlist=tuple(
                s for s in env.get("LCGRAPH_SERVICE_ALLOWLIST", "").split() if s
            ),
            ingest_token=token,
            max_ingest_bytes=_env_int("LCGRAPH_MAX_INGEST_BYTES", 5_000_000),
            warm_up=env.get("LCGRAPH_WARM_UP", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            path_prefix=_env_path_prefix(),
        )
        return settings.with_(**overrides)

    def with_(self, **overrides) -> Settings:
        """A copy with the given fields replaced; ``None`` values are ignored."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        for name in ("store_path", "root"):
            if name in clean:
                clean[name] = Path(clean[name])
        if "store_path" in clean:
            clean["store_is_default"] = False
        elif "root" in clean and self.store_is_default:
            clean["store_path"] = None  # the new root's default store
        if "path_prefix" in clean:
            clean["path_prefix"] = path_prefix(clean["path_prefix"])
        if "base" in clean and not clean["base"].endswith(("/", "#")):
            clean["base"] = clean["base"] + "/"
        return replace(self, **clean)

    # --- IRIs -------------------------------------------------------------------------
    def graph_iri(self, slug: str) -> str:
        return f"{self.base}graph/{slug}"

    def entity_iri(self, kind: str, slug: str) -> str:
        return f"{self.base}id/{kind}/{slug}"

    @property
    def ontology_path(self) -> Path:
        return self.root / "ontology" / "lcc.ttl"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"
