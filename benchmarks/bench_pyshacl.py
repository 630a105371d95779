"""The fast engine against pySHACL on one corpus: per-rule counts, identical or not, time, memory.

    python benchmarks/bench_pyshacl.py --editions 1000                 # synth + build, then compare
    python benchmarks/bench_pyshacl.py --build /tmp/s/b100k --rdflib-max 0 --json out.json

Each engine runs in its own subprocess (wall time by the clock, user CPU and peak RSS from that
child's own rusage via os.wait4), on the same build folder, the ontology merged in as
`stdkg validate` does:

- fast: `validate_file(build)`: the shapes compiled to SPARQL, run once each on Oxigraph;
- pyshacl: `validate_file(build, engine="pyshacl")`: pySHACL decides every result, reading the
  same Oxigraph store (stdkg.pyshacl_oxigraph);
- pyshacl-rdflib: pySHACL on an rdflib Graph (rdflib's default store and SPARQL engine), the
  naive baseline; only up to --rdflib-max editions (it took 243 s for 100 editions here).

Results are compared one for one on (severity, shape, focus, path, value, component): every
field of a result except its message text. Any difference is printed, first 20 of each side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

ENGINES = ("fast", "pyshacl", "pyshacl-rdflib")
EDITION_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/stdkg/ontology#StandardEdition> .\n"


def shard_shapes(shard: int, shards: int) -> list[str]:
    """Every ``shards``-th node shape with a target, from ``shard`` on (pySHACL's use_shapes)."""
    from rdflib import RDF
    from rdflib.namespace import SH

    from stdkg.validate import TARGETS, load_shapes

    shapes = load_shapes()
    roots = sorted({str(s) for s in shapes.subjects(RDF.type, SH.NodeShape) if any(shapes.objects(s, t) for t in TARGETS)})
    return roots[shard::shards]


def child(engine: str, build: Path, out: Path, shard: int = 0, shards: int = 1) -> None:
    """Run one engine (or one shard of pySHACL's shapes) and write its results, one JSON list a line."""
    import pyoxigraph as ox
    from rdflib import Graph

    from stdkg.store import graph_file, open_store
    from stdkg.validate import load_shapes, ontology_files, run_pyshacl, validate_file

    start = time.perf_counter()
    if engine == "pyshacl" and shards > 1:
        store = open_store(build)  # as validate_file does: the graph, then the ontology
        for path in ontology_files():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        results = run_pyshacl(store, load_shapes(), use_shapes=shard_shapes(shard, shards))
    elif engine == "pyshacl-rdflib":
        data = Graph()
        data.parse(graph_file(build))
        for path in ontology_files():
            data.parse(path, format="turtle")
        results = run_pyshacl(data, load_shapes())
    else:
        results = validate_file(build, engine=engine).results
    seconds = time.perf_counter() - start
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"seconds": seconds}) + "\n")
        for r in results:
            f.write(json.dumps([r.severity, r.shape, r.focus, r.path, r.value, r.component], ensure_ascii=False) + "\n")


