"""Load benchmark: `stdkg build` on synthetic corpora, against a plain-rdflib baseline.

    python benchmarks/bench_build.py                      # sizes 10000,100000, seed 1
    python benchmarks/bench_build.py --sizes 1000,10000 --json results.json
    python benchmarks/bench_build.py --sizes 30000 --compare /path/to/other/checkout

For each size, benchmarks/synth.py writes a corpus into a temporary folder (outside the
repository), then, each in its own subprocess so wall time and peak RSS belong to that run
alone (os.wait4 returns the child's own rusage):

(a) ``stdkg build --input CORPUS --out OUT`` — wall time, peak RSS, triples (build-report.json);
(b) the plain-rdflib way on the same graph: parse the stdkg.nt that (a) wrote into an
    ``rdflib.Graph()`` and serialise it with rdflib's own Turtle serialiser.

The baseline is skipped for a size when, scaled by triples from the previous size's
baseline, it would take longer than --baseline-limit seconds; the output says so. With
``--compare CHECKOUT``, (a) also runs with that checkout first on PYTHONPATH (another commit
of stdkg), in the same run, and its stdkg.nt and stdkg.ttl are compared byte for byte. Nothing
here asserts on time: the figures are for reading, not for passing or failing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

BASELINE = """\
import json, sys, time
import rdflib
t0 = time.perf_counter()
graph = rdflib.Graph()
graph.parse(sys.argv[1], format="nt")
t1 = time.perf_counter()
graph.serialize(destination=sys.argv[2], format="turtle")
t2 = time.perf_counter()
print(json.dumps({"triples": len(graph), "parse_s": t1 - t0, "serialize_s": t2 - t1}))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float
    cpu_s: float  # user + system CPU seconds of the run (all its threads)
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Result:
    size: int
    triples: int
    rejected_rows: int
    synth_s: float
    build_s: float
    build_rows_per_s: float
    build_peak_mib: float
    build_cpu_s: float = 0.0
    compare_s: float | None = None  # --compare: the other checkout's build, same corpus, same run
    compare_cpu_s: float | None = None
    compare_peak_mib: float | None = None
    compare_identical: bool | None = None  # its stdkg.nt and stdkg.ttl equal this one's byte for byte
    baseline_s: float | None = None
    baseline_parse_s: float | None = None
    baseline_serialize_s: float | None = None
    baseline_peak_mib: float | None = None
    baseline_ratio: float | None = None  # baseline seconds / stdkg build seconds
    baseline_note: str = ""


def measure(command: list[str], workdir: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command``; its wall time and its own peak RSS (ru_maxrss of this one child)."""
    out_path, err_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=workdir, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    peak_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return Run(seconds, peak_kib / 1024, usage.ru_utime + usage.ru_stime, process.returncode,
               out_path.read_text(encoding="utf-8", errors="replace"), err_path.read_text(encoding="utf-8", errors="replace"))


def stdkg_command() -> list[str]:
    found = shutil.which("stdkg")
    return [found] if found else [sys.executable, "-m", "stdkg"]


def checkout_env(checkout: Path) -> dict[str, str]:
    """The environment that runs ``python -m stdkg`` from ``checkout`` rather than the installed one."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def bench_size(size: int, seed: int, root: Path, previous: Result | None, baseline_limit: float,
               compare: Path | None = None) -> Result:
    corpus, out = root / f"corpus-{size}", root / f"build-{size}"
    start = time.perf_counter()
    synth.write_corpus(size, seed, corpus)
    synth_s = time.perf_counter() - start
    print(f"[{size}] corpus written in {synth_s:.1f} s; running stdkg build …", file=sys.stderr, flush=True)

    # With --compare, both builds run as `python -m stdkg` from their checkouts: this one and the other.
    command, env = ([sys.executable, "-m", "stdkg"], checkout_env(HERE.parent)) if compare else (stdkg_command(), None)
    build = measure([*command, "build", "--input", str(corpus), "--out", str(out), "--format", "json"], root, env)
    if build.returncode != 0:
        raise SystemExit(f"stdkg build failed at size {size} (exit {build.returncode}):\n{build.stderr[-3000:]}")
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    result = Result(size, report["triples"], report["rejected_rows"], round(synth_s, 2), round(build.seconds, 2),
                    round(size / build.seconds, 1), round(build.peak_mib, 1), round(build.cpu_s, 2))
    print(f"[{size}] stdkg build: {build.seconds:.1f} s ({build.cpu_s:.1f} s CPU), {build.peak_mib:.0f} MiB, "
          f"{result.triples} triples", file=sys.stderr, flush=True)
    if compare is not None:
        other = root / f"compare-{size}"
        run = measure([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(other),
                       "--format", "json"], root, checkout_env(compare))
        if run.returncode != 0:
            raise SystemExit(f"the --compare build failed at size {size} (exit {run.returncode}):\n{run.stderr[-3000:]}")
        result.compare_s, result.compare_cpu_s = round(run.seconds, 2), round(run.cpu_s, 2)
        result.compare_peak_mib = round(run.peak_mib, 1)
        result.compare_identical = all((out / name).read_bytes() == (other / name).read_bytes()
                                       for name in ("stdkg.nt", "stdkg.ttl"))
        print(f"[{size}] --compare build: {run.seconds:.1f} s ({run.cpu_s:.1f} s CPU), {run.peak_mib:.0f} MiB; "
              f"outputs {'identical' if result.compare_identical else 'DIFFER'}", file=sys.stderr, flush=True)

    if previous is not None and previous.baseline_s is not None:
        estimate = previous.baseline_s * result.triples / previous.triples
        if estimate > baseline_limit:
            result.baseline_note = (f"baseline skipped: scaled from size {previous.size:,} it would take about "
                                    f"{estimate:.0f} s (> --baseline-limit {baseline_limit:.0f} s)")
    elif previous is not None and previous.baseline_note:
        result.baseline_note = f"baseline skipped: it did not run at the smaller size {previous.size:,} either"
    if result.baseline_note:
        print(f"[{size}] {result.baseline_note}", file=sys.stderr, flush=True)
        return result

    print(f"[{size}] plain rdflib: parse stdkg.nt, serialise Turtle …", file=sys.stderr, flush=True)
    baseline = measure([sys.executable, "-c", BASELINE, str(out / "stdkg.nt"), str(root / f"rdflib-{size}.ttl")], root)
    if baseline.returncode != 0:
        result.baseline_note = f"baseline failed (exit {baseline.returncode}): {baseline.stderr.strip()[-300:]}"
        return result
    inner = json.loads(baseline.stdout.strip().splitlines()[-1])
    result.baseline_s = round(baseline.seconds, 2)
    result.baseline_parse_s = round(inner["parse_s"], 2)
    result.baseline_serialize_s = round(inner["serialize_s"], 2)
    result.baseline_peak_mib = round(baseline.peak_mib, 1)
    result.baseline_ratio = round(baseline.seconds / build.seconds, 2)
    print(f"[{size}] plain rdflib: {baseline.seconds:.1f} s, {baseline.peak_mib:.0f} MiB", file=sys.stderr, flush=True)
    return result


