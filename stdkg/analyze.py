"""Gaps, local support and review due, answered from the graph (`stdkg analyze`).

Every figure comes from a query in queries/analysis/ (or the library) and a documented function
here or in analyze_overlaps / analyze_deps, so a SPARQL client and the report count alike.
Unknown stays apart from none: a standard without a status is "status unknown", never current,
and an item no standard is linked to is "no standard found", never "no standard exists".
``analyze`` returns one JSON-ready document; docs/analysis-schema.md describes it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SKOS

from . import paths, sparql
from .queries import find_query, read_query
from .store import python_value

SCHEMA = "stdkg-analysis/1"
STDV = "https://w3id.org/stdkg/vocab/"
CONTENT_TYPES = ("facilityResources", "processQuality", "operationManagement", "performanceEvaluation")
ALL_TYPES = ("general", *CONTENT_TYPES, "untyped")  # "untyped": no source gives a type
REVIEW_YEARS = 5
# Cell and item states, best first: a cell is "covered" when it has a current national or industry
# standard; "unknown" when it has one whose status no source gives (it may be current); "planned"
# when one is planned, under revision or upcoming; "gap" otherwise. Items add "local-only" (only
# local standards) and "no-standard" (nothing linked at all: "no standard found").
STATES = ("covered", "unknown", "planned", "gap")
ITEM_STATES = ("covered", "unknown", "planned", "local-only", "gap", "no-standard")


# ------------------------------------------------------------------------------------ queries

def run(store: ox.Store, name: str, **params: str) -> list[dict[str, object]]:
    """Rows of a query of queries/analysis/ (or, failing that, the library) as plain Python values."""
    path = paths.queries_dir() / "analysis" / f"{name}.rq"
    query = read_query(path) if path.is_file() else find_query(name)
    bindings = sparql.bind(sparql.declared_parameters(query), params)
    text = sparql.with_values(query.text, bindings, "SELECT") if bindings else query.text
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [dict(zip(names, map(python_value, solution))) for solution in solutions]


def key(iri: object, prefix: str) -> str | None:
    """'https://w3id.org/stdkg/vocab/status-current', 'status-' → 'current' (None stays None)."""
    if iri is None:
        return None
    text = str(iri)
    return text.rsplit(prefix, 1)[-1] if prefix in text else text


@lru_cache(maxsize=1)
def concept_labels() -> dict[str, dict[str, str]]:
    """zh and en labels of the fixed concepts (ontology/vocab.ttl): 'type-general' → {zh, en}."""
    graph = Graph().parse(paths.ontology_dir() / "vocab.ttl", format="turtle")
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for concept, label in graph.subject_objects(SKOS.prefLabel):
        if str(concept).startswith(STDV):
            labels[str(concept)[len(STDV):]][getattr(label, "language", None) or "zh"] = str(label)
    labels["type-untyped"] = {"zh": "未注明类型", "en": "type not given"}
    labels["status-unknown"] = {"zh": "状态未知", "en": "status unknown"}
    return dict(labels)


def label(name: str, lang: str = "zh") -> str:
    return concept_labels().get(name, {}).get(lang, name)


# -------------------------------------------------------------------------------------- facts

@dataclass
class Doc:
    """One standard document (edition, work or stub) as standard_facts.rq describes it."""

    iri: str
    number: str
    work: str
    dated: bool
    in_system: bool
    stub: bool
    level: str | None
    title: str | None = None
    status: str | None = None  # None: unknown
    issued: str | None = None
    implemented: str | None = None
    replaced: bool = False
    title_en: str | None = None
    committees: dict[str, str] = field(default_factory=dict)  # IRI → display label
    items: dict[str, str] = field(default_factory=dict)

    @property
    def may_be_current(self) -> bool:
        """Not known to be out of force: neither abolished nor replaced (unknown status counts)."""
        return self.status not in ("abolished", "planned") and not self.replaced

    def brief(self) -> dict[str, object]:
        return {"standard": self.iri, "number": self.number, "title_zh": self.title, "title_en": self.title_en,
                "level": self.level, "status": self.status or "unknown"}


def committee_label(code: object, name: object, iri: object) -> str:
    parts = [str(p) for p in (code, name) if p]
    return " ".join(parts) if parts else str(iri).rsplit("/", 1)[-1]


def load_facts(store: ox.Store) -> dict[str, Doc]:
    """Every standard document of the graph by IRI (standard_facts.rq)."""
    docs: dict[str, Doc] = {}
    for row in run(store, "standard_facts"):
        doc = docs.get(row["doc"])  # type: ignore[arg-type]
        if doc is None:
            doc = docs[str(row["doc"])] = Doc(
                str(row["doc"]), str(row["number"]), str(row["work"]), bool(row["dated"]), bool(row["in_system"]),
                bool(row["stub"]), key(row["level"], "level-"), row["title_zh"], key(row["status"], "status-"),  # type: ignore[arg-type]
                _text(row["issued"]), _text(row["implemented"]))
        doc.replaced = doc.replaced or bool(row["replaced"])
        doc.title_en = doc.title_en or _text(row["title_en"])
        if row["committee"]:
            doc.committees[str(row["committee"])] = committee_label(row["committee_code"], row["committee_zh"], row["committee"])
        if row["item"]:
            doc.items[str(row["item"])] = str(row["item_zh"])
    return docs


def work_titles(docs: dict[str, Doc], lang: str = "zh") -> dict[str, str]:
    """A title for every work: its own when it has one, else that of its latest edition with a title."""
    titles: dict[str, str] = {}

    def title(doc: Doc) -> str | None:
        return doc.title if lang == "zh" else doc.title_en

    for doc in sorted(docs.values(), key=lambda d: d.number):  # same work: later years sort later
        if title(doc) and doc.dated:
            titles[doc.work] = title(doc)  # type: ignore[assignment]
    for doc in docs.values():
        if title(doc) and not doc.dated:
            titles[doc.iri] = title(doc)  # type: ignore[assignment]
    return titles


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def status_class(status: str | None) -> str:
    """current, upcoming, planned (planned or under revision), abolished, or unknown."""
    if status is None:
        return "unknown"
    return "planned" if status in ("planned", "underRevision") else status


# ----------------------------------------------------------------------------------- coverage

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

    domains = _domains(store)
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
                            "item_rate": _rate(states["covered"], len(members)),
                            "cells": cells, "covered_cells": covered_cells, "cell_rate": _rate(covered_cells, cells),
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
        "domain_types": domain_types(store),
        "planned": planned(store),
    }


def _domains(store: ox.Store) -> dict[object, dict[str, object]]:
    """Every domain of the catalogue, in its order, with its standards (the report standards_by_domain.rq)."""
    return {row["domain"]: _domain(row["domain"], row["notation"], row["domain_zh"], row["standards"])
            for row in sorted(run(store, "standards_by_domain"), key=lambda r: _num(r["notation"]))}


def _domain(iri: object, notation: object, zh: object, standards: object) -> dict[str, object]:
    return {"domain": iri, "notation": notation, "zh": zh, "standards": standards, "categories": {}}


def _item_order(item: dict[str, object]) -> tuple[object, ...]:
    return (item["domain"] is None, _num(item["domain_notation"]), item["category"] is None,
            _num(item["category_notation"]), str(item["zh"]), str(item["item"]))


def _num(notation: object) -> tuple[int, str]:
    text = str(notation or "")
    return (int(text), text) if text.isdigit() else (1 << 30, text)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def domain_types(store: ox.Store) -> list[dict[str, object]]:
    """Standards per domain × type (standards_by_domain_and_type.rq), domains in catalogue order."""
    def entry(iri: object, notation: object, zh: object) -> dict[str, object]:
        return {"domain": iri, "notation": notation, "zh": zh,
                "types": {t: {"standards": 0, "national_industry": 0, "current": 0, "status_unknown": 0} for t in ALL_TYPES}}

    out = {iri: entry(iri, d["notation"], d["zh"]) for iri, d in _domains(store).items()}
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


# ------------------------------------------------------------------------------ local support

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
            "supported": supported, "supporting_rate": _rate(supported, len(called_for)),
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
                                          "status": status, "since": _text(row["since"]),
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


# ------------------------------------------------------------------------------------ the run

def analyze(store: ox.Store, as_of: dt.date | None = None, *, top: int = 10, similarity: float = 0.8,
            graph: str | None = None, progress: Callable[[str], None] | None = None) -> dict[str, object]:
    """The whole analysis of a graph as one JSON-ready document (docs/analysis-schema.md)."""
    from .analyze_deps import dependencies
    from .analyze_overlaps import overlaps

    step = progress or (lambda name: None)
    as_of = as_of or dt.date.today()
    step("标准 / standards")
    docs = load_facts(store)
    titles = work_titles(docs)
    step("覆盖 / coverage")
    cover = coverage(store)
    step("地方配套 / local support")
    local = local_support(store, docs, titles)
    step("重复 / overlaps")
    over = overlaps(store, docs, similarity)
    step("引用 / references")
    deps = dependencies(store, docs, titles, top)
    step("复审 / review")
    review = review_due(store, as_of, docs)
    return {
        "schema": SCHEMA, "graph": graph, "as_of": as_of.isoformat(),
        "parameters": {"top": top, "similarity": similarity, "review_years": REVIEW_YEARS},
        "coverage": cover, "local_support": local, "overlaps": over, "dependencies": deps, "review": review,
    }
