"""The README's promises, executed: the two set-up commands and the tour's real output."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, run_stdkg

README = (REPO / "README.md").read_text(encoding="utf-8")


def code_blocks() -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.S)


def test_first_block_has_exactly_the_two_commands() -> None:
    first = [line for line in code_blocks()[0].splitlines() if line.strip()]
    assert first == ["python3 -m pip install . && python3 -m stdkg build", "bash scripts/test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci


def test_tour_build_output_is_real(tmp_path: Path) -> None:
    done = run_stdkg("build", "--out", str(tmp_path), env={"COLUMNS": "100"})
    assert done.returncode == 0
    block = next(b for b in code_blocks() if b.startswith("$ stdkg build\n"))
    for line in block.splitlines():
        if line.startswith(("│", "载入")):
            assert line.rstrip() in [out.rstrip() for out in done.stdout.splitlines()], line


def test_tour_bad_rows_output_is_real(tmp_path: Path) -> None:
    done = run_stdkg("build", "--input", str(REPO / "tests/fixtures/bad_rows.csv"), "--out", str(tmp_path), "--strict")
    assert done.returncode == 1
    block = next(b for b in code_blocks() if "bad_rows.csv --out" in b)
    for line in block.splitlines():
        if line.startswith("  error"):
            assert line in done.stdout, line
    assert "--strict: 5 行被拒绝，未写出图谱 / 5 rows rejected; graph not written" in done.stderr


def test_ci_recipe_for_validation_runs(tmp_path: Path) -> None:
    block = next(b for b in code_blocks() if b.startswith("stdkg build --strict\n"))
    build_cmd, validate_cmd = block.strip().splitlines()
    assert run_stdkg(*build_cmd.split()[1:], cwd=tmp_path).returncode == 0
    assert run_stdkg(*validate_cmd.split()[1:], cwd=tmp_path).returncode == 0
    assert (tmp_path / "validation.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_pre_commit_entry_runs_on_a_folder_of_tables(tmp_path: Path) -> None:
    entry = re.search(r"entry: (stdkg validate --input \S+)", README).group(1)
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "standards.csv").write_bytes((REPO / "data/bps/standards.csv").read_bytes())
    assert run_stdkg(*entry.split()[1:], cwd=tmp_path).returncode == 0


def test_tour_validate_output_is_real(tmp_path: Path) -> None:
    assert run_stdkg("build", "--out", str(tmp_path)).returncode == 0
    done = run_stdkg("validate", str(tmp_path))
    assert done.returncode == 0
    block = next(b for b in code_blocks() if b.startswith("$ stdkg validate build/\n"))
    for line in block.splitlines():
        if line.startswith(("[", "规则")):
            assert line in done.stdout, line
