"""`stdkg analyze` on a synthetic graph of about 1M triples: wall time and peak memory.

    python benchmarks/bench_analyze.py                      # 35,000 editions (~1M triples), seed 1
    python benchmarks/bench_analyze.py --editions 3500 --graph /tmp/b35k --json out.json

Writes a corpus with synth.py and builds it (unless --graph names a build folder), then runs,
each in its own subprocess (wall time by the clock, peak RSS from the child's own rusage via
os.wait4): ``stdkg analyze GRAPH --format json`` (the analysis alone) and ``stdkg analyze GRAPH
--out DIR`` (with the terminal text and the HTML/JSON/Markdown report), then a per-step split
inside one process. The target is under 60 s at 1M triples; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2025-10-01"
STEP_SCRIPT = """
import datetime as dt, json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from stdkg.store import open_store
store = open_store(Path(sys.argv[1]))
t1 = time.perf_counter()
from stdkg import analyze as a
from stdkg.analyze_coverage import coverage
from stdkg.analyze_deps import dependencies
from stdkg.analyze_local import local_support, review_due
from stdkg.analyze_overlaps import overlaps
steps = {"load graph into Oxigraph": t1 - t0}
def timed(name, fn):
    start = time.perf_counter(); value = fn(); steps[name] = time.perf_counter() - start; return value
docs = timed("standard_facts (all standards)", lambda: a.load_facts(store))
titles = a.work_titles(docs)
timed("coverage", lambda: coverage(store))
timed("local support", lambda: local_support(store, docs, titles))
timed("overlaps (item+type, titles, committees)", lambda: overlaps(store, docs, 0.8))
timed("dependencies (cycles, PageRank, dangling)", lambda: dependencies(store, docs, titles, 10))
timed("review due", lambda: review_due(store, dt.date(2025, 10, 1), docs))
print(json.dumps({k: round(v, 2) for k, v in steps.items()}))
"""


def run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS MiB, exit code and stdout of one child process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    peak = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return seconds, peak, process.returncode, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editions", type=int, default=35000, help="synthetic rows (35000 ≈ 1M triples)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graph", type=Path, help="an existing build folder to analyse instead of a new corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-analyze-") as tmp:
        graph = args.graph
        if graph is None:
            corpus, graph = Path(tmp) / "corpus", Path(tmp) / "build"
            subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", str(args.editions),
                            "--seed", str(args.seed), "--out", str(corpus)], check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(graph)],
                           check=True, capture_output=True)
        triples = sum(1 for _ in open(graph / "stdkg.nt", encoding="utf-8"))
        stdkg = [sys.executable, "-m", "stdkg", "analyze", str(graph), "--as-of", AS_OF]
        json_s, json_mib, code, text = run([*stdkg, "--format", "json"])
        assert code == 0, "stdkg analyze --format json failed"
        doc = json.loads(text)
        report_s, report_mib, code, _ = run([*stdkg, "--out", str(Path(tmp) / "report")])
        assert code == 0, "stdkg analyze --out failed"
        html_kib = (Path(tmp) / "report" / "index.html").stat().st_size / 1024
        steps = json.loads(subprocess.run([sys.executable, "-c", STEP_SCRIPT, str(graph)], check=True,
                                          capture_output=True, text=True).stdout)  # raises if a step fails
    figures = {
        "date": dt.date.today().isoformat(), "editions": args.editions if args.graph is None else None,
        "seed": args.seed, "triples": triples, "analyze_json_s": round(json_s, 1), "analyze_json_peak_mib": round(json_mib),
        "analyze_report_s": round(report_s, 1), "analyze_report_peak_mib": round(report_mib), "html_kib": round(html_kib),
        "steps_s": steps, "found": {
            "items": doc["coverage"]["items"], "references": doc["dependencies"]["references"],
            "cycles": len(doc["dependencies"]["cycles"]), "title_pairs": len(doc["overlaps"]["titles"]["pairs"]),
            "titles_compared": doc["overlaps"]["titles"]["compared"], "due": doc["review"]["due"]},
    }
    print(f"triples: {triples:,}")
    print(f"stdkg analyze --format json : {json_s:6.1f} s   peak {json_mib:6.0f} MiB")
    print(f"stdkg analyze --out DIR     : {report_s:6.1f} s   peak {report_mib:6.0f} MiB   index.html {html_kib:,.0f} KiB")
    print("in one process:")
    for name, seconds in steps.items():
        print(f"  {name:<45} {seconds:6.2f} s")
    print("found: " + ", ".join(f"{k} {v:,}" for k, v in figures["found"].items()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
