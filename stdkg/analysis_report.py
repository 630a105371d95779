"""The analysis for people and machines: terminal text (rich), Markdown, JSON and an HTML page.

The document ``stdkg.analyze.analyze`` returns is turned into neutral sections (lines and
tables) once; each format renders the same sections, so the terminal, the Markdown and the
HTML report never disagree. Bilingual throughout: zh first, en beside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from . import jsontext
from .analyze import CONTENT_TYPES, label

STATE_NAMES = {"covered": "已覆盖 / covered", "unknown": "状态未知 / status unknown",
               "planned": "在途 / on the way", "local-only": "仅地方标准 / local only",
               "gap": "缺口 / gap", "no-standard": "未找到标准 / no standard found"}
# Where each section's numbers come from: queries in queries/ and the functions that aggregate them.
SOURCES = {
    "coverage": ["queries/analysis/coverage_by_item_and_type.rq", "queries/analysis/standards_by_domain_and_type.rq",
                 "queries/analysis/standards_classified.rq", "queries/analysis/planned_standards.rq",
                 "queries/reports/standards_by_domain.rq", "stdkg.analyze_coverage.coverage"],
    "local": ["queries/analysis/local_support_links.rq", "stdkg.analyze_local.local_support"],
    "overlaps": ["queries/analysis/same_item_and_type.rq", "queries/analysis/standard_facts.rq",
                 "queries/analysis/committee_portfolios.rq", "stdkg.analyze_overlaps.title_duplicates",
                 "stdkg.analyze_overlaps.committee_overlaps"],
    "dependencies": ["queries/analysis/reference_edges.rq", "queries/library/cites_withdrawn_editions.rq",
                     "stdkg.analyze_deps.dependencies"],
    "review": ["queries/analysis/review_due_by_committee.rq", "stdkg.analyze_local.review_due"],
    "feedback": ["queries/workplan/feedback_by_edition.rq", "stdkg.analyze_feedback.feedback"],
    "equalisation": ["queries/analysis/local_support_links.rq", "queries/workplan/local_items_by_province.rq",
                     "stdkg.analyze_equalisation.equalisation"],
}
LEVEL_NAMES = {"national": "国家", "industry": "行业", "local": "地方", "group": "团体", "enterprise": "企业",
               "international": "国际"}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    total: int = 0  # rows before the limit
    numeric: set[int] = field(default_factory=set)  # right-aligned columns


@dataclass
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def pct(value: object) -> str:
    return "—" if value is None else f"{float(value):.1%}"  # type: ignore[arg-type]


def status_name(status: object) -> str:
    return label(f"status-{status or 'unknown'}")


def level_name(level: object) -> str:
    return LEVEL_NAMES.get(str(level), str(level or "?"))


def table(title: str, headers: list[str], rows: list[list[object]], limit: int | None, numeric: set[int] | None = None) -> Table:
    shown = rows if limit is None else rows[:limit]
    return Table(title, headers, [["" if v is None else str(v) for v in row] for row in shown], len(rows), numeric or set())


def joined(values: list[str], cap: int = 12) -> str:
    """Values joined with 、, at most ``cap`` of them, then how many there are in all."""
    shown = "、".join(values[:cap])
    return shown if len(values) <= cap else f"{shown} …（共 {len(values)} 项 / {len(values)} in all）"


def title(entry: dict[str, object]) -> object:
    """The Chinese title, else the English one (some sources give only that), else nothing."""
    return entry.get("title_zh") or entry.get("title_en")


# ------------------------------------------------------------------------------------ sections

def sections(doc: dict[str, object], limit: int | None = 10) -> list[Section]:
    """The report's sections; tables keep at most ``limit`` rows (None: all), noting how many more."""
    return [_summary(doc), _coverage(doc, limit), _local(doc, limit), _overlaps(doc, limit),
            _dependencies(doc, limit), _review(doc, limit), *_workplan(doc, limit)]


def _workplan(doc: dict, limit: int | None) -> list[Section]:  # type: ignore[type-arg]
    """Feedback and equalisation sections (stdkg.analysis_workplan), when the document has them."""
    from .analysis_workplan import equalisation_section, feedback_section

    return [s for s in (feedback_section(doc, limit), equalisation_section(doc, limit)) if s is not None]


