"""Peer-match candidates for a city, ranked and explained.

For a city (or any actor), :func:`match` ranks candidate partner cities and regions (mode
``peers``) or networks, programmes, organisations and tools that could support it (mode
``supporters``), from five factors computed from the graph: shared topics, complementarity of
demand and supply, similarity of profile (supporters: reach), network proximity, and novelty.
Each candidate comes with its total score, the factor scores, and reasons that cite the facts
(triples with their named graphs) and source documents they rest on. docs/match.md is the guide.

>>> from lcgraph.match import DEFAULT_WEIGHTS
>>> sorted(DEFAULT_WEIGHTS)
['complementarity', 'novelty', 'profile', 'proximity', 'topics']

I/O stays at the edges: :func:`load_catalog` reads a store or an endpoint once;
:func:`build_catalog` and everything after it are pure functions of the facts.
"""

from __future__ import annotations

from lcgraph.match.catalog import Catalog, build_catalog
from lcgraph.match.factors import FACTORS
from lcgraph.match.load import load_catalog
from lcgraph.match.rank import match, match_naive
from lcgraph.match.resolve import NotFound, resolve
from lcgraph.match.weights import DEFAULT_WEIGHTS

__all__ = [
    "DEFAULT_WEIGHTS",
    "FACTORS",
    "Catalog",
    "NotFound",
    "build_catalog",
    "load_catalog",
    "match",
    "match_naive",
    "resolve",
]
