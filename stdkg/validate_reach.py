"""How far each validation rule reads from its focus node, so an incremental run
(`validate_cache`) checks again only the focus nodes a change can reach, rule by rule.

A compiled rule's SPARQL judges one focus node by the triples it can walk to from that node
along its own triple patterns. This module reads the query (rdflib's SPARQL algebra) and writes
those walks down as *paths*: from the focus node to every node whose own triples (those with it
as subject) the rule reads. Most rules read the focus node's own triples and one step further;
NoReferenceCycle reads two works and their editions. A focus node can get another result only
if one of its walks, in the old graph or the new, meets a changed subject: so walking every path
backwards from the changed subjects, once in the old graph and once in the new, finds every
focus node to check again.

Why one walk per node is enough: for each way the query can match (each UNION branch; an
OPTIONAL, MINUS or (NOT) EXISTS part with and without it) the paths form a tree over the
query's variables rooted at the focus, and every variable must hang in it. Along any match,
the first changed triple on the walk to a node is the own triple of a node the tree reaches by
a shorter path, which is walked back too. A rule whose query cannot be bounded this way (a part
not joined to the focus, LIMIT in a subquery, RAND(), a named graph, a negated or nested
repeated path) gets no reach and runs whole every time. NOW() in a plain FILTER is bounded
differently: the rule without that FILTER reads no clock, and its focus nodes are all those
the passing of time can change, so they are checked on every run (`Reach.relaxed`).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parserutils import CompValue

# One step of a walk: (predicate IRI, or None for a variable predicate; walked backwards, from
# object to subject; repeat "1" once, "?" zero or once, "*" any number of times).
Step = tuple[str | None, bool, str]
WalkPath = tuple[Step, ...]
FOCUS = Variable("this")
# Functions whose value is not fixed by the graph: a result that used one can change with no edit.
UNSTABLE = {"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}


@dataclass(frozen=True)
class Reach:
    """What a rule reads: at the end of each path from its focus node, the node's own triples
    with one of the predicates given (None: any); and the own triples of the fixed nodes
    ``constants`` (a change to one of those rechecks the rule whole)."""

    paths: tuple[tuple[WalkPath, frozenset[str] | None], ...]
    constants: frozenset[str]
    # For a rule that reads NOW(): the rule without its FILTERs on NOW(), whose focus nodes are
    # all those whose results the passing of time can change (None: the rule reads no clock).
    relaxed: str | None = None


class _Fresh:
    """Numbers for fresh variable names, and the functions that make a rule unbounded."""

    def __init__(self, unstable: set[str]) -> None:
        self.count, self.unstable = itertools.count(), unstable

    def __next__(self) -> int:
        return next(self.count)


class _Unbounded(Exception):
    """The query reads something no walk from the focus node bounds."""


Edge = tuple[object, str | None, object, str]  # subject term, predicate, object term, repeat


def rule_reach(query: str) -> Reach | None:
    """The reach of a rule's SELECT query over ``?this``, or None when it must run whole."""
    try:
        algebra = translateQuery(parseQuery(query)).algebra
        relaxed = _relax(query, algebra) if _reads_now(algebra) else None
        variants = _variants(algebra["p"], _Fresh(UNSTABLE - {"Builtin_NOW"} if relaxed else UNSTABLE))
        reads: dict[WalkPath, set[str] | None] = {}
        constants: set[str] = set()
        for edges in variants:
            _tree_paths(edges, reads, constants)
    except _Unbounded:
        return None
    paths = sorted(reads.items(), key=lambda item: (len(item[0]), repr(item[0])))
    return Reach(tuple((path, None if p is None else frozenset(p)) for path, p in paths), frozenset(constants), relaxed)


# ---------------------------------------------------------------- NOW()

_STRINGS = [r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''", r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'"]
_TOKEN = re.compile("|".join([
    "(?P<string>" + "|".join(_STRINGS) + ")",
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
    r"(?P<comment>#[^\n]*)",
    r"(?P<now>\bNOW\s*\(\s*\))",
    r"(?P<filter>\bFILTER\s*\()",
    r"(?P<open>[({])",
    r"(?P<close>[)}])",
]), re.IGNORECASE)


