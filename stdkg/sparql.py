"""SPARQL on the built graph: run a library query or a .rq file on the embedded store or on any
SPARQL 1.1 endpoint, push the graph to a server, run a local read-only endpoint.

Parameters are bound as RDF terms, never pasted into the query text: as a ``VALUES`` block
of terms, each rendered from a typed value with SPARQL's escapes and placed at the start of
the WHERE group, on endpoints and (by default, see run_embedded) on the embedded store, or
through pyoxigraph's ``substitutions`` (SEP-0007) for a SELECT that projects them.
A parameter's kind comes from the query's ``# Parameters:`` header. On the embedded store a
query never reaches the network: SERVICE and FROM / FROM NAMED of a graph the store does not
hold are refused unless the caller allows them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .numbers import StandardNumberError, parse_standard_number
from .problems import StdkgError
from .queries import LibraryQuery
from .serialize import PREFIXES, turtle_chunks
from .store import FORMATS, graph_file
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


# ------------------------------------------------------------------------------- query shape

@dataclass(frozen=True)
class QueryShape:
    """What running a query involves, read by rdflib's SPARQL parser (not by pattern-matching text)."""

    form: str  # SELECT, CONSTRUCT, ASK or DESCRIBE
    projected: frozenset[str] | None  # SELECT's variables
    services: tuple[str, ...]  # SERVICE targets (an IRI or ?variable)
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]


def analyse(text: str) -> QueryShape:
    """Parse a query; a query that does not parse is a StdkgError naming the parser's complaint."""
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        raise StdkgError(f"SPARQL 语法错误 / SPARQL syntax error: {exc}") from exc
    services: list[str] = []
    from_graphs: list[str] = []
    from_named: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node["term"]
                services.append(f"?{term}" if term.__class__.__name__ == "Variable" else str(term))
            elif node.name == "DatasetClause":
                named = "named" in node  # CompValue.get returns the key itself for a missing key
                (from_named if named else from_graphs).append(str(node["named" if named else "default"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple, ParseResults)):
            for value in node:
                walk(value)

    walk(parsed)  # before translateQuery, which rewrites the tree in place
    try:
        algebra = translateQuery(parsed).algebra
    except Exception as exc:  # rdflib raises plain Exceptions for undefined prefixes and the like
        raise StdkgError(f"SPARQL 语法错误 / SPARQL syntax error: {exc}") from exc
    form = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK",
            "DescribeQuery": "DESCRIBE"}[algebra.name]
    projected = frozenset(str(v) for v in algebra.get("PV") or ()) if form == "SELECT" else None
    return QueryShape(form, projected, tuple(services), tuple(from_graphs), tuple(from_named))


# ----------------------------------------------------------------- terms, VALUES and rendering

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape(text: str) -> str:
    """SPARQL string escapes (ECHAR) for the characters that could end or break a "…" literal.

    Other control characters stay raw (the grammar allows them) rather than \\uXXXX, because
    some parsers (rdflib) expand \\u escapes in the whole query text before lexing it.
    """
    return "".join(_ECHAR.get(ch, ch) for ch in text)


