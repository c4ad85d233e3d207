"""All candidates scored at once: the factors of :mod:`lcgraph.match.factors`, vectorised.

A :class:`Screen` is built once per catalog and mode (the precomputation); scoring one query
then touches only the postings of the query's own topics, needs, offers and neighbours, plus a
few numpy operations over the candidate arrays. What is precomputed:

- the candidates of the mode and their order for ties (label, then IRI);
- postings (inverted lists) concept -> (candidates, strengths) for topics, supply and demand,
  with each candidate's IDF-weighted sums (the denominators of the Jaccard and coverage);
- postings node -> candidates for the relation graph, with each node's Adamic-Adar weight;
- arrays of log population, log area, target-kind masks, ambition, base- and target-year
  masks, country and world-region codes (peers); postings place -> candidates (supporters);
- country code -> candidates, for ``--country``.

The scores equal those of the factor functions up to float rounding; the tests check it on the
seed graph and on random graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from lcgraph.match import vocab as V
from lcgraph.match.catalog import Catalog
from lcgraph.match.factors import numbers, place_keys
from lcgraph.match.model import Item, Profile

_NO = -1


def candidate_kinds(mode: str) -> frozenset[str]:
    return V.PEER_KINDS if mode == "peers" else V.SUPPORTER_KINDS


def is_candidate(p: Profile, mode: str) -> bool:
    """Peers: cities, regions. Supporters: networks, programmes (no policies), organisations, tools.

    A policy is something an actor does, not someone who could support it; it counts towards
    its runner's supply instead.
    """
    if p.kind not in candidate_kinds(mode):
        return False
    return mode == "peers" or V.POLICY not in p.types


def _popcount(values: np.ndarray) -> np.ndarray:
    counter = getattr(np, "bitwise_count", None)
    if counter is not None:
        return counter(values)
    v = values.astype(np.uint64)
    out = np.zeros(v.shape, dtype=np.int64)
    while v.any():
        out += (v & np.uint64(1)).astype(np.int64)
        v = v >> np.uint64(1)
    return out


class _Postings:
    """concept -> (candidate indices, strengths), and each candidate's weighted sum."""

    def __init__(self, rows: list[Mapping[str, Item]], weight):
        lists: dict[str, tuple[list[int], list[float]]] = {}
        sums = np.zeros(len(rows))
        for i, items in enumerate(rows):
            for concept, item in items.items():
                idx, val = lists.setdefault(concept, ([], []))
                idx.append(i)
                val.append(item.strength)
                sums[i] += weight(concept) * item.strength
        self.lists = {
            k: (np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=float))
            for k, (idx, val) in lists.items()
        }
        self.sums = sums

    def min_sum(self, query: Mapping[str, Item], weight, n: int) -> np.ndarray:
        """Σ_k w(k)·min(q_k, x_k) for every candidate x."""
        out = np.zeros(n)
        for concept, item in query.items():
            hit = self.lists.get(concept)
            if hit is not None:
                idx, val = hit
                out[idx] += weight(concept) * np.minimum(item.strength, val)
        return out