def _summary(doc: dict) -> Section:  # type: ignore[type-arg]
    cov, local, over, deps, rev = doc["coverage"], doc["local_support"], doc["overlaps"], doc["dependencies"], doc["review"]
    states = cov["item_states"]
    cls = cov["classified"]
    return Section("summary", "摘要 / Summary", [
        f"截至 / as of {doc['as_of']}" + (f"；图谱 / graph: {doc['graph']}" if doc.get("graph") else ""),
        f"服务项目 {cov['items']} 项：已覆盖 {states['covered']}，状态未知 {states['unknown']}，在途 {states['planned']}，"
        f"仅地方标准 {states['local-only']}，缺口 {states['gap']}，未找到标准 {states['no-standard']} / "
        f"{cov['items']} service items: {states['covered']} covered, {states['unknown']} status unknown, "
        f"{states['planned']} on the way, {states['local-only']} local only, {states['gap']} gaps, "
        f"{states['no-standard']} with no standard found",
        f"体系内标准 {cls['standards']} 项，其中关联服务项目 {cls['with_item']}、注明标准类型 {cls['with_type']}、两者皆有 "
        f"{cls['with_item_and_type']}；未归类的不计入覆盖 / {cls['standards']} standards in the system: "
        f"{cls['with_item']} linked to a service item, {cls['with_type']} with a standard type, "
        f"{cls['with_item_and_type']} both; unclassified standards cannot count toward coverage",
        f"地方标准 {local['local_standards']} 项，其中 {len(local['without_declared_counterpart'])} 项（未废止）未声明配套的国家或行业标准；"
        f"需要地方配套的国家或行业标准 {local['called_for']} 项 / {local['local_standards']} local standards, "
        f"{len(local['without_declared_counterpart'])} (not abolished) declaring no national or industry counterpart; "
        f"{local['called_for']} national or industry standards call for local counterparts",
        f"重复与交叉：同项目同类型 {len(over['item_type'])} 组，近似标题 {len(over['titles']['pairs'])} 对，"
        f"服务项目交叉的归口 {len(over['committees']['by_item'])} 对，领域交叉 {len(over['committees']['by_domain'])} 对 / "
        f"overlaps: {len(over['item_type'])} item-and-type groups, {len(over['titles']['pairs'])} near-duplicate "
        f"title pairs, {len(over['committees']['by_item'])} committee pairs sharing items, "
        f"{len(over['committees']['by_domain'])} sharing domains",
        f"规范性引用 {deps['references']} 条：引用已废止版本 {len(deps['abolished_references'])}，悬空引用 "
        f"{deps['dangling']['references']}（{len(deps['dangling']['stubs'])} 项外部标准），循环 {len(deps['cycles'])} / "
        f"{deps['references']} normative references: {len(deps['abolished_references'])} to abolished editions, "
        f"{deps['dangling']['references']} dangling ({len(deps['dangling']['stubs'])} external standards), "
        f"{len(deps['cycles'])} cycles",
        f"到期应复审（标龄 ≥ {rev['years']} 年）：现行 {rev['due']} 项，状态未知 {rev['due_status_unknown']} 项，"
        f"日期未知 {rev['date_unknown']} 项 / due for review (≥ {rev['years']} years): {rev['due']} current, "
        f"{rev['due_status_unknown']} of unknown status, {rev['date_unknown']} with no date",
    ])


