"""Saved-query latency: the embedded store (pyoxigraph) against plain rdflib, side by side.

Every query of the catalogue runs with its example parameters on both engines over the same
files, exactly as :func:`lcgraph.queries.run` sends it (:func:`lcgraph.queries.prepare`: a
``VALUES`` block for pyoxigraph, ``initBindings`` for rdflib), and the answers are compared
(after normalising term forms) so that both engines are timed on the same work. The clock
covers running the query and turning every solution into Python terms, as a caller sees it;
loading is timed separately.

Data: the synthetic graph of ``bench/gen.py`` at ``--scale`` (XS, S, M, L: about 3 k, 26 k,
250 k and 1.2 M triples) plus the seed documents of ``data/`` (so that the example parameters,
which name seed entities, find them); ``--trig FILE`` adds any TriG file.

rdflib can take minutes on one query at 1 M triples, so each rdflib run is stopped (a timer
signal interrupts its pure-Python evaluator) after ``--cap`` seconds or ``--cap-factor`` times
the pyoxigraph median, whichever is longer, and reported as a lower bound: a capped ratio is
still at least the cap factor. rdflib is repeated only while a run stays under
``--repeat-below`` seconds.

    python bench/bench_queries.py --scale L --repeat 5 --markdown /tmp/queries-L.md

Rows (bench/README.md), one per query and engine, unit "s work" (the query alone, the store
loaded), plus the loading of each (bench ``query load``); ``answers`` is the number of
solutions, ``same_answers`` whether both engines gave the same (None when rdflib was capped).
Target (the queries issue): >= 10× rdflib.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import multiprocessing
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(1, str(ROOT))

import gen  # noqa: E402
import harness  # noqa: E402

#: Queries whose answer grows with the square of a network's size, left out from these scales
#: on (``--skip`` overrides): at L, gen's largest networks have thousands of members, and
#: edges-co-membership's answer (every pair of cities sharing a network, grouped) needs more
#: memory than the 24 GB machine has on either engine (19 s and 1.7 GB for 1.2 M pairs at M).
#: The analysis projects co-membership from the membership edges instead
#: (``lcgraph.analysis.graphs.co_membership_graph``). The notes report the pair count.
QUADRATIC = {"edges-co-membership": "L"}

#: The number of city pairs edges-co-membership would group (an upper bound on its answer:
#: pairs that share several groups count once per group).
PAIRS_QUERY = """PREFIX lcc: <https://w3id.org/lcc/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT (SUM(?n * (?n - 1) / 2) AS ?pairs) (MAX(?n) AS ?largest) WHERE {
  SELECT ?group (COUNT(DISTINCT ?m) AS ?n) WHERE {
    ?m org:memberOf|lcc:participatesIn|^lcc:pilotCity ?group .
    ?m a ?t FILTER(?t IN (lcc:City, lcc:Region))
  } GROUP BY ?group
}"""

# --- timing -------------------------------------------------------------------------------


class Capped(BaseException):
    """Raised by the timer signal inside rdflib's evaluator (a BaseException, so that the
    runner's ``except Exception`` around rdflib does not swallow it)."""


