"""Tests for stdkg.numbers: every family, messy spellings, real numbers from the shared CSVs, errors, properties."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stdkg.numbers import (
    StandardNumber,
    StandardNumberError,
    canonicalize,
    parse_reference,
    parse_standard_number,
)

# (input, canonical, family, level, nature, industry_code, region_code)
VALID = [
    # national, messy spellings
    ("GB/T 28922-2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB/T28922—2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB / T 28922 - 2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    (" gb/t 28922-2012 ", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("ＧＢ／Ｔ２８９２２－２０１２", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("ＧＢ／Ｔ\u300028922\u30002012".replace("\u30002012", "–2012"), "GB/T 28922-2012", "GB", "national",
     "recommended", None, None),
    ("GB/T 28922――2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB/T 28922——2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB/T 28922‐2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB/T 28922\u22122012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GB/T 28922﹣2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("GBT 28922-2012", "GB/T 28922-2012", "GB", "national", "recommended", None, None),
    ("gbt28922", "GB/T 28922", "GB", "national", "recommended", None, None),
    ("GB/T 18487.1-2023", "GB/T 18487.1-2023", "GB", "national", "recommended", None, None),
    ("GB/T 1.1-2020", "GB/T 1.1-2020", "GB", "national", "recommended", None, None),
    ("GB/T 10001.1", "GB/T 10001.1", "GB", "national", "recommended", None, None),
    ("GB 5749-85", "GB 5749-1985", "GB", "national", "mandatory", None, None),
    ("GB 2763-2021/XG1-2022", "GB 2763-2021/XG1-2022", "GB", "national", "mandatory", None, None),
    ("GB 2763-2021 XG1-2022", "GB 2763-2021/XG1-2022", "GB", "national", "mandatory", None, None),
    ("gb 2763—2021 / xg1—2022", "GB 2763-2021/XG1-2022", "GB", "national", "mandatory", None, None),
    ("GB/Z 45152-2024", "GB/Z 45152-2024", "GB", "national", "guidance", None, None),
    ("GB / Z45152-2024", "GB/Z 45152-2024", "GB", "national", "guidance", None, None),
    # industry
    ("MZ/T 188-2021", "MZ/T 188-2021", "industry", "industry", "recommended", "MZ", None),
    ("mz/t188—2021", "MZ/T 188-2021", "industry", "industry", "recommended", "MZ", None),
    ("WS/T 802-2022", "WS/T 802-2022", "industry", "industry", "recommended", "WS", None),
    ("JGJ 450-2018", "JGJ 450-2018", "industry", "industry", "mandatory", "JGJ", None),
    ("JGJ450-2018", "JGJ 450-2018", "industry", "industry", "mandatory", "JGJ", None),
    ("JGJ/T 484-2019", "JGJ/T 484-2019", "industry", "industry", "recommended", "JGJ", None),
    ("CJJ 37-2012", "CJJ 37-2012", "industry", "industry", "mandatory", "CJJ", None),
    ("WH/T 87.1-2019", "WH/T 87.1-2019", "industry", "industry", "recommended", "WH", None),
    ("TY/T 1102-2023", "TY/T 1102-2023", "industry", "industry", "recommended", "TY", None),
    ("LD/T 3002-2023", "LD/T 3002-2023", "industry", "industry", "recommended", "LD", None),
    ("QB/Z 12-2000", "QB/Z 12-2000", "industry", "industry", "guidance", "QB", None),
    ("DB/T 12-2000", "DB/T 12-2000", "industry", "industry", "recommended", "DB", None),
    ("DB 12-2000", "DB 12-2000", "industry", "industry", "mandatory", "DB", None),
    # local
    ("DB33/T 1234-2020", "DB33/T 1234-2020", "local", "local", "recommended", None, "33"),
    ("db33/t1234－2020", "DB33/T 1234-2020", "local", "local", "recommended", None, "33"),
    ("DB33 1234-2020", "DB33 1234-2020", "local", "local", "mandatory", None, "33"),
    ("DB6101/T 3126-2022", "DB6101/T 3126-2022", "local", "local", "recommended", None, "6101"),
    ("DB3301/T 0193-2018", "DB3301/T 0193-2018", "local", "local", "recommended", None, "3301"),
    ("ＤＢ３３０１／Ｔ ０１９３—２０１８", "DB3301/T 0193-2018", "local", "local", "recommended", None, "3301"),
    # group / enterprise
    ("T/CAS 290-2017", "T/CAS 290-2017", "group", "group", None, None, None),
    ("t/cas290-2017", "T/CAS 290-2017", "group", "group", None, None, None),
    ("T / CQTSHRA 006—2024", "T/CQTSHRA 006-2024", "group", "group", None, None, None),
    ("T/ABC1 23-2020", "T/ABC1 23-2020", "group", "group", None, None, None),
    ("Q/ABC 001-2019", "Q/ABC 001-2019", "enterprise", "enterprise", None, None, None),
    ("q/abc001-2019", "Q/ABC 001-2019", "enterprise", "enterprise", None, None, None),
    # international
    ("ISO 2709", "ISO 2709", "international", "international", None, None, None),
    ("ISO 2709:2008", "ISO 2709:2008", "international", "international", None, None, None),
    ("iso 2709 ： 2008", "ISO 2709:2008", "international", "international", None, None, None),
    ("ISO/IEC 27001:2013", "ISO/IEC 27001:2013", "international", "international", None, None, None),
    ("ISO / IEC 27001 : 2013", "ISO/IEC 27001:2013", "international", "international", None, None, None),
    ("IEC 60335-1:2020", "IEC 60335-1:2020", "international", "international", None, None, None),
    ("IEC 60335–2–24:2020", "IEC 60335-2-24:2020", "international", "international", None, None, None),
    ("ISO 3166-1:2020", "ISO 3166-1:2020", "international", "international", None, None, None),
]


@pytest.mark.parametrize(("text", "canonical", "family", "level", "nature", "industry", "region"), VALID)
def test_valid(text, canonical, family, level, nature, industry, region):
    n = parse_standard_number(text)
    assert (n.canonical, n.family, n.level, n.nature, n.industry_code, n.region_code) == (
        canonical, family, level, nature, industry, region)
    assert str(n) == canonicalize(text) == canonical
    assert parse_standard_number(canonical) == n


# Every number in /work/shared/data/standards_public_service.csv and local_standards_public_service.csv
# (std_no, replaces, references and counterpart columns), as written there.
REAL = """
GB 38600-2019; GB/T 42195-2022; MZ/T 039-2013; GB/T 35796-2017; GB/T 43153-2023; MZ/T 170-2021; MZ/T 188-2021;
MZ/T 032-2012; JGJ 450-2018; WS/T 802-2022; GB/Z 45152-2024; GB/T 28220-2023; GB/T 28220-2011; GB/T 40987.1-2021;
GB/T 40987.2-2021; GB/T 40987.3-2021; GB/T 36720-2018; WH/T 87.1-2019; WH/T 87.3-2019; WH/T 70.4-2015; GB/T 34290;
GB/T 34419; GB 19272-2011; TY/T 1102-2023; GB/T 33528-2017; GB/T 33531-2017; GB/T 31596.3-2023; LD/T 3002-2023;
GB/T 10001.9-2021; GB/T 10001.9-2008; GB/T 37668-2019; GB 50763-2012; WS/T 484; MZ/T 039; GB/T 10001.1;
GB/T 13191; GB 50462; WH/T 22; ISO 2709; GB/T 19038; GB/T 19039; GB/T 33553; DB31/T 685-2019; DB14/T 2149-2020;
DB6101/T 3126-2022; DB15/T 3017-2023; DB43/T 2981-2024; DB4404/T 21-2022; DB3203/T 1015-2022; DB6101/T 3175-2023;
DB50/T 706-2025; DB3301/T 0193-2018; DB31/T 329.21-2019; DB31/T 684; GB/T 28220-2023
"""


@pytest.mark.parametrize("text", [t.strip() for t in REAL.split(";")])
def test_real_numbers_are_already_canonical(text):
    assert canonicalize(text) == text


def test_real_local_number_details():
    n = parse_standard_number("DB31/T 329.21-2019")
    assert (n.code, n.serial, n.year, n.part, n.region_code, n.gbt2260_code) == (
        "DB31/T", "329.21", 2019, "21", "31", "310000")
    assert parse_standard_number("DB4404/T 21-2022").gbt2260_code == "440400"


ERRORS = [
    ("", "empty"),
    ("   ", "empty"),
    ("\u3000", "empty"),
    ("GB/T", "without a serial"),
    ("T/CAS", "without a serial"),
    ("ISO", "without a serial"),
    ("GB/T 28922-2012 abc", "unexpected text"),
    ("GB/T 28922-2012/ISO 9001:2015", "unexpected text"),
    ("GB/T 3792.x", "unexpected text"),
    ("GB/T abc", "serial number"),
    ("GB T 28922", "serial number"),
    ("GB/T 28922:2012", "unexpected text"),
    ("GB/T 28922-201", "year"),
    ("GB/T 28922-20121", "year"),
    ("GB 1-17", "outside 1950"),
    ("GB 1-2101", "outside 1950"),
    ("GB 2763/XG1-2022", "amendment"),
    ("GBZ 2.1-2019", "GBZ"),
    ("GBJ 16-87", "GBJ"),
    ("DB3 1-2020", "DB + 2"),
    ("DB333/T 1-2020", "DB + 2"),
    ("DB33333 1-2020", "DB + 2"),
    ("DB331234-2020", "DB + 2"),
    ("DB33/Z 1-2020", "'/T'"),
    ("ABCDE 12-2000", "no known standard code"),
    ("建标108-2008", "no known standard code"),
    ("公共就业服务总则", "no known standard code"),
    ("ISO/TS 19650-1:2018", "serial number"),
    ("ISO 2709-2008:2009:1", "unexpected text"),
    ("GB/T ２８９２２-٢٠١٢", "unexpected text"),  # Arabic-Indic digits are not NFKC-folded to ASCII
]


@pytest.mark.parametrize(("text", "reason"), ERRORS)
def test_errors_name_input_and_reason(text, reason):
    with pytest.raises(StandardNumberError) as info:
        parse_standard_number(text)
    err = info.value
    assert err.text == text
    assert reason in err.reason
    assert str(err) == f"'{text}' 不是有效的标准号（{err.reason_zh}）/ is not a standard number: {err.reason}"
    assert err.reason_zh != err.reason  # every reason has its Chinese
    assert isinstance(err, ValueError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("GB/T 28922-2012", "GB-T-28922-2012"),
        ("GB/T 18487.1-2023", "GB-T-18487.1-2023"),
        ("ISO/IEC 27001:2013", "ISO-IEC-27001-2013"),
        ("GB 2763-2021/XG1-2022", "GB-2763-2021-XG1-2022"),
        ("T/CAS 290-2017", "T-CAS-290-2017"),
        ("DB33/T 1234-2020", "DB33-T-1234-2020"),
        ("GB/T 34290", "GB-T-34290"),
        ("IEC 60335-1:2020", "IEC-60335-1-2020"),
    ],
)
def test_slug(text, slug):
    assert parse_standard_number(text).slug == slug


@pytest.mark.parametrize(
    ("text", "code"),
    [("DB33/T 1234-2020", "330000"), ("DB6101/T 3126-2022", "610100"), ("DB33 1-2020", "330000"),
     ("GB/T 1-2000", None), ("DB/T 12-2000", None), ("T/CAS 290-2017", None)],
)
def test_gbt2260_code(text, code):
    assert parse_standard_number(text).gbt2260_code == code


@pytest.mark.parametrize(
    ("text", "work", "dated", "part"),
    [
        ("GB/T 28922-2012", "GB/T 28922", True, None),
        ("GB/T 34290", "GB/T 34290", False, None),
        ("GB/T 18487.1-2023", "GB/T 18487.1", True, "1"),
        ("GB/T 1.1-2020", "GB/T 1.1", True, "1"),
        ("DB31/T 329.21-2019", "DB31/T 329.21", True, "21"),
        ("GB 2763-2021/XG1-2022", "GB 2763", True, None),
        ("ISO 3166-1:2020", "ISO 3166-1", True, "1"),
        ("IEC 60335-2-24", "IEC 60335-2-24", False, "2-24"),
        ("ISO 2709:2008", "ISO 2709", True, None),
    ],
)
def test_work_dated_part(text, work, dated, part):
    n = parse_standard_number(text)
    assert n.work.canonical == work
    assert n.work.year is None and n.work.amendment is None and not n.work.is_dated
    assert n.work.family == n.family and n.work.region_code == n.region_code
    assert n.is_dated is dated
    assert n.part == part
    work_number = n.work
    assert work_number.work is work_number


def test_fields_of_a_full_number():
    n = parse_standard_number("GB 2763-2021/XG1-2022")
    assert (n.code, n.serial, n.year, n.amendment) == ("GB", "2763", 2021, "XG1-2022")
    assert parse_standard_number("T/CQTSHRA 006-2024").serial == "006"
    assert parse_standard_number("ISO/IEC 27001:2013").code == "ISO/IEC"


@pytest.mark.parametrize(
    ("text", "canonical", "title"),
    [
        ("GB/T 33527 公共就业服务总则", "GB/T 33527", "公共就业服务总则"),
        ("GB/T 19038", "GB/T 19038", None),
        ("  GB/T 19038  ", "GB/T 19038", None),
        ("GB/T 33527公共就业服务总则", "GB/T 33527", "公共就业服务总则"),
        ("GB/T 33527《公共就业服务总则》", "GB/T 33527", "公共就业服务总则"),
        ("ＧＢ／Ｔ　３３５２７　公共就业服务（试行）", "GB/T 33527", "公共就业服务（试行）"),
        ("GB/T 10001（所有部分）", "GB/T 10001", "（所有部分）"),
        ("JGJ 450—2018 老年人照料设施建筑设计标准", "JGJ 450-2018", "老年人照料设施建筑设计标准"),
        ("GB 2763-2021 XG1-2022 食品安全国家标准——农药残留", "GB 2763-2021/XG1-2022", "食品安全国家标准——农药残留"),
        ("ISO 2709 Information and documentation", "ISO 2709", "Information and documentation"),
        ("T/ABC1 23-2020 标题", "T/ABC1 23-2020", "标题"),
        ("GB/T 28922-2012 abc", "GB/T 28922-2012", "abc"),
    ],
)
def test_parse_reference(text, canonical, title):
    number, got = parse_reference(text)
    assert number.canonical == canonical
    assert got == title


@pytest.mark.parametrize(
    "text", ["", "公共就业服务总则 GB/T 33527", "GB/T", "GB/T 3792.x", "GB/T 28922-2012abc", "建标 108",
             "GB/T 19001-2016/ISO 9001:2015", "GB/T 1-17 标题"],
)
def test_parse_reference_errors(text):
    with pytest.raises(StandardNumberError) as info:
        parse_reference(text)
    assert f"'{text}'" in str(info.value)


def test_equality_hash_and_ordering():
    a = parse_standard_number("GB/T 28922-2012")
    assert a == parse_standard_number("gbt 28922—2012") and hash(a) == hash(parse_standard_number("GB/T28922-2012"))
    assert len({a, parse_standard_number("GB/T 28922 - 2012"), a.work}) == 2
    assert a != a.work
    texts = ["ISO 2709:2008", "T/CAS 290-2017", "DB33/T 1234-2020", "MZ/T 188-2021", "GB/T 10001.9-2021",
             "GB/T 9-2000", "GB/T 34290-2017", "GB/T 34290", "GB 38600-2019", "GB/T 10001.10", "GB/T 10001.9",
             "GB 2763-2021/XG1-2022", "GB 2763-2021", "Q/ABC 001-2019"]
    ordered = [n.canonical for n in sorted(map(parse_standard_number, texts))]
    assert ordered == [
        "GB 2763-2021", "GB 2763-2021/XG1-2022", "GB 38600-2019", "GB/T 9-2000", "GB/T 10001.9",
        "GB/T 10001.9-2021", "GB/T 10001.10", "GB/T 34290", "GB/T 34290-2017", "MZ/T 188-2021",
        "DB33/T 1234-2020", "T/CAS 290-2017", "Q/ABC 001-2019", "ISO 2709:2008",
    ]
    assert parse_standard_number("GB/T 34290") < parse_standard_number("GB/T 34290-2017")


def test_immutable_and_picklable():
    n = parse_standard_number("DB33/T 1234-2020")
    with pytest.raises(AttributeError):
        n.year = 2021  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(n)) == n


# ---- property-based -------------------------------------------------------------------------------------------

_serial = st.builds(
    lambda base, parts: ".".join([base, *parts]),
    st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    st.lists(st.from_regex(r"[0-9]{1,2}", fullmatch=True), max_size=2),
)
_year = st.one_of(st.none(), st.integers(1950, 2100))
_letters = st.from_regex(r"[A-Z]{2,4}", fullmatch=True).filter(
    lambda c: not c.startswith(("GB", "ISO", "IEC")))
_code = st.one_of(
    st.sampled_from(["GB", "GB/T", "GB/Z"]),
    st.builds(lambda c, m: c + m, _letters, st.sampled_from(["", "/T", "/Z"])),
    st.builds(lambda r, m: f"DB{r}{m}", st.from_regex(r"[0-9]{2}|[0-9]{4}", fullmatch=True),
              st.sampled_from(["", "/T"])),
    st.builds(lambda k, o: f"{k}/{o}", st.sampled_from("TQ"), st.from_regex(r"[A-Z][A-Z0-9]{0,7}", fullmatch=True)),
)


@st.composite
def canonical_texts(draw) -> str:
    if draw(st.booleans()):
        code = draw(st.sampled_from(["ISO", "IEC", "ISO/IEC"]))
        serial = "-".join(draw(st.lists(st.from_regex(r"[1-9][0-9]{0,4}", fullmatch=True), min_size=1, max_size=3)))
        year = draw(_year)
        return f"{code} {serial}" + (f":{year}" if year else "")
    text = f"{draw(_code)} {draw(_serial)}"
    year = draw(_year)
    if year:
        text += f"-{year}"
        if draw(st.booleans()):
            text += f"/XG{draw(st.integers(1, 9))}-{draw(st.integers(1950, 2100))}"
    return text


@settings(max_examples=150, deadline=None, database=None)
@given(canonical_texts())
def test_canonical_is_a_fixed_point(text):
    n = parse_standard_number(text)
    assert n.canonical == text
    assert parse_standard_number(n.canonical) == n
    assert all(c.isalnum() and c.isascii() or c in ".-" for c in n.slug)
    assert "--" not in n.slug


@settings(max_examples=100, deadline=None, database=None)
@given(canonical_texts(), st.sampled_from([" ", "", "\u3000"]))
def test_messy_spelling_parses_to_the_same_number(text, space):
    messy = text.lower().replace("-", "—").replace("/", f"{space}／{space}").replace(" ", space or " ")
    assert parse_standard_number(messy) == parse_standard_number(text)


_alphabet = st.sampled_from(list("GBTZDQISOECMJXW/-—－.:： 0123456789٣²\u3000\n标準abc《》()（）"))


@settings(max_examples=400, deadline=None, database=None)
@given(st.one_of(st.text(), st.text(_alphabet, max_size=30)))
def test_arbitrary_text_parses_or_raises_standard_number_error(text):
    for parse in (parse_standard_number, parse_reference):
        try:
            result = parse(text)
        except StandardNumberError as err:
            assert err.text == text
        else:
            number = result if isinstance(result, StandardNumber) else result[0]
            assert parse_standard_number(number.canonical) == number