def _children(node: object) -> list[object]:
    """The parts of an rdflib algebra node to descend into (not its list of variables)."""
    if isinstance(node, CompValue):
        return [value for key, value in node.items() if key != "_vars"]
    return list(node) if isinstance(node, (list, tuple)) else []


def _reads_now(node: object) -> bool:
    if isinstance(node, CompValue):
        if node.name == "Builtin_NOW":
            return True
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS") and _reads_now(getattr(node, "graph")):
            return True
    return any(_reads_now(child) for child in _children(node))


def _exists_reads_now(expr: object) -> bool:
    if isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            return _reads_now(getattr(expr, "graph"))
        return any(_exists_reads_now(v) for k, v in expr.items() if k != "_vars")
    if isinstance(expr, (list, tuple)):
        return any(_exists_reads_now(v) for v in expr)
    return False


def _now_only_in_plain_filters(node: object) -> bool:
    """Whether NOW() is read only by FILTERs whose removal can only add solutions: not inside
    EXISTS, OPTIONAL, MINUS, an aggregate or a BIND."""
    if not isinstance(node, CompValue):
        return not _reads_now(node)
    name = node.name
    if name == "Filter":
        return not _exists_reads_now(node["expr"]) and _now_only_in_plain_filters(node["p"])
    if name in ("Project", "Distinct", "Reduced", "OrderBy", "ToMultiSet", "SelectQuery"):
        return _now_only_in_plain_filters(node["p"])
    if name in ("Join", "Union"):
        return _now_only_in_plain_filters(node["p1"]) and _now_only_in_plain_filters(node["p2"])
    if name in ("LeftJoin", "Minus"):
        return _now_only_in_plain_filters(node["p1"]) and not _reads_now(node["p2"]) and not _reads_now(node.get("expr"))
    return not _reads_now(node)


def _relax(query: str, algebra: object) -> str:
    """The query without the FILTER(…) clauses that read NOW(). Where such a filter sits it
    only removes solutions, so the relaxed query finds every focus node the rule can report
    at any time, and reads no clock."""
    if not _now_only_in_plain_filters(algebra):
        raise _Unbounded("NOW() read elsewhere than in a plain FILTER")
    cuts: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # open brackets: [where its FILTER began or -1, reads NOW()]
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("filter", "open"):
            stack.append([match.start() if kind == "filter" else -1, 0])
        elif kind == "now":
            outer = next((entry for entry in stack if entry[0] >= 0), None)
            if outer is None:
                raise _Unbounded("NOW() outside a FILTER(…)")
            outer[1] = 1
        elif kind == "close":
            if not stack:
                raise _Unbounded("unbalanced brackets")
            start, now = stack.pop()
            if now and start >= 0:
                cuts.append((start, match.end()))
    pieces, last = [], 0
    for start, end in sorted(cuts):
        pieces.append(query[last:start])
        last = end
    text = "".join(pieces) + query[last:]
    try:
        check = translateQuery(parseQuery(text)).algebra
    except Exception as exc:  # noqa: BLE001 - rdflib's parser raises several types
        raise _Unbounded(f"the query without its NOW() filters does not parse ({exc})") from exc
    if _reads_now(check) or _patterns(check) != _patterns(algebra) - _patterns_in_now_filters(algebra):
        raise _Unbounded("the query without its NOW() filters differs otherwise")
    return text


def _patterns(node: object) -> set[str]:
    """Every triple pattern anywhere in an algebra (EXISTS included), as text."""
    found: set[str] = set()
    if isinstance(node, CompValue):
        if node.name == "BGP":
            found.update(repr(t) for t in node["triples"])
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            found |= _patterns(getattr(node, "graph"))
    for child in _children(node):
        found |= _patterns(child)
    return found


def _patterns_in_now_filters(node: object) -> set[str]:
    found: set[str] = set()
    if isinstance(node, CompValue) and node.name == "Filter" and _reads_now(node["expr"]):
        found |= _patterns(node["expr"])
    for child in _children(node):
        found |= _patterns_in_now_filters(child)
    return found


# ---------------------------------------------------------------- the query's ways to match

