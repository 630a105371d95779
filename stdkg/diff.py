"""`stdkg diff`: what changed between two releases, in terms of standards, not triples.

Both graphs answer queries/diff/edition_facts.rq (one row per fact of every standard the
system's tables describe); the facts are compared per standard here. Standards are matched by
IRI and values by IRI or text, so the order of a file and the labels of blank nodes never
matter: a blank node is keyed by its content (its number, committee code or label, see the
query). ``diff`` returns one JSON-ready document (schema: docs/diff-schema.md).

A replacement is reported once, old → new: the new edition is not also "added", and the old
one not also "abolished" or "removed".
"""

from __future__ import annotations

import re

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import paths
from .store import select

SCHEMA = "stdkg-diff/1"
# (key, zh, en) in the order every report lists them.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("added", "新增", "added"),
    ("removed", "移出体系", "removed from the system"),
    ("abolished", "废止", "abolished"),
    ("replaced", "代替", "replaced"),
    ("reclassified", "重新归类", "re-classified"),
    ("committee_changed", "归口变更", "committee changed"),
    ("title_changed", "名称变更", "title changed"),
    ("status_changed", "状态变更", "status changed"),
    ("references_added", "新增引用", "references added"),
    ("references_removed", "删除引用", "references removed"),
    ("counterparts_added", "新增地方配套", "local counterparts added"),
    ("counterparts_removed", "删除地方配套", "local counterparts removed"),
)
FACETS: dict[str, tuple[str, str]] = {  # the classification of a standard
    "domain": ("领域", "domain"), "category": ("服务类别", "service category"),
    "item": ("服务项目", "service item"), "type": ("标准类型", "standard type"),
}
REFERENCE_FACTS = {"normative_reference": "normative", "informative_reference": "informative"}
STATUS = "https://w3id.org/stdkg/vocab/status-"
NO_DOMAIN = "（未归领域）/ (no domain)"


@dataclass(frozen=True)
class Term:
    """One value of a fact: its key (IRI or text) and what a reader is shown."""

    value: str
    notation: str | None = None  # a standard's number, a committee's code
    zh: str | None = None
    en: str | None = None

    @property
    def label(self) -> str:
        shown = " ".join(p for p in (self.notation, self.zh) if p)
        return shown or self.en or self.value


@dataclass
class Entry:
    """A standard of one release with every compared fact: fact → {value key → Term}."""

    doc: str
    number: str
    facts: dict[str, dict[str, Term]] = field(default_factory=lambda: defaultdict(dict))

    def values(self, fact: str) -> set[str]:
        return set(self.facts.get(fact, {}))

    def title(self, lang: str) -> str | None:
        titles = sorted(self.facts.get(f"title_{lang}", {}))
        return " | ".join(titles) if titles else None

    @property
    def status(self) -> str:
        statuses = sorted(v[len(STATUS):] if v.startswith(STATUS) else v for v in self.values("status"))
        return ",".join(statuses) if statuses else "unknown"

    def labels(self, fact: str) -> list[str]:
        return sorted(term.label for term in self.facts.get(fact, {}).values())

    def brief(self) -> dict[str, object]:
        return {"standard": self.doc, "number": self.number, "title_zh": self.title("zh"),
                "title_en": self.title("en"), "status": self.status, "domains": self.labels("domain")}


def edition_facts(store: ox.Store) -> dict[str, Entry]:
    """Every standard of the system in a graph, by IRI, with its facts (edition_facts.rq)."""
    query = (paths.queries_dir() / "diff" / "edition_facts.rq").read_text(encoding="utf-8")
    entries: dict[str, Entry] = {}
    for row in select(store, query):
        doc = str(row["doc"])
        entry = entries.setdefault(doc, Entry(doc, str(row["number"])))
        if row["fact"] == "number" or row["value"] is None:
            continue
        term = Term(str(row["value"]), _text(row["notation"]), _text(row["label_zh"]), _text(row["label_en"]))
        known = entry.facts[str(row["fact"])].get(term.value)
        # A value with two labels (two zh prefLabels) yields two rows: keep the smaller, so output is stable.
        if known is None or (term.label, term.en or "") < (known.label, known.en or ""):
            entry.facts[str(row["fact"])][term.value] = term
    return entries


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def replacements(entries: dict[str, Entry]) -> dict[tuple[str, str], Term]:
    """(old IRI, new IRI) for every replacement the graph states, either way round, with a term
    naming the newer edition (all that is known of it when it is not in the system)."""
    pairs: dict[tuple[str, str], Term] = {}
    for entry in entries.values():
        for value in entry.values("replaces"):
            pairs.setdefault((value, entry.doc), Term(entry.doc, entry.number))
        for value, term in entry.facts.get("replaced_by", {}).items():
            pairs.setdefault((entry.doc, value), term)
    return pairs


