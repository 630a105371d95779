"""`stdkg build` and `stdkg stats` on the bundled data, as a user runs them."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from stdkg.numbers import parse_standard_number
from stdkg.vocab import STDKG, STDV, region_iri

from conftest import REPO, run_stdkg

BASE = "https://w3id.org/stdkg/"
DATA = REPO / "data" / "bps"


def edition(number: str) -> URIRef:
    return URIRef(BASE + "standard/" + parse_standard_number(number).slug)


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_catalogue_has_9_domains_22_categories_and_every_item(bundled_graph: Graph) -> None:
    domains = set(bundled_graph.subjects(RDF.type, STDKG.Domain))
    categories = set(bundled_graph.subjects(RDF.type, STDKG.ServiceCategory))
    items = {str(o) for s in bundled_graph.subjects(RDF.type, STDKG.ServiceItem) for o in bundled_graph.objects(s, SKOS.prefLabel)}
    assert len(domains) == 9 and len(categories) == 22
    assert items == {r["item"] for r in rows("service_items.csv")}
    for category in categories:  # every category sits under exactly one domain
        assert len([b for b in bundled_graph.objects(category, SKOS.broader) if b in domains]) == 1


def test_items_without_a_category_stay_unplaced(bundled_graph: Graph) -> None:
    for row in rows("service_items.csv"):
        item = next(bundled_graph.subjects(SKOS.prefLabel, Literal(row["item"], lang="zh")))
        unplaced = (item, STDKG.unplaced, Literal(True)) in bundled_graph
        assert unplaced == (row["category"] == ""), row["item"]
        broader = set(bundled_graph.objects(item, SKOS.broader))
        if not row["domain"] and not row["category"]:
            assert broader == set(), f"{row['item']} was placed although the source gives no domain"


def test_every_bundled_standard_says_what_its_source_says_and_nothing_more(bundled_graph: Graph) -> None:
    for row in rows("standards.csv") + rows("local_standards.csv"):
        subject = edition(row["number"])
        assert (subject, DCTERMS.identifier, Literal(parse_standard_number(row["number"]).canonical)) in bundled_graph
        for column, prop in (("issued", DCTERMS.issued), ("implemented", STDKG.implementationDate)):
            values = {str(v) for v in bundled_graph.objects(subject, prop)}
            assert values == ({row[column]} if row.get(column) else set()), (row["number"], column)
        titles = {(str(t), t.language) for t in bundled_graph.objects(subject, DCTERMS.title)}
        expected = {(row[f"title_{lang}"], lang) for lang in ("zh", "en") if row.get(f"title_{lang}")}
        assert titles == expected, row["number"]
        statuses = set(bundled_graph.objects(subject, STDKG.status))
        assert len(statuses) == (1 if row.get("status") else 0), row["number"]
        committees = set(bundled_graph.objects(subject, STDKG.committee))
        assert len(committees) == (1 if row.get("committee") or row.get("committee_code") else 0), row["number"]


def test_a_fully_described_edition(bundled_graph: Graph) -> None:
    g, ed = bundled_graph, edition("GB/T 28220-2023")
    assert (ed, RDF.type, STDKG.StandardEdition) in g
    assert (ed, DCTERMS.isVersionOf, URIRef(BASE + "standard/GB-T-28220")) in g
    assert (ed, DCTERMS.issued, Literal("2023-03-17", datatype=XSD.date)) in g
    assert (ed, STDKG.status, STDV["status-current"]) in g
    assert (ed, DCTERMS.replaces, edition("GB/T 28220-2011")) in g
    assert (ed, STDKG.domain, URIRef(BASE + "bps/domain/9")) in g
    committee = g.value(ed, STDKG.committee)
    assert (committee, STDKG.committeeCode, Literal("SAC/TC 389")) in g
    assert (committee, SKOS.prefLabel, Literal("全国图书馆标准化技术委员会", lang="zh")) in g
    # WH/T 87.1-2019 names the same committee by code in another spelling: one organisation.
    assert g.value(edition("WH/T 87.1-2019"), STDKG.committee) == committee


def test_month_only_dates_stay_month_only(bundled_graph: Graph) -> None:
    assert bundled_graph.value(edition("GB/T 37668-2019"), DCTERMS.issued) == Literal("2019-08", datatype=XSD.gYearMonth)


def test_references_dated_to_editions_undated_to_works_and_stubs_flagged(bundled_graph: Graph) -> None:
    g = bundled_graph
    refs = set(g.objects(edition("WS/T 802-2022"), STDKG.normativeReference))
    assert refs == {URIRef(BASE + "standard/WS-T-484"), URIRef(BASE + "standard/MZ-T-039")}
    assert (URIRef(BASE + "standard/WS-T-484"), RDF.type, STDKG.ExternalStub) in g  # not in the data
    assert (URIRef(BASE + "standard/MZ-T-039"), RDF.type, STDKG.ExternalStub) not in g  # MZ/T 039-2013 is loaded
    local_refs = set(g.objects(edition("DB31/T 685-2019"), STDKG.normativeReference))
    assert edition("MZ/T 032-2012") in local_refs and URIRef(BASE + "standard/GB-T-10001.1") in local_refs
    # A title written beside a number in a reference list is kept on the stub.
    stub = URIRef(BASE + "standard/GB-T-33527")
    assert g.value(stub, DCTERMS.title) == Literal("公共就业服务总则", lang="zh")


def test_local_standards_have_regions_and_thematic_matches_are_not_references(bundled_graph: Graph) -> None:
    g = bundled_graph
    assert g.value(edition("DB31/T 685-2019"), STDKG.region) == region_iri("310000")
    city = g.value(edition("DB6101/T 3126-2022"), STDKG.region)
    assert city == region_iri("610100")
    assert (city, SKOS.broader, region_iri("610000")) in g
    assert (city, SKOS.prefLabel, Literal("西安市", lang="zh")) in g
    thematic = set(g.objects(edition("DB31/T 685-2019"), STDKG.thematicCounterpart))
    assert thematic == {edition("GB/T 35796-2017"), edition("GB 38600-2019")}
    assert not set(g.objects(edition("DB14/T 2149-2020"), STDKG.normativeReference))


def test_every_fact_keeps_its_source(bundled_graph: Graph) -> None:
    g = bundled_graph
    for subject in set(g.subjects(STDKG.inSystem, None)):
        record = g.value(subject, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        assert record is not None and g.value(record, DCTERMS.source) is not None, subject
        assert isinstance(g.value(record, STDKG.rowNumber).toPython(), int)


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path, bundled_build: Path) -> None:
    for seed in ("1", "987"):
        out = tmp_path / seed
        assert run_stdkg("build", "--out", str(out), env={"PYTHONHASHSEED": seed}).returncode == 0
        for name in ("stdkg.nt", "stdkg.ttl"):
            assert (out / name).read_bytes() == (bundled_build / name).read_bytes(), name


def test_outputs_parse_with_three_independent_parsers(bundled_build: Path) -> None:
    ttl, nt = bundled_build / "stdkg.ttl", bundled_build / "stdkg.nt"
    from_ttl, from_nt = Graph().parse(ttl, format="turtle"), Graph().parse(nt, format="nt")
    assert isomorphic(from_ttl, from_nt)
    assert len(list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))) == len(from_nt)
    rapper = shutil.which("rapper")
    assert rapper, "rapper is missing: run scripts/setup-test-env"
    done = subprocess.run([rapper, "-i", "turtle", "-c", str(ttl)], capture_output=True, text=True)
    assert done.returncode == 0 and f"returned {len(from_nt)} triples" in done.stderr


def test_build_summary_and_stats_agree(tmp_path: Path, bundled_build: Path) -> None:
    built = run_stdkg("build", "--out", str(tmp_path), "--format", "json")
    assert built.returncode == 0
    report = json.loads(built.stdout)
    stats = run_stdkg("stats", str(bundled_build), "--format", "json")
    assert stats.returncode == 0
    assert json.loads(stats.stdout) == report["summary"]
    overview = report["summary"]["catalogue_overview"][0]
    assert (overview["domains"], overview["categories"]) == (9, 22)
    assert report["rejected_rows"] == 0
    levels = {r["level_en"]: r["standards"] for r in report["summary"]["standards_by_level"]}
    assert levels == {"national standard": 20, "industry standard": 11, "local standard": 10}


def test_human_output_is_bilingual(tmp_path: Path) -> None:
    done = run_stdkg("build", "--out", str(tmp_path))
    assert done.returncode == 0
    for text in ("按层级 / by level", "老有所养", "未归入服务类别的服务项目", "三元组 / triples"):
        assert text in done.stdout


def test_missing_graph_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    done = run_stdkg("stats", str(tmp_path))
    assert done.returncode == 2
    assert "stdkg build" in done.stderr and "Traceback" not in done.stderr


def test_help_teaches_with_examples() -> None:
    done = run_stdkg("build", "--help")
    assert done.returncode == 0 and "stdkg build --input" in done.stdout and "--strict" in done.stdout


def test_only_committees_are_typed_as_technical_committees(bundled_graph: Graph) -> None:
    committees = {str(bundled_graph.value(tc, SKOS.prefLabel)) for tc in bundled_graph.subjects(RDF.type, STDKG.TechnicalCommittee)}
    assert "民政部" not in committees and "国家体育总局" not in committees
    assert all("技术委员会" in name for name in committees), committees
    assert len(committees) == 7
