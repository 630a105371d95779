"""pySHACL on the Oxigraph store (`--engine pyshacl`) gives what pySHACL on rdflib gives, result for result."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from stdkg.pyshacl_oxigraph import prebind
from stdkg.store import open_store
from stdkg.validate import Result, load_shapes, ontology_files, run_pyshacl, validate_file

from conftest import FIXTURES, REPO

SEEDED = FIXTURES / "shapes" / "seeded.ttl"


def whole(results: list[Result]) -> set[tuple[str, str, str, str | None, str | None, str]]:
    """Every field but the message text."""
    return {(r.severity, r.shape, r.focus, r.path, r.value, r.component) for r in results}


def test_prebind_keeps_the_variable_in_joined_patterns_and_writes_the_value_elsewhere() -> None:
    query = '''PREFIX a: <urn:x#>
SELECT $this ?value WHERE {
    # $this in a comment stays
    $this a:p ?value ; a:q "$this", """long $this""" .
    ?thisOther a:r ?this .
    { ?value a:s $this } UNION { $this a:t ?value }
    OPTIONAL { ?value a:u $this }
    FILTER(STR(?value)<STR(?thisOther) && REGEX(?value, "^DB([0-9]+).*$", "$1") && ?value != $this)
    FILTER NOT EXISTS { $this a:v ?value }
}'''
    text = prebind(query, {"this": URIRef("urn:focus")})
    assert text is not None
    head, body = text.split("{", 1)
    assert head.endswith("SELECT $this ?value WHERE ")  # the projection keeps the variable
    assert body.startswith(" VALUES (?this) { (<urn:focus>) }")
    # Triple patterns joined to the VALUES row keep the variable, so Oxigraph starts from the row.
    assert "?this a:p ?value" in body and "?thisOther a:r ?this" in body
    assert "{ ?value a:s ?this } UNION { ?this a:t ?value }" in body
    # Where the row does not reach (OPTIONAL, an expression, EXISTS), the value itself.
    assert "OPTIONAL { ?value a:u <urn:focus> }" in body and "?value != <urn:focus>" in body
    assert "NOT EXISTS { <urn:focus> a:v ?value }" in body
    assert '"$this"' in body and '"""long $this"""' in body and "# $this in a comment" in body
    assert '"$1"' in body and "STR(?value)<STR(?thisOther)" in body
    assert prebind("SELECT ?this { ?s ?p ?o FILTER(?o = ?this) }", {"this": Literal('a "b"', lang="zh")}) == \
        'SELECT ?this { VALUES (?this) { ("a \\"b\\""@zh) }  ?s ?p ?o FILTER(?o = "a \\"b\\""@zh) }'
    assert prebind("SELECT ?this { ?this ?p ?o }", {"this": BNode()}) is None  # left to Oxigraph
    # A VALUES clause of the query's own (SHACL forbids it): the value everywhere.
    assert "<urn:focus> ?p ?o" in (prebind("SELECT ?this { ?this ?p ?o VALUES ?o { 1 } }", {"this": URIRef("urn:focus")}) or "")


# Each query beside its meaning: the same query with the focus node written for $this (the SHACL
# spec defines pre-binding as that substitution). The data makes a careless rewrite differ: a
# node with another value in an OPTIONAL, a filter reading $this in a UNION branch, a sub-query.
PREBIND_DATA = b"""
<urn:x:f> <urn:x:p> <urn:x:a> ; <urn:x:q> <urn:x:b> ; <urn:x:n> 3 .
<urn:x:a> <urn:x:p> <urn:x:f> , <urn:x:g> ; <urn:x:s> <urn:x:cur> .
<urn:x:b> <urn:x:r> <urn:x:g> ; <urn:x:s> <urn:x:cur> .
<urn:x:c> <urn:x:s> <urn:x:cur> ; <urn:x:p> <urn:x:g> .
<urn:x:g> <urn:x:q> <urn:x:a> ; <urn:x:n> 4 .
"""
PREBIND_QUERIES = [
    "SELECT $this ?v WHERE { { ?v <urn:x:p> $this } UNION { $this <urn:x:q> ?v } ?v <urn:x:s> <urn:x:cur> }",
    "SELECT $this ?v ?w WHERE { { ?v <urn:x:s> <urn:x:cur> OPTIONAL { ?v <urn:x:p> $this } } UNION { $this <urn:x:q> ?w } }",
    "SELECT $this ?v ?w WHERE { ?v <urn:x:s> <urn:x:cur> OPTIONAL { ?v <urn:x:p> ?w FILTER(?w != $this) } }",
    "SELECT $this ?v WHERE { { ?v <urn:x:s> ?o FILTER(?v != $this) } UNION { { $this <urn:x:p> ?v } } }",
    "SELECT $this ?v WHERE { ?v <urn:x:s> <urn:x:cur> FILTER NOT EXISTS { ?v <urn:x:p> $this } }",
    "SELECT $this ?v WHERE { $this <urn:x:p> ?v . { SELECT ?v WHERE { ?v <urn:x:p> $this } } }",
    "SELECT $this ?v ?z WHERE { { ?v <urn:x:p> ?o } UNION { ?o <urn:x:q> ?v } BIND(($this = ?o) AS ?z) }",
    "SELECT $this ?v WHERE { $this <urn:x:p>/<urn:x:p>? ?v . ?v <urn:x:q>* ?w FILTER(?w != $this) }",
    "SELECT (COUNT(?v) AS ?n) WHERE { { $this <urn:x:p> ?v } UNION { ?v <urn:x:p> $this } }",
    "ASK { { $this <urn:x:n> ?n } UNION { ?x <urn:x:q> $this } FILTER(?n > 3 || !BOUND(?n)) }",
    # Prefixed names with no space before an operator or a path step (a name ends where its
    # characters do): $this after them is still found.
    "PREFIX x: <urn:x:> SELECT $this ?v WHERE { { ?v x:s ?o FILTER(?o=x:cur&&?v!=$this) } }",
    "PREFIX x: <urn:x:> SELECT $this ?v WHERE { { ?v x:p ?w FILTER(?w=x:g||?w=$this) } }",
    "PREFIX x: <urn:x:> SELECT $this ?v WHERE { { SELECT ?v WHERE { ?v x:p/x:p*$this } } }",
]


def test_prebind_answers_as_substituting_the_value_does() -> None:
    store = ox.Store()
    store.load(PREBIND_DATA, ox.RdfFormat.TURTLE)

    def answers(text: str) -> object:
        result = store.query(text)
        return bool(result) if isinstance(result, ox.QueryBoolean) else sorted(str(list(s)) for s in result)

    for query in PREBIND_QUERIES:
        for focus in ("urn:x:f", "urn:x:g", "urn:x:a"):
            text = prebind(query, {"this": URIRef(focus)})
            assert text is not None
            head, body = query.split("{", 1)
            spelt = head + "{ VALUES (?this) { (<" + focus + ">) } " + body.replace("$this", f"<{focus}>")
            assert answers(text) == answers(spelt), (query, focus, text)
    assert answers(prebind(PREBIND_QUERIES[1], {"this": URIRef("urn:x:g")}) or "")  # the data reaches the traps


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


def test_pyshacl_split_over_shards_gives_every_result_of_the_whole_run() -> None:
    """benchmarks/bench_pyshacl.py --shards N runs pySHACL's node shapes N ways (use_shapes); a
    named property shape (sh:property shp:IdentifierRequired) must come along with its node shape."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_pyshacl", REPO / "benchmarks" / "bench_pyshacl.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    store = open_store(SEEDED)
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    shapes = load_shapes()
    whole_run = whole(run_pyshacl(store, shapes))
    split = set().union(*(whole(run_pyshacl(store, shapes, use_shapes=bench.shard_shapes(i, 3))) for i in range(3)))
    assert any(r[5] == "MinCountConstraintComponent" for r in whole_run)  # named property shapes report
    assert split == whole_run
