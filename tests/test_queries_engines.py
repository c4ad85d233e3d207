"""Every saved query gives the same answers on pyoxigraph, rdflib and a real Oxigraph server.

The remote store is loaded with `lcgraph push` (SPARQL 1.1 Graph Store Protocol) from a real
`oxigraph serve` process on 127.0.0.1; answers are compared after normalising term forms
(canonical numbers; the unordered parts of GROUP_CONCAT values sorted).
"""

from __future__ import annotations

import subprocess

import pytest
from support import free_port, lcgraph_cmd, push, remote_select, subprocess_env
from test_queries import CATALOGUE, example_params

from lcgraph.queries import run


def normalise(result) -> list[tuple]:
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return sorted((s.n3(), p.n3(), o.n3()) for s, p, o in result.triples)
    rows = []
    for row in result.terms:
        cells = []
        for var in result.variables:
            term = row.get(var)
            if term is None:
                cells.append((var, None))
            elif term.kind == "literal" and " | " in term.value:
                cells.append((var, " | ".join(sorted(term.value.split(" | ")))))
            elif term.kind == "bnode":
                cells.append((var, "_:b"))
            else:
                cells.append((var, term.n3()))
        rows.append(tuple(cells))
    return sorted(rows, key=repr)


def test_push_preserves_named_graphs(loaded_server, seed_store):
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    doc = remote_select(loaded_server, query)
    remote = {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}
    local = {r["g"].value: int(r["n"].value) for r in seed_store.query(query)}
    assert remote == local
    assert "https://w3id.org/lcc/graph/nea-low-carbon-city-review" in remote


def test_push_twice_replaces(loaded_server, disk_store):
    again = push(disk_store.store_path, f"{loaded_server}/query")
    assert again.returncode == 0, again.stderr
    result = run("graph-summary", endpoint=f"{loaded_server}/query")
    local = run("graph-summary", settings=disk_store)
    assert normalise(result) == normalise(local)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_same_answers_on_every_engine(name, seed_store, settings, loaded_server):
    query = CATALOGUE[name]
    params = example_params(query)
    ox_result = run(query, settings=settings, store=seed_store, params=params)
    rdflib_result = run(query, settings=settings, engine="rdflib", params=params)
    remote_result = run(query, settings=settings, endpoint=f"{loaded_server}/query", params=params)
    expected = normalise(ox_result)
    assert expected, f"{name}: no rows to compare"
    assert normalise(rdflib_result) == expected, f"{name}: rdflib differs from pyoxigraph"
    assert normalise(remote_result) == expected, (
        f"{name}: the Oxigraph server differs from pyoxigraph"
    )


def test_cli_query_on_remote_endpoint(loaded_server, disk_store):
    result = subprocess.run(
        lcgraph_cmd(
            "query",
            "cq05-eco-model-and-futurecity",
            "--endpoint",
            f"{loaded_server}/query",
            "--format",
            "csv",
        ),
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()[1:]) == sorted(
        f"{n},https://w3id.org/lcc/id/city/{n.lower()}"
        for n in ("Kitakyushu", "Shimokawa", "Toyama", "Yokohama")
    )


def test_push_to_unreachable_store_fails_clearly(disk_store):
    port = free_port()
    result = subprocess.run(
        lcgraph_cmd(
            "--store",
            str(disk_store.store_path),
            "push",
            "--endpoint",
            f"http://127.0.0.1:{port}/query",
        ),
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot reach the graph store" in result.stderr
    assert "Traceback" not in result.stderr
