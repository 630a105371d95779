"""`stdkg analyze` and `stdkg impact`: every number on a small hand-made graph whose answers are
known (tests/fixtures/analysis/small.ttl, its README lists them), every query of
queries/analysis/ with its answer, the exact near-duplicate search, PageRank, and real gaps and
overlaps pinned on the bundled data."""

from __future__ import annotations

import datetime as dt
import json
import random
from itertools import combinations
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from conftest import FIXTURES, invoke
from stdkg import paths
from stdkg.analyze import analyze, run
from stdkg.analyze_deps import impact, pagerank
from stdkg.analyze_overlaps import near_duplicate_titles, title_tokens
from stdkg.queries import library
from stdkg.store import open_store

AS_OF = dt.date(2025, 10, 1)
SMALL = FIXTURES / "analysis" / "small.ttl"


def build_small(folder: Path) -> Path:
    """The fixture with the vocabularies a build carries (levels, statuses, types, regions), as N-Triples."""
    store = ox.Store()
    for path in (paths.ontology_dir() / "vocab.ttl", paths.ontology_dir() / "regions.ttl", SMALL):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    out = folder / "small.nt"
    with open(out, "wb") as f:
        store.dump(f, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small(tmp_path_factory.mktemp("analysis-small"))


@pytest.fixture(scope="module")
def small_doc(small: Path) -> dict:  # type: ignore[type-arg]
    return analyze(open_store(small), AS_OF, graph="small.nt")


@pytest.fixture(scope="module")
def bundled_doc(bundled_build: Path) -> dict:  # type: ignore[type-arg]
    return analyze(open_store(bundled_build), AS_OF, graph="build")


def short(value: object) -> object:
    """IRIs of the fixed schemes by their key ('status-current'); anything else as it is."""
    return value.rsplit("/", 1)[-1] if isinstance(value, str) and value.startswith("https://w3id.org/stdkg/vocab/") else value


# ------------------------------------------------------------------- every analysis query

# name → (parameters, columns, expected rows of those columns on the small graph, in order)
EXPECTED: dict[str, tuple[dict[str, str], tuple[str, ...], list[tuple[object, ...]]]] = {
    "coverage_by_item_and_type": ({}, ("item_zh", "type", "standards", "current", "upcoming", "planned", "status_unknown",
                                       "abolished", "local"), [
        ("合成项目一", "type-facilityResources", 1, 0, 0, 0, 1, 0, 0), ("合成项目一", "type-processQuality", 2, 2, 0, 0, 0, 0, 0),
        ("合成项目三", None, 0, 0, 0, 0, 0, 0, 0), ("合成项目二", "type-operationManagement", 1, 0, 0, 1, 0, 0, 0),
        ("合成项目二", "type-performanceEvaluation", 1, 0, 0, 0, 0, 1, 0), ("合成项目五", None, 1, 1, 0, 0, 0, 0, 0),
        ("合成项目五", "type-facilityResources", 1, 0, 1, 0, 0, 0, 0), ("合成项目四", None, 1, 0, 0, 0, 0, 0, 1)]),
    "standards_by_domain_and_type": ({}, ("domain_zh", "type", "standards", "national_industry", "current", "status_unknown"), [
        (None, None, 11, 6, 6, 0), ("合成领域甲", None, 1, 1, 1, 0), ("合成领域甲", "type-facilityResources", 1, 1, 0, 1),
        ("合成领域甲", "type-operationManagement", 1, 1, 0, 0), ("合成领域甲", "type-performanceEvaluation", 1, 1, 0, 0),
        ("合成领域甲", "type-processQuality", 2, 2, 2, 0), ("合成领域乙", None, 1, 1, 1, 0),
        ("合成领域乙", "type-facilityResources", 1, 1, 0, 0)]),
    "standards_classified": ({}, ("standards", "with_item", "with_type", "with_item_and_type", "with_domain",
                                  "national_industry", "ni_with_item", "ni_with_type", "ni_with_item_and_type"),
                             [(19, 8, 6, 6, 8, 14, 7, 6, 6)]),
    "planned_standards": ({}, ("number", "status", "item_zh", "type"), [
        ("GB/T 900004", "status-planned", "合成项目二", "type-operationManagement"),
        ("GB/T 900050-2026", "status-upcoming", "合成项目五", "type-facilityResources")]),
    "local_support_links": ({}, ("province_zh", "local_number", "local_status", "relation", "work_number", "target_number"), [
        ("北京市", "DB11/T 900010-2021", "status-current", "declared", "GB/T 900001", "GB/T 900001"),
        ("上海市", "DB31/T 900011-2022", "status-current", "declared", "GB/T 900001", "GB/T 900001-2020"),
        ("上海市", "DB31/T 900011-2022", "status-current", "thematic", "MZ/T 900002", "MZ/T 900002-2021"),
        ("浙江省", "DB3301/T 900012-2020", "status-abolished", "declared", "MZ/T 900002", "MZ/T 900002"),
        ("广东省", "DB44/T 900013-2023", None, None, None, None),
        ("广东省", "DB44/T 900014-2023", None, "thematic", "MZ/T 900002", "MZ/T 900002-2021")]),
    "standard_facts": ({}, ("number", "dated", "in_system", "stub", "status", "replaced", "committee_code", "item_zh"), [
        ("GB/T 900001-2020", True, True, False, "status-current", False, "SAC/TC 901", "合成项目一"),
        ("GB/T 900005-2010", True, True, False, "status-abolished", True, "SAC/TC 902", "合成项目二"),
        ("GB/T 900099", False, False, True, None, False, None, None)]),
    "reference_edges": ({}, ("citing_number", "cited_number", "dated", "cited_stub"), [
        ("GB/T 900001-2020", "GB/T 900003-2019", True, False), ("GB/T 900001-2020", "GB/T 900099", False, True),
        ("GB/T 900005-2022", "GB/T 900005-2010", True, False), ("GB/T 900007-2018", "GB/T 900005-2010", True, False),
        ("GB/T 900030-2020", "GB/T 900031", False, False), ("GB/T 900030-2020", "GB/T 900099", False, True),
        ("GB/T 900031-2020", "GB/T 900032-2020", True, False), ("GB/T 900032-2020", "GB/T 900030", False, False),
        ("MZ/T 900002-2021", "GB/T 900001", False, False), ("WH/T 900040-2022", "MZ/T 900002-2021", True, False)]),
    "same_item_and_type": ({}, ("item_zh", "type", "number", "level", "committee_code"), [
        ("合成项目一", "type-processQuality", "GB/T 900001-2020", "level-national", "SAC/TC 901"),
        ("合成项目一", "type-processQuality", "MZ/T 900002-2021", "level-industry", "SAC/TC 902")]),
    "committee_portfolios": ({}, ("committee_code", "item_zh", "domain_zh", "standards"), [
        ("SAC/TC 901", "合成项目一", "合成领域甲", 2), ("SAC/TC 901", "合成项目二", "合成领域甲", 1),
        ("SAC/TC 902", None, "合成领域甲", 1), ("SAC/TC 902", "合成项目一", "合成领域甲", 1),
        ("SAC/TC 903", "合成项目五", "合成领域乙", 1)]),
    "review_due_by_committee": ({"as_of": "2025-10-01"}, ("committee_code", "number", "status", "years", "review"), [
        (None, "GB/T 900020.1-2021", "status-current", 3, "not-due"), (None, "GB/T 900020.2-2021", "status-current", 3, "not-due"),
        (None, "DB11/T 900010-2021", "status-current", 4, "not-due"), (None, "DB31/T 900011-2022", "status-current", 3, "not-due"),
        (None, "WH/T 900040-2022", "status-current", 3, "not-due"),
        *[(None, n, s, None, "date-unknown") for n, s in (("DB44/T 900013-2023", None), ("DB44/T 900014-2023", None),
                                                          ("GB/T 900030-2020", "status-current"),
                                                          ("GB/T 900031-2020", "status-current"),
                                                          ("GB/T 900032-2020", "status-current"))],
        ("SAC/TC 901", "GB/T 900003-2019", None, 6, "due"), ("SAC/TC 901", "GB/T 900001-2020", "status-current", 5, "due"),
        ("SAC/TC 902", "MZ/T 900002-2021", "status-current", 4, "not-due"),
        ("SAC/TC 902", "GB/T 900005-2022", "status-current", 3, "not-due"),
        ("SAC/TC 903", "GB/T 900007-2018", "status-current", 7, "due")]),
}


def test_every_analysis_query_has_an_expected_answer() -> None:
    names = {q.name for q in library() if q.path.parent.name == "analysis"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_analysis_query_answers_on_the_small_graph(name: str, small: Path) -> None:
    params, columns, expected = EXPECTED[name]
    rows = run(open_store(small), name, **params)
    got = [tuple(short(row[c]) for c in columns) for row in rows]
    if name == "standard_facts":  # 40-odd rows: check the ones named
        got = [g for g in got if g[0] in {e[0] for e in expected}]
    elif name == "review_due_by_committee":  # the set of rows; their order is by committee, review, day, number
        got, expected = sorted(got, key=repr), sorted(expected, key=repr)
    elif name == "local_support_links":
        got = [g for g in got if g[1] is not None]
    assert got == expected


def test_analysis_queries_run_from_the_command_line(small: Path) -> None:
    """As the headers' examples say: stdkg query NAME GRAPH."""
    for name, (params, _, expected) in EXPECTED.items():
        args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
        result = invoke("query", name, str(small), *args, "--format", "json")
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.output)["results"]["bindings"]) >= len(expected)


