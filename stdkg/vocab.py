"""The RDF vocabularies stdkg writes, as Python names.

``STDKG`` (classes and properties) and ``STDV`` (the fixed SKOS concept schemes: levels,
natures, statuses, standard types, adoption degrees, regions) are closed: a misspelt term
fails at import or first use, and ``tests/test_ontology.py`` checks every name here against
``ontology/`` so code never writes a term the ontology does not define.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DEFAULT_BASE = "https://w3id.org/stdkg/"


class STDKG(DefinedNamespace):
    """Classes and properties of the stdkg ontology (ontology/stdkg.ttl)."""

    _NS = Namespace("https://w3id.org/stdkg/ontology#")
    _fail = True

    # classes
    StandardDocument: URIRef  # superclass of work and edition
    Standard: URIRef  # the work: undated number, GB/T 28922
    StandardEdition: URIRef  # a dated edition: GB/T 28922-2012
    ExternalStub: URIRef  # known only because something references it
    TechnicalCommittee: URIRef
    CompetentAuthority: URIRef
    StandardSystem: URIRef
    Domain: URIRef
    ServiceCategory: URIRef
    ServiceItem: URIRef
    Region: URIRef
    SourceRecord: URIRef
    # properties
    level: URIRef
    nature: URIRef
    status: URIRef
    standardType: URIRef
    domain: URIRef
    serviceItem: URIRef
    inSystem: URIRef
    classificationScheme: URIRef
    implementationDate: URIRef
    abolitionDate: URIRef
    committee: URIRef
    committeeCode: URIRef
    competentAuthority: URIRef
    normativeReference: URIRef
    localCounterpartOf: URIRef
    thematicCounterpart: URIRef
    region: URIRef
    adoptsInternational: URIRef
    adoptionDegree: URIRef
    icsCode: URIRef
    ccsCode: URIRef
    partNumber: URIRef
    rowNumber: URIRef
    sourceFile: URIRef
    unplaced: URIRef
    # the work plan (工作方案): targets, pilots, implementation feedback
    WorkPlan: URIRef
    Target: URIRef
    Pilot: URIRef
    Feedback: URIRef
    measure: URIRef
    scopeLevel: URIRef
    scopeDomain: URIRef
    pilotKind: URIRef
    pilotLevel: URIRef
    pilotStatus: URIRef
    appliesStandard: URIRef
    aboutEdition: URIRef
    feedbackCategory: URIRef
    targetValue: URIRef
    deadline: URIRef
    countedFrom: URIRef
    periodStart: URIRef
    periodEnd: URIRef
    feedbackChannel: URIRef


class STDV(DefinedNamespace):
    """Concepts of the fixed schemes (ontology/vocab.ttl, ontology/regions.ttl)."""

    _NS = Namespace("https://w3id.org/stdkg/vocab/")
    _fail = True
    _extras = [
        "level-national", "level-industry", "level-local", "level-group", "level-enterprise",
        "level-international",
        "nature-mandatory", "nature-recommended", "nature-guidance",
        "status-current", "status-upcoming", "status-abolished", "status-planned",
        "status-underRevision",
        "type-general", "type-facilityResources", "type-processQuality",
        "type-operationManagement", "type-performanceEvaluation",
        "degree-IDT", "degree-MOD", "degree-NEQ",
        "measure-editions_issued", "measure-pilots", "measure-local_supporting",
        "pilotKind-special", "pilotKind-comprehensive", "pilotKind-regional",
        "pilotLevel-national", "pilotLevel-provincial",
        "pilotStatus-underway", "pilotStatus-accepted", "pilotStatus-ended",
        "feedback-unclearClause", "feedback-outdated", "feedback-conflicting", "feedback-other",
    ]

    levels: URIRef
    natures: URIRef
    statuses: URIRef
    standardTypes: URIRef
    adoptionDegrees: URIRef
    regions: URIRef
    measures: URIRef
    pilotKinds: URIRef
    pilotLevels: URIRef
    pilotStatuses: URIRef
    feedbackCategories: URIRef


# DefinedNamespace resolves each attribute through a metaclass __getattr__ (~1.5 µs a call);
# binding the terms as class attributes keeps the per-row hot path fast, closed all the same.
for _name in STDKG.__annotations__:
    setattr(STDKG, _name, STDKG._NS[_name])


_CONCEPTS = {name: URIRef(f"{STDV._NS}{name}") for name in STDV._extras}


def concept(name: str) -> URIRef:
    """A concept of the fixed schemes by local name ('status-current'); KeyError if there is none."""
    return _CONCEPTS[name]


def region_iri(gbt2260_code: str) -> URIRef:
    """The concept of a province or city by its six-digit GB/T 2260 code, e.g. 330000."""
    return URIRef(f"{STDV._NS}region-{gbt2260_code}")
