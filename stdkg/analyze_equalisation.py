"""Equalisation (均等化): each province's local-standard figures beside the national figures,
and how far apart the provinces are (max − min, coefficient of variation).

Per province (the 34 provincial-level regions of ontology/regions.ttl; a city's standards count
for its province):

- ``local_standards``: local standards of the system;
- ``supporting_rate``: share of the system's national and industry standards (works) for which
  the province declares a local counterpart (stdkg:localCounterpartOf, not abolished);
- ``coverage``: share of the catalogue's service items that a local standard of the province
  supports (stdkg:serviceItem).

National figures: ``supporting_rate`` counts a standard supported by any province; ``coverage``
is the share of items a national or industry standard of the system supports. The spread is
over all 34 provinces: a province with no local standard in the graph counts 0, which means
"none loaded", not "none exists" — ``provinces_with_local_standards`` says how many have data.
Rows come from queries/analysis/local_support_links.rq (through ``local_support``) and
queries/workplan/local_items_by_province.rq.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

import pyoxigraph as ox

from .analyze import Doc, rate, run

FIGURES = ("local_standards", "supporting_rate", "coverage")


def spread(values: list[float]) -> dict[str, float | None]:
    """min, max, max − min, mean and coefficient of variation (population σ ÷ mean; None when
    the mean is 0: a spread of nothing is not 0)."""
    if not values:
        return {"min": None, "max": None, "range": None, "mean": None, "cv": None}
    mean = statistics.fmean(values)
    cv = round(statistics.pstdev(values) / mean, 4) if mean else None
    return {"min": round(min(values), 4), "max": round(max(values), 4), "range": round(max(values) - min(values), 4),
            "mean": round(mean, 4), "cv": cv}


def equalisation(store: ox.Store, docs: dict[str, Doc], local: dict[str, object], items: int) -> dict[str, object]:
    """The equalisation view; ``local`` is analyze_local.local_support's result, ``items`` the
    number of service items in the catalogue (coverage's denominator)."""
    works = {d.work for d in docs.values() if d.in_system and not d.stub and d.level in ("national", "industry")}
    supported: dict[str, set[str]] = defaultdict(set)  # province code → works it supports
    for standard in local["standards"]:  # type: ignore[union-attr]
        for province in standard["provinces"]:
            if standard["standard"] in works:
                supported[province["code"]].add(standard["standard"])
    province_items: dict[str, set[str]] = defaultdict(set)
    for row in run(store, "local_items_by_province"):
        if row["item"] is not None:
            province_items[str(row["province_code"])].add(str(row["item"]))
    national_items = {i for d in docs.values() if d.in_system and not d.stub and d.level in ("national", "industry")
                      for i in d.items}
    provinces = []
    for p in local["provinces"]:  # type: ignore[union-attr]
        code = p["code"]
        provinces.append({"code": code, "zh": p["zh"], "en": p["en"], "local_standards": p["local_standards"],
                          "supported": len(supported[code]), "supporting_rate": rate(len(supported[code]), len(works)),
                          "items": len(province_items[code]), "coverage": rate(len(province_items[code]), items)})
    any_support = set().union(*supported.values()) if supported else set()
    national = {"standards": len(works), "local_standards": sum(int(p["local_standards"]) for p in provinces),
                "supported": len(any_support), "supporting_rate": rate(len(any_support), len(works)),
                "items": items, "items_covered": len(national_items), "coverage": rate(len(national_items), items)}
    spreads = {}
    for figure in FIGURES:
        values = [float(p[figure]) for p in provinces if p[figure] is not None]  # type: ignore[arg-type]
        spreads[figure] = spread(values) if len(values) == len(provinces) else spread([])  # a rate of nothing: no spread
    return {"provinces": provinces, "national": national, "spread": spreads,
            "provinces_with_local_standards": sum(1 for p in provinces if p["local_standards"])}
