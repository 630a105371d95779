"""Validation: the SHACL shapes in shapes/ run on a graph, by two engines that must agree.

The fast engine compiles every shape to SPARQL and runs it once over the whole graph in
Oxigraph; pySHACL is the reference, kept for any SHACL the compiler does not cover. Both
return the same ``Result`` records, so reports, the gate and the agreement test share one
shape. Severity always comes from the shape, never from code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from . import paths
from .problems import StdkgError
from .queries import read_query
from .serialize import term_nt

SEVERITIES = ("Violation", "Warning", "Info")
ANNOTATIONS = {SH.name, SH.message, SH.description, SH.severity, SH.deactivated, SH.order, SH.group}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
PROPERTY_PARAMETERS = {SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"], SH.pattern, SH.flags,
                       SH.nodeKind, SH.hasValue, SH.uniqueLang}


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, engine-neutral (IRIs and N-Triples strings, not objects)."""

    severity: str  # Violation, Warning or Info
    shape: str  # the shape (or check file) that produced it
    focus: str
    path: str | None
    value: str | None
    component: str  # e.g. MinCountConstraintComponent, SPARQLConstraintComponent
    message_zh: str = ""
    message_en: str = ""

    @property
    def key(self) -> tuple[str, str | None, str, str]:
        """What two engines must agree on: focus node, path, constraint component, severity."""
        return (self.focus, self.path, self.component, self.severity)


@dataclass(frozen=True)
class Rule:
    """A compiled shape constraint: the SPARQL that finds its results, and how to report them."""

    shape: str
    severity: str
    component: str
    path: str | None
    query: str
    message_zh: str
    message_en: str
    name_zh: str
    name_en: str
    # The shape's target classes, or None when it also targets otherwise (nodes, subjects of …):
    # an incremental run (validate_cache) restricts only rules whose focus nodes it can tell.
    target_classes: tuple[str, ...] | None = None


def shapes_files(extra: Iterable[Path] = ()) -> list[Path]:
    files = sorted(paths.shapes_dir().glob("*.ttl"))
    for path in extra:
        if not path.is_file():
            raise StdkgError(f"{path}: 找不到规则文件 / shapes file not found")
        files.append(path)
    return files


def load_shapes(extra: Iterable[Path] = ()) -> Graph:
    graph = Graph()
    for path in shapes_files(extra):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser error types
            raise StdkgError(f"{path}: 规则文件无法解析 / cannot parse shapes file ({exc})") from exc
    return graph


# ---------------------------------------------------------------- compiling
class Unsupported(StdkgError):
    """A shape uses SHACL the fast engine does not compile; --engine pyshacl runs it."""


def _text(graph: Graph, node: object, prop: URIRef, lang: str) -> str:
    for value in graph.objects(node, prop):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return ""


def _severity(graph: Graph, shape: object) -> str:
    value = graph.value(shape, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _deactivated(graph: Graph, node: object) -> bool:
    return graph.value(node, SH.deactivated) == Literal(True)


def _target_pattern(graph: Graph, shape: object) -> str:
    branches = []
    for cls in graph.objects(shape, SH.targetClass):
        branches.append(f"?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {term_nt(cls)} .")
    for node in graph.objects(shape, SH.targetNode):
        branches.append(f"VALUES ?this {{ {term_nt(node)} }}")
    for prop in graph.objects(shape, SH.targetSubjectsOf):
        branches.append(f"?this {term_nt(prop)} ?targetObject .")
    for prop in graph.objects(shape, SH.targetObjectsOf):
        branches.append(f"?targetSubject {term_nt(prop)} ?this .")
    if not branches:
        return ""
    if len(branches) == 1:
        return branches[0]
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {b} }}" for b in branches) + " } }"


