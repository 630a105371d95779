"""`stdkg diff` between two synthetic releases of about 1M triples each: wall time, as a ratio.

    python benchmarks/bench_diff.py                  # 35,000 editions (~1M triples), seed 1
    python benchmarks/bench_diff.py --editions 3500

Writes a corpus with synth.py, then a second release of it with 1 % of rows moved to another
domain, 1 % retitled and 0.5 % dropped, builds both, and measures in one process: loading both
graphs into Oxigraph (the baseline), the edition facts query on both, and the whole diff.
Figures are seconds and ratios to the baseline measured in the same run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def mutate(source: Path, target: Path, seed: int) -> dict[str, int]:
    """The next "release": some rows re-classified, retitled or dropped (counts returned)."""
    rng = random.Random(seed)
    with (source / "standards.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    domains = sorted({row["domain"] for row in rows if row["domain"] and ";" not in row["domain"]})
    counts = {"reclassified": 0, "retitled": 0, "dropped": 0}
    kept = []
    for row in rows:
        roll = rng.random()
        if roll < 0.005:
            counts["dropped"] += 1
            continue
        if roll < 0.015 and row["domain"]:
            row["domain"] = rng.choice([d for d in domains if d != row["domain"]])
            counts["reclassified"] += 1
        elif roll < 0.025 and row["title_zh"]:
            row["title_zh"] += "（修订）"
            counts["retitled"] += 1
        kept.append(row)
    target.mkdir(parents=True)
    with (target / "standards.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(kept)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editions", type=int, default=35000, help="synthetic rows (35000 ≈ 1M triples)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stdkg-bench-diff-") as tmp:
        corpus, edited = Path(tmp) / "corpus", Path(tmp) / "edited"
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", str(args.editions),
                        "--seed", str(args.seed), "--out", str(corpus)], check=True, capture_output=True)
        edits = mutate(corpus, edited, args.seed)
        for name, source in (("a", corpus), ("b", edited)):
            subprocess.run([sys.executable, "-m", "stdkg", "build", "--input", str(source / "standards.csv"),
                            "--out", str(Path(tmp) / name)], check=True, capture_output=True, cwd=REPO)

        from stdkg.diff import diff, edition_facts
        from stdkg.store import open_store

        start = time.perf_counter()
        old, new = open_store(Path(tmp) / "a"), open_store(Path(tmp) / "b")
        load = time.perf_counter() - start
        start = time.perf_counter()
        edition_facts(old), edition_facts(new)
        facts = time.perf_counter() - start
        start = time.perf_counter()
        doc = diff(old, new)
        whole = time.perf_counter() - start
        triples = sum(1 for _ in old.quads_for_pattern(None, None, None))
    print(json.dumps({
        "editions": args.editions, "triples_old": triples, "edits": edits,
        "reported": {k: v for k, v in doc["summary"].items() if v},
        "seconds": {"load both graphs (baseline)": round(load, 2), "edition_facts.rq on both": round(facts, 2),
                    "diff (query both + compare)": round(whole, 2)},
        "ratio_to_baseline": {"edition_facts.rq on both": round(facts / load, 2), "diff": round(whole / load, 2)},
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
