"""`stdkg release`: a release of the bundled data, then an edited one, and the changelog between them.

The edits are made in a copy of data/bps under tmp_path (the real data is never touched):
one standard replaced (by GB/T 35796-2099, an obviously fictitious edition), one re-classified
(WS/T 802-2022 leaves 病有所医) and one local counterpart declared (DB14/T 2149-2020 →
GB/T 42195-2022). Both releases publish their site, whose home page links the changelog.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shlex
import json
import shutil
import sys
import types
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, OWL

from conftest import REPO, run_stdkg
from stdkg.problems import StdkgError
from stdkg.release import release

ONTOLOGY = URIRef("https://w3id.org/stdkg/ontology")


def _edit_csv(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    fields, rows = edit(fields, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def edited_system(tmp_path: Path) -> Path:
    """data/bps with one standard replaced, one re-classified and one local counterpart added."""
    system = tmp_path / "bps-edited"
    shutil.copytree(REPO / "data" / "bps", system)

    def standards(fields: list[str], rows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        for row in rows:
            if row["number"] == "WS/T 802-2022":
                assert row["domain"] == "病有所医; 老有所养"
                row["domain"] = "老有所养"
        rows.append({**dict.fromkeys(fields, ""), "number": "GB/T 35796-2099", "replaces": "GB/T 35796-2017",
                     "title_zh": "养老机构服务质量基本规范（测试用虚构版本）", "domain": "老有所养",
                     "note": "test fixture: a fictitious edition"})
        return fields, rows

    def local(fields: list[str], rows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        for row in rows:
            row["local_counterpart_of"] = "GB/T 42195-2022" if row["number"] == "DB14/T 2149-2020" else ""
        return [*fields, "local_counterpart_of"], rows

    _edit_csv(system / "standards.csv", standards)
    _edit_csv(system / "local_standards.csv", local)
    return system


EXPECTED_CHANGELOG = """\
版本变更 / changes: 2024 → 2025
标准 / standards: 41 → 42
代替 / replaced (1)
  GB/T 35796-2017 → GB/T 35796-2099 养老机构服务质量基本规范（测试用虚构版本）
重新归类 / re-classified (1)
  WS/T 802-2022 中国健康老年人标准：领域 / domain: 病有所医、老有所养 → 老有所养
新增地方配套 / local counterparts added (1)
  DB14/T 2149-2020 → GB/T 42195-2022
按领域 / by domain
  病有所医: 1 — 重新归类 / re-classified 1
  老有所养: 2 — 代替 / replaced 1, 重新归类 / re-classified 1
  （未归领域）/ (no domain): 1 — 新增地方配套 / local counterparts added 1
