"""Finding the actor a user means: by IRI, ``kind:slug``, slug, label or alias.

Names are compared folded (ASCII, case and punctuation ignored), so ``kwangju``, ``Kwangju``
and ``KWANGJU`` all find Gwangju, whose alias it is. An unknown name raises
:class:`~lcgraph.errors.InputError` listing the closest names (difflib).
"""

from __future__ import annotations

import difflib

from lcgraph.errors import InputError
from lcgraph.match.catalog import Catalog, fold
from lcgraph.match.model import Profile

#: When one name fits several actors, the kind a user most likely means comes first.
KIND_PREFERENCE = ("city", "region", "network", "programme", "organisation", "tool")


class NotFound(InputError):
    """An unknown actor; ``suggestions`` are the closest known names."""

    http_status = 404

    def __init__(self, message: str, suggestions: list[dict]):
        super().__init__(message)
        self.suggestions = suggestions


def _rank(p: Profile) -> tuple:
    return (KIND_PREFERENCE.index(p.kind), p.iri)


def name_index(cat: Catalog) -> dict[str, list[Profile]]:
    """Folded name -> the actors it names, best first; built once and kept in ``cat.cache``."""
    names = cat.cache.get("names")
    if names is None:
        names = {}
        for p in cat.profiles.values():
            for name in {p.label, *p.aliases, _slug(p.iri)}:
                key = fold(name)
                if key:
                    names.setdefault(key, []).append(p)
        for found in names.values():
            found.sort(key=_rank)
        cat.cache["names"] = names
    return names


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def resolve(cat: Catalog, name: str) -> Profile:
    """The actor named ``name`` (see the module docstring)."""
    text = name.strip()
    if not text:
        raise InputError("no city given: name a city by slug, label or alias (e.g. kuala-lumpur)")
    if text in cat.profiles:
        return cat.profiles[text]
    kind, sep, slug = text.partition(":")
    if sep and not slug.startswith("//"):
        iri = f"{cat.base}id/{kind}/{slug}"
        if iri in cat.profiles:
            return cat.profiles[iri]
    found = name_index(cat).get(fold(text))
    if found:
        return found[0]
    raise NotFound(_unknown_message(cat, text), suggestions(cat, text))


def suggestions(cat: Catalog, text: str, n: int = 5) -> list[dict]:
    """The closest known actors to a name: ``{"label", "iri", "kind"}``, best first."""
    names = name_index(cat)
    close = difflib.get_close_matches(fold(text), list(names), n=n * 2, cutoff=0.6)
    out: list[dict] = []
    seen: set[str] = set()
    for key in close:
        for p in names[key]:
            if p.iri not in seen:
                seen.add(p.iri)
                out.append({"label": p.label, "iri": p.iri, "kind": p.kind})
    return out[:n]


def _unknown_message(cat: Catalog, text: str) -> str:
    close = suggestions(cat, text)
    if not close:
        return f"unknown city or actor {text!r}; no similar names in the graph"
    listed = ", ".join(f"{s['label']} ({s['kind']}:{_slug(s['iri'])})" for s in close)
    return f"unknown city or actor {text!r}; did you mean: {listed}?"