def render_term(term: object) -> str:
    """A term in SPARQL (and N-Triples) syntax; every character of a literal that could end or
    change the token is escaped, so a value can never become query text."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"  # pyoxigraph has validated the IRI: no '>', space, quote or brace
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = f'"{_escape(term.value)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value != XSD_STRING:
            return f"{text}^^<{term.datatype.value}>"
        return text
    raise StdkgError(f"不支持的 RDF 项 / unsupported RDF term: {term!r}")


def values_block(bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    names = sorted(bindings)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(render_term(bindings[n]) for n in names)}) }}"


_TOKENS = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\''(?:[^'\\]|\\.|'(?!''))*'\'\''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d]\w*(?:[.-]+\w+)*)?:(?:[\w.:%-]|\\.)*)
  | (?P<word>[A-Za-z]+)
  | (?P<open>\{) | (?P<close>\}) | (?P<lparen>\() | (?P<rparen>\))
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)


def where_position(text: str, form: str) -> int | None:
    """The offset just after the '{' that opens the query's WHERE group (None: it has none).

    A small lexer skips comments, strings and IRIs, so braces and the word WHERE inside them
    never count; the CONSTRUCT template is the first top-level group, the pattern the second.
    """
    depth = parens = groups = 0
    seen_where = False
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "word" and depth == 0 and parens == 0 and m.group().upper() == "WHERE":
            seen_where = True
        elif kind == "lparen":
            parens += 1
        elif kind == "rparen":
            parens -= 1
        elif kind == "open":
            if depth == 0 and parens == 0:
                if form == "CONSTRUCT" and seen_where and groups == 0:
                    raise StdkgError("简写的 CONSTRUCT WHERE { … } 不能带参数，请写成 CONSTRUCT { … } WHERE { … } / "
                                     "the short form CONSTRUCT WHERE { … } cannot take parameters: "
                                     "write CONSTRUCT { … } WHERE { … }")
                if seen_where or form != "CONSTRUCT" or groups == 1:
                    return m.end()
                groups += 1
            depth += 1
        elif kind == "close":
            depth -= 1
    return None


def with_values(text: str, bindings: dict[str, ox.NamedNode | ox.Literal], form: str) -> str:
    """The query with its parameters bound by a VALUES block at the start of its WHERE group
    (or a trailing VALUES clause when it has none, e.g. DESCRIBE <…>); the rest is unchanged."""
    if not bindings:
        return text
    block = values_block(bindings)
    at = where_position(text, form)
    if at is None:
        return f"{text.rstrip()}\n{block}\n"
    return f"{text[:at]} {block} {text[at:]}"


# --------------------------------------------------------------------------------- results

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Result:
    """The answer to a query, the same whichever backend gave it."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def _result(raw: object, form: str) -> Result:
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        return Result(form, names, [[solution[name] for name in names] for solution in raw])
    if isinstance(raw, ox.QueryBoolean):
        return Result(form, boolean=bool(raw))
    if isinstance(raw, ox.QueryTriples):
        return Result(form, triples=list(raw))
    raise StdkgError(f"无法识别的查询结果 / unrecognised query result: {type(raw).__name__}")


# ------------------------------------------------------------------------------ embedded store

def run_embedded(store: ox.Store, text: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
                 allow_service: bool = False, timeout: float = 60.0, shape: QueryShape | None = None,
                 binding: str = "values") -> Result:
    """Run a query on an Oxigraph store (the built graph in its default graph, queried as the union).

    Parameters are bound by the same VALUES block an endpoint gets ("values", the default), or
    by pyoxigraph's SEP-0007 substitutions ("substitute", only for a SELECT that projects them).
    Both bind terms, never text; VALUES is the default because Oxigraph 0.5 plans around an
    inline VALUES block (it starts the join there) but not around a substituted variable, which
    on 1M triples makes a lookup by a bound standard number up to hundreds of times slower.
    """
    bindings = bindings or {}
    shape = shape or analyse(text)
    remote = [g for g in shape.from_graphs + shape.from_named if not store.contains_named_graph(ox.NamedNode(g))]
    if not allow_service:
        if shape.services:
            raise StdkgError(f"查询含 SERVICE {', '.join(shape.services)}：内嵌存储上的查询不访问网络，"
                             f"确需联邦查询请加 --allow-service / the query has SERVICE {', '.join(shape.services)}: "
                             "queries on the embedded store never reach the network; pass --allow-service to federate")
        if remote:
            raise StdkgError(f"查询的 FROM / FROM NAMED 指向存储中没有的图 {', '.join(remote)}：内嵌存储上的查询不访问网络，"
                             f"确需加载请加 --allow-service / the query's FROM / FROM NAMED names graphs the store does not hold "
                             f"({', '.join(remote)}): queries on the embedded store never reach the network; "
                             "pass --allow-service to load them")
    for iri in remote:
        _fetch_graph(store, iri, timeout)
    union = not (shape.from_graphs or shape.from_named)
    if binding not in ("values", "substitute"):
        raise ValueError(f"binding must be 'values' or 'substitute', not {binding!r}")
    substitute = binding == "substitute" and bool(bindings)
    if substitute and (shape.form != "SELECT" or shape.projected is None or not set(bindings) <= shape.projected):
        raise StdkgError("Oxigraph 只能代入 SELECT 所投影的变量 / Oxigraph substitutes only variables a SELECT projects")
    try:
        if substitute:
            raw = store.query(text, use_default_graph_as_union=union,
                              substitutions={ox.Variable(name): term for name, term in bindings.items()})
        else:
            raw = store.query(with_values(text, bindings, shape.form), use_default_graph_as_union=union)
        return _result(raw, shape.form)
    except SyntaxError as exc:
        raise StdkgError(f"SPARQL 语法错误 / SPARQL syntax error: {exc}") from exc
    except OSError as exc:
        raise StdkgError(f"查询失败 / the query failed: {exc}") from exc


_RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
              "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
              "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}


def _fetch_graph(store: ox.Store, iri: str, timeout: float) -> None:
    """Load a remote FROM graph into the store under its own name (only with --allow-service)."""
    request = urllib.request.Request(iri, headers={"Accept": ", ".join(_RDF_TYPES)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user named it
            data = response.read()
            mime = response.headers.get_content_type()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StdkgError(f"{iri}: 无法获取 FROM 图 / cannot fetch the FROM graph ({exc})") from exc
    fmt = _RDF_TYPES.get(mime) or FORMATS.get(Path(urllib.parse.urlparse(iri).path).suffix.lower())
    if fmt is None:
        raise StdkgError(f"{iri}: 不认识的 RDF 格式 {mime} / unknown RDF media type {mime}")
    try:
        store.load(data, format=fmt, base_iri=iri, to_graph=ox.NamedNode(iri))
    except (SyntaxError, ValueError) as exc:
        raise StdkgError(f"{iri}: 无法解析 / cannot parse ({exc})") from exc


# -------------------------------------------------------------------------------- endpoints

@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 endpoint and how to reach it."""

    url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 60.0

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


_RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                 "text/tab-separated-values": ox.QueryResultsFormat.TSV}


def run_endpoint(endpoint: Endpoint, text: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
                 shape: QueryShape | None = None) -> Result:
    """Run a query on a SPARQL 1.1 endpoint through SPARQLWrapper (POST, URL-encoded), parameters as VALUES."""
    from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    shape = shape or analyse(text)
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(with_values(text, bindings or {}, shape.form))
    client.queryType = shape.form  # SPARQLWrapper guesses the form with a regex that words in comments fool
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setTimeout(max(1, round(endpoint.timeout)))
    client.setReturnFormat(JSON if shape.form in ("SELECT", "ASK") else TURTLE)
    if endpoint.token:
        client.addCustomHttpHeader("Authorization", f"Bearer {endpoint.token}")
    elif endpoint.user is not None:
        client.setCredentials(endpoint.user, endpoint.password or "")
    try:
        response = client.query().response
        data = response.read()
        mime = response.headers.get_content_type() if hasattr(response, "headers") else ""
    except SPARQLWrapperException as exc:
        raise StdkgError(f"{endpoint.url}: 端点拒绝了查询 / the endpoint refused the query: {exc}") from exc
    except urllib.error.HTTPError as exc:
        raise StdkgError(f"{endpoint.url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
        raise network_error(endpoint.url, endpoint.timeout, exc, "无法连接端点 / cannot reach the endpoint") from exc
    try:
        if shape.form in ("SELECT", "ASK"):
            fmt = _RESULT_TYPES.get(mime, ox.QueryResultsFormat.JSON)
            return _result(ox.parse_query_results(data, format=fmt), shape.form)
        fmt = _RDF_TYPES.get(mime, ox.RdfFormat.TURTLE)
        return Result(shape.form, triples=[q.triple for q in ox.parse(data, format=fmt)])
    except (SyntaxError, ValueError) as exc:
        raise StdkgError(f"{endpoint.url}: 无法解析端点的应答 / cannot read the endpoint's answer ({exc})") from exc


# ------------------------------------------------------------------------------ serialising

def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON (SELECT, ASK)."""
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, ensure_ascii=False, indent=2) + "\n"
    bindings = []
    for row in result.rows:
        entry: dict[str, dict[str, str]] = {}
        for name, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                entry[name] = {"type": "uri", "value": term.value}
            elif isinstance(term, ox.BlankNode):
                entry[name] = {"type": "bnode", "value": term.value}
            elif isinstance(term, ox.Literal):
                value: dict[str, str] = {"type": "literal", "value": term.value}
                if term.language:
                    value["xml:lang"] = term.language
                elif term.datatype.value != XSD_STRING:
                    value["datatype"] = term.datatype.value
                entry[name] = value
            else:
                raise StdkgError(f"不支持的 RDF 项 / unsupported RDF term: {term!r}")
        bindings.append(entry)
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
    import csv
    import io

    _tabular_only(result, "csv")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else (f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value) for t in row])
    return out.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in SPARQL syntax, tabs and newlines escaped."""
    _tabular_only(result, "tsv")
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if t is None else render_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_turtle(result: Result) -> str:
    """A CONSTRUCT/DESCRIBE answer as sorted Turtle with stdkg's prefixes (deterministic)."""
    if result.form not in ("CONSTRUCT", "DESCRIBE"):
        raise StdkgError("--format turtle 只用于 CONSTRUCT / DESCRIBE 查询 / --format turtle is for CONSTRUCT and DESCRIBE queries")
    rows = sorted({(render_term(t.subject), render_term(t.predicate), render_term(t.object)) for t in result.triples})
    return "".join(turtle_chunks(rows))


