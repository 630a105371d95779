"""Work-plan records → triples: targets (工作方案目标), standardisation pilots (标准化试点) and
implementation feedback (标准实施反馈), following ontology/stdkg.ttl.

They load after the catalogue and the standards (stdkg.build orders them so), because a
target's scope names domains, a pilot names domains, a region and the standards it applies,
and feedback names an edition that must be among the loaded standards. A row whose names do
not resolve is rejected whole, like a standards row.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from . import paths
from .mapping import normalise_name
from .model import GraphBuilder, date_literal, iri_segment
from .numbers import StandardNumber
from .problems import Problem
from .records import Record
from .vocab import STDKG, STDV, concept, region_iri

A = RDF.type


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Every way a province is written → its six-digit code: zh name, en name, code, DBnn (regions.ttl)."""
    graph = Graph().parse(paths.ontology_dir() / "regions.ttl", format="turtle")
    names: dict[str, str] = {}
    for region in graph.subjects(SKOS.topConceptOf, URIRef(str(STDV._NS) + "regions")):
        code = str(graph.value(region, SKOS.notation))
        for term in (*graph.objects(region, SKOS.prefLabel), graph.value(region, DCTERMS.identifier), code):
            if term is not None:
                names[normalise_name(str(term))] = code
    return names


def resolve_region(text: str) -> str | None:
    """The GB/T 2260 code a cell names: a province by name (浙江省, or 浙江), code or DBnn, or a
    city by its six-digit code under a known province. None when it names none of these."""
    names = province_names()
    wanted = normalise_name(text)
    if wanted in names:
        return names[wanted]
    if re.fullmatch(r"\d{6}", wanted) and f"{wanted[:2]}0000" in names.values() and wanted[2:4] != "00":
        return wanted  # a prefecture-level city of a known province
    if len(wanted) >= 2:  # 浙江 for 浙江省, 内蒙古 for 内蒙古自治区: one province starts so, or none
        found = {code for name, code in names.items() if name.startswith(wanted) and re.search(r"[\u4e00-\u9fff]", name)}
        if len(found) == 1:
            return found.pop()
    return None


def _region(builder: GraphBuilder, record: Record, problems: list[Problem]) -> URIRef | None:
    text = record.get("region")
    if not text:
        return None
    code = resolve_region(text)
    if code is None:
        problems.append(builder.problem(record, "region", f"未知的地区 '{text}'（应为省级行政区名称、GB/T 2260 代码或 DB 代号）",
                                         f"unknown region '{text}' (give a province's name, its GB/T 2260 code or its DB code)"))
        return None
    region = region_iri(code)
    if not code.endswith("0000"):  # a city: declared here, as a local standard's city is in model.py
        builder.add(region, A, STDKG.Region)
        builder.add(region, A, SKOS.Concept)
        builder.add(region, SKOS.notation, Literal(code))
        builder.add(region, SKOS.broader, region_iri(code[:2] + "0000"))
        builder.add(region, SKOS.inScheme, STDV.regions)
    return region


def workplan_base(builder: GraphBuilder) -> str:
    """Targets, pilots and feedback are minted under the system (…/bps/target/…, …/bps/pilot/…,
    …/bps/feedback/…), as its work plan is: another system's pilot list does not collide."""
    return f"{builder.base}{builder.system.id}/"