# ------------------------------------------------------------------- numbers, small graph

def test_coverage_on_the_small_graph(small_doc: dict) -> None:  # type: ignore[type-arg]
    cov = small_doc["coverage"]
    assert cov["items"] == 5
    assert cov["item_states"] == {"covered": 2, "unknown": 0, "planned": 1, "local-only": 1, "gap": 0, "no-standard": 1}
    first, second, third = cov["domains"]
    assert (first["zh"], first["items"], first["item_rate"], first["cells"], first["covered_cells"], first["cell_rate"]) == \
        ("合成领域甲", 3, 0.3333, 12, 1, 0.0833)
    assert first["by_type"] == {
        "facilityResources": {"covered": 0, "unknown": 1, "planned": 0, "gap": 2},
        "processQuality": {"covered": 1, "unknown": 0, "planned": 0, "gap": 2},
        "operationManagement": {"covered": 0, "unknown": 0, "planned": 1, "gap": 2},
        "performanceEvaluation": {"covered": 0, "unknown": 0, "planned": 0, "gap": 3}}
    assert (second["zh"], second["items"], second["item_rate"], second["cell_rate"]) == ("合成领域乙", 2, 0.5, 0.0)
    assert second["by_type"]["facilityResources"] == {"covered": 0, "unknown": 0, "planned": 1, "gap": 1}
    assert (third["zh"], third["items"], third["item_rate"], third["cell_rate"]) == ("合成领域丙", 0, None, None)
    items = {i["zh"]: i for d in cov["domains"] for c in d["categories"] for i in c["items"]}
    assert {k: v["state"] for k, v in items.items()} == {
        "合成项目一": "covered", "合成项目二": "planned", "合成项目三": "no-standard", "合成项目四": "local-only",
        "合成项目五": "covered"}
    assert items["合成项目五"]["unplaced"] and items["合成项目五"]["cells"]["untyped"]["state"] == "covered"
    assert items["合成项目二"]["cells"]["performanceEvaluation"] == {
        "standards": 1, "current": 0, "upcoming": 0, "planned": 0, "status_unknown": 0, "abolished": 1, "local": 0, "state": "gap"}
    assert [i["zh"] for i in cov["no_standard_found"]] == ["合成项目三"]
    assert [(p["number"], p["status"]) for p in cov["planned"]] == [("GB/T 900004", "planned"), ("GB/T 900050-2026", "upcoming")]
    domain_types = {d["zh"]: d["types"] for d in cov["domain_types"]}
    assert domain_types["合成领域甲"]["processQuality"] == {"standards": 2, "national_industry": 2, "current": 2, "status_unknown": 0}
    assert domain_types["（未给出领域）"]["untyped"]["standards"] == 11


