"""benchmarks/synth.py: a deterministic synthetic corpus that loads whole, and never lands in data/."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stdkg.numbers import parse_standard_number

REPO = Path(__file__).resolve().parent.parent
SYNTH = REPO / "benchmarks" / "synth.py"
N = 300


def synth(out: Path, seed: int = 1, editions: int = N) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SYNTH), "--editions", str(editions), "--seed", str(seed),
                           "--out", str(out)], capture_output=True, text=True, timeout=120)


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
    for name in ("standards.csv", "SYNTHETIC.md"):
        assert (tmp_path / "again" / name).read_bytes() == (corpus / name).read_bytes()


def test_other_seed_other_rows(corpus: Path, tmp_path: Path) -> None:
    assert synth(tmp_path / "seed2", seed=2).returncode == 0
    assert (tmp_path / "seed2" / "standards.csv").read_bytes() != (corpus / "standards.csv").read_bytes()


def test_says_it_is_synthetic(corpus: Path) -> None:
    note = (corpus / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert "synthetic" in note.lower() and "--seed 1" in note and f"--editions {N}" in note
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
    assert "data/" in result.stderr
    assert existed or not target.exists()
    assert not (REPO / "data" / "SYNTHETIC.md").exists() and not (REPO / "data" / "bps" / "SYNTHETIC.md").exists()


def test_every_number_is_synthetic_or_bundled(corpus: Path) -> None:
    real = real_numbers()
    rows = table(corpus)
    assert len(rows) == N
    assert len({row["number"] for row in rows}) == N
    cited: list[str] = []
    for row in rows:
        number = parse_standard_number(row["number"])
        assert int(number.serial.split(".")[0]) >= 900000, row["number"]
        assert row["issued"] < row["implemented"]
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
