"""The built graph read for publishing: canonical N-Triples lines, grouped by subject.

``stdkg.nt`` is sorted, so one streaming pass sees each subject's triples together; a first
pass collects what pages need about *other* resources (labels, types, incoming links). Terms
stay as N-Triples strings throughout: rendering them is string work, and no rdflib objects
are made for millions of triples.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from .problems import StdkgError
from .publish_paths import document_iri, site_path

Row = tuple[str, str, str]  # subject, predicate, object in N-Triples syntax

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
STDKG_NS = "https://w3id.org/stdkg/ontology#"
IDENTIFIER = f"<{DCT}identifier>"
TITLE = f"<{DCT}title>"
PREF_LABEL = f"<{SKOS}prefLabel>"
RDFS_LABEL = f"<{RDFS}label>"
NOTATION = f"<{SKOS}notation>"
FOAF_NAME = "<http://xmlns.com/foaf/0.1/name>"
DESCRIPTION = f"<{DCT}description>"
SHORT = 40  # characters of a description that name a resource without a label (feedback)
BROADER = f"<{SKOS}broader>"
# Links every resource has (or that fan in by the hundred thousand): not listed as incoming.
NOT_INCOMING = {RDF_TYPE, f"<{SKOS}inScheme>", f"<{SKOS}topConceptOf>", f"<{STDKG_NS}inSystem>",
                f"<{RDFS}isDefinedBy>", "<http://www.w3.org/ns/prov#wasDerivedFrom>"}
SOURCE_RECORD = f"<{STDKG_NS}SourceRecord>"  # a table row: provenance, in the dumps, no page of its own
STANDARD_TYPES = {f"<{STDKG_NS}{name}>" for name in ("StandardEdition", "Standard", "ExternalStub", "StandardDocument")}
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def split_line(line: str) -> Row:
    """(subject, predicate, object) of one canonical N-Triples line (IRIs hold no spaces)."""
    subject, _, rest = line.partition(" ")
    predicate, _, obj = rest.partition(" ")
    return subject, predicate, obj[: obj.rindex(" .")]


def read_rows(nt: Path) -> Iterator[Row]:
    with nt.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("<"):
                yield split_line(line)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                       else _SIMPLE.get(m.group(3), m.group(3)), text)


def literal_parts(term: str) -> tuple[str, str | None, str | None]:
    """(text, language, datatype IRI) of an N-Triples literal."""
    end = term.rindex('"')
    text = _unescape(term[1:end])
    tail = term[end + 1:]
    if tail.startswith("@"):
        return text, tail[1:], None
    if tail.startswith("^^<"):
        return text, None, tail[3:-1]
    return text, None, None


def is_iri(term: str) -> bool:
    return term.startswith("<")


@dataclass
class GraphIndex:
    """What a page needs to know about resources other than its own subject."""

    base: str
    identifier: dict[str, str] = field(default_factory=dict)  # IRI → dcterms:identifier
    label_zh: dict[str, str] = field(default_factory=dict)
    label_en: dict[str, str] = field(default_factory=dict)
    described: dict[str, str] = field(default_factory=dict)  # IRI → the start of its description
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))  # object → (p, s)
    broader: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    paths: dict[str, str] = field(default_factory=dict)  # IRI → site path, for resources with a page
    triples: int = 0
    predicates: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    subjects: int = 0
    hash_docs: set[str] = field(default_factory=set)  # documents that describe hash IRIs
    doc_paths: dict[str, str] = field(default_factory=dict)  # document IRI → site path
    cache: dict[object, str] = field(default_factory=dict)  # rendered links and headers, for pages

    def label(self, iri: str, lang: str = "zh") -> str:
        """A short human name: the standard number, else the label in ``lang``, else the other."""
        found = self.identifier.get(iri)
        if found and (not STANDARD_TYPES.isdisjoint(self.types.get(iri, ())) or
                      (iri not in self.label_zh and iri not in self.label_en)):
            return found
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (self.label_en, self.label_zh)
        return first.get(iri) or second.get(iri) or self.described.get(iri, "")

    def has_type(self, iri: str, local: str) -> bool:
        return f"<{STDKG_NS}{local}>" in self.types.get(iri, ())


def unique_path(path: str, doc: str, taken: set[str]) -> str:
    """``path``, or when another document already has it (``%41`` and ``A`` decode alike,
    ``index`` is renamed ``_rindex``, ``a%2Fb`` is neutralised to ``_x612f62``, case-folding
    file systems see ``A`` as ``a``) the same name with a hash of this document's IRI added.
    Documents come in sorted order, so the first keeps the name its IRI dereferences to and
    the choice is the same in every run. The chosen path is recorded in ``taken``."""
    candidate, suffix, number = path, "~" + hashlib.sha256(doc.encode("utf-8")).hexdigest()[:8], 0
    while candidate.lower() in taken:  # almost always once; a counter if even the hash is taken
        candidate = path + suffix + (f"-{number}" if number else "")
        number += 1
    taken.add(candidate.lower())
    return candidate


def index_graph(nt: Path, base: str) -> GraphIndex:
    """One pass over stdkg.nt: labels, types, incoming links and the page path of every
    resource under ``base``."""
    return index_rows(read_rows(nt), base)


def index_rows(rows: Iterable[Row], base: str) -> GraphIndex:
    """The index of sorted rows (see ``index_graph``)."""
    index = GraphIndex(base)
    identifier, zh, en, types = index.identifier, index.label_zh, index.label_en, index.types
    incoming, broader, paths = index.incoming, index.broader, index.paths
    predicates, classes = index.predicates, index.classes
    count = 0
    base_nt = "<" + base
    doc_paths = index.doc_paths
    taken: set[str] = set()
    previous = ""
    for subject, group in groupby(rows, key=lambda row: row[0]):
        if subject < previous:
            raise StdkgError("图谱文件未排序：请发布 stdkg build 的输出目录 / the N-Triples are not sorted: "
                             "publish the folder `stdkg build` wrote")
        previous = subject
        iri = subject[1:-1]
        index.subjects += 1
        group = list(group)
        if subject.startswith(base_nt) and (subject, RDF_TYPE, SOURCE_RECORD) not in group:
            doc = document_iri(iri)
            path = doc_paths.get(doc)
            if path is None:
                path = site_path(doc, base)
                if path is None:
                    continue
                path = unique_path(path, doc, taken)
                doc_paths[doc] = path
            paths[iri] = path
            if "#" in iri:
                index.hash_docs.add(doc)
        for _, p, o in group:
            count += 1
            predicates.add(p)
            if p == RDF_TYPE:
                types[iri].append(o)
                classes.add(o)
            elif o[0] == "<":
                if o.startswith(base_nt) and p not in NOT_INCOMING:
                    incoming[o[1:-1]].append((p, iri))
                if p == BROADER:
                    broader[iri].append(o[1:-1])
            elif p == IDENTIFIER:
                identifier.setdefault(iri, literal_parts(o)[0])
            elif p == DESCRIPTION and iri not in index.described:
                text = literal_parts(o)[0]
                index.described[iri] = text if len(text) <= SHORT else text[:SHORT] + "…"
            elif p in (TITLE, PREF_LABEL, RDFS_LABEL, FOAF_NAME):
                text, lang, _ = literal_parts(o)
                if lang == "zh":
                    zh.setdefault(iri, text)
                elif lang == "en":
                    en.setdefault(iri, text)
                elif lang is None:
                    zh.setdefault(iri, text)
    index.triples = count
    return index


def document_groups(rows: Iterator[Row], base: str, hash_docs: set[str]) -> Iterator[tuple[str, list[Row]]]:
    """(document IRI, its rows) for every document under ``base``, in file order. A hash
    IRI's triples join its document's (``ontology#Standard`` → ``ontology``); those documents
    are yielded after the slash IRIs, since their subjects are not adjacent in sorted order."""
    base_nt = "<" + base
    hashed: dict[str, list[Row]] = defaultdict(list)
    for subject, group in groupby(rows, key=lambda row: row[0]):
        if not subject.startswith(base_nt):
            continue
        iri = subject[1:-1]
        if "#" in iri or iri in hash_docs:
            hashed[document_iri(iri)].extend(group)
        else:
            yield iri, list(group)
    for iri in sorted(hashed):
        yield iri, sorted(hashed[iri])