def _prefixes(graph: Graph, constraint: object) -> str:
    lines = []
    for source in graph.objects(constraint, SH.prefixes):
        for decl in graph.objects(source, SH.declare):
            lines.append(f"PREFIX {graph.value(decl, SH.prefix)}: <{graph.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _sparql_rule(graph: Graph, shape: object, constraint: object, target: str) -> Rule:
    select = str(graph.value(constraint, SH.select) or "")
    if not select or graph.value(constraint, SH.ask) is not None:
        raise Unsupported(f"{shape}: 只支持 sh:select 约束 / only sh:select SPARQL constraints are compiled")
    body = select.replace("$this", "?this")
    match = _WHERE.search(body)
    if match is None:
        raise Unsupported(f"{shape}: SPARQL 约束缺少 WHERE / SPARQL constraint has no WHERE")
    # Joining the target at the top of the WHERE stands in for pySHACL binding $this before
    # the query runs; shapes keep $this bound in their top-level group for this to hold.
    query = f"{_prefixes(graph, constraint)}\n{body[:match.end()]} {target} {body[match.end():]}"
    message_zh = _text(graph, constraint, SH.message, "zh") or _text(graph, shape, SH.message, "zh")
    message_en = _text(graph, constraint, SH.message, "en") or _text(graph, shape, SH.message, "en")
    return Rule(str(shape), _severity(graph, shape), "SPARQLConstraintComponent", None, query,
                message_zh, message_en, _text(graph, shape, SH.name, "zh"), _text(graph, shape, SH.name, "en"))


_XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph stores a well-formed literal of a type derived from xsd:integer as xsd:integer (and
# keeps an ill-formed one as it came): the derived type survives only as a range on the value.
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255)}
# Types SPARQL can cast to: a literal of one whose lexical form does not cast is ill-formed,
# which sh:datatype counts as a violation (as pySHACL does).
_CASTABLE = {"integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time", "string"}
_ILL_FORMED = "<urn:stdkg:ill-formed>"


def datatype_filter(datatype: str) -> str:
    """The FILTER a value breaks sh:datatype by: not a literal, another datatype, ill-formed,
    or (for the xsd:integer family, which Oxigraph folds into xsd:integer) out of the type's range.
    Limit: a literal written as plain xsd:integer passes a derived type whose range it fits."""
    local = datatype.removeprefix(_XSD) if datatype.startswith(_XSD) else None
    if local in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[local]
        bounds = []
        if low is not None:
            bounds.append(f"?value < {low}")
        if high is not None:
            bounds.append(f"?value > {high}")
        return f"FILTER(!isLiteral(?value) || datatype(?value) != <{_XSD}integer> || {' || '.join(bounds)})"
    ill_formed = (f" || sameTerm(COALESCE(<{datatype}>(STR(?value)), {_ILL_FORMED}), {_ILL_FORMED})"
                  if local in _CASTABLE else "")
    return f"FILTER(!isLiteral(?value) || datatype(?value) != <{datatype}>{ill_formed})"


