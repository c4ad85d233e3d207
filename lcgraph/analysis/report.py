"""The findings report, ``docs/analysis.md``: generated from the graph so that it stays true.

Run ``python -m lcgraph.analysis.report`` (or ``lcgraph analyse report``) after the data
changes; it rebuilds the graph in memory from ``data/`` (or reads ``--store``/``--endpoint``),
writes the Markdown and the figures under ``docs/img/``. Every number and every name in the
text comes from the analysis; nothing is typed by hand. A test regenerates the report and
compares it with the committed file.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import Any

from lcgraph.config import Settings

__all__ = ["render_report", "write_report"]

TOP = 10

#: The user guide, appended to the findings (fixed text: it describes the tool, not the data).
GUIDE = """\
## Using the analysis

```
lcgraph analyse centrality --graph actors [--k 256 --seed 0 | --exact] [--plot net.png]
lcgraph analyse brokerage  --graph actors --group country [--missing unknown|own|drop|error]
                           [--plot roles.png] [--plot-network net.svg]
lcgraph analyse constraint --graph actors
lcgraph analyse report     [--out docs/analysis.md] [--img docs/img]
```

Every command takes `--format table|csv|json`, `--top N`, and reads the embedded store
(`--store PATH`, or an in-memory build of `data/` when none is built) or a remote SPARQL
endpoint (`--endpoint URL`) through the same saved queries.

**Graphs** (`--graph`): `collaboration` (partners of city-to-city collaborations),
`membership` (two-mode: cities, regions and organisations against the networks, platforms and
programmes they belong to, take part in or pilot), `co-membership` (its projection on cities
and regions, weighted by shared groups), `network-overlap` (its projection on groups, weighted
by shared members), `actors` (all ties together, plus organisations running programmes). Nodes
carry `kind`, `label`, `country` (ISO 3166 alpha-2), `region` (world region of the country),
`network` (the largest group a node belongs to) and `iri`.

**Centrality**: degree, betweenness, closeness and eigenvector centrality, equal to networkx's
(the tests check it) but vectorised; on the membership graph their two-mode (bipartite) forms.
Betweenness and closeness are exact up to 5,000 nodes and sampled from 256 seeded sources
above (one search from each); the same seed gives the same sources as
`networkx.betweenness_centrality(G, k, seed=seed)`, and closeness is then estimated from those
pivots (Eppstein and Wang 2004).

