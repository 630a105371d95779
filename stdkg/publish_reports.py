"""The release's reports inside the site: the validation report (HTML + JSON) and the
analysis report (the self-contained page of ``stdkg analyze``, with its JSON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape
from pathlib import Path

from .analysis_report import as_json
from .analyze import analyze
from .analyze_html import render_html
from .publish_graph import GraphIndex
from .publish_pages import page
from .publish_paths import relative_link
from .store import open_store
from .validate import SEVERITIES, Validation
from .validation_report import RENDERERS, SEVERITY_ZH, rule_name

SHOWN = 50  # results listed per rule on the page; the JSON has them all

Link = tuple[str, str, str]  # href from the site root, zh, en


def analysis_files(nt: Path, folder: Path, as_of: dt.date, doc: Mapping[str, object] | None = None) -> list[Link]:
    """reports/analysis/index.html and analysis.json, as ``stdkg analyze --out`` writes them
    (from ``doc`` when the caller has analysed this graph already)."""
    if doc is None:
        doc = analyze(open_store(nt), as_of, graph="stdkg.nt")
    target = folder / "analysis"
    target.mkdir(parents=True, exist_ok=True)
    (target / "index.html").write_text(render_html(doc), encoding="utf-8")
    (target / "analysis.json").write_text(as_json(doc) + "\n", encoding="utf-8")
    return [("reports/analysis/index.html", f"缺口与重复分析（截至 {as_of.isoformat()}）",
             f"gaps and overlaps analysis (as of {as_of.isoformat()})")]


def validation_files(validation: Validation, index: GraphIndex, folder: Path) -> list[Link]:
    """reports/validation.html (grouped by rule, standards linked) and validation.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "validation.json").write_text(RENDERERS["json"](validation) + "\n", encoding="utf-8")
    here = "reports/validation"
    groups: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    for result in validation.results:
        groups.setdefault((result.severity, result.shape), []).append(result)
    parts = ["<h1>一致性检查报告 <span lang=\"en\" class=\"en\">Validation report</span></h1>"]
    counts = ", ".join(f"{SEVERITY_ZH[s]} {validation.count(s)} {s.lower()}s" for s in SEVERITIES)
    parts.append(f"<p>规则 / rules: {validation.rules}; 结果 / results: {escape(counts)} · "
                 f'<a href="validation.json">JSON</a></p>')
    for (severity, shape), results in sorted(groups.items(), key=lambda item: (SEVERITIES.index(item[0][0]), item[0][1])):
        first = results[0]
        items = []
        for result in results[:SHOWN]:
            path = index.paths.get(result.focus)
            name = escape(validation.label(result.focus))
            focus = f'<a href="{escape(relative_link(here, path))}">{name}</a>' if path else name
            value = f" → {escape(validation.label(result.value))}" if result.value and result.value != result.focus else ""
            items.append(f"<li>{focus}{value}</li>")
        more = f'<li class="more">… 另有 {len(results) - SHOWN} 条 / {len(results) - SHOWN} more</li>' if len(results) > SHOWN else ""
        parts.append(f"<h2>[{SEVERITY_ZH[severity]} / {severity}] {escape(rule_name(shape))} ({len(results)})</h2>"
                     f"<p>{escape(first.message_zh)} <span lang=\"en\">/ {escape(first.message_en)}</span></p>"
                     f'<ul class="values">{"".join(items)}{more}</ul>')
    (folder / "validation.html").write_text(page("一致性检查报告 / Validation report", "\n".join(parts) + "\n", here,
                                                 alternates=False), encoding="utf-8")
    return [("reports/validation.html", "一致性检查报告", "validation report")]