def _property_rules(graph: Graph, shape: object, prop: object, target: str) -> list[Rule]:
    path = graph.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise Unsupported(f"{prop}: 快速引擎只支持单个谓词路径 / the fast engine compiles only single-predicate paths")
    unknown = {p for p in graph.predicates(prop, None) if str(p).startswith(str(SH))} - PROPERTY_PARAMETERS - ANNOTATIONS - {SH.path}
    if unknown:
        raise Unsupported(f"{prop}: 快速引擎不支持 / the fast engine does not compile {', '.join(sorted(map(str, unknown)))}")
    p = term_nt(path)
    checks: list[tuple[str, str]] = []
    # Oxigraph runs the forms below 2-3× faster than grouping the whole target; the focus nodes
    # found are the same (run_fast keeps each result once).
    if (n := graph.value(prop, SH.minCount)) is not None:
        if int(n) == 1:
            checks.append(("MinCountConstraintComponent", f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {p} ?v }} }}"))
        elif int(n) > 1:
            checks.append(("MinCountConstraintComponent",
                           f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {p} ?v }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(n)})"))
    if (n := graph.value(prop, SH.maxCount)) is not None:
        # How many values a node has does not depend on the target: count first, then join the few.
        checks.append(("MaxCountConstraintComponent",
                       f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {p} ?v }} GROUP BY ?this "
                       f"HAVING (COUNT(DISTINCT ?v) > {int(n)}) }} {target} }}"))
    value_filters = []
    if (cls := graph.value(prop, SH["class"])) is not None:
        value_filters.append(("ClassConstraintComponent",
                              f"FILTER NOT EXISTS {{ ?value <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {term_nt(cls)} }}"))
    if (dt := graph.value(prop, SH.datatype)) is not None:
        value_filters.append(("DatatypeConstraintComponent", datatype_filter(str(dt))))
    if (members := graph.value(prop, SH["in"])) is not None:
        allowed = ", ".join(term_nt(t) for t in Collection(graph, members))
        value_filters.append(("InConstraintComponent", f"FILTER(?value NOT IN ({allowed}))"))
    if (pattern := graph.value(prop, SH.pattern)) is not None:
        flags = str(graph.value(prop, SH.flags) or "")
        value_filters.append(("PatternConstraintComponent",
                              f"FILTER(isBlank(?value) || !REGEX(STR(?value), {term_nt(Literal(str(pattern)))}, {term_nt(Literal(flags))}))"))
    if (kind := graph.value(prop, SH.nodeKind)) is not None:
        tests = {"IRI": "isIRI(?value)", "Literal": "isLiteral(?value)", "BlankNode": "isBlank(?value)",
                 "BlankNodeOrIRI": "!isLiteral(?value)", "BlankNodeOrLiteral": "!isIRI(?value)",
                 "IRIOrLiteral": "!isBlank(?value)"}
        value_filters.append(("NodeKindConstraintComponent", f"FILTER(!({tests[str(kind).rsplit('#', 1)[-1]]}))"))
    if graph.value(prop, SH.uniqueLang) == Literal(True):
        checks.append(("UniqueLangConstraintComponent",
                       f"SELECT DISTINCT ?this WHERE {{ {target} ?this {p} ?a , ?b . "
                       f"FILTER(isLiteral(?a) && lang(?a) != \"\" && LCASE(lang(?a)) = LCASE(lang(?b)) && ?a != ?b) }}"))
    if (value := graph.value(prop, SH.hasValue)) is not None:
        checks.append(("HasValueConstraintComponent", f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {p} {term_nt(value)} }} }}"))
    for component, value_filter in value_filters:
        checks.append((component, f"SELECT ?this ?value WHERE {{ {target} ?this {p} ?value . {value_filter} }}"))
    return [Rule(str(prop), _severity(graph, prop), component, str(path), query,
                 _text(graph, prop, SH.message, "zh"), _text(graph, prop, SH.message, "en"),
                 _text(graph, prop, SH.name, "zh"), _text(graph, prop, SH.name, "en"))
            for component, query in checks]


def compile_shapes(graph: Graph) -> list[Rule]:
    """Every active constraint of every node shape as a SPARQL rule; Unsupported otherwise."""
    rules: list[Rule] = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        if _deactivated(graph, shape):
            continue
        target = _target_pattern(graph, shape)
        if not target:
            continue  # a shape without targets validates nothing on its own
        unknown = {p for p in graph.predicates(shape, None) if str(p).startswith(str(SH))} - TARGETS - ANNOTATIONS - {SH.property, SH.sparql}
        if unknown:
            raise Unsupported(f"{shape}: 快速引擎不支持 / the fast engine does not compile {', '.join(sorted(map(str, unknown)))}; use --engine pyshacl")
        first = len(rules)
        for prop in sorted(graph.objects(shape, SH.property), key=str):
            if not _deactivated(graph, prop):
                rules.extend(_property_rules(graph, shape, prop, target))
        for constraint in sorted(graph.objects(shape, SH.sparql), key=str):
            if not _deactivated(graph, constraint):
                rules.append(_sparql_rule(graph, shape, constraint, target))
        only_classes = not any(graph.value(shape, t) is not None for t in TARGETS - {SH.targetClass})
        classes = tuple(sorted(str(c) for c in graph.objects(shape, SH.targetClass))) if only_classes else None
        rules[first:] = [replace(rule, target_classes=classes) for rule in rules[first:]]
    return rules


# ---------------------------------------------------------------- running
def _value(term: object) -> str | None:
    """An IRI as itself, a literal as its lexical form (as pySHACL's report gives them)."""
    return None if term is None else getattr(term, "value", str(term))


