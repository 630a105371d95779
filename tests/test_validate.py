"""`stdkg validate`: every rule caught on a seeded graph, both engines agreeing, the gate's exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from stdkg.validate import compile_shapes, load_shapes, validate_file

from conftest import FIXTURES, run_stdkg

SEEDED = FIXTURES / "shapes" / "seeded.ttl"
CONFORMING = FIXTURES / "shapes" / "conforming.ttl"
BASE = "https://w3id.org/stdkg/"


def intended() -> set[tuple[str, str]]:
    """(rule, focus IRI) pairs the fixture's comments say it seeds."""
    pairs = set()
    prefixes = {"ex": BASE + "standard/", "o": BASE + "org/", "c": BASE + "test/"}
    for line in SEEDED.read_text(encoding="utf-8").splitlines():
        match = re.match(r"(\w+):(\S+) .*# ([A-Za-z/ ()+]+)$", line)
        if not match:
            continue
        focus = prefixes[match.group(1)] + match.group(2)
        for rule in re.findall(r"[A-Z][A-Za-z]+", match.group(3).split("(")[0]):
            if rule in {"Level", "Nature"}:  # "Level/Nature/StatusFromScheme"
                rule += "FromScheme"
            pairs.add((rule, focus))
    return pairs


@pytest.fixture(scope="module")
def seeded_fast():  # type: ignore[no-untyped-def]
    return validate_file(SEEDED)


def test_every_rule_fires_on_the_seeded_graph(seeded_fast) -> None:  # type: ignore[no-untyped-def]
    rules = {rule.shape.rsplit("#", 1)[-1] for rule in compile_shapes(load_shapes())}
    fired = {result.shape.rsplit("#", 1)[-1] for result in seeded_fast.results}
    assert rules == fired
    found = {(r.shape.rsplit("#", 1)[-1], r.focus) for r in seeded_fast.results}
    expected = intended()
    assert len(expected) >= 40
    assert expected <= found, expected - found


def test_fast_engine_and_pyshacl_agree_on_the_seeded_graph(seeded_fast) -> None:  # type: ignore[no-untyped-def]
    reference = validate_file(SEEDED, engine="pyshacl")
    assert {r.key for r in seeded_fast.results} == {r.key for r in reference.results}


def test_fast_engine_and_pyshacl_agree_on_the_bundled_data(bundled_build: Path) -> None:
    fast, reference = validate_file(bundled_build), validate_file(bundled_build, engine="pyshacl")
    assert {r.key for r in fast.results} == {r.key for r in reference.results}
    assert fast.count("Violation") == 0  # the real data passes the gate
    assert fast.count("Warning") > 0 and fast.count("Info") > 0  # incompleteness is reported, not hidden


def test_conforming_graph_has_no_result_at_all() -> None:
    assert validate_file(CONFORMING).results == []
    assert validate_file(CONFORMING, engine="pyshacl").results == []


def test_severities_come_from_the_shapes(seeded_fast) -> None:  # type: ignore[no-untyped-def]
    severity = {r.shape.rsplit("#", 1)[-1]: r.severity for r in seeded_fast.results}
    assert severity["NatureMatchesNumber"] == "Violation"  # contradiction
    assert severity["YearMatchesIssueDate"] == "Warning"
    assert severity["AbolishedHasAbolitionDate"] == "Warning"  # incompleteness
    assert severity["StatusKnown"] == "Info"
    assert severity["ExternalReference"] == "Info"


