"""Turn one cell's text into a typed value, or raise CellError saying why (zh + en).

Dates accept what real tables hold: 2012-05-01, 2012/5/1, 2012.5.1, 2012年5月1日, 20120501,
an Excel serial number (40909), epoch milliseconds (platform JSON), or only a month or a
year (2019-08, 2019), which stay that precise (xsd:gYearMonth, xsd:gYear): never padded.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from .numbers import StandardNumber, StandardNumberError, parse_reference, parse_standard_number

LIST_SEPARATORS = re.compile(r"\s*[;；,，、\n]\s*")
_REFERENCE_SEPARATORS = re.compile(r"\s*[;；\n]\s*")
SOURCE_SEPARATORS = re.compile(r"\s*[;；\n]\s*|\s+(?=https?://)")


class CellError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class DateValue:
    lexical: str  # 2012-05-01, 2019-08 or 2019
    datatype: str  # date, gYearMonth or gYear (XML Schema local names)

    @property
    def sort_key(self) -> str:
        return self.lexical


@dataclass(frozen=True)
class Organisation:
    name: str | None
    code: str | None


EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 once its 1900 leap-year bug is allowed for
_ISO_LIKE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ICS = re.compile(r"\d{2}(\.\d{3}(\.\d{2})?)?")
_CCS = re.compile(r"[A-Z]\d{2}")
_TC = re.compile(r"(?:([A-Z]{2,6})\s*/\s*)?TC\s*(\d{1,4})(?:\s*/\s*SC\s*(\d{1,3}))?", re.IGNORECASE)


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text.strip()) if part]


def parse_date(text: str) -> DateValue:
    value = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{4}", value):
        return DateValue(value, "gYear")
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        serial = int(float(value))
        if 20000 <= serial <= 80000:  # 1954-10 … 2119-01: a plausible Excel date serial
            return DateValue((EXCEL_EPOCH + dt.timedelta(days=serial)).isoformat(), "date")
    if re.fullmatch(r"\d{12,13}", value):  # epoch milliseconds, as the platform's JSON has
        moment = dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.timezone(dt.timedelta(hours=8)))
        return DateValue(moment.date().isoformat(), "date")
    match = _COMPACT.fullmatch(value) or _ISO_LIKE.fullmatch(value)
    if match is None and (time_part := re.fullmatch(r"(.+?)[ T]\d{1,2}:\d{2}(:\d{2})?", value)):
        return parse_date(time_part.group(1))
    if match is None:
        raise CellError(f"无法识别的日期 '{text}'（应为 2012-05-01 或 2012年5月1日）",
                        f"not a date: '{text}' (write 2012-05-01 or 2012年5月1日)")
    year, month = int(match.group(1)), int(match.group(2))
    day = match.group(3)
    if not 1 <= month <= 12:
        raise CellError(f"日期 '{text}' 的月份不存在", f"no such month in date '{text}'")
    if day is None:
        return DateValue(f"{year:04d}-{month:02d}", "gYearMonth")
    try:
        return DateValue(dt.date(year, month, int(day)).isoformat(), "date")
    except ValueError:
        raise CellError(f"日期 '{text}' 不存在", f"no such day: '{text}'") from None


def parse_number(text: str) -> StandardNumber:
    try:
        return parse_standard_number(text)
    except StandardNumberError as exc:
        raise CellError(f"'{text}' 不是有效的标准号（{exc.reason_zh}）", f"'{text}' is not a standard number ({exc.reason})") from None


def parse_numbers(text: str) -> list[StandardNumber]:
    return [parse_number(part) for part in split_list(text)]


def parse_references(text: str) -> list[tuple[StandardNumber, str | None]]:
    """'GB/T 19038; GB/T 33527 公共就业服务总则' → numbers with the titles written beside them."""
    out = []
    for part in _REFERENCE_SEPARATORS.split(text.strip()):
        if not part:
            continue
        try:
            out.append(_reference(part))
        except StandardNumberError as exc:
            raise CellError(f"引用 '{part}' 不是有效的标准号（{exc.reason_zh}）",
                            f"reference '{part}' is not a standard number ({exc.reason})") from None
    return out


@functools.lru_cache(maxsize=1 << 18)
def _reference(part: str) -> tuple[StandardNumber, str | None]:
    """Cached: one reference ('GB/T 19038') recurs in many rows' reference lists."""
    return parse_reference(part)


def clear_caches() -> None:
    """Empty the number and reference memo caches (see stdkg.build.forget_caches)."""
    _reference.cache_clear()
    parse_standard_number.cache_clear()


def parse_codes(text: str, kind: str) -> list[str]:
    pattern = _ICS if kind == "ICS" else _CCS
    codes = [unicodedata.normalize("NFKC", c).upper() for c in split_list(text)]
    for code in codes:
        if not pattern.fullmatch(code):
            example = "03.080.01" if kind == "ICS" else "A12"
            raise CellError(f"'{code}' 不是有效的 {kind} 分类号（例如 {example}）",
                            f"'{code}' is not an {kind} code (e.g. {example})")
    return codes


def parse_committee_code(text: str) -> str:
    """'TC389', 'SAC/TC 389', 'sac/tc389/sc2' → 'SAC/TC 389' (…'/SC 2'); provincial prefixes kept."""
    match = _TC.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise CellError(f"'{text}' 不是技术委员会编号（例如 SAC/TC 389）",
                        f"'{text}' is not a committee code (e.g. SAC/TC 389)")
    return _committee_code(match)


def _committee_code(match: re.Match[str]) -> str:
    prefix = (match.group(1) or "SAC").upper()
    code = f"{prefix}/TC {int(match.group(2))}"
    return f"{code}/SC {int(match.group(3))}" if match.group(3) else code


def parse_organisation(text: str) -> Organisation:
    """'全国图书馆标准化技术委员会 (SAC/TC 389)', 'TC389 全国…委员会', '民政部' → name and code."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = _TC.search(value)
    if match is None:
        return Organisation(text.strip(), None)
    name = (value[: match.start()] + value[match.end():]).strip(" ()（）")
    return Organisation(name or None, _committee_code(match))


def parse_organisations(text: str) -> list[Organisation]:
    return [parse_organisation(part) for part in re.split(r"\s*[;；、\n]\s*", text.strip()) if part]


def parse_sources(text: str) -> list[str]:
    return [part for part in SOURCE_SEPARATORS.split(text.strip()) if part]