def diff(old: ox.Store, new: ox.Store, old_name: str = "old", new_name: str = "new") -> dict[str, object]:
    """The changes from release ``old`` to release ``new``, standard by standard (docs/diff-schema.md)."""
    before, after = edition_facts(old), edition_facts(new)
    changes: dict[str, list[dict[str, object]]] = {kind: [] for kind, _, _ in KINDS}
    settled: set[str] = set()  # standards whose appearance or disappearance a replacement explains
    old_pairs = replacements(before)
    for (old_doc, new_doc), term in sorted(replacements(after).items()):
        if (old_doc, new_doc) in old_pairs or old_doc not in before:
            continue
        newer = after.get(new_doc)
        changes["replaced"].append({"old": before[old_doc].brief(),
                                    "new": newer.brief() if newer else _stub_brief(term)})
        settled.update({old_doc, new_doc})
    for doc in sorted(after.keys() - before.keys() - settled, key=lambda d: (after[d].number, d)):
        changes["added"].append(after[doc].brief())
    for doc in sorted(before.keys() - after.keys() - settled, key=lambda d: (before[d].number, d)):
        changes["removed"].append(before[doc].brief())
    for doc in sorted(before.keys() & after.keys(), key=lambda d: (after[d].number, d)):
        _compare(before[doc], after[doc], doc in settled, changes)
    for kind, rows in changes.items():
        rows.sort(key=_order)
    return {
        "schema": SCHEMA,
        "old": {"graph": old_name, "standards": len(before)},
        "new": {"graph": new_name, "standards": len(after)},
        "summary": {kind: len(rows) for kind, rows in changes.items()},
        "changes": changes,
        "by_domain": by_domain(changes, domain_order(before, after)),
    }


def _stub_brief(term: Term) -> dict[str, object]:
    return {"standard": term.value, "number": term.notation or term.value, "title_zh": term.zh,
            "title_en": term.en, "status": "unknown", "domains": []}


def _order(row: dict[str, object]) -> tuple[str, ...]:
    first = row.get("old", row)
    assert isinstance(first, dict)
    other = row.get("reference") or row.get("counterpart") or row.get("new") or {}
    assert isinstance(other, dict)
    return (str(first["number"]), str(first["standard"]), str(other.get("number", "")), str(row.get("kind", "")))


def _compare(old: Entry, new: Entry, replaced: bool, changes: dict[str, list[dict[str, object]]]) -> None:
    """The changes of one standard present in both releases."""
    brief = new.brief()
    if old.status != new.status and not replaced:
        kind = "abolished" if "abolished" in new.status.split(",") and "abolished" not in old.status.split(",") \
            else "status_changed"
        changes[kind].append({**brief, "before": old.status, "after": new.status} if kind == "status_changed" else brief)
    facets = [{"facet": facet, "before": old.labels(facet), "after": new.labels(facet)}
              for facet in FACETS if old.values(facet) != new.values(facet)]
    if facets:
        changes["reclassified"].append({**brief, "facets": facets})
    if old.values("committee") != new.values("committee"):
        changes["committee_changed"].append({**brief, "before": old.labels("committee"), "after": new.labels("committee")})
    if any(old.values(f"title_{lang}") != new.values(f"title_{lang}") for lang in ("zh", "en")):
        changes["title_changed"].append({**brief, "before": {"zh": old.title("zh"), "en": old.title("en")},
                                         "after": {"zh": new.title("zh"), "en": new.title("en")}})
    for fact, kind in REFERENCE_FACTS.items():
        for side, entry, other, verb in (("references_added", new, old, "added"), ("references_removed", old, new, "removed")):
            for value in sorted(entry.values(fact) - other.values(fact)):
                term = entry.facts[fact][value]
                changes[side].append({**brief, "reference": {"standard": value, "number": term.label}, "kind": kind})
    for side, entry, other in (("counterparts_added", new, old), ("counterparts_removed", old, new)):
        for value in sorted(entry.values("local_counterpart") - other.values("local_counterpart")):
            term = entry.facts["local_counterpart"][value]
            changes[side].append({**brief, "counterpart": {"standard": value, "number": term.label}})


def domain_order(*releases: dict[str, Entry]) -> dict[str, str]:
    """Domain label → its IRI, so domains are listed in the system's order (…/domain/1, …/domain/2 …)."""
    order: dict[str, str] = {}
    for entries in releases:
        for entry in entries.values():
            for value, term in entry.facts.get("domain", {}).items():
                order[term.label] = min(order.get(term.label, value), value, key=natural_key)
    return order


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Digits compare as numbers: …/domain/2 before …/domain/10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def by_domain(changes: dict[str, list[dict[str, object]]], order: dict[str, str]) -> list[dict[str, object]]:
    """Changes counted per domain: the newer side's domains (a standard in two counts in both); a
    re-classified standard also counts in the domains it left."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, rows in changes.items():
        for row in rows:
            if kind == "replaced":  # the new edition's domains, or the old one's when it has none
                domains = row["new"]["domains"] or row["old"]["domains"]  # type: ignore[index]
            elif kind == "reclassified":  # both the domains it left and those it is in now
                left = [f["before"] for f in row["facets"] if f["facet"] == "domain"]  # type: ignore[union-attr,index]
                domains = sorted(set(row["domains"]) | set(left[0] if left else []))  # type: ignore[arg-type]
            else:
                domains = row["domains"]
            for domain in domains or [NO_DOMAIN]:  # type: ignore[union-attr]
                counts[domain][kind] += 1
    return [{"domain": domain, "counts": {k: counts[domain][k] for k, _, _ in KINDS if counts[domain][k]},
             "total": sum(counts[domain].values())}
            for domain in sorted(counts, key=lambda d: (d == NO_DOMAIN, natural_key(order.get(d, "")), d))]
