"""Validation and analysis on one built graph, this checkout against another (a baseline), in one run.

    python benchmarks/bench_checks.py /tmp/s/b30k --baseline /work/main --out /tmp/checks
    python benchmarks/bench_checks.py build/ --json out.json          # this checkout only

For each checkout, in its own subprocess (PYTHONPATH pointing at it): load GRAPH/stdkg.nt into
Oxigraph, ``validate_store`` and validation.json, ``analyze`` and ``write_report`` (index.html,
analysis.json, analysis.md) — what ``stdkg pipeline`` does after its build. Wall and CPU
seconds (user + system) per part, peak RSS, and whether the four files are byte for byte the
baseline's. CPU seconds are the figure to compare while other work shares the machine;
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = ("validation.json", "analysis/analysis.json", "analysis/analysis.md", "analysis/index.html")
PARTS = ("load", "validate", "validation.json", "analyze", "write_report")
CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
build, out = Path(sys.argv[1]), Path(sys.argv[2])
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
parts = {}
def timed(name, fn):
    wall, used = time.perf_counter(), cpu()
    value = fn()
    parts[name] = [round(time.perf_counter() - wall, 2), round(cpu() - used, 2)]
    return value
from stdkg.store import open_store
from stdkg.validate import validate_store
from stdkg.validation_report import as_json
from stdkg.analyze import analyze
from stdkg.cli_analyze import write_report
store = timed("load", lambda: open_store(build / "stdkg.nt"))
validation = timed("validate", lambda: validate_store(store))
timed("validation.json", lambda: (out / "validation.json").write_text(as_json(validation) + "\\n", encoding="utf-8"))
doc = timed("analyze", lambda: analyze(store, dt.date(2025, 10, 1), graph=str(build)))
timed("write_report", lambda: write_report(doc, out / "analysis"))
parts["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
import stdkg
parts["code"] = str(Path(stdkg.__file__).parent.parent)
print(json.dumps(parts))
"""


def measure(code: Path, build: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(code)}
    # cwd outside both checkouts: `python -c` puts the working folder first on sys.path.
    done = subprocess.run([sys.executable, "-c", CHILD, str(build.resolve()), str(out.resolve())], env=env, check=True,
                          capture_output=True, text=True, cwd=out)
    if not done.stdout.strip():
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("graph", type=Path, help="a build folder holding stdkg.nt")
    parser.add_argument("--baseline", type=Path, help="another checkout of stdkg to compare with (e.g. a worktree of main)")
    parser.add_argument("--out", type=Path, help="keep the outputs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-checks-") as tmp:
        out = args.out or Path(tmp)
        runs = {"this": measure(REPO, args.graph, out / "this")}
        if args.baseline:
            runs["baseline"] = measure(args.baseline, args.graph, out / "baseline")
            runs["identical"] = {name: filecmp.cmp(out / "this" / name, out / "baseline" / name, shallow=False)
                                 for name in OUTPUTS}
    print("code: " + ", ".join(f"{name} {runs[name]['code']}" for name in ("this", "baseline") if name in runs))  # type: ignore[index]
    print(f"{'part':<16}" + "".join(f"{name + ' wall':>15}{name + ' cpu':>15}" for name in ("this", "baseline") if name in runs))
    for part in PARTS:
        cells = "".join(f"{runs[n][part][0]:>15.2f}{runs[n][part][1]:>15.2f}" for n in ("this", "baseline") if n in runs)  # type: ignore[index]
        print(f"{part:<16}{cells}")
    if "baseline" in runs:
        for part in ("validate", "analyze"):
            ratio = runs["baseline"][part][1] / max(runs["this"][part][1], 1e-9)  # type: ignore[index]
            print(f"{part}: baseline CPU / this CPU = {ratio:.2f}")
        print("byte for byte the baseline's: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in runs["identical"].items()))  # type: ignore[attr-defined]
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
