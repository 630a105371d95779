"""`stdkg analyze`: gaps, local support, overlaps, dependency health and review due, from the graph.

This module holds what the analyses share (running a query of queries/analysis/, the facts
about every standard, labels) and ``analyze``, which runs them all: analyze_coverage,
analyze_local, analyze_overlaps, analyze_deps. Every figure comes from a query and a documented
function there, so a SPARQL client and the report count alike.
Unknown stays apart from none: a standard without a status is "status unknown", never current,
and an item no standard is linked to is "no standard found", never "no standard exists".
``analyze`` returns one JSON-ready document; docs/analysis-schema.md describes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
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


# ------------------------------------------------------------------------------------ queries

def _query_text(name: str, params: dict[str, str]) -> str:
    path = paths.queries_dir() / "analysis" / f"{name}.rq"
    query = read_query(path) if path.is_file() else find_query(name)
    bindings = sparql.bind(sparql.declared_parameters(query), params)
    return sparql.with_values(query.text, bindings, "SELECT") if bindings else query.text


def _rows(store: ox.Store, text: str) -> list[dict[str, object]]:
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [dict(zip(names, map(python_value, solution))) for solution in solutions]


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, object]]:
    """Rows of a query of queries/analysis/ (or, failing that, the library) as plain Python values."""
    return _rows(store, _query_text(name, params))


_ORDER_BY = re.compile(r"\nORDER BY [^\n{}]*\s*$")


def run_sorted(store: ox.Store, name: str, order: Callable[[dict[str, object]], object], **params: str) -> list[dict[str, object]]:
    """``run``, with the query's final ORDER BY done in Python by ``order``, which must sort the
    rows as that clause does. Oxigraph's sort took a third of the time of the largest queries
    (reference_edges.rq); the .rq keeps its ORDER BY for everyone who runs it on its own."""
    text = _query_text(name, params)
    found = _ORDER_BY.search(text)
    if found is None:
        return _rows(store, text)
    return sorted(_rows(store, text[:found.start()] + "\n"), key=order)


def unbound_first(value: object) -> tuple[bool, object]:
    """A sort key part that puts an unbound value (None) first, as SPARQL's ORDER BY does."""
    return (value is not None, "" if value is None else value)


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
    # ORDER BY ?number ?doc ?committee ?item (committee and item may be unbound)
    rows = run_sorted(store, "standard_facts", lambda r: (r["number"], r["doc"], unbound_first(r["committee"]),
                                                          unbound_first(r["item"])))
    for row in rows:
        doc = docs.get(row["doc"])  # type: ignore[arg-type]
        if doc is None:
            doc = docs[str(row["doc"])] = Doc(
                str(row["doc"]), str(row["number"]), str(row["work"]), bool(row["dated"]), bool(row["in_system"]),
                bool(row["stub"]), key(row["level"], "level-"), row["title_zh"], key(row["status"], "status-"),  # type: ignore[arg-type]
                text(row["issued"]), text(row["implemented"]))
        doc.replaced = doc.replaced or bool(row["replaced"])
        doc.title_en = doc.title_en or text(row["title_en"])
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


def text(value: object) -> str | None:
    return None if value is None else str(value)


def rate(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when whole is 0 (a rate of nothing is not 0)."""
    return round(part / whole, 4) if whole else None


# ------------------------------------------------------------------------------------ the run

def analyze(store: ox.Store, as_of: dt.date | None = None, *, top: int = 10, similarity: float = 0.8,
            graph: str | None = None, progress: Callable[[str], None] | None = None,
            coverage_from: Callable[[], dict[str, object]] | None = None) -> dict[str, object]:
    """The whole analysis of a graph as one JSON-ready document (docs/analysis-schema.md).

    ``coverage_from`` gives the coverage section when another process computes it
    (analyze_coverage.coverage on this graph; the pipeline's second core): it is called last."""
    from .analyze_coverage import coverage
    from .analyze_deps import dependencies
    from .analyze_equalisation import equalisation
    from .analyze_feedback import feedback
    from .analyze_local import local_support, review_due
    from .analyze_overlaps import overlaps

    step = progress or (lambda name: None)
    as_of = as_of or dt.date.today()
    step("标准 / standards")
    docs = load_facts(store)
    titles = work_titles(docs)
    if coverage_from is None:
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
    step("反馈与均等化 / feedback and equalisation")
    fed = feedback(store, review)
    if coverage_from is not None:
        cover = coverage_from()
    equal = equalisation(store, docs, local, int(cover["items"]))  # type: ignore[call-overload]
    return {
        "schema": SCHEMA, "graph": graph, "as_of": as_of.isoformat(),
        "parameters": {"top": top, "similarity": similarity, "review_years": REVIEW_YEARS},
        "coverage": cover, "local_support": local, "overlaps": over, "dependencies": deps, "review": review,
        "feedback": fed, "equalisation": equal,
    }
