"""Publishing benchmark: `stdkg publish` on synthetic corpora, against rdflib's own serialisers.

    python benchmarks/bench_publish.py                        # sizes 10000,100000, seed 1
    python benchmarks/bench_publish.py --sizes 1000 --json results.json
    python benchmarks/bench_publish.py --build /tmp/build-100k  # an existing build folder instead

For each size, benchmarks/synth.py writes a corpus and `stdkg build` builds it (not timed
here: bench_build.py measures that), then, each in its own subprocess (wall time by the clock,
peak RSS from the child's own rusage via os.wait4):

(a) ``stdkg publish BUILD --out SITE --force --format json`` — the whole release: the gate
    (synthetic data has violations, hence --force: the gate still runs), one HTML, Turtle and
    JSON-LD file per resource, the three dumps with SHA-256, DCAT + VoID, search index, and
    the validation and analysis reports;
(b) the plain-rdflib way to the dumps alone: parse stdkg.nt into an ``rdflib.Graph()`` and
    serialise it as Turtle, N-Triples and JSON-LD with rdflib's serialisers.

The baseline is skipped at a size where, scaled by triples from the previous size, it would
take longer than --baseline-limit seconds. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402  (benchmarks/ is not a package)
from bench_build import environment, measure, stdkg_command  # noqa: E402

BASELINE = """\
import json, sys, time
import rdflib
t0 = time.perf_counter()
graph = rdflib.Graph()
graph.parse(sys.argv[1], format="nt")
t1 = time.perf_counter()
graph.serialize(destination=sys.argv[2] + ".ttl", format="turtle")
t2 = time.perf_counter()
graph.serialize(destination=sys.argv[2] + ".nt", format="nt")
t3 = time.perf_counter()
graph.serialize(destination=sys.argv[2] + ".jsonld", format="json-ld")
t4 = time.perf_counter()
print(json.dumps({"triples": len(graph), "parse_s": t1 - t0, "turtle_s": t2 - t1, "nt_s": t3 - t2, "jsonld_s": t4 - t3}))
"""


@dataclass
class Result:
    size: int | None
    triples: int
    documents: int
    files: int
    publish_s: float
    publish_peak_mib: float
    baseline_s: float | None = None
    baseline_detail: dict[str, float] | None = None
    baseline_peak_mib: float | None = None
    baseline_ratio: float | None = None  # rdflib dumps seconds / stdkg publish seconds
    note: str = ""


def bench_build(build: Path, size: int | None, root: Path, previous: Result | None, baseline_limit: float,
                workers: int) -> Result:
    label = f"{size:,}" if size else str(build)
    site = root / f"site-{size or 'given'}"
    run = measure([*stdkg_command(), "publish", str(build), "--out", str(site), "--force", "--as-of", "2025-10-01",
                   "--workers", str(workers), "--format", "json"], root)
    if run.returncode != 0:
        raise SystemExit(f"stdkg publish failed at {label} (exit {run.returncode}):\n{run.stderr[-3000:]}")
    report = json.loads(run.stdout)
    result = Result(size, report["triples"], report["documents"], report["files"], round(run.seconds, 2),
                    round(run.peak_mib, 1))
    print(f"[{label}] stdkg publish: {run.seconds:.1f} s, {run.peak_mib:.0f} MiB, {result.files:,} files",
          file=sys.stderr, flush=True)
    if previous is not None and previous.baseline_s is not None:
        estimate = previous.baseline_s * result.triples / previous.triples
        if estimate > baseline_limit:
            result.note = (f"baseline skipped: scaled from {previous.triples:,} triples it would take about "
                           f"{estimate:.0f} s (> --baseline-limit {baseline_limit:.0f} s)")
            print(f"[{label}] {result.note}", file=sys.stderr, flush=True)
            return result
    print(f"[{label}] plain rdflib: parse stdkg.nt, serialise Turtle, N-Triples, JSON-LD …", file=sys.stderr, flush=True)
    baseline = measure([sys.executable, "-c", BASELINE, str(build / "stdkg.nt"), str(root / f"rdflib-{size}")], root)
    if baseline.returncode != 0:
        result.note = f"baseline failed (exit {baseline.returncode}): {baseline.stderr.strip()[-300:]}"
        return result
    result.baseline_detail = {k: round(v, 2) for k, v in json.loads(baseline.stdout.strip().splitlines()[-1]).items()
                              if k.endswith("_s")}
    result.baseline_s = round(baseline.seconds, 2)
    result.baseline_peak_mib = round(baseline.peak_mib, 1)
    result.baseline_ratio = round(baseline.seconds / run.seconds, 2)
    print(f"[{label}] plain rdflib dumps: {baseline.seconds:.1f} s, {baseline.peak_mib:.0f} MiB", file=sys.stderr, flush=True)
    return result


def table(results: list[Result]) -> str:
    head = ["size", "triples", "resources", "files", "publish s", "peak MiB", "rdflib dumps s", "rdflib/publish"]
    lines = [[f"{r.size:,}" if r.size else "given", f"{r.triples:,}", f"{r.documents:,}", f"{r.files:,}",
              f"{r.publish_s:.1f}", f"{r.publish_peak_mib:,.0f}",
              f"{r.baseline_s:.1f}" if r.baseline_s is not None else "skipped",
              f"{r.baseline_ratio:.2f}×" if r.baseline_ratio is not None else "–"] for r in results]
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(head)]
    render = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in [head, *lines]]
    render.insert(1, "  ".join("-" * w for w in widths))
    render += [f"note ({r.size or 'given'}): {r.note}" for r in results if r.note]
    return "\n".join(render)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts (default 10000,100000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--build", type=Path, help="publish this existing build folder instead of synthetic sizes")
    parser.add_argument("--workers", type=int, default=1, help="stdkg publish --workers (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--baseline-limit", type=float, default=300.0,
                        help="skip the rdflib baseline where it is expected to exceed this many seconds (default 300)")
    args = parser.parse_args(argv)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-publish-") as tmp:
        root = Path(tmp)
        if HERE.parent in root.resolve().parents:
            parser.error(f"the temporary folder {root} is inside the repository; set TMPDIR elsewhere")
        if args.build:
            results.append(bench_build(args.build.resolve(), None, root, None, args.baseline_limit, args.workers))
        else:
            for size in sorted({int(s) for s in args.sizes.split(",") if s.strip()}):
                corpus, build = root / f"corpus-{size}", root / f"build-{size}"
                synth.write_corpus(size, args.seed, corpus)
                started = time.perf_counter()
                done = measure([*stdkg_command(), "build", "--input", str(corpus), "--out", str(build)], root)
                if done.returncode != 0:
                    raise SystemExit(f"stdkg build failed at size {size}:\n{done.stderr[-3000:]}")
                print(f"[{size:,}] corpus built in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
                results.append(bench_build(build, size, root, results[-1] if results else None, args.baseline_limit,
                                           args.workers))
    print(table(results))
    if args.json:
        payload = {"seed": args.seed, "environment": environment(), "results": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"results → {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