"""


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """releases/2024 (the bundled data) and releases/2025 (the edited copy), made by the CLI."""
    tmp = tmp_path_factory.mktemp("releases")
    out = tmp / "releases"
    first = run_stdkg("release", "--version", "2024", "--out", str(out), "--as-of", "2025-10-01")
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_stdkg("release", "--version", "2025", "--out", str(out), "--system", str(edited_system(tmp)),
                       "--as-of", "2025-10-01")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "变更 / changes since 2024: 代替 / replaced 1, 重新归类 / re-classified 1, 新增地方配套 / local counterparts added 1" \
        in second.stdout
    return out


def test_edited_release_changelog_lists_exactly_the_three_edits(releases: Path) -> None:
    folder = releases / "2025"
    assert (folder / "changelog.txt").read_text(encoding="utf-8") == EXPECTED_CHANGELOG
    doc = json.loads((folder / "changelog.json").read_text(encoding="utf-8"))
    assert {kind: n for kind, n in doc["summary"].items() if n} == {"replaced": 1, "reclassified": 1, "counterparts_added": 1}
    replaced = doc["changes"]["replaced"][0]
    assert (replaced["old"]["number"], replaced["new"]["number"]) == ("GB/T 35796-2017", "GB/T 35796-2099")
    assert doc["changes"]["reclassified"][0]["facets"] == [
        {"facet": "domain", "before": ["病有所医", "老有所养"], "after": ["老有所养"]}]
    assert doc["changes"]["counterparts_added"][0]["counterpart"]["number"] == "GB/T 42195-2022"
    page = (folder / "changelog.html").read_text(encoding="utf-8")
    assert page.count("<li>") == 3
    for item in ("<li>GB/T 35796-2017 → GB/T 35796-2099 养老机构服务质量基本规范（测试用虚构版本）</li>",
                 "<li>WS/T 802-2022 中国健康老年人标准：领域 / domain: 病有所医、老有所养 → 老有所养</li>",
                 "<li>DB14/T 2149-2020 → GB/T 42195-2022</li>"):
        assert item in page
    assert "<script" not in page and "src=" not in page and "href=" not in page  # self-contained
    markdown = (folder / "changelog.md").read_text(encoding="utf-8")
    assert markdown.count("\n- ") == 3


def test_release_folder_layout_version_stamp_and_latest(releases: Path) -> None:
    assert (releases / "latest").read_text(encoding="utf-8") == "2025\n"
    assert sorted(p.name for p in releases.iterdir()) == ["2024", "2025", "latest"]  # no staging left behind
    folder = releases / "2025"
    assert sorted(p.name for p in folder.iterdir()) == [
        "analysis", "changelog.html", "changelog.json", "changelog.md", "changelog.txt", "graph", "release.json",
        "site", "validation.json", "validation.txt"]
    assert sorted(p.name for p in (folder / "graph").iterdir()) == ["build-report.json", "stdkg.nt", "stdkg.ttl"]
    assert sorted(p.name for p in (folder / "analysis").iterdir()) == ["analysis.json", "analysis.md", "index.html"]
    graph = Graph().parse(folder / "graph" / "stdkg.nt", format="nt")
    assert set(graph.objects(ONTOLOGY, OWL.versionInfo)) == {Literal("2025")}
    assert set(graph.objects(ONTOLOGY, OWL.versionIRI)) == {URIRef("https://w3id.org/stdkg/ontology/2025")}
    manifest = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "2025" and manifest["previous"] == "2024"
    assert manifest["gate"] == {"fail_on": "violation", "passed": True, "violation": 0, "warning": 13, "info": 87}
    assert manifest["changes"]["replaced"] == 1 and manifest["site"] == "site"
    first = json.loads((releases / "2024" / "changelog.json").read_text(encoding="utf-8"))
    assert first == {"schema": "stdkg-diff/1", "first_release": True, "version": "2024"}
    # The released graph answers stdkg diff itself, as a release folder.
    again = run_stdkg("diff", str(releases / "2024"), str(releases / "2025"))
    assert again.stdout.splitlines()[2:] == EXPECTED_CHANGELOG.splitlines()[2:]


def test_a_version_is_never_overwritten(releases: Path) -> None:
    done = run_stdkg("release", "--version", "2025", "--out", str(releases), "--no-site")
    assert done.returncode == 2 and "never overwritten" in done.stderr
    bad = run_stdkg("release", "--version", "../x", "--out", str(releases), "--no-site")
    assert bad.returncode == 2 and "invalid version" in bad.stderr
    missing = run_stdkg("release", "--version", "2099", "--out", str(releases), "--no-site", "--previous", "no/such/release")
    assert missing.returncode == 2 and "not found" in missing.stderr
    assert sorted(p.name for p in releases.iterdir()) == ["2024", "2025", "latest"]


def test_failed_gate_releases_nothing_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    done = run_stdkg("release", "--version", "1", "--out", str(out), "--no-site", "--fail-on", "info")
    assert done.returncode == 1
    assert "规则 / rules:" in done.stdout and "nothing released" in done.stderr
    assert list(out.iterdir()) == []  # no folder, no staging, no latest
    forced = run_stdkg("release", "--version", "1", "--out", str(out), "--no-site", "--fail-on", "info", "--force",
                       "--format", "json")
    assert forced.returncode == 0, forced.stderr
    manifest = json.loads(forced.stdout)
    assert manifest["gate"]["passed"] is False and manifest["previous"] is None
    assert (out / "latest").read_text(encoding="utf-8") == "1\n"


def test_the_site_of_the_edited_release_publishes_the_changelog(releases: Path) -> None:
    site = releases / "2025" / "site"
    page = (site / "changelog.html").read_text(encoding="utf-8")
    assert page == (releases / "2025" / "changelog.html").read_text(encoding="utf-8")
    assert page.count("<li>") == 3 and "<li>DB14/T 2149-2020 → GB/T 42195-2022</li>" in page
    assert 'href="changelog.html"' in (site / "index.html").read_text(encoding="utf-8")
    catalog = Graph().parse(site / "catalog.ttl", format="turtle")
    dcat_version = URIRef(f"{DCAT}version")  # DCAT 3, not in rdflib's namespace yet
    assert {Literal("2025")} == set(catalog.objects(None, dcat_version)) == set(catalog.objects(None, OWL.versionInfo))
    # The replacing edition has its page, and it names the edition it replaces.
    new_page = (site / "standard" / "GB-T-35796-2099.html").read_text(encoding="utf-8")
    assert "GB/T 35796-2017" in new_page
    first_site = (releases / "2024" / "site" / "changelog.html").read_text(encoding="utf-8")
    assert "first release: no previous release to compare with" in first_site


def test_readme_release_section_is_real(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```console\n(.*?)```", readme, flags=re.S)
                 if b.startswith("$ stdkg release --version 2024"))
    shutil.move(edited_system(tmp_path), tmp_path / "my-bps")
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    assert [c for c, _ in commands][2] == "stdkg diff releases/2024 releases/2025"
    for command, expected in commands:
        done = run_stdkg(*shlex.split(command)[1:], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == expected, command


def test_strict_release_with_rejected_rows_releases_nothing(tmp_path: Path) -> None:
    out = tmp_path / "releases"
    done = run_stdkg("release", "--version", "1", "--out", str(out), "--no-site", "--strict",
                     "--input", str(REPO / "tests" / "fixtures" / "bad_rows.csv"))
    assert done.returncode == 1 and "5 rows rejected" in done.stderr and "Traceback" not in done.stderr
    assert list(out.iterdir()) == []


def test_releases_only_move_forward(releases: Path) -> None:
    """After 2024 and 2025, an older version is refused before any work, and latest stays 2025."""
    older = run_stdkg("release", "--version", "2023", "--out", str(releases), "--no-site")
    assert older.returncode == 2 and "releases only move forward" in " ".join(older.stderr.split())
    assert "Traceback" not in older.stderr
    assert (releases / "latest").read_text(encoding="utf-8") == "2025\n"
    assert sorted(p.name for p in releases.iterdir()) == ["2024", "2025", "latest"]


def test_the_site_reuses_the_releases_validation_and_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate and the analysis run once per release, not again inside the publish step."""
    import stdkg.publish
    import stdkg.publish_reports

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed a second time")

    monkeypatch.setattr(stdkg.publish, "_validate", not_again)
    monkeypatch.setattr(stdkg.publish_reports, "analyze", not_again)
    done = release("1", tmp_path / "releases", as_of=dt.date(2025, 10, 1))
    site_analysis = json.loads((done.folder / "site" / "reports" / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    own_analysis = json.loads((done.folder / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert site_analysis == own_analysis
    assert json.loads((done.folder / "site" / "reports" / "validation.json").read_text(encoding="utf-8"))["results"] == \
        json.loads((done.folder / "validation.json").read_text(encoding="utf-8"))["results"]
