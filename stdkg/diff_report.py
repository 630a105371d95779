"""The changelog between two releases as text, Markdown, JSON or one self-contained HTML page.

Every renderer walks the same lines (``sections``), composed with an escaping function for its
format, so the three human forms always list the same changes; every data value (numbers,
titles, labels) goes through that function: html.escape for the page, backslashes for Markdown.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from .analyze import label as concept_label
from .diff import FACETS, KINDS

Escape = Callable[[str], str]
NONE = "（无）/ (none)"
REFERENCE_KINDS = {"normative": "规范性引用 / normative", "informative": "资料性引用 / informative"}
KIND_NAMES = {kind: f"{zh} / {en}" for kind, zh, en in KINDS}


def _plain(text: str) -> str:
    return text


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def _standard(brief: dict, esc: Escape) -> str:  # type: ignore[type-arg]
    title = brief.get("title_zh") or brief.get("title_en") or ""
    return esc(f"{brief['number']} {title}".strip())


def _status(status: str) -> str:
    return "、".join(f"{concept_label(f'status-{s}', 'zh')} / {concept_label(f'status-{s}', 'en')}" for s in status.split(","))


def _values(values: list[str], esc: Escape) -> str:
    return "、".join(esc(v) for v in values) if values else NONE


def _line(kind: str, row: dict, esc: Escape) -> str:  # type: ignore[type-arg]
    """One change as a line of text; data values escaped with ``esc``."""
    if kind == "replaced":
        return f"{esc(str(row['old']['number']))} → {_standard(row['new'], esc)}"
    std = _standard(row, esc)
    number = esc(str(row["number"]))
    if kind == "reclassified":
        return f"{std}：" + "；".join(f"{FACETS[f['facet']][0]} / {FACETS[f['facet']][1]}: "
                                     f"{_values(f['before'], esc)} → {_values(f['after'], esc)}" for f in row["facets"])
    if kind == "committee_changed":
        return f"{std}：{_values(row['before'], esc)} → {_values(row['after'], esc)}"
    if kind == "title_changed":
        parts = []
        for lang, name in (("zh", "中文名称 / Chinese title"), ("en", "英文名称 / English title")):
            before, after = row["before"][lang], row["after"][lang]
            if before != after:
                parts.append(f"{name}: {esc(before) if before else NONE} → {esc(after) if after else NONE}")
        return f"{number}：" + "；".join(parts)
    if kind == "status_changed":
        return f"{std}：{_status(row['before'])} → {_status(row['after'])}"
    if kind in ("references_added", "references_removed"):
        return f"{number} → {esc(str(row['reference']['number']))}（{REFERENCE_KINDS[row['kind']]}）"
    if kind in ("counterparts_added", "counterparts_removed"):
        return f"{number} → {esc(str(row['counterpart']['number']))}"
    return std  # added, removed, abolished


def sections(doc: dict, esc: Escape) -> list[tuple[str, list[str]]]:  # type: ignore[type-arg]
    """(heading, lines) for every kind of change that occurred, in the order of diff.KINDS."""
    return [(f"{KIND_NAMES[kind]} ({len(rows)})", [_line(kind, row, esc) for row in rows])
            for kind, rows in doc["changes"].items() if rows]


def _heading(doc: dict, esc: Escape) -> str:  # type: ignore[type-arg]
    return f"版本变更 / changes: {esc(doc['old']['graph'])} → {esc(doc['new']['graph'])}"


def _counts(doc: dict) -> str:  # type: ignore[type-arg]
    return f"标准 / standards: {doc['old']['standards']} → {doc['new']['standards']}"


def _domain_counts(entry: dict) -> str:  # type: ignore[type-arg]
    return ", ".join(f"{KIND_NAMES[k]} {n}" for k, n in entry["counts"].items())


def has_changes(doc: dict) -> bool:  # type: ignore[type-arg]
    return any(doc["summary"].values())


def as_text(doc: dict) -> str:  # type: ignore[type-arg]
    lines = [_heading(doc, _plain), _counts(doc)]
    if not has_changes(doc):
        return "\n".join([*lines, "无变更 / no changes"]) + "\n"
    prefix = {"added": "+ ", "removed": "- "}
    for (heading, rows), kind in zip(sections(doc, _plain), [k for k, r in doc["changes"].items() if r], strict=True):
        lines.append(heading)
        lines += [f"  {prefix.get(kind, '')}{row}" for row in rows]
    lines.append("按领域 / by domain")
    lines += [f"  {entry['domain']}: {entry['total']} — {_domain_counts(entry)}" for entry in doc["by_domain"]]
    return "\n".join(lines) + "\n"


def as_json(doc: dict) -> str:  # type: ignore[type-arg]
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _domain_table(doc: dict) -> tuple[list[str], list[list[str]]]:  # type: ignore[type-arg]
    kinds = [k for k, _, _ in KINDS if any(k in entry["counts"] for entry in doc["by_domain"])]
    headers = ["领域 / domain", "合计 / total", *(KIND_NAMES[k] for k in kinds)]
    rows = [[entry["domain"], str(entry["total"]), *(str(entry["counts"].get(k, 0)) for k in kinds)]
            for entry in doc["by_domain"]]
    return headers, rows


def as_markdown(doc: dict) -> str:  # type: ignore[type-arg]
    lines = [f"# {_heading(doc, _md)}", "", _counts(doc), ""]
    if not has_changes(doc):
        return "\n".join([*lines, "无变更 / no changes", ""])
    for heading, rows in sections(doc, _md):
        lines += [f"## {heading}", "", *(f"- {row}" for row in rows), ""]
    headers, rows = _domain_table(doc)
    lines += ["## 按领域 / by domain", "", "| " + " | ".join(headers) + " |",
              "| " + " | ".join(["---"] + ["---:"] * (len(headers) - 1)) + " |"]
    lines += ["| " + " | ".join([_md(row[0]), *row[1:]]) + " |" for row in rows]
    return "\n".join(lines) + "\n"


STYLE = """body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1f2933;line-height:1.5}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;
border-bottom:1px solid #d9e2ec}li{margin:.2rem 0}table{border-collapse:collapse}td,th{border:1px solid #d9e2ec;
padding:.25rem .6rem}td.n{text-align:right}.none{color:#52606d}"""


def as_html(doc: dict, title: str | None = None) -> str:  # type: ignore[type-arg]
    """One self-contained page (inline style, no script, nothing fetched); every data value escaped."""
    esc = html.escape
    heading = esc(title) if title else _heading(doc, esc)
    parts = ["<!DOCTYPE html>", '<html lang="zh">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{heading}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
             f"<h1>{heading}</h1>", f"<p>{_heading(doc, esc) if title else ''}{'<br>' if title else ''}{_counts(doc)}</p>"]
    if not has_changes(doc):
        parts.append('<p class="none">无变更 / no changes</p>')
    for section, rows in sections(doc, esc):
        parts += [f"<h2>{section}</h2>", "<ul>", *(f"<li>{row}</li>" for row in rows), "</ul>"]
    if doc["by_domain"]:
        headers, rows = _domain_table(doc)
        parts += ["<h2>按领域 / by domain</h2>", "<table>",
                  "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr>"]
        parts += ["<tr>" + f"<td>{esc(row[0])}</td>" + "".join(f'<td class="n">{v}</td>' for v in row[1:]) + "</tr>"
                  for row in rows]
        parts.append("</table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


RENDERERS: dict[str, Callable[[dict], str]] = {  # type: ignore[type-arg]
    "text": as_text, "json": lambda doc: as_json(doc) + "\n", "markdown": as_markdown,
}
