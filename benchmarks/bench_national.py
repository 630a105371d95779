"""National-scale benchmark: the whole pipeline on synthetic corpora of 10k, 100k and 300k
editions, against the naive baseline (rdflib's default store + pySHACL), in one run.

    python benchmarks/bench_national.py                          # sizes 10000,100000,300000
    python benchmarks/bench_national.py --sizes 2000,10000 --json out.json

Per size, each step in its own subprocess (wall time by the clock, peak RSS from that child's
own rusage via os.wait4, so no step's memory shows in another's):

1. `stdkg synth` writes the corpus (with seeded errors and their manifest);
2. `stdkg pipeline`: build + validate + analyze end to end (one load, both cores); its
   validation.json and analysis.json must recover the seeded errors exactly;
3. every library query on the built graph (Oxigraph), total and slowest;
4. `stdkg validate --cache` once (full run that fills the cache), then 100 rows of the corpus
   are edited, `stdkg build` rebuilds it, and `stdkg validate --cache` re-validates only what
   changed (then once more with nothing changed and a text report: its floor); a full
   `stdkg validate` of the same graph must give identical output;
5. `stdkg analyze` alone on that graph, so build + validate + analyze as three commands can
   be set against the pipeline.

Baselines, where they finish in reasonable time: rdflib parsing the build's stdkg.nt into its
default store (what any rdflib + pySHACL pipeline does first), estimated from the previous
size and skipped beyond --baseline-limit seconds; pySHACL (`stdkg validate --engine pyshacl`:
pySHACL on the Oxigraph store) on the --pyshacl-editions corpus, against the fast engine on the
same graph, every result compared (benchmarks/bench_pyshacl.py does this per rule, at any size). Nothing here asserts on
time; figures are for reading, ratios are from the same run. Machine load is printed, since
other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from stdkg.synth import load_manifest  # noqa: E402
from stdkg.synth_errors import recovery  # noqa: E402

AS_OF = "2025-10-01"
QUERIES = """\
import json, sys, time
from pathlib import Path
import bench_queries as bq
from stdkg.store import open_store
store = open_store(Path(sys.argv[1]))
times = {}
for query in bq.queries():
    rows, seconds = bq.time_oxigraph(store, query, bq.pick_parameters(store, query), 1)
    times[query.name] = seconds
print(json.dumps(times))
"""
RDFLIB = """\
import json, sys, time
import rdflib
start = time.perf_counter()
graph = rdflib.Graph()
graph.parse(sys.argv[1], format="nt")
print(json.dumps({"triples": len(graph), "parse_s": time.perf_counter() - start}))
"""
PYSHACL = """\
import json, sys, time
from pathlib import Path
from stdkg.validate import validate_file
start = time.perf_counter()
fast = validate_file(Path(sys.argv[1]))
fast_s = time.perf_counter() - start
start = time.perf_counter()
ref = validate_file(Path(sys.argv[1]), engine="pyshacl")
whole = lambda results: {(r.severity, r.shape, r.focus, r.path, r.value, r.component) for r in results}
print(json.dumps({"fast_s": fast_s, "pyshacl_s": time.perf_counter() - start, "results": len(ref.results),
                  "same": whole(fast.results) == whole(ref.results)}))
