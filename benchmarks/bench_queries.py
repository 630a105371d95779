"""Query benchmark: every library query on ~1M triples on the embedded store (Oxigraph), and
against rdflib's default in-memory store at a size where rdflib finishes in reasonable time.

    python benchmarks/bench_queries.py                         # 35000 editions (~1M triples), rdflib at 1000
    python benchmarks/bench_queries.py --editions 35000 --rdflib-editions 2000 --json results.json
    python benchmarks/bench_queries.py --build /tmp/synth-35k-build --rdflib-build /tmp/synth-1k-build

For each size, benchmarks/synth.py writes a corpus into a temporary folder and `stdkg build`
builds it (or --build / --rdflib-build name existing build folders). Parameters are picked
from the corpus itself (the busiest domain, the most cited edition, the work with most
editions …) so each query does real work. Every query runs --repeat times on the embedded
store and the median is reported; on rdflib it runs once, in a forked child that is stopped
after --rdflib-timeout seconds. Parameters are bound the way stdkg binds them: substitution
on Oxigraph, the VALUES block (as an endpoint gets it) on rdflib. Nothing here asserts on
time: the figures are for reading.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from stdkg import sparql
from stdkg.queries import LibraryQuery, library
from stdkg.store import open_store

HERE = Path(__file__).resolve().parent
PREFIXES = """PREFIX stdkg: <https://w3id.org/stdkg/ontology#>
PREFIX stdv: <https://w3id.org/stdkg/vocab/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# Per parameter (or query/parameter): a query whose first row, first column is a busy value.
PICKERS = {
    "domain": "SELECT ?v WHERE { ?d a stdkg:Domain ; skos:prefLabel ?v . ?s stdkg:domain ?d } GROUP BY ?v ORDER BY DESC(COUNT(?s)) ?v LIMIT 1",
    "item": "SELECT ?v WHERE { ?i a stdkg:ServiceItem ; skos:prefLabel ?v . ?s stdkg:serviceItem ?i } GROUP BY ?v ORDER BY DESC(COUNT(?s)) ?v LIMIT 1",
    "committee": "SELECT ?v WHERE { ?s stdkg:committee ?c . ?c stdkg:committeeCode ?v } GROUP BY ?v ORDER BY DESC(COUNT(?s)) ?v LIMIT 1",
    "province": "SELECT ?v WHERE { ?s stdkg:region/skos:broader* ?p . ?p skos:topConceptOf stdv:regions ; skos:prefLabel ?v FILTER(LANG(?v) = 'zh') } GROUP BY ?v ORDER BY DESC(COUNT(?s)) ?v LIMIT 1",
    "referenced_by/standard": "SELECT ?v WHERE { ?c stdkg:normativeReference ?w . ?w dcterms:identifier ?v } GROUP BY ?v ORDER BY DESC(COUNT(?c)) ?v LIMIT 1",
    "local_counterparts/standard": "SELECT ?v WHERE { ?l stdkg:localCounterpartOf ?n . ?n dcterms:identifier ?v } GROUP BY ?v ORDER BY DESC(COUNT(?l)) ?v LIMIT 1",
    "edition_history/standard": "SELECT ?v WHERE { ?e dcterms:isVersionOf ?w . ?w dcterms:identifier ?v } GROUP BY ?v ORDER BY DESC(COUNT(?e)) ?v LIMIT 1",
    # any other standard parameter: the edition with the most references
    "standard": "SELECT ?v WHERE { ?e a stdkg:StandardEdition ; stdkg:normativeReference ?r ; dcterms:identifier ?v } GROUP BY ?v ORDER BY DESC(COUNT(?r)) ?v LIMIT 1",
    "target": "SELECT ?v WHERE { ?v a stdkg:Target } ORDER BY ?v LIMIT 1",
    "standard_description/standard": "SELECT ?v WHERE { ?e stdkg:inSystem ?x ; stdkg:normativeReference ?r ; dcterms:identifier ?v } GROUP BY ?v ORDER BY DESC(COUNT(?r)) ?v LIMIT 1",
}
FIXED = {"status": "现行", "level": "地方标准", "from": "2020-01-01", "to": "2020-12-31", "as_of": "2025-10-01",
         "text": "服务规范", "pattern": "第[0-9]+部分"}


