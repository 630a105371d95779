"""The dataset description: DCAT (DCAT-AP 3 mandatory and recommended properties) and VoID.

One document, ``{base}catalog``, describes the catalogue, the dataset (which is also a
``void:Dataset``), its three distributions (Turtle, gzipped N-Triples, JSON-LD) with media
type, byte size and SHA-256, the publisher and the statistics VoID asks for. Everything has
an IRI (hash IRIs in the catalogue document) so the description, like the graph, has no
blank nodes and serialises canonically. ``shapes/publishing/dcat-ap.ttl`` checks it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from .publish_graph import GraphIndex

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LANG = "http://publications.europa.eu/resource/authority/language/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA = "http://www.iana.org/assignments/media-types/"
THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
DEFAULT_LICENSE = "http://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Dump:
    """One published dump file: where it is, what it is, how big, its SHA-256."""

    key: str  # fragment of its distribution IRI: turtle, ntriples, jsonld
    path: str  # relative to the site root
    media_type: str
    file_type: str  # EU file-type authority code
    size: int
    sha256: str
    compress: str | None = None  # media type of the compression, for .gz


def describe(index: GraphIndex, dumps: list[Dump], *, title_zh: str, title_en: str, description_zh: str,
             description_en: str, publisher: str, license_iri: str, issued: dt.date, version: str | None,
             endpoint: str | None, validated: bool, gate_note: tuple[str, str], examples: list[str]) -> Graph:
    """The DCAT + VoID graph of a release."""
    base = index.base
    g = Graph()
    catalog = URIRef(f"{base}catalog")
    dataset = URIRef(f"{base}catalog#dataset")
    agent = URIRef(f"{base}catalog#publisher")
    license_ = URIRef(license_iri)
    day = Literal(issued.isoformat(), datatype=XSD.date)
    home = URIRef(base)

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"{title_zh} 标准信息资源库", lang="zh")))
    g.add((catalog, DCTERMS.title, Literal(f"{title_en}: standard information resource library", lang="en")))
    g.add((catalog, DCTERMS.description, Literal(f"{title_zh}的关联开放数据：标准、版本、引用与分类。", lang="zh")))
    g.add((catalog, DCTERMS.description, Literal(f"Linked open data of the {title_en}: standards, editions, references and classification.", lang="en")))
    for described in (catalog, dataset):  # the catalog and its one dataset share these
        g.add((described, DCTERMS.publisher, agent))
        g.add((described, DCTERMS.license, license_))
        g.add((described, DCTERMS.issued, day))
        g.add((described, DCTERMS.modified, day))
        for code in ("ZHO", "ENG"):
            g.add((described, DCTERMS.language, URIRef(LANG + code)))
    g.add((catalog, FOAF.homepage, home))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.themeTaxonomy, URIRef("http://publications.europa.eu/resource/authority/data-theme")))

    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(publisher)))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal(title_zh, lang="zh")))
    g.add((dataset, DCTERMS.title, Literal(title_en, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(f"{description_zh}（{gate_note[0]}）", lang="zh")))
    g.add((dataset, DCTERMS.description, Literal(f"{description_en} ({gate_note[1]})", lang="en")))
    g.add((dataset, ADMS.versionNotes, Literal(gate_note[0], lang="zh")))
    g.add((dataset, ADMS.versionNotes, Literal(gate_note[1], lang="en")))
    g.add((dataset, DCAT.landingPage, home))
    g.add((dataset, DCAT.theme, THEME))
    for keyword in ("标准", "标准体系", "知识图谱", "standards", "knowledge graph", "linked open data"):
        g.add((dataset, DCAT.keyword, Literal(keyword, lang="zh" if keyword[0] > "\u2e80" else "en")))
    if version:
        g.add((dataset, URIRef(f"{DCAT}version"), Literal(version)))
        g.add((dataset, OWL.versionInfo, Literal(version)))
    # VoID statistics of the graph itself.
    g.add((dataset, VOID.triples, Literal(index.triples, datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(len(index.paths), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(index.subjects, datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(index.classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(index.predicates), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    for namespace in sorted({p[1:-1].rsplit("#", 1)[0] + "#" if "#" in p else p[1:-1].rsplit("/", 1)[0] + "/"
                             for p in index.predicates}):
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    for example in examples:
        g.add((dataset, VOID.exampleResource, URIRef(example)))
    if endpoint:
        g.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))

    for dump in dumps:
        dist = URIRef(f"{base}catalog#{dump.key}")
        checksum = URIRef(f"{base}catalog#{dump.key}-sha256")
        url = URIRef(base + dump.path)
        g.add((dataset, DCAT.distribution, dist))
        g.add((dataset, VOID.dataDump, url))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{title_zh}（{dump.file_type}）", lang="zh")))
        g.add((dist, DCTERMS.title, Literal(f"{title_en} ({dump.file_type})", lang="en")))
        g.add((dist, DCTERMS.description, Literal(f"完整图谱，{dump.media_type}", lang="zh")))
        g.add((dist, DCTERMS.description, Literal(f"The whole graph as {dump.media_type}", lang="en")))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(MEDIA + dump.media_type)))
        g.add((dist, DCTERMS["format"], URIRef(FILE_TYPE + dump.file_type)))
        if dump.compress:
            g.add((dist, DCAT.compressFormat, URIRef(MEDIA + dump.compress)))
        g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, license_))
        g.add((dist, DCTERMS.issued, day))
        g.add((dist, DCTERMS.modified, day))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    g.add((dataset, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(f"{base}ontology")))
    return g
