"""Report sections for implementation feedback and equalisation (stdkg.analysis_report renders
them in the terminal, Markdown and the HTML report like every other section)."""

from __future__ import annotations

from .analysis_report import Section, pct, table

CATEGORY_NAMES = {"unclearClause": "条款不清 / unclear", "outdated": "内容过时 / outdated",
                  "conflicting": "冲突 / conflicting", "other": "其他 / other"}


def feedback_section(doc: dict, limit: int | None) -> Section | None:  # type: ignore[type-arg]
    fed = doc.get("feedback")
    if fed is None:
        return None
    section = Section("feedback", "实施反馈 / Implementation feedback", [
        f"实施反馈 {fed['feedback']} 条，涉及 {len(fed['editions'])} 个标准版本；同一版本有 ≥ {fed['repeated']} 条“内容过时”或"
        f"“冲突”反馈的列为待关注，并注明是否已在到期复审名单中 / {fed['feedback']} pieces of feedback on "
        f"{len(fed['editions'])} editions; an edition with ≥ {fed['repeated']} “outdated” or “conflicting” ones is "
        "flagged, beside whether the review-due list already has it"])
    section.tables.append(table("待关注的版本 / flagged editions", [
        "标准 / edition", "标题 / title", "内容过时 / outdated", "冲突 / conflicting", "到期复审 / review due"],
        [[f["number"], f["title_zh"], f["outdated"], f["conflicting"],
          f"是 / yes（{f['review_years']} 年）" if f["review_due"] else "否 / no"] for f in fed["flagged"]], limit, {2, 3}))
    section.tables.append(table("各版本的反馈 / feedback per edition", [
        "标准 / edition", "标题 / title", "合计 / total", *CATEGORY_NAMES.values()],
        [[e["number"], e["title_zh"], e["total"], *(e["by_category"].get(c, 0) for c in CATEGORY_NAMES)]
         for e in fed["editions"]], limit, {2, 3, 4, 5, 6}))
    return section


def equalisation_section(doc: dict, limit: int | None) -> Section | None:  # type: ignore[type-arg]
    equal = doc.get("equalisation")
    if equal is None:
        return None
    nat, spread = equal["national"], equal["spread"]

    def number(value: object) -> str:
        return "—" if value is None else f"{value:g}"

    section = Section("equalisation", "均等化 / Equalisation", [
        f"支撑率 = 本省声明配套的国家和行业标准数 ÷ 体系内国家和行业标准 {nat['standards']} 项；覆盖率 = 本省地方标准支撑的"
        f"服务项目数 ÷ 服务项目 {nat['items']} 项。全国：支撑率 {pct(nat['supporting_rate'])}（任一省配套），"
        f"覆盖率 {pct(nat['coverage'])}（国家和行业标准支撑的服务项目）。离散度按全部 34 个省级行政区计，图谱中没有地方标准的省份"
        f"按 0 计（表示未载入，不表示没有）；有地方标准的省份 {equal['provinces_with_local_standards']} 个。 / "
        f"supporting rate = national and industry standards the province declares a counterpart for ÷ the system's "
        f"{nat['standards']}; coverage = service items its local standards support ÷ {nat['items']} items. National: "
        f"supporting rate {pct(nat['supporting_rate'])} (any province), coverage {pct(nat['coverage'])} (items a national "
        f"or industry standard supports). The spread is over all 34 provinces; one with no local standard in the graph "
        f"counts 0 (none loaded, not none existing); {equal['provinces_with_local_standards']} have local standards."])
    section.tables.append(table("省际离散度 / spread between provinces", [
        "指标 / figure", "全国 / national", "最小 / min", "最大 / max", "极差 / max − min", "平均 / mean", "变异系数 / CV"],
        [[name, national, number(spread[key]["min"]), number(spread[key]["max"]), number(spread[key]["range"]),
          number(spread[key]["mean"]), number(spread[key]["cv"])]
         for key, name, national in (("local_standards", "地方标准数 / local standards", nat["local_standards"]),
                                     ("supporting_rate", "支撑率 / supporting rate", pct(nat["supporting_rate"])),
                                     ("coverage", "覆盖率 / coverage", pct(nat["coverage"])))], None, {1, 2, 3, 4, 5, 6}))
    rows = sorted(equal["provinces"], key=lambda p: (-p["local_standards"], p["code"]))
    section.tables.append(table("各省 / by province", [
        "省份 / province", "地方标准 / local", "支撑 / supports", "支撑率 / rate", "服务项目 / items", "覆盖率 / coverage"],
        [[p["zh"], p["local_standards"], p["supported"], pct(p["supporting_rate"]), p["items"], pct(p["coverage"])]
         for p in rows], limit, {1, 2, 3, 4, 5}))
    return section
