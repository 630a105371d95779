"""The README's national-scale section, executed: synth, pipeline and validate --cache print what it shows."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, run_stdkg

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### National scale"):README.index("## Layout")]


def blocks() -> list[list[tuple[str, list[str]]]]:
    """Each code block as (command, output lines) pairs."""
    found = []
    for block in re.findall(r"```\n(.*?)```", SECTION, flags=re.S):
        pairs: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ stdkg "):
                pairs.append((line[len("$ stdkg "):], []))
            elif pairs:
                pairs[-1][1].append(line)
        found.append(pairs)
    return found


def test_national_scale_section_is_real(tmp_path: Path) -> None:
    commands = [pair for block in blocks() for pair in block]
    assert [c.split()[0] for c, _ in commands] == ["synth", "pipeline", "validate", "validate"]
    for command, expected in commands:
        done = run_stdkg(*command.split(), cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
        for line in expected:
            assert line.rstrip() in printed, (command, line)