def _tabular_only(result: Result, fmt: str) -> None:
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        raise StdkgError(f"--format {fmt} 只用于 SELECT 查询；CONSTRUCT / DESCRIBE 请用 --format turtle / "
                         f"--format {fmt} is for SELECT queries; use --format turtle for CONSTRUCT and DESCRIBE")
    if result.form == "ASK":
        raise StdkgError(f"--format {fmt} 不适用于 ASK 查询，请用 --format json / --format {fmt} does not apply to ASK; use --format json")


# ------------------------------------------------------------------------ labels for display

_LABELS_QUERY = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX stdkg: <https://w3id.org/stdkg/ontology#>
SELECT ?s ?rank ?label WHERE {
  VALUES ?s { %s }
  { ?s dcterms:identifier ?label FILTER(EXISTS { ?s a stdkg:StandardEdition } || EXISTS { ?s a stdkg:Standard }) BIND(1 AS ?rank) }
  UNION { ?s skos:prefLabel ?label FILTER(LANG(?label) = "zh") BIND(2 AS ?rank) }
  UNION { ?s skos:prefLabel ?label BIND(3 AS ?rank) }
  UNION { ?s rdfs:label ?label FILTER(LANG(?label) = "zh") BIND(4 AS ?rank) }
}"""


def display_labels(run: Callable[[str], Result], iris: set[str], chunk: int = 200) -> dict[str, str]:
    """IRI → what a person reads: a standard's number, else a zh label; looked up on the same backend."""
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(iris)
    for start in range(0, len(ordered), chunk):
        terms = " ".join(render_term(ox.NamedNode(i)) for i in ordered[start:start + chunk])
        for s, rank, label in run(_LABELS_QUERY % terms).rows:
            if s is None or label is None or rank is None:
                continue
            key = (int(rank.value), label.value)
            if s.value not in found or key < found[s.value]:
                found[s.value] = key
    return {iri: label for iri, (_, label) in found.items()}


