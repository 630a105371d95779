"""Validation reports for people and machines: text grouped by rule, JSON, SHACL Turtle, JUnit XML."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from . import jsontext
from .fingerprint import seal
from .validate import SEVERITIES, Result, Validation

SEVERITY_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}


def _by_rule(validation: Validation) -> dict[tuple[str, str], list[Result]]:
    groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for result in validation.results:
        groups[(result.severity, result.shape)].append(result)
    return dict(sorted(groups.items(), key=lambda item: (SEVERITIES.index(item[0][0]), item[0][1])))


def rule_name(shape: str) -> str:
    return shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def as_text(validation: Validation, limit: int = 20) -> str:
    lines = []
    for (severity, shape), results in _by_rule(validation).items():
        first = results[0]
        lines.append(f"[{SEVERITY_ZH[severity]} / {severity}] {rule_name(shape)} — {first.message_zh} / {first.message_en} ({len(results)})")
        for result in results[:limit]:
            value = f"  → {validation.label(result.value)}" if result.value and result.value != result.focus else ""
            path = f"  [{rule_name(result.path)}]" if result.path else ""
            lines.append(f"    {validation.label(result.focus)}{path}{value}")
        if len(results) > limit:
            lines.append(f"    … 另有 {len(results) - limit} 条 / {len(results) - limit} more")
    counts = ", ".join(f"{SEVERITY_ZH[s]} {validation.count(s)} {s.lower()}s" for s in SEVERITIES)
    lines.append(f"规则 / rules: {validation.rules or 'pySHACL'}; 结果 / results: {counts}")
    return "\n".join(lines)


def as_json(validation: Validation, fingerprint: Mapping[str, object] | None = None) -> str:
    """The report as JSON (docs/validation-schema.md). With a ``fingerprint`` (stdkg.fingerprint:
    what the report was computed on), also what ``from_json`` needs to rebuild the Validation —
    the number of rules and the labels of values — then the fingerprint itself, last."""
    if fingerprint is None:
        return as_json_utf8(validation).decode("utf-8")
    doc = _json_doc(validation)
    doc["rules"] = validation.rules
    doc["value_labels"] = {v: validation.label(v) for v in sorted({r.value for r in validation.results if r.value})
                           if validation.label(v) != v}
    return seal(jsontext.dumps(doc, floats=False), fingerprint)


def as_json_utf8(validation: Validation) -> bytes:
    """``as_json(validation)`` as UTF-8 bytes, for stdout (a national report is ~200 MB)."""
    return jsontext.dumps_utf8(_json_doc(validation), floats=False)  # strings and counts only


def _json_doc(validation: Validation) -> dict[str, object]:
    rules = {shape: rule_name(shape) for shape in {r.shape for r in validation.results}}
    labels = validation.labels
    return {
        "engine": validation.engine,
        "counts": {s.lower(): validation.count(s) for s in SEVERITIES},
        "results": [{"severity": r.severity, "rule": rules[r.shape], "shape": r.shape, "focus": r.focus,
                     "focus_label": labels.get(r.focus, r.focus), "path": r.path, "value": r.value,
                     "component": r.component, "message_zh": r.message_zh, "message_en": r.message_en}
                    for r in validation.results],
    }


def from_json(doc: Mapping[str, object]) -> Validation:
    """The Validation that ``as_json(validation, fingerprint)`` wrote (its parsed JSON, fingerprint
    already checked by stdkg.fingerprint.read_sealed); ValueError when a part is missing."""
    try:
        rows = doc["results"]
        results = [Result(r["severity"], r["shape"], r["focus"], r["path"], r["value"], r["component"],
                          r["message_zh"], r["message_en"]) for r in rows]  # type: ignore[union-attr, index]
        labels = {r["focus"]: r["focus_label"] for r in rows if r["focus_label"] != r["focus"]}  # type: ignore[union-attr, index]
        labels.update(doc["value_labels"])  # type: ignore[arg-type]
        return Validation(results, str(doc["engine"]), int(doc["rules"]), labels)  # type: ignore[call-overload]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a reusable validation report: {exc!r}") from exc


def as_turtle(validation: Validation) -> str:
    """A standard sh:ValidationReport."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(validation.count("Violation") == 0)))
    for index, result in enumerate(validation.results):
        node = BNode(f"r{index}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.focusNode, URIRef(result.focus)))
        graph.add((node, SH.sourceShape, URIRef(result.shape)))
        graph.add((node, SH.sourceConstraintComponent, SH[result.component]))
        if result.path:
            graph.add((node, SH.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((node, SH.value, URIRef(result.value) if result.value.startswith(("http://", "https://")) else Literal(result.value)))
        for text, lang in ((result.message_zh, "zh"), (result.message_en, "en")):
            if text:
                graph.add((node, SH.resultMessage, Literal(text, lang=lang)))
    return graph.serialize(format="turtle")


def as_junit(validation: Validation) -> str:
    """JUnit XML: one test case per rule; violations fail it, warnings and infos are its output."""
    groups = _by_rule(validation)
    suite = ET.Element("testsuite", name="stdkg validate", tests=str(len(groups)),
                       failures=str(sum(1 for (s, _) in groups if s == "Violation")))
    for (severity, shape), results in groups.items():
        first = results[0]
        case = ET.SubElement(suite, "testcase", classname=f"stdkg.{severity.lower()}", name=f"{rule_name(shape)} ({len(results)})")
        detail = "\n".join(f"{validation.label(r.focus)}: {r.message_zh} / {r.message_en}" for r in results)
        if severity == "Violation":
            failure = ET.SubElement(case, "failure", message=f"{first.message_zh} / {first.message_en}", type=severity)
            failure.text = detail
        else:
            ET.SubElement(case, "system-out").text = detail
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


RENDERERS = {"text": as_text, "json": as_json, "turtle": as_turtle, "junit": as_junit}
SUFFIX_FORMATS = {".json": "json", ".ttl": "turtle", ".xml": "junit", ".txt": "text"}
