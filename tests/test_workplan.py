"""The work plan as data: targets and `stdkg progress`, pilots and feedback loaded from tables,
found by edition and province (tests/fixtures/workplan/ — hand-made, see its README)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import FIXTURES, run_stdkg

WORKPLAN = FIXTURES / "workplan"
TARGET = "https://w3id.org/stdkg/bps/target/"


def progress_json(graph: Path, as_of: str) -> dict[str, dict[str, object]]:
    done = run_stdkg("progress", str(graph), "--as-of", as_of, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["as_of"] == as_of
    return {t["id"]: t for t in doc["targets"]}


def as_xlsx(source: Path, out: Path) -> Path:
    """The same table saved as an Excel workbook, as a user would."""
    book = Workbook()
    sheet = book.active
    with open(source, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            sheet.append(row)
    book.save(out)
    return out


@pytest.fixture(scope="module")
def workplan_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled system plus the fixture pilots (as XLSX) and feedback (CSV)."""
    out = tmp_path_factory.mktemp("workplan")
    pilots = as_xlsx(WORKPLAN / "pilots.csv", out / "pilots.xlsx")
    done = run_stdkg("build", "--input", str(pilots), "--input", str(WORKPLAN / "feedback.csv"),
                     "--out", str(out / "build"), "--strict", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "build"


def query(name: str, graph: Path, *params: str) -> list[dict[str, str]]:
    args = [a for p in params for a in ("--param", p)]
    done = run_stdkg("query", name, str(graph), *args, "--format", "csv")
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(done.stdout.splitlines()))


# ----------------------------------------------------------------------------------- progress

def test_progress_counts_on_a_hand_made_graph() -> None:
    graph = WORKPLAN / "progress_graph.ttl"
    late = progress_json(graph, "2025-06-30")
    assert {k: late["T1"][k] for k in ("state", "counted", "uncertain", "recorded", "ratio")} == {
        "state": "counted", "counted": 4, "uncertain": 2, "recorded": 7, "ratio": 1.0}
    assert {k: late["T2"][k] for k in ("counted", "uncertain", "recorded", "ratio")} == {
        "counted": 2, "uncertain": 0, "recorded": 3, "ratio": 0.25}
    assert late["T1"]["query"] == "queries/progress/editions_issued.rq"
    assert late["T3"]["state"] == "not-counted" and late["T3"]["counted"] is None  # no pilots: never 0
    assert late["T4"]["state"] == "qualitative" and late["T4"]["query"] is None
    early = progress_json(graph, "2024-12-31")
    assert (early["T1"]["counted"], early["T1"]["uncertain"], early["T1"]["ratio"]) == (3, 1, 0.75)


def test_progress_on_the_bundled_data(bundled_build: Path) -> None:
    targets = progress_json(bundled_build, "2025-06-30")
    assert sorted(targets) == ["T2027-1", "T2027-2", "T2027-3", "T2035-1"]
    first = targets["T2027-1"]
    assert (first["value"], first["deadline"], first["counted_from"]) == (200, "2027", "2024-01-04")
    assert first["scope_levels"] == ["国家标准", "行业标准"]
    assert (first["counted"], first["ratio"]) == (1, 0.005)  # GB/Z 45152-2024, issued 2024-12-31
    assert targets["T2027-2"]["state"] == "not-counted"
    assert "no sourced pilot list" in targets["T2027-2"]["reason_en"]
    assert targets["T2027-3"]["state"] == "counted" and targets["T2027-3"]["ratio"] is None  # no number to reach
    assert targets["T2035-1"]["state"] == "qualitative"
    text = run_stdkg("progress", str(bundled_build), "--as-of", "2025-06-30", env={"COLUMNS": "200"})
    assert text.returncode == 0
    assert "截至 / as of 2025-06-30" in text.stdout
    assert "计数 / counted: 1 / 200 = 0.5%；待定 / uncertain: 0 — 查询 / query: queries/progress/editions_issued.rq" in text.stdout
    assert "not counted: no pilot in the graph" in text.stdout


def test_pilots_count_once_a_pilot_list_is_loaded(workplan_build: Path) -> None:
    targets = progress_json(workplan_build, "2025-06-30")
    pilots = targets["T2027-2"]
    # P-FIX-3 starts 2024-09-01 (counted); P-FIX-1 only '2024-03' (uncertain); P-FIX-2 started 2023.
    assert (pilots["state"], pilots["counted"], pilots["uncertain"], pilots["recorded"]) == ("counted", 1, 1, 3)


