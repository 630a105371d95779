"""pySHACL over an Oxigraph store without its quadratic costs: the data graph `stdkg validate --engine pyshacl` hands it.

pySHACL (0.40+) accepts a pyoxigraph Store as its data graph and still decides every result
itself: targets, value nodes, each core constraint in Python, one SPARQL query per focus node
for each SHACL-SPARQL constraint, the report. Three things made that quadratic on a national
corpus, and this adapter removes them without touching a decision:

- pySHACL writes ``datagraph or shapes_graph`` three times per result; a Dataset has no
  ``__bool__``, so Python calls ``len()``, which on Oxigraph counts every distinct triple.
- pySHACL pre-binds ``$this`` through ``initBindings``; Oxigraph applies those
  ``substitutions`` after planning, so the query runs over the whole graph for each focus node
  (0.1 s per work at 10k editions). The SHACL spec defines pre-binding as substituting the
  value for the variable (https://www.w3.org/TR/shacl/#pre-binding), so the adapter writes the
  query with one VALUES row binding it at the top of the WHERE clause. A query where that
  would not parse (a sub-SELECT or GROUP BY on ``$this``, a blank node value) runs as pySHACL
  asked, with ``substitutions``: slower, same answer.
- Where the IRI itself stood in a triple pattern, Oxigraph's planner could not see that the
  pattern starts from one node: it rates ``?v dcterms:replaces <iri>`` like
  ``?v stdkg:status stdv:status-current`` (both "predicate and object bound") and a UNION of
  two such patterns as twice that, so it began ReplacedMustBeAbolished from every current
  edition, for each focus node (10k editions: 94 of pySHACL's 174 CPU s; 100k: hours). So in a
  triple pattern joined to the VALUES row (the top group, plain groups and UNION branches in
  it) the variable stays, and Oxigraph joins outward from the row; everywhere else (OPTIONAL,
  EXISTS, sub-queries, expressions) the value is written in. Both give the same solutions:
  joining with the one-row VALUES keeps exactly the solutions where the variable is the value,
  and nothing between such a pattern and the row sees the variable (see ``_template``).

A third cost is linear but large: before each of those per-focus queries pySHACL checks the
constraint's text for forbidden SPARQL (MINUS, VALUES, SERVICE …) with backtracking regular
expressions, a third of its time. The text is the same for every focus node, so
``checked_once`` remembers a text that passed while pySHACL runs (a failing one still raises
every time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import Literal, URIRef

# Strings, IRIs and comments are skipped whole, so a "$this" inside them is never touched.
_TOKENS = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\x00-\x20]*>', r"#[^\n]*",  # IRIs (not "<" as less-than: no spaces), comments
    r"[?$][A-Za-z_][A-Za-z0-9_]*", r"[{}()]",
    # keywords; with a colon, prefixed names (a local part holds only name characters, '.', ':',
    # %xx and \-escapes: so "x:cur&&?v!=$this" is a name, then operators, then $this)
    r"[A-Za-z_][A-Za-z0-9_\-]*(?::(?:[\w\-.:%]|\\.)*)?"]))
# A group opened right after one of these is not joined to the top: its variables do not meet the
# VALUES row, so a pre-bound variable inside it must be the value itself.
_SCOPING = {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "EXISTS"}
_ROW = object()  # where the VALUES row goes, in a template


@lru_cache(maxsize=256)
def _template(query: str, names: tuple[str, ...]) -> tuple[object, ...]:
    """The query cut into text and slots, once per query text (pySHACL sends the same text for
    every focus node): a slot (name, True) keeps the variable, (name, False) takes the value.

    A variable keeps its name where it sits in a triple pattern of a group joined to the top
    one (the top group itself, plain groups and UNION branches in it, at any depth, outside any
    expression): there, joining the solutions with the VALUES row keeps exactly those where
    the variable is the value, as substituting it would, since nothing between that pattern and
    the row can see the variable (every other occurrence is the value). A VALUES clause of the
    query's own (which SHACL forbids) makes every occurrence the value."""
    tokens = list(_TOKENS.finditer(query))
    own_values = any(m.group(0).upper() == "VALUES" for m in tokens)
    parts: list[object] = []
    last, parens, scoping = 0, 0, False
    groups: list[tuple[bool, int]] = []  # per open group: joined to the top?, paren depth at its "{"
    for match in tokens:
        token = match.group(0)
        if token == "{":
            if not parts:  # the top group: the VALUES row right after its "{"
                parts += [query[last:match.end()], _ROW]
                last = match.end()
                groups.append((True, parens))
            else:
                joined = bool(groups) and groups[-1][0] and parens == groups[-1][1] and not scoping
                groups.append((joined, parens))
            scoping = False
        elif token == "}":
            if groups:
                groups.pop()
        elif token in "()":
            parens += 1 if token == "(" else -1
        elif token[0] in "?$":
            if parts and token[1:] in names:
                joined = not own_values and bool(groups) and groups[-1][0] and parens == groups[-1][1]
                parts += [query[last:match.start()], (token[1:], joined)]
                last = match.end()
        elif token[0].isalpha() and ":" not in token:
            word = token.upper()
            if word in _SCOPING:
                scoping = True
            elif word == "SELECT" and groups:  # a sub-query: its variables are its own
                groups[-1] = (False, groups[-1][1])
    parts.append(query[last:])
    return tuple(parts)


