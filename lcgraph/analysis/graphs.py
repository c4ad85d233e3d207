"""NetworkX graphs of the knowledge graph, built through saved queries.

Three saved queries give the tables (``queries/nodes-actors.rq``,
``queries/edges-collaboration.rq``, ``queries/edges-membership.rq``); they run unchanged on the
embedded store or on a remote SPARQL endpoint, so the graphs are the same wherever the data
lives. Everything after the queries is pure: :func:`graph_from_tables` and the builders take
rows (dicts) and return graphs, and tests call them on hand-made rows.

The graphs (``GRAPHS``):

``collaboration``
    Partners of city-to-city collaborations (cities, regions, organisations), linked when they
    share a collaboration; edge ``weight`` = number of shared collaborations.
``membership``
    Bipartite: actors (``bipartite=0``: cities, regions, organisations) and the groups they
    belong to (``bipartite=1``: networks, platforms, programmes), through ``org:memberOf``,
    ``org:Membership``, ``lcc:participatesIn`` and ``lcc:pilotCity``; edge ``relation``.
``co-membership``
    Its projection on cities and regions: two places linked with ``weight`` = the number of
    groups they share (``shared`` names them).
``network-overlap``
    Its projection on groups: two groups linked with ``weight`` = the number of members they
    share.
``actors``
    Everything together: collaboration ties, memberships, and organisations or cities running
    a programme or network (``lcc:runBy``), each edge with its ``relations``.

Node attributes: ``kind`` (city, region, network, platform, programme, tool, organisation),
``label``, ``country`` (ISO 3166 alpha-2, or None), ``region`` (the world region of the
country, or None), ``iri``, and ``network``: the largest group (most members) the node belongs
to, a group being its own; None for nodes in no group. Node keys are IRIs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lcgraph.config import Settings
from lcgraph.errors import InputError

__all__ = [
    "GRAPHS",
    "GraphTables",
    "actor_graph",
    "build_graph",
    "co_membership_graph",
    "collaboration_graph",
    "fetch_tables",
    "graph_from_tables",
    "load_graph",
    "membership_graph",
    "network_overlap_graph",
]

#: When a node has several types, the most specific kind wins (a platform is also a network,
#: a network unit also an organisational unit).
KIND_PRIORITY = ("city", "region", "platform", "network", "programme", "tool", "organisation")
GROUP_KINDS = frozenset({"network", "platform", "programme"})
MEMBER_RELATIONS = ("member", "co-sponsor", "participant", "pilot")
RUNS = "runs"


@dataclass
class GraphTables:
    """The rows of the three saved queries."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    collaborations: list[dict[str, Any]] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)


# --- running the saved queries ---------------------------------------------------------------


def _run_saved(source: Any, name: str, settings: Settings) -> list[dict[str, Any]]:
    """Rows of the saved query ``queries/NAME.rq`` on a pyoxigraph store or an endpoint URL.

    Goes through :func:`lcgraph.queries.run`, the one runner of the catalogue, so that the
    analysis sees exactly what a researcher's ``lcgraph query NAME`` sees on the same source.
    Rows map variable names to Python values (IRIs as ``str``, numbers as numbers, gYear as int,
    unbound as None).
    """
    from lcgraph.queries import run

    if isinstance(source, str):
        result = run(name, settings=settings, endpoint=source, timeout=settings.query_timeout)
    else:
        result = run(name, settings=settings, store=source)
    return [
        {k: (str(v) if isinstance(v, str) else v) for k, v in row.items()} for row in result.rows
    ]


def fetch_tables(source: Any, settings: Settings | None = None) -> GraphTables:
    """Run the three saved queries on ``source``: a pyoxigraph store or an endpoint URL."""
    settings = settings or Settings.from_env()
    return GraphTables(
        nodes=_run_saved(source, "nodes-actors", settings),
        collaborations=_run_saved(source, "edges-collaboration", settings),
        memberships=_run_saved(source, "edges-membership", settings),
    )


# --- building graphs from rows ---------------------------------------------------------------