def test_cli_gate_exit_codes(bundled_build: Path, tmp_path: Path) -> None:
    assert run_stdkg("validate", str(bundled_build)).returncode == 0
    assert run_stdkg("validate", str(bundled_build), "--fail-on", "warning").returncode == 1
    seeded = run_stdkg("validate", str(SEEDED))
    assert seeded.returncode == 1
    assert "[违规 / Violation] NatureMatchesNumber" in seeded.stdout and "GB/T 900011-2020" in seeded.stdout
    missing = run_stdkg("validate", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "stdkg build" in missing.stderr and "Traceback" not in missing.stderr


def test_report_formats(tmp_path: Path) -> None:
    as_json = run_stdkg("validate", str(SEEDED), "--format", "json", "--report", str(tmp_path / "r.xml"))
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert data["counts"]["violation"] > 30
    assert {"rule", "focus_label", "message_zh", "message_en", "severity"} <= set(data["results"][0])
    junit = ElementTree.parse(tmp_path / "r.xml").getroot()  # written although the gate failed
    assert junit.tag == "testsuite" and int(junit.get("failures")) > 20
    turtle = run_stdkg("validate", str(SEEDED), "--format", "turtle")
    report = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(set(report.subjects(RDF.type, SH.ValidationResult))) == len(data["results"])
    assert (None, SH.conforms, None) in report


def test_user_check_query_and_user_shapes(bundled_build: Path, tmp_path: Path) -> None:
    check = tmp_path / "no-english-title.rq"
    check.write_text("""# Editions without an English title / 无英文名称的版本
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX stdkg: <https://w3id.org/stdkg/ontology#>
SELECT ?focus WHERE { ?focus a stdkg:StandardEdition ; stdkg:inSystem ?s .
  FILTER NOT EXISTS { ?focus dcterms:title ?t FILTER(lang(?t) = "en") } }
""", encoding="utf-8")
    done = run_stdkg("validate", str(bundled_build), "--check", str(check), "--format", "json")
    assert done.returncode == 1
    flagged = {r["focus_label"] for r in json.loads(done.stdout)["results"] if r["component"] == "SPARQLCheck"}
    assert "GB/T 43153-2023" in flagged and "GB/T 28220-2023" not in flagged
    shapes = tmp_path / "mine.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix stdkg: <https://w3id.org/stdkg/ontology#> .
<urn:x:NeedsCcs> a sh:NodeShape ; sh:targetClass stdkg:StandardEdition ;
  sh:property [ sh:path stdkg:ccsCode ; sh:minCount 1 ; sh:severity sh:Warning ;
                sh:message "缺少 CCS 分类号"@zh , "no CCS code"@en ] .
""", encoding="utf-8")
    done = run_stdkg("validate", str(bundled_build), "--shapes", str(shapes), "--format", "json")
    assert done.returncode == 0  # warnings only
    assert any(r["message_en"] == "no CCS code" for r in json.loads(done.stdout)["results"])


def test_validate_tables_directly(tmp_path: Path) -> None:
    done = run_stdkg("validate", "--input", str(FIXTURES / "platform_export.csv"), "--format", "json")
    assert done.returncode == 0
    labels = {r["focus_label"] for r in json.loads(done.stdout)["results"]}
    assert "GB/T 28220-2011" in labels  # abolished without an abolition date: a warning


def test_datatype_checks_agree_with_pyshacl_where_oxigraph_folds_integer_types(tmp_path: Path) -> None:
    """Oxigraph stores "5"^^xsd:nonNegativeInteger as xsd:integer: the fast engine must still find
    out-of-range and ill-formed values as pySHACL does, and accept the good ones."""
    shapes = tmp_path / "types.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:x:Typed> a sh:NodeShape ; sh:targetClass <urn:x:Thing> ;
  sh:property [ sh:path <urn:x:size> ; sh:datatype xsd:nonNegativeInteger ] ,
              [ sh:path <urn:x:byte> ; sh:datatype xsd:unsignedByte ] ,
              [ sh:path <urn:x:day> ; sh:datatype xsd:date ] ,
              [ sh:path <urn:x:count> ; sh:datatype xsd:integer ] .
""", encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:x:good> a <urn:x:Thing> ; <urn:x:size> "5"^^xsd:nonNegativeInteger ; <urn:x:byte> "255"^^xsd:unsignedByte ;
  <urn:x:day> "2017-02-28"^^xsd:date ; <urn:x:count> 7 .
<urn:x:negative> a <urn:x:Thing> ; <urn:x:size> "-1"^^xsd:nonNegativeInteger .
<urn:x:not-a-number> a <urn:x:Thing> ; <urn:x:size> "many"^^xsd:nonNegativeInteger .
<urn:x:too-big> a <urn:x:Thing> ; <urn:x:byte> "256"^^xsd:unsignedByte .
<urn:x:no-such-day> a <urn:x:Thing> ; <urn:x:day> "2017-02-30"^^xsd:date .
<urn:x:ill-formed> a <urn:x:Thing> ; <urn:x:count> "seven"^^xsd:integer .
<urn:x:a-string> a <urn:x:Thing> ; <urn:x:count> "7" .
""", encoding="utf-8")
    fast = validate_file(data, extra_shapes=[shapes])
    reference = validate_file(data, engine="pyshacl", extra_shapes=[shapes])
    flagged = {r.focus for r in fast.results if r.component.endswith("DatatypeConstraintComponent")}
    assert flagged == {f"urn:x:{name}" for name in ("negative", "not-a-number", "too-big", "no-such-day", "ill-formed",
                                                    "a-string")}
    assert {r.key for r in fast.results} == {r.key for r in reference.results}