def short_iri(iri: str, base: str = DEFAULT_BASE) -> str:
    """stdkg's prefixes for vocabulary IRIs; the path after the base for minted ones."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    if iri.startswith(base) and len(iri) > len(base):
        return urllib.parse.unquote(iri[len(base):])
    return iri


# ------------------------------------------------------------------------------------- push

class EndpointTimeout(StdkgError):
    """A server that did not answer within the timeout: an error at once, never retried elsewhere."""


class EndpointUnreachable(StdkgError):
    """No connection, or the server closed it (e.g. refusing a request body it will not take)."""


def network_error(url: str, timeout: float, exc: OSError, unreachable: str) -> StdkgError:
    """A timeout (raised directly or wrapped in a URLError) or an unreachable server, said plainly."""
    reason = getattr(exc, "reason", exc)
    if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
        return EndpointTimeout(f"{url}: {timeout:g} 秒内无应答 / no answer within {timeout:g} s")
    return EndpointUnreachable(f"{url}: {unreachable} ({reason})")


@dataclass
class PushReport:
    method: str  # "gsp" or "update"
    url: str
    graph: str | None
    triples: int
    requests: int


def _request(url: str, endpoint: Endpoint, method: str, data: object = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers={**endpoint.headers(), **(headers or {})})  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310 - the user named it
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type() if exc.headers else "", exc.read()
    except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
        raise network_error(url, endpoint.timeout, exc, "无法连接 / cannot connect") from exc


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _graph_selector(graph: str | None) -> str:
    return "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")


def gsp_candidates(url: str) -> list[str]:
    """Where a server's Graph Store Protocol endpoint may be: Oxigraph /store, Fuseki /data or the dataset itself."""
    plain = url.rstrip("/")
    if re.search(r"/(store|data|rdf-graphs/service|sparql-graph-crud)$", plain):
        return [plain]
    base = re.sub(r"/(query|update|sparql|statements)$", "", plain)
    return list(dict.fromkeys([base + "/store", base + "/data", base]))


def update_url_for(url: str) -> str:
    plain = url.rstrip("/")
    if re.search(r"/(update|sparql|statements)$", plain):
        return plain
    base = re.sub(r"/(query|store|data)$", "", plain)
    return base + "/update"