def _coverage(doc: dict, limit: int | None) -> Section:  # type: ignore[type-arg]
    cov = doc["coverage"]
    cls = cov["classified"]
    section = Section("coverage", "覆盖与缺口 / Coverage and gaps", [
        "覆盖按服务项目 × 标准类型计：有现行国家或行业标准为“已覆盖”；只有状态未知的为“状态未知”（可能现行）；"
        "有制定中、修订中或即将实施的为“在途”。 / Coverage is counted per service item × standard type: "
        "“covered” has a current national or industry standard; “status unknown” has one whose status no "
        "source gives (it may be current); “on the way” has one planned, under revision or upcoming.",
        f"国家和行业标准 {cls['national_industry']} 项中，关联服务项目 {cls['ni_with_item']} 项，注明类型 "
        f"{cls['ni_with_type']} 项，两者皆有 {cls['ni_with_item_and_type']} 项：其余未归类 / of "
        f"{cls['national_industry']} national and industry standards, {cls['ni_with_item']} are linked to a "
        f"service item, {cls['ni_with_type']} have a type, {cls['ni_with_item_and_type']} both; the rest are "
        "unclassified, so “no standard found” means none was found in this data, not that none exists."])
    rows = []
    for d in cov["domains"]:
        s = d["item_states"]
        rows.append([d["zh"], d["standards"] if d["standards"] is not None else "", d["items"], s["covered"], s["unknown"],
                     s["planned"], s["local-only"], s["gap"], s["no-standard"], pct(d["item_rate"]), pct(d["cell_rate"])])
    section.tables.append(table("按领域 / by domain", [
        "领域 / domain", "标准 / standards", "服务项目 / items", "已覆盖 / covered", "状态未知 / unknown",
        "在途 / on the way", "仅地方 / local only", "缺口 / gap", "未找到标准 / none found", "项目覆盖率 / item rate",
        "类型格覆盖率 / cell rate"], rows, None, set(range(1, 11))))
    type_rows = [[d["zh"], *(f"{d['by_type'][t]['covered']}/{d['items']}" + (f" (?{d['by_type'][t]['unknown']})"
                                                                            if d["by_type"][t]["unknown"] else "")
                             for t in CONTENT_TYPES)] for d in cov["domains"] if d["items"]]
    section.tables.append(table("已覆盖的服务项目（按类型）/ items covered, by standard type",
                                 ["领域 / domain", *(f"{label('type-' + t)} / {label('type-' + t, 'en')}" for t in CONTENT_TYPES)],
                                 type_rows, None, set(range(1, 5))))
    section.tables.append(table("未找到标准的服务项目 / service items with no standard found",
                                 ["领域 / domain", "服务项目 / item"],
                                 [[i["domain_zh"] or "（未归入领域）", i["zh"]] for i in cov["no_standard_found"]], limit))
    section.tables.append(table("在途标准（制定中、修订中、即将实施）/ standards on the way", [
        "标准 / standard", "标题 / title", "层级 / level", "状态 / status", "服务项目 / items", "类型 / types"],
        [[p["number"], p["title_zh"], level_name(p["level"]), status_name(p["status"]), "、".join(p["items"]),
          "、".join(label(f"type-{t}") for t in p["types"])] for p in cov["planned"]], limit))
    return section


def _local(doc: dict, limit: int | None) -> Section:  # type: ignore[type-arg]
    local = doc["local_support"]
    section = Section("local", "地方配套 / Local support", [
        "配套以地方标准自己声明的 stdkg:localCounterpartOf 为准；数据整理者给出的主题对应（stdkg:thematicCounterpart）"
        "单列，不计为配套。 / Support is what a local standard itself declares (stdkg:localCounterpartOf); "
        "topical matches a data compiler noted (stdkg:thematicCounterpart) are shown apart and never counted.",
        f"需要地方配套的国家或行业标准（至少一省已声明配套）{local['called_for']} 项；支撑率 = 本省声明配套的其中项数 ÷ 该数"
        f" / {local['called_for']} national or industry standards call for local counterparts (some province "
        "declares one); a province's supporting rate is how many of them it supports ÷ that number"])
    provinces = [p for p in local["provinces"] if p["local_standards"] or p["supported"]]
    section.tables.append(table("各省 / by province", [
        "省份 / province", "地方标准 / local", "声明配套 / declared", "仅主题对应 / thematic only",
        "无对应 / none", "已废止 / abolished", "支撑 / supports", "支撑率 / rate"],
        [[p["zh"], p["local_standards"], p["with_declared"], p["thematic_only"], p["without_counterpart"],
          p["abolished"], p["supported"], pct(p["supporting_rate"])] for p in provinces], limit, set(range(1, 8))))
    section.tables.append(table("国家和行业标准的地方配套 / local counterparts of national and industry standards", [
        "标准 / standard", "标题 / title", "声明配套的省份 / declared by", "主题对应（不计）/ thematic (not counted)"],
        [[s["number"], s["title_zh"], "、".join(f"{p['zh']}（{', '.join(p['locals'])}）" for p in s["provinces"]),
          "、".join(f"{p['zh']}（{', '.join(p['locals'])}）" for p in s["thematic"])] for s in local["standards"]], limit))
    section.tables.append(table("未声明国家或行业对应标准的地方标准（可考虑上升为国家标准）/ local standards declaring no "
                                 "national or industry counterpart (candidates for a national standard)", [
        "省份 / province", "地方标准 / local standard", "标题 / title", "状态 / status", "主题对应 / thematic match"],
        [[u["province_zh"], u["number"], title(u), status_name(u["status"]), "、".join(u["thematic"])]
         for u in local["without_declared_counterpart"]], limit))
    return section


