"""Faults: a build killed half-way leaves the previous graph intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from conftest import REPO, run_stdkg


def test_sigkill_mid_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_stdkg("build", "--out", str(out)).returncode == 0
    before = {name: (out / name).read_bytes() for name in ("stdkg.nt", "stdkg.ttl", "build-report.json")}
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", "30000", "--seed", "3",
                    "--out", str(corpus)], check=True, capture_output=True)
    for delay in (1.0, 3.0):  # once while loading rows, once (most likely) while writing files
        proc = subprocess.Popen([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for name, data in before.items():
            now = (out / name).read_bytes()
            if now != data:  # the build finished before the kill: then the new file is whole
                if name == "build-report.json":
                    json.loads(now)
                else:
                    fmt = ox.RdfFormat.N_TRIPLES if name.endswith(".nt") else ox.RdfFormat.TURTLE
                    assert len(list(ox.parse(now, format=fmt))) > 100_000
        # The three files always come from one run: the report counts the triples beside it.
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        assert report["triples"] == len((out / "stdkg.nt").read_bytes().splitlines())
        if (out / "stdkg.nt").read_bytes() == before["stdkg.nt"]:
            assert (out / "stdkg.ttl").read_bytes() == before["stdkg.ttl"]