class Screen:
    """Precomputed arrays for one mode over one catalog (see the module docstring)."""

    def __init__(self, cat: Catalog, mode: str):
        self.cat = cat
        self.mode = mode
        profiles = [p for _, p in sorted(cat.profiles.items()) if is_candidate(p, mode)]
        self.profiles = profiles
        self.ids = [p.iri for p in profiles]
        self.pos = {iri: i for i, iri in enumerate(self.ids)}
        n = self.n = len(profiles)
        ordered = sorted(range(n), key=lambda i: (profiles[i].label.casefold(), profiles[i].iri))
        self.tie_order = np.empty(n, dtype=np.int64)
        self.tie_order[ordered] = np.arange(n)

        idf = cat.topic_idf
        self.topics = _Postings([p.topics for p in profiles], idf)
        self.supply = _Postings([p.supply for p in profiles], idf)
        self.demand = _Postings([p.demand for p in profiles], idf)

        nb: dict[str, list[int]] = {}
        for i, p in enumerate(profiles):
            for z in p.neighbours:
                nb.setdefault(z, []).append(i)
        self.neighbours = {z: np.asarray(idx, dtype=np.int64) for z, idx in nb.items()}

        codes: dict[str, list[int]] = {}
        for i, p in enumerate(profiles):
            places = {p.country} if p.country else set()
            if mode != "peers":
                places |= set(p.reach)
            for place in places:
                code = cat.country_code(place)
                if code:
                    codes.setdefault(code, []).append(i)
        self.by_country = {
            c: np.asarray(sorted(set(idx)), dtype=np.int64) for c, idx in codes.items()
        }

        if mode == "peers":
            self._profile_arrays(profiles)
        else:
            reach: dict[str, list[int]] = {}
            home: dict[str, list[int]] = {}
            for i, p in enumerate(profiles):
                for place in p.reach:
                    reach.setdefault(place, []).append(i)
                if p.country:
                    home.setdefault(p.country, []).append(i)
            self.reach = {k: np.asarray(v, dtype=np.int64) for k, v in reach.items()}
            self.home = {k: np.asarray(v, dtype=np.int64) for k, v in home.items()}
            self.has_reach = np.asarray([bool(p.reach) for p in profiles], dtype=bool)

    def _profile_arrays(self, profiles: list[Profile]) -> None:
        nums = [numbers(p) for p in profiles]
        self.log_pop = np.asarray(
            [np.log10(x.population) if x.population else np.nan for x in nums]
        )
        self.log_area = np.asarray([np.log10(x.area) if x.area else np.nan for x in nums])
        self.kinds = np.asarray([x.kinds for x in nums], dtype=np.uint64)
        self.ambition = np.asarray([np.nan if x.ambition is None else x.ambition for x in nums])
        self.base_years = np.asarray([x.base_years for x in nums], dtype=np.uint64)
        self.target_years = np.asarray([x.target_years for x in nums], dtype=np.uint64)
        self.kinds_count = _popcount(self.kinds)
        self.base_count = _popcount(self.base_years)
        self.target_count = _popcount(self.target_years)
        self._codes: dict[str, int] = {}
        self.country = np.asarray([self._code(p.country) for p in profiles], dtype=np.int64)
        self.region = np.asarray([self._code(p.world_region) for p in profiles], dtype=np.int64)

    def _code(self, iri: str | None) -> int:
        if iri is None:
            return _NO
        return self._codes.setdefault(iri, len(self._codes))

    # --- scoring -----------------------------------------------------------------------
    def scores(self, a: Profile) -> dict[str, np.ndarray]:
        """Every factor's score for every candidate against the query ``a``."""
        idf = self.cat.topic_idf
        n = self.n

        s_min = self.topics.min_sum(a.topics, idf, n)
        a_sum = sum(idf(k) * v.strength for k, v in a.topics.items())
        denom = a_sum + self.topics.sums - s_min
        topics = np.divide(s_min, denom, out=np.zeros(n), where=denom > 0)

        need = sum(idf(k) * v.strength for k, v in a.demand.items())
        x_ab = self.supply.min_sum(a.demand, idf, n) / need if need > 0 else np.zeros(n)
        if self.mode == "peers":
            met = self.demand.min_sum(a.supply, idf, n)
            x_ba = np.divide(met, self.demand.sums, out=np.zeros(n), where=self.demand.sums > 0)
            complementarity = 1.0 - (1.0 - x_ab) * (1.0 - x_ba)
            profile = self._profile(a)
        else:
            complementarity = x_ab
            profile = self._reach(a)

        aa = np.zeros(n)
        for z in a.neighbours:
            idx = self.neighbours.get(z)
            if idx is not None:
                aa[idx] += self.cat.node_weight(z)
        proximity = 1.0 - np.exp(-aa)

        novelty = np.ones(n)
        linked = [self.pos[z] for z in a.neighbours if z in self.pos]
        novelty[linked] = 0.0
        scores = {
            "topics": topics,
            "complementarity": complementarity,
            "profile": profile,
            "proximity": proximity,
            "novelty": novelty,
        }
        # ratios such as s_min / (a + b - s_min) can land a rounding error above 1
        return {name: np.clip(values, 0.0, 1.0) for name, values in scores.items()}

    def _profile(self, a: Profile) -> np.ndarray:
        x = numbers(a)
        parts = V.PROFILE_PARTS
        total = np.zeros(self.n)

        def closeness(value, column):
            if not value:
                return 0.0
            with np.errstate(invalid="ignore"):
                sim = 1.0 - np.abs(np.log10(value) - column) / 2.0
            return np.where(np.isnan(sim), 0.0, np.clip(sim, 0.0, None))

        def jaccard(mask: int, column: np.ndarray, counts: np.ndarray) -> np.ndarray:
            if not mask:
                return 0.0
            inter = _popcount(column & np.uint64(mask))
            union = mask.bit_count() + counts - inter
            return np.divide(inter, union, out=np.zeros(self.n), where=union > 0)

        total += parts["population"] * closeness(x.population, self.log_pop)
        total += parts["area"] * closeness(x.area, self.log_area)
        total += parts["target_kinds"] * jaccard(x.kinds, self.kinds, self.kinds_count)
        if x.ambition is not None:
            sim = 1.0 - np.abs(x.ambition - self.ambition) / 100.0
            total += parts["ambition"] * np.where(np.isnan(sim), 0.0, np.clip(sim, 0.0, None))
        total += parts["base_years"] * jaccard(x.base_years, self.base_years, self.base_count)
        total += parts["target_years"] * jaccard(
            x.target_years, self.target_years, self.target_count
        )
        country = self._codes.get(a.country, _NO - 1) if a.country else _NO - 1
        region = self._codes.get(a.world_region, _NO - 1) if a.world_region else _NO - 1
        place = np.where(self.country == country, 1.0, np.where(self.region == region, 0.5, 0.0))
        total += parts["place"] * place
        return total / sum(parts.values())

    def _reach(self, a: Profile) -> np.ndarray:
        out = np.where(self.has_reach, 0.0, 0.5)
        for key in place_keys(a, self.cat):
            idx = self.reach.get(key)
            if idx is not None:
                out[idx] = 1.0
        if a.country in self.home:
            out[self.home[a.country]] = 1.0
        return out

    def country_mask(self, code: str) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        idx = self.by_country.get(code.upper())
        if idx is not None:
            mask[idx] = True
        return mask

    def evidence_factors(self) -> tuple[str, ...]:
        """Factors that make a candidate worth listing (novelty and reach alone do not)."""
        if self.mode == "peers":
            return ("topics", "complementarity", "profile", "proximity")
        return ("topics", "complementarity", "proximity")


def stack(
    scores: Mapping[str, np.ndarray], weights: Mapping[str, float], names: Iterable[str]
) -> np.ndarray:
    """Weighted sum of factor arrays divided by the sum of weights."""
    total = sum(weights.values())
    out = np.zeros_like(next(iter(scores.values())))
    for name in names:
        if weights[name]:
            out += weights[name] * scores[name]
    return out / total if total > 0 else out