def _variants(node: object, fresh: _Fresh) -> list[list[Edge]]:
    """Each conjunctive way the pattern can match, as the edges it walks."""
    if not isinstance(node, CompValue):
        raise _Unbounded(f"unexpected {type(node).__name__}")
    name = node.name
    if name == "BGP":
        out: list[list[Edge]] = [[]]
        for s, p, o in node["triples"]:
            out = [done + more for done in out for more in _edges(s, p, o, fresh)]
        return out
    if name in ("Join",):
        return _product(_variants(node["p1"], fresh), _variants(node["p2"], fresh))
    if name in ("LeftJoin", "Minus"):  # with the optional / subtracted part and without it
        left = _variants(node["p1"], fresh)
        both = _product(left, _variants(node["p2"], fresh))
        if name == "LeftJoin":
            both += _product(both, _expression_variants(node.get("expr"), fresh), keep_empty=False)
        return left + both
    if name == "Union":
        return _variants(node["p1"], fresh) + _variants(node["p2"], fresh)
    if name in ("Filter", "Extend"):
        inner = _variants(node["p"], fresh)
        return inner + _product(inner, _expression_variants(node["expr"], fresh), keep_empty=False)
    if name == "AggregateJoin":
        _expression_variants(node["A"], fresh)
        return _variants(node["p"], fresh)
    if name in ("Group", "Distinct", "Reduced", "OrderBy", "ToMultiSet"):
        if name == "Group":
            _expression_variants(node.get("expr"), fresh)
        return _variants(node["p"], fresh)
    if name == "Project":  # a subquery: its unprojected variables are its own
        own = {v for v in node["_vars"] if v not in node["PV"]}
        suffix = f"__sub{next(fresh)}"
        return [[_rename(edge, own, suffix) for edge in edges] for edges in _variants(node["p"], fresh)]
    if name == "values":
        return [[]]
    raise _Unbounded(name)  # Slice (LIMIT/OFFSET), Graph, Service …


def _product(a: list[list[Edge]], b: list[list[Edge]], keep_empty: bool = True) -> list[list[Edge]]:
    if not b:
        return a if keep_empty else []
    return [x + y for x in a for y in b]