def run_fast(store: ox.Store, rules: list[Rule]) -> list[Result]:
    # Plain tuples are deduplicated and sorted (their order is Result's), and each Result is made
    # once: hashing and comparing frozen dataclasses runs in Python, a third of a second per 100k.
    found: set[tuple[str, str, str, str | None, str | None, str, str, str]] = set()
    for rule in rules:
        try:
            solutions = store.query(rule.query, use_default_graph_as_union=True)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StdkgError(f"{rule.shape}: 规则无法执行 / the rule's SPARQL failed ({exc})") from exc
        has_value = "value" in [v.value for v in solutions.variables]
        sparql = rule.component == "SPARQLConstraintComponent"
        for row in solutions:
            focus = row["this"]
            if focus is None:
                continue
            value = row["value"] if has_value else None
            if sparql and value is None:
                value = focus  # as pySHACL reports it: the focus node is the value node
            found.add((rule.severity, rule.shape, _value(focus), rule.path, _value(value),  # type: ignore[arg-type]
                       rule.component, rule.message_zh, rule.message_en))
    return [Result(*fields) for fields in sorted(found)]  # type: ignore[misc]


def pyshacl_needs_rdflib(shapes: Graph) -> bool:
    """True when a shape checks sh:datatype against a type Oxigraph folds into xsd:integer (it
    stores "5"^^xsd:byte as 5): pySHACL would judge the folded literal, so it reads an rdflib copy."""
    return any(str(dt).removeprefix(_XSD) in _INTEGER_RANGES for dt in shapes.objects(None, SH.datatype))


def shapes_used_by(shapes: Graph, roots: Iterable[str]) -> list[str]:
    """The shapes and every named shape they use (through sh:property, sh:node, sh:not, sh:and …),
    roots first. pySHACL's ``use_shapes`` follows only blank-node parts: a named property shape
    left off the list is filtered out, and its results silently with it."""
    used = [URIRef(r) for r in roots]
    seen, todo = set(used), list(used)
    while todo:
        shape = todo.pop()
        parts = [o for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape) for o in shapes.objects(shape, p)]
        parts += [i for p in (SH["and"], SH["or"], SH.xone) for lst in shapes.objects(shape, p)
                  for i in Collection(shapes, lst)]
        for part in parts:
            if part not in seen:
                seen.add(part)
                todo.append(part)
                if isinstance(part, URIRef):
                    used.append(part)
    return [str(s) for s in used]


