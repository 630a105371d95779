"""Standard numbers (标准号): parse, normalise and classify GB, industry, local, group, enterprise and ISO/IEC numbers.

Every IRI and cross-reference in the graph is keyed on one canonical spelling, so all messy spellings meet here.
Strict by design: input that is not exactly one standard number raises StandardNumberError, never a guess.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["StandardNumber", "StandardNumberError", "canonicalize", "parse_reference", "parse_standard_number"]

# Dash-like characters become '-', ASCII letters become upper case; one str.translate does both.
_DASHES = "\u2014\u2013\u2015\u2010\u2011\u2012\u2212\ufe63\uff0d"
_TABLE = str.maketrans({**{c: "-" for c in _DASHES}, **{chr(c): chr(c - 32) for c in range(ord("a"), ord("z") + 1)}})

# Chinese numbers: code, serial with '.part' levels, '-year', optional amendment '/XG1-2022'.
# A run of two dashes is accepted as one (the Chinese dash 破折号 is typed as '——').
_CN_CODE = r"""
    (?P<nat> GB \s*/\s* (?P<nat_mark>[TZ]) | GB (?P<glued>T)? )
  | (?P<loc> DB (?P<region>\d++) (?:\s*/\s*(?P<loc_t>T))? )
  | (?P<org_kind>[TQ]) \s*/\s* (?P<org>[A-Z0-9]+(?=\s) | [A-Z0-9]*[A-Z])
  | (?!GB|DB\d|ISO|IEC) (?P<ind>[A-Z]{2,4}) (?![A-Z]) (?:\s*/\s*(?P<ind_mark>[TZ]))?
"""
_CN = rf"(?:{_CN_CODE})" + r"""
    \s* (?P<serial>\d+(?:\.\d+)*)
    (?: \s*-{1,2}\s* (?P<year>\d+) )?
    (?: (?:\s*/\s*|\s+) XG(?P<amd>\d+) \s*-{1,2}\s* (?P<amd_year>\d+) )?
