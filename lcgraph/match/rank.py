"""Ranking: score every candidate, keep the best, explain them.

:func:`match` screens all candidates at once (:class:`~lcgraph.match.screen.Screen`), keeps the
``top`` best by total score, and explains each with the factor functions, whose scores it
reports. :func:`match_naive` loops over the candidates with the factor functions alone; the
benchmark compares the two and the tests check that they agree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lcgraph.errors import InputError
from lcgraph.match import vocab as V
from lcgraph.match.catalog import Catalog
from lcgraph.match.factors import FACTORS, evaluate
from lcgraph.match.model import Candidate, FactorResult, MatchResult, Profile
from lcgraph.match.resolve import resolve
from lcgraph.match.screen import Screen, is_candidate, stack
from lcgraph.match.weights import merged

MAX_TOP = 1000


def screen_for(cat: Catalog, mode: str) -> Screen:
    """The catalog's screen for a mode, built on first use and kept."""
    key = f"screen:{mode}"
    screen = cat.cache.get(key)
    if screen is None:
        screen = cat.cache[key] = Screen(cat, mode)
    return screen


def total(factors: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of factor scores: ``Σ w·s / Σ w``.

    >>> total({"topics": 1.0, "novelty": 0.0}, {"topics": 1.0, "novelty": 1.0})
    0.5
    """
    weight = sum(weights.values())
    return sum(weights[k] * factors[k] for k in weights) / weight if weight > 0 else 0.0


def _check(cat: Catalog, mode: str, top: int, country: str | None) -> str | None:
    if mode not in V.MODES:
        raise InputError(f"unknown mode {mode!r} (modes: {', '.join(V.MODES)})")
    if not 1 <= top <= MAX_TOP:
        raise InputError(f"top must be from 1 to {MAX_TOP}, not {top}")
    if country is None:
        return None
    code = country.strip().upper()
    known = sorted(set(cat.iso2.values()))
    if code not in known:
        raise InputError(
            f"country {country!r}: no country with this ISO 3166 alpha-2 code in the graph "
            f"(known: {', '.join(known) or 'none'})"
        )
    return code


def _empty(a: Profile, mode: str, weights, code, note: str, considered: int = 0) -> MatchResult:
    return MatchResult(a.iri, a.label, a.kind, mode, dict(weights), [], considered, note, code)


def _no_data_note(a: Profile) -> str:
    return (
        f"{a.label} has no facts that matching uses (topics, targets, programmes, networks, "
        "collaborations, population, area, country): add them to the graph and rebuild the store"
    )


def _candidate(cat: Catalog, b: Profile, results: dict[str, FactorResult], weights) -> Candidate:
    factors = {name: results[name].score for name in FACTORS}
    reasons = [r for name in FACTORS for r in results[name].reasons]
    return Candidate(
        iri=b.iri,
        label=b.label,
        kind=b.kind,
        country=cat.label(b.country) if b.country else None,
        score=total(factors, weights),
        factors=factors,
        already_collaborating=results["novelty"].score == 0.0,
        reasons=reasons,
    )


def match(
    cat: Catalog,
    query: str | Profile,
    *,
    mode: str = "peers",
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    country: str | None = None,
) -> MatchResult:
    """Rank candidates for ``query`` (a name, see :func:`~lcgraph.match.resolve.resolve`).

    ``mode`` is ``peers`` (cities and regions) or ``supporters`` (networks, programmes,
    organisations, tools); ``weights`` override the defaults; ``country`` (ISO 3166 alpha-2)
    keeps candidates in that country (supporters: based in or covering it).

    A candidate is listed only when some evidence factor (topics, complementarity, proximity;
    peers also profile) is above 0 under the weights: novelty alone, or a supporter's unstated
    reach, does not make a match. Raises :class:`~lcgraph.errors.InputError` for bad input; a
    query with no usable facts gives an empty result with a note.
    """
    weights = merged(weights or {})
    code = _check(cat, mode, top, country)
    a = query if isinstance(query, Profile) else resolve(cat, query)
    if a.is_empty:
        return _empty(a, mode, weights, code, _no_data_note(a))
    screen = screen_for(cat, mode)
    scores = screen.scores(a)
    # rounded so that float noise never reorders ties (the tie order is label, then IRI)
    totals = np.round(stack(scores, weights, FACTORS), 12)
    evidence = stack(scores, weights, screen.evidence_factors())
    keep = evidence > 1e-12
    if a.iri in screen.pos:
        keep[screen.pos[a.iri]] = False
    if code:
        keep &= screen.country_mask(code)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        where = f" in {code}" if code else ""
        note = (
            f"no {mode} candidate{where} shares any topic, need, profile trait or relation "
            f"with {a.label}"
        )
        return _empty(a, mode, weights, code, note)
    order = idx[np.lexsort((screen.tie_order[idx], -totals[idx]))][:top]
    candidates = [
        _candidate(cat, screen.profiles[i], evaluate(cat, a, screen.profiles[i], mode), weights)
        for i in order
    ]
    return MatchResult(
        a.iri, a.label, a.kind, mode, dict(weights), candidates, int(idx.size), None, code
    )


def match_naive(
    cat: Catalog,
    query: str | Profile,
    *,
    mode: str = "peers",
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    country: str | None = None,
) -> MatchResult:
    """The same ranking as :func:`match`, one candidate at a time with the factor functions."""
    weights = merged(weights or {})
    code = _check(cat, mode, top, country)
    a = query if isinstance(query, Profile) else resolve(cat, query)
    if a.is_empty:
        return _empty(a, mode, weights, code, _no_data_note(a))
    evidence_names = ("topics", "complementarity", "proximity") + (
        ("profile",) if mode == "peers" else ()
    )
    ranked = []
    for b in cat.profiles.values():
        if b.iri == a.iri or not is_candidate(b, mode):
            continue
        if code and not _in_country(cat, b, code, mode):
            continue
        results = evaluate(cat, a, b, mode, explain=False)
        scores = {k: r.score for k, r in results.items()}
        if (
            total({k: scores[k] for k in evidence_names}, {k: weights[k] for k in evidence_names})
            <= 1e-12
        ):
            continue
        ranked.append((-round(total(scores, weights), 12), b.label.casefold(), b.iri, b))
    ranked.sort(key=lambda r: r[:3])
    candidates = [_candidate(cat, b, evaluate(cat, a, b, mode), weights) for *_, b in ranked[:top]]
    note = None if ranked else f"no {mode} candidate shares anything with {a.label}"
    return MatchResult(
        a.iri, a.label, a.kind, mode, dict(weights), candidates, len(ranked), note, code
    )


def _in_country(cat: Catalog, b: Profile, code: str, mode: str) -> bool:
    places = {b.country} if b.country else set()
    if mode != "peers":
        places |= set(b.reach)
    return any(cat.country_code(p) == code for p in places)