def _overlaps(doc: dict, limit: int | None) -> Section:  # type: ignore[type-arg]
    over = doc["overlaps"]
    titles = over["titles"]
    section = Section("overlaps", "重复与交叉 / Overlaps", [
        f"近似标题：字符二元组 TF-IDF 余弦相似度 ≥ {titles['threshold']}，比较 {titles['compared']} 个标题；同一标准的版本"
        f"与同一标准的各部分不配对 / near-duplicate titles: cosine of TF-IDF weighted character bigrams ≥ "
        f"{titles['threshold']} over {titles['compared']} titles; editions of one standard and parts of one "
        "standard are not paired"])
    section.tables.append(table("近似标题 / near-duplicate titles", [
        "相似度 / similarity", "层级 / levels", "标准 A / standard A", "标题 A / title A", "标准 B / standard B",
        "标题 B / title B"],
        [[f"{p['similarity']:.2f}", f"{level_name(p['a']['level'])}–{level_name(p['b']['level'])}", p["a"]["number"],
          title(p["a"]), p["b"]["number"], title(p["b"])] for p in titles["pairs"]], limit, {0}))
    section.tables.append(table("同一服务项目、同一类型，出自不同归口或层级 / same service item and type from different "
                                 "committees or levels", [
        "服务项目 / item", "类型 / type", "标准 / standards", "层级 / levels", "归口 / committees"],
        [[g["item_zh"], label(f"type-{g['type']}"),
          joined([f"{m['number']}" + ("" if m["status"] == "current" else "（状态未知）") for m in g["standards"]]),
          "、".join(level_name(v) for v in g["levels"]), joined(g["committees"], 6)] for g in over["item_type"]], limit))
    for level, name in (("item", "服务项目 / service items"), ("domain", "领域 / domains")):
        section.tables.append(table(f"归口单位交叉（{name}，Jaccard）/ committees sharing {name.split(' / ')[1]}", [
            "归口 A / committee A", "归口 B / committee B", "Jaccard", "共同 / shared"],
            [[p["a"], p["b"], f"{p['jaccard']:.2f}", "、".join(p["shared"])] for p in over["committees"][f"by_{level}"]],
            limit, {2}))
    return section


def _dependencies(doc: dict, limit: int | None) -> Section:  # type: ignore[type-arg]
    deps = doc["dependencies"]
    section = Section("dependencies", "引用健康 / Dependency health", [
        f"规范性引用 {deps['references']} 条（注日期 {deps['dated_references']}，不注日期 {deps['undated_references']}），"
        f"涉及 {deps['works']} 项标准（作品）/ {deps['references']} normative references ({deps['dated_references']} dated, "
        f"{deps['undated_references']} undated) among {deps['works']} standards (works)",
        f"循环引用（任意长度，强连通分量）{len(deps['cycles'])} 处；自引用 {len(deps['self_references'])} 项 / "
        f"reference cycles of any length (strongly connected components): {len(deps['cycles'])}; "
        f"self-references: {len(deps['self_references'])}"])
    section.tables.append(table("被依赖最多的标准 / most depended-on standards", [
        "标准 / standard", "标题 / title", "层级 / level", "被引 / in-degree", "PageRank", "外部 / external"],
        [[m["number"], title(m), level_name(m["level"]), m["in_degree"], f"{m['pagerank']:.4f}",
          "是 / yes" if m["stub"] else ""] for m in deps["most_depended_on"]], limit, {3, 4}))
    section.tables.append(table("循环引用 / reference cycles", ["标准 / standards", "一条环路 / one cycle"],
                                 [["、".join(c["works"]), " → ".join(c["cycle"])] for c in deps["cycles"]], limit))
    section.tables.append(table("引用已废止或被代替的版本 / references to abolished or replaced editions", [
        "引用方 / citing", "状态 / status", "被引版本 / cited edition", "状态 / status", "代替版本 / replaced by"],
        [[a["citing"]["number"], status_name(a["citing"].get("status")), a["cited"]["number"],
          status_name(a["cited"].get("status")), "、".join(a["replaced_by"])] for a in deps["abolished_references"]], limit))
    section.tables.append(table("悬空引用（外部标准）/ dangling references (external stubs)", [
        "被引标准 / cited standard", "引用时给出的标题 / title as cited", "被引次数 / cited by"],
        [[s["number"], title(s), s["cited_by"]] for s in deps["dangling"]["stubs"]], limit, {2}))
    return section


