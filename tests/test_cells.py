"""Cell parsing: dates as real tables hold them, committee codes, organisations, sources."""

from __future__ import annotations

import pytest

from stdkg.cells import (CellError, DateValue, Organisation, parse_committee_code, parse_date,
                         parse_organisation, parse_references, parse_sources)


@pytest.mark.parametrize("text, expected", [
    ("2012-05-01", DateValue("2012-05-01", "date")),
    ("2012/5/1", DateValue("2012-05-01", "date")),
    ("2012.5.1", DateValue("2012-05-01", "date")),
    ("2012年5月1日", DateValue("2012-05-01", "date")),
    ("2012 年 5 月 1 日", DateValue("2012-05-01", "date")),
    ("２０１２年５月１日", DateValue("2012-05-01", "date")),
    ("20120501", DateValue("2012-05-01", "date")),
    ("43712", DateValue("2019-09-04", "date")),  # Excel serial
    ("1567526400000", DateValue("2019-09-04", "date")),  # epoch ms (Beijing time), platform JSON
    ("2019-09-04 00:00:00", DateValue("2019-09-04", "date")),
    ("2019-08", DateValue("2019-08", "gYearMonth")),
    ("2019年8月", DateValue("2019-08", "gYearMonth")),
    ("2019", DateValue("2019", "gYear")),
])
def test_dates(text: str, expected: DateValue) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2017-02-30", "2019-13-01", "next year", "12/05/2012", "2012-5-1-1", "123"])
def test_bad_dates_are_errors_that_name_the_value(text: str) -> None:
    with pytest.raises(CellError) as info:
        parse_date(text)
    assert text in info.value.en and text in info.value.zh


@pytest.mark.parametrize("text, code", [
    ("SAC/TC 389", "SAC/TC 389"), ("TC389", "SAC/TC 389"), ("sac/tc389", "SAC/TC 389"),
    ("ＳＡＣ／ＴＣ３８９", "SAC/TC 389"), ("SAC/TC 264/SC 2", "SAC/TC 264/SC 2"), ("ZJ/TC 12", "ZJ/TC 12"),
])
def test_committee_codes(text: str, code: str) -> None:
    assert parse_committee_code(text) == code


def test_committee_code_errors() -> None:
    with pytest.raises(CellError):
        parse_committee_code("全国图书馆标准化技术委员会")


@pytest.mark.parametrize("text, org", [
    ("全国图书馆标准化技术委员会 (SAC/TC 389)", Organisation("全国图书馆标准化技术委员会", "SAC/TC 389")),
    ("TC389 全国图书馆标准化技术委员会", Organisation("全国图书馆标准化技术委员会", "SAC/TC 389")),
    ("全国社会福利服务标准化技术委员会（SAC/TC 315）", Organisation("全国社会福利服务标准化技术委员会", "SAC/TC 315")),
    ("民政部", Organisation("民政部", None)),
    ("TC474", Organisation(None, "SAC/TC 474")),
])
def test_organisations(text: str, org: Organisation) -> None:
    assert parse_organisation(text) == org


def test_references_keep_titles_and_reject_series() -> None:
    refs = parse_references("GB/T 19038; GB/T 33527 公共就业服务总则；ISO 2709")
    assert [(n.canonical, t) for n, t in refs] == [("GB/T 19038", None), ("GB/T 33527", "公共就业服务总则"), ("ISO 2709", None)]
    with pytest.raises(CellError) as info:
        parse_references("GB 50462; GB/T 3792.x")
    assert "GB/T 3792.x" in info.value.en


def test_sources_split_on_semicolons_and_between_urls() -> None:
    assert parse_sources("https://a.example/x ; http://b.example/y https://c.example/z") == [
        "https://a.example/x", "http://b.example/y", "https://c.example/z"]
    assert parse_sources("GitHub file (find_string id 1; repo not returned)") == [
        "GitHub file (find_string id 1", "repo not returned)"]