def _expression_variants(expr: object, fresh: _Fresh) -> list[list[Edge]]:
    """The graph patterns (NOT) EXISTS reads inside an expression, each joined to the outside."""
    found: list[list[Edge]] = []

    def scan(value: object) -> None:
        if isinstance(value, CompValue):
            if value.name in fresh.unstable:
                raise _Unbounded(value.name)
            if value.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                # rdflib keeps the translated pattern as an attribute, the parsed one under the key
                found.extend(_variants(getattr(value, "graph"), fresh))
                return
            for key, item in value.items():
                if key != "_vars":
                    scan(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                scan(item)

    scan(expr)
    return found


def _rename(edge: Edge, own: set[object], suffix: str) -> Edge:
    s, p, o, repeat = edge
    return (Variable(s + suffix) if s in own else s, p, Variable(o + suffix) if o in own else o, repeat)


def _edges(s: object, p: object, o: object, fresh: _Fresh) -> list[list[Edge]]:
    """A triple pattern as walkable edges; a property path becomes a chain through fresh
    variables, and each alternative of ``a|b`` another way to match."""
    if isinstance(p, URIRef):
        return [[(s, str(p), o, "1")]]
    if isinstance(p, Variable):
        return [[(s, None, o, "1")]]
    if isinstance(p, InvPath):
        return _edges(o, p.arg, s, fresh)
    if isinstance(p, SequencePath):
        ends = [s, *(Variable(f"__path{next(fresh)}") for _ in p.args[1:]), o]
        out: list[list[Edge]] = [[]]
        for part, a, b in zip(p.args, ends, ends[1:]):
            out = [done + more for done in out for more in _edges(a, part, b, fresh)]
        return out
    if isinstance(p, AlternativePath):
        return [way for part in p.args for way in _edges(s, part, o, fresh)]
    if isinstance(p, MulPath):
        repeat = "?" if p.mod == "?" else "*"
        if isinstance(p.path, URIRef):
            return [[(s, str(p.path), o, repeat)]]
        if isinstance(p.path, InvPath) and isinstance(p.path.arg, URIRef):
            return [[(o, str(p.path.arg), s, repeat)]]
    if isinstance(p, Path):
        raise _Unbounded(f"path {p}")
    raise _Unbounded(f"predicate {p!r}")


# ---------------------------------------------------------------- walks from the focus

def _is_variable(term: object) -> bool:
    return not isinstance(term, (URIRef, Literal))  # a blank node in a query is a variable


def _tree_paths(edges: list[Edge], reads: dict[WalkPath, set[str] | None], constants: set[str]) -> None:
    """Add what one way of matching reads: a shortest-path tree from the focus (fewest steps,
    then fewest forward steps, which walked backwards fan out to a node's referrers), and at
    each node the predicates of the edges leaving it."""
    best: dict[object, tuple[int, int, WalkPath]] = {FOCUS: (0, 0, ())}
    order = itertools.count()
    queue = [(0, 0, next(order), FOCUS)]
    while queue:
        length, forward, _, node = heapq.heappop(queue)
        if best[node][:2] != (length, forward):
            continue
        path = best[node][2]
        for s, p, o, repeat in edges:
            for here, there, inverse in ((s, o, False), (o, s, True)):
                if here != node or not _is_variable(there):
                    continue
                cost = (length + 1, forward + (not inverse))
                if there not in best or cost < best[there][:2]:
                    best[there] = (*cost, (*path, (p, inverse, repeat)))
                    heapq.heappush(queue, (*cost, next(order), there))

    def read(path: WalkPath, predicate: str | None) -> None:
        known = reads.setdefault(path, set())
        if known is not None:
            if predicate is None:
                reads[path] = None
            else:
                known.add(predicate)

    for s, p, o, repeat in edges:
        for term in (s, o):
            if _is_variable(term) and term not in best:
                raise _Unbounded(f"{term} is not joined to the focus node")
        if not _is_variable(s):
            if isinstance(s, URIRef):
                constants.add(str(s))
            if repeat == "*":  # the nodes between a fixed start and the end are read too
                if not _is_variable(o):
                    raise _Unbounded("a repeated path between two fixed nodes")
                read((*best[o][2], (p, True, "*")), p)
            continue
        read(best[s][2], p)
        if repeat == "*":
            read((*best[s][2], (p, False, "*")), p)


# ---------------------------------------------------------------- walking a store

class Walker:
    """Walks paths in one store, remembering the node sets it has reached."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.graph = ox.DefaultGraph()

    def _step(self, nodes: set[object], predicate: str | None, inverse: bool) -> set[object]:
        p = ox.NamedNode(predicate) if predicate is not None else None
        found: set[object] = set()
        for node in nodes:
            if inverse:
                found.update(q.subject for q in self.store.quads_for_pattern(None, p, node, self.graph))
            elif not isinstance(node, ox.Literal):
                found.update(q.object for q in self.store.quads_for_pattern(node, p, None, self.graph))
        return found

    def step(self, nodes: set[object], step: Step) -> set[object]:
        predicate, inverse, repeat = step
        if repeat == "1":
            return self._step(nodes, predicate, inverse)
        reached, frontier = set(nodes), set(nodes)
        while frontier:
            frontier = self._step(frontier, predicate, inverse) - reached
            reached |= frontier
            if repeat == "?":
                break
        return reached

    def back_all(self, paths: Iterable[tuple[WalkPath, frozenset[str] | None]],
                 starts: Callable[[frozenset[str] | None], set[object]]) -> dict[tuple[WalkPath, frozenset[str] | None], set[object]]:
        """For each (path, predicates read at its end): the nodes from which the path ends at
        one of ``starts(predicates)``. Paths are walked from their end; shared ends once."""
        cache: dict[tuple[frozenset[str] | None, WalkPath], set[object]] = {}
        found = {}
        for path, reads in paths:
            if (reads, ()) not in cache:
                cache[(reads, ())] = starts(reads)
            for cut in range(len(path) - 1, -1, -1):
                if (reads, path[cut:]) not in cache:
                    predicate, inverse, repeat = path[cut]
                    cache[(reads, path[cut:])] = self.step(cache[(reads, path[cut + 1:])], (predicate, not inverse, repeat))
            found[(path, reads)] = cache[(reads, path)]
        return found
