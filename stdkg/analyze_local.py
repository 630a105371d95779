"""Local support (which provinces support which national or industry standards) and review due
(标龄: editions at or past the five-year review, by committee).

The rows come from queries/analysis/local_support_links.rq and review_due_by_committee.rq.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from .analyze import REVIEW_YEARS, Doc, committee_label, key, rate, run, text


def local_support(store: ox.Store, docs: dict[str, Doc], titles: dict[str, str]) -> dict[str, object]:
    """Which provinces support which national or industry standards (local_support_links.rq).

    Support is declared: stdkg:localCounterpartOf from a local standard not known to be abolished.
    A standard "calls for" local counterparts when at least one province has declared one; a
    province's ``supporting_rate`` is the share of those it supports (None when none is called
    for). Thematic matches (stdkg:thematicCounterpart) are counted apart and never as support.
    """
    provinces: dict[str, dict[str, object]] = {}
    locals_: dict[str, dict[str, object]] = {}
    declared: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # work → province → locals
    thematic: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in run(store, "local_support_links"):
        code = str(row["province_code"])
        provinces.setdefault(code, {"province": row["province"], "code": code, "zh": row["province_zh"],
                                    "en": row["province_en"]})
        if row["local"] is None:
            continue
        local = locals_.setdefault(str(row["local"]), {
            "standard": row["local"], "number": row["local_number"], "title_zh": row["local_title_zh"],
            "title_en": docs[str(row["local"])].title_en if str(row["local"]) in docs else None,
            "status": key(row["local_status"], "status-") or "unknown", "province_code": code,
            "province_zh": row["province_zh"], "declared": [], "thematic": [], "other": []})
        if row["relation"] is None:
            continue
        work = str(row["work"])
        level = key(row["work_level"], "level-")
        if level not in ("national", "industry"):
            local["other"].append(row["target_number"])  # type: ignore[attr-defined]
            continue
        local[str(row["relation"])].append(row["target_number"])  # type: ignore[attr-defined]
        if row["relation"] == "declared" and local["status"] != "abolished":
            declared[work][code].add(str(row["local_number"]))
        elif row["relation"] == "thematic":
            thematic[work][code].add(str(row["local_number"]))
    called_for = sorted(declared)
    standards = []
    for work in sorted(set(declared) | set(thematic), key=lambda w: docs[w].number if w in docs else w):
        doc = docs.get(work)
        standards.append({
            "standard": work, "number": doc.number if doc else work, "title_zh": titles.get(work),
            "level": doc.level if doc else None, "called_for": work in declared,
            "provinces": [{"code": c, "zh": provinces[c]["zh"], "locals": sorted(n)} for c, n in sorted(declared[work].items())],
            "thematic": [{"code": c, "zh": provinces[c]["zh"], "locals": sorted(n)} for c, n in sorted(thematic[work].items())]})
    out_provinces = []
    for code, province in sorted(provinces.items()):
        mine = [loc for loc in locals_.values() if loc["province_code"] == code]
        live = [loc for loc in mine if loc["status"] != "abolished"]
        supported = sum(1 for w in called_for if code in declared[w])
        out_provinces.append({
            **province, "local_standards": len(mine),
            "with_declared": sum(1 for loc in live if loc["declared"]),
            "thematic_only": sum(1 for loc in live if loc["thematic"] and not loc["declared"]),
            "without_counterpart": sum(1 for loc in live if not loc["declared"] and not loc["thematic"]),
            "abolished": len(mine) - len(live),
            "supported": supported, "supporting_rate": rate(supported, len(called_for)),
            "thematic_matches": sum(1 for w in thematic if code in thematic[w])})
    unmatched = [{k: v for k, v in loc.items() if k not in ("declared", "other")}
                 for loc in sorted(locals_.values(), key=lambda x: (str(x["province_code"]), str(x["number"])))
                 if not loc["declared"] and loc["status"] != "abolished"]
    return {"called_for": len(called_for), "local_standards": len(locals_),
            "standards": standards, "provinces": out_provinces, "without_declared_counterpart": unmatched}


# --------------------------------------------------------------------------------- review due

def review_due(store: ox.Store, as_of: dt.date, docs: dict[str, Doc] | None = None) -> dict[str, object]:
    """Editions at or past the five-year review as of ``as_of``, by committee (review_due_by_committee.rq).

    ``due`` counts current editions; ``due_status_unknown`` editions whose status no source gives
    (they may be in force); ``date_unknown`` editions with no implementation or issue date.
    """
    committees: dict[object, dict[str, object]] = {}
    editions: dict[str, set[str]] = defaultdict(set)
    for row in run(store, "review_due_by_committee", as_of=as_of.isoformat()):
        entry = committees.setdefault(row["committee"], {
            "committee": row["committee"], "code": row["committee_code"], "zh": row["committee_zh"],
            "label": committee_label(row["committee_code"], row["committee_zh"], row["committee"])
            if row["committee"] else "（来源未给出归口单位）/ (no committee given)",
            "editions": 0, "due": 0, "due_status_unknown": 0, "date_unknown": 0, "due_editions": []})
        status = "current" if row["status"] else "unknown"
        entry["editions"] += 1  # type: ignore[operator]
        editions[row["review"]].add(f"{status}|{row['standard']}")  # type: ignore[index]
        if row["review"] == "due":
            entry["due" if status == "current" else "due_status_unknown"] += 1  # type: ignore[operator]
            doc = (docs or {}).get(str(row["standard"]))
            entry["due_editions"].append({"standard": row["standard"], "number": row["number"],  # type: ignore[attr-defined]
                                          "title_zh": row["title_zh"], "title_en": doc.title_en if doc else None,
                                          "status": status, "since": text(row["since"]),
                                          "basis": row["basis"], "years": row["years"]})
        elif row["review"] == "date-unknown":
            entry["date_unknown"] += 1  # type: ignore[operator]
    ordered = sorted(committees.values(), key=lambda c: (c["committee"] is None, -int(c["due"]),  # type: ignore[call-overload]
                                                          -int(c["due_status_unknown"]), str(c["label"])))  # type: ignore[call-overload]
    for entry in ordered:
        entry["due_editions"].sort(key=lambda e: (e["status"] != "current", -int(e["years"]), e["number"]))  # type: ignore[attr-defined]
    return {"as_of": as_of.isoformat(), "years": REVIEW_YEARS,
            "due": _distinct(editions["due"], "current"), "due_status_unknown": _distinct(editions["due"], "unknown"),
            "not_due": len(editions["not-due"]), "date_unknown": len(editions["date-unknown"]), "committees": ordered}


def _distinct(tagged: Iterable[str], status: str) -> int:
    return sum(1 for t in tagged if t.startswith(status + "|"))
