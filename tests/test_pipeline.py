"""stdkg pipeline: one run gives what build, validate and analyze give one after the other."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_stdkg
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


def test_serial_run_gives_the_same_validation(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    assert run_stdkg("synth", "--editions", "400", "--seed", "2", "--out", str(corpus)).returncode == 0
    outputs = []
    for flag, out in (([], tmp_path / "a"), (["--serial"], tmp_path / "b")):
        assert run_stdkg("pipeline", "--input", str(corpus), "--out", str(out), "--as-of", "2025-10-01", *flag).returncode == 1
        outputs.append((out / "validation.json").read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