def _review(doc: dict, limit: int | None) -> Section:  # type: ignore[type-arg]
    rev = doc["review"]
    section = Section("review", f"到期复审（标龄）/ Review due — {rev['as_of']}", [
        f"自实施日期（无则发布日期）起满 {rev['years']} 年为到期；状态未知的版本单列（可能现行）/ due when "
        f"{rev['years']} years or more have passed since implementation (or issue); editions of unknown status are "
        "counted apart (they may be in force)"])
    section.tables.append(table("按归口单位 / by committee", [
        "归口单位 / committee", "版本 / editions", "到期·现行 / due, current", "到期·状态未知 / due, status unknown",
        "日期未知 / no date"],
        [[c["label"], c["editions"], c["due"], c["due_status_unknown"], c["date_unknown"]] for c in rev["committees"]],
        limit, {1, 2, 3, 4}))
    due = [[e["number"], title(e), c["label"], status_name(e["status"] if e["status"] == "current" else None),
            e["since"], e["years"]] for c in rev["committees"] for e in c["due_editions"]]
    section.tables.append(table("到期版本 / editions due", [
        "标准 / edition", "标题 / title", "归口 / committee", "状态 / status", "起算 / since", "年 / years"], due, limit, {5}))
    return section


# ---------------------------------------------------------------------------------- renderers

def as_json(doc: dict[str, object]) -> str:
    return jsontext.dumps(doc)


def as_markdown(doc: dict[str, object], limit: int | None = 50) -> str:
    out = [f"# 标准体系分析 / Standard system analysis ({doc.get('as_of')})", ""]
    for section in sections(doc, limit):
        out += [f"## {section.title}", ""]
        if section.key == "summary":
            out += [f"- {_md(line)}" for line in section.lines] + [""]
        else:
            out += [part for line in section.lines for part in (_md(line), "")]
        for table in section.tables:
            out += markdown_table(table)
        if section.key in SOURCES:
            out += ["来源 / from: " + ", ".join(f"`{s}`" for s in SOURCES[section.key]), ""]
    return "\n".join(out).rstrip() + "\n"


def _md(text: str) -> str:
    """Text from the data as Markdown text: a '<' from a title would open raw HTML in a viewer."""
    return text.replace("<", "&lt;")


