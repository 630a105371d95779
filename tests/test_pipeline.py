"""stdkg pipeline: one run gives what build, validate and analyze give one after the other."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_stdkg
from stdkg.pipeline import run_pipeline
from stdkg.problems import StdkgError
from stdkg.synth import load_manifest
from stdkg.synth_errors import recovery


def test_pipeline_equals_the_three_commands(tmp_path: Path) -> None:
    corpus, together, apart = tmp_path / "corpus", tmp_path / "together", tmp_path / "apart"
    assert run_stdkg("synth", "--editions", "1500", "--seed", "9", "--errors", "2", "--out", str(corpus)).returncode == 0
    piped = run_stdkg("pipeline", "--input", str(corpus), "--out", str(together), "--as-of", "2025-10-01", "--format", "json")
    assert piped.returncode == 1, piped.stderr  # the seeded violations fail the gate, as validate's would
    summary = json.loads(piped.stdout)
    assert summary["rejected_rows"] == 0 and summary["validation"]["violation"] > 0

    assert run_stdkg("build", "--input", str(corpus), "--out", str(apart)).returncode == 0
    for name in ("stdkg.nt", "stdkg.ttl"):
        assert (together / name).read_bytes() == (apart / name).read_bytes()
    validated = run_stdkg("validate", str(apart), "--format", "json")
    piped_validation = json.loads((together / "validation.json").read_text(encoding="utf-8"))
    assert piped_validation.pop("fingerprint")["graph_sha256"]  # so that publish can reuse it (stdkg.fingerprint)
    piped_validation.pop("rules"), piped_validation.pop("value_labels")
    assert piped_validation == json.loads(validated.stdout)
    analysed = json.loads(run_stdkg("analyze", str(apart), "--as-of", "2025-10-01", "--format", "json").stdout)
    piped_analysis = json.loads((together / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    analysed.pop("graph"), piped_analysis.pop("graph"), piped_analysis.pop("fingerprint")
    assert piped_analysis == analysed
    assert (together / "analysis" / "index.html").is_file()
    report = recovery(load_manifest(corpus), json.loads(validated.stdout)["results"], piped_analysis)
    assert all(entry["exact"] and entry.get("analyze_exact", True) for entry in report.values()), report


def test_serial_run_gives_the_same_outputs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    assert run_stdkg("synth", "--editions", "400", "--seed", "2", "--out", str(corpus)).returncode == 0
    outputs = []
    for flag, out in (([], tmp_path / "a"), (["--serial"], tmp_path / "b")):
        assert run_stdkg("pipeline", "--input", str(corpus), "--out", str(out), "--as-of", "2025-10-01", *flag).returncode == 1
        analysis = json.loads((out / "analysis" / "analysis.json").read_text(encoding="utf-8"))
        analysis.pop("graph"), analysis["fingerprint"].pop("report_sha256")  # both name the folder
        outputs.append([(out / name).read_text(encoding="utf-8") for name in ("validation.json", "build-report.json")]
                       + [analysis])
    assert outputs[0] == outputs[1]


def _fails_at_once(*args: object, **kwargs: object) -> dict[str, object]:
    raise RuntimeError("analysis failed")


def _fails_after_the_join(*args: object, coverage_from: object = None, **kwargs: object) -> dict[str, object]:
    coverage_from()  # type: ignore[operator]  # the child has handed its staged validation.json over
    raise RuntimeError("analysis failed")


def _validation_fails(*args: object, **kwargs: object) -> object:
    raise RuntimeError("validation failed")


@pytest.mark.parametrize(("target", "replacement", "error", "parallel"), [
    ("stdkg.pipeline.analyze", _fails_at_once, RuntimeError, True),
    ("stdkg.pipeline.analyze", _fails_after_the_join, RuntimeError, True),
    ("stdkg.pipeline.validate_store", _validation_fails, StdkgError, True),
    ("stdkg.pipeline.analyze", _fails_at_once, RuntimeError, False),
    ("stdkg.pipeline.validate_store", _validation_fails, RuntimeError, False),
], ids=["analysis, child still running", "analysis, after the child handed over", "the child",
        "serial: analysis", "serial: validation"])
def test_a_failed_run_leaves_the_previous_build_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str,
                                                      replacement: object, error: type, parallel: bool) -> None:
    """The build's files and validation.json are renamed in together after both checks: a run that
    fails on either core leaves the previous build, and no file of its own, behind."""
    out = tmp_path / "build"
    run_pipeline([REPO / "data" / "bps"], out, dt.date(2025, 10, 1))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert set(before) == {"stdkg.nt", "stdkg.ttl", "build-report.json", "validation.json"}
    other = tmp_path / "other"  # another graph, so that files renamed in too early would show
    assert run_stdkg("synth", "--editions", "200", "--seed", "3", "--out", str(other)).returncode == 0
    monkeypatch.setattr(target, replacement)
    with pytest.raises(error) as raised:
        run_pipeline([other], out, dt.date(2025, 10, 1), parallel=parallel)
    assert "failed" in str(raised.value)  # the child's own words reach the parent's message
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_sigterm_during_the_checks_leaves_the_previous_build_and_no_process(tmp_path: Path) -> None:
    """A cancelled job (SIGTERM) unwinds the run: staged files removed, the child stopped."""
    corpus, out = tmp_path / "corpus", tmp_path / "build"
    assert run_stdkg("synth", "--editions", "3000", "--seed", "4", "--out", str(corpus)).returncode == 0
    assert run_stdkg("build", "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    running = subprocess.Popen([sys.executable, "-m", "stdkg", "pipeline", "--input", str(corpus), "--out", str(out),
                                "--as-of", "2025-10-01"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert running.stderr is not None
    for line in running.stderr:
        if "validate ∥ analyze" in line:
            break
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=120) == 128 + signal.SIGTERM
    time.sleep(0.5)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and str(out).encode() in _cmdline(pid)]
    assert not left


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
