"""Inline SVG charts for the analysis report: heatmaps, province bars, dependency neighbourhoods.

Hand-written SVG keeps the report one self-contained file with no network, no CDN and no
plotting library; text stays text (selectable, searchable, rendered with the reader's CJK font).
Every function takes plain values and returns an ``<svg>`` string; layout is deterministic.
"""

from __future__ import annotations

import math
from html import escape

FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
BLUES = ((247, 251, 255), (8, 81, 156))
INK, MUTED, GRID = "#1f2933", "#6b7785", "#d9dee3"
DECLARED, THEMATIC, NONE, ABOLISHED = "#2b8a3e", "#f0a202", "#c5ccd3", "#eceff2"


def _colour(value: float, scale: tuple[tuple[int, int, int], tuple[int, int, int]] = BLUES) -> str:
    low, high = scale
    v = max(0.0, min(1.0, value))
    return "#" + "".join(f"{round(a + (b - a) * v):02x}" for a, b in zip(low, high))


def _text(x: float, y: float, text: object, size: int = 12, anchor: str = "start", fill: str = INK,
          weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}"{extra}>{escape(str(text))}</text>')


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and full-width characters are ``size`` wide, others about half."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.58 for ch in text)


def _svg(width: float, height: float, body: list[str], title: str, role_id: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{role_id}" class="chart" role="img" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" '
            f'aria-labelledby="{role_id}-title"><title id="{role_id}-title">{escape(title)}</title>'
            + "".join(body) + "</svg>")


def heatmap(chart_id: str, title: str, rows: list[str], columns: list[str], values: list[list[float | None]],
            notes: list[list[str]], legend: tuple[str, str]) -> str:
    """A grid: one row per label in ``rows``, one column per ``columns``; a cell's shade is its
    value in [0, 1] (None: not applicable, hatched) and its note is printed inside it."""
    left, top, cell_w, cell_h = 150, 96, 140, 40
    width = max(left + cell_w * len(columns) + 20, text_width(title, 15) + 10, left + 11 * 18 + 420)
    height = top + cell_h * len(rows) + 64
    body = ['<defs><pattern id="%s-na" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f4f6"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#d1d5db" stroke-width="2"/></pattern></defs>' % chart_id,
            _text(0, 18, title, 15, weight="bold")]
    for c, column in enumerate(columns):
        x = left + c * cell_w + cell_w / 2
        for i, line in enumerate(column.split("\n")):
            body.append(_text(x, top - 40 + i * 15, line, 12, "middle", INK if i == 0 else MUTED))
    for r, row in enumerate(rows):
        y = top + r * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, row, 13, "end"))
        for c, value in enumerate(values[r]):
            x = left + c * cell_w
            fill = f"url(#{chart_id}-na)" if value is None else _colour(value)
            body.append(f'<rect class="cell" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                        f'rx="3" fill="{fill}"><title>{escape(row)} × {escape(columns[c].splitlines()[0])}: '
                        f'{escape(notes[r][c])}</title></rect>')
            ink = "#ffffff" if value is not None and value > 0.55 else INK
            body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, notes[r][c], 12, "middle", ink))
    y = top + cell_h * len(rows) + 22
    for i in range(11):
        body.append(f'<rect x="{left + i * 18}" y="{y}" width="18" height="10" fill="{_colour(i / 10)}"/>')
    body.append(_text(left - 8, y + 9, legend[0], 11, "end", MUTED))
    body.append(_text(left + 11 * 18 + 8, y + 9, legend[1], 11, "start", MUTED))
    body.append(f'<rect x="{left + 11 * 18 + 150}" y="{y}" width="18" height="10" fill="url(#{chart_id}-na)"/>')
    body.append(_text(left + 11 * 18 + 174, y + 9, "无服务项目，不适用 / no items: n/a", 11, "start", MUTED))
    return _svg(width, height, body, title, chart_id)


def province_chart(chart_id: str, title: str, provinces: list[dict[str, object]], called_for: int) -> str:
    """Per province: its local standards by counterpart (declared / thematic only / none) as a
    stacked bar, and its supporting rate (declared support of the standards that call for local
    counterparts) as a bar beside it, or "—" when no standard calls for any."""
    shown = [p for p in provinces if p["local_standards"] or p["supported"]]
    left, top, row_h, bar_w, gap, rate_w = 150, 84, 24, 300, 60, 220
    width = max(left + bar_w + gap + rate_w + 90, text_width(title, 15) + 10)
    height = top + row_h * max(1, len(shown)) + 58
    most = max([int(p["local_standards"]) for p in shown] + [1])  # type: ignore[call-overload]
    body = [_text(0, 18, title, 15, weight="bold"),
            _text(left, top - 30, "地方标准（按对应关系）", 12, fill=MUTED),
            _text(left, top - 14, "local standards by counterpart", 11, fill=MUTED),
            _text(left + bar_w + gap, top - 30, "支撑率（仅计声明配套）", 12, fill=MUTED),
            _text(left + bar_w + gap, top - 14, "supporting rate (declared counterparts only)", 11, fill=MUTED)]
    if not shown:
        body.append(_text(left, top + 16, "图谱中没有地方标准 / no local standard in the graph", 13, fill=MUTED))
    for i, province in enumerate(shown):
        y = top + i * row_h
        body.append(_text(left - 8, y + 15, f"{province['zh']}", 13, "end"))
        x = float(left)
        for name, colour in (("with_declared", DECLARED), ("thematic_only", THEMATIC), ("without_counterpart", NONE),
                             ("abolished", ABOLISHED)):
            count = int(province[name])  # type: ignore[call-overload]
            if count:
                w = bar_w * count / most
                body.append(f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" '
                            f'fill="{colour}"><title>{escape(str(province["zh"]))} {name}: {count}</title></rect>')
                if w > 16:
                    body.append(_text(x + w / 2, y + 15, count, 11, "middle", "#ffffff" if colour in (DECLARED, THEMATIC) else INK))
                x += w
        body.append(_text(x + 6, y + 15, province["local_standards"], 11, fill=MUTED))
        rx = left + bar_w + gap
        body.append(f'<rect x="{rx}" y="{y + 3}" width="{rate_w}" height="{row_h - 7}" fill="#f3f4f6"/>')
        rate = province["supporting_rate"]
        if rate is None:
            body.append(_text(rx + 6, y + 15, "—", 12, fill=MUTED))
        else:
            w = rate_w * float(rate)  # type: ignore[arg-type]
            body.append(f'<rect class="bar rate" x="{rx}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" '
                        f'fill="{DECLARED}"><title>{escape(str(province["zh"]))}: {float(rate):.1%}</title></rect>')  # type: ignore[arg-type]
            body.append(_text(rx + rate_w + 6, y + 15, f"{float(rate):.0%} ({province['supported']}/{called_for})", 11))  # type: ignore[arg-type]
    y = top + row_h * max(1, len(shown)) + 18
    for x, yy, colour, name in ((left, y, DECLARED, "声明配套 / declared counterpart"),
                                (left + 210, y, THEMATIC, "仅主题对应（不计为配套）/ thematic match only (not support)"),
                                (left, y + 18, NONE, "无对应 / no counterpart"),
                                (left + 210, y + 18, ABOLISHED, "已废止 / abolished")):
        body.append(f'<rect x="{x}" y="{yy}" width="12" height="12" fill="{colour}" stroke="{NONE}"/>')
        body.append(_text(x + 17, yy + 10, name, 11, fill=MUTED))
    return _svg(width, height + 16, body, title, chart_id)


