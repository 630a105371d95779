"""Loading tables: encodings, XLSX, JSON, platform field names, bad rows, another system."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

from stdkg.build import build
from stdkg.vocab import STDKG, STDV

from conftest import FIXTURES, REPO, run_stdkg

BASE = "https://w3id.org/stdkg/"
STANDARDS = REPO / "data" / "bps" / "standards.csv"


def graph_without_file_names(out: Path) -> Graph:
    """The built graph minus stdkg:sourceFile, the one triple per row that names the file's format."""
    graph = Graph().parse(out / "stdkg.nt", format="nt")
    graph.remove((None, STDKG.sourceFile, None))
    return graph


def build_input(path: Path, out: Path, *extra: str) -> dict[str, object]:
    done = run_stdkg("build", "--input", str(path), "--out", str(out), "--format", "json", *extra)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_utf8_bom_gbk_and_xlsx_give_isomorphic_graphs(tmp_path: Path) -> None:
    text = STANDARDS.read_text(encoding="utf-8")
    variants = {"utf-8": text.encode("utf-8"), "utf-8-bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
                "gbk": text.encode("gbk"), "gb18030": text.encode("gb18030")}
    graphs = {}
    for name, data in variants.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "standards.csv").write_bytes(data)
        report = build_input(folder / "standards.csv", tmp_path / f"out-{name}")
        assert report["rejected_rows"] == 0
        graphs[name] = graph_without_file_names(tmp_path / f"out-{name}")
    book = Workbook()
    sheet = book.active
    with open(STANDARDS, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            # Excel keeps full dates as date cells; month-only values stay text.
            sheet.append([dt.date.fromisoformat(c) if i and len(c) == 10 and c[4] == "-" else c for c in row])
    book.save(tmp_path / "standards.xlsx")
    assert build_input(tmp_path / "standards.xlsx", tmp_path / "out-xlsx")["rejected_rows"] == 0
    graphs["xlsx"] = graph_without_file_names(tmp_path / "out-xlsx")
    reference = graphs.pop("utf-8")
    assert len(reference) > 500
    for name, graph in graphs.items():
        assert isomorphic(reference, graph), name


def test_bad_rows_are_each_reported_precisely_and_good_rows_kept(tmp_path: Path) -> None:
    report = build_input(FIXTURES / "bad_rows.csv", tmp_path, "--strict")
    errors = [(p["row"], p["column"]) for p in report["problems"] if p["severity"] == "error"]
    assert errors == [(3, "标准号"), (4, "服务项目"), (5, "发布日期"), (6, "中文标准名称 / title_en"), (7, "标准号")]
    by_row = {p["row"]: p for p in report["problems"]}
    assert "GB/T 3792.x" in by_row[3]["en"] and by_row[3]["value"] == "GB/T 3792.x"
    assert "不存在的服务项目" in by_row[4]["zh"]
    assert by_row[5]["value"] == "2017-02-30" and "no such day" in by_row[5]["en"]
    assert "duplicate of row 2" in by_row[7]["en"]
    assert report["rejected_rows"] == 5
    assert {t["loaded"] for t in report["tables"] if t["file"] == "bad_rows.csv"} == {2}
    # --strict: the gate fails and no graph is written, but the report is.
    assert not (tmp_path / "stdkg.nt").exists() and (tmp_path / "build-report.json").exists()


def test_without_strict_good_rows_load_and_exit_is_zero(tmp_path: Path) -> None:
    done = run_stdkg("build", "--input", str(FIXTURES / "bad_rows.csv"), "--out", str(tmp_path))
    assert done.returncode == 0
    assert "第5行/row 5" in done.stdout and "发布日期" in done.stdout
    graph = Graph().parse(tmp_path / "stdkg.nt", format="nt")
    good = URIRef(BASE + "standard/WH-T-87.1-2019")
    assert graph.value(good, DCTERMS.issued) == Literal("2019-09-04", datatype=XSD.date)
    assert graph.value(good, STDKG.implementationDate) == Literal("2019-09-04", datatype=XSD.date)  # Excel serial
    assert (URIRef(BASE + "standard/GB-T-36720-2018"), RDF.type, STDKG.StandardEdition) not in graph


def test_strict_failure_keeps_the_previous_graph(tmp_path: Path) -> None:
    assert run_stdkg("build", "--out", str(tmp_path)).returncode == 0
    before = (tmp_path / "stdkg.nt").read_bytes()
    assert run_stdkg("build", "--input", str(FIXTURES / "bad_rows.csv"), "--out", str(tmp_path), "--strict").returncode == 1
    assert (tmp_path / "stdkg.nt").read_bytes() == before
    assert json.loads((tmp_path / "build-report.json").read_text(encoding="utf-8"))["graph_written"] is False


def test_platform_export_field_names_and_messy_numbers(tmp_path: Path) -> None:
    report = build_input(FIXTURES / "platform_export.csv", tmp_path, "--strict")
    assert report["rejected_rows"] == 0 and not [p for p in report["problems"] if p["severity"] == "error"]
    graph = Graph().parse(tmp_path / "stdkg.nt", format="nt")
    new, old = URIRef(BASE + "standard/GB-T-28220-2023"), URIRef(BASE + "standard/GB-T-28220-2011")
    assert graph.value(new, STDKG.status) == STDV["status-current"]
    assert graph.value(old, STDKG.status) == STDV["status-abolished"]
    assert graph.value(old, DCTERMS.identifier) == Literal("GB/T 28220-2011")
    committee = graph.value(new, STDKG.committee)
    assert committee == URIRef(BASE + "org/SAC-TC-389")  # same IRI the committees table gives
    assert graph.value(new, STDKG.ccsCode) == Literal("A14")


def test_platform_search_json(tmp_path: Path) -> None:
    report = build_input(FIXTURES / "platform_search.json", tmp_path, "--strict")
    assert report["tables"][-1]["loaded"] == 2
    graph = Graph().parse(tmp_path / "stdkg.nt", format="nt")
    edition = URIRef(BASE + "standard/GB-T-31596.3-2023")
    assert graph.value(edition, STDKG.committee) == URIRef(BASE + "org/SAC-TC-474")
    assert graph.value(URIRef(BASE + "standard/GB-T-33528-2017"), STDKG.nature) == STDV["nature-recommended"]


def test_unknown_columns_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    report = build_input(FIXTURES / "platform_export.csv", tmp_path)
    warnings = [p for p in report["problems"] if p["severity"] == "warning"]
    assert any("是否采标" in p["zh"] for p in warnings)


def test_a_table_no_mapping_knows_is_rejected_whole(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    (folder / "standards.csv").write_bytes(STANDARDS.read_bytes())
    report = build_input(folder, tmp_path / "out")  # found in a folder: reported, the rest loads
    problem = next(p for p in report["problems"] if p["file"] == "odd.csv")
    assert "no mapping recognises" in problem["en"] and "标准号/number" in problem["en"]
    named = run_stdkg("build", "--input", str(folder / "odd.csv"), "--out", str(tmp_path / "out2"))
    assert named.returncode == 2 and "odd.csv" in named.stderr  # named by the user: a usage error


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    table = tmp_path / "体系表.csv"
    table.write_bytes("基本公共服务标准体系表（2024）,,\n,,\n标准号,标准名称,来源\nGB/T 28220-2023,公共图书馆服务规范,x\n".encode("gbk"))
    report = build_input(table, tmp_path / "out", "--strict")
    entry = next(t for t in report["tables"] if t["file"] == "体系表.csv")
    assert entry["loaded"] == 1 and any("header found on row 3" in n for n in entry["notes"])


def test_xlsx_merged_cells_fill_every_row_they_span_and_numeric_dates_are_refused(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["标准号", "标准名称", "领域", "发布日期", "来源"])
    sheet.append(["GB/T 40987.1-2021", "公共图书馆业务规范 第1部分：省级公共图书馆", "文体服务保障", dt.date(2021, 11, 1), "x"])
    sheet.append(["GB/T 40987.2-2021", "公共图书馆业务规范 第2部分：市级公共图书馆", None, dt.date(2021, 11, 1), "x"])
    sheet.append(["GB/T 36720-2018", "公共图书馆少年儿童服务规范", "文体服务保障", 2018.09, "x"])
    sheet.merge_cells("C2:C3")
    book.save(tmp_path / "merged.xlsx")
    report = build_input(tmp_path / "merged.xlsx", tmp_path / "out")
    errors = [(p["row"], p["column"]) for p in report["problems"] if p["severity"] == "error"]
    assert errors == [(4, "发布日期")]  # 2018.09 is stored as 2018.9: refused, not read as September or 2018-09
    graph = Graph().parse(tmp_path / "out" / "stdkg.nt", format="nt")
    assert graph.value(URIRef(BASE + "standard/GB-T-40987.2-2021"), STDKG.domain) == URIRef(BASE + "bps/domain/9")


def test_mixed_encoding_file_is_a_clear_error(tmp_path: Path) -> None:
    table = tmp_path / "mixed.csv"
    table.write_bytes("标准号,中文标准名称\nGB/T 28220-2023,公共图书馆服务规范\n".encode("utf-8") + b"\xff\xfe\xfa\n")
    done = run_stdkg("build", "--input", str(table), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "mixed.csv" in done.stderr and "--encoding" in done.stderr and "Traceback" not in done.stderr


def test_another_standard_system_from_its_own_folder(tmp_path: Path) -> None:
    system = tmp_path / "evc"
    system.mkdir()
    (system / "system.yaml").write_text(
        "id: evc\ntitle: {zh: 电动汽车充电标准体系（测试）, en: EV charging standard system (test)}\n", encoding="utf-8")
    (system / "catalogue.csv").write_text(
        "domain_no,domain,category_no,category,source\n1,充电设施,1,传导充电,hand-made test catalogue\n", encoding="utf-8")
    (system / "standards.csv").write_text(
        "标准号,标准名称,领域,服务类别,来源\nGB/T 18487.1-2023,电动汽车传导充电系统 第1部分：通用要求,充电设施,传导充电,hand-made test row\n",
        encoding="utf-8")
    result = build(system_dir=system, out_dir=tmp_path / "out")
    assert result.rejected_rows == 0
    graph = Graph().parse(tmp_path / "out" / "stdkg.nt", format="nt")
    edition = URIRef(BASE + "standard/GB-T-18487.1-2023")
    assert graph.value(edition, STDKG.inSystem) == URIRef(BASE + "evc")
    assert graph.value(edition, STDKG.domain) == URIRef(BASE + "evc/domain/1")
    assert graph.value(edition, STDKG.partNumber) == Literal("1")
    assert graph.value(URIRef(BASE + "standard/GB-T-18487.1"), STDKG.partNumber) == Literal("1")
    assert not set(graph.subjects(RDF.type, STDKG.ServiceItem))  # no BPS catalogue leaks in


def test_a_users_full_catalogue_loads_with_the_same_loader(tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text("服务项目,领域,服务类别,来源\n测试项目甲,幼有所育,儿童健康服务,hand-made test row\n"
                     "测试项目乙,学有所教,儿童健康服务,hand-made test row\n", encoding="utf-8")
    report = build_input(items, tmp_path / "out")
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert [(p["row"], p["column"]) for p in errors] == [(3, "服务类别")]  # category not in that domain
    graph = Graph().parse(tmp_path / "out" / "stdkg.nt", format="nt")
    item = URIRef(BASE + "bps/item/%E6%B5%8B%E8%AF%95%E9%A1%B9%E7%9B%AE%E7%94%B2")
    assert (item, RDF.type, STDKG.ServiceItem) in graph


@pytest.mark.parametrize("value, expected", [("2012年5月1日", "2012-05-01"), ("2012/5/1", "2012-05-01")])
def test_chinese_and_slashed_dates(tmp_path: Path, value: str, expected: str) -> None:
    table = tmp_path / "t.csv"
    table.write_text(f"标准号,标准名称,发布日期,来源\nGB/T 28220-2011,公共图书馆服务规范,{value},x\n", encoding="gbk")
    build_input(table, tmp_path / "out", "--strict")
    graph = Graph().parse(tmp_path / "out" / "stdkg.nt", format="nt")
    assert graph.value(URIRef(BASE + "standard/GB-T-28220-2011"), DCTERMS.issued) == Literal(expected, datatype=XSD.date)


def test_rdf_files_merge_with_blank_nodes_skolemised_deterministically(tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text("""@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/stdkg/standard/GB-T-28220-2023> dcterms:source [ dcterms:title "hand-made test note" ] .
""", encoding="utf-8")
    outs = []
    for run in ("a", "b"):
        done = run_stdkg("build", "--input", str(STANDARDS), "--input", str(extra), "--out", str(tmp_path / run), "--strict")
        assert done.returncode == 0, done.stderr
        outs.append((tmp_path / run / "stdkg.nt").read_bytes())
    assert outs[0] == outs[1]
    graph = Graph().parse(tmp_path / "a" / "stdkg.nt", format="nt")
    note = graph.value(URIRef(BASE + "standard/GB-T-28220-2023"), DCTERMS.source)
    assert str(note) == BASE + ".well-known/genid/extra.ttl-1"
    assert (URIRef(BASE + "standard/GB-T-28220-2023"), DCTERMS.issued, None) in graph  # the table loaded too


def test_malformed_rdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "bad.ttl" in done.stderr and "Traceback" not in done.stderr


def test_unknown_province_code_is_rejected(tmp_path: Path) -> None:
    table = tmp_path / "db.csv"
    table.write_text("标准号,标准名称,来源\nDB99/T 900001-2020,合成测试标准,hand-made test row\n", encoding="utf-8")
    report = build_input(table, tmp_path / "out")
    assert [(p["row"], p["column"]) for p in report["problems"] if p["severity"] == "error"] == [(2, "标准号")]


def test_two_tables_with_one_stem_keep_their_provenance_apart(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("标准号,标准名称,来源\nGB/T 28220-2023,公共图书馆服务规范,a\n", encoding="utf-8")
    book = Workbook()
    book.active.append(["标准号", "标准名称", "来源"])
    book.active.append(["GB/T 36720-2018", "公共图书馆少年儿童服务规范", "b"])
    book.save(tmp_path / "t.xlsx")
    done = run_stdkg("build", "--input", str(tmp_path / "t.csv"), "--input", str(tmp_path / "t.xlsx"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0
    graph = Graph().parse(tmp_path / "out" / "stdkg.nt", format="nt")
    records = {str(graph.value(URIRef(BASE + "standard/" + slug), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))
               for slug in ("GB-T-28220-2023", "GB-T-36720-2018")}
    assert records == {BASE + "record/t.csv/2", BASE + "record/t.xlsx/2"}
