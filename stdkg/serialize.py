"""Canonical, deterministic N-Triples and Turtle for bnode-free graphs.

Sorted N-Triples lines are a canonical form when there are no blank nodes (stdkg mints none),
so the same input gives byte-identical files and releases diff line by line. The Turtle
writer groups the same sorted triples by subject with prefixes, for people to read. Each
distinct term is rendered once and both files come from one sort, which keeps millions of
triples fast (rdflib's own serialisers take several times longer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from pathlib import Path

from rdflib import Literal, URIRef

from .atomic import Staged, atomic_write

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
_PREFIXED = re.compile("^<(" + "|".join(re.escape(ns) for ns in PREFIXES.values()) + r")([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)>$")
_PREFIX_OF = {ns: prefix for prefix, ns in PREFIXES.items()}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Triple = tuple[URIRef, URIRef, URIRef | Literal]


def escape(text: str) -> str:
    """Literal text as N-Triples writes it (only the characters N-Triples requires escaped)."""
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text) if _NEEDS_ESCAPE.search(text) else text


def term_nt(term: URIRef | Literal) -> str:
    """A term in N-Triples syntax (UTF-8 kept, only the characters N-Triples requires escaped)."""
    if not isinstance(term, Literal):
        return f"<{term}>"
    text = escape(str(term))
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is None or str(term.datatype) == _XSD_STRING:
        return f'"{text}"'
    return f'"{text}"^^<{term.datatype}>'


def sorted_rows(triples: Iterable[Triple]) -> list[tuple[str, str, str]]:
    """Triples as sorted, distinct (subject, predicate, object) N-Triples strings."""
    cache: dict[object, str] = {}

    def render(term: URIRef | Literal) -> str:
        text = cache.get(term)
        if text is None:
            text = cache[term] = term_nt(term)
        return text

    return sorted({(render(s), render(p), render(o)) for s, p, o in triples})


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    return [f"{s} {p} {o} .\n" for s, p, o in sorted_rows(triples)]


def write_ntriples(rows: list[tuple[str, str, str]], path: Path, stage: Staged | None = None) -> None:
    with atomic_write(path, stage=stage) as out:
        out.writelines(f"{s} {p} {o} .\n" for s, p, o in rows)


def _turtle_term(nt: str, cache: dict[str, str]) -> str:
    found = cache.get(nt)
    if found is None:
        if nt.startswith("<"):
            match = _PREFIXED.match(nt)
            found = f"{_PREFIX_OF[match.group(1)]}:{match.group(2)}" if match else nt
        else:
            # Only a typed literal ends with '>'; its datatype follows the last '"^^<'.
            text, sep, datatype = nt.rpartition('"^^<') if nt.endswith(">") else ("", "", "")
            found = f'{text}"^^{_turtle_term("<" + datatype, cache)}' if sep else nt
        cache[nt] = found
    return found


def turtle_chunks(rows: list[tuple[str, str, str]], cache: dict[str, str] | None = None) -> Iterator[str]:
    """Turtle from sorted rows: one block per subject, rdf:type first, then predicates in order.
    ``cache`` (term → Turtle) may be shared by many small documents (the published pages)."""
    cache = {} if cache is None else cache
    yield "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"
    for subject, group in groupby(rows, key=lambda row: row[0]):
        by_predicate = [(p, [o for _, _, o in objs]) for p, objs in groupby(group, key=lambda row: row[1])]
        by_predicate.sort(key=lambda item: item[0] != _RDF_TYPE)  # stable: the rest keep their order
        parts = []
        for predicate, objects in by_predicate:
            verb = "a" if predicate == _RDF_TYPE else _turtle_term(predicate, cache)
            parts.append(f"    {verb} " + " ,\n        ".join(_turtle_term(o, cache) for o in objects))
        yield f"{_turtle_term(subject, cache)}\n" + " ;\n".join(parts) + " .\n\n"


def write_turtle(rows: list[tuple[str, str, str]], path: Path, stage: Staged | None = None) -> None:
    with atomic_write(path, stage=stage) as out:
        out.writelines(turtle_chunks(rows))


_TYPE_HEAD = _RDF_TYPE.encode()
_NAMESPACE_STARTS = tuple(f"<{ns}".encode() for ns in PREFIXES.values())


def turtle_from_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The Turtle of ``turtle_chunks``, byte for byte, from sorted N-Triples lines (UTF-8).

    The build's fast path: a term is converted only when it can change (an IRI in a prefixed
    namespace, a typed literal's datatype); other terms, most of a graph, pass as they are."""
    names: dict[str, str] = {}  # N-Triples → Turtle, shared with _turtle_term
    converted: dict[bytes, bytes] = {}

    def term(nt: bytes) -> bytes:
        if nt[0] == 0x22:  # '"': a literal; only a typed one ends with '>' and changes
            if not nt.endswith(b">"):
                return nt
            text, _, datatype = nt.rpartition(b'"^^<')
            return text + b'"^^' + term(b"<" + datatype)
        if not nt.startswith(_NAMESPACE_STARTS):
            return nt
        found = converted.get(nt)
        if found is None:
            found = converted[nt] = _turtle_term(nt.decode(), names).encode()
        return found

    yield ("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n").encode()
    batch: list[bytes] = []
    subject: bytes | None = None
    predicates: list[tuple[bytes, list[bytes]]] = []
    objects: list[bytes] = []
    predicate = b""
    for text in lines:
        s, p, o = text.split(b" ", 2)
        if s != subject:
            if subject is not None:
                batch.append(_turtle_block(term(subject), predicates, term))
                if len(batch) >= 4096:
                    yield b"".join(batch)
                    batch = []
            subject, predicates, predicate = s, [], b""
        if p != predicate:
            predicate, objects = p, []
            predicates.append((p, objects))
        objects.append(o[:-3])  # without " .\n"
    if subject is not None:
        batch.append(_turtle_block(term(subject), predicates, term))
    yield b"".join(batch)


def _turtle_block(subject: bytes, predicates: list[tuple[bytes, list[bytes]]], term: Callable[[bytes], bytes]) -> bytes:
    """One subject's block, rdf:type first (as ``turtle_chunks``)."""
    parts = []
    for predicate, objects in predicates:
        if predicate == _TYPE_HEAD:  # one rdf:type group per subject (lines are sorted): it goes first
            parts.insert(0, b"    a " + b" ,\n        ".join(map(term, objects)))
        else:
            parts.append(b"    " + term(predicate) + b" " + b" ,\n        ".join(map(term, objects)))
    return subject + b"\n" + b" ;\n".join(parts) + b" .\n\n"


def write_turtle_lines(lines: Iterable[bytes], path: Path, stage: Staged | None = None) -> None:
    """stdkg.ttl from the build's sorted N-Triples lines."""
    with atomic_write(path, stage=stage) as out:
        out.flush()
        out.buffer.writelines(turtle_from_lines(lines))


def write_ntriples_lines(lines: list[bytes], path: Path, stage: Staged | None = None) -> None:
    """stdkg.nt: the sorted lines as they are."""
    with atomic_write(path, stage=stage) as out:
        out.flush()
        out.buffer.writelines(lines)