def feedback_key(record: Record, region: URIRef | None) -> str:
    """Feedback has no number of its own unless the table gives one: it is named by what it says
    (edition, date, region, channel, category, text), so the IRI survives inserted rows and a
    renamed file between releases. Rows differing only in note or source are one piece."""
    date = record.get("date")
    parts = [record.get("edition").canonical, "" if date is None else str(date_literal(date)),
             "" if region is None else str(region), record.get("channel") or "", record.get("category") or "",
             record.get("text") or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def add_target_row(builder: GraphBuilder, record: Record) -> list[Problem]:
    problems: list[Problem] = []
    domains = builder.resolve(record, "domain", builder.domains, "领域", "domain", problems)
    if record.get("measure") and record.get("counted_from") is None:
        problems.append(builder.problem(record, "counted_from", "有计量方式的目标需要起计日期",
                                         "a target with a measure needs the day counting starts (counted_from)"))
    if problems:
        return problems
    system = workplan_base(builder)
    plan = URIRef(f"{system}plan/{iri_segment(record.get('plan'))}")
    builder.add(plan, A, STDKG.WorkPlan)
    builder.add(plan, DCTERMS.title, Literal(record.get("plan"), lang="zh"))
    target = URIRef(f"{system}target/{iri_segment(record.get('id'))}")
    builder.add(target, A, STDKG.Target)
    builder.add(target, DCTERMS.identifier, Literal(record.get("id")))
    builder.add(target, DCTERMS.isPartOf, plan)
    builder.add(target, DCTERMS.title, Literal(record.get("target_zh"), lang="zh"))
    if en := record.get("target_en"):
        builder.add(target, DCTERMS.title, Literal(en, lang="en"))
    if measure := record.get("measure"):
        builder.add(target, STDKG.measure, concept(measure))
    if (value := record.get("value")) is not None:
        builder.add(target, STDKG.targetValue, Literal(value, datatype=XSD.integer))
    builder.add(target, STDKG.deadline, date_literal(record.get("deadline")))
    if (since := record.get("counted_from")) is not None:
        builder.add(target, STDKG.countedFrom, date_literal(since))
    for level in record.get("level", []):
        builder.add(target, STDKG.scopeLevel, concept(level))
    for domain in domains:
        builder.add(target, STDKG.scopeDomain, domain)
    builder.provenance(target, record)
    return []


def add_pilot_row(builder: GraphBuilder, record: Record) -> list[Problem]:
    problems: list[Problem] = []
    region = _region(builder, record, problems)
    domains = builder.resolve(record, "domain", builder.domains, "领域", "domain", problems)
    if problems:
        return problems
    # Without an id a pilot is its name in its region: one name in two regions is two pilots.
    local = record.get("id") or f"{resolve_region(record.get('region'))}-{record.get('name')}"
    pilot = URIRef(f"{workplan_base(builder)}pilot/{iri_segment(local)}")
    builder.add(pilot, A, STDKG.Pilot)
    builder.add(pilot, DCTERMS.title, Literal(record.get("name"), lang="zh"))
    if pilot_id := record.get("id"):
        builder.add(pilot, DCTERMS.identifier, Literal(pilot_id))
    builder.add(pilot, STDKG.region, region)
    for domain in domains:
        builder.add(pilot, STDKG.domain, domain)
    for name, prop in (("kind", STDKG.pilotKind), ("level", STDKG.pilotLevel), ("status", STDKG.pilotStatus)):
        if value := record.get(name):
            builder.add(pilot, prop, concept(value))
    for name, prop in (("start", STDKG.periodStart), ("end", STDKG.periodEnd)):
        if (date := record.get(name)) is not None:
            builder.add(pilot, prop, date_literal(date))
    for number in record.get("standards", []):
        builder.add(pilot, STDKG.appliesStandard, builder.mention(number, None))  # not loaded: a stub
    builder.provenance(pilot, record)
    return []


def add_feedback_row(builder: GraphBuilder, record: Record) -> list[Problem]:
    problems: list[Problem] = []
    number: StandardNumber = record.get("edition")
    edition = builder.standard_iri(number)
    if not number.is_dated:
        problems.append(builder.problem(record, "edition", f"反馈应针对某一版本，请写出年代号（如 {number.canonical}-2020）",
                                         f"feedback is on an edition: give the year (e.g. {number.canonical}-2020)"))
    elif edition not in builder.described:
        problems.append(builder.problem(record, "edition", f"标准版本 {number.canonical} 不在已载入的标准中",
                                         f"edition {number.canonical} is not among the loaded standards"))
    region = _region(builder, record, problems)
    if problems:
        return problems
    local = iri_segment(record.get("id")) if record.get("id") else feedback_key(record, region)
    feedback = URIRef(f"{workplan_base(builder)}feedback/{local}")
    builder.add(feedback, A, STDKG.Feedback)
    builder.add(feedback, STDKG.aboutEdition, edition)
    builder.add(feedback, STDKG.feedbackCategory, concept(record.get("category")))
    if feedback_id := record.get("id"):
        builder.add(feedback, DCTERMS.identifier, Literal(feedback_id))
    if (date := record.get("date")) is not None:
        builder.add(feedback, DCTERMS.date, date_literal(date))
    builder.add(feedback, STDKG.region, region)
    if channel := record.get("channel"):
        builder.add(feedback, STDKG.feedbackChannel, Literal(channel))
    if text := record.get("text"):
        builder.add(feedback, DCTERMS.description, Literal(text))
    builder.provenance(feedback, record)
    return []


ROW_ADDERS = {"targets": add_target_row, "pilots": add_pilot_row, "feedback": add_feedback_row}
