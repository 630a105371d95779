"""The bad-input corpus (tests/fixtures/bad/, its README's table is the expectation): every file
gets a clear error or a precise rejection list, the documented exit code, no traceback, and
the previous build left as it was; 200 MB files are refused with bounded memory."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES

BAD = FIXTURES / "bad"
OUTPUTS = ("stdkg.nt", "stdkg.ttl", "build-report.json")


def expectations() -> dict[str, list[tuple[int, str, str]]]:
    """file → [(exit code, message fragment, where)] from the README's table."""
    cases: dict[str, list[tuple[int, str, str]]] = {}
    for line in (BAD / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            cases.setdefault(cells[0].strip("`"), []).append((int(cells[2]), cells[3], cells[4]))
    return cases


CASES = expectations()


def test_the_readme_covers_every_file_in_the_folder() -> None:
    files = {p.name for p in BAD.iterdir() if p.name not in ("README.md", "make_bad.py")}
    assert files == set(CASES) and len(files) >= 18


def run_build(path: Path, out: Path) -> tuple[int, str, int]:
    """Exit code, stdout + stderr and the child's peak memory (KiB) of `stdkg build --input path`."""
    log = out.parent / f"{out.name}.log"
    with log.open("w") as sink:
        child = subprocess.Popen([sys.executable, "-m", "stdkg", "build", "--input", str(path), "--out", str(out), "--strict"],
                                 stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "500"})
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, log.read_text(encoding="utf-8"), usage.ru_maxrss


@pytest.fixture
def previous(bundled_build: Path, tmp_path: Path) -> Path:
    """An output folder holding a previous build."""
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUTS:
        shutil.copy(bundled_build / name, out / name)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name: str, previous: Path) -> None:
    before = {n: (previous / n).read_bytes() for n in OUTPUTS}
    code, output, _ = run_build(BAD / name, previous)
    flat = " ".join(output.split())
    assert "Traceback" not in output and "internal error" not in output
    assert name in output
    for expected_code, message, where in CASES[name]:
        assert code == expected_code, output
        assert " ".join(message.split()) in flat, message
        if m := re.fullmatch(r"row (\d+), column (.+)", where):
            assert re.search(rf"第{m[1]}行/row {m[1]}, 列/column '{re.escape(m[2])}'[^\n]*{re.escape(message)}", output), where
        elif m := re.fullmatch(r"line (\d+)(?:, column (\d+))?", where):
            assert f"line {m[1]}" in flat and (m[2] is None or f"column {m[2]}" in flat), where
    assert (previous / "stdkg.nt").read_bytes() == before["stdkg.nt"]  # exit 1 or 2: the graph stays as it was
    assert (previous / "stdkg.ttl").read_bytes() == before["stdkg.ttl"]
    if code == 2:
        assert (previous / "build-report.json").read_bytes() == before["build-report.json"]
    else:  # rows rejected under --strict: the report of this run is written, saying no graph was
        assert json.loads((previous / "build-report.json").read_text(encoding="utf-8"))["graph_written"] is False


def write_big(path: Path, head: bytes, block: bytes, size: int = 200 * 2**20) -> None:
    with path.open("wb") as f:
        f.write(head)
        for _ in range(size // len(block)):
            f.write(block)


def test_200_mb_files_are_refused_with_bounded_memory(tmp_path: Path) -> None:
    """The child's peak memory stays within 64 MiB of a run on an empty file, against 200 MB of input
    (compared with a baseline because a forked child's peak counts the parent's memory at the fork)."""
    _, _, baseline = run_build(BAD / "empty.csv", tmp_path / "baseline")
    one_line = tmp_path / "one_line.csv"
    write_big(one_line, "标准号,标准名称,发布日期,来源\n".encode(), "GB/T 900001-2020,合成服务规范,2020-01-01,fixture,".encode() * 1024)
    binary = tmp_path / "binary.csv"
    write_big(binary, b"\x7fELF\x02\x01\x01\x00", bytes(range(256)) * 4096)
    for path, message in ((one_line, "line 2 is longer than 1 MiB"), (binary, "line 1 (byte 7) has a NUL byte")):
        assert path.stat().st_size > 200_000_000
        code, output, peak = run_build(path, tmp_path / path.stem)
        assert code == 2 and message in " ".join(output.split()) and "Traceback" not in output, output
        assert peak < baseline + 64 * 1024, (path.name, peak, baseline)
        assert not (tmp_path / path.stem).exists()
        path.unlink()


def test_readme_bad_input_examples_are_real(tmp_path: Path) -> None:
    from conftest import REPO, run_stdkg

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Bad input and faults", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    formula = run_stdkg("build", "--input", "tests/fixtures/bad/formula.xlsx", "--out", str(tmp_path / "mine"), "--strict",
                        cwd=REPO, env={"COLUMNS": "400"})
    assert formula.returncode == 1
    old = run_stdkg("build", "--input", "tests/fixtures/bad/old_excel.csv", "--out", str(tmp_path / "old"), cwd=REPO,
                    env={"COLUMNS": "400"})
    assert old.returncode == 2
    said = formula.stdout + formula.stderr + old.stderr
    for line in block.splitlines():
        if not line.startswith(("$", "…")):
            assert line.strip() in said, line


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
gbk_cells = st.text(alphabet=st.one_of(cjk, st.sampled_from("0123456789 -/年月日ABCabc（）")), min_size=1, max_size=12).filter(
    lambda text: "\n" not in text and not _not_gbk(text))


def _not_gbk(text: str) -> bool:
    try:
        text.encode("gbk")
        return False
    except UnicodeEncodeError:
        return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(gbk_cells, min_size=2, max_size=2), min_size=1, max_size=30))
@example(rows=[["一", "一一一"]])  # D2 BB is also valid UTF-8 (U+04BB): four in a line once tripped the check
@example(rows=[["一", "一"], [" ", " "]])
def test_a_gbk_table_is_never_mistaken_for_mixed_encodings(tmp_path: Path, rows: list[list[str]]) -> None:
    """The mixed-encoding check looks for UTF-8 lines among GBK ones: pure GBK must never trip it."""
    from stdkg.tables import read_table

    path = tmp_path / "gbk.csv"
    path.write_bytes(("标准号,标准名称\n" + "".join(f'"{a}","{b}"\n' for a, b in rows)).encode("gbk"))
    table = read_table(path)
    kept = [row for row in rows if any(cell.strip() for cell in row)]  # blank rows are skipped by design
    assert [cells for _, cells in table.rows] == kept and table.encoding in ("gb18030", "utf-8")