"""
# ISO / IEC numbers: part separator '-', year separator ':'.
_INTL_CODE = r"(?P<intl> ISO\s*/\s*IEC | ISO | IEC )"
_INTL = _INTL_CODE + r"\s* (?P<iserial>\d+(?:\s*-\s*\d+)*) (?: \s*:\s* (?P<iyear>\d+) )?"

_FLAGS = re.VERBOSE | re.ASCII
_NUMBER = re.compile(rf"\s*(?:{_INTL}|{_CN})", _FLAGS)
_CODE_ONLY = re.compile(rf"\s*(?:{_INTL_CODE}|{_CN_CODE})", _FLAGS)
_OTHER_GB = re.compile(r"GB(?!T)[A-Z]+", re.ASCII)
_SPACES = re.compile(r"\s+", re.ASCII)
_SLUG_SEPARATORS = re.compile(r"[ /:-]+")
_CONTINUES = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:-")  # a title must not glue onto these

_NATURE = {"": "mandatory", "T": "recommended", "Z": "guidance"}
_LEVEL_RANK = {"national": 0, "industry": 1, "local": 2, "group": 3, "enterprise": 4, "international": 5}


class StandardNumberError(ValueError):
    """Raised for input that is not a standard number; message names the input and the reason, bilingual zh + en."""

    text: str
    reason: str

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(text, reason)  # args = (text, reason) keeps the error picklable
        self.text = text
        self.reason = reason

    @property
    def reason_zh(self) -> str:
        """The reason in Chinese, for the zh half of a message."""
        for pattern, template in _REASONS_ZH:
            if match := pattern.fullmatch(self.reason):
                return match.expand(template)
        return self.reason

    def __str__(self) -> str:
        return f"'{self.text}' 不是有效的标准号（{self.reason_zh}）/ is not a standard number: {self.reason}"


_REASONS_ZH = [(re.compile(p, re.S), t) for p, t in (
    (r"year '(.*)' must have 4 digits \(or 2 digits for 19yy\)", r"年号 '\1' 应为 4 位（或表示 19xx 的 2 位）"),
    (r"year (\d+) is outside 1950–2100", r"年号 \1 不在 1950–2100 之间，请写 4 位年号"),
    (r"an amendment \(XG\) needs a dated base number", r"修改单（XG）须附在带年号的标准号后"),
    (r"a local code is DB \+ 2 \(province\) or 4 \(city\) digits, got (.*)", r"地方标准代号应为 DB 加 2 位（省）或 4 位（市）数字，而不是 \1"),
    (r"a local code is DB \+ 2 \(province\) or 4 \(city\) digits, then .*", r"地方标准代号应为 DB 加 2 位（省）或 4 位（市）数字，再接空格或 /T"),
    (r"unexpected text after '(.*)': '(.*)'", r"'\1' 之后多出 '\2'"),
    (r"'(.*)' is not GB, GB/T or GB/Z .*", r"'\1' 不是 GB、GB/T 或 GB/Z（指导性技术文件请写 GB/Z）"),
    (r"no known standard code at the start .*", r"开头不是已知的标准代号（GB、GB/T、GB/Z、行业代号、DBxx、T/、Q/、ISO、IEC）"),
    (r"code '(.*)' without a serial number", r"代号 '\1' 后缺少顺序号"),
    (r"serial number must be digits with optional '\.part' levels, got '(.*)'", r"顺序号应为数字（可带 .部分号），而不是 '\1'"),
    (r"empty input", r"空白"),
)]


@dataclass(frozen=True, order=True, slots=True)
class StandardNumber:
    """One standard number, dated (an edition) or undated (the work), with its family, level and nature.

    Ordering is natural: by level, code, numeric serial, then year (undated first) and amendment.
    """

    _sort_key: tuple[Any, ...] = field(init=False, repr=False)  # first field: drives order=True
    code: str
    serial: str
    year: int | None
    amendment: str | None
    family: str
    level: str
    nature: str | None
    industry_code: str | None
    region_code: str | None

    def __post_init__(self) -> None:
        numbers = tuple(map(int, self.serial.replace("-", ".").split(".")))  # ValueError for a non-numeric serial
        key = (_LEVEL_RANK.get(self.level, 9), self.code, numbers, self.serial, self.year or 0, self.amendment or "")
        object.__setattr__(self, "_sort_key", key)

    @property
    def canonical(self) -> str:
        """The one spelling used for IRIs and joins: 'GB/T 28922-2012', 'GB 2763-2021/XG1-2022', 'ISO 2709:2008'."""
        if self.year is None:
            return f"{self.code} {self.serial}"
        if self.family == "international":
            return f"{self.code} {self.serial}:{self.year}"
        text = f"{self.code} {self.serial}-{self.year}"
        return f"{text}/{self.amendment}" if self.amendment else text

    @property
    def work(self) -> StandardNumber:
        """The undated work this edition belongs to (year and amendment dropped)."""
        return self if self.year is None and self.amendment is None else replace(self, year=None, amendment=None)

    @property
    def is_dated(self) -> bool:
        """True for an edition (has a year), False for the undated work."""
        return self.year is not None

    @property
    def part(self) -> str | None:
        """The part after the base serial: '1' for '18487.1' and for ISO '3166-1'; None when there is no part."""
        separator = "-" if self.family == "international" else "."
        return self.serial.split(separator, 1)[1] if separator in self.serial else None

    @property
    def slug(self) -> str:
        """IRI-safe path segment from the canonical form: 'GB-T-28922-2012', 'ISO-IEC-27001-2013'."""
        return _SLUG_SEPARATORS.sub("-", self.canonical)

    @property
    def gbt2260_code(self) -> str | None:
        """GB/T 2260 administrative division code of a local standard's issuer: '33' → '330000', '3301' → '330100'."""
        return self.region_code.ljust(6, "0") if self.region_code else None

    def __str__(self) -> str:
        return self.canonical


