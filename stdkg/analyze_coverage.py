"""Coverage gaps: every domain → category → service item × standard type, with states and rates.

The rows come from queries/analysis/coverage_by_item_and_type.rq, standards_by_domain_and_type.rq,
standards_classified.rq, planned_standards.rq and the report standards_by_domain.rq; the
functions here only complete the grid (an absent cell is a cell of zeros) and count states.
"""

from __future__ import annotations

import pyoxigraph as ox

from .analyze import ALL_TYPES, CONTENT_TYPES, key, label, rate, run

# Cell and item states, best first: a cell is "covered" when it has a current national or industry
# standard; "unknown" when it has one whose status no source gives (it may be current); "planned"
# when one is planned, under revision or upcoming; "gap" otherwise. Items add "local-only" (only
# local standards) and "no-standard" (nothing linked at all: "no standard found").
STATES = ("covered", "unknown", "planned", "gap")
ITEM_STATES = ("covered", "unknown", "planned", "local-only", "gap", "no-standard")


def _counts() -> dict[str, int]:
    return {"standards": 0, "current": 0, "upcoming": 0, "planned": 0, "status_unknown": 0, "abolished": 0, "local": 0}


def cell_state(cell: dict[str, int]) -> str:
    """The state of one item × type cell from its national and industry counts (see STATES)."""
    if cell["current"]:
        return "covered"
    if cell["status_unknown"]:
        return "unknown"
    if cell["upcoming"] or cell["planned"]:
        return "planned"
    return "gap"


def item_state(cells: dict[str, dict[str, int]]) -> str:
    """The state of an item over all its cells (any type, or none given; see ITEM_STATES)."""
    total = {k: sum(c[k] for c in cells.values()) for k in _counts()}
    if total["standards"] == 0:
        return "no-standard"
    state = cell_state(total)
    if state == "gap" and total["local"] and total["local"] == total["standards"]:
        return "local-only"
    return state


def coverage(store: ox.Store) -> dict[str, object]:
    """Domain → category → item × standard type, with states, rates and the data they rest on.

    A domain's ``item_rate`` is covered items / items; its ``cell_rate`` is covered cells of the
    four content types / (items × 4). Both are None for a domain with no item. ``by_type`` counts
    the domain's items per state for each type; general and untyped standards count toward an
    item's state but are not cells of the four-type grid.
    """
    items: dict[str, dict[str, object]] = {}
    for row in run(store, "coverage_by_item_and_type"):
        item = items.setdefault(str(row["item"]), {
            "item": row["item"], "zh": row["item_zh"], "domain": row["domain"], "domain_zh": row["domain_zh"],
            "domain_notation": row["domain_notation"], "category": row["category"], "category_zh": row["category_zh"],
            "category_notation": row["category_notation"], "unplaced": row["category"] is None,
            "cells": {t: _counts() for t in ALL_TYPES}})
        if row["standards"]:
            cell = item["cells"][key(row["type"], "type-") or "untyped"]  # type: ignore[index]
            for name in cell:
                cell[name] += int(row[name])  # type: ignore[arg-type]
    for item in items.values():
        cells = item["cells"]
        for cell in cells.values():  # type: ignore[attr-defined]
            cell["state"] = cell_state(cell)
        item["state"] = item_state({t: {k: v for k, v in c.items() if k != "state"} for t, c in cells.items()})  # type: ignore[attr-defined]
        item["standards"] = sum(c["standards"] for c in cells.values())  # type: ignore[attr-defined]

    listed = _domain_rows(store)
    domains = _domains(listed)
    for item in sorted(items.values(), key=_item_order):
        domain = domains.setdefault(item["domain"], _domain(None, None, "（未归入领域）", 0))
        category = domain["categories"].setdefault(item["category"], {  # type: ignore[attr-defined]
            "category": item["category"], "notation": item["category_notation"],
            "zh": item["category_zh"] or "（未归入服务类别）", "items": []})
        category["items"].append({k: v for k, v in item.items() if k not in ("domain", "domain_zh", "domain_notation",
                                                                              "category", "category_zh", "category_notation")})
    out_domains = []
    for domain in domains.values():
        members = [i for c in domain["categories"].values() for i in c["items"]]  # type: ignore[attr-defined]
        states = {s: sum(1 for i in members if i["state"] == s) for s in ITEM_STATES}
        by_type = {t: {s: sum(1 for i in members if i["cells"][t]["state"] == s) for s in STATES} for t in CONTENT_TYPES}
        cells = len(members) * len(CONTENT_TYPES)
        covered_cells = sum(v["covered"] for v in by_type.values())
        out_domains.append({**{k: v for k, v in domain.items() if k != "categories"},
                            "items": len(members), "item_states": states,
                            "item_rate": rate(states["covered"], len(members)),
                            "cells": cells, "covered_cells": covered_cells, "cell_rate": rate(covered_cells, cells),
                            "by_type": by_type, "categories": list(domain["categories"].values())})  # type: ignore[attr-defined]
    all_items = [i for d in out_domains for c in d["categories"] for i in c["items"]]  # type: ignore[union-attr]
    return {
        "types": [{"type": t, "zh": label(f"type-{t}"), "en": label(f"type-{t}", "en")} for t in ALL_TYPES],
        "classified": run(store, "standards_classified")[0],
        "items": len(all_items),
        "item_states": {s: sum(1 for i in all_items if i["state"] == s) for s in ITEM_STATES},
        "domains": out_domains,
        "no_standard_found": [{"item": i["item"], "zh": i["zh"], "domain_zh": d["zh"] if d["domain"] else None}
                              for d in out_domains for c in d["categories"] for i in c["items"]  # type: ignore[union-attr]
                              if i["state"] == "no-standard"],
        "domain_types": domain_types(store, listed),
        "planned": planned(store),
    }