def test_local_support_on_the_small_graph(small_doc: dict) -> None:  # type: ignore[type-arg]
    local = small_doc["local_support"]
    assert (local["called_for"], local["local_standards"]) == (1, 5)
    shown = {p["zh"]: (p["local_standards"], p["with_declared"], p["thematic_only"], p["without_counterpart"], p["abolished"],
                       p["supported"], p["supporting_rate"], p["thematic_matches"])
             for p in local["provinces"] if p["local_standards"]}
    assert shown == {"北京市": (1, 1, 0, 0, 0, 1, 1.0, 0), "上海市": (1, 1, 0, 0, 0, 1, 1.0, 1),
                     "浙江省": (1, 0, 0, 0, 1, 0, 0.0, 0), "广东省": (2, 0, 1, 1, 0, 0, 0.0, 1)}
    assert len(local["provinces"]) == 34 and next(p for p in local["provinces"] if p["zh"] == "天津市")["supporting_rate"] == 0.0
    by_number = {s["number"]: s for s in local["standards"]}
    assert [(p["zh"], p["locals"]) for p in by_number["GB/T 900001"]["provinces"]] == [
        ("北京市", ["DB11/T 900010-2021"]), ("上海市", ["DB31/T 900011-2022"])]
    mz = by_number["MZ/T 900002"]  # declared only by an abolished local standard; thematic matches never count
    assert not mz["called_for"] and mz["provinces"] == []
    assert [p["zh"] for p in mz["thematic"]] == ["上海市", "广东省"]
    assert [u["number"] for u in local["without_declared_counterpart"]] == ["DB44/T 900013-2023", "DB44/T 900014-2023"]


