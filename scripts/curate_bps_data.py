"""One-off record of how data/bps/ was derived from ../shared/data (kept for provenance).

Run from the repo root: python scripts/curate_bps_data.py ../shared/data
Each cleaning step is a rule below or a per-row override with the reason in the row's note.
Values are only reformatted (status words, dates, committee codes, list separators); a value
the source did not state is never added, and inferred or unverified values are dropped.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

STATUS = {"现行 (Active)": "现行", "Active": "现行", "现行": "现行",
          "废止/被代替 (Abolished/Replaced)": "废止", "现行 (site note: not real-time)": "现行"}
NATURE = {"mandatory (全部技术内容为强制性)": "强制性", "mandatory": "强制性",
          "recommended": "推荐性", "guidance (GB/Z)": "指导性技术文件"}
COMMITTEE_CODE = re.compile(r"(?:SAC/)?TC\s?(\d+)")

STANDARD_COLUMNS = ["number", "title_zh", "title_en", "level", "nature", "status", "issued",
                    "implemented", "ccs", "ics", "committee_code", "committee",
                    "competent_authority", "publisher", "replaces", "normative_references",
                    "domain", "service_item", "thematic_counterpart", "region", "note", "source"]

# Per-row decisions that a rule cannot make: number -> {column: value}, with the reason noted.
OVERRIDES: dict[str, dict[str, str]] = {
    "GB 38600-2019": {"committee": "民政部", "note_add": "归口 per foreword: 民政部提出并归口"},
    "GB/T 42195-2022": {"publisher": "市场监管总局", "note_add": "source: 批准发布 by 市场监管总局"},
    "GB/T 35796-2017": {"committee": "全国社会福利服务标准化技术委员会",
                        "note_add": "secretariat 民政部社会福利中心 drafted (2017 news)"},
    "MZ/T 170-2021": {"title_zh": "", "committee": "全国社会福利服务标准化技术委员会",
                      "committee_code": "SAC/TC 315",
                      "note_add": "the shared table's Chinese title was inferred from scope text, so it is left out here"},
    "GB/Z 45152-2024": {"committee": "全国服务标准化技术委员会", "note_add": "提出并归口"},
    "GB/T 28220-2023": {"committee": "全国图书馆标准化技术委员会", "committee_code": "SAC/TC 389",
                        "note_add": "TC389 归口及执行"},
    "GB/T 28220-2011": {"normative_references": "GB/T 10001.1; GB/T 13191",
                        "note_add": "reference 建标108-2008 (a construction-standard number outside the GB/industry families) kept here only"},
    "WH/T 87.1-2019": {"committee": "全国图书馆标准化技术委员会", "committee_code": "SAC/TC 389"},
    "WH/T 87.3-2019": {"committee": "全国图书馆标准化技术委员会", "committee_code": "SAC/TC 389",
                       "normative_references": "GB 50462; WH/T 22; ISO 2709",
                       "note_add": "references also name 建标 108 and 'GB/T 3792.x' (a series, no single number): kept here only"},
    "GB/T 33531-2017": {"committee": "全国人力资源服务标准化技术委员会", "committee_code": "SAC/TC 292",
                        "competent_authority": "人力资源和社会保障部", "note_add": "source marks 人力资源和社会保障部 as 提出"},
    "GB/T 31596.3-2023": {"committee": "全国社会保险标准化技术委员会", "committee_code": "SAC/TC 474"},
    "GB/T 10001.9-2021": {"replaces": "",
                          "note_add": "the shared table infers that it replaces GB/T 10001.9-2008 (unverified), so no replacement is recorded"},
    "GB/T 37668-2019": {"issued": "2019-08", "implemented": "2020-03", "note_add": "source gives month only"},
    "DB31/T 685-2019": {"ics": "", "note_add": "ICS given by name only (Other services)"},
    "DB14/T 2149-2020": {"competent_authority": "山西省市场监督管理局", "note_add": "备案号 76031-2020"},
    "DB43/T 2981-2024": {"note_add": "status per site note: not real-time"},
    "DB3301/T 0193-2018": {"publisher": "杭州市市场监督管理局", "competent_authority": "",
                           "thematic_counterpart": "", "service_item": "公共体育设施开放",
                           "note_add": "service item is the source's thematic match (BPS item 公共体育设施开放)"},
}


def clean_domain(hint: str) -> str:
    # '病有所医/老有所养' names two domains; '弱有所扶 (无障碍)' one domain plus a topic.
    return "; ".join(part.split(" (")[0].strip() for part in hint.split("/") if part.strip())


def clean_region(region: str) -> str:
    # Only a city's name is kept: provinces come from the number's DB prefix.
    return region.split("·", 1)[1].split(" (")[0].strip() if "·" in region else ""


def clean_thematic(text: str) -> str:
    numbers = re.findall(r"(?:GB/T|GB) \d+(?:\.\d+)?-\d{4}", text)
    return "; ".join(numbers)


def standard_row(src: dict[str, str]) -> dict[str, str]:
    number = src["std_no"].strip()
    committee_text = src.get("tc_or_guikou", "") or src.get("guikou", "")
    out = {
        "number": number,
        "title_zh": src.get("title_zh", ""),
        "title_en": src.get("title_en", ""),
        "level": "",
        "nature": NATURE.get(src.get("nature", ""), ""),
        "status": STATUS.get(src.get("status", ""), ""),
        "issued": src.get("issue_date", ""),
        "implemented": src.get("implement_date", ""),
        "ccs": src.get("ccs", ""),
        "ics": src.get("ics", ""),
        "committee_code": "",
        "committee": committee_text.split(" (")[0].strip(),
        "competent_authority": src.get("competent_dept", "") or src.get("competent_or_approving", ""),
        "publisher": src.get("issuer", ""),
        "replaces": src.get("replaces", ""),
        "normative_references": src.get("references", "") or src.get("references_national_or_industry", ""),
        "domain": clean_domain(src.get("bps_domain_hint", "")),
        "service_item": "",
        "thematic_counterpart": clean_thematic(src.get("thematic_national_counterpart", "")),
        "region": clean_region(src.get("region", "")),
        "note": src.get("note", ""),
        "source": src["source"],
    }
    if src.get("nature") and not out["nature"]:
        raise SystemExit(f"unmapped nature {src['nature']!r} in {number}")
    if src.get("status") and not out["status"]:
        raise SystemExit(f"unmapped status {src['status']!r} in {number}")
    override = dict(OVERRIDES.get(number, {}))
    note_add = override.pop("note_add", "")
    out.update(override)
    if note_add:
        out["note"] = "; ".join(n for n in (out["note"], note_add) if n)
    return out


# The work plan's targets: which measure counts each, by the words of its text (a rule, not a guess
# per row); a target no measure fits stays qualitative (no measure, no number).
TARGET_MEASURES = (("试点", "pilots"), ("地方标准", "local_supporting"), ("国家标准", "editions_issued"))
TARGET_LEVELS = {"editions_issued": "国家标准; 行业标准", "local_supporting": "地方标准", "pilots": ""}
TARGET_COLUMNS = ["id", "plan", "target_zh", "measure", "value", "deadline", "counted_from", "scope_level", "note", "source"]


def workplan_targets(shared: Path) -> list[dict[str, str]]:
    """The 2027 and 2035 targets of bps_workplan_2024_facts.csv, one row per target."""
    with open(shared / "bps_workplan_2024_facts.csv", encoding="utf-8", newline="") as f:
        facts = {row["fact"]: row for row in csv.DictReader(f)}
    plan = facts["title"]["value"]
    announced = facts["announced"]
    # The plan's own date of issue is not in the reference data: progress counts from the day it was announced.
    since = re.search(r"\d{4}-\d{2}-\d{2}", announced["value"]).group(0)
    rows = []
    for fact in sorted(f for f in facts if f.startswith("target ")):
        year = fact.split()[1]
        for index, text in enumerate(part.strip() for part in facts[fact]["value"].split(";")):
            measure = next((m for word, m in TARGET_MEASURES if word in text), "")
            value = re.search(r"(\d+)(?:项|个)", text)
            note = ("counted from the plan's announcement (Xinhua, 2024-01-04): the plan's own date of issue is not in the source"
                    if measure else "qualitative target: no measure counts it")
            if measure and not value:
                note += "; qualitative (no number): progress shows the count without a percentage"
            rows.append({"id": f"T{year}-{index + 1}", "plan": plan, "target_zh": text, "measure": measure,
                         "value": value.group(1) if value and measure else "", "deadline": year,
                         "counted_from": since if measure else "", "scope_level": TARGET_LEVELS.get(measure, ""),
                         "note": note, "source": " ; ".join(dict.fromkeys([facts[fact]["source"], announced["source"]] if measure
                                                                           else [facts[fact]["source"]]))})
    return rows


def main(shared: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "workplan_targets.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=TARGET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(workplan_targets(shared))
    omitted = []
    for src_name, dst_name in (("standards_public_service.csv", "standards.csv"),
                               ("local_standards_public_service.csv", "local_standards.csv")):
        rows = []
        with open(shared / src_name, encoding="utf-8", newline="") as f:
            for src in csv.DictReader(f):
                if not src["std_no"].strip():
                    omitted.append(src.get("title_zh", ""))
                    continue
                rows.append(standard_row(src))
        used = [c for c in STANDARD_COLUMNS if any(r[c] for r in rows) or c in ("number", "source")]
        with open(out_dir / dst_name, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=used, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    print("omitted rows without a standard number:", omitted)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"), Path("data/bps"))
