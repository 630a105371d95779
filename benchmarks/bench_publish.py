"""Publishing benchmark: `stdkg publish` on synthetic pipeline builds, reusing the pipeline's
reports and computing them again, against rdflib's own serialisers in the same run.

    python benchmarks/bench_publish.py                        # sizes 10000,100000, seed 1
    python benchmarks/bench_publish.py --sizes 1000 --json results.json
    python benchmarks/bench_publish.py --build /tmp/build-100k  # an existing `stdkg pipeline` build

For each size, benchmarks/synth.py writes a corpus and `stdkg pipeline --as-of 2025-10-01`
builds, validates and analyses it (timed, but measured properly by bench_national.py), then,
each in its own subprocess (wall time by the clock, user and system CPU and peak RSS from the
child's own rusage via os.wait4):

(a) reuse: ``stdkg publish BUILD --out SITE --force --as-of 2025-10-01 --format json`` — the
    whole release, taking validation.json and analysis/analysis.json from the build folder
    (their fingerprint matches): one HTML, Turtle and JSON-LD file per resource, the three
    dumps with SHA-256, DCAT + VoID, search index, the validation and analysis reports
    (synthetic data has violations, hence --force);
(b) recompute: the same with ``--no-reuse``: the gate and the analysis run again, as for a
    build folder without fingerprinted reports; the two sites must be byte-identical
    (checked here, file by file);
(c) the plain-rdflib way to the dumps alone: parse stdkg.nt into an ``rdflib.Graph()`` and
    serialise it as Turtle, N-Triples and JSON-LD with rdflib's serialisers.

The baseline is skipped at a size where, scaled by triples from the previous size, it would
take longer than --baseline-limit seconds. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402  (benchmarks/ is not a package)
from bench_build import environment, measure, stdkg_command  # noqa: E402

AS_OF = "2025-10-01"  # the pipeline's and publish's review day: the same, so the analysis is reused

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
class Run:
    """One stdkg publish run."""

    seconds: float
    user_s: float
    sys_s: float
    peak_mib: float


@dataclass
class Result:
    size: int | None
    triples: int
    documents: int
    files: int
    reuse: Run  # (a) the pipeline's reports reused
    recompute: Run | None  # (b) --no-reuse: the gate and the analysis run again
    same_site: bool | None = None  # (a) and (b) wrote byte-identical sites
    pipeline_s: float | None = None
    baseline_s: float | None = None
    baseline_detail: dict[str, float] | None = None
    baseline_peak_mib: float | None = None
    baseline_ratio: float | None = None  # rdflib dumps seconds / stdkg publish (reuse) seconds
    baseline_ratio_recompute: float | None = None  # rdflib dumps seconds / stdkg publish (recompute) seconds
    note: str = ""


def timed(command: list[str], root: Path) -> tuple[Run, subprocess.CompletedProcess[str]]:
    """measure() plus the child's user and system CPU (its rusage, children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = measure(command, root)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(round(done.seconds, 2), round(after.ru_utime - before.ru_utime, 1), round(after.ru_stime - before.ru_stime, 1),
               round(done.peak_mib, 1)), done


def same_tree(a: Path, b: Path) -> bool:
    """The two folders hold the same files with the same bytes (hidden ones included)."""
    names = [sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) for root in (a, b)]
    return names[0] == names[1] and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names[0])