@dataclass
class Timing:
    query: str
    parameters: dict[str, str]
    rows: int
    oxigraph_s: float  # parameters bound by the VALUES block (stdkg's default)
    substitution_s: float | None = None  # the same with pyoxigraph's substitutions (parameterised SELECTs)
    small_rows: int | None = None
    small_oxigraph_s: float | None = None
    rdflib_s: float | None = None  # None: timed out (see rdflib_note)
    ratio: float | None = None  # rdflib / oxigraph at the small size
    rdflib_note: str = ""


def build_corpus(editions: int, seed: int, workdir: Path) -> Path:
    corpus, out = workdir / f"synth-{editions}", workdir / f"build-{editions}"
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--editions", str(editions), "--seed", str(seed),
                    "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(out), "--strict",
                    "--format", "json"], check=True, stdout=subprocess.DEVNULL)
    return out


def queries() -> list[LibraryQuery]:
    return [q for q in library() if q.path.parent.name != "checks"]


def pick_parameters(store: ox.Store, query: LibraryQuery) -> dict[str, str]:
    values = {}
    for parameter in sparql.declared_parameters(query):
        if parameter.optional:
            continue
        picker = PICKERS.get(f"{query.name}/{parameter.name}") or PICKERS.get(parameter.name)
        if picker:
            rows = sparql.run_embedded(store, PREFIXES + picker).rows
            values[parameter.name] = rows[0][0].value if rows else "none"
        else:
            values[parameter.name] = FIXED[parameter.name]
    return values


def size_of(result: sparql.Result) -> int:
    return len(result.triples) if result.form in ("CONSTRUCT", "DESCRIBE") else len(result.rows)


def time_oxigraph(store: ox.Store, query: LibraryQuery, values: dict[str, str], repeat: int,
                  binding: str = "values") -> tuple[int, float]:
    bindings = sparql.bind(sparql.declared_parameters(query), values)
    shape = sparql.analyse(query.text)
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = sparql.run_embedded(store, query.text, bindings, shape=shape, binding=binding)
        times.append(time.perf_counter() - start)
        rows = size_of(result)
    return rows, statistics.median(times)


_RDFLIB_GRAPH = None


def _rdflib_child(text: str, connection) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = _RDFLIB_GRAPH.query(text)  # type: ignore[union-attr]
    rows = len(result.graph) if result.type in ("CONSTRUCT", "DESCRIBE") else len(list(result))
    connection.send((rows, time.perf_counter() - start))


