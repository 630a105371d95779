"""`stdkg progress`: a plain click command that stdkg.cli adds to its group (thin wrapper over stdkg.progress)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape

from .cli_common import as_of_day, graph_store
from .console import wide_console
from .progress import progress as count_progress


@click.command("progress")
@click.argument("graph", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Count up to this day. Default: today.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def progress(graph: Path, as_of: str | None, fmt: str) -> None:
    """Progress toward the work plan's targets (工作方案目标进度), counted from the graph.

    GRAPH is a build folder (default: build/) or a graph file. Each target (data/bps/
    workplan_targets.csv, from the 2024 work plan) is counted by the query its measure names in
    queries/progress/, from the target's counting day to --as-of: the output names the query,
    so any SPARQL client counts the same way. A target the graph cannot count (no pilot list
    loaded) says "not counted" rather than 0; a qualitative target has no count. "uncertain"
    counts editions or pilots whose date is only a month or a year (or missing) and may fall in
    the period; an --as-of before a target's counting day says the period is empty.

    Exit 0 when the graph holds targets; 1 when it holds none (a graph built from
    tables of your own with --input keeps the system's targets unless you give a targets
    table, but an RDF file or another --system may have none); 2 on wrong usage.

    \b
    Examples:
      stdkg progress
      stdkg progress build/ --as-of 2025-06-30 --format json
    """
    day = as_of_day(as_of)
    doc = count_progress(graph_store(graph), day)
    none = "图谱中没有工作方案目标（stdkg:Target）/ no work-plan targets in the graph (stdkg:Target)"
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        if not doc["targets"]:
            click.echo(none, err=True)
            sys.exit(1)
        return
    console = wide_console()

    def say(line: str) -> None:
        console.print(escape(line), soft_wrap=True)  # one statement per line, never wrapped: greppable

    say(f"工作方案目标进度 / Work plan progress — 截至 / as of {doc['as_of']}")
    for t in doc["targets"]:  # type: ignore[union-attr]
        say(f"{t['id']} {t['target_zh']}（期限 / deadline {t['deadline']}）")
        if t["state"] != "counted":
            say(f"  {t['reason_zh']} / {t['reason_en']}" + (f" — 查询 / query: {t['query']}" if t["query"] else ""))
            continue
        goal = f" / {t['value']} = {t['ratio']:.1%}" if t["value"] else "（定性目标，无目标值 / qualitative: no number）"
        say(f"  计数 / counted: {t['counted']}{goal}；待定 / uncertain: {t['uncertain']} — 查询 / query: {t['query']}")
        scope = "、".join(t["scope_levels"] + t["scope_domains"]) or "全部 / all"
        say(f"  {t['measure_zh']} / {t['measure_en']}，自 / from {t['counted_from']} 至 / to {doc['as_of']}，"
            f"范围 / scope: {scope}；图谱中范围内共 / in scope in the graph: {t['recorded']}")
    if not doc["targets"]:
        say(none)
        sys.exit(1)