def _domain_rows(store: ox.Store) -> list[dict[str, object]]:
    """Every domain of the catalogue, in its order, with its standards (the report standards_by_domain.rq)."""
    return sorted(run(store, "standards_by_domain"), key=lambda r: _num(r["notation"]))


def _domains(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {row["domain"]: _domain(row["domain"], row["notation"], row["domain_zh"], row["standards"]) for row in rows}


def _domain(iri: object, notation: object, zh: object, standards: object) -> dict[str, object]:
    return {"domain": iri, "notation": notation, "zh": zh, "standards": standards, "categories": {}}


def _item_order(item: dict[str, object]) -> tuple[object, ...]:
    return (item["domain"] is None, _num(item["domain_notation"]), item["category"] is None,
            _num(item["category_notation"]), str(item["zh"]), str(item["item"]))


def _num(notation: object) -> tuple[int, str]:
    text = str(notation or "")
    return (int(text), text) if text.isdigit() else (1 << 30, text)


def domain_types(store: ox.Store, domain_rows: list[dict[str, object]] | None = None) -> list[dict[str, object]]:
    """Standards per domain × type (standards_by_domain_and_type.rq), domains in catalogue order
    (``domain_rows``: standards_by_domain.rq's rows, when the caller has them already)."""
    def entry(iri: object, notation: object, zh: object) -> dict[str, object]:
        return {"domain": iri, "notation": notation, "zh": zh,
                "types": {t: {"standards": 0, "national_industry": 0, "current": 0, "status_unknown": 0} for t in ALL_TYPES}}

    rows = _domain_rows(store) if domain_rows is None else domain_rows
    out = {iri: entry(iri, d["notation"], d["zh"]) for iri, d in _domains(rows).items()}
    for row in sorted(run(store, "standards_by_domain_and_type"), key=lambda r: (r["domain"] is None, _num(r["domain_notation"]))):
        found = out.setdefault(row["domain"], entry(row["domain"], row["domain_notation"], row["domain_zh"] or "（未给出领域）"))
        cell = found["types"][key(row["type"], "type-") or "untyped"]  # type: ignore[index]
        for name in cell:
            cell[name] += int(row[name])  # type: ignore[arg-type]
    return list(out.values())


def planned(store: ox.Store) -> list[dict[str, object]]:
    """Standards planned, under revision or upcoming (planned_standards.rq), one entry per standard."""
    found: dict[str, dict[str, object]] = {}
    for row in run(store, "planned_standards"):
        entry = found.setdefault(str(row["doc"]), {
            "standard": row["doc"], "number": row["number"], "title_zh": row["title_zh"],
            "level": key(row["level"], "level-"), "status": key(row["status"], "status-"),
            "items": [], "types": [], "domains": []})
        for name, value in (("items", row["item_zh"]), ("types", key(row["type"], "type-")), ("domains", row["domain_zh"])):
            if value is not None and value not in entry[name]:  # type: ignore[operator]
                entry[name].append(value)  # type: ignore[attr-defined]
    return sorted(found.values(), key=lambda e: (str(e["status"]), str(e["number"])))