def run_engine(engine: str, build: Path, root: Path, shards: int = 1) -> dict[str, object]:
    """One subprocess per engine; pySHACL split over ``shards`` subprocesses running side by side
    (peak RSS then is the sum of theirs: they are alive together)."""
    shards = shards if engine == "pyshacl" else 1
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    print(f"{engine} …", file=sys.stderr, flush=True)
    start = time.perf_counter()
    processes = {}
    for shard in range(shards):
        out = root / f"{engine}-{shard}.jsonl"
        command = [sys.executable, __file__, "--child", engine, "--build", str(build), "--out", str(out),
                   "--shard", f"{shard}/{shards}"]
        with open(root / f"{engine}-{shard}.err", "wb") as err:
            processes[subprocess.Popen(command, env=env, stderr=err).pid] = out
    results: set[tuple] = set()  # type: ignore[type-arg]
    user, peak, in_process = 0.0, 0.0, 0.0
    for _ in range(shards):
        pid, status, usage = os.wait4(-1, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            err = processes[pid].with_suffix(".err").read_text(encoding="utf-8", errors="replace")
            raise SystemExit(f"{engine} (pid {pid}) failed with exit {os.waitstatus_to_exitcode(status)}:\n{err[-3000:]}")
        lines = processes[pid].read_text(encoding="utf-8").splitlines()
        results |= {tuple(json.loads(line)) for line in lines[1:]}
        user, peak = user + usage.ru_utime, peak + usage.ru_maxrss / 1024
        in_process = max(in_process, json.loads(lines[0])["seconds"])
    wall = time.perf_counter() - start
    figures = {"wall_s": round(wall, 2), "in_process_s": round(in_process, 2), "user_cpu_s": round(user, 2),
               "peak_mib": round(peak, 1), "results": len(results), "processes": shards}
    print(f"{engine}: {figures}", file=sys.stderr, flush=True)
    return {"figures": figures, "set": results}


def synth_build(editions: int, seed: int, root: Path) -> Path:
    corpus, build = root / "corpus", root / "build"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    for args in (["synth", "--editions", str(editions), "--seed", str(seed), "--out", str(corpus)],
                 ["build", "--input", str(corpus), "--out", str(build)]):
        subprocess.run([sys.executable, "-m", "stdkg", *args], env=env, check=True, capture_output=True)
    return build


def rule(result: tuple) -> str:  # type: ignore[type-arg]
    return f"{result[1].rsplit('#', 1)[-1]} ({result[5].removesuffix('ConstraintComponent')})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="an existing build folder (stdkg.nt inside)")
    parser.add_argument("--editions", type=int, default=1000, help="without --build: synth and build this many")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rdflib-max", type=int, default=100, help="run pySHACL on rdflib up to this many editions")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--shards", type=int, default=1,
                        help="split pySHACL's node shapes over this many processes run side by side (use_shapes)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--shard", default="0/1", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        shard, shards = (int(n) for n in args.shard.split("/"))
        child(args.child, args.build, args.out, shard, shards)
        return 0
    engines = [e for e in args.engines.split(",") if e]
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-pyshacl-") as tmp:
        root = Path(tmp)
        build = args.build or synth_build(args.editions, args.seed, root)
        triples, counted = 0, 0  # a given build's editions are counted, so --rdflib-max holds for it too
        with open(build / "stdkg.nt", "rb") as graph:
            for line in graph:
                triples += 1
                counted += line.endswith(EDITION_TYPE)
        editions = args.editions if args.build is None else counted
        if editions > args.rdflib_max:
            engines = [e for e in engines if e != "pyshacl-rdflib"]
        load = os.getloadavg()
        runs = {engine: run_engine(engine, build, root, args.shards) for engine in engines}
    counts = {engine: Counter(rule(r) for r in run["set"]) for engine, run in runs.items()}  # type: ignore[union-attr]
    rules = sorted(set().union(*counts.values()))
    width = max(len(r) for r in rules) if rules else 10
    print(f"{triples:,} triples ({build}); load average {tuple(round(x, 2) for x in load)}")
    print(f"{'rule (component)':<{width}}  " + "  ".join(f"{e:>14}" for e in runs))
    for name in rules:
        print(f"{name:<{width}}  " + "  ".join(f"{counts[e][name]:>14,}" for e in runs))
    print(f"{'total':<{width}}  " + "  ".join(f"{len(runs[e]['set']):>14,}" for e in runs))  # type: ignore[arg-type]
    for engine, run in runs.items():
        print(f"{engine}: {run['figures']}")
    reference = runs.get("fast")
    identical = {}
    for engine, run in runs.items():
        if engine == "fast" or reference is None:
            continue
        only_fast, only_other = reference["set"] - run["set"], run["set"] - reference["set"]  # type: ignore[operator]
        identical[engine] = not only_fast and not only_other
        print(f"fast = {engine}: {'identical' if identical[engine] else 'DIFFERENT'} "
              f"({len(only_fast)} only in fast, {len(only_other)} only in {engine})")
        for label, extra in (("only fast", only_fast), (f"only {engine}", only_other)):
            for r in sorted(extra, key=str)[:20]:
                print(f"  {label}: {r}")
    if args.json:
        args.json.write_text(json.dumps({
            "triples": triples, "editions": editions, "build": str(build), "load_before": load,
            "engines": {e: run["figures"] for e, run in runs.items()},
            "per_rule": {e: dict(sorted(c.items())) for e, c in counts.items()}, "identical": identical,
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(identical.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
