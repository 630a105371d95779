"""Human output for the terminal: bilingual tables of a summary and of load problems."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .problems import Problem

MAX_PROBLEMS_SHOWN = 50


def print_summary(console: Console, summary: dict[str, list[dict[str, object]]]) -> None:
    overview = summary["graph_overview"][0]
    catalogue = summary["catalogue_overview"][0]
    table = Table(title="图谱概况 / Graph overview", show_header=False, title_justify="left")
    rows = [
        ("标准（已载入）/ standards loaded", overview["standards"]),
        ("标准版本 / editions", overview["editions"]),
        ("外部引用占位 / external stubs", overview["external_stubs"]),
        ("技术委员会 / technical committees", overview["committees"]),
        ("机构 / organisations", overview["organisations"]),
        ("领域 / domains", catalogue["domains"]),
        ("服务类别 / service categories", catalogue["categories"]),
        ("服务项目 / service items", catalogue["items"]),
        ("未归类服务项目 / unplaced items", catalogue["unplaced_items"]),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    _counts(console, "按层级 / by level", summary["standards_by_level"], "level")
    _counts(console, "按状态 / by status", summary["standards_by_status"], "status")
    domains = Table(title="按领域 / by domain", title_justify="left")
    domains.add_column("#", justify="right")
    domains.add_column("领域 / domain")
    domains.add_column("标准 / standards", justify="right")
    for row in summary["standards_by_domain"]:
        domains.add_row(str(row["notation"]), str(row["domain_zh"]), str(row["standards"]))
    console.print(domains)
    unplaced = summary["unplaced_service_items"]
    if unplaced:
        names = "、".join(f"{r['item_zh']}（{r['domain_zh']}）" if r["domain_zh"] else str(r["item_zh"]) for r in unplaced)
        console.print(f"[yellow]未归入服务类别的服务项目 / items the source did not place in a category ({len(unplaced)}):[/] {names}")


def _counts(console: Console, title: str, rows: Sequence[dict[str, object]], key: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("中文")
    table.add_column("English")
    table.add_column("标准 / standards", justify="right")
    for row in rows:
        zh = row.get(f"{key}_zh") or "（未知）"
        en = row.get(f"{key}_en") or "(unknown)"
        table.add_row(str(zh), str(en), str(row["standards"]))
    console.print(table)


def print_problems(console: Console, problems: Sequence[Problem]) -> None:
    if not problems:
        return
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    console.print(f"[bold]问题 / problems:[/] {len(errors)} 个被拒绝 / rejected, {len(warnings)} 个警告 / warnings")
    for problem in list(problems)[:MAX_PROBLEMS_SHOWN]:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"  [{colour}]{problem.severity}[/] {escape(problem.message())}", soft_wrap=True)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        console.print(f"  … 另有 {len(problems) - MAX_PROBLEMS_SHOWN} 条，见 build-report.json / "
                      f"{len(problems) - MAX_PROBLEMS_SHOWN} more in build-report.json")
