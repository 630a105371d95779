"""`stdkg pipeline`: build, validate and analyze in one run (a plain click command)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .cli_common import as_of_day
from .build import paused_gc
from .pipeline import VALIDATION_JSON, PipelineResult, run_pipeline


@click.command("pipeline")
@click.option("--input", "inputs", multiple=True, required=True, type=click.Path(path_type=Path, exists=True),
              help="Tables or folders to build, as `stdkg build --input`. Repeatable.")
@click.option("--system", "system_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="The system folder whose catalogue the tables are checked against (default: bundled BPS).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build"), show_default=True,
              help="Build folder; validation.json and analysis/ are written into it too.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Day the review period is counted to (default: today).")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
              help="The gate: exit 1 when a validation result of this severity or worse exists.")
@click.option("--serial", is_flag=True, help="Validate and analyse one after the other instead of on two cores.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def pipeline(inputs: tuple[Path, ...], system_dir: Path | None, out_dir: Path, as_of: str | None, fail_on: str,
             serial: bool, fmt: str) -> None:
    """Build, validate and analyze in one go: one load of the graph, both cores used.

    Writes what `stdkg build`, `stdkg validate --report` and `stdkg analyze --out` would: the
    build files, validation.json and analysis/ (index.html, analysis.json, analysis.md), all
    into --out. Meant for large corpora, where loading the graph three times costs minutes.
    Exit 1 when the validation gate fails (as stdkg validate), 2 when it could not run.

    \b
    Example:
      stdkg pipeline --input /tmp/synth-300k --out /tmp/synth-300k-build --as-of 2025-10-01
    """
    day = as_of_day(as_of)
    say = (lambda step: click.echo(f"… {step}", err=True)) if fmt == "text" else None
    # The collector stays off until the command ends: re-enabled, its first collection would scan
    # the tens of millions of objects the run leaves (seconds at 300k) just before the exit.
    with paused_gc():
        _report(run_pipeline(list(inputs), out_dir, day, system_dir, parallel=not serial, progress=say), out_dir, fmt,
                fail_on)


def _report(result: PipelineResult, out_dir: Path, fmt: str, fail_on: str) -> None:
    counts = {s.lower(): n for s, n in result.validation_counts.items()}
    seconds = {k: round(v, 2) for k, v in result.seconds.items()}
    if fmt == "json":
        click.echo(json.dumps({"out": str(out_dir), "triples": result.triples, "rejected_rows": result.build.rejected_rows,
                               "validation": counts, "seconds": seconds}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"三元组 / triples: {result.triples}；拒绝行 / rejected rows: {result.build.rejected_rows}")
        click.echo(f"验证 / validation: 违规 {counts['violation']} violations, 警告 {counts['warning']} warnings, "
                   f"提示 {counts['info']} infos → {out_dir / VALIDATION_JSON}")
        click.echo(f"分析 / analysis → {out_dir / 'analysis'}")
        click.echo("耗时 / seconds: " + ", ".join(f"{k} {v}" for k, v in seconds.items()))
    code = 1 if result.fails(fail_on) else 0
    if sys.stdout is sys.__stdout__:  # a process of its own (not a test's CliRunner)
        # Every output is written and renamed: leave without freeing, one by one, the gigabytes a
        # national corpus leaves in memory (seconds at 300k editions).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
