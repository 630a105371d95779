"""The text of a query: its shape as a SPARQL parser reads it, RDF terms rendered with SPARQL's
escapes, and a VALUES block of bound terms placed at the start of the WHERE group."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .problems import StdkgError
from .sparql_params import XSD_STRING

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
