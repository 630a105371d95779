"""The reports `stdkg publish` can take from the build folder instead of computing them again:
BUILD/validation.json and BUILD/analysis/analysis.json, as `stdkg pipeline`, `stdkg validate
--report` and `stdkg analyze --out` write them, when their fingerprint (stdkg.fingerprint) says
they were computed on exactly this stdkg.nt with the rules, review day and parameters publish
would use. Anything else — an older file without a fingerprint, another graph, other shapes, an
edited report — is computed again, and the notes say which and why (zh / en).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .fingerprint import analysis_fingerprint, default_parameters, file_sha256, read_sealed, validation_fingerprint
from .validate import Validation
from .validation_report import from_json

VALIDATION = "validation.json"
ANALYSIS = "analysis/analysis.json"
SITE_GRAPH = "stdkg.nt"  # the name the site's analysis gives its graph, as when publish analyses it


@dataclass
class Earlier:
    """What the build folder offers: a report to reuse, or None (compute it); a note for each."""

    validation: Validation | None = None
    analysis: dict[str, object] | None = None
    notes: list[str] = field(default_factory=list)


def earlier_reports(nt: Path, as_of: dt.date, validation: bool = True, analysis: bool = True) -> Earlier:
    """The reports beside ``nt`` (a build folder's stdkg.nt) that were computed on it exactly as
    `stdkg publish` would compute them (those asked for)."""
    folder = nt.parent
    found = Earlier()
    if not (validation or analysis):
        return found
    graph_sha256 = file_sha256(nt)
    if validation:
        doc, why = read_sealed(folder / VALIDATION, validation_fingerprint(graph_sha256))
        if doc is not None:
            try:
                found.validation = from_json(doc)
            except ValueError:
                doc, why = None, "无法读取 / unreadable"
        found.notes.append(_note("验证", "validation", folder / VALIDATION, doc is not None, why))
    if analysis:
        doc, why = read_sealed(folder / ANALYSIS, analysis_fingerprint(graph_sha256, as_of, default_parameters()))
        if doc is not None:
            doc["graph"] = SITE_GRAPH  # the only field that names where it was computed from
            found.analysis = doc
        found.notes.append(_note("分析", "analysis", folder / ANALYSIS, doc is not None, why))
    return found


def _note(zh: str, en: str, path: Path, reused: bool, why: str) -> str:
    if reused:
        return f"{zh}：沿用 {path}（同一图谱、同一规则）/ {en}: reused {path} (same graph, same rules)"
    return f"{zh}：重新计算 / {en}: recomputed — {path}: {why}"
