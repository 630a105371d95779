"""`stdkg diff`: the semantic changelog between two releases.

tests/fixtures/releases/ holds two hand-made releases with every kind of change exactly once
(see its README); the expected outputs are pinned exactly, in every format.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
from pathlib import Path

from rdflib import Graph

from conftest import FIXTURES, REPO, run_stdkg
from stdkg.diff import KINDS, diff
from stdkg.diff_input import open_release
from stdkg.diff_report import as_html, as_markdown

RELEASES = FIXTURES / "releases"
OLD, NEW = "tests/fixtures/releases/old.ttl", "tests/fixtures/releases/new.ttl"

EXPECTED_TEXT = """\
版本变更 / changes: tests/fixtures/releases/old.ttl → tests/fixtures/releases/new.ttl
标准 / standards: 9 → 10
新增 / added (1)
  + GB/T 90009-2024 示例标准九
移出体系 / removed from the system (1)
  - GB/T 90003-2021 示例标准三
废止 / abolished (1)
  GB/T 90002-2019 示例标准二
代替 / replaced (1)
  GB/T 90001-2020 → GB/T 90001-2024 示例标准一
重新归类 / re-classified (1)
  GB/T 90004-2022 示例标准四：领域 / domain: 领域甲 → 领域乙；服务项目 / service item: （无）/ (none) → 服务项目甲
归口变更 / committee changed (1)
  GB/T 90005-2018 示例标准五：SAC/TC 901 示例标准化技术委员会甲 → SAC/TC 902 示例标准化技术委员会乙
名称变更 / title changed (1)
  GB/T 90006-2020：英文名称 / English title: Example six → Example six, revised title
状态变更 / status changed (1)
  GB/T 90007-2023 示例标准七：即将实施 / upcoming → 现行 / current
新增引用 / references added (1)
  GB/T 90008-2017 → GB/T 90004-2022（规范性引用 / normative）
删除引用 / references removed (1)
  GB/T 90008-2017 → GB/T 90006-2020（资料性引用 / informative）
新增地方配套 / local counterparts added (1)
  DB11/T 9001-2020 → GB/T 90004-2022
删除地方配套 / local counterparts removed (1)
  DB11/T 9001-2020 → GB/T 90006-2020
按领域 / by domain
  领域甲: 4 — 新增 / added 1, 废止 / abolished 1, 代替 / replaced 1, 重新归类 / re-classified 1
  领域乙: 5 — 移出体系 / removed from the system 1, 重新归类 / re-classified 1, 归口变更 / committee changed 1, \
名称变更 / title changed 1, 状态变更 / status changed 1
  （未归领域）/ (no domain): 4 — 新增引用 / references added 1, 删除引用 / references removed 1, \