def publish_once(build: Path, site: Path, root: Path, workers: int, *extra: str) -> tuple[Run, dict[str, object]]:
    run, done = timed([*stdkg_command(), "publish", str(build), "--out", str(site), "--force", "--as-of", AS_OF,
                       "--workers", str(workers), "--format", "json", *extra], root)
    if done.returncode != 0:
        raise SystemExit(f"stdkg publish {' '.join(extra)} failed on {build} (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return run, json.loads(done.stdout)


def bench_build(build: Path, size: int | None, root: Path, previous: Result | None, baseline_limit: float,
                workers: int, recompute: bool = True, with_baseline: bool = True) -> Result:
    label = f"{size:,}" if size else str(build)
    site = root / f"site-{size or 'given'}"
    reuse, report = publish_once(build, site, root, workers)
    if report.get("reused") != ["validation", "analysis"]:
        print(f"[{label}] note: publish reused {report.get('reused')} only (a build without fingerprinted reports?)",
              file=sys.stderr, flush=True)
    result = Result(size, int(report["triples"]), int(report["documents"]), int(report["files"]), reuse, None)  # type: ignore[call-overload]
    print(f"[{label}] stdkg publish (reuse): {reuse.seconds:.1f} s wall, {reuse.user_s:.0f} s user + {reuse.sys_s:.0f} s sys, "
          f"{reuse.peak_mib:.0f} MiB, {result.files:,} files", file=sys.stderr, flush=True)
    if recompute:
        again = root / f"site-{size or 'given'}-recompute"
        result.recompute, _ = publish_once(build, again, root, workers, "--no-reuse")
        r = result.recompute
        print(f"[{label}] stdkg publish --no-reuse: {r.seconds:.1f} s wall, {r.user_s:.0f} s user + {r.sys_s:.0f} s sys, "
              f"{r.peak_mib:.0f} MiB", file=sys.stderr, flush=True)
        result.same_site = same_tree(site, again)
        print(f"[{label}] byte-identical sites: {result.same_site}", file=sys.stderr, flush=True)
        shutil.rmtree(again)
    shutil.rmtree(site)
    if not with_baseline:
        result.note = "baseline skipped (--no-baseline)"
        return result
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
    result.baseline_ratio = round(baseline.seconds / reuse.seconds, 2)
    if result.recompute is not None:
        result.baseline_ratio_recompute = round(baseline.seconds / result.recompute.seconds, 2)
    print(f"[{label}] plain rdflib dumps: {baseline.seconds:.1f} s, {baseline.peak_mib:.0f} MiB", file=sys.stderr, flush=True)
    return result


def table(results: list[Result]) -> str:
    head = ["size", "triples", "resources", "files", "reuse s (user+sys)", "peak MiB", "recompute s (user+sys)",
            "peak MiB", "same bytes", "rdflib dumps s", "rdflib/reuse", "rdflib/recompute"]

    def run(r: Run | None) -> list[str]:
        return [f"{r.seconds:.1f} ({r.user_s:.0f}+{r.sys_s:.0f})", f"{r.peak_mib:,.0f}"] if r else ["–", "–"]

    lines = [[f"{r.size:,}" if r.size else "given", f"{r.triples:,}", f"{r.documents:,}", f"{r.files:,}",
              *run(r.reuse), *run(r.recompute), {True: "yes", False: "NO", None: "–"}[r.same_site],
              f"{r.baseline_s:.1f}" if r.baseline_s is not None else "skipped",
              f"{r.baseline_ratio:.2f}×" if r.baseline_ratio is not None else "–",
              f"{r.baseline_ratio_recompute:.2f}×" if r.baseline_ratio_recompute is not None else "–"] for r in results]
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
    parser.add_argument("--build", type=Path, help="publish this existing `stdkg pipeline --as-of 2025-10-01` build "
                        "folder instead of synthetic sizes")
    parser.add_argument("--no-recompute", action="store_true", help="skip (b), publishing with --no-reuse")
    parser.add_argument("--no-baseline", action="store_true", help="skip (c), rdflib's serialisers")
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
            results.append(bench_build(args.build.resolve(), None, root, None, args.baseline_limit, args.workers,
                                       not args.no_recompute, not args.no_baseline))
        else:
            for size in sorted({int(s) for s in args.sizes.split(",") if s.strip()}):
                corpus, build = root / f"corpus-{size}", root / f"build-{size}"
                synth.write_corpus(size, args.seed, corpus)
                started = time.perf_counter()
                done = measure([*stdkg_command(), "pipeline", "--input", str(corpus), "--out", str(build),
                                "--as-of", AS_OF], root)
                if done.returncode not in (0, 1):  # 1: the seeded violations fail the gate, as they should
                    raise SystemExit(f"stdkg pipeline failed at size {size}:\n{done.stderr[-3000:]}")
                pipeline_s = time.perf_counter() - started
                print(f"[{size:,}] corpus written and piped (build, validate, analyze) in {pipeline_s:.1f} s",
                      file=sys.stderr, flush=True)
                results.append(bench_build(build, size, root, results[-1] if results else None, args.baseline_limit,
                                           args.workers, not args.no_recompute, not args.no_baseline))
                results[-1].pipeline_s = round(done.seconds, 2)
                shutil.rmtree(build)
    print(table(results))
    if args.json:
        payload = {"seed": args.seed, "environment": environment(), "results": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"results → {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