@contextlib.contextmanager
def cap(seconds: float) -> Iterator[None]:
    def _stop(signum, frame):
        raise Capped

    old = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def normalise(result) -> list[tuple]:
    """Rows as comparable tuples: canonical terms, GROUP_CONCAT parts sorted, rows sorted."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return sorted((s.n3(), p.n3(), o.n3()) for s, p, o in result.triples)
    rows = []
    for row in result.terms:
        cells = []
        for var in result.variables:
            term = row.get(var)
            if term is None:
                cells.append(None)
            elif term.kind == "literal" and " | " in term.value:
                cells.append(" | ".join(sorted(term.value.split(" | "))))
            else:
                cells.append(term.n3())
        rows.append(tuple(cells))
    return sorted(rows, key=repr)


def project(tmp: Path, generated: Path, extra: list[Path]) -> Path:
    """A project folder: the generated graph's data, the seed ``data/`` and the extra files.

    The seed documents are there so that every saved query's example parameters (which name
    seed entities) find their subject; the ontology, shapes and queries are this checkout's.
    """
    for name in ("ontology", "shapes", "queries"):
        (tmp / name).symlink_to(ROOT / name, target_is_directory=True)
    (tmp / "data").mkdir()
    for path in sorted((generated / "data").glob("*.trig")):
        (tmp / "data" / path.name).symlink_to(path)
    for path in sorted((ROOT / "data").glob("*.trig")):
        (tmp / "data" / path.name).symlink_to(path)
    for k, path in enumerate(extra):
        (tmp / "data" / f"zz-extra-{k}.trig").symlink_to(Path(path).resolve())
    return tmp


def load_rdflib(settings):
    """Plain rdflib: one Dataset with a union default graph, each file parsed into it."""
    import rdflib

    from lcgraph.store import source_files

    ds = rdflib.Dataset(default_union=True)
    for path, graph in source_files(settings):
        if graph:
            ds.graph(rdflib.URIRef(settings.graph_iri(graph))).parse(path, format="turtle")
        else:
            ds.parse(path, format="trig")
    return ds


def measure(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def digest(result) -> str:
    """A fingerprint of the normalised answers, to compare engines across processes."""
    return hashlib.sha256(repr(normalise(result)).encode("utf-8")).hexdigest()


def in_child(target: Callable, *args):
    """``target(*args)`` in a forked process, so that each engine is timed alone in its process.

    Timing both in one process made pyoxigraph's small queries up to 3x slower next to the
    millions of Python objects of rdflib's graph at 1 M triples; a user runs one engine.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work() -> None:
        try:
            child.send(("ok", target(*args)))
        except BaseException as exc:  # report anything to the parent, then end
            child.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            child.close()

    proc = ctx.Process(target=work)
    proc.start()
    child.close()
    status, payload = parent.recv()  # before join: a large answer would fill the pipe
    proc.join()
    if status == "error":
        raise RuntimeError(f"benchmark process failed: {payload}")
    return payload


def oxigraph_pass(settings, plan: list[tuple], repeat: int) -> dict:
    from lcgraph.queries import run_oxigraph
    from lcgraph.store import build

    start = time.perf_counter()
    store, report = build(settings, in_memory=True)
    load_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    out = {}
    for name, ox_text, _, _ in plan:
        times, result = measure(lambda t=ox_text: run_oxigraph(t, store, None), repeat)
        out[name] = {"seconds": times, "rows": len(result), "digest": digest(result)}
    solution = next(iter(store.query(PAIRS_QUERY, use_default_graph_as_union=True)))
    pairs = {k: int(solution[k].value) for k in ("pairs", "largest")}
    return {
        "load_s": load_s,
        "triples": report.triples,
        "peak_mb": peak_mb(),
        "queries": out,
        "pairs": pairs,
    }


def rdflib_pass(settings, plan: list[tuple], args: argparse.Namespace, ox: dict) -> dict:
    from lcgraph.queries import run_rdflib

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))  # rdflib's evaluator recurses
    start = time.perf_counter()
    dataset = load_rdflib(settings)
    load_s = time.perf_counter() - start
    gc.collect()
    gc.freeze()
    out = {}
    for name, _, rdf_text, bindings in plan:
        times: list[float] = []
        result, capped = None, False
        # long enough that a capped run still proves the ratio the cap factor names
        limit = max(args.cap, args.cap_factor * statistics.median(ox[name]["seconds"]))
        for k in range(args.repeat):
            start = time.perf_counter()
            try:
                with cap(limit):
                    result = run_rdflib(rdf_text, dataset, None, bindings)
            except Capped:
                capped = True
                times.append(limit)
                break
            times.append(time.perf_counter() - start)
            if k == 0 and times[0] > args.repeat_below:
                break
        out[name] = {
            "seconds": times,
            "rows": None if capped else len(result),
            "digest": None if capped else digest(result),
            "capped": capped,
        }
        if not args.quiet:
            print(line(name, ox[name], out[name]), flush=True)
    return {"load_s": load_s, "peak_mb": peak_mb(), "queries": out}