def test_overlaps_on_the_small_graph(small_doc: dict) -> None:  # type: ignore[type-arg]
    over = small_doc["overlaps"]
    [group] = over["item_type"]
    assert (group["item_zh"], group["type"], group["levels"], len(group["committees"]), group["current"]) == \
        ("合成项目一", "processQuality", ["national", "industry"], 2, 2)
    titles = over["titles"]
    # Same title: A and B (national–industry). Not paired: E and F (one work), H1 and H2 (parts of one standard).
    assert [(p["a"]["number"], p["b"]["number"], p["similarity"], p["levels"]) for p in titles["pairs"]] == [
        ("GB/T 900001-2020", "MZ/T 900002-2021", 1.0, "national–industry")]
    assert titles["compared"] == 18 and titles["by_levels"] == {"national–industry": 1}
    [by_item] = over["committees"]["by_item"]
    assert (by_item["a"], by_item["b"], by_item["jaccard"], by_item["shared"]) == (
        "SAC/TC 901 全国合成第1标准化技术委员会", "SAC/TC 902 全国合成第2标准化技术委员会", 0.5, ["合成项目一"])
    [by_domain] = over["committees"]["by_domain"]
    assert (by_domain["jaccard"], by_domain["shared"]) == (1.0, ["合成领域甲"])


def test_dependencies_on_the_small_graph(small_doc: dict) -> None:  # type: ignore[type-arg]
    deps = small_doc["dependencies"]
    assert (deps["references"], deps["dated_references"], deps["undated_references"], deps["works"], deps["edges"]) == \
        (10, 5, 5, 10, 9)
    # The cycle of three works that no mutual-reference rule sees; F citing E is a self-reference, not a cycle.
    assert deps["cycles"] == [{"works": ["GB/T 900030", "GB/T 900031", "GB/T 900032"], "size": 3,
                               "cycle": ["GB/T 900030", "GB/T 900031", "GB/T 900032", "GB/T 900030"]}]
    assert deps["self_references"] == ["GB/T 900005"]
    assert [(a["citing"]["number"], a["cited"]["number"], a["replaced_by"]) for a in deps["abolished_references"]] == [
        ("GB/T 900005-2022", "GB/T 900005-2010", ["GB/T 900005-2022"]),
        ("GB/T 900007-2018", "GB/T 900005-2010", ["GB/T 900005-2022"])]
    assert deps["dangling"] == {"references": 2, "stubs": [
        {"standard": "https://w3id.org/stdkg/standard/GB-T-900099", "number": "GB/T 900099", "title_zh": None, "title_en": None,
         "cited_by": 2}]}
    most = deps["most_depended_on"]
    assert (most[0]["number"], most[0]["in_degree"], most[0]["stub"]) == ("GB/T 900099", 2, True)
    assert [m["number"] for m in most[1:4]] == ["GB/T 900030", "GB/T 900032", "GB/T 900031"]  # in-degree 1, by PageRank
    assert deps["neighbourhoods"][0]["cited_by"][0]["number"] in {"GB/T 900001", "GB/T 900030"}


