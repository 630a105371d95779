"""Validation benchmark: the fast engine (shapes compiled to SPARQL on Oxigraph) against
pySHACL, the reference, on synthetic graphs of given sizes, in one run.

    python benchmarks/bench_validate.py [--rows 350,1000,3500,35000] [--pyshacl-max-rows 1000] [--json out.json]

~3,500 synthetic rows make ~100k triples, ~35,000 make ~1M. pySHACL runs only up to
--pyshacl-max-rows (with these shapes it takes over 20 minutes at 100k triples here); both engines' result sets are compared
wherever both ran. Figures are printed as a table and ratios; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stdkg.validate import validate_file  # noqa: E402


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="350,1000,3500,35000")
    parser.add_argument("--pyshacl-max-rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows_out = []
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-validate-") as tmp:
        for rows in (int(r) for r in args.rows.split(",")):
            corpus, build = Path(tmp) / f"c{rows}", Path(tmp) / f"b{rows}"
            subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", str(rows),
                            "--seed", str(args.seed), "--out", str(corpus)], check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(build)],
                           check=True, capture_output=True)
            triples = sum(1 for _ in open(build / "stdkg.nt", encoding="utf-8"))
            fast, fast_s = timed(lambda: validate_file(build))
            entry = {"rows": rows, "triples": triples, "fast_s": round(fast_s, 2), "results": len(fast.results),
                     "violations": fast.count("Violation")}
            if rows <= args.pyshacl_max_rows:
                ref, ref_s = timed(lambda: validate_file(build, engine="pyshacl"))
                entry.update(pyshacl_s=round(ref_s, 2), ratio=round(ref_s / fast_s, 1),
                             same_results={r.key for r in fast.results} == {r.key for r in ref.results})
            rows_out.append(entry)
            print(json.dumps(entry), flush=True)
    print(f"\n{'rows':>7} {'triples':>10} {'fast s':>8} {'pySHACL s':>10} {'ratio':>7} {'same':>5}")
    for e in rows_out:
        print(f"{e['rows']:>7} {e['triples']:>10} {e['fast_s']:>8} {e.get('pyshacl_s', '-'):>10} "
              f"{e.get('ratio', '-'):>7} {str(e.get('same_results', '-')):>5}")
    if args.json:
        args.json.write_text(json.dumps(rows_out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