新增地方配套 / local counterparts added 1, 删除地方配套 / local counterparts removed 1
"""


def test_every_kind_of_change_exactly_in_text() -> None:
    done = run_stdkg("diff", OLD, NEW, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout == EXPECTED_TEXT
    assert done.stdout == (RELEASES / "expected.txt").read_text(encoding="utf-8")


def test_every_kind_of_change_exactly_in_json_and_markdown() -> None:
    done = run_stdkg("diff", OLD, NEW, "--format", "json", cwd=REPO)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc == json.loads((RELEASES / "expected.json").read_text(encoding="utf-8"))
    assert doc["summary"] == {kind: 1 for kind, _, _ in KINDS}  # every kind, once
    replaced = doc["changes"]["replaced"][0]
    assert (replaced["old"]["number"], replaced["new"]["number"]) == ("GB/T 90001-2020", "GB/T 90001-2024")
    assert doc["changes"]["reclassified"][0]["facets"] == [
        {"facet": "domain", "before": ["领域甲"], "after": ["领域乙"]},
        {"facet": "item", "before": [], "after": ["服务项目甲"]}]
    assert doc["by_domain"][0] == {"domain": "领域甲", "total": 4,
                                   "counts": {"added": 1, "abolished": 1, "replaced": 1, "reclassified": 1}}
    markdown = run_stdkg("diff", OLD, NEW, "--format", "markdown", cwd=REPO)
    assert markdown.stdout == (RELEASES / "expected.md").read_text(encoding="utf-8")
    assert "## 代替 / replaced (1)\n\n- GB/T 90001-2020 → GB/T 90001-2024 示例标准一\n" in markdown.stdout
    assert "| 领域甲 | 4 | 1 | 0 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in markdown.stdout


def _relabelled(source: Path, out: Path) -> Path:
    """The same graph as N-Triples with fresh blank-node labels, lines reversed, gzip-compressed."""
    graph = Graph().parse(source, format="turtle")
    lines = sorted(graph.serialize(format="nt").splitlines(), reverse=True)
    assert any(line.startswith("_:") or " _:" in line for line in lines)  # the blank committee is there
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return out


def test_blank_node_labels_and_order_do_not_matter(tmp_path: Path) -> None:
    old = open_release(str(RELEASES / "old.ttl"))
    shuffled = open_release(str(_relabelled(RELEASES / "old.ttl", tmp_path / "old.nt.gz")))
    same = diff(old, shuffled)
    assert not any(same["summary"].values())
    assert same["by_domain"] == []
    new = open_release(str(RELEASES / "new.ttl"))
    assert diff(shuffled, new)["changes"] == diff(old, new)["changes"]


def test_no_changes_between_a_build_and_itself(bundled_build: Path) -> None:
    done = run_stdkg("diff", str(bundled_build), str(bundled_build / "stdkg.nt"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["标准 / standards: 41 → 41", "无变更 / no changes"]


def test_data_values_are_escaped_in_html_and_markdown(tmp_path: Path) -> None:
    hostile = tmp_path / "new.ttl"
    text = (RELEASES / "new.ttl").read_text(encoding="utf-8")
    hostile.write_text(text.replace('"示例标准九"@zh', '"<script>alert(1)</script> | **x**"@zh'), encoding="utf-8")
    doc = diff(open_release(str(RELEASES / "old.ttl")), open_release(str(hostile)), "a<b", "new")
    page = as_html(doc)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&lt;b" in page
    assert "http" not in page.replace('name="viewport"', "")  # nothing to fetch
    markdown = as_markdown(doc)
    assert r"\<script\>alert(1)\</script\> \| \*\*x\*\*" in markdown


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def test_two_git_revisions_of_the_data(tmp_path: Path) -> None:
    repo = tmp_path / "tables"
    shutil.copytree(REPO / "data" / "bps", repo / "data" / "bps")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "2024")
    standards = repo / "data" / "bps" / "standards.csv"
    text = standards.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("GB/T 33531-2017,"))
    standards.write_text(text.replace(line, line.replace(",劳有所得,", ",弱有所扶,")), encoding="utf-8")
    _git(repo, "commit", "-qam", "2025")
    done = run_stdkg("diff", "git:HEAD~1", "git:HEAD:data/bps", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "版本变更 / changes: git:HEAD~1 → git:HEAD:data/bps",
        "标准 / standards: 41 → 41",
        "重新归类 / re-classified (1)",
        "  GB/T 33531-2017 就业援助服务规范：领域 / domain: 劳有所得 → 弱有所扶",
        "按领域 / by domain",
        "  劳有所得: 1 — 重新归类 / re-classified 1",
        "  弱有所扶: 1 — 重新归类 / re-classified 1",
    ]
    missing = run_stdkg("diff", "git:HEAD:no/such/folder", "git:HEAD", cwd=repo)
    assert missing.returncode == 2 and "no/such/folder" in missing.stderr and "Traceback" not in missing.stderr
    option = run_stdkg("diff", "git:--output=/tmp/x", "git:HEAD", cwd=repo)
    assert option.returncode == 2 and "git:REV[:PATH]" in option.stderr


def test_unreadable_inputs_are_usage_errors(tmp_path: Path) -> None:
    done = run_stdkg("diff", str(tmp_path / "nothing"), str(RELEASES / "new.ttl"))
    assert done.returncode == 2 and "找不到" in done.stderr and "Traceback" not in done.stderr
    broken = tmp_path / "broken.nt.gz"
    broken.write_bytes(b"not gzip")
    done = run_stdkg("diff", str(broken), str(RELEASES / "new.ttl"))
    assert done.returncode == 2 and "cannot parse" in done.stderr


def _store(turtle: str):  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    store = ox.Store()
    prefixes = ("@prefix stdkg: <https://w3id.org/stdkg/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> . "
                "@prefix s: <https://w3id.org/stdkg/standard/> . @prefix stdv: <https://w3id.org/stdkg/vocab/> .\n")
    store.load((prefixes + turtle).encode(), format=ox.RdfFormat.TURTLE)
    return store


def test_replacement_by_an_edition_known_only_by_number_is_reported_once() -> None:
    old = _store('s:A a stdkg:StandardEdition ; stdkg:inSystem s:sys ; dcterms:identifier "GB/T 90010-2010" ; '
                 "stdkg:status stdv:status-current .")
    new = _store('s:A a stdkg:StandardEdition ; stdkg:inSystem s:sys ; dcterms:identifier "GB/T 90010-2010" ; '
                 "stdkg:status stdv:status-abolished ; dcterms:isReplacedBy s:B . "
                 's:B a stdkg:StandardEdition , stdkg:ExternalStub ; dcterms:identifier "GB/T 90010-2025" .')
    doc = diff(old, new)
    assert {kind: n for kind, n in doc["summary"].items() if n} == {"replaced": 1}
    assert doc["changes"]["replaced"][0]["new"] == {
        "standard": "https://w3id.org/stdkg/standard/B", "number": "GB/T 90010-2025", "title_zh": None,
        "title_en": None, "status": "unknown", "domains": []}
    # Already replaced in the older release: nothing new to report.
    assert not any(diff(new, new)["summary"].values())


def test_edition_facts_query_keys_blank_nodes_by_content() -> None:
    done = run_stdkg("query", "edition_facts", str(RELEASES / "old.ttl"), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]["bindings"]
    committee = [r for r in rows if r["fact"]["value"] == "committee"]
    assert [(r["number"]["value"], r["value"]["value"], r["notation"]["value"]) for r in committee] == [
        ("GB/T 90005-2018", "_:SAC/TC 901", "SAC/TC 901")]
    assert "GB/T 1" not in {r["number"]["value"] for r in rows}  # external stubs are not the system's


def test_domains_are_listed_in_natural_order() -> None:
    from stdkg.diff import natural_key

    iris = [f"https://w3id.org/stdkg/bps/domain/{n}" for n in (10, 2, 1, 9)]
    assert [i.rsplit("/", 1)[1] for i in sorted(iris, key=natural_key)] == ["1", "2", "9", "10"]


def test_git_revision_outside_a_repository_says_so(tmp_path: Path) -> None:
    done = run_stdkg("diff", "git:HEAD", "git:HEAD", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert done.returncode == 2 and "not inside a git repository" in done.stderr and "Traceback" not in done.stderr


def test_rejected_rows_of_a_system_folder_are_reported(tmp_path: Path) -> None:
    system = tmp_path / "bps"
    shutil.copytree(REPO / "data" / "bps", system)
    table = system / "standards.csv"
    header = next(csv.reader(table.open(encoding="utf-8-sig")))
    with table.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["GB/T 3792.x", *[""] * (len(header) - 1)])  # a series, not a number
    done = run_stdkg("diff", str(REPO / "data" / "bps"), str(system))
    assert done.returncode == 0, done.stderr
    assert "1 rows rejected and left out of the comparison" in done.stderr
