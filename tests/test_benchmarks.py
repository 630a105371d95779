"""The national benchmark runs end to end at a small size: a benchmark nobody runs breaks
silently (a query library parameter without a picker stopped it once)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_bench_national_runs_every_step(tmp_path: Path) -> None:
    out = tmp_path / "national.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_national.py"), "--sizes", "400",
                           "--pyshacl-editions", "0", "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    (size,) = json.loads(out.read_text(encoding="utf-8"))["sizes"]
    assert size["editions"] == 400 and size["triples"] > 0
    assert size["seeded_exact"] is True and size["incremental_equal_full"] is True
    assert {"synth", "pipeline", "queries", "validate --cache (incremental)", "analyze"} <= set(size["steps"])
    assert size["baseline_rdflib_s"] > 0