def test_review_due_on_the_small_graph(small_doc: dict) -> None:  # type: ignore[type-arg]
    review = small_doc["review"]
    assert (review["as_of"], review["due"], review["due_status_unknown"], review["not_due"], review["date_unknown"]) == \
        ("2025-10-01", 2, 1, 7, 5)
    rows = [(c["code"], c["editions"], c["due"], c["due_status_unknown"], c["date_unknown"]) for c in review["committees"]]
    assert rows == [("SAC/TC 901", 2, 1, 1, 0), ("SAC/TC 903", 1, 1, 0, 0), ("SAC/TC 902", 2, 0, 0, 0), (None, 10, 0, 0, 5)]
    tc901 = review["committees"][0]["due_editions"]
    assert [(e["number"], e["status"], e["years"]) for e in tc901] == [("GB/T 900001-2020", "current", 5),
                                                                    ("GB/T 900003-2019", "unknown", 6)]


def test_review_day_matters(small: Path) -> None:
    """A (implemented 2020-03-01) is due from 2025-03-01 on, not the day before."""
    store = open_store(small)
    from stdkg.analyze_local import review_due
    assert review_due(store, dt.date(2025, 3, 1))["due"] == 2
    assert review_due(store, dt.date(2025, 2, 28))["due"] == 1


# ---------------------------------------------------------------------------------- impact

@pytest.mark.parametrize(("number", "expected", "declared"), [
    # A is current: B cites its work undated (follows it), K cites B dated; two declared local counterparts.
    ("GB/T 900001-2020", [("MZ/T 900002-2021", 1, "undated", "GB/T 900001"), ("WH/T 900040-2022", 2, "dated", "MZ/T 900002-2021")],
     ["DB11/T 900010-2021", "DB31/T 900011-2022"]),
    # C's status is unknown (may be current): A cites it dated, then the chain above.
    ("GB/T 900003-2019", [("GB/T 900001-2020", 1, "dated", "GB/T 900003-2019"), ("MZ/T 900002-2021", 2, "undated", "GB/T 900001"),
                          ("WH/T 900040-2022", 3, "dated", "MZ/T 900002-2021")], []),
    # E is abolished: only dated references to it count.
    ("GB/T 900005-2010", [("GB/T 900005-2022", 1, "dated", "GB/T 900005-2010"), ("GB/T 900007-2018", 1, "dated", "GB/T 900005-2010")], []),
    # The work in the cycle: the cycle comes back to its own edition.
    ("GB/T 900031", [("GB/T 900030-2020", 1, "undated", "GB/T 900031"), ("GB/T 900032-2020", 2, "undated", "GB/T 900030"),
                     ("GB/T 900031-2020", 3, "dated", "GB/T 900032-2020")], []),
])
def test_impact_on_the_small_graph(small: Path, number: str, expected: list[tuple[object, ...]], declared: list[str]) -> None:
    doc = impact(open_store(small), number)
    got = [(a["number"], a["depth"], a["reference"], a["cites"]) for a in doc["direct"] + doc["transitive"]]
    assert got == expected
    assert [c["number"] for c in doc["local_counterparts"]["declared"]] == declared


def test_impact_summary_committees_and_items(small: Path) -> None:
    doc = impact(open_store(small), "GB/T 900001-2020")
    assert doc["summary"] == {"direct": 1, "direct_dated": 0, "direct_undated": 1, "transitive": 1, "possibly_in_force": 2,
                              "local_declared": 2, "local_thematic": 0, "committees": 2, "service_items": 2}
    assert doc["committees"] == [{"committee": "SAC/TC 901 全国合成第1标准化技术委员会", "standards": 1},
                                 {"committee": "SAC/TC 902 全国合成第2标准化技术委员会", "standards": 1}]
    assert doc["service_items"] == [{"item_zh": "合成项目一", "standards": 2}, {"item_zh": "合成项目四", "standards": 1}]
    assert impact(open_store(small), "GB/T 900001-2020", depth=1)["summary"]["transitive"] == 0


# ------------------------------------------------------------------ near duplicates, ranks

def test_title_tokens_are_character_bigrams() -> None:
    assert title_tokens("公共图书馆 第1部分") == {"公共", "共图", "图书", "书馆", "馆第", "第1", "1部", "部分"}
    assert title_tokens("ＩＳＯ　２７０９　图书") == {"iso\u00012709", "2709图", "图书"}  # full-width folded; runs are one symbol
    assert title_tokens("馆") == {"馆"}


