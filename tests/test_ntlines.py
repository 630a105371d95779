"""The build's N-Triples lines (stdkg.ntlines) against the rdflib-term way they replace:
the same sorted, distinct N-Triples, the same Turtle, and the same triples back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import XSD, Literal, URIRef

from stdkg.ntlines import TripleSet, canonical, line, parse_line
from stdkg.serialize import nt_lines, sorted_rows, turtle_chunks, turtle_from_lines

# IRIs that sort close together (one a prefix of another's text), in and out of the prefixed namespaces.
iris = st.builds(lambda ns, local: URIRef(ns + local),
                 st.sampled_from(["https://w3id.org/stdkg/standard/", "https://w3id.org/stdkg/ontology#",
                                  "http://purl.org/dc/terms/", "https://w3id.org/stdkg/vocab/", "urn:x:"]),
                 st.text(alphabet="aAbB-._1é", min_size=1, max_size=4))
texts = st.text(alphabet=st.sampled_from(list('ab "\\\n\r\t标准é@^<>')), max_size=6)
literals = st.one_of(
    st.builds(Literal, texts),
    st.builds(lambda t, lang: Literal(t, lang=lang), texts, st.sampled_from(["zh", "en", "en-gb"])),
    st.builds(lambda n: Literal(n), st.integers(-5, 1000)),
    st.builds(lambda y: Literal(str(y), datatype=XSD.gYear), st.integers(1990, 2030)),
)
triples = st.lists(st.tuples(iris, iris, st.one_of(iris, literals)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(triples)
def test_sorted_lines_are_the_canonical_n_triples_and_turtle(graph: list[tuple[URIRef, URIRef, URIRef | Literal]]) -> None:
    lines = canonical([line(*t) for t in graph + graph[:3]])  # repeats are dropped
    assert b"".join(lines).decode() == "".join(nt_lines(graph))
    assert b"".join(turtle_from_lines(lines)).decode() == "".join(turtle_chunks(sorted_rows(graph)))


@settings(max_examples=200, deadline=None)
@given(triples)
def test_triple_set_gives_the_rdflib_triples_back(graph: list[tuple[URIRef, URIRef, URIRef | Literal]]) -> None:
    lines = canonical([line(*t) for t in graph])
    assert {parse_line(text) for text in lines} == set(graph)
    view = TripleSet(lines)
    assert len(view) == len(set(graph)) and view.as_built
    assert set(view) == set(graph) and not view.as_built
    assert view.lines() == lines  # rendered again from the terms: the same canonical lines
