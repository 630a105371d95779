"""The analysis as one self-contained HTML page: inline CSS and SVG, no script, no network.

It opens from disk; Chinese labels render with whichever CJK font the reader has (Noto Sans
CJK SC first). The text and tables are the same sections as the terminal and Markdown output.
"""

from __future__ import annotations

from html import escape

from . import __version__
from .analysis_report import SOURCES, Section, Table, sections
from .analyze import ALL_TYPES, CONTENT_TYPES, SCHEMA, label
from .analyze_charts import FONT, heatmap, level_legend, neighbourhood, province_chart

CSS = """
body { font-family: %s; color: #1f2933; margin: 0; background: #f7f8fa; line-height: 1.5; }
header { background: #12355b; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; opacity: .85; }
nav { padding: 8px 32px; background: #e4e9ef; font-size: 14px; }
nav a { margin-right: 18px; color: #12355b; text-decoration: none; }
main { padding: 8px 32px 40px; max-width: 1280px; }
section { background: #fff; border-radius: 6px; padding: 16px 24px; margin: 18px 0; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 20px; border-bottom: 2px solid #12355b; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
figure { margin: 14px 0; overflow-x: auto; }
figcaption { font-size: 13px; color: #6b7785; }
.hubs { display: flex; flex-wrap: wrap; gap: 12px; }
.hubs figure { border: 1px solid #e4e9ef; border-radius: 6px; margin: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
th, td { border: 1px solid #d9dee3; padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.more, .sources, .none { font-size: 12px; color: #6b7785; }
ul.summary li { margin: 4px 0; }
""" % FONT


SHORT_EN = {"general": "general", "facilityResources": "facilities & resources", "processQuality": "process & quality",
            "operationManagement": "operation & management", "performanceEvaluation": "performance evaluation",
            "untyped": "type not given"}


def _column(type_key: str) -> str:
    return f"{label('type-' + type_key)}\n{SHORT_EN[type_key]}"


def render_html(doc: dict[str, object], limit: int | None = 50) -> str:
    """The page for an analysis document (stdkg.analyze.analyze)."""
    parts = sections(doc, limit)
    charts = {"coverage": _coverage_charts(doc), "local": _province_chart(doc), "dependencies": _neighbourhoods(doc)}
    body = []
    for section in parts:
        body.append(_section(section, charts.get(section.key, "")))
    nav = "".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>标准体系分析 / Standard system analysis — {escape(str(doc['as_of']))}</title>"
        f"<style>{CSS}</style></head><body>"
        "<header><h1>标准体系缺口与重复分析 / Gaps and overlaps of the standard system</h1>"
        f"<p>截至 / as of {escape(str(doc['as_of']))}"
        + (f" · 图谱 / graph: {escape(str(doc['graph']))}" if doc.get("graph") else "")
        + f" · stdkg {escape(__version__)} · {SCHEMA}</p></header>"
        f"<nav>{nav}</nav><main>{''.join(body)}</main></body></html>\n"
    )


def _section(section: Section, charts: str) -> str:
    if section.key == "summary":
        lines = '<ul class="summary">' + "".join(f"<li>{escape(line)}</li>" for line in section.lines) + "</ul>"
    else:
        lines = "".join(f"<p>{escape(line)}</p>" for line in section.lines)
    tables = "".join(_table(t) for t in section.tables)
    sources = ""
    if section.key in SOURCES:
        sources = '<p class="sources">来源 / from: ' + ", ".join(f"<code>{escape(s)}</code>" for s in SOURCES[section.key]) + "</p>"
    return f'<section id="{section.key}"><h2>{escape(section.title)}</h2>{lines}{charts}{tables}{sources}</section>'


def _table(table: Table) -> str:
    if not table.rows:
        return f'<h3>{escape(table.title)}</h3><p class="none">（无 / none）</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    rows = "".join("<tr>" + "".join(f'<td class="num">{escape(v)}</td>' if i in table.numeric else f"<td>{escape(v)}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for row in table.rows)
    more = ""
    if table.total > len(table.rows):
        n = table.total - len(table.rows)
        more = f'<p class="more">… 另有 {n} 行，见 analysis.json / {n} more rows in analysis.json</p>'
    return f"<h3>{escape(table.title)}</h3><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _coverage_charts(doc: dict) -> str:  # type: ignore[type-arg]
    cov = doc["coverage"]
    rows, values, notes = [], [], []
    for d in cov["domains"]:
        rows.append(str(d["zh"]))
        if not d["items"]:
            values.append([None] * len(CONTENT_TYPES))
            notes.append(["无服务项目 / n/a"] * len(CONTENT_TYPES))
            continue
        values.append([d["by_type"][t]["covered"] / d["items"] for t in CONTENT_TYPES])
        notes.append([f"{d['by_type'][t]['covered']}/{d['items']}" + (f" ?{d['by_type'][t]['unknown']}"
                                                                      if d["by_type"][t]["unknown"] else "")
                      for t in CONTENT_TYPES])
    columns = [_column(t) for t in CONTENT_TYPES]
    first = heatmap("heatmap-coverage", "覆盖热力图：有现行国家或行业标准的服务项目 / coverage: items with a current "
                    "national or industry standard", rows, columns, values, notes, ("0%", "100%"))
    counts = cov["domain_types"]
    top = max([c["standards"] for d in counts for c in d["types"].values()] + [1])
    second = heatmap("heatmap-standards", "各领域标准数（按类型，含未注明类型）/ standards per domain and type",
                     [str(d["zh"]) for d in counts], [_column(t) for t in ALL_TYPES],
                     [[d["types"][t]["standards"] / top for t in ALL_TYPES] for d in counts],
                     [[str(d["types"][t]["standards"]) + (f"（现行 {d['types'][t]['current']}）" if d["types"][t]["current"] else "")
                       for t in ALL_TYPES] for d in counts], ("0", str(top)))
    return (_figure(first, "格内为 已覆盖项目/项目总数，?n 为只有状态未知标准的项目数 / each cell: covered items / items; "
                    "?n: items whose standards are all of unknown status")
            + _figure(second, "格内为标准数（括号内为其中现行国家或行业标准）；“未注明类型”列说明类型数据的缺失程度 / "
                      "each cell: standards (current national or industry ones in brackets); the “type not given” "
                      "column shows how much of the data has no type"))


def _province_chart(doc: dict) -> str:  # type: ignore[type-arg]
    local = doc["local_support"]
    svg = province_chart("chart-provinces", "各省地方配套与支撑率 / local support and supporting rate by province",
                         local["provinces"], int(local["called_for"]))
    return _figure(svg, "只列出有地方标准的省份；主题对应不计入支撑率 / provinces with local standards; thematic "
                   "matches never count toward the rate")


def _neighbourhoods(doc: dict) -> str:  # type: ignore[type-arg]
    hubs = doc["dependencies"]["neighbourhoods"]
    if not hubs:
        return '<p class="none">没有规范性引用 / no normative references</p>'
    panels = "".join(f"<figure>{neighbourhood(f'hub-{i}', hub)}</figure>" for i, hub in enumerate(hubs))
    return (f"<h3>被依赖最多的标准的依赖邻域 / dependency neighbourhood of the most depended-on standards</h3>"
            f"{level_legend()}<div class=\"hubs\">{panels}</div>")
