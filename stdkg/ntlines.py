"""The build's graph as N-Triples lines (UTF-8 bytes), each triple rendered once.

A national corpus makes millions of triples. Making an rdflib URIRef or Literal per term and
a tuple per triple, then rendering and sorting those tuples, was most of a build's time and
memory. Here a triple is one line, ``S P O .\\n``, assembled from pieces rendered once: the
subject with its trailing space, the predicate with its trailing space, the object with its
``" .\\n"`` ending. Sorted and distinct, the lines are the canonical stdkg.nt byte for byte,
Oxigraph loads them as they are, and the Turtle writer groups them.

Sorting lines sorts triples: subjects and predicates are IRIs, and no IRI term ``<…>`` is a
proper prefix of another; a literal is a prefix of another only before its ``@lang`` or
``^^<type>``, and ``@`` and ``^`` both sort after the space that follows a whole term. UTF-8
bytes sort as their code points, so the order is the order of the strings.

``TripleSet`` gives callers that want rdflib terms (release stamping, diffs, tests) the same
set of triples, made only when they ask for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, MutableSet
from itertools import groupby

from rdflib import Literal, URIRef

from .serialize import escape, term_nt

Triple = tuple[URIRef, URIRef, URIRef | Literal]
_UNESCAPE = re.compile(r'\\([\\"nr])')
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}


def head(iri: str) -> bytes:
    """An IRI as a line's subject or predicate: ``<iri> `` (trailing space included)."""
    return f"<{iri}> ".encode()


def tail_iri(iri: str) -> bytes:
    """An IRI as a line's object: ``<iri> .\\n``."""
    return f"<{iri}> .\n".encode()


def tail_literal(text: str, lang: str | None = None) -> bytes:
    """A plain (or language-tagged) literal as a line's object: ``"text"@lang .\\n``."""
    if lang:
        return f'"{escape(text)}"@{lang} .\n'.encode()
    return f'"{escape(text)}" .\n'.encode()


def tail(term: URIRef | Literal) -> bytes:
    """Any rdflib term as a line's object (the slow, general way, for the rare terms)."""
    return f"{term_nt(term)} .\n".encode()


def line(s: URIRef, p: URIRef, o: URIRef | Literal) -> bytes:
    """One rdflib triple as an N-Triples line."""
    return f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n".encode()


def canonical(lines: list[bytes]) -> list[bytes]:
    """Sort ``lines`` in place and drop repeats: the canonical N-Triples of a bnode-free graph."""
    lines.sort()
    return [first for first, _ in groupby(lines)]


def parse_line(text: bytes) -> Triple:
    """An N-Triples line written by this module back into rdflib terms."""
    s, p, rest = text.decode().split(" ", 2)
    return URIRef(s[1:-1]), URIRef(p[1:-1]), parse_term(rest[:-3] if rest.endswith(" .\n") else rest.rstrip(" .\n"))


def parse_term(nt: str) -> URIRef | Literal:
    if nt.startswith("<"):
        return URIRef(nt[1:-1])
    if nt.endswith('"'):
        return Literal(_unescape(nt[1:-1]))
    if nt.endswith(">"):  # only a typed literal ends with '>': its datatype follows the last '"^^<'
        text, _, datatype = nt.rpartition('"^^<')
        return Literal(_unescape(text[1:]), datatype=URIRef(datatype[:-1]))
    text, _, lang = nt.rpartition('"@')
    return Literal(_unescape(text[1:]), lang=lang)


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: _UNESCAPES[m.group(1)], text) if "\\" in text else text


class TripleSet(MutableSet):  # type: ignore[type-arg]
    """The graph as a set of rdflib triples, backed by canonical lines until a caller iterates,
    tests membership or changes it; ``lines()`` is the canonical form either way."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines: list[bytes] | None = lines
        self._terms: set[Triple] | None = None

    @property
    def as_built(self) -> bool:
        """True while no caller has made (and so perhaps changed) the rdflib set."""
        return self._terms is None

    def lines(self) -> list[bytes]:
        if self._terms is None:
            assert self._lines is not None
            return self._lines
        return canonical([line(*t) for t in self._terms])

    def _set(self) -> set[Triple]:
        if self._terms is None:
            assert self._lines is not None
            self._terms = {parse_line(text) for text in self._lines}
            self._lines = None
        return self._terms

    def __len__(self) -> int:
        return len(self._terms) if self._terms is not None else len(self._lines or ())

    def __contains__(self, triple: object) -> bool:
        return triple in self._set()

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._set())

    def add(self, triple: Triple) -> None:
        self._set().add(triple)

    def discard(self, triple: Triple) -> None:
        self._set().discard(triple)

    def update(self, triples: Iterable[Triple]) -> None:
        self._set().update(triples)

    def difference_update(self, triples: Iterable[Triple]) -> None:
        self._set().difference_update(triples)