def markdown_table(table: Table) -> list[str]:
    out = [f"### {table.title}", ""]
    if not table.rows:
        return out + ["（无 / none）", ""]
    cell = lambda v: _md(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    out.append("| " + " | ".join(cell(h) for h in table.headers) + " |")
    out.append("| " + " | ".join("---:" if i in table.numeric else "---" for i in range(len(table.headers))) + " |")
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
    if table.total > len(table.rows):
        out.append(f"\n… 另有 {table.total - len(table.rows)} 行（见 --format json）/ {table.total - len(table.rows)} more rows (see --format json)")
    return out + [""]


def print_text(console: Console, doc: dict[str, object], limit: int | None = 10) -> None:
    for section in sections(doc, limit):
        console.rule(f"[bold]{escape(section.title)}[/]", align="left")
        for line in section.lines:
            console.print(escape(line))
        for table in section.tables:
            print_table(console, table)


def print_table(console: Console, table: Table) -> None:
    if not table.rows:
        console.print(f"[bold]{escape(table.title)}[/]: （无 / none）")
        return
    rich = RichTable(title=escape(table.title), title_justify="left")
    for i, header in enumerate(table.headers):
        rich.add_column(escape(header), justify="right" if i in table.numeric else "left")
    for row in table.rows:
        rich.add_row(*(escape(v) for v in row))
    console.print(rich)
    if table.total > len(table.rows):
        more = table.total - len(table.rows)
        console.print(f"  … 另有 {more} 行（--top 或 --format json 查看全部）/ {more} more rows (see --top or --format json)")


# -------------------------------------------------------------------------------------- impact

def impact_sections(doc: dict, limit: int | None = None) -> list[Section]:  # type: ignore[type-arg]
    """The sections of an impact report (stdkg.analyze_deps.impact)."""
    target, summary = doc["standard"], doc["summary"]
    kind = "版本 / edition" if target["dated"] else "标准（作品）/ work"
    head = Section("impact", f"修订或废止 {target['number']} 的影响 / impact of revising or abolishing {target['number']}", [
        f"{target['number']} {target.get('title_zh') or target.get('work_title_zh') or ''}".rstrip()
        + f"（{kind}；{status_name(target['status'])}" + ("；外部占位 / external stub" if target["stub"] else "") + "）",
        f"直接引用 {summary['direct']} 项（注日期 {summary['direct_dated']}：须修改引用；不注日期 {summary['direct_undated']}："
        f"自动指向新版，须核对）；间接引用 {summary['transitive']} 项 / {summary['direct']} standards cite it directly "
        f"({summary['direct_dated']} dated: the reference must be amended; {summary['direct_undated']} undated: they follow "
        f"the new edition and need a check); {summary['transitive']} more transitively",
        f"须跟进的地方配套标准 {summary['local_declared']} 项（主题对应 {summary['local_thematic']} 项单列）；涉及归口单位 "
        f"{summary['committees']} 个、服务项目 {summary['service_items']} 项 / {summary['local_declared']} declared local "
        f"counterparts must follow ({summary['local_thematic']} thematic matches listed apart); "
        f"{summary['committees']} committees and {summary['service_items']} service items touched"])
    if target["dated"] and not target["may_be_current"]:
        head.lines.insert(1, "此版本已废止或已被代替：不注日期的引用指向其现行版本，不计入；只计注日期的引用 / this edition is "
                             "abolished or replaced: undated references to its work follow the current edition and are not "
                             "counted, only dated ones")
    refs = [[a["number"], title(a), status_name(a["status"]),
             "注日期 / dated" if a["reference"] == "dated" else "不注日期 / undated", a["cites"], a["depth"], a["via"]]
            for a in doc["direct"] + doc["transitive"]]
    head.tables.append(table("引用它的标准（直接与间接）/ standards that reference it, directly and transitively", [
        "标准 / standard", "标题 / title", "状态 / status", "引用方式 / reference", "所引 / cites", "层 / depth",
        "经由 / via"], refs, limit, {5}))
    for relation, name in (("declared", "须跟进的地方配套标准 / declared local counterparts (must follow)"),
                           ("thematic", "主题对应的地方标准（不计为配套）/ thematic matches (not counterparts)")):
        head.tables.append(table(name, ["地方标准 / local standard", "标题 / title", "省份 / province", "配套对象 / of"],
                                  [[c["number"], c.get("title_zh"), c["province_zh"], c["counterpart_of"]]
                                   for c in doc["local_counterparts"][relation]], limit))
    head.tables.append(table("涉及的归口单位 / committees touched", ["归口单位 / committee", "标准 / standards"],
                              [[c["committee"], c["standards"]] for c in doc["committees"]], limit, {1}))
    head.tables.append(table("涉及的服务项目 / service items touched", ["服务项目 / item", "标准 / standards"],
                              [[i["item_zh"], i["standards"]] for i in doc["service_items"]], limit, {1}))
    return [head]


def impact_markdown(doc: dict[str, object]) -> str:
    out: list[str] = []
    for section in impact_sections(doc):
        out += [f"## {section.title}", "", *(f"- {line}" for line in section.lines), ""]
        for table in section.tables:
            out += markdown_table(table)
    return "\n".join(out).rstrip() + "\n"


def print_impact(console: Console, doc: dict[str, object]) -> None:
    for section in impact_sections(doc):
        console.rule(f"[bold]{escape(section.title)}[/]", align="left")
        for line in section.lines:
            console.print(escape(line))
        for table in section.tables:
            print_table(console, table)