def run_pyshacl(data: Graph | ox.Store, shapes: Graph, use_shapes: list[str] | None = None) -> list[Result]:
    """The reference engine; results in the same form as run_fast.

    On an rdflib Graph it is slow (rdflib re-parses each SPARQL constraint for every focus
    node). On an Oxigraph store (pySHACL 0.40 reads one natively) pySHACL still decides every
    result, and the store answers its SPARQL: see stdkg.pyshacl_oxigraph. ``use_shapes``
    runs only those shapes, with the named shapes they use (see shapes_used_by), so a benchmark
    can split the work."""
    import pyshacl

    from .pyshacl_oxigraph import checked_once, data_graph

    if isinstance(data, ox.Store):
        data = data_graph(data)
    with checked_once():
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                        use_shapes=None if use_shapes is None else shapes_used_by(shapes, use_shapes))
    results = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        def one(prop: URIRef) -> object:
            return report.value(node, prop)

        messages = list(report.objects(node, SH.resultMessage))
        zh = next((str(m) for m in messages if isinstance(m, Literal) and m.language == "zh"), "")
        en = next((str(m) for m in messages if isinstance(m, Literal) and m.language == "en"), "")
        component = str(one(SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        path = one(SH.resultPath)
        value = one(SH.value)
        results.add(Result(str(one(SH.resultSeverity)).rsplit("#", 1)[-1], str(one(SH.sourceShape)),
                           str(one(SH.focusNode)), str(path) if isinstance(path, URIRef) else None,
                           None if value is None else str(value), component, zh, en))
    return sorted(results)


def run_checks(store: ox.Store, check_files: Iterable[Path]) -> list[Result]:
    """Plain SPARQL checks (as ROBOT verify): every returned row is a violation."""
    results = set()
    for path in check_files:
        query = read_query(path)
        try:
            solutions = store.query(query.text, use_default_graph_as_union=True)
        except (SyntaxError, ValueError) as exc:
            raise StdkgError(f"{path}: 检查查询无法执行 / the check query failed ({exc})") from exc
        names = [v.value for v in solutions.variables]
        if not names:
            raise StdkgError(f"{path}: 检查必须是 SELECT 查询 / a check must be a SELECT query")
        focus_var = "focus" if "focus" in names else names[0]
        for row in solutions:
            focus = row[focus_var]
            if focus is None:
                continue
            results.add(Result("Violation", path.resolve().as_uri(), _value(focus),
                               _value(row["path"]) if "path" in names else None,
                               _value(row["value"]) if "value" in names else None,
                               "SPARQLCheck", query.title, query.title))
    return sorted(results)


# ---------------------------------------------------------------- the gate
@dataclass
class Validation:
    results: list[Result]
    engine: str
    rules: int
    labels: dict[str, str]  # focus IRI → standard number or zh label, for people

    def label(self, iri: str | None) -> str:
        return "" if iri is None else self.labels.get(iri, iri)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def fails(self, fail_on: str) -> bool:
        return gate_fails((r.severity for r in self.results), fail_on)


def gate_fails(severities: Iterable[str], fail_on: str) -> bool:
    """True when a result at or above the gate's severity exists (violation > warning > info)."""
    levels = SEVERITIES[: SEVERITIES.index(fail_on.capitalize()) + 1]
    return any(severity in levels for severity in severities)


def ontology_files() -> list[Path]:
    return sorted(paths.ontology_dir().glob("*.ttl"))


def validate_file(graph_path: Path, engine: str = "fast", extra_shapes: Iterable[Path] = (),
                  checks: Iterable[Path] = ()) -> Validation:
    """Validate a graph file (or build folder) with the bundled shapes plus the user's own.

    The ontology is merged in first, so targets reach subclasses (a stdkg:Standard is a
    stdkg:StandardDocument) whether or not the file carries the ontology itself.
    """
    from .store import graph_file, open_store

    if engine not in ("fast", "pyshacl"):
        raise StdkgError(f"未知引擎 / unknown engine '{engine}' (fast or pyshacl)")
    store = open_store(graph_path)
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    if engine == "fast":
        return validate_store(store, extra_shapes, checks)
    shapes = load_shapes(extra_shapes)
    if engine == "pyshacl" and not pyshacl_needs_rdflib(shapes):
        results = run_pyshacl(store, shapes)  # the graph and the ontology, loaded above
        rules = []
    elif engine == "pyshacl":
        data = Graph()
        try:
            data.parse(graph_file(graph_path))
        except Exception as exc:  # rdflib's parsers raise many error types
            raise StdkgError(f"{graph_path}: 无法解析 / cannot parse ({exc})") from exc
        for path in ontology_files():
            data.parse(path, format="turtle")
        results = run_pyshacl(data, shapes)
        rules = []
    else:
        raise StdkgError(f"未知引擎 / unknown engine '{engine}' (fast or pyshacl)")
    results = sorted(set(results) | set(run_checks(store, checks)))
    return Validation(results, engine, len(rules), _labels(store, {r.focus for r in results} | {r.value or "" for r in results}))


def validate_store(store: ox.Store, extra_shapes: Iterable[Path] = (), checks: Iterable[Path] = ()) -> Validation:
    """The fast engine on a store that already holds the graph and the ontology (as a build's does)."""
    rules = compile_shapes(load_shapes(extra_shapes))
    results = run_fast(store, rules)  # sorted, each result once
    checked = run_checks(store, checks)
    if checked:
        results = sorted(set(results) | set(checked))
    return Validation(results, "fast", len(rules), _labels(store, {r.focus for r in results} | {r.value or "" for r in results}))


def _labels(store: ox.Store, iris: set[str]) -> dict[str, str]:
    """Standard numbers (dcterms:identifier) or zh labels of the nodes a report names."""
    wanted = [i for i in iris if i.startswith(("http://", "https://", "urn:", "file:"))]
    labels: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        values = " ".join(f"<{i}>" for i in wanted[start:start + 500])
        query = f"""SELECT ?node (SAMPLE(?l) AS ?label) WHERE {{
            VALUES ?node {{ {values} }}
            {{ ?node <http://purl.org/dc/terms/identifier> ?l }}
            UNION {{ ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = "zh") }}
            UNION {{ ?node <http://www.w3.org/2004/02/skos/core#notation> ?l }}
        }} GROUP BY ?node"""
        for row in store.query(query, use_default_graph_as_union=True):
            labels[row["node"].value] = row["label"].value
    return labels