def bench(args: argparse.Namespace) -> tuple[dict, list[dict]]:
    from lcgraph.config import Settings
    from lcgraph.queries import catalogue, prepare

    meta: dict = {"scale": args.scale}
    generated = gen.dataset_in_subprocess(args.scale, args.seed)
    meta["synthetic_triples"] = json.loads((generated / "gen.json").read_text())["triples"]
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp_name:
        root = project(Path(tmp_name), generated, [Path(p) for p in args.trig])
        settings = Settings.from_env().with_(root=root)
        queries = catalogue(settings)
        skip = args.skip
        meta["skip_asked"] = skip is not None
        if skip is None:
            order = list(gen.SCALES)
            skip = [q for q, s in QUADRATIC.items() if order.index(args.scale) >= order.index(s)]
        meta["skipped"] = [] if args.queries else sorted(set(skip) & set(queries))
        plan = []
        for name in args.queries or sorted(set(queries) - set(meta["skipped"])):
            params = example_params(queries[name])
            ox_text, _ = prepare(queries[name], params, settings, "oxigraph")
            rdf_text, bindings = prepare(queries[name], params, settings, "rdflib")
            plan.append((name, ox_text, rdf_text, bindings))
        ox = in_child(oxigraph_pass, settings, plan, args.repeat)
        rdf = in_child(rdflib_pass, settings, plan, args, ox["queries"])
    meta.update(
        triples=ox["triples"],
        oxigraph_load_s=ox["load_s"],
        rdflib_load_s=rdf["load_s"],
        oxigraph_peak_mb=ox["peak_mb"],
        rdflib_peak_mb=rdf["peak_mb"],
        pairs=ox["pairs"],
    )
    common = {"scale": args.scale, "triples": meta["triples"]}
    target = ">= 10× rdflib"
    rows: list[dict] = [
        harness.row_of(
            [ox["load_s"]],
            bench="query load",
            tool="lcgraph (pyoxigraph) in-memory build",
            ours=True,
            peak_mb=round(ox["peak_mb"], 1),
            **common,
        ),
        harness.row_of(
            [rdf["load_s"]],
            bench="query load",
            tool="rdflib Dataset.parse",
            peak_mb=round(rdf["peak_mb"], 1),
            **common,
        ),
    ]
    for name, *_ in plan:
        a, b = ox["queries"][name], rdf["queries"][name]
        same = None if b["capped"] else a["digest"] == b["digest"]
        if same is False:
            meta.setdefault("differ", []).append(name)
        for tool, stats, peak in (
            ("lcgraph (pyoxigraph)", a, ox["peak_mb"]),
            ("rdflib", b, rdf["peak_mb"]),
        ):
            ours = tool.startswith("lcgraph")
            rows.append(
                harness.row_of(
                    stats["seconds"],
                    bench=f"query {name}",
                    tool=tool,
                    ours=ours,
                    target=target if ours else "",
                    peak_mb=round(peak, 1),
                    capped=stats.get("capped", False),
                    answers=stats["rows"],
                    same_answers=same,
                    **common,
                )
            )
    return meta, rows


def example_params(query) -> dict[str, str]:
    """The ``--param`` values of a query's ``example:`` line (as the tests read them)."""
    import itertools
    import shlex

    words = shlex.split(query.example)
    params = {}
    for flag, value in itertools.pairwise(words):
        if flag in ("--param", "-p"):
            key, _, val = value.partition("=")
            params[key] = val
    return params


