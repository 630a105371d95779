"""Canonical, deterministic N-Triples and Turtle for bnode-free graphs.

Sorted N-Triples lines are a canonical form when there are no blank nodes (stdkg mints none),
so the same input gives byte-identical files and releases diff line by line. The Turtle
writer groups the same sorted triples by subject with prefixes, for people to read. Both
stream from one sorted list, which is far faster than rdflib's serialisers on large graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from .atomic import atomic_write

PREFIXES = {
    "stdkg": "https://w3id.org/stdkg/ontology#",
    "stdv": "https://w3id.org/stdkg/vocab/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
}
_SAFE_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')
Triple = tuple[URIRef, URIRef, URIRef | Literal]


def _literal(term: Literal, qname: bool) -> str:
    text = _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], str(term))
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is None or str(term.datatype) == "http://www.w3.org/2001/XMLSchema#string":
        return f'"{text}"'
    return f'"{text}"^^{_iri(term.datatype, qname)}'


def _iri(term: URIRef, qname: bool) -> str:
    if qname:
        for prefix, ns in PREFIXES.items():
            if term.startswith(ns) and _SAFE_LOCAL.fullmatch(term[len(ns):]):
                return f"{prefix}:{term[len(ns):]}"
    return f"<{term}>"


def term_nt(term: URIRef | Literal) -> str:
    return _literal(term, False) if isinstance(term, Literal) else f"<{term}>"


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """Sorted, de-duplicated N-Triples lines: the canonical form of a bnode-free graph."""
    return sorted({f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n" for s, p, o in triples})


def write_ntriples(triples: Iterable[Triple], path: Path) -> None:
    lines = nt_lines(triples)
    with atomic_write(path) as out:
        out.writelines(lines)


def turtle_chunks(triples: Iterable[Triple]) -> Iterator[str]:
    yield "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"
    ordered = sorted(triples, key=lambda t: (str(t[0]), t[1] != RDF.type, str(t[1]), term_nt(t[2])))
    for subject, group in groupby(ordered, key=lambda t: t[0]):
        parts = []
        for predicate, objects in groupby(group, key=lambda t: t[1]):
            verb = "a" if predicate == RDF.type else _iri(predicate, True)
            rendered = [_literal(o, True) if isinstance(o, Literal) else _iri(o, True) for _, _, o in objects]
            parts.append(f"    {verb} " + " ,\n        ".join(rendered))
        yield f"{_iri(subject, True)}\n" + " ;\n".join(parts) + " .\n\n"


def write_turtle(triples: Iterable[Triple], path: Path) -> None:
    with atomic_write(path) as out:
        out.writelines(turtle_chunks(triples))