def table(results: list[Result]) -> str:
    head = ["size", "triples", "stdkg build s", "CPU s", "rows/s", "peak MiB", "baseline s", "baseline peak MiB",
            "baseline/stdkg"]
    compared = any(r.compare_s is not None for r in results)
    if compared:
        head[6:6] = ["compare s", "compare CPU s", "compare MiB", "compare/stdkg", "same bytes"]
    lines = []
    for r in results:
        extra = [f"{r.compare_s:.1f}", f"{r.compare_cpu_s:.1f}", f"{r.compare_peak_mib:,.0f}",
                 f"{r.compare_s / r.build_s:.2f}×", "yes" if r.compare_identical else "NO"] if r.compare_s is not None else ["–"] * 5
        lines.append([f"{r.size:,}", f"{r.triples:,}", f"{r.build_s:.1f}", f"{r.build_cpu_s:.1f}", f"{r.build_rows_per_s:,.0f}",
                      f"{r.build_peak_mib:,.0f}", *(extra if compared else []),
                      f"{r.baseline_s:.1f}" if r.baseline_s is not None else "skipped",
                      f"{r.baseline_peak_mib:,.0f}" if r.baseline_peak_mib is not None else "–",
                      f"{r.baseline_ratio:.2f}×" if r.baseline_ratio is not None else "–"])
    widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(head)]
    render = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in [head, *lines]]
    render.insert(1, "  ".join("-" * w for w in widths))
    render += [f"note ({r.size:,}): {r.baseline_note}" for r in results if r.baseline_note]
    return "\n".join(render)


def environment() -> dict[str, object]:
    import rdflib

    from stdkg import __version__

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "rdflib": rdflib.__version__, "stdkg": __version__, "git_commit": git("rev-parse", "HEAD"),
            "stdkg_tree_modified": bool(git("status", "--porcelain", "--", "stdkg", "loaders", "ontology"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts (default 10000,100000)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--baseline-limit", type=float, default=180.0,
                        help="skip the rdflib baseline at a size where it is expected to exceed this many seconds (default 180)")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also build each corpus with this stdkg checkout (e.g. a worktree of main) and compare")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs at least one positive row count")

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-") as tmp:
        root = Path(tmp)
        if HERE.parent in root.resolve().parents:
            parser.error(f"the temporary folder {root} is inside the repository; set TMPDIR elsewhere")
        for size in sizes:
            results.append(bench_size(size, args.seed, root, results[-1] if results else None, args.baseline_limit,
                                      args.compare.resolve() if args.compare else None))
    print(table(results))
    if args.json:
        payload = {"seed": args.seed, "environment": environment(), "results": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"results → {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