**Brokerage**: a broker *v* sits on a path *a → v → b* whose ends are not tied. With the groups
of `--group` (country, region, network, kind or any node attribute) it is a *coordinator*
(all three in one group), *itinerant* (a and b in one group, v outside), *gatekeeper* (v in b's
group, a outside), *representative* (v in a's group, b outside) or *liaison* (three groups), after
Gould and Fernandez (1989, https://doi.org/10.2307/270949). Counts, expected values and
z-scores are those of R's `sna::brokerage` (tested against sna 2.7): the expectation is for a
random graph of the same density with the groups assigned at random, so a z-score above 2
marks a node that brokers far more than chance would give it. In an undirected graph each tie
runs both ways, so a path counts twice (a representative one way is a gatekeeper the other).
Nodes without a group go into one group `(unknown)` unless `--missing` says otherwise.

**Structural holes**: Burt's constraint (low: contacts not tied to each other) and effective
size, from networkx.

**From Python**:

```python
from lcgraph.analysis.graphs import load_graph
from lcgraph.analysis.brokerage import fill_groups, gould_fernandez, gould_fernandez_zscores

G = load_graph("actors")                    # or load_graph("actors", endpoint=URL)
G, notes = fill_groups(G, "country")        # networks have no country: group "(unknown)",
                                            # as the CLI's --missing unknown does
roles = gould_fernandez(G, "country")       # node -> {coordinator, ..., total}
scores = gould_fernandez_zscores(G, "country")  # expected, sd, z, graph-level moments
```

Scale: brokerage on a 50,000-node, 250,000-edge graph takes a fraction of a second
(`python bench/bench_analysis.py` measures it against the plain networkx and Python loops).
"""
ROLE_ORDER = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def _source(settings: Settings, endpoint: str | None, use_store: bool):
    if endpoint:
        return endpoint
    from lcgraph import store as store_mod

    if use_store:
        return store_mod.open_store(settings)
    store, _ = store_mod.build(settings, in_memory=True)
    return store


def _names(labels: list[str]) -> str:
    if not labels:
        return "none"
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _main_role(row: dict[str, Any]) -> str:
    best = max(ROLE_ORDER, key=lambda role: (row[role], -ROLE_ORDER.index(role)))
    return best


def _broker_sentences(rows: list[dict[str, Any]], what: str) -> list[str]:
    brokers = [r for r in rows if r["total"] > 0]
    if not brokers:
        return [f"No node brokers between {what}: the graph has no open two-path across them."]
    lines = []
    for row in brokers[:5]:
        roles = ", ".join(f"{row[r]} as {r}" for r in ROLE_ORDER if row[r])
        z = row["z_total"]
        z_text = f"; z = {z:.2f} against random groups" if isinstance(z, float) and z == z else ""
        lines.append(
            f"- **{row['label']}** ({row['kind']}, {row['group']}) brokers {row['total']} open "
            f"two-path(s), mostly as **{_main_role(row)}**: {roles}{z_text}."
        )
    rest = len(brokers) - 5
    if rest > 0:
        lines.append(f"- {rest} more node(s) broker at least one two-path (table below).")
    return lines


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = [
        "| " + " | ".join(_num(row.get(key)).replace("|", "\\|") for key, _ in columns) + " |"
        for row in rows
    ]
    return "\n".join([head, rule, *body]) + "\n"


def render_report(source, settings: Settings, img_dir: Path, img_ref: str) -> str:
    """The Markdown text; figures are written to ``img_dir`` and linked as ``img_ref/NAME``."""
    from lcgraph.analysis import graphs
    from lcgraph.analysis.brokerage import brokerage_table, fill_groups, structural_holes_table
    from lcgraph.analysis.centrality import centrality_table
    from lcgraph.analysis.plots import plot_brokerage_roles, plot_network

    tables = graphs.fetch_tables(source, settings)
    built = {name: graphs.graph_from_tables(name, tables) for name in graphs.GRAPHS}
    actors = built["actors"]
    membership = built["membership"]
    out: list[str] = [
        "# Network analysis: centrality and brokerage",
        "",
        "*Generated by `lcgraph analyse report` from the knowledge graph: do not edit by hand. "
        "After the data changes, regenerate it with `python -m lcgraph.analysis.report` "
        "(a test checks that this file is what the generator writes).*",
        "",
        "The graphs come from the saved queries `nodes-actors`, `edges-collaboration` and "
        "`edges-membership`; how to run the analysis yourself, and what the measures mean, "
        "is at the end (*Using the analysis*). Names are the graph's labels.",
        "",
        "## The graphs",
        "",
        "| graph | nodes | edges | what |",
        "|---|---|---|---|",
    ]
    what = {
        "collaboration": "partners of city-to-city collaborations",
        "membership": "actors and the networks and programmes they belong to (two-mode)",
        "co-membership": "cities and regions linked by shared networks and programmes",
        "network-overlap": "networks and programmes linked by shared members",
        "actors": "all of it, with organisations running programmes",
    }
    for name, G in built.items():
        out.append(f"| {name} | {len(G)} | {G.number_of_edges()} | {what[name]} |")
    kinds = Counter(d["kind"] for _, d in actors.nodes(data=True))
    out += [
        "",
        "The actor graph holds "
        + _names([f"{n} {k}(s)" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))])
        + ".",
        "",
    ]

    # --- central actors -----------------------------------------------------------------
    central = centrality_table(actors, k="auto", seed=0)
    cities = [r for r in central.rows if r["kind"] == "city"]
    out += ["## Central cities and organisations", ""]
    if cities:
        lead = cities[0]
        out.append(
            f"In the actor graph the city with the highest betweenness is **{lead['label']}** "
            f"({_num(lead['betweenness'])}; degree {_num(lead['degree'])}). "
            "The most central nodes of any kind:"
        )
    else:
        out.append("The actor graph has no city. The most central nodes:")
    out.append("")
    columns = [
        ("label", "node"),
        ("kind", "kind"),
        ("country", "country"),
        ("degree", "degree"),
        ("betweenness", "betweenness"),
        ("closeness", "closeness"),
        ("eigenvector", "eigenvector"),
    ]
    out.append(_table(central.rows[:TOP], columns))
    figure = "actors-centrality"
    brokers = {r["iri"] for r in central.rows if (r["betweenness"] or 0) > 0}
    sizes = {r["iri"]: r["betweenness"] for r in central.rows}
    for suffix in ("png", "svg"):
        plot_network(
            actors,
            img_dir / f"{figure}.{suffix}",
            size_by=sizes,
            highlight=brokers,
            title="Actor graph: node size by betweenness, brokers ringed",
        )
    out += [f"![The actor graph]({img_ref}/{figure}.png)", ""]
    for note in central.notes:
        out.append(f"*{note}.*")
    if central.notes:
        out.append("")

    # --- central networks ---------------------------------------------------------------
    side = [n for n, d in membership.nodes(data=True) if d.get("bipartite") == 0]
    two_mode = centrality_table(
        membership, bipartite_nodes=side, measures=("degree", "betweenness", "closeness")
    )
    groups = [r for r in two_mode.rows if membership.nodes[r["iri"]].get("bipartite") == 1]
    for row in groups:
        row["members"] = membership.degree(row["iri"])
    groups.sort(key=lambda r: (-r["members"], -(r["betweenness"] or 0), str(r["label"])))
    out += ["## Central networks and programmes", ""]
    if groups:
        biggest = [r["label"] for r in groups if r["members"] == groups[0]["members"]]
        out.append(
            f"In the two-mode membership graph, {_names(biggest)} "
            f"{'has' if len(biggest) == 1 else 'have'} the most members "
            f"({groups[0]['members']}). Bipartite centralities (Borgatti and Halgin), "
            "networks and programmes by number of members:"
        )
        out += [
            "",
            _table(
                groups[:TOP],
                [
                    ("label", "group"),
                    ("kind", "kind"),
                    ("members", "members"),
                    ("degree", "degree"),
                    ("betweenness", "betweenness"),
                    ("closeness", "closeness"),
                ],
            ),
        ]
    else:
        out += ["The graph has no memberships yet.", ""]
    overlap = built["network-overlap"]
    pairs = _heaviest_pairs(overlap)
    if pairs:
        out.append("Networks and programmes that share members:")
        out.append("")
        for a, b, data in pairs[:TOP]:
            out.append(
                f"- {overlap.nodes[a]['label']} and {overlap.nodes[b]['label']}: "
                f"{data['weight']} shared member(s)"
            )
        out.append("")
    co = built["co-membership"]
    co_pairs = _heaviest_pairs(co)
    if co_pairs:
        out.append("Cities and regions that share the most networks and programmes:")
        out.append("")
        for a, b, data in co_pairs[:TOP]:
            out.append(
                f"- {co.nodes[a]['label']} and {co.nodes[b]['label']}: {data['weight']} "
                f"({'; '.join(data['shared'])})"
            )
        out.append("")

    # --- brokerage ----------------------------------------------------------------------
    broker_columns = [
        ("label", "broker"),
        ("kind", "kind"),
        ("group", "group"),
        *((role, role) for role in ROLE_ORDER),
        ("total", "total"),
        ("z_total", "z (total)"),
    ]
    for attr, heading, what_between in (
        ("country", "Brokerage between countries", "countries"),
        ("network", "Brokerage between networks", "networks and programmes"),
    ):
        grouped, notes = fill_groups(actors, attr, "unknown")
        table = brokerage_table(grouped, attr)
        out += [f"## {heading}", ""]
        out.append(
            f"Gould–Fernandez roles in the actor graph with groups by `{attr}` "
            f"(`lcgraph analyse brokerage --graph actors --group {attr}`); "
            "nodes without one share the group `(unknown)`."
        )
        out.append("")
        out += _broker_sentences(table.rows, what_between)
        out.append("")
        rows = [r for r in table.rows if r["total"] > 0][:TOP]
        if rows:
            out.append(_table(rows, broker_columns))
            figure = f"brokerage-{attr}"
            for suffix in ("png", "svg"):
                plot_brokerage_roles(
                    table, img_dir / f"{figure}.{suffix}", title=f"Brokerage roles by {attr}"
                )
            out += [f"![Brokerage roles by {attr}]({img_ref}/{figure}.png)", ""]
        for note in notes + table.notes:
            out.append(f"*{note}.*")
        out.append("")

    # --- structural holes ---------------------------------------------------------------
    holes = structural_holes_table(actors)
    spanning = [r for r in holes.rows if r["degree"] >= 2][:TOP]
    out += ["## Structural holes", ""]
    if spanning:
        out.append(
            f"Burt's constraint (lowest first; nodes with at least two ties): "
            f"**{spanning[0]['label']}** is the least constrained "
            f"({_num(spanning[0]['constraint'])}), its contacts the least tied to each other."
        )
        out += [
            "",
            _table(
                spanning,
                [
                    ("label", "node"),
                    ("kind", "kind"),
                    ("degree", "ties"),
                    ("constraint", "constraint"),
                    ("effective_size", "effective size"),
                ],
            ),
        ]
    else:
        out += ["No node has two ties yet.", ""]
    out += ["", GUIDE]
    return "\n".join(out).rstrip("\n") + "\n"


def write_report(
    settings: Settings,
    out: Path | None = Path("docs/analysis.md"),
    img_dir: Path = Path("docs/img"),
    endpoint: str | None = None,
    use_store: bool = False,
) -> Path | None:
    """Write the report to ``out`` (stdout when None) and its figures to ``img_dir``.

    The graph is an in-memory build of ``data/`` unless ``endpoint`` is given or
    ``use_store`` asks for the built store at ``settings.store_path``.
    """
    source = _source(settings, endpoint, use_store)
    base = out.parent if out is not None else Path.cwd()
    img_ref = Path(os.path.relpath(img_dir, base)).as_posix()
    text = render_report(source, settings, img_dir, img_ref)
    if out is None:
        print(text, end="")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/analysis.md", help="'-' for standard output")
    parser.add_argument("--img", default="docs/img")
    parser.add_argument("--endpoint")
    parser.add_argument("--store", help="read this built store instead of data/")
    args = parser.parse_args(argv)
    settings = Settings.from_env().with_(store_path=args.store)
    write_report(
        settings,
        out=None if args.out == "-" else Path(args.out),
        img_dir=Path(args.img),
        endpoint=args.endpoint,
        use_store=bool(args.store),
    )


def _heaviest_pairs(G) -> list:
    """The weighted edges of ``G``, heaviest first, ties by the two labels."""
    return sorted(
        G.edges(data=True),
        key=lambda e: (-e[2]["weight"], G.nodes[e[0]]["label"], G.nodes[e[1]]["label"]),
    )


if __name__ == "__main__":
    main()
