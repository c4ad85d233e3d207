"""An in-memory table of the facts that matching reads: triples by predicate, with their graphs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from sys import intern

from lcgraph.match.model import Fact, Lit, Term
from lcgraph.match.read import Quad


class FactTable:
    """Triples indexed by predicate and subject, each with the named graphs that state it.

    >>> t = FactTable([("s", "p", "o", "g1"), ("s", "p", "o", "g2")])
    >>> t.fact("s", "p", "o")
    Fact(s='s', p='p', o='o', graphs=('g1', 'g2'))
    >>> t.subjects("p", "o")
    ['s']
    """

    def __init__(self, quads: Iterable[Quad] = ()):
        # graphs are kept as shared sorted tuples and IRIs interned: a store of a million
        # triples repeats the same few graphs and the same subjects over and over
        self._by_p: dict[str, dict[str, dict[Term, tuple[str, ...]]]] = {}
        self._inverse: dict[str, dict[Term, list[str]]] = {}
        self._graph_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        for quad in quads:
            self.add(*quad)

    def add(self, s: str, p: str, o: Term, g: str) -> None:
        s, p, g = intern(s), intern(p), intern(g)
        if isinstance(o, str):
            o = intern(o)
        objects = self._by_p.setdefault(p, {}).setdefault(s, {})
        graphs = objects.get(o)
        if graphs is None:
            objects[o] = self._shared((g,))
        elif g not in graphs:
            objects[o] = self._shared(tuple(sorted((*graphs, g))))
        if self._inverse:
            self._inverse.pop(p, None)

    def _shared(self, graphs: tuple[str, ...]) -> tuple[str, ...]:
        return self._graph_tuples.setdefault(graphs, graphs)

    def __len__(self) -> int:
        return sum(len(objs) for subj in self._by_p.values() for objs in subj.values())

    def objects(self, s: str, p: str) -> list[Term]:
        """Objects of ``s p ?o`` in a stable order (IRIs and literals by their text)."""
        objects = self._by_p.get(p, {}).get(s)
        if not objects:
            return []
        if len(objects) == 1:  # most (subject, predicate) pairs: nothing to order
            return list(objects)
        return sorted(objects, key=_term_key)

    def iris(self, s: str, p: str) -> list[str]:
        return [o for o in self.objects(s, p) if isinstance(o, str)]

    def literals(self, s: str, p: str) -> list[Lit]:
        return [o for o in self.objects(s, p) if isinstance(o, Lit)]

    def subjects(self, p: str, o: Term) -> list[str]:
        """Subjects of ``?s p o``, sorted."""
        inverse = self._inverse.get(p)
        if inverse is None:
            inverse = {}
            for s, objects in self._by_p.get(p, {}).items():
                for obj in objects:
                    inverse.setdefault(obj, []).append(s)
            for subjects in inverse.values():
                subjects.sort()
            self._inverse[p] = inverse
        return inverse.get(o, [])

    def pairs(self, p: str) -> Iterator[tuple[str, Term]]:
        """All ``(s, o)`` of predicate ``p``, in a stable order."""
        for s in sorted(self._by_p.get(p, {})):
            for o in self.objects(s, p):
                yield s, o

    def subjects_of(self, p: str) -> list[str]:
        return sorted(self._by_p.get(p, {}))

    def has(self, s: str, p: str, o: Term) -> bool:
        return o in self._by_p.get(p, {}).get(s, {})

    def graphs(self, s: str, p: str, o: Term) -> tuple[str, ...]:
        return self._by_p.get(p, {}).get(s, {}).get(o) or ()

    def fact(self, s: str, p: str, o: Term) -> Fact:
        """The fact ``s p o``; raises KeyError when the table does not hold it."""
        graphs = self.graphs(s, p, o)
        if not graphs:
            raise KeyError((s, p, o))
        return Fact(s, p, o, graphs)


def _term_key(term: Term) -> tuple:
    if isinstance(term, Lit):
        return (1, term.value, term.datatype or "", term.language or "")
    return (0, term, "", "")
