"""Query parameters: what a query's ``# Parameters:`` header declares, the ``name=value`` pairs a
user gives, and the typed RDF term each value becomes (never text pasted into a query)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyoxigraph as ox

from .numbers import StandardNumberError, parse_standard_number
from .problems import StdkgError
from .queries import LibraryQuery
from .serialize import PREFIXES
from .vocab import DEFAULT_BASE

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
KINDS = {
    "iri": ("IRI", "an IRI (<…>, https://… or a prefixed name such as stdv:status-current)"),
    "standard": ("标准号", "a standard number such as GB/T 28220-2023 (an edition) or GB/T 28220 (the work)"),
    "string": ("文本", "text"),
    "langstring": ("带语言标签的文本", "text with a language tag, e.g. 图书馆@zh (langstring@zh: the tag may be left out)"),
    "date": ("日期（YYYY-MM-DD）", "a date, YYYY-MM-DD"),
    "integer": ("整数", "an integer"),
}
_PARAMETER = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(" + "|".join(KINDS) + r")(?:@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*))?"
                        r"\s*(,\s*optional\s*)?\)")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")


# ---------------------------------------------------------------------------------- parameters

@dataclass(frozen=True)
class Parameter:
    """One parameter a query declares in its header: ``?name (kind[, optional]) description``."""

    name: str
    kind: str
    optional: bool = False
    description: str = ""
    language: str | None = None  # langstring@zh: the tag a value without its own @tag gets

    @property
    def declared_kind(self) -> str:
        return f"{self.kind}@{self.language}" if self.language else self.kind

    def usage(self) -> str:
        return f"--param {self.name}=…  ({self.declared_kind}{', optional' if self.optional else ''}) {self.description}".rstrip()


def declared_parameters(query: LibraryQuery) -> list[Parameter]:
    """The parameters named in the query's ``# Parameters:`` header line (none → [])."""
    line = query.header.get("Parameters", "")
    matches = list(_PARAMETER.finditer(line))
    found = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        description = line[match.end():end].strip().rstrip(";").strip()
        found.append(Parameter(match.group(1), match.group(2), bool(match.group(4)), description, match.group(3)))
    return found


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``name=value`` pairs from the command line (the value may hold '=' and anything else)."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise StdkgError(f"参数应写作 名称=值：'{pair}' / a parameter is written name=value: '{pair}'")
        if name in values:
            raise StdkgError(f"参数 {name} 给了两次 / parameter {name} given twice")
        values[name] = value
    return values


def standard_iri(number: str, base: str = DEFAULT_BASE) -> ox.NamedNode:
    """The IRI stdkg mints for a standard number (as stdkg.model does): base + standard/ + slug."""
    parsed = parse_standard_number(number)
    return ox.NamedNode(f"{base}standard/{parsed.slug}")


def term_for(parameter: Parameter, raw: str, base: str = DEFAULT_BASE) -> ox.NamedNode | ox.Literal:
    """The RDF term for a parameter value of the parameter's kind; a value of the wrong kind is a StdkgError."""
    kind = parameter.kind
    zh, en = KINDS[kind]

    def wrong(reason: str = "") -> StdkgError:
        extra = f"（{reason}）" if reason else ""
        return StdkgError(f"参数 {parameter.name} 应为{zh}：'{raw}'{extra} / "
                          f"parameter {parameter.name} must be {en}: '{raw}'" + (f" ({reason})" if reason else ""))

    if kind == "string":
        return ox.Literal(raw)
    if kind == "integer":
        if not _INTEGER.match(raw.strip()):
            raise wrong()
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "date":
        text = raw.strip()
        if not _DATE.match(text):
            raise wrong()
        try:
            dt.date.fromisoformat(text)
        except ValueError as exc:
            raise wrong(str(exc)) from exc
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
    if kind == "langstring":
        text, sep, tag = raw.rpartition("@")
        if not sep or not _LANG_TAG.match(tag):
            if parameter.language is None:
                raise wrong("需要 文本@语言 / text@language")
            text, tag = raw, parameter.language  # no tag of its own: the header's default
        return ox.Literal(text, language=tag.lower())
    if kind == "standard":
        try:
            return standard_iri(raw, base)
        except StandardNumberError as exc:
            raise wrong(exc.reason) from exc
    # iri
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            text = PREFIXES[prefix] + local
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise wrong(str(exc)) from exc


def bind(parameters: list[Parameter], values: dict[str, str], base: str = DEFAULT_BASE) -> dict[str, ox.NamedNode | ox.Literal]:
    """Parameter name → term, checking that every required parameter is given and no unknown one is."""
    known = {p.name: p for p in parameters}
    unknown = sorted(set(values) - set(known))
    if unknown:
        declared = ", ".join(p.name for p in parameters) or "无 / none"
        raise StdkgError(f"查询未声明参数 {', '.join(unknown)}（声明的参数：{declared}）/ the query declares no parameter "
                         f"{', '.join(unknown)} (declared: {declared}); a .rq file declares its parameters in a "
                         "'# Parameters: ?name (kind) …' header line")
    missing = [p for p in parameters if not p.optional and p.name not in values]
    if missing:
        lines = "; ".join(p.usage() for p in missing)
        raise StdkgError(f"缺少参数 / missing parameter: {lines}")
    return {name: term_for(known[name], raw, base) for name, raw in sorted(values.items())}
