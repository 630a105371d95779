"""Seeded errors for the synthetic corpus (合成数据中的预置错误), with their manifest.

Each kind is an error a real table has and one rule of shapes/ (validate) or one finding of
`stdkg analyze` reports. The clean corpus gives no result for any of these rules (stdkg.synth
keeps it so: dates in order, replaced editions abolished, references only to older works), so
after seeding, validate and analyze must report exactly what the manifest lists: that is how
the benchmark and the tests check that nothing is lost at any size.

Every seeded error takes editions no other seeded error touches, so the kinds never mask or
add to one another.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .synth import Edition

SHAPES = "https://w3id.org/stdkg/shapes#"
ROWS_PER_ERROR = 5000

# kind → (what reports it, rule or finding, severity, zh, en)
KINDS: dict[str, tuple[str, str, str, str, str]] = {
    "issued_after_implemented": ("validate", "IssuedBeforeImplemented", "Violation",
                                 "实施日期早于发布日期", "implementation date before the issue date"),
    "year_not_issue_year": ("validate", "YearMatchesIssueDate", "Warning",
                            "标准号年号与发布年份不同", "year in the number differs from the issue year"),
    "replaced_still_current": ("validate", "ReplacedMustBeAbolished", "Violation",
                               "被现行版本代替却仍为现行", "replaced by a current edition yet still current"),
    "self_reference": ("validate", "NoSelfReference", "Violation",
                       "引用自身所属的标准", "cites its own work"),
    "counterpart_not_national": ("validate", "CounterpartIsNationalOrIndustry", "Violation",
                                 "地方标准的对应标准是团体标准", "a local standard's counterpart is a group standard"),
    "mutual_reference": ("validate", "NoReferenceCycle", "Warning",
                         "两个标准相互引用", "two works cite each other"),
}
# The same seeded errors as `stdkg analyze` reports them (dependencies section).
ANALYZE_FINDINGS = {"self_reference": "dependencies.self_references", "mutual_reference": "dependencies.cycles"}


def default_errors(editions: int) -> int:
    return max(1, editions // ROWS_PER_ERROR)


def seed_errors(editions: list[Edition], rng: random.Random, per_kind: int) -> dict[str, dict[str, object]]:
    """Change up to ``per_kind`` editions for every kind (fewer when the corpus has too few
    candidates) and return the manifest: kind → rule, expected results and standards."""
    from .synth import AS_OF

    used: set[int] = set()  # indexes of works already carrying a seeded error
    by_work: dict[int, list[Edition]] = {}
    for edition in editions:
        by_work.setdefault(edition.work.index, []).append(edition)

    def pick(candidates: list[Edition], count: int) -> list[Edition]:
        chosen: list[Edition] = []
        for edition in rng.sample(candidates, len(candidates)):
            if len(chosen) == count:
                break
            if edition.work.index not in used:
                used.add(edition.work.index)
                chosen.append(edition)
        return sorted(chosen, key=lambda e: e.number)

    manifest: dict[str, dict[str, object]] = {}

    def record(kind: str, seeded: int, focus: list[str], values: list[str], **extra: object) -> None:
        """``focus`` and ``values``: one entry per expected validation result, the n-th value
        belonging to the n-th focus (standard numbers, or dates for date errors)."""
        pairs = sorted(zip(focus, values, strict=True))
        check, rule, severity, zh, en = KINDS[kind]
        manifest[kind] = {"check": check, "rule": rule, "shape": SHAPES + rule, "severity": severity,
                          "description_zh": zh, "description_en": en, "seeded": seeded,
                          "results": len(focus), "focus": [f for f, _ in pairs], "values": [v for _, v in pairs], **extra}

    # Pairs of works that cite each other: their editions cite nothing else, so each pair is a
    # cycle of exactly two works (a strongly connected component of its own).
    latest = [eds[-1] for eds in by_work.values() if eds[-1].work.level in ("national", "industry")]
    chosen = pick(latest, 2 * per_kind)
    pairs = [(chosen[i], chosen[i + 1]) for i in range(0, len(chosen) - 1, 2)]
    for a, b in pairs:
        for edition in by_work[a.work.index] + by_work[b.work.index]:
            edition.references = []
        a.references, b.references = [b.work.number], [a.work.number]
    for edition in chosen[2 * len(pairs):]:
        used.discard(edition.work.index)  # an odd one out stays clean
    focus = [w.work.number for pair in pairs for w in pair]
    record("mutual_reference", len(pairs), focus, [w.work.number for a, b in pairs for w in (b, a)],
           analyze={"finding": ANALYZE_FINDINGS["mutual_reference"], "count": len(pairs),
                    "works": sorted(sorted([a.work.number, b.work.number]) for a, b in pairs)})

    for edition in (found := pick(editions, per_kind)):
        edition.implemented = edition.issued - dt.timedelta(days=rng.randint(1, 60))
    record("issued_after_implemented", len(found), [e.number for e in found], [e.implemented.isoformat() for e in found])

    for edition in (found := pick(editions, per_kind)):
        edition.issued = dt.date(edition.year - 1, 12, rng.randint(1, 28))
    record("year_not_issue_year", len(found), [e.number for e in found], [e.issued.isoformat() for e in found])

    # An older edition left 现行 though a later edition, in force, replaces it.
    successors = {e.replaces: e for e in editions if e.replaces}
    candidates = [e for e in editions if e.number in successors and successors[e.number].status == "现行"
                  and successors[e.number].implemented <= AS_OF and successors[e.number].work.index not in used]
    for edition in (found := pick(candidates, per_kind)):
        edition.status = "现行"
    record("replaced_still_current", len(found), [e.number for e in found],
           [successors[e.number].number for e in found])

    for edition in (found := pick(editions, per_kind)):
        edition.references.append(edition.work.number)  # an undated reference to its own work
    record("self_reference", len(found), [e.number for e in found], [e.work.number for e in found],
           analyze={"finding": ANALYZE_FINDINGS["self_reference"], "count": len(found),
                    "works": sorted(e.work.number for e in found)})

    groups = sorted({e.work.number for e in editions if e.work.level == "group"})
    found = pick([e for e in editions if e.work.level == "local"], per_kind if groups else 0)
    values = []
    for edition in found:
        edition.counterpart = rng.choice(groups)
        values.append(edition.counterpart)
    record("counterpart_not_national", len(found), [e.number for e in found], values)
    return manifest


def recovery(manifest: dict[str, object], results: list[dict[str, object]],
             analysis: dict[str, object] | None = None) -> dict[str, dict[str, object]]:
    """Did validate (``results``: `stdkg validate --format json` results) and analyze (the
    `stdkg analyze` document) report exactly the seeded errors? kind → expected, found, exact."""
    from collections import Counter

    from .numbers import parse_standard_number

    def iri(number: str) -> str:
        return f"{base}standard/{parse_standard_number(number).slug}"

    def value(text: str) -> str:
        return text if text[:4].isdigit() else iri(text)  # dates stay literals, numbers become IRIs

    base = str(manifest.get("base", "https://w3id.org/stdkg/"))
    report: dict[str, dict[str, object]] = {}
    for kind, entry in manifest["errors"].items():  # type: ignore[union-attr]
        expected = Counter(zip(map(iri, entry["focus"]), map(value, entry["values"])))
        found = Counter((r["focus"], r["value"]) for r in results if r["shape"] == entry["shape"])
        report[kind] = {"rule": entry["rule"], "expected": entry["results"], "found": sum(found.values()),
                        "exact": found == expected and sum(expected.values()) == entry["results"]}
        if analysis is not None and "analyze" in entry:
            section = analysis["dependencies"]  # type: ignore[index]
            if entry["analyze"]["finding"] == "dependencies.cycles":
                got = sorted(sorted(c["works"]) for c in section["cycles"])  # type: ignore[index]
            else:
                got = sorted(section["self_references"])  # type: ignore[index]
            report[kind].update(analyze_expected=entry["analyze"]["count"], analyze_found=len(got),
                                analyze_exact=got == entry["analyze"]["works"])
    return report
