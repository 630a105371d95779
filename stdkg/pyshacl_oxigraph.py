"""pySHACL over an Oxigraph store without two quadratic costs: the data graph `stdkg validate --engine pyshacl` hands it.

pySHACL (0.40+) accepts a pyoxigraph Store as its data graph and still decides every result
itself: targets, value nodes, each core constraint in Python, one SPARQL query per focus node
for each SHACL-SPARQL constraint, the report. Two things made that quadratic on a national
corpus, and this adapter removes both without touching a decision:

- pySHACL writes ``datagraph or shapes_graph`` three times per result; a Dataset has no
  ``__bool__``, so Python calls ``len()``, which on Oxigraph counts every distinct triple.
- pySHACL pre-binds ``$this`` through ``initBindings``; Oxigraph applies those
  ``substitutions`` after planning, so the query runs over the whole graph for each focus node
  (0.1 s per work at 10k editions). The SHACL spec defines pre-binding as substituting the
  value for the variable (https://www.w3.org/TR/shacl/#pre-binding), so the adapter writes the
  IRI or literal into the query body itself; Oxigraph then starts from it. A query where that
  substitution would not parse (a sub-SELECT or GROUP BY on ``$this``, a blank node value)
  runs as pySHACL asked, with ``substitutions``: slower, same answer.

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
from typing import Any

import pyoxigraph as ox
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import Literal, URIRef

# Strings, IRIs and comments are skipped whole, so a "$this" inside them is never touched.
_TOKENS = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # strings
    r'<[^<>"{}|^`\\\x00-\x20]*>', r"#[^\n]*",  # IRIs (not "<" as less-than: no spaces), comments
    r"[?$][A-Za-z_][A-Za-z0-9_]*", r"\{"]))


def prebind(query: str, bindings: Mapping[str, object]) -> str | None:
    """The query with each bound variable replaced by its value from the first ``{`` on, where
    one VALUES row binds it for the projection. None when a value cannot be written into a
    query (a blank node)."""
    values: dict[str, str] = {}
    for name, term in bindings.items():
        if isinstance(term, URIRef):
            values[str(name)] = f"<{term}>"
        elif isinstance(term, Literal):
            values[str(name)] = term.n3()
        else:
            return None
    out, last, in_body = [], 0, False
    for match in _TOKENS.finditer(query):
        token = match.group(0)
        if token == "{" and not in_body:
            in_body = True
            # The projection keeps the variable: one VALUES row reports it bound, as pre-binding does.
            out.append(query[last:match.end()])
            out.append(" VALUES (" + " ".join(f"?{n}" for n in values) + ") { (" + " ".join(values.values()) + ") } ")
            last = match.end()
        elif in_body and token[0] in "?$" and token[1:] in values:
            out.append(query[last:match.start()])
            out.append(values[token[1:]])
            last = match.end()
    out.append(query[last:])
    return "".join(out)


class PreboundOxigraphDataGraph(OxigraphDataGraph):
    """pySHACL's Oxigraph data graph, with pre-binding by substitution and an O(1) truth test."""

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
