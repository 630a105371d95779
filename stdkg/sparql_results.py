"""A query's answer, the same whichever backend gave it, and its serialisations (SPARQL 1.1
Query Results JSON / CSV / TSV, sorted Turtle for CONSTRUCT and DESCRIBE)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from .problems import StdkgError
from .serialize import turtle_chunks
from .sparql_params import XSD_STRING
from .sparql_text import render_term

RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
             "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Result:
    """The answer to a query, the same whichever backend gave it."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


def result_of(raw: object, form: str) -> Result:
    if isinstance(raw, ox.QuerySolutions):
        names = [v.value for v in raw.variables]
        return Result(form, names, [[solution[name] for name in names] for solution in raw])
    if isinstance(raw, ox.QueryBoolean):
        return Result(form, boolean=bool(raw))
    if isinstance(raw, ox.QueryTriples):
        return Result(form, triples=list(raw))
    raise StdkgError(f"无法识别的查询结果 / unrecognised query result: {type(raw).__name__}")


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