def ratio(ox: dict, rdf: dict) -> str:
    value = rdf["median"] / max(ox["median"], 1e-9)
    return f"{'≥ ' if rdf['capped'] else ''}{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def line(name: str, ox: dict, rdf: dict) -> str:
    """One progress line from the raw per-engine stats of a query."""
    ox_med, rdf_med = statistics.median(ox["seconds"]), statistics.median(rdf["seconds"])
    shown = ratio({"median": ox_med}, {"median": rdf_med, "capped": rdf["capped"]})
    same = "" if rdf["capped"] or rdf["digest"] == ox["digest"] else "  ANSWERS DIFFER"
    return (
        f"{name:32s} {ox['rows']:>7} rows  oxigraph {ox_med * 1000:9.2f} ms  "
        f"rdflib {'>' if rdf['capped'] else ''}{rdf_med * 1000:>10,.1f} ms  {shown:>8}{same}"
    )


def summary(meta: dict, rows: list[dict]) -> str:
    """What the rows compare, and how the ratios spread (the notes under the table)."""
    pairs = [(o, r) for o, r in zip(rows[2::2], rows[3::2], strict=True)]
    ratios = [r["median"] / max(o["median"], 1e-9) for o, r in pairs]
    differ = meta.get("differ", [])
    lines = [
        f"Data: bench/gen.py at {meta['scale']} ({meta['synthetic_triples']:,} triples) plus the "
        f"seed documents of data/: {meta['triples']:,} triples in the store (ontology "
        "included). Every saved query with its `example:` parameters, bound as "
        "`lcgraph.queries.run` binds them; each engine in its own forked process; unit s work: "
        "the query and turning every solution into Python terms. rdflib stopped at the cap "
        "(then >=); answers compared by digest: "
        + (
            f"**differ** for {', '.join(differ)}."
            if differ
            else "the same for every query run to the end."
        ),
    ]
    if meta.get("skipped"):
        pairs = meta["pairs"]
        lines.append(
            f"Not run at {meta['scale']}: {', '.join(meta['skipped'])}. Its answer is every pair "
            f"of cities sharing a network or programme: up to {pairs['pairs']:,} pairs here (the "
            f"largest group has {pairs['largest']:,} members), quadratic in a network's size"
            + (
                " (left out by --skip)."
                if meta["skip_asked"]
                else ", more memory than this machine has on either engine (19 s and 1.7 GB for "
                "1.2 M pairs at M). The analysis projects co-membership from the membership "
                "edges instead (`co_membership_graph`)."
            )
        )
    if ratios:
        lines.append(
            f"Ratio range {min(ratios):,.1f}× – {max(ratios):,.0f}×; queries at >= 10×: "
            f"{sum(x >= 10 for x in ratios)} of {len(ratios)}; median ratio "
            f"{statistics.median(ratios):,.1f}×."
        )
    return "\n\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.standard_args(parser)
    parser.add_argument("--trig", action="append", default=[], help="extra TriG file(s) to load")
    parser.add_argument(
        "--cap",
        type=float,
        # run.py's --cap is meant for whole-process peers; one query stops at a minute at most
        default=min(harness.cap(60), 60),
        help="stop an rdflib run after S s",
    )
    parser.add_argument(
        "--cap-factor",
        type=float,
        default=12.0,
        help="... or after this many times the pyoxigraph median, if longer",
    )
    parser.add_argument(
        "--repeat-below", type=float, default=5.0, help="repeat rdflib only under S s"
    )
    parser.add_argument("--queries", nargs="*", help="only these saved queries")
    parser.add_argument(
        "--skip",
        nargs="*",
        help="leave these queries out (default: the quadratic ones from the scale they outgrow)",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    meta, rows = bench(args)
    notes = summary(meta, rows)
    harness.report(rows, args, notes, show=not args.quiet)
    return 1 if meta.get("differ") else 0


if __name__ == "__main__":
    sys.exit(main())
