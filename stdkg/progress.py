"""Progress toward a work plan's targets, counted from the graph (`stdkg progress`).

Targets are data (data/bps/workplan_targets.csv → stdkg:Target); queries/workplan/targets.rq
lists them and each target's measure names its counting query in queries/progress/ (the
measure concept's skos:notation). A target is reported in one of three states:

- ``counted``: the query counted it; ``ratio`` is counted ÷ target value, a fraction (0.005
  is 0.5 %; None when the target has no number);
- ``empty-period``: --as-of is before the target's counting day, so there is nothing to count;
- ``not-counted``: the graph holds nothing the measure counts (e.g. no pilot list was
  loaded), so a 0 would be a false statement;
- ``qualitative``: the target has no measure: no query can count it.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from . import paths, sparql
from .queries import read_query
from .store import python_value

SCHEMA = "stdkg-progress/2"  # /2: `percent` (a fraction) renamed `ratio`; state empty-period
# Why a measure cannot be counted when the graph holds nothing of its kind.
NOT_COUNTED = {
    "pilots": ("未计数：图谱中没有标准化试点（尚无有来源的试点名单；可用 stdkg build --input 载入）",
               "not counted: no pilot in the graph (no sourced pilot list yet; load one with stdkg build --input)"),
}
NOT_COUNTED_DEFAULT = ("未计数：图谱中没有该计量方式所计的数据", "not counted: the graph holds nothing this measure counts")


def _rows(store: ox.Store, path: str, params: dict[str, ox.NamedNode | ox.Literal] | None = None) -> list[dict[str, object]]:
    query = read_query(paths.queries_dir() / path)
    text = sparql.with_values(query.text, params or {}, "SELECT")
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [dict(zip(names, map(python_value, solution))) for solution in solutions]


def measure_query(measure: str) -> str:
    """The counting query of a measure, relative to queries/ (queries/progress/<notation>.rq)."""
    return f"progress/{measure}.rq"


def progress(store: ox.Store, as_of: dt.date) -> dict[str, object]:
    """Every target of the graph with its count as of ``as_of`` (a JSON-ready document)."""
    day = ox.Literal(as_of.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    targets = []
    for row in _rows(store, "workplan/targets.rq"):
        value = None if row["value"] is None else int(row["value"])  # type: ignore[call-overload]
        entry: dict[str, object] = {
            "target": row["target"], "id": row["id"], "plan_zh": row["plan_zh"], "target_zh": row["target_zh"],
            "target_en": row["target_en"], "deadline": str(row["deadline"]), "value": value,
            "counted_from": None if row["counted_from"] is None else str(row["counted_from"]),
            "scope_levels": _split(row["levels"]), "scope_domains": _split(row["domains"]),
            "measure": row["measure"], "measure_zh": row["measure_zh"], "measure_en": row["measure_en"],
            "query": None, "question": None, "counted": None, "uncertain": None, "recorded": None,
            "ratio": None, "state": "qualitative", "reason_zh": "定性目标：没有计量方式，不计数",
            "reason_en": "qualitative target: no measure counts it", "note": row["note"]}
        measure = row["measure"]
        since = entry["counted_from"]
        if measure is not None and since is not None and as_of.isoformat()[:len(str(since))] < str(since):
            entry.update(state="empty-period", reason_zh=f"期间为空：截至日期 {as_of.isoformat()} 早于起计日期 {since}，无可计数",
                         reason_en=f"empty period: as of {as_of.isoformat()} is before counting starts ({since}), nothing to count")
        elif measure is not None:
            path = measure_query(str(measure))
            if not (paths.queries_dir() / path).is_file():
                entry.update(state="not-counted", reason_zh=f"未计数：没有计数查询 queries/{path}",
                             reason_en=f"not counted: no counting query queries/{path}")
            else:
                entry["query"] = f"queries/{path}"
                entry["question"] = read_query(paths.queries_dir() / path).header.get("Question")
                found = _rows(store, path, {"target": ox.NamedNode(str(row["target"])), "as_of": day})
                counts = found[0] if found else {"counted": 0, "uncertain": 0, "recorded": 0}
                entry.update({k: int(counts[k] or 0) for k in ("counted", "uncertain", "recorded")})  # type: ignore[call-overload]
                if entry["recorded"] == 0:
                    zh, en = NOT_COUNTED.get(str(measure), NOT_COUNTED_DEFAULT)
                    entry.update(state="not-counted", counted=None, uncertain=None, reason_zh=zh, reason_en=en)
                else:
                    entry.update(state="counted", reason_zh=None, reason_en=None,
                                 ratio=round(int(entry["counted"]) / value, 4) if value else None)  # type: ignore[call-overload]
        targets.append(entry)
    return {"schema": SCHEMA, "as_of": as_of.isoformat(), "targets": targets}


def _split(text: object) -> list[str]:
    return [part for part in str(text or "").split("; ") if part]
