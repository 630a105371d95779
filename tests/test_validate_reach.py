"""validate_reach: how far each rule reads from its focus node. The decisive test edits a
synthetic graph at random and checks that every focus node whose results changed, rule by
rule, is among those the rule's reach finds from the changed subjects."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import run_stdkg
from stdkg.validate import Rule, compile_shapes, load_shapes, ontology_files, run_fast
from stdkg.validate_reach import Reach, Walker, rule_reach

STDKG = "https://w3id.org/stdkg/ontology#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = "PREFIX ex: <http://example.org/>\n"


def named(rules: list[Rule], name: str) -> list[Rule]:
    return [r for r in rules if r.shape.endswith("#" + name)]


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return compile_shapes(load_shapes())


def longest(reach: Reach) -> int:
    return max(len(path) for path, _ in reach.paths)


def test_rules_read_as_far_as_their_sparql(rules: list[Rule]) -> None:
    # Own triples only (the target's rdf:type/rdfs:subClassOf* walks to classes, not to standards).
    identifier = rule_reach(named(rules, "IdentifierSyntax")[0].query)
    assert identifier is not None
    assert {path for path, _ in identifier.paths if not path or path[0][0] != RDF_TYPE} == {()}
    assert dict(identifier.paths)[()] == {RDF_TYPE, DCT + "identifier"}
    # A class check reads the value's rdf:type one step away, and nothing else of it.
    items = rule_reach(named(rules, "ServiceItemsAreItems")[0].query)
    assert items is not None
    assert dict(items.paths)[((STDKG + "serviceItem", False, "1"),)] == {RDF_TYPE}
    # An undated reference's current edition: two steps (reference, then its editions backwards).
    undated = rule_reach(named(rules, "UndatedReferenceHasCurrentEdition")[0].query)
    assert undated is not None and longest(undated) == 2
    assert ((STDKG + "normativeReference", False, "1"), (DCT + "isVersionOf", True, "1")) in dict(undated.paths)
    # A mutual reference: three steps, reached through the edition that closes the cycle.
    cycle = rule_reach(named(rules, "NoReferenceCycle")[0].query)
    assert cycle is not None and longest(cycle) == 3


def test_a_rule_reading_now_is_relaxed_to_what_time_can_change(rules: list[Rule], synth_graph: Path) -> None:
    rule = named(rules, "ReplacedMustBeAbolished")[0]
    reach = rule_reach(rule.query)
    assert reach is not None and reach.relaxed is not None
    assert "NOW()" in rule.query and "NOW()" not in reach.relaxed
    store = load(set(ox.parse(path=str(synth_graph), format=ox.RdfFormat.N_TRIPLES)))
    relaxed = {row["this"].value for row in store.query(reach.relaxed, use_default_graph_as_union=True)}
    assert {r.focus for r in run_fast(store, [rule])} <= relaxed
    # Where dropping the FILTER would not give a superset, or NOW() is read otherwise: whole.
    for query in ["SELECT ?this WHERE { ?this ex:p ?d FILTER NOT EXISTS { ?this ex:q ?e FILTER(?e < NOW()) } }",
                  "SELECT ?this WHERE { ?this ex:p ?d OPTIONAL { ?this ex:q ?e FILTER(?e < NOW()) } }",
                  "SELECT ?this WHERE { ?this ex:p ?d BIND(NOW() AS ?n) }"]:
        assert rule_reach(PREFIXES + query) is None, query
    kept = rule_reach(PREFIXES + "SELECT ?this WHERE { ?this ex:p ?d FILTER(?d < NOW()) FILTER(?d != 'NOW()') }")
    assert kept is not None and kept.relaxed is not None and "FILTER(?d != 'NOW()')" in kept.relaxed


def test_unbounded_rules_run_whole() -> None:
    for query in [
        "SELECT ?this WHERE { ?this ex:p ?v . ?other ex:q ?w }",  # a part not joined to the focus
        "SELECT ?this WHERE { ?this ex:p ?v . { SELECT ?w WHERE { ?w ex:q ?z } LIMIT 1 } }",  # LIMIT
        "SELECT ?this WHERE { ?this ex:p ?v FILTER NOT EXISTS { ?x ex:q ex:c } }",  # a global condition
        "SELECT ?this WHERE { ?this !ex:p ?v . ?v ex:q ?w }",  # a negated path
        "SELECT ?this WHERE { GRAPH ?g { ?this ex:p ?v } }",
    ]:
        assert rule_reach(PREFIXES + query) is None, query


def test_each_way_of_matching_has_its_paths() -> None:
    reach = rule_reach(PREFIXES + "SELECT ?this WHERE { { ?v ex:a ?this } UNION { ?this ex:b ?v } ?v ex:c ?w }")
    assert reach is not None
    paths = dict(reach.paths)
    assert paths[(("http://example.org/a", True, "1"),)] == {"http://example.org/a", "http://example.org/c"}
    assert paths[(("http://example.org/b", False, "1"),)] == {"http://example.org/c"}
    # A subquery's own variables stay its own; a fixed subject is remembered as a constant.
    reach = rule_reach(PREFIXES + "SELECT ?this WHERE { ?this ex:p ?v { SELECT ?v WHERE { ?v ex:q ?w } } "
                                  "FILTER EXISTS { ex:k ex:r ?v } }")
    assert reach is not None and reach.constants == {"http://example.org/k"}


# ---------------------------------------------------------------- random edits, every rule

@pytest.fixture(scope="module")
def synth_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reach")
    assert run_stdkg("synth", "--editions", "600", "--seed", "5", "--out", str(root / "corpus")).returncode == 0
    assert run_stdkg("build", "--input", str(root / "corpus"), "--out", str(root / "build")).returncode == 0
    return root / "build" / "stdkg.nt"


def load(triples: set[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store


def edit(triples: set[ox.Triple], rng: random.Random, count: int) -> set[ox.Triple]:
    """Rewire, drop and retype the triples of ``count`` standards: links to other standards
    (references, editions, replacements, counterparts), statuses, levels, types."""
    by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        by_subject[t.subject].append(t)
    standards = sorted((s for s in by_subject if "/standard/" in str(s)), key=str)
    values = sorted({t.object for t in triples if t.predicate.value in (STDKG + "status", STDKG + "level")}, key=str)
    links = [STDKG + "normativeReference", DCT + "isVersionOf", DCT + "replaces", DCT + "isReplacedBy",
             STDKG + "localCounterpartOf"]
    kinds = [STDKG + "Standard", STDKG + "StandardEdition", STDKG + "ExternalStub"]
    out = set(triples)
    for subject in rng.sample(standards, count):
        for t in by_subject[subject]:
            if rng.random() < 0.3:
                out.discard(t)
        for _ in range(rng.randrange(4)):
            match rng.randrange(4):
                case 0 | 1:
                    out.add(ox.Triple(subject, ox.NamedNode(rng.choice(links)), rng.choice(standards)))
                case 2:
                    out.add(ox.Triple(subject, ox.NamedNode(rng.choice([STDKG + "status", STDKG + "level"])), rng.choice(values)))
                case 3:
                    out.add(ox.Triple(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(rng.choice(kinds))))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reach_finds_every_focus_whose_results_change(synth_graph: Path, rules: list[Rule], seed: int) -> None:
    rng = random.Random(seed)
    before = set(ox.parse(path=str(synth_graph), format=ox.RdfFormat.N_TRIPLES))
    after = edit(before, rng, 25)
    old, new = load(before), load(after)
    changed: dict[object, set[str]] = defaultdict(set)
    for t in before ^ after:
        changed[t.subject].add(t.predicate.value)

    def starts(reads: frozenset[str] | None) -> set[object]:
        return {s for s, ps in changed.items() if reads is None or reads & ps}

    checked = 0
    for rule in rules:
        reach = rule_reach(rule.query)
        if reach is None:
            continue
        assert not reach.constants & {s.value for s in changed}
        found = Walker(old).back_all(reach.paths, starts)
        found_after = Walker(new).back_all(reach.paths, starts)
        reached = {t.value for nodes in [*found.values(), *found_after.values()] for t in nodes}
        results_before = {(r.focus, r.value) for r in run_fast(old, [rule])}
        results_after = {(r.focus, r.value) for r in run_fast(new, [rule])}
        moved = {focus for focus, _ in results_before ^ results_after}
        assert moved <= reached, (rule.shape, rule.component, sorted(moved - reached)[:5])
        checked += len(moved)
    assert checked > 20  # the edits did change results, far and near