def neighbourhood(chart_id: str, hub: dict[str, object]) -> str:
    """One much-cited standard in the middle and the standards that cite it around it; solid
    arrows for dated references, dashed for undated ones."""
    citing = list(hub["cited_by"])  # type: ignore[call-overload]
    radius = 80 if len(citing) <= 2 else 105 if len(citing) <= 6 else 135
    size, cx = 380, 190
    cy = radius + 70
    height = 2 * radius + 130
    body = [f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>']
    for i, node in enumerate(citing):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(citing))
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        dx, dy = cx - x, cy - y
        dist = math.hypot(dx, dy) or 1.0
        x2, y2 = cx - dx / dist * 34, cy - dy / dist * 34
        dash = "" if node["dated"] else ' stroke-dasharray="5,4"'
        body.append(f'<line class="edge" x1="{x:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{MUTED}" '
                    f'stroke-width="1.3"{dash} marker-end="url(#{chart_id}-arrow)"/>')
    for i, node in enumerate(citing):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(citing))
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        body.append(f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{_level_colour(node["level"])}"/>')
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        lx = x + (10 if anchor == "start" else -10 if anchor == "end" else 0)
        ly = y + (20 if math.sin(angle) > 0.3 else -24 if math.sin(angle) < -0.3 else 4)
        body.append(_text(lx, ly, node["number"], 11, anchor))
        if node.get("title_zh") or node.get("title_en"):
            body.append(_text(lx, ly + 13, _short(str(node.get("title_zh") or node["title_en"]), 14), 10, anchor, MUTED))
    body.append(f'<circle class="hub" cx="{cx}" cy="{cy}" r="30" fill="{_level_colour(hub["level"])}" '
                f'stroke="#ffffff" stroke-width="3"/>')
    body.append(_text(cx, cy + 5, f"←{hub['in_degree']}", 13, "middle", "#ffffff", "bold"))
    name = hub.get("title_zh") or hub.get("title_en")
    heading = str(hub["number"]) + (f" {_short(str(name), 18)}" if name else "")
    body.insert(1, _text(cx, 18, heading, 13, "middle", weight="bold"))
    more = int(hub["in_degree"]) - len(citing)  # type: ignore[call-overload]
    if more > 0:
        body.append(_text(cx, height - 8, f"另有 {more} 项引用未画出 / {more} more not drawn", 11, "middle", MUTED))
    return _svg(size, height, body, f"{hub['number']} 的依赖邻域 / dependency neighbourhood", chart_id)


LEVEL_COLOURS = {"national": "#c0392b", "industry": "#2e6fba", "local": "#2b8a3e", "group": "#8e44ad",
                 "international": "#6b7785"}


def _level_colour(level: object) -> str:
    return LEVEL_COLOURS.get(str(level), "#9aa5b1")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def level_legend() -> str:
    names = {"national": "国家标准 / national", "industry": "行业标准 / industry", "local": "地方标准 / local",
             "group": "团体标准 / group", "international": "国际标准 / international"}
    body = []
    x = 0
    for level, name in names.items():
        body.append(f'<circle cx="{x + 6}" cy="10" r="6" fill="{LEVEL_COLOURS[level]}"/>')
        body.append(_text(x + 16, 14, name, 11, fill=MUTED))
        x += 150
    body.append(f'<line x1="{x}" y1="10" x2="{x + 30}" y2="10" stroke="{MUTED}" stroke-width="1.3"/>')
    body.append(_text(x + 36, 14, "注日期引用 / dated", 11, fill=MUTED))
    body.append(f'<line x1="{x + 150}" y1="10" x2="{x + 180}" y2="10" stroke="{MUTED}" stroke-width="1.3" stroke-dasharray="5,4"/>')
    body.append(_text(x + 186, 14, "不注日期引用 / undated", 11, fill=MUTED))
    return _svg(x + 330, 22, body, "图例 / legend", "legend-levels")