def _ntriples(path: Path) -> Path:
    """An N-Triples file of the graph (the build's own, or converted into a temporary file)."""
    path = graph_file(path)
    if path.suffix.lower() == ".nt":
        return path
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise StdkgError(f"{path}: 不认识的 RDF 格式 / unknown RDF format (use .nt, .ttl, .nq, .trig, .rdf, .jsonld)")
    handle, name = tempfile.mkstemp(prefix="stdkg-push-", suffix=".nt")
    os.close(handle)
    try:
        triples = (q.triple for q in ox.parse(path=str(path), format=fmt))
        ox.serialize(triples, output=name, format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as exc:
        os.unlink(name)
        raise StdkgError(f"{path}: 无法解析 / cannot parse ({exc})") from exc
    return Path(name)


def _triple_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                yield line if line.endswith("\n") else line + "\n"


def push(graph: Path, endpoint: Endpoint, target: str | None = None, protocol: str = "auto",
         gsp_url: str | None = None, update_url: str | None = None, batch_size: int = 4000,
         progress: Callable[[int, int], None] | None = None) -> PushReport:
    """Replace a named graph (or the default graph) on a SPARQL 1.1 server with the built graph.

    The Graph Store Protocol's PUT replaces it in one request. Where the server has no GSP,
    SPARQL Update INSERT DATA in batches (a server may refuse one large update) fills a
    temporary graph, which one MOVE then puts in place, so readers never see half a graph.
    """
    if target is not None:
        try:
            ox.NamedNode(target)
        except ValueError as exc:
            raise StdkgError(f"--graph 应为绝对 IRI：'{target}' / --graph must be an absolute IRI: '{target}' ({exc})") from exc
    if not 1 <= batch_size <= 5000:
        raise StdkgError("--batch-size 应在 1–5000 之间 / --batch-size must be 1–5000")
    source = graph_file(graph)
    nt = _ntriples(source)
    try:
        total = sum(1 for _ in _triple_lines(nt))
        if protocol in ("auto", "gsp"):
            candidates = [gsp_url] if gsp_url else gsp_candidates(endpoint.url)
            for candidate in candidates:
                if gsp_url or _looks_like_gsp(candidate, endpoint):
                    report = _push_gsp(nt, candidate, endpoint, target, total, explicit=bool(gsp_url))
                    if report is not None:
                        return report
            if protocol == "gsp":
                raise StdkgError(f"{endpoint.url}: 找不到 Graph Store Protocol 端点（试过 {', '.join(candidates)}）/ "
                                 f"no Graph Store Protocol endpoint found (tried {', '.join(candidates)}); try --gsp-url or --protocol update")
        return _push_update(nt, update_url or update_url_for(endpoint.url), endpoint, target, total, batch_size, progress)
    finally:
        if nt != source:
            nt.unlink(missing_ok=True)


def _looks_like_gsp(url: str, endpoint: Endpoint) -> bool:
    """HEAD …?default answers 2xx with RDF (not a web page) where a Graph Store Protocol endpoint is."""
    try:
        status, mime, _ = _request(_with_query(url, "default"), endpoint, "HEAD")
    except EndpointTimeout:
        raise
    except StdkgError:
        return False
    return 200 <= status < 300 and mime != "text/html"


def _push_gsp(nt: Path, url: str, endpoint: Endpoint, target: str | None, total: int,
              explicit: bool = False) -> PushReport | None:
    size = nt.stat().st_size
    try:
        with nt.open("rb") as body:
            status, _, answer = _request(_with_query(url, _graph_selector(target)), endpoint, "PUT", body,
                                         {"Content-Type": "application/n-triples", "Content-Length": str(size)})
    except EndpointUnreachable:
        if explicit:
            raise
        return None  # it closed the connection on the graph: not a Graph Store after all
    if 200 <= status < 300:
        return PushReport("gsp", url, target, total, 1)
    if status in (404, 405, 501):
        return None  # not a GSP endpoint after all: try the next place, then SPARQL Update
    raise StdkgError(f"{url}: 服务器拒绝了图（HTTP {status}）/ the server refused the graph (HTTP {status}): "
                     f"{answer[:300].decode('utf-8', 'replace').strip()}")


def _push_update(nt: Path, url: str, endpoint: Endpoint, target: str | None, total: int, batch_size: int,
                 progress: Callable[[int, int], None] | None) -> PushReport:
    temporary = f"urn:stdkg:push:{uuid.uuid4()}"
    requests = 0

    def update(text: str) -> None:
        nonlocal requests
        requests += 1
        status, _, answer = _request(url, endpoint, "POST", text.encode("utf-8"),
                                     {"Content-Type": "application/sparql-update; charset=utf-8"})
        if not 200 <= status < 300:
            raise StdkgError(f"{url}: SPARQL Update 失败（HTTP {status}）/ SPARQL Update failed (HTTP {status}): "
                             f"{answer[:300].decode('utf-8', 'replace').strip()}")

    destination = "DEFAULT" if target is None else f"GRAPH <{target}>"
    update(f"DROP SILENT GRAPH <{temporary}>")
    done = 0
    try:
        batch: list[str] = []
        for line in _triple_lines(nt):
            if "_:" in line and re.search(r'(^|\s)_:', line.split('"', 1)[0]):
                raise StdkgError("图中有空白节点，分批的 SPARQL Update 会拆散它们，请用 Graph Store Protocol / "
                                 "the graph has blank nodes, which batched SPARQL Update would split: use the Graph Store Protocol")
            batch.append(line)
            if len(batch) >= batch_size:
                update(f"INSERT DATA {{ GRAPH <{temporary}> {{\n{''.join(batch)}}} }}")
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            update(f"INSERT DATA {{ GRAPH <{temporary}> {{\n{''.join(batch)}}} }}")
            done += len(batch)
            if progress:
                progress(done, total)
        update(f"MOVE SILENT GRAPH <{temporary}> TO {destination}")
    except EndpointTimeout:
        raise  # the server does not answer: asking it to clean up would only wait again
    except BaseException:
        try:
            update(f"DROP SILENT GRAPH <{temporary}>")
        except StdkgError:
            pass
        raise
    return PushReport("update", url, target, total, requests)


# ------------------------------------------------------------------------------------ serve

def oxigraph_binary() -> str:
    """The Oxigraph server binary that the `oxigraph` package installs beside this Python."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise StdkgError("找不到 Oxigraph 服务器程序，请安装：pip install oxigraph / the Oxigraph server binary was not found: "
                     "pip install oxigraph (stdkg depends on it)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running Oxigraph server on a temporary store directory; stop() ends it and removes the directory."""

    process: subprocess.Popen[bytes]
    url: str  # http://host:port
    location: Path

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.location, ignore_errors=True)


