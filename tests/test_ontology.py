"""The ontology files: they parse everywhere, every term is labelled and defined in zh and en,
the Python names in stdkg/vocab.py match them exactly, and regions.ttl is up to date."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from stdkg.vocab import ELI, ORG, PROV, STDKG, STDV, region_iri

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology"
STDKG_TTL = ONTOLOGY / "stdkg.ttl"
VOCAB_TTL = ONTOLOGY / "vocab.ttl"
REGIONS_TTL = ONTOLOGY / "regions.ttl"
FILES = [STDKG_TTL, VOCAB_TTL, REGIONS_TTL]
GENERATOR = REPO / "scripts" / "make_regions.py"
REGIONS_CSV = REPO.parent / "shared" / "data" / "province_codes_db_prefix.csv"

NS = Namespace("https://w3id.org/stdkg/ontology#")
VNS = "https://w3id.org/stdkg/vocab/"
ONTOLOGY_IRI = URIRef("https://w3id.org/stdkg/ontology")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _graph(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def onto() -> Graph:
    return _graph(STDKG_TTL)


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return _graph(VOCAB_TTL)


@pytest.fixture(scope="module")
def regions() -> Graph:
    return _graph(REGIONS_TTL)


def _declared_terms(graph: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return sorted(
        (o.language or "") for o in graph.objects(subject, predicate) if isinstance(o, Literal)
    )


def _local(iri: URIRef, base: str) -> str:
    assert str(iri).startswith(base), iri
    return str(iri)[len(base):]


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parses_with_rdflib_and_pyoxigraph_alike(path: Path) -> None:
    rdflib_count = len(_graph(path))
    oxi_count = len(list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)))
    assert rdflib_count > 0
    assert oxi_count == rdflib_count, f"{path.name}: pyoxigraph {oxi_count}, rdflib {rdflib_count}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parses_with_rapper(path: Path) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        pytest.fail(
            "the `rapper` command (Debian package raptor2-utils) is not installed: "
            "run scripts/setup-test-env first"
        )
    result = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"rapper rejected {path.name}:\n{result.stderr}"
    counted = re.search(r"returned (\d+) triples", result.stderr)
    assert counted, result.stderr
    assert int(counted.group(1)) == len(_graph(path))


# --- the ontology ------------------------------------------------------------------------------


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert _langs(onto, ONTOLOGY_IRI, DCTERMS.title) == ["en", "zh"]
    assert sorted(_langs(onto, ONTOLOGY_IRI, DCTERMS.description)) == ["en", "zh"]
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.1.0")) in onto
    assert (
        ONTOLOGY_IRI, DCTERMS.license, URIRef("https://www.apache.org/licenses/LICENSE-2.0")
    ) in onto


def test_python_names_equal_ontology_terms(onto: Graph) -> None:
    in_python = set(STDKG.__annotations__)
    in_ontology = {_local(term, str(NS)) for term in _declared_terms(onto)}
    assert in_ontology - in_python == set(), "in stdkg.ttl but not in stdkg/vocab.py STDKG"
    assert in_python - in_ontology == set(), "in stdkg/vocab.py STDKG but not in stdkg.ttl"
    for name in in_python:
        assert getattr(STDKG, name) == NS[name]


def test_every_stdkg_iri_used_anywhere_is_declared(onto: Graph) -> None:
    declared = _declared_terms(onto)
    everything = _graph(*FILES)
    used = {
        node
        for triple in everything
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(str(NS))
    }
    assert used - declared == set(), "misspelt or undeclared stdkg: terms"


def test_each_term_has_one_kind(onto: Graph) -> None:
    for term in _declared_terms(onto):
        kinds = [t for t in TERM_TYPES if (term, RDF.type, t) in onto]
        assert len(kinds) == 1, (term, kinds)


def test_every_term_is_labelled_defined_and_attributed(onto: Graph) -> None:
    for term in _declared_terms(onto):
        assert _langs(onto, term, RDFS.label) == ["en", "zh"], term
        assert _langs(onto, term, SKOS.definition) == ["en", "zh"], term
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto, term


@pytest.mark.parametrize("path", [STDKG_TTL, VOCAB_TTL], ids=lambda p: p.name)
def test_chinese_before_english_in_each_block(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        zh, en = block.find('"@zh'), block.find('"@en')
        if en != -1:
            assert zh != -1 and zh < en, f"{path.name}: English before Chinese in:\n{block}"


SUPERCLASSES = {
    "StandardDocument": DCTERMS.Standard,
    "Standard": NS.StandardDocument,
    "StandardEdition": NS.StandardDocument,
    "ExternalStub": NS.StandardDocument,
    "TechnicalCommittee": ORG.Organization,
    "CompetentAuthority": ORG.Organization,
    "StandardSystem": PROV.Entity,
    "Domain": SKOS.Concept,
    "ServiceCategory": SKOS.Concept,
    "ServiceItem": SKOS.Concept,
    "Region": SKOS.Concept,
    "SourceRecord": PROV.Entity,
    "WorkPlan": PROV.Plan,
    "Target": PROV.Entity,
    "Pilot": PROV.Activity,
    "Feedback": PROV.Entity,
}

SUPERPROPERTIES = {
    "domain": {DCTERMS.subject},
    "serviceItem": {DCTERMS.subject},
    "normativeReference": {DCTERMS.requires, DCTERMS.references},
    "localCounterpartOf": {ELI.applies},
    "thematicCounterpart": {DCTERMS.relation},
    "region": {ELI.jurisdiction},
    "adoptsInternational": {PROV.wasDerivedFrom},
    "implementationDate": {ELI.first_date_entry_in_force},
    "abolitionDate": {ELI.date_no_longer_in_force},
    "scopeLevel": {DCTERMS.coverage},
    "scopeDomain": {DCTERMS.coverage},
    "appliesStandard": {DCTERMS.relation},
    "aboutEdition": {DCTERMS.relation},
    "deadline": {DCTERMS.date},
    "countedFrom": {DCTERMS.date},
    "periodStart": {DCTERMS.date},
    "periodEnd": {DCTERMS.date},
}

RANGES = {
    "level": SKOS.Concept,
    "nature": SKOS.Concept,
    "status": SKOS.Concept,
    "standardType": SKOS.Concept,
    "adoptionDegree": SKOS.Concept,
    "domain": NS.Domain,
    "serviceItem": NS.ServiceItem,
    "inSystem": NS.StandardSystem,
    "classificationScheme": SKOS.ConceptScheme,
    "committee": ORG.Organization,
    "competentAuthority": ORG.Organization,
    "region": NS.Region,
    "implementationDate": XSD.date,
    "abolitionDate": XSD.date,
    "committeeCode": XSD.string,
    "icsCode": XSD.string,
    "ccsCode": XSD.string,
    "partNumber": XSD.string,
    "rowNumber": XSD.integer,
    "sourceFile": XSD.string,
    "unplaced": XSD.boolean,
    "measure": SKOS.Concept,
    "scopeLevel": SKOS.Concept,
    "scopeDomain": NS.Domain,
    "pilotKind": SKOS.Concept,
    "pilotLevel": SKOS.Concept,
    "pilotStatus": SKOS.Concept,
    "feedbackCategory": SKOS.Concept,
    "appliesStandard": NS.StandardDocument,
    "aboutEdition": NS.StandardEdition,
    "targetValue": XSD.integer,
    "deadline": XSD.date,
    "countedFrom": XSD.date,
    "periodStart": XSD.date,
    "periodEnd": XSD.date,
    "feedbackChannel": XSD.string,
}


@pytest.mark.parametrize("name", sorted(SUPERCLASSES))
def test_class_reuses(onto: Graph, name: str) -> None:
    assert (NS[name], RDF.type, OWL.Class) in onto
    assert set(onto.objects(NS[name], RDFS.subClassOf)) == {SUPERCLASSES[name]}


@pytest.mark.parametrize("name", sorted(SUPERPROPERTIES))
def test_property_reuses(onto: Graph, name: str) -> None:
    assert set(onto.objects(NS[name], RDFS.subPropertyOf)) >= SUPERPROPERTIES[name]


@pytest.mark.parametrize("name", sorted(RANGES))
def test_property_range(onto: Graph, name: str) -> None:
    assert set(onto.objects(NS[name], RDFS.range)) == {RANGES[name]}
    is_datatype = str(RANGES[name]).startswith(str(XSD))
    expected = OWL.DatatypeProperty if is_datatype else OWL.ObjectProperty
    assert (NS[name], RDF.type, expected) in onto


def test_scheme_valued_properties_name_their_scheme(onto: Graph) -> None:
    for prop, scheme in [
        ("level", "stdv:levels"), ("nature", "stdv:natures"), ("status", "stdv:statuses"),
        ("standardType", "stdv:standardTypes"), ("adoptionDegree", "stdv:adoptionDegrees"),
        ("measure", "stdv:measures"), ("pilotKind", "stdv:pilotKinds"), ("pilotLevel", "stdv:pilotLevels"),
        ("pilotStatus", "stdv:pilotStatuses"), ("feedbackCategory", "stdv:feedbackCategories"),
    ]:
        for definition in onto.objects(NS[prop], SKOS.definition):
            assert scheme in str(definition), (prop, definition)


def test_normative_reference_states_the_dated_undated_rule(onto: Graph) -> None:
    english = next(
        str(d) for d in onto.objects(NS.normativeReference, SKOS.definition) if d.language == "en"
    )
    assert "stdkg:StandardEdition" in english and "stdkg:Standard " in english
    assert "GB/T 1.1" in english and "current edition" in english


def test_no_domain_axioms_and_no_closure_properties() -> None:
    everything = _graph(*FILES)
    assert list(everything.subjects(RDFS.domain, None)) == []
    for kind in (OWL.TransitiveProperty, OWL.SymmetricProperty):
        assert list(everything.subjects(RDF.type, kind)) == [], kind
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        assert "TransitiveProperty" not in text and "SymmetricProperty" not in text, path.name


# --- the concept schemes -----------------------------------------------------------------------


def test_python_names_equal_vocab_terms(vocab: Graph, regions: Graph) -> None:
    names = set(STDV.__annotations__) | set(STDV._extras)
    both = vocab + regions
    for name in sorted(names):
        iri = URIRef(VNS + name)
        assert STDV[name] == iri
        kinds = {SKOS.Concept, SKOS.ConceptScheme} & set(both.objects(iri, RDF.type))
        assert kinds, f"{name} is in stdkg/vocab.py STDV but not in vocab.ttl / regions.ttl"
    in_vocab = {
        _local(s, VNS)
        for kind in (SKOS.Concept, SKOS.ConceptScheme)
        for s in vocab.subjects(RDF.type, kind)
    }
    assert in_vocab == names, "vocab.ttl and stdkg/vocab.py STDV differ"


def test_schemes(vocab: Graph) -> None:
    schemes = set(vocab.subjects(RDF.type, SKOS.ConceptScheme))
    assert {_local(s, VNS) for s in schemes} == set(STDV.__annotations__)
    for scheme in schemes:
        assert _langs(vocab, scheme, SKOS.prefLabel) == ["en", "zh"], scheme
        assert _langs(vocab, scheme, SKOS.definition) == ["en", "zh"], scheme
    assert Literal("行政区域", lang="zh") in set(vocab.objects(STDV.regions, SKOS.prefLabel))
    assert Literal("Administrative regions (GB/T 2260)", lang="en") in set(
        vocab.objects(STDV.regions, SKOS.prefLabel)
    )
    assert (STDV.standardTypes, DCTERMS.source, None) in vocab


def test_concepts(vocab: Graph) -> None:
    concepts = set(vocab.subjects(RDF.type, SKOS.Concept))
    assert {_local(c, VNS) for c in concepts} == set(STDV._extras)
    prefixes = {"level": "levels", "nature": "natures", "status": "statuses",
                "type": "standardTypes", "degree": "adoptionDegrees", "measure": "measures",
                "pilotKind": "pilotKinds", "pilotLevel": "pilotLevels", "pilotStatus": "pilotStatuses",
                "feedback": "feedbackCategories"}
    for concept in concepts:
        head, _, tail = _local(concept, VNS).partition("-")
        scheme = URIRef(VNS + prefixes[head])
        assert set(vocab.objects(concept, SKOS.inScheme)) == {scheme}, concept
        assert set(vocab.objects(concept, SKOS.topConceptOf)) == {scheme}, concept
        assert (scheme, SKOS.hasTopConcept, concept) in vocab, concept
        assert _langs(vocab, concept, SKOS.prefLabel) == ["en", "zh"], concept
        assert _langs(vocab, concept, SKOS.definition) == ["en", "zh"], concept
        assert [str(n) for n in vocab.objects(concept, SKOS.notation)] == [tail], concept


def test_platform_status_words_are_alt_labels(vocab: Graph) -> None:
    for concept, word in [(STDV["status-current"], "PUBLISHED"),
                          (STDV["status-upcoming"], "TOBEIMP"),
                          (STDV["status-abolished"], "WITHDRAWN")]:
        assert Literal(word) in set(vocab.objects(concept, SKOS.altLabel)), concept
    zh = {str(label) for label in vocab.objects(STDV["status-abolished"], SKOS.prefLabel)}
    assert "废止" in zh


# --- the regions -------------------------------------------------------------------------------


def test_regions(regions: Graph) -> None:
    members = set(regions.subjects(RDF.type, NS.Region))
    assert len(members) == 34
    notations = []
    for region in members:
        assert (region, RDF.type, SKOS.Concept) in regions
        assert set(regions.objects(region, SKOS.inScheme)) == {STDV.regions}
        assert set(regions.objects(region, SKOS.topConceptOf)) == {STDV.regions}
        assert (STDV.regions, SKOS.hasTopConcept, region) in regions
        langs = _langs(regions, region, SKOS.prefLabel)
        assert langs in (["zh"], ["en", "zh"]), region
        codes = [str(n) for n in regions.objects(region, SKOS.notation)]
        assert len(codes) == 1 and re.fullmatch(r"\d{6}", codes[0]), region
        assert region == region_iri(codes[0])
        notations.append(codes[0])
        assert (region, DCTERMS.source, None) in regions
    assert len(set(notations)) == 34
    assert set(regions.subjects(SKOS.inScheme, STDV.regions)) == members


def test_region_local_standard_prefixes(regions: Graph) -> None:
    for region in regions.subjects(RDF.type, NS.Region):
        code = str(regions.value(region, SKOS.notation))
        prefixes = [str(p) for p in regions.objects(region, DCTERMS.identifier)]
        if code in {"710000", "810000", "820000"}:
            assert prefixes == [], code
        else:
            assert prefixes == [f"DB{code[:2]}"], code
    zhejiang = region_iri("330000")
    assert Literal("浙江省", lang="zh") in set(regions.objects(zhejiang, SKOS.prefLabel))
    assert Literal("Zhejiang Province", lang="en") in set(regions.objects(zhejiang, SKOS.prefLabel))


def test_regions_ttl_is_up_to_date(tmp_path: Path) -> None:
    if not REGIONS_CSV.is_file():
        pytest.skip(f"{REGIONS_CSV} not present (the shared reference data lives beside the repo)")
    output = tmp_path / "regions.ttl"
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(REGIONS_CSV.parent), "-o", str(output)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == REGIONS_TTL.read_bytes(), (
        "ontology/regions.ttl is out of date: run python scripts/make_regions.py"
    )


def test_generator_rejects_a_malformed_csv(tmp_path: Path) -> None:
    bad = tmp_path / "province_codes_db_prefix.csv"
    bad.write_text(
        "code2,gbt2260_code,name,local_std_prefix,source\n33,3300,浙江省,DB33,x\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.ttl"
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(bad), "-o", str(output)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 2
    assert "row 2" in result.stderr and "gbt2260_code" in result.stderr
    assert not output.exists()