"""


@dataclass
class Step:
    seconds: float
    peak_mib: float
    returncode: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class Size:
    editions: int
    triples: int = 0
    steps: dict[str, dict[str, float]] = field(default_factory=dict)  # step → seconds, peak_mib
    pipeline_stages: dict[str, float] = field(default_factory=dict)
    seeded_exact: bool | None = None
    seeded: dict[str, object] = field(default_factory=dict)
    incremental_equal_full: bool | None = None
    incremental_note: str = ""
    slowest_query: tuple[str, float] | None = None
    baseline_rdflib_s: float | None = None
    baseline_rdflib_peak_mib: float | None = None
    baseline_note: str = ""


def measure(command: list[str], cwd: Path, timeout: float | None = None) -> Step:
    out_path, err_path = cwd / "stdout.txt", cwd / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE), os.environ.get("PYTHONPATH", "")])}
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Step(seconds, usage.ru_maxrss / 1024, process.returncode,
                out_path.read_text(encoding="utf-8", errors="replace"), err_path.read_text(encoding="utf-8", errors="replace"))


def stdkg(*args: str) -> list[str]:
    return [sys.executable, "-m", "stdkg", *args]


def edit_rows(table: Path, count: int, seed: int) -> None:
    """Change ``count`` rows the way a maintainer does (status, dates, a reference, a title)."""
    with open(table, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    rng = random.Random(seed)
    for n, index in enumerate(rng.sample(range(len(rows)), count)):
        row, other = rows[index], rows[rng.randrange(len(rows))]
        if n % 4 == 0:
            row["status"] = "废止" if row["status"] == "现行" else "现行"
        elif n % 4 == 1:
            row["normative_references"] = "; ".join(filter(None, [row["normative_references"], other["number"]]))
        elif n % 4 == 2:
            row["title_zh"] += "（修订）"
        else:
            row["implemented"] = row["issued"]
    with open(table, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def run_size(editions: int, seed: int, root: Path, previous: Size | None, args: argparse.Namespace) -> Size:
    size = Size(editions)
    corpus, piped, cache = root / f"corpus-{editions}", root / f"pipeline-{editions}", root / f"cache-{editions}"
    log = lambda text: print(f"[{editions:,}] {text}", file=sys.stderr, flush=True)  # noqa: E731

    def step(name: str, command: list[str], ok: tuple[int, ...] = (0,)) -> Step:
        log(f"{name} …")
        result = measure(command, root)
        if result.returncode not in ok:
            raise SystemExit(f"{name} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
        size.steps[name] = {"seconds": round(result.seconds, 2), "peak_mib": round(result.peak_mib, 1)}
        log(f"{name}: {result.seconds:.1f} s, {result.peak_mib:,.0f} MiB")
        return result

    step("synth", stdkg("synth", "--editions", str(editions), "--seed", str(seed), "--out", str(corpus)))
    piped_run = step("pipeline", stdkg("pipeline", "--input", str(corpus), "--out", str(piped), "--as-of", AS_OF,
                                      "--format", "json"), ok=(0, 1))
    summary = json.loads(piped_run.stdout)
    size.triples, size.pipeline_stages = summary["triples"], summary["seconds"]
    validation = json.loads((piped / "validation.json").read_text(encoding="utf-8"))
    analysis = json.loads((piped / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    size.seeded = recovery(load_manifest(corpus), validation["results"], analysis)
    size.seeded_exact = all(e["exact"] and e.get("analyze_exact", True) for e in size.seeded.values())  # type: ignore[union-attr]

    queries = step("queries", [sys.executable, "-c", QUERIES, str(piped)])
    times = json.loads(queries.stdout.strip().splitlines()[-1])
    size.steps["queries"]["total_query_s"] = round(sum(times.values()), 2)
    size.slowest_query = max(times.items(), key=lambda kv: kv[1])

    if editions > args.full_steps_max:  # the largest sizes: the pipeline and the queries only
        size.incremental_note = f"incremental and separate steps skipped (> --full-steps-max {args.full_steps_max:,})"
        return _baseline(size, previous, piped, root, args, log, [corpus, piped, cache])
    step("validate --cache (fills cache)", stdkg("validate", str(piped), "--cache", str(cache), "--format", "json"), ok=(0, 1))
    edit_rows(corpus / "standards.csv", 100, seed)
    step("build (100 rows edited)", stdkg("build", "--input", str(corpus), "--out", str(piped), "--format", "json"))
    incremental = step("validate --cache (incremental)", stdkg("validate", str(piped), "--cache", str(cache), "--format", "json"), ok=(0, 1))
    size.incremental_note = incremental.stderr.strip().splitlines()[-1] if incremental.stderr.strip() else ""
    # The floor of an incremental run: nothing changed, text report (no JSON of every result).
    step("validate --cache (no change, text)", stdkg("validate", str(piped), "--cache", str(cache)), ok=(0, 1))
    full = step("validate", stdkg("validate", str(piped), "--format", "json"), ok=(0, 1))
    size.incremental_equal_full = incremental.stdout == full.stdout
    step("analyze", stdkg("analyze", str(piped), "--as-of", AS_OF, "--format", "json"))
    return _baseline(size, previous, piped, root, args, log, [corpus, piped, cache])


def _baseline(size: Size, previous: Size | None, piped: Path, root: Path, args: argparse.Namespace, log,  # type: ignore[no-untyped-def]
              folders: list[Path]) -> Size:
    estimate = None
    if previous is not None and previous.baseline_rdflib_s is not None:
        estimate = previous.baseline_rdflib_s * size.triples / max(previous.triples, 1)
    if size.editions > args.rdflib_max:
        size.baseline_note = f"rdflib baseline skipped (> --rdflib-max {args.rdflib_max:,} editions)"
    elif previous is not None and previous.baseline_rdflib_s is None:
        size.baseline_note = "rdflib baseline skipped: it was skipped at the smaller size too"
    elif estimate is not None and estimate > args.baseline_limit:
        size.baseline_note = f"rdflib baseline skipped: about {estimate:.0f} s expected (> --baseline-limit {args.baseline_limit:.0f} s)"
    else:
        log("baseline: rdflib parses stdkg.nt …")
        base = measure([sys.executable, "-c", RDFLIB, str(piped / "stdkg.nt")], root)
        if base.returncode == 0:
            size.baseline_rdflib_s, size.baseline_rdflib_peak_mib = round(base.seconds, 2), round(base.peak_mib, 1)
            log(f"baseline rdflib: {base.seconds:.1f} s, {base.peak_mib:,.0f} MiB")
        else:
            size.baseline_note = f"rdflib baseline failed: {base.stderr.strip()[-300:]}"
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return size


def pyshacl_baseline(editions: int, seed: int, root: Path) -> dict[str, object]:
    corpus, build = root / "pyshacl-corpus", root / "pyshacl-build"
    measure(stdkg("synth", "--editions", str(editions), "--seed", str(seed), "--out", str(corpus)), root)
    measure(stdkg("build", "--input", str(corpus), "--out", str(build)), root)
    triples = sum(1 for _ in open(build / "stdkg.nt", encoding="utf-8"))
    print(f"[pySHACL] {editions} editions, {triples:,} triples …", file=sys.stderr, flush=True)
    run = measure([sys.executable, "-c", PYSHACL, str(build)], root)
    found = json.loads(run.stdout.strip().splitlines()[-1]) if run.returncode == 0 else {"error": run.stderr[-300:]}
    return {"editions": editions, "triples": triples, "peak_mib": round(run.peak_mib, 1), **found}


def table(sizes: list[Size]) -> str:
    head = ["editions", "triples", "pipeline s", "build", "validate", "analyze", "peak MiB", "3 commands s",
            "queries s", "slowest query s", "incremental s", "rdflib parse s", "rdflib/pipeline", "seeded exact", "incr = full"]
    lines = []
    for s in sizes:
        st = s.steps
        full = "validate" in st
        apart = st["build (100 rows edited)"]["seconds"] + st["validate"]["seconds"] + st["analyze"]["seconds"] if full else None
        lines.append([f"{s.editions:,}", f"{s.triples:,}", f"{st['pipeline']['seconds']:.1f}",
                      f"{s.pipeline_stages.get('build', 0):.1f}", f"{s.pipeline_stages.get('validate', 0):.1f}",
                      f"{s.pipeline_stages.get('analyze', 0):.1f}", f"{st['pipeline']['peak_mib']:,.0f}", f"{apart:.1f}" if apart is not None else "–",
                      f"{st['queries']['total_query_s']:.1f}", f"{s.slowest_query[1]:.2f}" if s.slowest_query else "–",
                      f"{st['validate --cache (incremental)']['seconds']:.1f}" if full else "–",
                      f"{s.baseline_rdflib_s:.1f}" if s.baseline_rdflib_s is not None else "skipped",
                      f"{s.baseline_rdflib_s / st['pipeline']['seconds']:.2f}×" if s.baseline_rdflib_s is not None else "–",
                      "yes" if s.seeded_exact else "NO",
                      ("yes" if s.incremental_equal_full else "NO") if full else "–"])
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(head)]
    out = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in [head, *lines]]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-limit", type=float, default=240.0,
                        help="skip the rdflib baseline where it is expected to take longer (seconds)")
    parser.add_argument("--pyshacl-editions", type=int, default=100,
                        help="corpus size for the pySHACL comparison (0: skip); pySHACL needs ~20 CPU s per 1,000 editions")
    parser.add_argument("--full-steps-max", type=int, default=10**9,
                        help="above this many editions run only the pipeline and the queries (no cache, no separate commands)")
    parser.add_argument("--rdflib-max", type=int, default=10**9, help="no rdflib baseline above this many editions")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    load_before = os.getloadavg()
    results: list[Size] = []
    with tempfile.TemporaryDirectory(prefix="stdkg-national-") as tmp:
        root = Path(tmp)
        pyshacl = pyshacl_baseline(args.pyshacl_editions, args.seed, root) if args.pyshacl_editions else None
        for editions in sizes:
            results.append(run_size(editions, args.seed, root, results[-1] if results else None, args))
    print(table(results))
    for s in results:
        print(f"{s.editions:,}: pipeline stages {s.pipeline_stages}; {s.incremental_note}; slowest query {s.slowest_query}")
        if s.baseline_note:
            print(f"{s.editions:,}: {s.baseline_note}")
    if pyshacl:
        ratio = f"{pyshacl['pyshacl_s'] / pyshacl['fast_s']:.0f}×" if "pyshacl_s" in pyshacl else "–"
        print(f"pySHACL baseline: {pyshacl}; pySHACL / fast = {ratio}")
    print(f"load average before {tuple(round(x, 2) for x in load_before)}, after {tuple(round(x, 2) for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps({"sizes": [asdict(s) for s in results], "pyshacl": pyshacl,
                                         "load_before": load_before, "load_after": os.getloadavg()},
                                        ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