def test_near_duplicate_search_is_exact() -> None:
    """The indexed search finds exactly the pairs a comparison of every pair finds."""
    rng = random.Random(7)
    stems = ["养老机构服务质量", "公共图书馆业务", "社区居家养老", "老年人能力评估", "就业援助服务", "无障碍设计"]
    ends = ["基本规范", "规范", "评价指南", "第1部分：省级", "第2部分：市级", "要求"]
    titles = [(str(i), rng.choice(stems) + rng.choice(["", "服务", "设施"]) + rng.choice(ends)) for i in range(120)]
    for threshold in (0.6, 0.8, 0.95):
        found = {(i, j) for i, j, _ in near_duplicate_titles(titles, threshold)}
        tokens = [title_tokens(t) for _, t in titles]
        brute = {(i, j) for i, j in combinations(range(len(titles)), 2)
                 if _cosine(tokens, i, j) >= threshold - 1e-9}
        assert found == brute and found


def _cosine(tokens: list[set[str]], i: int, j: int) -> float:
    import math
    n = len(tokens)
    df: dict[str, int] = {}
    for toks in tokens:
        for t in toks:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
    dot = sum(idf[t] ** 2 for t in tokens[i] & tokens[j])
    return dot / (math.sqrt(sum(idf[t] ** 2 for t in tokens[i])) * math.sqrt(sum(idf[t] ** 2 for t in tokens[j])))


def test_pagerank_is_networkx_pagerank() -> None:
    graph = nx.gnp_random_graph(60, 0.05, seed=3, directed=True)
    graph.add_node(99)  # an isolated, dangling node
    mine, theirs = pagerank(graph), nx.pagerank(graph, tol=1e-12)
    assert max(abs(mine[n] - theirs[n]) for n in graph) < 1e-8


# ------------------------------------------------------------------------ the bundled data

def test_real_gaps_on_the_bundled_data(bundled_doc: dict) -> None:  # type: ignore[type-arg]
    cov = bundled_doc["coverage"]
    found = {i["zh"] for i in cov["no_standard_found"]}
    assert {"农村免费孕前优生健康检查", "退役军人安置", "全民健身服务", "预防接种"} <= found
    assert len(found) == 28 and cov["item_states"]["local-only"] == 1  # 公共体育设施开放: one Hangzhou standard only
    assert cov["classified"]["standards"] == 41 and cov["classified"]["with_type"] == 0  # the report says so
    elder = next(d for d in cov["domains"] if d["zh"] == "老有所养")
    assert (elder["standards"], elder["items"], elder["item_rate"]) == (11, 0, None)  # standards, but no item in the catalogue


def test_real_overlaps_on_the_bundled_data(bundled_doc: dict) -> None:  # type: ignore[type-arg]
    pairs = [(p["a"]["number"], p["b"]["number"], p["levels"], p["similarity"]) for p in bundled_doc["overlaps"]["titles"]["pairs"]]
    assert ("GB/T 40987.1-2021", "WH/T 87.1-2019", "national–industry", 1.0) in pairs
    assert ("GB/T 40987.3-2021", "WH/T 87.3-2019", "national–industry", 1.0) in pairs
    assert not [p for p in pairs if {p[0], p[1]} == {"GB/T 28220-2011", "GB/T 28220-2023"}]  # two editions of one work
    shared = {(p["a"], p["b"]): p["shared"] for p in bundled_doc["overlaps"]["committees"]["by_domain"]}
    assert shared[("SAC/TC 292 全国人力资源服务标准化技术委员会", "SAC/TC 474 全国社会保险标准化技术委员会")] == ["劳有所得"]