def _normalise(text: str) -> str:
    """NFKC (full-width forms, ideographic space), dashes to '-', ASCII upper case."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).translate(_TABLE)


def _year(digits: str, text: str) -> int:
    """A year as written: four digits, or two digits meaning 19yy; must fall in 1950–2100."""
    if len(digits) not in (2, 4):
        raise StandardNumberError(text, f"year '{digits}' must have 4 digits (or 2 digits for 19yy)")
    year = int(digits) + (1900 if len(digits) == 2 else 0)
    if not 1950 <= year <= 2100:
        raise StandardNumberError(text, f"year {year} is outside 1950–2100")
    return year


def _build(m: re.Match[str], text: str) -> StandardNumber:
    """Turn a match of _NUMBER into a StandardNumber, checking what the regex leaves open."""
    g = m.groupdict()
    if g["intl"]:
        year = _year(g["iyear"], text) if g["iyear"] else None
        code, serial = _SPACES.sub("", g["intl"]), _SPACES.sub("", g["iserial"])
        return StandardNumber(code, serial, year, None, "international", "international", None, None, None)
    year = _year(g["year"], text) if g["year"] else None
    amendment = None
    if g["amd"]:
        if year is None:
            raise StandardNumberError(text, "an amendment (XG) needs a dated base number")
        amendment = f"XG{g['amd']}-{_year(g['amd_year'], text)}"
    head = (g["serial"], year, amendment)
    if g["nat"]:
        mark = g["nat_mark"] or g["glued"] or ""
        code = f"GB/{mark}" if mark else "GB"
        return StandardNumber(code, *head, "GB", "national", _NATURE[mark], None, None)
    if g["loc"]:
        region = g["region"]
        if len(region) not in (2, 4):
            raise StandardNumberError(text, f"a local code is DB + 2 (province) or 4 (city) digits, got DB{region}")
        mark = g["loc_t"] or ""
        code = f"DB{region}/T" if mark else f"DB{region}"
        return StandardNumber(code, *head, "local", "local", _NATURE[mark], None, region)
    if g["org_kind"]:
        kind = "group" if g["org_kind"] == "T" else "enterprise"
        return StandardNumber(f"{g['org_kind']}/{g['org']}", *head, kind, kind, None, None, None)
    mark = g["ind_mark"] or ""
    code = f"{g['ind']}/{mark}" if mark else g["ind"]
    return StandardNumber(code, *head, "industry", "industry", _NATURE[mark], g["ind"], None)


def _diagnose(s: str) -> str:
    """English reason why the normalised text s is not one standard number."""
    if not s.strip():
        return "empty input"
    m = _NUMBER.match(s)
    if m:
        return f"unexpected text after '{m.group().strip()}': '{s[m.end():].strip()}'"
    s = s.strip()
    if m := _OTHER_GB.match(s):
        return f"'{m.group()}' is not GB, GB/T or GB/Z (GBZ is ambiguous: write GB/Z for guidance documents)"
    if s.startswith("DB") and s[2:3].isdigit():
        return "a local code is DB + 2 (province) or 4 (city) digits, then a space or '/T' before the serial"
    m = _CODE_ONLY.match(s)
    if m is None:
        return "no known standard code at the start (GB, GB/T, GB/Z, industry, DBxx, T/, Q/, ISO, IEC)"
    rest = s[m.end():].strip()
    if not rest:
        return f"code '{m.group().strip()}' without a serial number"
    return f"serial number must be digits with optional '.part' levels, got '{rest}'"


@functools.lru_cache(maxsize=1 << 16)
def parse_standard_number(text: str) -> StandardNumber:
    """Strict: the whole text (after normalisation) must be one standard number, else StandardNumberError."""
    normalised = _normalise(text).strip()
    m = _NUMBER.fullmatch(normalised)
    if m is None:
        raise StandardNumberError(text, _diagnose(normalised))
    return _build(m, text)


def parse_reference(text: str) -> tuple[StandardNumber, str | None]:
    """A reference as written in a standard's reference list: a number, optionally followed by its title.

    'GB/T 33527 公共就业服务总则' → (GB/T 33527, '公共就业服务总则'); the title is returned as written, 《》 removed.
    """
    pieces = [_normalise(c) for c in text]  # per character, to map the match end back into the original text
    ends = list(itertools.accumulate(map(len, pieces)))
    normalised = "".join(pieces)
    m = _NUMBER.match(normalised)
    if m is None:
        raise StandardNumberError(text, _diagnose(normalised))
    i = bisect.bisect_left(ends, m.end())
    rest = normalised[m.end():]
    if rest and (rest[0] in _CONTINUES or i >= len(ends) or ends[i] != m.end()):
        raise StandardNumberError(text, f"unexpected text after '{m.group().strip()}': '{rest.strip()}'")
    number = _build(m, text)
    title = text[i + 1:].strip()
    if title.startswith("《") and title.endswith("》"):
        title = title[1:-1].strip()
    return number, title or None


def canonicalize(text: str) -> str:
    """The canonical spelling of a standard number, e.g. 'gbt28922—2012' → 'GB/T 28922-2012'."""
    return parse_standard_number(text).canonical