def start_server(graph: Path | None = None, host: str = "127.0.0.1", port: int = 7878, *, read_only: bool = True,
                 timeout_s: int | None = 30, union_default_graph: bool = False, wait: float = 30.0) -> Server:
    """Start Oxigraph's own HTTP server (SPARQL 1.1 Protocol, Graph Store Protocol) over a copy of the graph.

    The graph is bulk-loaded (`oxigraph load`) into a fresh temporary store directory, then
    `oxigraph serve-read-only` (or `serve`, read-write, when read_only is False) answers on host:port.
    """
    binary = oxigraph_binary()
    port = port or free_port(host)
    location = Path(tempfile.mkdtemp(prefix="stdkg-oxigraph-"))
    try:
        if graph is not None:
            source = graph_file(graph)
            loaded = subprocess.run([binary, "load", "--location", str(location), "--file", str(source)],
                                    capture_output=True, text=True, timeout=3600)
            if loaded.returncode != 0:
                raise StdkgError(f"{source}: Oxigraph 无法载入 / Oxigraph could not load it: {loaded.stderr.strip()[-500:]}")
        args = [binary, "serve-read-only" if read_only else "serve", "--location", str(location),
                "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
        if timeout_s:
            args += ["--timeout-s", str(timeout_s)]
        if union_default_graph:
            args.append("--union-default-graph")
        log = (location / "server.log").open("wb")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
    except BaseException:
        shutil.rmtree(location, ignore_errors=True)
        raise
    server = Server(process, f"http://{f'[{host}]' if ':' in host else host}:{port}", location)
    deadline = time.monotonic() + wait
    probe = server.query_url + "?query=" + urllib.parse.quote("ASK {}")
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # our own server: never via a proxy
    while True:
        if process.poll() is not None:
            message = (location / "server.log").read_text(errors="replace").strip()[-500:]
            server.stop()
            raise StdkgError(f"Oxigraph 服务器未能启动 / the Oxigraph server did not start ({host}:{port}): {message}")
        try:
            with direct.open(probe, timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise StdkgError(f"Oxigraph 服务器 {wait:g} 秒内未就绪 / the Oxigraph server was not ready within {wait:g} s")
        time.sleep(0.05)


def serve_forever(server: Server, announce: Callable[[str], None]) -> None:
    """Block until Ctrl-C or SIGTERM, then stop the server (and remove its store directory)."""
    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        announce(server.url)
        server.process.wait()
        message = (server.location / "server.log").read_text(errors="replace").strip()[-500:]
        raise StdkgError(f"Oxigraph 服务器意外退出 / the Oxigraph server exited: {message}")
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