def test_real_review_and_dependencies_on_the_bundled_data(bundled_doc: dict) -> None:  # type: ignore[type-arg]
    review = bundled_doc["review"]
    tc389 = next(c for c in review["committees"] if c["code"] == "SAC/TC 389")
    assert [e["number"] for e in tc389["due_editions"]] == ["WH/T 70.4-2015", "WH/T 87.1-2019", "WH/T 87.3-2019"]
    assert (review["due"], review["due_status_unknown"]) == (5, 5)
    deps = bundled_doc["dependencies"]
    assert deps["most_depended_on"][0]["number"] == "GB/T 10001.1" and deps["most_depended_on"][0]["in_degree"] == 2
    assert deps["cycles"] == [] and deps["abolished_references"] == []
    assert deps["dangling"]["references"] == 16 and len(deps["dangling"]["stubs"]) == 15
    local = bundled_doc["local_support"]
    assert local["called_for"] == 0  # the bundled local standards declare no counterpart: thematic matches only
    assert all(p["supporting_rate"] is None for p in local["provinces"])
    assert next(s for s in local["standards"] if s["number"] == "GB/T 42195")["thematic"][0]["zh"] == "山西省"


# ----------------------------------------------------------------------------------- CLI

def test_analyze_command_formats_and_report(bundled_build: Path, tmp_path: Path) -> None:
    result = invoke("analyze", str(bundled_build), "--as-of", "2025-10-01", "--format", "json", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # the note of what was written goes to stderr
    assert doc["schema"] == "stdkg-analysis/1" and doc["as_of"] == "2025-10-01"
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["analysis.json", "analysis.md", "index.html"]
    written = json.loads((tmp_path / "r" / "analysis.json").read_text(encoding="utf-8"))
    assert written.pop("fingerprint")["as_of"] == "2025-10-01" and written == doc  # fingerprint: stdkg.fingerprint
    again = invoke("analyze", str(bundled_build), "--as-of", "2025-10-01", "--format", "json")
    assert again.stdout == result.stdout  # deterministic
    text = invoke("analyze", str(bundled_build), "--as-of", "2025-10-01")
    assert text.exit_code == 0 and "覆盖与缺口 / Coverage and gaps" in text.output and "GB/T 40987.1-2021" in text.output
    markdown = invoke("analyze", str(bundled_build), "--as-of", "2025-10-01", "--format", "markdown")
    assert markdown.output.startswith("# 标准体系分析") and "| GB/T 40987.1-2021 |" in markdown.output.replace("1.00 | 国家–行业 | ", "")


@pytest.mark.parametrize(("args", "message"), [
    (["analyze", "no/such/build"], "graph not found"),
    (["analyze", "{build}", "--as-of", "2025-13-01"], "--as-of must be a date"),
    (["impact", "GB/T 99999-2020", "{build}"], "is not in the graph"),
    (["impact", "not a number", "{build}"], "is not a standard number"),
])
def test_usage_errors_exit_2(args: list[str], message: str, bundled_build: Path) -> None:
    result = invoke(*[a.replace("{build}", str(bundled_build)) for a in args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_impact_command(bundled_build: Path, small: Path) -> None:
    result = invoke("impact", "GB/T 28220-2011", str(bundled_build), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["standard"]["status"] == "abolished" and doc["summary"]["direct"] == 0  # nothing in the bundled data cites it
    text = invoke("impact", "GB/T 900001-2020", str(small))
    assert text.exit_code == 0 and "MZ/T 900002-2021" in text.output and "不注日期 / undated" in text.output
    assert "DB11/T 900010-2021" in invoke("impact", "GB/T 900001-2020", str(small), "--format", "markdown").output


def test_pagerank_with_numpy_equals_the_python_loop_to_the_bit() -> None:
    from stdkg.analyze_deps import _iterate, _iterate_numpy

    for seed, p in ((1, 0.02), (2, 0.1), (3, 0.3)):
        graph = nx.gnp_random_graph(300, p, seed=seed, directed=True)
        out = [sorted(graph.successors(node)) for node in sorted(graph)]
        out[7] = []  # a dangling node
        assert _iterate_numpy(out, 0.85, 1e-10, 1000) == _iterate(out, 0.85, 1e-10, 1000)


def test_orders_done_in_python_are_the_queries_own(small: Path) -> None:
    from stdkg.analyze import run_sorted, unbound_first
    from stdkg.analyze_deps import _edge_order

    store = open_store(small)
    facts_order = lambda r: (r["number"], r["doc"], unbound_first(r["committee"]), unbound_first(r["item"]))  # noqa: E731
    for name, order in (("reference_edges", _edge_order), ("standard_facts", facts_order)):
        rows = run(store, name)
        assert rows and run_sorted(store, name, order) == rows
        assert sorted(reversed(rows), key=order) == rows  # the order decides, not the rows' first order