def prebind(query: str, bindings: Mapping[str, object]) -> str | None:
    """The query with a VALUES row binding each pre-bound variable at the top of its WHERE
    clause, and each occurrence of the variable from there on either kept (in a triple pattern
    joined to that row, see _template) or replaced by its value (everywhere else). None when a
    value cannot be written into a query (a blank node)."""
    values: dict[str, str] = {}
    for name, term in bindings.items():
        if isinstance(term, URIRef):
            values[str(name)] = f"<{term}>"
        elif isinstance(term, Literal):
            values[str(name)] = term.n3()
        else:
            return None
    row = " VALUES (" + " ".join(f"?{n}" for n in values) + ") { (" + " ".join(values.values()) + ") } "
    out = []
    for part in _template(query, tuple(values)):
        if isinstance(part, str):
            out.append(part)
        elif part is _ROW:
            out.append(row)
        else:
            name, joined = part  # type: ignore[misc]
            out.append(f"?{name}" if joined else values[name])
    return "".join(out)


class PreboundOxigraphDataGraph(OxigraphDataGraph):
    """pySHACL's Oxigraph data graph, with pre-binding done in the query text (see ``prebind``) and
    an O(1) truth test."""

    def __bool__(self) -> bool:
        return next(iter(self.impl.quads_for_pattern(None, None, None)), None) is not None

    def query(self, query_object: Any, *args: Any, initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              **kwargs: Any) -> Any:
        if isinstance(query_object, str) and initBindings:
            text = prebind(query_object, initBindings)
            if text is not None:
                try:
                    return super().query(text, *args, **kwargs)
                except SyntaxError:
                    pass  # e.g. GROUP BY $this: let Oxigraph substitute, as pySHACL asked
        return super().query(query_object, *args, initBindings=initBindings, **kwargs)


def data_graph(store: ox.Store) -> PreboundOxigraphDataGraph:
    return PreboundOxigraphDataGraph(store)


@contextmanager
def checked_once() -> Iterator[None]:
    """While pySHACL runs, its SPARQL-legality check passes a text it has already passed at once."""
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    check = SPARQLQueryHelper.check_invalid_sparql
    passed: set[tuple[str, bool, frozenset[str]]] = set()

    def remembered(self: Any, sparql_text: str, valuenode: Any = None, extravars: Any = None) -> bool:
        key = (sparql_text, valuenode is not None, frozenset(extravars or ()))
        if key not in passed:
            check(self, sparql_text, valuenode=valuenode, extravars=extravars)
            passed.add(key)
        return True

    SPARQLQueryHelper.check_invalid_sparql = remembered  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLQueryHelper.check_invalid_sparql = check  # type: ignore[method-assign]
