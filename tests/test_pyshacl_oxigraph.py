"""pySHACL on the Oxigraph store (`--engine pyshacl`) gives what pySHACL on rdflib gives, result for result."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from stdkg.pyshacl_oxigraph import prebind
from stdkg.validate import Result, load_shapes, ontology_files, run_pyshacl, validate_file

from conftest import FIXTURES

SEEDED = FIXTURES / "shapes" / "seeded.ttl"


def whole(results: list[Result]) -> set[tuple[str, str, str, str | None, str | None, str]]:
    """Every field but the message text."""
    return {(r.severity, r.shape, r.focus, r.path, r.value, r.component) for r in results}


def test_prebind_substitutes_in_the_body_only_and_reports_the_value() -> None:
    query = '''PREFIX a: <urn:x#>
SELECT $this ?value WHERE {
    # $this in a comment stays
    $this a:p ?value ; a:q "$this", """long $this""" .
    ?thisOther a:r ?this .
    FILTER(STR(?value)<STR(?thisOther) && REGEX(?value, "^DB([0-9]+).*$", "$1"))
}'''
    text = prebind(query, {"this": URIRef("urn:focus")})
    assert text is not None
    head, body = text.split("{", 1)
    assert head.endswith("SELECT $this ?value WHERE ")  # the projection keeps the variable
    assert body.startswith(" VALUES (?this) { (<urn:focus>) }")
    assert "<urn:focus> a:p ?value" in body and "?thisOther a:r <urn:focus>" in body
    assert '"$this"' in body and '"""long $this"""' in body and "# $this in a comment" in body
    assert '"$1"' in body and "STR(?value)<STR(?thisOther)" in body
    assert prebind("SELECT ?this { ?this ?p ?o }", {"this": Literal("a \"b\"", lang="zh")}) == \
        'SELECT ?this { VALUES (?this) { ("a \\"b\\""@zh) }  "a \\"b\\""@zh ?p ?o }'
    assert prebind("SELECT ?this { ?this ?p ?o }", {"this": BNode()}) is None  # left to Oxigraph


def test_both_pyshacl_stores_and_the_fast_engine_agree_on_the_seeded_graph() -> None:
    data = Graph().parse(SEEDED)
    for path in ontology_files():
        data.parse(path, format="turtle")
    on_rdflib = run_pyshacl(data, load_shapes())
    on_oxigraph = validate_file(SEEDED, engine="pyshacl").results
    assert len(on_rdflib) > 60
    assert whole(on_oxigraph) == whole(on_rdflib)
    assert whole(validate_file(SEEDED).results) == whole(on_oxigraph)


def test_a_query_prebinding_cannot_rewrite_still_runs(tmp_path: Path) -> None:
    """GROUP BY $this would become GROUP BY <iri>, which does not parse: Oxigraph substitutes instead."""
    shapes = tmp_path / "grouped.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:x:TwoTags> a sh:NodeShape ; sh:targetClass <urn:x:Thing> ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this <urn:x:tag> ?t } GROUP BY $this HAVING (COUNT(?t) > 1)" ] .
""", encoding="utf-8")
    store = ox.Store()
    store.load(b"<urn:x:a> a <urn:x:Thing> ; <urn:x:tag> 1, 2 . <urn:x:b> a <urn:x:Thing> ; <urn:x:tag> 1 .",
               ox.RdfFormat.TURTLE)
    results = run_pyshacl(store, Graph().parse(shapes))
    assert [(r.focus, r.shape) for r in results] == [("urn:x:a", "urn:x:TwoTags")]
