"""stdkg synth: a deterministic synthetic corpus that loads whole, never lands in data/, and
whose seeded errors validate and analyze recover exactly."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_stdkg
from stdkg.numbers import parse_standard_number
from stdkg.synth import load_manifest
from stdkg.synth_errors import KINDS, recovery

REPO = Path(__file__).resolve().parent.parent
N = 300


def synth(out: Path, seed: int = 1, editions: int = N, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_stdkg("synth", "--editions", str(editions), "--seed", str(seed), "--out", str(out), *extra)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "seed1"
    result = synth(out)
    assert result.returncode == 0, result.stderr
    return out


def table(folder: Path) -> list[dict[str, str]]:
    with open(folder / "standards.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def real_numbers() -> set[str]:
    with open(REPO / "data" / "bps" / "standards.csv", encoding="utf-8", newline="") as f:
        return {parse_standard_number(row["number"]).canonical for row in csv.DictReader(f)}


def test_same_seed_same_bytes(corpus: Path, tmp_path: Path) -> None:
    assert synth(tmp_path / "again").returncode == 0
    for name in ("standards.csv", "SYNTHETIC.md", "seeded-errors.yaml"):
        assert (tmp_path / "again" / name).read_bytes() == (corpus / name).read_bytes()


def test_other_seed_other_rows(corpus: Path, tmp_path: Path) -> None:
    assert synth(tmp_path / "seed2", seed=2).returncode == 0
    assert (tmp_path / "seed2" / "standards.csv").read_bytes() != (corpus / "standards.csv").read_bytes()


def test_says_it_is_synthetic(corpus: Path) -> None:
    note = (corpus / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert "synthetic" in note.lower() and "--seed 1" in note and f"--editions {N}" in note
    manifest = load_manifest(corpus)
    assert manifest["synthetic"] is True and manifest["editions"] == N and set(manifest["errors"]) == set(KINDS)
    header = (corpus / "standards.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    with open(REPO / "data" / "bps" / "standards.csv", encoding="utf-8", newline="") as f:
        real_header = next(csv.reader(f))
    assert header[: len(real_header)] == real_header
    assert {"service_item", "standard_type", "status", "region", "local_counterpart_of"} <= set(header)


@pytest.mark.parametrize("inside", ["data", "data/bps", "data/synthetic/deeper"])
def test_refuses_out_under_data(inside: str) -> None:
    target = REPO / inside
    existed = target.exists()
    result = synth(target, editions=5)
    assert result.returncode == 2
    assert "data/" in result.stderr and "Traceback" not in result.stderr
    assert existed or not target.exists()
    assert not (REPO / "data" / "SYNTHETIC.md").exists() and not (REPO / "data" / "bps" / "SYNTHETIC.md").exists()


def test_every_number_is_synthetic_or_bundled(corpus: Path) -> None:
    real = real_numbers()
    rows = table(corpus)
    assert len(rows) == N
    assert len({row["number"] for row in rows}) == N
    cited: list[str] = []
    seeded = set(load_manifest(corpus)["errors"]["issued_after_implemented"]["focus"])
    for row in rows:
        number = parse_standard_number(row["number"])
        assert int(number.serial.split(".")[0]) >= 900000, row["number"]
        assert (row["issued"] < row["implemented"]) is (number.canonical not in seeded)
        for column in ("replaces", "local_counterpart_of"):
            cited += [n for n in row[column].split(";") if n.strip()]
        cited += [n for n in row["normative_references"].split(";") if n.strip()]
    assert cited
    for text in cited:
        number = parse_standard_number(text)
        assert int(number.serial.split(".")[0]) >= 900000 or number.canonical in real, text


def test_shape_follows_real_systems(corpus: Path) -> None:
    rows = table(corpus)
    levels = [parse_standard_number(row["number"]).level for row in rows]
    assert set(levels) == {"national", "industry", "local", "group"}
    assert levels.count("local") > levels.count("national")
    assert any(row["replaces"] for row in rows)
    assert {row["status"] for row in rows} >= {"现行", "废止"}


def test_loads_whole_with_strict(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--strict",
                             "--out", str(out), "--format", "json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert report["rejected_rows"] == 0
    tables = {t["file"]: t for t in report["tables"]}
    assert tables["standards.csv"]["rows"] == tables["standards.csv"]["loaded"] == N
    assert all(t["loaded"] == t["rows"] for t in report["tables"])
    assert (out / "stdkg.nt").stat().st_size > 0


def test_old_benchmark_path_still_writes_a_corpus(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", "20", "--out",
                             str(tmp_path / "c")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(table(tmp_path / "c")) == 20


@pytest.mark.parametrize(("editions", "errors", "seed"), [(2000, 3, 5), (600, 1, 2)])
def test_validate_and_analyze_recover_exactly_the_seeded_errors(tmp_path: Path, editions: int, errors: int, seed: int) -> None:
    corpus, build = tmp_path / "corpus", tmp_path / "build"
    assert synth(corpus, seed, editions, "--errors", str(errors)).returncode == 0
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build), "--strict").returncode == 0
    validated = run_stdkg("validate", str(build), "--format", "json")
    assert validated.returncode == 1  # seeded violations fail the gate
    analysed = run_stdkg("analyze", str(build), "--as-of", "2025-10-01", "--format", "json")
    assert analysed.returncode == 0, analysed.stderr
    manifest = load_manifest(corpus)
    report = recovery(manifest, json.loads(validated.stdout)["results"], json.loads(analysed.stdout))
    assert set(report) == set(KINDS)
    for kind, entry in report.items():
        assert entry["found"] == entry["expected"] > 0 and entry["exact"], (kind, entry)
        assert entry.get("analyze_exact", True), (kind, entry)
    assert manifest["errors"]["mutual_reference"]["analyze"]["count"] == errors
    assert manifest["errors"]["self_reference"]["seeded"] == errors


def test_no_errors_means_none_found(tmp_path: Path) -> None:
    corpus, build = tmp_path / "corpus", tmp_path / "build"
    assert synth(corpus, 4, 1500, "--errors", "0").returncode == 0
    assert run_stdkg("build", "--input", str(corpus), "--out", str(build), "--strict").returncode == 0
    validated = json.loads(run_stdkg("validate", str(build), "--format", "json").stdout)
    shapes = {entry[1] for entry in KINDS.values()}
    assert not [r for r in validated["results"] if r["rule"] in shapes]
