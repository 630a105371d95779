"""`stdkg publish` reuses the build folder's validation.json and analysis/analysis.json only when
their fingerprint says they were computed on exactly this graph with the same rules, and the
report is as written; anything else is computed again. Reuse gives the very bytes recomputing does."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import REPO, run_stdkg
from stdkg.fingerprint import read_sealed, seal, validation_fingerprint
from stdkg.serialize import sorted_rows, write_ntriples
from stdkg.validate import validate_file
from stdkg.validation_report import as_json, from_json

AS_OF = "2025-10-01"
STDKG = "https://w3id.org/stdkg/ontology#"


@pytest.fixture(scope="module")
def piped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reuse") / "build"
    done = run_stdkg("pipeline", "--input", str(REPO / "data" / "bps"), "--out", str(out), "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def recomputed(piped: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as publish computes it itself (--no-reuse), to compare reuse with."""
    site = tmp_path_factory.mktemp("recomputed") / "site"
    done = _publish(piped, site, "--no-reuse", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reused"] == []
    return site


def _publish(build: Path, site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_stdkg("publish", str(build), "--out", str(site), "--as-of", AS_OF, "--version", "1", *extra)


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _copy(piped: Path, tmp_path: Path) -> Path:
    build = tmp_path / "build"
    shutil.copytree(piped, build)
    return build


def test_reuse_gives_the_site_recomputing_gives(piped: Path, recomputed: Path, tmp_path: Path) -> None:
    done = _publish(piped, tmp_path / "site", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reused"] == ["validation", "analysis"]
    assert "validation: reused" in done.stderr and "analysis: reused" in done.stderr
    assert "验证：沿用" in done.stderr
    reused, fresh = _files(tmp_path / "site"), _files(recomputed)
    assert sorted(reused) == sorted(fresh) and ".stdkg-site.json" in reused
    assert [name for name in fresh if reused[name] != fresh[name]] == []


def _self_reference(build: Path) -> None:
    """Rewrite stdkg.nt (still sorted) with an edition that references itself: a violation."""
    graph = Graph().parse(build / "stdkg.nt", format="nt")
    edition = URIRef("https://w3id.org/stdkg/standard/GB-T-28220-2023")
    assert (edition, None, None) in graph
    graph.add((edition, URIRef(STDKG + "normativeReference"), edition))
    write_ntriples(sorted_rows(graph), build / "stdkg.nt")  # type: ignore[arg-type]


def test_graph_edited_after_the_pipeline_is_checked_again(piped: Path, tmp_path: Path) -> None:
    """validation.json says 0 violations, but of the graph before the edit: the gate runs again and holds."""
    build = _copy(piped, tmp_path)
    _self_reference(build)
    done = _publish(build, tmp_path / "site")
    assert done.returncode == 1, done.stderr
    assert "validation: recomputed" in done.stderr and "computed on another graph" in done.stderr
    assert "analysis: recomputed" in done.stderr
    assert "1 violations" in done.stderr and not (tmp_path / "site").exists()


def test_reports_written_by_validate_and_analyze_are_reused(piped: Path, tmp_path: Path) -> None:
    build = _copy(piped, tmp_path)
    _self_reference(build)
    assert run_stdkg("validate", str(build), "--report", str(build / "validation.json")).returncode == 1
    assert run_stdkg("analyze", str(build), "--as-of", AS_OF, "--out", str(build / "analysis")).returncode == 0
    done = _publish(build, tmp_path / "site", "--force", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reused"] == ["validation", "analysis"] and json.loads(done.stdout)["violations"] == 1
    fresh = _publish(build, tmp_path / "fresh", "--force", "--no-reuse")
    assert fresh.returncode == 0, fresh.stderr
    assert _files(tmp_path / "site") == _files(tmp_path / "fresh")


def test_an_edited_report_never_opens_the_gate(piped: Path, tmp_path: Path) -> None:
    """Someone deletes the violations from validation.json and keeps its fingerprint: not trusted."""
    build = _copy(piped, tmp_path)
    _self_reference(build)
    assert run_stdkg("validate", str(build), "--report", str(build / "validation.json")).returncode == 1
    doc = json.loads((build / "validation.json").read_text(encoding="utf-8"))
    doc["results"] = [r for r in doc["results"] if r["severity"] != "Violation"]
    doc["counts"]["violation"] = 0
    (build / "validation.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    done = _publish(build, tmp_path / "site", "--no-analysis")
    assert done.returncode == 1, done.stderr
    assert "validation: recomputed" in done.stderr and "the report was edited" in done.stderr


def test_a_member_added_after_the_fingerprint_is_not_trusted(piped: Path, tmp_path: Path) -> None:
    """JSON keeps a repeated key's last value: a "results": [] appended after the fingerprint
    (outside the report's own hash) must not empty the gate."""
    build = _copy(piped, tmp_path)
    _self_reference(build)
    assert run_stdkg("validate", str(build), "--report", str(build / "validation.json")).returncode == 1
    text = (build / "validation.json").read_text(encoding="utf-8").rstrip("\n")
    assert text.endswith("\n}")
    (build / "validation.json").write_text(text[:-2] + ',\n  "results": []\n}\n', encoding="utf-8")
    assert json.loads((build / "validation.json").read_text(encoding="utf-8"))["results"] == []
    done = _publish(build, tmp_path / "site", "--no-analysis")
    assert done.returncode == 1, done.stderr
    assert "validation: recomputed" in done.stderr and "the report was edited" in done.stderr


def _edit_fingerprint(path: Path, key: str, value: object) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if value is None:
        del doc["fingerprint"]
    else:
        doc["fingerprint"][key] = value
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("report", "key", "value", "why"), [
    ("validation.json", "graph_sha256", "0" * 64, "computed on another graph"),
    ("validation.json", "stdkg_version", "0.0.1", "other rules, parameters or stdkg version"),
    ("validation.json", "rules_sha256", "0" * 64, "other rules, parameters or stdkg version"),
    ("validation.json", "code_sha256", "0" * 64, "other rules, parameters or stdkg version"),
    ("validation.json", "report_sha256", "0" * 64, "the report was edited"),
    ("validation.json", "fingerprint", None, "no fingerprint"),
    ("analysis/analysis.json", "as_of", "2025-09-30", "other rules, parameters or stdkg version"),
    ("analysis/analysis.json", "graph_sha256", "f" * 64, "computed on another graph"),
])
def test_a_tampered_fingerprint_is_recomputed(piped: Path, recomputed: Path, tmp_path: Path, report: str, key: str,
                                              value: object, why: str) -> None:
    build = _copy(piped, tmp_path)
    _edit_fingerprint(build / report, key, value)
    done = _publish(build, tmp_path / "site", "--format", "json")
    assert done.returncode == 0, done.stderr
    tampered, kept = ("validation", "analysis") if report == "validation.json" else ("analysis", "validation")
    assert f"{tampered}: recomputed" in done.stderr and why in done.stderr
    assert json.loads(done.stdout)["reused"] == [kept]
    assert _files(tmp_path / "site") == _files(recomputed)


def test_other_analysis_parameters_or_day_are_not_reused(piped: Path, tmp_path: Path) -> None:
    build = _copy(piped, tmp_path)
    assert run_stdkg("analyze", str(build), "--as-of", AS_OF, "--top", "5", "--out", str(build / "analysis")).returncode == 0
    done = _publish(build, tmp_path / "site", "--format", "json")
    assert json.loads(done.stdout)["reused"] == ["validation"]
    assert "analysis: recomputed" in done.stderr and "other rules, parameters" in done.stderr
    other_day = run_stdkg("publish", str(piped), "--out", str(tmp_path / "later"), "--as-of", "2025-10-02", "--format", "json")
    assert json.loads(other_day.stdout)["reused"] == ["validation"]


def test_extra_shapes_or_checks_make_a_report_that_publish_does_not_reuse(piped: Path, tmp_path: Path) -> None:
    """A report that also ran the user's own check is not the bundled gate's report."""
    build = _copy(piped, tmp_path)
    check = tmp_path / "nothing.rq"
    check.write_text("# Nothing / 无\nSELECT ?focus WHERE { ?focus a <urn:x:none> }\n", encoding="utf-8")
    for options in (["--check", str(check)], ["--shapes", str(REPO / "tests" / "fixtures" / "shapes" / "conforming.ttl")]):
        run_stdkg("validate", str(build), *options, "--report", str(build / "validation.json"))
        assert "fingerprint" in json.loads((build / "validation.json").read_text(encoding="utf-8"))
        done = _publish(build, tmp_path / "site", "--no-analysis", "--format", "json")
        assert json.loads(done.stdout)["reused"] == [] and "other rules, parameters or stdkg version" in done.stderr


# ------------------------------------------------------------------------------ units

def test_seal_writes_what_json_dumps_would(tmp_path: Path) -> None:
    doc = {"a": [1, {"b": "中文"}], "c": None}
    fingerprint = {"graph_sha256": "x", "parameters": {"top": 10}}
    text = seal(json.dumps(doc, ensure_ascii=False, indent=2), fingerprint)
    whole = json.loads(text)
    assert text == json.dumps(whole, ensure_ascii=False, indent=2)
    assert whole["fingerprint"]["graph_sha256"] == "x" and len(whole["fingerprint"]["report_sha256"]) == 64
    (tmp_path / "r.json").write_text(text + "\n", encoding="utf-8")
    assert read_sealed(tmp_path / "r.json", fingerprint) == (doc, "")
    assert read_sealed(tmp_path / "r.json", {**fingerprint, "graph_sha256": "y"})[0] is None
    assert read_sealed(tmp_path / "missing.json", fingerprint)[0] is None
    (tmp_path / "r.json").write_text(text.replace("中文", "中 文") + "\n", encoding="utf-8")
    assert read_sealed(tmp_path / "r.json", fingerprint) == (None, "报告已被改动 / the report was edited")


def test_from_json_restores_what_the_reports_show(piped: Path) -> None:
    validation = validate_file(piped)
    assert validation.results and any(r.value and validation.label(r.value) != r.value for r in validation.results)
    restored = from_json(json.loads(as_json(validation, validation_fingerprint("x"))))
    assert restored.results == validation.results and restored.rules == validation.rules
    assert restored.engine == validation.engine
    for result in validation.results:
        assert restored.label(result.focus) == validation.label(result.focus)
        assert restored.label(result.value) == validation.label(result.value)
    assert as_json(restored) == as_json(validation)
    with pytest.raises(ValueError):
        from_json(json.loads(as_json(validation)))  # a report without what reuse needs


def test_readme_reuse_example_is_real(tmp_path: Path) -> None:
    """The README's Publish section: pipeline, then publish reusing both reports, then another day."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = readme.index("$ stdkg pipeline --input data/bps --out piped/")
    block = readme[first:readme.index("```", first)]
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ stdkg "):
            pairs.append((line[len("$ stdkg "):], []))
        elif line != "…":
            pairs[-1][1].append(line)
    assert [c.split()[0] for c, _ in pairs] == ["pipeline", "publish", "publish"]
    for command, expected in pairs:
        args = [str(REPO / "data" / "bps") if word == "data/bps" else word for word in command.split()]
        done = run_stdkg(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        printed = (done.stdout + done.stderr).splitlines()
        for line in expected:
            assert line in printed, (command, line)