def time_rdflib(query: LibraryQuery, values: dict[str, str], timeout: float) -> tuple[int | None, float | None]:
    """One run in a forked child (it shares the parsed graph), stopped after `timeout` seconds."""
    bindings = sparql.bind(sparql.declared_parameters(query), values)
    text = sparql.with_values(query.text, bindings, sparql.analyse(query.text).form)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_rdflib_child, args=(text, sender))
    child.start()
    if receiver.poll(timeout):
        rows, seconds = receiver.recv()
        child.join()
        return rows, seconds
    child.terminate()
    child.join()
    return None, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editions", type=int, default=35000, help="synthetic rows for the large corpus (~28 triples each)")
    parser.add_argument("--rdflib-editions", type=int, default=1000, help="synthetic rows for the rdflib comparison")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build", type=Path, help="an existing build folder to use as the large corpus")
    parser.add_argument("--rdflib-build", type=Path, help="an existing build folder to use for the rdflib comparison")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query on Oxigraph (median reported)")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds before an rdflib run is stopped")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    global _RDFLIB_GRAPH
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-queries-") as tmp:
        workdir = Path(tmp)
        large = args.build or build_corpus(args.editions, args.seed, workdir)
        small = args.rdflib_build or build_corpus(args.rdflib_editions, args.seed, workdir)

        start = time.perf_counter()
        store = open_store(large)
        load_s = time.perf_counter() - start
        triples = len(store)
        print(f"embedded store: {triples} triples loaded in {load_s:.1f} s ({large})", flush=True)
        timings = []
        for query in queries():
            values = pick_parameters(store, query)
            rows, seconds = time_oxigraph(store, query, values, args.repeat)
            timing = Timing(query.name, values, rows, seconds)
            if values and sparql.analyse(query.text).form == "SELECT":
                timing.substitution_s = time_oxigraph(store, query, values, args.repeat, "substitute")[1]
            timings.append(timing)
            substituted = f"(substitution {timing.substitution_s * 1000:.1f} ms)" if timing.substitution_s is not None else ""
            print(f"  {query.name:32} {seconds * 1000:9.1f} ms  {rows:7} rows  {values or ''} {substituted}", flush=True)
        del store

        small_store = open_store(small)
        small_triples = len(small_store)
        import rdflib

        start = time.perf_counter()
        _RDFLIB_GRAPH = rdflib.Graph()
        _RDFLIB_GRAPH.parse(str(small / "stdkg.nt"), format="nt")
        rdflib_load_s = time.perf_counter() - start
        print(f"comparison: {small_triples} triples; rdflib Graph() parsed them in {rdflib_load_s:.1f} s", flush=True)
        for timing, query in zip(timings, queries()):
            values = pick_parameters(small_store, query)
            timing.small_rows, timing.small_oxigraph_s = time_oxigraph(small_store, query, values, args.repeat)
            rows, seconds = time_rdflib(query, values, args.rdflib_timeout)
            if seconds is None:
                timing.rdflib_note = f"stopped after {args.rdflib_timeout:g} s"
            else:
                timing.rdflib_s = seconds
                timing.ratio = seconds / max(timing.small_oxigraph_s, 1e-6)
                if rows != timing.small_rows:
                    timing.rdflib_note = f"rdflib gave {rows} rows, Oxigraph {timing.small_rows}"
            shown = f"{timing.rdflib_s * 1000:9.1f} ms  x{timing.ratio:7.1f}" if timing.rdflib_s is not None else timing.rdflib_note
            print(f"  {query.name:32} oxigraph {timing.small_oxigraph_s * 1000:8.1f} ms  rdflib {shown}  {timing.rdflib_note}",
                  flush=True)

    slowest = max(timings, key=lambda t: t.oxigraph_s)
    ratios = [t.ratio for t in timings if t.ratio]
    print()
    print(f"| query | rows ({triples}) | Oxigraph, VALUES | Oxigraph, substitution | rows ({small_triples}) "
          f"| Oxigraph | rdflib Graph() | rdflib / Oxigraph |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in timings:
        rdf = f"{t.rdflib_s * 1000:.1f} ms" if t.rdflib_s is not None else f"> {args.rdflib_timeout:g} s"
        ratio = f"×{t.ratio:.0f}" if t.ratio else "—"
        sub = f"{t.substitution_s * 1000:.1f} ms" if t.substitution_s is not None else "—"
        print(f"| {t.query} | {t.rows} | {t.oxigraph_s * 1000:.1f} ms | {sub} | {t.small_rows} | "
              f"{t.small_oxigraph_s * 1000:.1f} ms | {rdf} | {ratio} |")
    print()
    print(f"large corpus: {triples} triples; every query: {sum(t.oxigraph_s for t in timings):.2f} s in total; "
          f"slowest: {slowest.query} {slowest.oxigraph_s * 1000:.0f} ms")
    if ratios:
        print(f"rdflib's default store / Oxigraph at {small_triples} triples: geometric mean x{statistics.geometric_mean(ratios):.0f}, "
              f"median x{statistics.median(ratios):.0f}, range x{min(ratios):.1f}–x{max(ratios):.0f} ({len(ratios)} queries)")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
            "large_triples": triples, "large_load_s": load_s, "small_triples": small_triples, "rdflib_load_s": rdflib_load_s,
            "slowest": {"query": slowest.query, "seconds": slowest.oxigraph_s},
            "queries": [asdict(t) for t in timings]}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