def test_progress_usage_errors(tmp_path: Path) -> None:
    missing = run_stdkg("progress", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "stdkg build" in missing.stderr and "Traceback" not in missing.stderr
    bad_day = run_stdkg("progress", str(WORKPLAN / "progress_graph.ttl"), "--as-of", "2025-02-30")
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr


@pytest.mark.parametrize("verb", ["progress", "analyze"])
@pytest.mark.parametrize("day", ["2025-W26-1", "20250630", "2025-6-30", "2025-06-30T00:00"])
def test_as_of_is_only_yyyy_mm_dd(verb: str, day: str) -> None:
    """Python 3.11's date.fromisoformat takes week dates and basic format; --as-of documents YYYY-MM-DD."""
    done = run_stdkg(verb, str(WORKPLAN / "progress_graph.ttl"), "--as-of", day)
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr


def test_as_of_before_counting_starts_says_the_period_is_empty(bundled_build: Path) -> None:
    targets = progress_json(bundled_build, "1900-01-01")
    first = targets["T2027-1"]
    assert (first["state"], first["counted"], first["ratio"]) == ("empty-period", None, None)
    text = run_stdkg("progress", str(bundled_build), "--as-of", "1900-01-01", env={"COLUMNS": "200"})
    assert text.returncode == 0
    assert "empty period: as of 1900-01-01 is before counting starts (2024-01-04)" in text.stdout
    assert "至 / to 1900-01-01" not in text.stdout and "计数 / counted" not in text.stdout


def test_your_own_standards_keep_the_systems_targets(tmp_path: Path) -> None:
    from conftest import REPO

    done = run_stdkg("build", "--input", str(REPO / "data" / "bps" / "standards.csv"), "--out", str(tmp_path / "o3"))
    assert done.returncode == 0, done.stderr
    targets = progress_json(tmp_path / "o3", "2025-06-30")
    assert sorted(targets) == ["T2027-1", "T2027-2", "T2027-3", "T2035-1"]


def test_progress_on_a_graph_without_targets_says_so() -> None:
    graph = WORKPLAN / "equalisation_graph.ttl"  # regions and local standards, no stdkg:Target
    text = run_stdkg("progress", str(graph), "--as-of", "2025-06-30")
    assert text.returncode == 1 and "no work-plan targets in the graph" in text.stdout
    assert "图谱中没有工作方案目标" in text.stdout
    as_json = run_stdkg("progress", str(graph), "--as-of", "2025-06-30", "--format", "json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["targets"] == []
    assert "no work-plan targets in the graph" in as_json.stderr


def test_an_empty_input_folder_or_header_only_standards_table_is_warned(tmp_path: Path) -> None:
    from conftest import REPO

    empty = tmp_path / "emptydir"
    empty.mkdir()
    header = (REPO / "data" / "bps" / "standards.csv").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "header_only.csv").write_text(header + "\n", encoding="utf-8")
    for given in (empty, tmp_path / "header_only.csv"):
        done = run_stdkg("build", "--input", str(given), "--out", str(tmp_path / "out"), "--format", "json")
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        warned = [p for p in doc["problems"] if p["severity"] == "warning" and p["file"] == str(given)]
        assert len(warned) == 1 and "no standard was loaded" in warned[0]["en"], doc["problems"]
        text = run_stdkg("build", "--input", str(given), "--out", str(tmp_path / "out"), env={"COLUMNS": "300"})
        assert "未载入任何标准" in text.stdout and "no standard was loaded" in text.stdout


# -------------------------------------------------------------------------- pilots and feedback

def test_pilots_and_feedback_load_from_xlsx_and_csv_beside_the_bundled_standards(workplan_build: Path) -> None:
    report = json.loads((workplan_build / "build-report.json").read_text(encoding="utf-8"))
    loaded = {t["file"]: (t["mapping"], t["loaded"], t["rows"]) for t in report["tables"]}
    assert loaded["pilots.xlsx"] == ("pilots", 3, 3)
    assert loaded["feedback.csv"] == ("feedback", 6, 6)
    assert loaded["standards.csv"] == ("standards", 31, 31)  # work-plan tables add to the system's standards
    assert loaded["workplan_targets.csv"] == ("targets", 4, 4)


def feedback_iris(graph: Path) -> dict[str, str]:
    rows = query("feedback_on_standard", graph, "standard=GB/T 35796-2017")
    return {row["text"]: row["feedback"] for row in rows}


def test_feedback_iris_come_from_content_not_file_name_or_row(workplan_build: Path, tmp_path: Path) -> None:
    """Published IRIs must survive a renamed file and an inserted row between releases."""
    before = feedback_iris(workplan_build)
    assert len(before) == 3
    assert all(iri.startswith("https://w3id.org/stdkg/bps/feedback/") and iri.count("feedback/") == 1 for iri in before.values())
    lines = (WORKPLAN / "feedback.csv").read_text(encoding="utf-8").splitlines()
    inserted = "GB/T 35796-2017,2024-01-02,北京市,12345热线,其他,（测试）插入的一行"
    (tmp_path / "反馈-2025.csv").write_text("\n".join([lines[0], inserted, *lines[1:]]) + "\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(tmp_path / "反馈-2025.csv"), "--out", str(tmp_path / "build"))
    assert done.returncode == 0, done.stderr
    after = feedback_iris(tmp_path / "build")
    assert {text: after[text] for text in before} == before
    assert len(set(after.values())) == 4


def test_pilots_of_one_name_in_two_regions_are_two_pilots(tmp_path: Path) -> None:
    table = tmp_path / "pilots.csv"
    table.write_text("试点名称,地区,领域,开始日期\n（测试）同名试点,浙江省,老有所养,2024-03-01\n"
                     "（测试）同名试点,上海市,老有所养,2024-05-01\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(table), "--out", str(tmp_path / "build"), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [p for p in json.loads(done.stdout)["problems"] if p["file"] == "pilots.csv"] == []  # no contradiction
    pilots = query("pilots_in_province", tmp_path / "build", "province=浙江") + query("pilots_in_province", tmp_path / "build", "province=上海")
    assert sorted(p["pilot"].rsplit("/", 1)[1] for p in pilots) == [
        "310000-%EF%BC%88%E6%B5%8B%E8%AF%95%EF%BC%89%E5%90%8C%E5%90%8D%E8%AF%95%E7%82%B9",
        "330000-%EF%BC%88%E6%B5%8B%E8%AF%95%EF%BC%89%E5%90%8C%E5%90%8D%E8%AF%95%E7%82%B9"]


def test_contradictory_pilots_are_reported_by_validate_as_build_promises(tmp_path: Path) -> None:
    header = "试点名称,地区,领域,开始日期,结束日期\n"
    # One name in two regions: two pilots; the 浙江 one ends before it starts.
    two = tmp_path / "two" / "pilots.csv"
    two.parent.mkdir()
    two.write_text(header + "（测试）同名试点,浙江省,老有所养,2024-03-01,2023-01-01\n"
                            "（测试）同名试点,上海市,老有所养,2024-05-01,2026-01-01\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(two), "--out", str(tmp_path / "b2"))
    assert done.returncode == 0 and "both rows loaded" not in done.stdout, done.stdout
    checked = run_stdkg("validate", str(tmp_path / "b2"), env={"COLUMNS": "300"})
    assert checked.returncode == 1, checked.stdout
    assert "PilotStartsBeforeItEnds" in checked.stdout and "The pilot's end date is before its start date" in checked.stdout
    assert "PilotOneRegion" not in checked.stdout and "PilotOneStart" not in checked.stdout
    pilots = progress_json(tmp_path / "b2", "2025-06-30")["T2027-2"]
    assert (pilots["counted"], pilots["recorded"]) == (2, 2)
    # One name in one region twice, with different dates: build warns and validate keeps the promise.
    same = tmp_path / "same" / "pilots.csv"
    same.parent.mkdir()
    same.write_text(header + "（测试）同名试点,浙江省,老有所养,2024-03-01,2026-01-01\n"
                             "（测试）同名试点,浙江省,老有所养,2024-04-01,2027-01-01\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(same), "--out", str(tmp_path / "b1"), env={"COLUMNS": "300"})
    assert done.returncode == 0 and "both rows loaded (stdkg validate reports the contradiction)" in done.stdout, done.stdout
    checked = run_stdkg("validate", str(tmp_path / "b1"), env={"COLUMNS": "300"})
    assert checked.returncode == 1
    assert "PilotOneStart" in checked.stdout and "PilotOneEnd" in checked.stdout
    assert "Contradicting start dates of one pilot" in checked.stdout


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_pilot_and_feedback_rows_are_rejected_with_file_row_and_column(suffix: str, tmp_path: Path) -> None:
    inputs = []
    for name in ("pilots_bad", "feedback_bad"):
        source = WORKPLAN / f"{name}.csv"
        inputs += ["--input", str(source if suffix == ".csv" else as_xlsx(source, tmp_path / f"{name}.xlsx"))]
    done = run_stdkg("build", *inputs, "--out", str(tmp_path / "out"), "--format", "json")
    assert done.returncode == 0, done.stderr
    errors = {(p["file"], p["row"], p["column"]) for p in json.loads(done.stdout)["problems"] if p["severity"] == "error"}
    assert errors == {
        (f"pilots_bad{suffix}", 2, "地区"),  # 火星省: no such region
        (f"pilots_bad{suffix}", 3, "领域"),  # not a domain of the catalogue
        (f"pilots_bad{suffix}", 4, "试点类型"),  # not a pilot kind
        (f"feedback_bad{suffix}", 2, "标准号"),  # an edition not among the loaded standards
        (f"feedback_bad{suffix}", 3, "标准号"),  # undated: feedback is on an edition
        (f"feedback_bad{suffix}", 4, "反馈类别"),  # not a category
        (f"feedback_bad{suffix}", 6, None),  # exact duplicate of row 5
    }


def test_a_province_given_by_short_name_code_or_db_prefix(workplan_build: Path) -> None:
    names = {row["name"]: row for row in query("pilots_in_province", workplan_build, "province=浙江")}
    assert set(names) == {"（测试）养老服务标准化试点甲", "（测试）公共文化综合试点乙"}  # 浙江省 and 330000
    assert names["（测试）公共文化综合试点乙"]["domains"] == "老有所养; 文体服务保障"
    assert names["（测试）养老服务标准化试点甲"]["standards"] == "GB 38600-2019; GB/T 35796-2017"
    assert [row["name"] for row in query("pilots_in_province", workplan_build, "province=上海市")] == ["（测试）区域协调联动试点丙"]  # DB31


def test_pilots_and_feedback_by_edition(workplan_build: Path) -> None:
    by_work = query("pilots_applying_standard", workplan_build, "standard=GB/T 35796")
    assert [(r["applied"], r["name"], r["province_zh"]) for r in by_work] == [("GB/T 35796-2017", "（测试）养老服务标准化试点甲", "浙江省")]
    feedback = query("feedback_on_standard", workplan_build, "standard=GB/T 35796-2017")
    assert [(r["date"], r["province_zh"], r["category_zh"]) for r in feedback] == [
        ("2024-05-10", "浙江省", "内容过时"), ("2024-08-02", "上海市", "内容过时"), ("2024-09-15", "浙江省", "条款不清")]
    in_zhejiang = query("feedback_in_province", workplan_build, "province=330000")
    assert [(r["edition_number"], r["category_zh"]) for r in in_zhejiang] == [("GB/T 35796-2017", "内容过时"), ("GB/T 35796-2017", "条款不清")]
    counts = {(r["number"], r["category"].rsplit("/", 1)[1]): int(r["feedback"]) for r in query("feedback_by_edition", workplan_build)}
    assert counts == {("GB 38600-2019", "feedback-conflicting"): 2, ("GB/T 28220-2023", "feedback-unclearClause"): 1,
                      ("GB/T 35796-2017", "feedback-outdated"): 2, ("GB/T 35796-2017", "feedback-unclearClause"): 1}


def test_targets_query_lists_the_bundled_targets_with_their_sources(bundled_build: Path) -> None:
    rows = query("targets", bundled_build)
    assert [(r["id"], r["measure"], r["value"]) for r in rows] == [
        ("T2027-1", "editions_issued", "200"), ("T2027-2", "pilots", "80"), ("T2027-3", "local_supporting", ""),
        ("T2035-1", "", "")]
    assert rows[0]["target_zh"] == "制修订基本公共服务领域国家标准、行业标准200项"


def test_loaded_pilots_and_feedback_pass_the_shapes(workplan_build: Path) -> None:
    done = run_stdkg("validate", str(workplan_build), "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:]
    rules = {r["rule"] for r in json.loads(done.stdout)["results"]}
    assert not rules & {"PilotInRealRegion", "PilotInRealDomain", "FeedbackNamesEdition", "FeedbackCategoryFromScheme"}


# ------------------------------------------------------------------ feedback and equalisation

def test_equalisation_on_a_hand_made_graph() -> None:
    import statistics

    import pyoxigraph as ox

    from stdkg.analyze import load_facts, work_titles
    from stdkg.analyze_equalisation import equalisation
    from stdkg.analyze_local import local_support
    from stdkg.validate import ontology_files

    store = ox.Store()
    for path in [WORKPLAN / "equalisation_graph.ttl", *ontology_files()]:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    docs = load_facts(store)
    view = equalisation(store, docs, local_support(store, docs, work_titles(docs)), items=4)
    provinces = {p["zh"]: p for p in view["provinces"]}
    assert len(provinces) == 34 and view["provinces_with_local_standards"] == 2
    zhejiang, shanghai = provinces["浙江省"], provinces["上海市"]
    assert (zhejiang["local_standards"], zhejiang["supported"], zhejiang["supporting_rate"], zhejiang["coverage"]) == (2, 2, 0.5, 0.5)
    assert (shanghai["local_standards"], shanghai["supported"], shanghai["supporting_rate"], shanghai["coverage"]) == (2, 1, 0.25, 0.0)
    assert provinces["北京市"]["supporting_rate"] == 0.0
    assert view["national"] == {"standards": 4, "local_standards": 4, "supported": 2, "supporting_rate": 0.5,
                                "items": 4, "items_covered": 2, "coverage": 0.5}
    assert view["spread"]["local_standards"] == {"min": 0.0, "max": 2.0, "range": 2.0, "mean": 0.1176, "cv": 4.0}
    rates = [0.5, 0.25] + [0.0] * 32
    assert view["spread"]["supporting_rate"]["range"] == 0.5
    assert view["spread"]["supporting_rate"]["cv"] == round(statistics.pstdev(rates) / statistics.fmean(rates), 4)


def test_spread_of_nothing_is_not_zero() -> None:
    from stdkg.analyze_equalisation import spread

    assert spread([0.0, 0.0])["cv"] is None and spread([0.0, 0.0])["range"] == 0.0
    assert spread([]) == {"min": None, "max": None, "range": None, "mean": None, "cv": None}


def test_analyze_counts_feedback_and_flags_repeated_outdated_or_conflicting(workplan_build: Path, tmp_path: Path) -> None:
    done = run_stdkg("analyze", str(workplan_build), "--as-of", "2025-10-01", "--format", "json", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    fed = doc["feedback"]
    assert fed["feedback"] == 6 and fed["repeated"] == 2
    assert [(e["number"], e["total"], e["by_category"]["outdated"]) for e in fed["editions"]] == [
        ("GB/T 35796-2017", 3, 2), ("GB 38600-2019", 2, 0), ("GB/T 28220-2023", 1, 0)]
    assert [(f["number"], f["flags"], f["review_due"]) for f in fed["flagged"]] == [
        ("GB/T 35796-2017", ["outdated"], False), ("GB 38600-2019", ["conflicting"], False)]
    assert len(doc["equalisation"]["provinces"]) == 34
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="feedback"' in page and 'id="equalisation"' in page and "GB/T 35796-2017" in page
    assert "变异系数 / CV" in page


# ------------------------------------------------------------------------------------ README

def test_readme_work_plan_section_is_real(tmp_path: Path) -> None:
    import re
    import shlex

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n##+ ", readme.split("### Work plan / 工作方案", 1)[1], maxsplit=1)[0]  # up to the next heading
    blocks = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 3
    (tmp_path / "tests").symlink_to(REPO / "tests")  # the commands name tests/fixtures/… as from the repository
    assert run_stdkg("build", "--out", "build", cwd=tmp_path).returncode == 0
    checked = 0
    for block in blocks:
        command, expected = None, []
        for line in [*block.splitlines(), "$ end"]:
            if line.startswith("$ "):
                if command is not None:
                    done = run_stdkg(*shlex.split(command)[1:], cwd=tmp_path, env={"COLUMNS": "200"})
                    assert done.returncode == 0, (command, done.stderr)
                    actual = {out.rstrip() for out in done.stdout.splitlines()}
                    for want in expected:
                        assert want.rstrip() in actual, (command, want)
                        checked += 1
                command, expected = line[2:], []
            elif line.strip() and line.strip() != "…":
                expected.append(line)
    assert checked >= 20


def test_pilots_and_feedback_appear_on_the_edition_and_province_pages(workplan_build: Path, tmp_path: Path) -> None:
    """The published site shows, on an edition's page, the pilots applying it and its feedback,
    and on a province's page its pilots and feedback, each linked."""
    import html
    import re

    done = run_stdkg("publish", str(workplan_build), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr

    def text(page: Path) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())

    edition = text(tmp_path / "site" / "standard" / "GB-T-35796-2017.html")
    assert "应用本标准的试点 / pilots applying it" in edition and "（测试）养老服务标准化试点甲" in edition
    assert "实施反馈 / implementation feedback (3)" in edition
    assert "（测试）服务质量指标落后于现行政策" in edition  # feedback is named by its text, not its IRI's hash
    province = text(tmp_path / "site" / "vocab" / "region-330000.html")
    assert "local standards, pilots and feedback of this region" in province
    assert "（测试）养老服务标准化试点甲" in province and "（测试）公共文化综合试点乙" in province
