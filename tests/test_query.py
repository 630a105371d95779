"""`stdkg query` on the embedded store: every library query with an asserted answer on the bundled
build, parameter binding (kinds, errors, hostile values), network refusal, output formats."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result as RdflibResult

from conftest import FIXTURES, invoke, run_stdkg
from stdkg import sparql
from stdkg.queries import find_query, library, read_query
from stdkg.store import open_store

# name → (parameters, columns, expected rows of those columns, in the query's order).
# Values are plain strings (numbers as their lexical form); None = unbound (unknown / none).
EXPECTED: dict[str, tuple[dict[str, str], tuple[str, ...], list[tuple[str | None, ...]]]] = {
    "standards_in_domain": ({"domain": "老有所养"}, ("number", "status_zh"), [
        ("GB 38600-2019", None), ("GB/T 35796-2017", None), ("GB/T 42195-2022", None), ("GB/T 43153-2023", None),
        ("GB/Z 45152-2024", None), ("JGJ 450-2018", None), ("MZ/T 032-2012", None), ("MZ/T 039-2013", None),
        ("MZ/T 170-2021", "现行"), ("MZ/T 188-2021", None), ("WS/T 802-2022", None)]),
    "standards_for_service_item": ({"item": "公共体育设施开放"}, ("number", "title_zh", "level_zh", "status_zh"), [
        ("DB3301/T 0193-2018", "中小学校体育场地对外开放管理规范", "地方标准", None)]),
    "standards_by_committee": ({"committee": "SAC/TC 389"}, ("number", "responsible_zh"), [
        ("GB/T 28220-2023", "全国图书馆标准化技术委员会"), ("GB/T 40987.2-2021", "全国图书馆标准化技术委员会"),
        ("WH/T 70.4-2015", "全国图书馆标准化技术委员会"), ("WH/T 87.1-2019", "全国图书馆标准化技术委员会"),
        ("WH/T 87.3-2019", "全国图书馆标准化技术委员会")]),
    "standards_with_status": ({"status": "现行"}, ("number",), [
        ("DB31/T 685-2019",), ("DB43/T 2981-2024",), ("GB/T 28220-2023",), ("GB/T 31596.3-2023",), ("GB/T 33528-2017",),
        ("GB/T 40987.1-2021",), ("GB/T 40987.3-2021",), ("MZ/T 170-2021",), ("WH/T 70.4-2015",), ("WH/T 87.1-2019",),
        ("WH/T 87.3-2019",)]),
    "standards_at_level": ({"level": "national"}, ("number", "nature_zh", "status_zh"), [
        ("GB 19272-2011", "强制性", None), ("GB 38600-2019", "强制性", None), ("GB 50763-2012", "强制性", None),
        ("GB/T 10001.9-2021", "推荐性", None), ("GB/T 28220-2011", "推荐性", "废止"), ("GB/T 28220-2023", "推荐性", "现行"),
        ("GB/T 31596.3-2023", "推荐性", "现行"), ("GB/T 33528-2017", "推荐性", "现行"), ("GB/T 33531-2017", "推荐性", None),
        ("GB/T 34290", "推荐性", None), ("GB/T 34419", "推荐性", None), ("GB/T 35796-2017", "推荐性", None),
        ("GB/T 36720-2018", "推荐性", None), ("GB/T 37668-2019", "推荐性", None), ("GB/T 40987.1-2021", "推荐性", "现行"),
        ("GB/T 40987.2-2021", "推荐性", None), ("GB/T 40987.3-2021", "推荐性", "现行"), ("GB/T 42195-2022", "推荐性", None),
        ("GB/T 43153-2023", "推荐性", None), ("GB/Z 45152-2024", "指导性技术文件", None)]),
    "items_without_current_standard": ({}, ("item_zh", "standards", "status_unknown", "gap"), [
        *[(item, "0", "0", "no-standard") for item in (
            "健康教育与健康素养促进", "农村危房改造", "增补叶酸预防神经管缺陷服务", "少数民族文化服务", "收听广播",
            "残疾人文化体育服务", "生育保险", "观看电视", "优待抚恤", "特殊群体集中供养", "退役军人安置", "退役军人就业创业服务",
            "劳动关系协调", "失业保险", "就业信息服务", "中等职业教育国家助学金", "义务教育阶段免除学杂费",
            "农村义务教育学生营养膳食补助", "学前教育幼儿资助", "贫困地区学生营养膳食补助", "农村免费孕前优生健康检查",
            "困境儿童保障", "孕产妇健康服务", "预防接种", "全民健身服务", "城乡居民基本医疗保险", "建立居民健康档案",
            "计划生育家庭特别扶助")],
        ("公共体育设施开放", "1", "1", "status-unknown")]),
    "editions_replaced_between": ({"from": "2023-01-01", "to": "2023-12-31"},
                                  ("old_number", "new_number", "replaced_on", "basis"), [
        ("GB/T 28220-2011", "GB/T 28220-2023", "2023-07-01", "implemented")]),
    "edition_references": ({"standard": "DB31/T 685-2019"}, ("cited_number", "dated", "applies_number", "resolution"), [
        ("DB31/T 329.21-2019", "true", "DB31/T 329.21-2019", "dated"), ("DB31/T 684", "false", None, "no-edition-known"),
        ("GB/T 10001.1", "false", None, "no-edition-known"),
        ("GB/T 10001.9", "false", "GB/T 10001.9-2021", "status-unknown"),
        ("JGJ 450-2018", "true", "JGJ 450-2018", "dated"), ("MZ/T 032-2012", "true", "MZ/T 032-2012", "dated")]),
    "referenced_by": ({"standard": "GB/T 33528-2017"}, ("citing_number", "kind", "cited_number", "via"), [
        ("GB/T 33531-2017", "normative", "GB/T 33528", "work")]),
    "local_counterparts": ({"standard": "GB/T 42195-2022"}, ("relation", "province_zh", "region_zh", "local_number"), [
        ("thematic", "内蒙古自治区", "内蒙古自治区", "DB15/T 3017-2023"), ("thematic", "山西省", "山西省", "DB14/T 2149-2020"),
        ("thematic", "湖南省", "湖南省", "DB43/T 2981-2024"), ("thematic", "陕西省", "西安市", "DB6101/T 3126-2022")]),
    "local_standards_in_province": ({"province": "陕西省"}, ("province_zh", "region_zh", "number"), [
        ("陕西省", "西安市", "DB6101/T 3126-2022"), ("陕西省", "西安市", "DB6101/T 3175-2023")]),
    "committees_and_items": ({}, ("code", "committee_zh", "domain_zh", "standards"), [
        ("SAC/TC 389", "全国图书馆标准化技术委员会", "文体服务保障", "5"),
        ("SAC/TC 315", "全国社会福利服务标准化技术委员会", "老有所养", "3"),
        (None, "全国服务标准化技术委员会", "老有所养", "1"), (None, "内蒙古自治区民政厅", None, "1"),
        (None, "国家体育总局", None, "1"), (None, "山西省民政标准技术委员会", None, "1"), (None, "徐州市民政局", None, "1"),
        (None, "民政部", "老有所养", "1"), (None, "湖南省养老服务标准化技术委员会", None, "1"), (None, "珠海市民政局", None, "1"),
        ("SAC/TC 292", "全国人力资源服务标准化技术委员会", "劳有所得", "1"),
        ("SAC/TC 474", "全国社会保险标准化技术委员会", "劳有所得", "1")]),
    "due_for_review": ({"as_of": "2025-01-01"}, ("review", "number", "status_zh", "since", "years"), [
        ("due", "WH/T 70.4-2015", "现行", "2015-04-01", "9"), ("due", "GB/T 33528-2017", "现行", "2017-09-01", "7"),
        ("due", "GB/T 33531-2017", None, "2017-10-01", "7"), ("due", "DB3301/T 0193-2018", None, "2018-07-20", "6"),
        ("due", "JGJ 450-2018", None, "2018-10-01", "6"), ("due", "GB/T 36720-2018", None, "2019-04-01", "5"),
        ("due", "WH/T 87.1-2019", "现行", "2019-09-04", "5"), ("due", "WH/T 87.3-2019", "现行", "2019-09-04", "5"),
        *[("date-unknown", number, status, None, None) for number, status in (
            ("DB50/T 706-2025", None), ("DB6101/T 3175-2023", None), ("GB 19272-2011", None), ("GB 50763-2012", None),
            ("GB/T 10001.9-2021", None), ("GB/T 31596.3-2023", "现行"), ("GB/T 35796-2017", None),
            ("GB/T 40987.3-2021", "现行"), ("GB/T 42195-2022", None), ("GB/T 43153-2023", None), ("LD/T 3002-2023", None),
            ("MZ/T 032-2012", None), ("MZ/T 039-2013", None))]]),
    "adopted_international": ({}, ("number", "international_number", "degree"), []),  # the bundled data has none
    "title_search": ({"text": "图书馆"}, ("number", "in_system"), [
        ("GB/T 28220-2011", "true"), ("GB/T 28220-2023", "true"), ("GB/T 36720-2018", "true"),
        ("GB/T 40987.1-2021", "true"), ("GB/T 40987.2-2021", "true"), ("GB/T 40987.3-2021", "true"),
        ("WH/T 70.4-2015", "true"), ("WH/T 87.1-2019", "true"), ("WH/T 87.3-2019", "true")]),
    "edition_history": ({"standard": "GB/T 28220"}, ("number", "status_zh", "replaces_number", "replaced_by_number"), [
        ("GB/T 28220-2011", "废止", None, "GB/T 28220-2023"), ("GB/T 28220-2023", "现行", "GB/T 28220-2011", None)]),
    "external_references": ({}, ("number", "cited_by"), [
        ("GB/T 10001.1", "2"), ("DB31/T 329.21-2019", "1"), ("DB31/T 684", "1"), ("GB 50462", "1"), ("GB/T 13191", "1"),
        ("GB/T 19038", "1"), ("GB/T 19039", "1"), ("GB/T 33527", "1"), ("GB/T 33532", "1"), ("GB/T 33534", "1"),
        ("GB/T 33535", "1"), ("GB/T 33553", "1"), ("ISO 2709", "1"), ("WH/T 22", "1"), ("WS/T 484", "1")]),
    "cites_withdrawn_editions": ({}, ("citing_number", "cited_number"), []),  # none in the bundled data
    "catalogue_overview": ({}, ("domains", "categories", "items", "unplaced_items"), [("9", "22", "29", "22")]),
    "graph_overview": ({}, ("standards", "editions", "works", "external_stubs"), [("41", "39", "40", "16")]),
    "standards_by_domain": ({}, ("domain_zh", "standards"), [
        ("幼有所育", "0"), ("学有所教", "0"), ("劳有所得", "3"), ("病有所医", "1"), ("老有所养", "11"), ("住有所居", "0"),
        ("弱有所扶", "3"), ("优军服务保障", "0"), ("文体服务保障", "12")]),
    "standards_by_level": ({}, ("level_zh", "standards"), [("国家标准", "20"), ("行业标准", "11"), ("地方标准", "10")]),
    "standards_by_status": ({}, ("status_zh", "standards"), [(None, "29"), ("现行", "11"), ("废止", "1")]),
    "unplaced_service_items": ({}, ("item_zh", "domain_zh"), [
        ("健康教育与健康素养促进", None), ("农村危房改造", None), ("增补叶酸预防神经管缺陷服务", None), ("少数民族文化服务", None),
        ("收听广播", None), ("残疾人文化体育服务", None), ("生育保险", None), ("观看电视", None), ("劳动关系协调", "劳有所得"),
        ("失业保险", "劳有所得"), ("就业信息服务", "劳有所得"), ("中等职业教育国家助学金", "学有所教"),
        ("义务教育阶段免除学杂费", "学有所教"), ("农村义务教育学生营养膳食补助", "学有所教"), ("学前教育幼儿资助", "学有所教"),
        ("贫困地区学生营养膳食补助", "学有所教"), ("困境儿童保障", "幼有所育"), ("孕产妇健康服务", "幼有所育"),
        ("预防接种", "幼有所育"), ("城乡居民基本医疗保险", "病有所医"), ("建立居民健康档案", "病有所医"),
        ("计划生育家庭特别扶助", "病有所医")]),
}
# CONSTRUCT queries: name → (parameters, triples that must be in the answer, number of triples).
EXPECTED_GRAPHS = {
    "standard_description": ({"standard": "GB/T 28220-2023"}, [
        ("https://w3id.org/stdkg/standard/GB-T-28220-2023", "https://w3id.org/stdkg/ontology#status",
         "https://w3id.org/stdkg/vocab/status-current"),
        ("https://w3id.org/stdkg/standard/GB-T-28220-2023", "http://purl.org/dc/terms/replaces",
         "https://w3id.org/stdkg/standard/GB-T-28220-2011"),
        ("https://w3id.org/stdkg/vocab/status-current", "http://www.w3.org/2004/02/skos/core#prefLabel", "现行")], 35),
}
HOSTILE = ['" } UNION { ?s ?p ?o } #', "'; DROP ALL; '", 'line one\nline two\r\n', "tab\there", "back\\slash\\",
           '\\" } #', '}}}{{{', '"""', "'''", '<http://evil.example/> .', "# not a comment", "SERVICE <http://127.0.0.1:9/> { }",
           "\x00\x07\x1f control", "😀 中文 ＧＢ／Ｔ"]