def _node_table(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """One attribute dict per node IRI; the most specific kind of a multi-typed node wins."""
    rank = {kind: i for i, kind in enumerate(KIND_PRIORITY)}
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row["node"]
        attrs = {
            "kind": row["kind"],
            "label": row["label"],
            "country": row.get("country"),
            "region": row.get("region"),
            "iri": iri,
        }
        old = table.get(iri)
        if old is None or rank.get(attrs["kind"], 99) < rank.get(old["kind"], 99):
            if old is not None:  # keep what the other typing found
                attrs["country"] = attrs["country"] or old["country"]
                attrs["region"] = attrs["region"] or old["region"]
            table[iri] = attrs
        else:
            old["country"] = old["country"] or attrs["country"]
            old["region"] = old["region"] or attrs["region"]
    return table


def _add_node(G, iri: str, nodes: Mapping[str, dict[str, Any]]) -> None:
    if iri in G:
        return
    attrs = nodes.get(iri)
    if attrs is None:
        # a node that nodes-actors does not list (an untyped partner, a person): keep it
        # visible rather than dropping its edges, with the end of its IRI as label
        attrs = {"kind": "other", "label": iri.rstrip("/").rsplit("/", 1)[-1], "iri": iri}
        attrs |= {"country": None, "region": None}
    G.add_node(iri, **attrs)


def collaboration_graph(tables: GraphTables):
    """Partners linked when they share a collaboration (``weight``, ``collaborations``)."""
    import networkx as nx

    nodes = _node_table(tables.nodes)
    G = nx.Graph(name="collaboration")
    for row in tables.collaborations:
        a, b = row["source"], row["target"]
        if a == b:
            continue
        _add_node(G, a, nodes)
        _add_node(G, b, nodes)
        if G.has_edge(a, b):
            data = G.edges[a, b]
            if row["collaboration"] not in data["collaborations"]:
                data["collaborations"].append(row["collaboration"])
                data["weight"] = len(data["collaborations"])
        else:
            G.add_edge(a, b, weight=1, collaborations=[row["collaboration"]])
    _set_network(G, tables)
    return G


def membership_graph(tables: GraphTables):
    """Bipartite actor–group graph: ``bipartite`` 0 for actors, 1 for groups.

    A node is a group when something belongs to it (or when its kind is a group kind and it is
    a member nowhere); an actor otherwise. A group that is itself a member of another group
    keeps its place among the groups and that tie goes to the ``actors`` graph only, so the
    graph stays bipartite.
    """
    import networkx as nx

    nodes = _node_table(tables.nodes)
    rows = [r for r in tables.memberships if r["relation"] in MEMBER_RELATIONS]
    groups = {r["group"] for r in rows}
    B = nx.Graph(name="membership")
    for row in rows:
        actor, group = row["actor"], row["group"]
        if actor in groups or actor == group:
            continue
        _add_node(B, actor, nodes)
        _add_node(B, group, nodes)
        B.nodes[actor]["bipartite"] = 0
        B.nodes[group]["bipartite"] = 1
        if B.has_edge(actor, group):
            relations = B.edges[actor, group]["relations"]
            if row["relation"] not in relations:
                relations.append(row["relation"])
                relations.sort()
        else:
            B.add_edge(actor, group, relations=[row["relation"]])
    for _, _, data in B.edges(data=True):
        data["relation"] = _main_relation(data["relations"])
    _set_network(B, tables)
    return B


def _main_relation(relations: list[str]) -> str:
    """One relation for an edge: co-sponsor > member > pilot > participant."""
    for relation in ("co-sponsor", "member", "pilot", "participant"):
        if relation in relations:
            return relation
    return relations[0]


def _projection(B, side: Iterable[str], what: str):
    import networkx as nx

    P = nx.Graph(name=what)
    side = list(side)
    P.add_nodes_from((n, B.nodes[n]) for n in side)
    members = set(side)
    for node in side:
        for hub in B[node]:
            for other in B[hub]:
                if other in members and other != node and not P.has_edge(node, other):
                    shared = sorted(set(B[node]) & set(B[other]), key=lambda h: B.nodes[h]["label"])
                    P.add_edge(
                        node,
                        other,
                        weight=len(shared),
                        shared=[B.nodes[h]["label"] for h in shared],
                    )
    return P


def co_membership_graph(B, kinds: Iterable[str] = ("city", "region")):
    """Projection of the membership graph on actors of ``kinds``, weighted by shared groups."""
    kinds = set(kinds)
    side = [n for n, d in B.nodes(data=True) if d.get("bipartite") == 0 and d["kind"] in kinds]
    return _projection(B, side, "co-membership")


def network_overlap_graph(B):
    """Projection of the membership graph on groups, weighted by shared members."""
    side = [n for n, d in B.nodes(data=True) if d.get("bipartite") == 1]
    return _projection(B, side, "network-overlap")


def actor_graph(tables: GraphTables):
    """Collaboration ties, memberships and ``runs`` ties in one graph (edge ``relations``)."""
    import networkx as nx

    nodes = _node_table(tables.nodes)
    G = nx.Graph(name="actors")

    def tie(a: str, b: str, relation: str) -> None:
        if a == b:
            return
        _add_node(G, a, nodes)
        _add_node(G, b, nodes)
        if G.has_edge(a, b):
            relations = G.edges[a, b]["relations"]
            if relation not in relations:
                relations.append(relation)
                relations.sort()
        else:
            G.add_edge(a, b, relations=[relation])

    for row in tables.collaborations:
        tie(row["source"], row["target"], "collaboration")
    for row in tables.memberships:
        tie(row["actor"], row["group"], row["relation"])
    _set_network(G, tables)
    return G


def _set_network(G, tables: GraphTables) -> None:
    """The ``network`` attribute: each node's largest group; a group is its own."""
    members: dict[str, set[str]] = defaultdict(set)
    for row in tables.memberships:
        if row["relation"] in MEMBER_RELATIONS:
            members[row["group"]].add(row["actor"])
    labels = {row["node"]: row["label"] for row in tables.nodes}
    belongs: dict[str, list[str]] = defaultdict(list)
    for group, actors in members.items():
        for actor in actors:
            belongs[actor].append(group)
    for node, data in G.nodes(data=True):
        if node in members or data.get("kind") in GROUP_KINDS:
            data["network"] = data["label"]
            continue
        candidates = belongs.get(node)
        if not candidates:
            data["network"] = None
            continue
        best = min(candidates, key=lambda g: (-len(members[g]), labels.get(g, g)))
        data["network"] = labels.get(best, best)


#: name -> builder from tables
GRAPHS: dict[str, Callable[[GraphTables], Any]] = {
    "collaboration": collaboration_graph,
    "membership": membership_graph,
    "co-membership": lambda tables: co_membership_graph(membership_graph(tables)),
    "network-overlap": lambda tables: network_overlap_graph(membership_graph(tables)),
    "actors": actor_graph,
}


def graph_from_tables(name: str, tables: GraphTables):
    """The graph ``name`` (one of :data:`GRAPHS`) built from query rows."""
    try:
        builder = GRAPHS[name]
    except KeyError:
        raise InputError(f"unknown graph {name!r} (one of {', '.join(GRAPHS)})") from None
    return builder(tables)


def build_graph(name: str, source: Any, settings: Settings | None = None):
    """The graph ``name`` from a pyoxigraph store or a SPARQL endpoint URL."""
    if name not in GRAPHS:
        raise InputError(f"unknown graph {name!r} (one of {', '.join(GRAPHS)})")
    return graph_from_tables(name, fetch_tables(source, settings))


def load_graph(name: str, settings: Settings | None = None, endpoint: str | None = None):
    """The graph ``name`` from ``endpoint``, or from the store the CLI uses.

    Without an endpoint this is the built store at ``settings.store_path``, or an in-memory
    build of ``data/`` when none exists yet (``lcgraph.store.load_store``).
    """
    settings = settings or Settings.from_env()
    endpoint = endpoint or settings.endpoint
    if endpoint:
        return build_graph(name, endpoint, settings)
    from lcgraph.store import load_store

    return build_graph(name, load_store(settings), settings)