def flat(text: str) -> str:
    """Output with line wrapping undone (rich wraps long error messages to the terminal width)."""
    return " ".join(text.split())


def args_for(params: dict[str, str]) -> list[str]:
    return [arg for name, value in params.items() for arg in ("--param", f"{name}={value}")]


def rows_of(output: str) -> tuple[list[str], list[dict[str, str | None]]]:
    """Variables and rows (plain values, None when unbound) of SPARQL JSON results."""
    document = json.loads(output)
    names = document["head"]["vars"]
    return names, [{n: b[n]["value"] if n in b else None for n in names} for b in document["results"]["bindings"]]


def query_json(name: str, graph: Path, params: dict[str, str], *extra: str) -> tuple[list[str], list[dict[str, str | None]]]:
    result = invoke("query", name, str(graph), *args_for(params), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return rows_of(result.stdout)  # notes go to stderr, which click's runner mixes into .output


def project(rows: list[dict[str, str | None]], columns: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    return [tuple(row[c] for c in columns) for row in rows]


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/query_standards.csv built with the bundled catalogue: declared counterparts, adoptions …"""
    out = tmp_path_factory.mktemp("query-fixture")
    result = run_stdkg("build", "--input", str(FIXTURES / "query_standards.csv"), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


# ------------------------------------------------------------------------------- the library

def test_every_library_query_has_an_expected_answer() -> None:
    # queries/analysis/ back `stdkg analyze`, queries/diff/ `stdkg diff`; test_analyze.py and test_diff.py pin
    # their answers; queries/progress/ and queries/workplan/ are pinned by tests/test_workplan.py on a fixture build.
    names = {q.name for q in library()
             if q.path.parent.name not in {"checks", "analysis", "diff", "progress", "workplan"}}
    assert names == set(EXPECTED) | set(EXPECTED_GRAPHS)
    assert len(names) >= 15 + 6  # at least 15 questions beside the six summary reports


def test_every_query_has_a_full_header_and_a_runnable_example() -> None:
    for q in library():
        assert q.title and " / " in q.title, q.path  # bilingual title
        for field in ("Question", "Parameters", "Returns", "Example"):
            assert q.header.get(field), f"{q.path}: no '# {field}:' line"
        example = shlex.split(q.header["Example"])
        assert example[:3] == ["stdkg", "query", q.name], q.path
        given = sparql.parse_assignments([v for flag, v in zip(example, example[1:]) if flag in ("--param", "-p")])
        declared = sparql.declared_parameters(q)
        assert set(given) == {p.name for p in declared if not p.optional}, q.path
        if q.name in EXPECTED:
            assert given == EXPECTED[q.name][0], f"{q.path}: the example and the test should ask the same"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_query_answers_on_the_bundled_build(name: str, bundled_build: Path) -> None:
    params, columns, expected = EXPECTED[name]
    names, rows = query_json(name, bundled_build, params)
    assert set(columns) <= set(names)
    assert project(rows, columns) == expected


def test_construct_query_answers_in_turtle(bundled_build: Path) -> None:
    params, must, count = EXPECTED_GRAPHS["standard_description"]
    result = invoke("query", "standard_description", str(bundled_build), *args_for(params))
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.output, format="turtle")
    assert len(graph) == count
    for s, p, o in must:
        assert (URIRef(s), URIRef(p), URIRef(o) if o.startswith("http") else Literal(o, lang="zh")) in graph
    again = invoke("query", "standard_description", str(bundled_build), *args_for(params), "--format", "turtle")
    assert again.output == result.output  # deterministic


def test_unknown_status_is_not_current(bundled_build: Path) -> None:
    """A standard with no status triple is unknown: listed under 'unknown', never under 现行."""
    _, unknown = query_json("standards_with_status", bundled_build, {"status": "unknown"})
    _, current = query_json("standards_with_status", bundled_build, {"status": "current"})
    _, by_status = query_json("standards_by_status", bundled_build, {})
    assert len(unknown) == 29 == int(next(r["standards"] for r in by_status if r["status"] is None))
    assert {r["number"] for r in current} == {n for (n,) in EXPECTED["standards_with_status"][2]}
    assert not {r["number"] for r in unknown} & {r["number"] for r in current}
    _, chinese = query_json("standards_with_status", bundled_build, {"status": "未知"})
    assert chinese == [{**r, "status": "未知"} for r in unknown]


def test_names_in_chinese_english_and_codes(bundled_build: Path) -> None:
    _, zh = query_json("standards_at_level", bundled_build, {"level": "国家标准"})
    _, en = query_json("standards_at_level", bundled_build, {"level": "National Standard"})
    assert [r["number"] for r in zh] == [r["number"] for r in en] == [n for n, *_ in EXPECTED["standards_at_level"][2]]
    _, tagged = query_json("standards_in_domain", bundled_build, {"domain": "老有所养@zh"})
    assert [r["number"] for r in tagged] == [n for n, _ in EXPECTED["standards_in_domain"][2]]
    _, english = query_json("standards_in_domain", bundled_build, {"domain": "老有所养@en"})
    assert english == []  # a langstring parameter matches the label in its language only
    _, by_name = query_json("standards_by_committee", bundled_build, {"committee": "全国图书馆标准化技术委员会"})
    assert [r["number"] for r in by_name] == [n for n, _ in EXPECTED["standards_by_committee"][2]]
    _, short = query_json("local_standards_in_province", bundled_build, {"province": "陕西"})
    _, code = query_json("local_standards_in_province", bundled_build, {"province": "DB61"})
    assert [r["number"] for r in short] == [r["number"] for r in code] == ["DB6101/T 3126-2022", "DB6101/T 3175-2023"]


def test_relations_the_bundled_data_lacks_on_the_fixture_table(fixture_build: Path) -> None:
    """Declared counterparts apart from thematic ones, adoptions with and without a degree, a dated
    citation of a replaced edition, an undated one resolved to the current edition."""
    _, rows = query_json("local_counterparts", fixture_build, {"standard": "GB/T 42195"})
    assert project(rows, ("relation", "province_zh", "local_number", "counterpart_of")) == [
        ("declared", "山西省", "DB14/T 2149-2020", "GB/T 42195-2022"), ("declared", "湖南省", "DB43/T 2981-2024", "GB/T 42195"),
        ("thematic", "陕西省", "DB6101/T 3126-2022", "GB/T 42195-2022")]
    _, rows = query_json("adopted_international", fixture_build, {})
    assert project(rows, ("number", "international_number", "degree", "degree_zh")) == [
        ("GB/T 37668-2019", "ISO/IEC 40500:2012", "NEQ", "非等效采用"), ("GB/T 40987.1-2021", "ISO 2789:2013", None, None)]
    _, rows = query_json("cites_withdrawn_editions", fixture_build, {})
    assert project(rows, ("citing_number", "cited_number", "cited_status_zh", "replaced_by_number")) == [
        ("WH/T 87.1-2019", "GB/T 28220-2011", "废止", "GB/T 28220-2023")]
    _, rows = query_json("edition_references", fixture_build, {"standard": "WH/T 87.1-2019"})
    assert project(rows, ("kind", "cited_number", "applies_number", "applies_status_zh", "resolution")) == [
        ("informative", "ISO 2789", "ISO 2789:2013", None, "status-unknown"),
        ("normative", "GB/T 28220", "GB/T 28220-2023", "现行", "current"),
        ("normative", "GB/T 28220-2011", "GB/T 28220-2011", "废止", "dated")]
    _, rows = query_json("editions_replaced_between", fixture_build, {"from": "2023-07-01", "to": "2023-07-01"})
    assert project(rows, ("old_number", "replaced_on", "basis")) == [("GB/T 28220-2011", "2023-07-01", "abolished")]
    _, rows = query_json("editions_replaced_between", fixture_build, {"from": "2023-07-02", "to": "2030-01-01"})
    assert rows == []
    _, rows = query_json("referenced_by", fixture_build, {"standard": "GB/T 28220"})
    assert project(rows, ("citing_number", "cited_number", "via")) == [
        ("WH/T 87.1-2019", "GB/T 28220", "this"), ("WH/T 87.1-2019", "GB/T 28220-2011", "edition")]
    _, rows = query_json("due_for_review", fixture_build, {"as_of": "2024-09-04"})
    assert project(rows, ("review", "number", "years")) == [
        ("due", "WH/T 87.1-2019", "5"), ("date-unknown", "GB/T 42195-2022", None)]
    _, rows = query_json("due_for_review", fixture_build, {"as_of": "2024-09-03"})
    assert project(rows, ("review", "number")) == [("date-unknown", "GB/T 42195-2022")]


def test_standard_parameters_mint_the_graphs_iris(bundled_build: Path) -> None:
    store = open_store(bundled_build)
    for text in ("GB/T 28220-2023", "GB/T28220—2023", "ＧＢ／Ｔ　28220-2023", "GB/T 28220", "DB31/T 685-2019", "GB/T 40987.1-2021"):
        iri = sparql.standard_iri(text)
        assert any(store.quads_for_pattern(iri, None, None)), text


# ------------------------------------------------------------------------------- parameters

def test_query_list_shows_every_query_with_its_question() -> None:
    result = invoke("query", "--list")
    assert result.exit_code == 0, result.output
    for q in library():
        assert q.name in result.output
    listed = json.loads(invoke("query", "--list", "--format", "json").output)
    assert [entry["name"] for entry in listed] == [q.name for q in library()]
    for entry in listed:
        assert entry["question"] and entry["title"]
    edition = next(e for e in listed if e["name"] == "editions_replaced_between")
    assert [(p["name"], p["kind"]) for p in edition["parameters"]] == [("from", "date"), ("to", "date")]


@pytest.mark.parametrize(("args", "message"), [
    (["due_for_review"], "missing parameter: --param as_of"),
    (["due_for_review", "-p", "as_of=2025-13-01"], "parameter as_of must be a date"),
    (["due_for_review", "-p", "as_of=1 January 2025"], "parameter as_of must be a date"),
    (["edition_references", "-p", "standard=not a number"], "parameter standard must be a standard number"),
    (["title_search", "-p", "text=x", "-p", "colour=red"], "declares no parameter colour"),
    (["title_search", "-p", "text"], "a parameter is written name=value"),
    (["title_search", "-p", "text=a", "-p", "text=b"], "given twice"),
    (["no_such_query"], "no query named 'no_such_query'"),
    (["standard_description", "-p", "standard=GB/T 28220-2023", "--format", "csv"], "use --format turtle"),
    (["title_search", "-p", "text=x", "--format", "turtle"], "--format turtle is for CONSTRUCT"),
])
def test_wrong_use_is_a_clear_error_exit_2(args: list[str], message: str, bundled_build: Path) -> None:
    result = invoke("query", args[0], str(bundled_build), *args[1:])
    assert result.exit_code == 2
    assert message in flat(result.output)
    assert "Traceback" not in result.output


def test_parameter_kinds() -> None:
    def kind(name: str) -> sparql.Parameter:
        return sparql.Parameter("p", name)

    assert sparql.term_for(kind("integer"), "+42") == ox.Literal("42", datatype=ox.NamedNode(sparql.XSD + "integer"))
    assert sparql.term_for(kind("date"), "2024-02-29") == ox.Literal("2024-02-29", datatype=ox.NamedNode(sparql.XSD + "date"))
    assert sparql.term_for(kind("langstring"), "图书馆@zh") == ox.Literal("图书馆", language="zh")
    assert sparql.term_for(kind("langstring"), "a@b@EN") == ox.Literal("a@b", language="en")
    zh = sparql.Parameter("p", "langstring", language="zh")
    assert sparql.term_for(zh, "老有所养") == ox.Literal("老有所养", language="zh")
    assert sparql.term_for(zh, "someone@example.org") == ox.Literal("someone@example.org", language="zh")
    assert sparql.term_for(zh, "elderly care@en") == ox.Literal("elderly care", language="en")
    assert sparql.term_for(kind("iri"), "stdv:status-current") == ox.NamedNode("https://w3id.org/stdkg/vocab/status-current")
    assert sparql.term_for(kind("iri"), "<https://example.org/x>") == ox.NamedNode("https://example.org/x")
    assert sparql.term_for(kind("standard"), "gbt 28220-2023", "http://ex.org/") == ox.NamedNode("http://ex.org/standard/GB-T-28220-2023")
    for name, bad in (("integer", "4.2"), ("date", "2023-02-29"), ("langstring", "no tag"), ("iri", "not an iri"),
                      ("iri", "<https://x.org/a b>"), ("standard", "GB/T")):
        with pytest.raises(sparql.StdkgError):
            sparql.term_for(kind(name), bad)


# ---------------------------------------------------------------- binding never changes the query

@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_bound_not_pasted(value: str, bundled_build: Path) -> None:
    """The value reaches the query unchanged and the query around it stays the same text."""
    text = find_query("title_search").text
    bound = sparql.with_values(text, {"text": ox.Literal(value)}, "SELECT")
    at = sparql.where_position(text, "SELECT")
    block = sparql.values_block({"text": ox.Literal(value)})
    assert bound == f"{text[:at]} {block} {text[at:]}"  # the query text is untouched around the block
    if "\\" not in value:  # rdflib expands \u escapes before lexing (SPARQL 1.1 §19.2), Oxigraph does not
        data = parseQuery(bound)[1]["where"]["part"][0]
        assert data.name == "InlineData"
        assert [str(v) for v in data["var"]] == ["text"] and [[str(t["string"]) for t in row] for row in data["value"]] == [[value]]
    store = open_store(bundled_build)
    for binding in ("values", "substitute"):  # the VALUES block (as endpoints get it), and SEP-0007 substitution
        result = sparql.run_embedded(store, text, {"text": ox.Literal(value)}, binding=binding)
        assert result.rows == []
    echo = invoke("query", str(FIXTURES / "query_echo_param.rq"), str(bundled_build), "--param", f"text={value}",
                  "--format", "json")
    assert echo.exit_code == 0, echo.output
    _, rows = rows_of(echo.output)
    assert rows == [{"text": value, "length": str(len(value))}]
    ask = invoke("query", str(FIXTURES / "query_ask_title.rq"), str(bundled_build), "--param", f"text={value}", "--format", "json")
    assert json.loads(ask.output) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("name", sorted(n for n, (params, _, _) in EXPECTED.items() if params))
def test_substitution_and_values_bind_alike(name: str, bundled_build: Path) -> None:
    """Oxigraph's substitutions and the VALUES block give the same answer for every parameterised query."""
    query = find_query(name)
    bindings = sparql.bind(sparql.declared_parameters(query), EXPECTED[name][0])
    store = open_store(bundled_build)
    by_values = sparql.run_embedded(store, query.text, bindings, binding="values")
    by_substitution = sparql.run_embedded(store, query.text, bindings, binding="substitute")
    assert sparql.to_json(by_values) == sparql.to_json(by_substitution)
    assert by_values.rows


def test_values_block_lands_in_the_where_group() -> None:
    ask = read_query(FIXTURES / "query_ask_title.rq").text
    at = sparql.where_position(ask, "ASK")
    assert ask[:at].rstrip().endswith("ASK {")
    construct = find_query("standard_description").text
    at = sparql.where_position(construct, "CONSTRUCT")
    assert construct[:at].rstrip().endswith("WHERE {")
    text = 'SELECT ?x (EXISTS { ?a ?b "WHERE {" } AS ?e) # WHERE {\nFROM <urn:x:WHERE> WHERE {\n ?x ?p ?o }'
    assert text[:sparql.where_position(text, "SELECT")].endswith("FROM <urn:x:WHERE> WHERE {")
    with pytest.raises(sparql.StdkgError):
        sparql.where_position("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT")
    describe = sparql.with_values("DESCRIBE ?s", {"s": ox.NamedNode("urn:x:a")}, "DESCRIBE")
    assert describe == "DESCRIBE ?s\nVALUES (?s) { (<urn:x:a>) }\n"


def test_ask_title_true_on_a_real_title(bundled_build: Path) -> None:
    result = invoke("query", str(FIXTURES / "query_ask_title.rq"), str(bundled_build), "-p", "text=公共图书馆服务规范")
    assert result.exit_code == 0 and "是 / yes" in result.output


# -------------------------------------------------------------------------- network refusal

def test_service_is_refused_without_allow_service(bundled_build: Path) -> None:
    result = invoke("query", str(FIXTURES / "query_service.rq"), str(bundled_build))
    assert result.exit_code == 2
    assert "SERVICE http://127.0.0.1:9/sparql" in flat(result.output) and "--allow-service" in result.output


def test_service_in_a_subquery_or_exists_is_found_and_in_a_string_is_not(bundled_build: Path, tmp_path: Path) -> None:
    nested = tmp_path / "nested.rq"
    nested.write_text("SELECT * WHERE { ?s ?p ?o FILTER EXISTS { { SELECT ?s WHERE { SERVICE ?where { ?s ?p ?o } } } } }\n")
    result = invoke("query", str(nested), str(bundled_build))
    assert result.exit_code == 2 and "SERVICE ?where" in flat(result.output)
    harmless = tmp_path / "harmless.rq"
    harmless.write_text('# SERVICE <http://127.0.0.1:9/> in a comment\nSELECT ?t WHERE { BIND("SERVICE <http://127.0.0.1:9/> { }" AS ?t) }\n')
    result = invoke("query", str(harmless), str(bundled_build), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == 't\r\nSERVICE <http://127.0.0.1:9/> { }\r\n'


def test_remote_from_is_refused_and_a_local_named_graph_is_not(tmp_path: Path) -> None:
    remote = tmp_path / "remote.rq"
    remote.write_text("SELECT * FROM NAMED <http://127.0.0.1:9/graph.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }\n")
    data = tmp_path / "data.trig"
    data.write_text("<urn:x:g> { <urn:x:s> <urn:x:p> 1 . }\n<urn:x:s> <urn:x:p> 2 .\n")
    result = invoke("query", str(remote), str(data))
    assert result.exit_code == 2 and "FROM / FROM NAMED" in flat(result.output)
    local = tmp_path / "local.rq"
    local.write_text("SELECT ?o FROM <urn:x:g> WHERE { ?s ?p ?o }\n")
    result = invoke("query", str(local), str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == "o\r\n1\r\n"  # FROM picks the named graph, not the union


# ------------------------------------------------------------------------------------ output

def test_json_is_valid_sparql_results_json(bundled_build: Path) -> None:
    result = invoke("query", "edition_references", str(bundled_build), "-p", "standard=DB31/T 685-2019", "--format", "json")
    document = json.loads(result.output)
    assert set(document) == {"head", "results"} and set(document["results"]) == {"bindings"}
    for binding in document["results"]["bindings"]:
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode") and isinstance(term["value"], str)
    assert document["results"]["bindings"][0]["dated"] == {
        "type": "literal", "value": "true", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"}
    parsed = ox.parse_query_results(result.output.encode(), format=ox.QueryResultsFormat.JSON)
    assert [v.value for v in parsed.variables] == document["head"]["vars"] and len(list(parsed)) == 6
    assert len(RdflibResult.parse(source=io.StringIO(result.output), format="json")) == 6
    _, rows = rows_of(invoke("query", "title_search", str(bundled_build), "-p", "text=Public library", "--format", "json").output)
    assert [r["title"] for r in rows] == ["Public library service specifications", "Public library service specifications",
                                          "Public library professional work specifications—Part 1: Provincial public library"]


def test_csv_tsv_and_table(bundled_build: Path) -> None:
    args = ("query", "referenced_by", str(bundled_build), "-p", "standard=GB/T 33528-2017")
    csv_out = invoke(*args, "--format", "csv").stdout_bytes.decode()  # .output turns CRLF into LF
    assert csv_out.splitlines()[0] == "standard,citing,citing_number,citing_title_zh,kind,cited_number,via"
    assert csv_out.endswith("\r\n") and "GB/T 33531-2017,就业援助服务规范,normative,GB/T 33528,work" in csv_out
    tsv_out = invoke(*args, "--format", "tsv").output.splitlines()
    assert tsv_out[0].split("\t")[:3] == ["?standard", "?citing", "?citing_number"]
    assert '"就业援助服务规范"@zh' in tsv_out[1].split("\t")
    table = invoke(*args).output
    assert "GB/T 33531-2017" in table and "就业援助服务规范" in table
    assert "https://w3id.org" not in table  # numbers, not IRIs; the parameter is shown as given
    assert "standard = GB/T 33528-2017" in table and "1 行 / rows" in table


def test_query_runs_from_outside_the_repository(bundled_build: Path, tmp_path: Path) -> None:
    result = run_stdkg("query", "standards_by_level", str(bundled_build), "--format", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Counter(result.stdout.splitlines()[1:]) == Counter([
        "https://w3id.org/stdkg/vocab/level-national,国家标准,national standard,20",
        "https://w3id.org/stdkg/vocab/level-industry,行业标准,industry standard,11",
        "https://w3id.org/stdkg/vocab/level-local,地方标准,local standard,10"])


def test_a_name_that_is_nowhere_in_the_graph_is_pointed_out(bundled_build: Path) -> None:
    done = run_stdkg("query", "standards_in_domain", str(bundled_build), "--param", "domain=不存在的领域")
    assert done.returncode == 0
    assert "不在图谱中 / is not in the graph" in done.stderr and "不存在的领域" in done.stderr
    known = run_stdkg("query", "standards_in_domain", str(bundled_build), "--param", "domain=老有所养")
    assert "not in the graph" not in known.stderr


def test_a_reader_that_goes_away_ends_the_command_quietly(bundled_build: Path, tmp_path: Path) -> None:
    """`stdkg query … | head -1`: no 'internal error' once head has what it wants; 141 as after SIGPIPE."""
    everything = tmp_path / "everything.rq"
    everything.write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "stdkg", "query", str(everything), str(bundled_build)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(200)
    process.stdout.close()  # the table (over 300 kB) no longer fits the pipe: the next write breaks it
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and "internal error" not in error and "Traceback" not in error


def test_data_in_messages_is_printed_as_it_is(bundled_build: Path) -> None:
    """rich would print 'urn:x:nothing' as 'urn❌nothing' (an emoji code): consoles print data as it is."""
    done = run_stdkg("query", "urn:x:nothing", str(bundled_build))
    assert done.returncode == 2 and "'urn:x:nothing'" in " ".join(done.stderr.split())
