"""Records → RDF triples, following ontology/stdkg.ttl.

Reference records (catalogue, committees) are added first, so standards rows can name a
domain, category, service item or committee by label or code. A row whose names do not
resolve is rejected whole. Standards that are referenced but not loaded become stubs typed
stdkg:ExternalStub. IRIs are minted from canonical numbers and codes only, so the same input
always gives the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import re
from functools import lru_cache
from urllib.parse import quote

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from . import paths
from .cells import DateValue, Organisation
from .mapping import normalise_name
from .ntlines import TripleSet, canonical, head, line, tail, tail_iri, tail_literal
from .numbers import StandardNumber
from .problems import Problem
from .records import Record
from .vocab import ORG, PROV, STDKG, STDV, concept, region_iri

Triple = tuple[URIRef, URIRef, URIRef | Literal]
IRI_UNSAFE = "<>\"{}|^`\\ "


# rdflib's DefinedNamespace resolves each attribute through __getattr__ (~1.5 µs); rows use these.
A = RDF.type
IDENTIFIER = DCTERMS.identifier
TITLE = DCTERMS.title
IS_VERSION_OF = DCTERMS.isVersionOf
ISSUED = DCTERMS.issued
REPLACES = DCTERMS.replaces
IS_REPLACED_BY = DCTERMS.isReplacedBy
REFERENCES = DCTERMS.references
PUBLISHER = DCTERMS.publisher
SUBJECT = DCTERMS.subject
SOURCE = DCTERMS.source
NOTE = SKOS.note
PREF_LABEL = SKOS.prefLabel
ALT_LABEL = SKOS.altLabel

# The same terms rendered once for the per-row hot path: H_ heads a line (subject or predicate,
# trailing space included), T_ ends one (object, " .\n" included).
H_TYPE, H_IDENTIFIER, H_TITLE, H_IS_VERSION_OF = head(A), head(IDENTIFIER), head(TITLE), head(IS_VERSION_OF)
H_IN_SYSTEM, H_LEVEL, H_NATURE, H_PART_NUMBER = head(STDKG.inSystem), head(STDKG.level), head(STDKG.nature), head(STDKG.partNumber)
H_ICS, H_CCS, H_DOMAIN, H_SUBJECT = head(STDKG.icsCode), head(STDKG.ccsCode), head(STDKG.domain), head(SUBJECT)
H_SERVICE_ITEM, H_REGION, H_COMMITTEE = head(STDKG.serviceItem), head(STDKG.region), head(STDKG.committee)
H_AUTHORITY, H_PUBLISHER, H_NOTE, H_SOURCE = head(STDKG.competentAuthority), head(PUBLISHER), head(NOTE), head(SOURCE)
H_DERIVED_FROM, H_SOURCE_FILE, H_ROW_NUMBER = head(PROV.wasDerivedFrom), head(STDKG.sourceFile), head(STDKG.rowNumber)
T_EDITION, T_STANDARD, T_STUB = tail_iri(STDKG.StandardEdition), tail_iri(STDKG.Standard), tail_iri(STDKG.ExternalStub)
T_SOURCE_RECORD = tail_iri(STDKG.SourceRecord)
XSD_INTEGER = str(XSD.integer)
CONCEPT_TAILS = {name: tail_iri(concept(name)) for name in STDV._extras}
CONCEPT_FIELDS = (("level", head(STDKG.level)), ("nature", head(STDKG.nature)), ("status", head(STDKG.status)),
                  ("standard_type", head(STDKG.standardType)), ("adoption_degree", head(STDKG.adoptionDegree)))
DATE_FIELDS = (("issued", head(ISSUED)), ("implemented", head(STDKG.implementationDate)),
               ("abolished", head(STDKG.abolitionDate)))
LINK_FIELDS = (("replaces", head(REPLACES)), ("replaced_by", head(IS_REPLACED_BY)),
               ("adopts_international", head(STDKG.adoptsInternational)),
               ("local_counterpart_of", head(STDKG.localCounterpartOf)),
               ("thematic_counterpart", head(STDKG.thematicCounterpart)))
REFERENCE_FIELDS = (("normative_references", head(STDKG.normativeReference)), ("informative_references", head(REFERENCES)))


def iri_segment(text: str) -> str:
    """A path segment for a name (Chinese included): percent-encoded UTF-8, stable and URL-safe."""
    return quote(text.strip(), safe="-._~()")


def source_term(text: str) -> URIRef | Literal:
    """A source cell entry: a URL becomes an IRI (unsafe characters escaped), other text a literal."""
    if text.startswith(("http://", "https://")):
        return URIRef(quote(text, safe="".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in IRI_UNSAFE)))
    return Literal(text)


@dataclass
class SystemInfo:
    id: str
    title_zh: str
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    catalogue_zh: str = ""
    catalogue_en: str = ""
    sources: list[str] = field(default_factory=list)


class _Standard:
    """One standard number's IRI, rendered once as a line's subject and as its object."""

    __slots__ = ("number", "iri", "head", "tail", "added", "_work")

    def __init__(self, number: StandardNumber, iri: URIRef) -> None:
        self.number, self.iri, self.head, self.tail = number, iri, head(iri), tail_iri(iri)
        self.added = False  # its own triples (type, identifier, level …) are in the graph
        self._work: StandardNumber | None = None

    @property
    def work(self) -> StandardNumber:
        if self._work is None:  # StandardNumber.work makes a new number each call (~5 µs)
            self._work = self.number.work
        return self._work


class GraphBuilder:
    """Accumulates the triples of one build and the indexes rows are resolved against.

    Triples are kept as N-Triples lines (stdkg.ntlines): rows render each term once, with no
    rdflib term or tuple per triple. ``add`` still takes rdflib terms, for the rare rows."""

    def __init__(self, base: str, system: SystemInfo) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.system = system
        self.lines: list[bytes] = []  # in the order added, repeats included (see finish())
        self.system_iri = URIRef(f"{self.base}{system.id}")
        self.scheme_iri = URIRef(f"{self.base}{system.id}/scheme")
        self.domains: dict[str, URIRef] = {}
        self.categories: dict[str, URIRef] = {}
        self.items: dict[str, URIRef] = {}
        self.category_domain: dict[URIRef, URIRef] = {}
        self.committee_by_name: dict[str, str] = {}
        self.committee_names: dict[str, str] = {}
        self.described: set[URIRef] = set()
        self.mentioned: dict[URIRef, tuple[StandardNumber, str | None]] = {}
        self._datasets: dict[str, str] = {}  # table → the start of its source records' IRIs
        self.dataset_names: dict[str, str] = {}  # table → the name its source records are minted under
        self._orgs_added: dict[tuple[str | None, str | None, URIRef | None], URIRef] = {}
        self._standards: dict[StandardNumber, _Standard] = {}
        self._by_id: dict[int, tuple[StandardNumber, _Standard]] = {}
        self._tails: dict[URIRef, bytes] = {}  # IRIs rows name again and again, as objects
        self._literals: dict[str, bytes] = {}  # plain literals that repeat (codes, file names)
        self._sources: dict[str, bytes] = {}
        self._cities: set[tuple[str, str | None]] = set()
        self._system_tail = tail_iri(self.system_iri)
        self._add_system()

    @property
    def triples(self) -> TripleSet:
        """The triples so far as a set of rdflib triples (for tests and small graphs)."""
        return TripleSet(canonical(list(self.lines)))

    # ---------------------------------------------------------------- helpers
    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None:
            self.lines.append(line(s, p, o))

    def _tail(self, iri: URIRef) -> bytes:
        found = self._tails.get(iri)
        if found is None:
            found = self._tails[iri] = tail_iri(iri)
        return found

    def _literal(self, text: str) -> bytes:
        found = self._literals.get(text)
        if found is None:
            found = self._literals[text] = tail_literal(text)
        return found

    def _standard(self, number: StandardNumber) -> _Standard:
        # By identity first: hashing a StandardNumber (a dataclass of ten fields) costs ~0.5 µs,
        # and the records hand over the same number object for every row that writes it alike.
        # The pair keeps ``number`` alive, so its id cannot be reused by another object.
        pair = self._by_id.get(id(number))
        if pair is not None and pair[0] is number:
            return pair[1]
        found = self._standards.get(number)
        if found is None:
            found = self._standards[number] = _Standard(number, URIRef(f"{self.base}standard/{number.slug}"))
        self._by_id[id(number)] = (number, found)
        return found

    def standard_iri(self, number: StandardNumber) -> URIRef:
        return self._standard(number).iri

    def org_iri(self, org: Organisation) -> URIRef:
        code = org.code or (self.committee_by_name.get(normalise_name(org.name)) if org.name else None)
        if code:
            return URIRef(f"{self.base}org/{code.replace('/', '-').replace(' ', '-')}")
        return URIRef(f"{self.base}org/{iri_segment(org.name or '')}")

    def _record_prefix(self, table: str) -> str:
        prefix = self._datasets.get(table)
        if prefix is None:
            dataset = iri_segment(self.dataset_names.get(table, table))
            prefix = self._datasets[table] = f"{self.base}record/{dataset}/"
        return prefix

    def record_iri(self, record: Record) -> URIRef:
        return URIRef(f"{self._record_prefix(record.table)}{record.row}")

    def _add_system(self) -> None:
        s, info = self.system_iri, self.system
        self.add(s, A, STDKG.StandardSystem)
        self.add(s, IDENTIFIER, Literal(info.id))
        self.add(s, TITLE, Literal(info.title_zh, lang="zh"))
        if info.title_en:
            self.add(s, TITLE, Literal(info.title_en, lang="en"))
        for text, lang in ((info.description_zh, "zh"), (info.description_en, "en")):
            if text:
                self.add(s, DCTERMS.description, Literal(text, lang=lang))
        for src in info.sources:
            self.add(s, SOURCE, source_term(src))
        self.add(s, STDKG.classificationScheme, self.scheme_iri)
        self.add(self.scheme_iri, A, SKOS.ConceptScheme)
        for text, lang in ((info.catalogue_zh or info.title_zh, "zh"), (info.catalogue_en or info.title_en, "en")):
            if text:
                self.add(self.scheme_iri, PREF_LABEL, Literal(text, lang=lang))

    def provenance(self, subject: URIRef, record: Record) -> None:
        self._provenance(head(subject), record)

    def _provenance(self, subject: bytes, record: Record) -> None:
        emit = self.lines.append
        rec = f"{self._record_prefix(record.table)}{record.row}"
        rec_head = head(rec)
        emit(subject + H_DERIVED_FROM + tail_iri(rec))
        emit(rec_head + H_TYPE + T_SOURCE_RECORD)
        emit(rec_head + H_SOURCE_FILE + self._literal(record.table))
        emit(rec_head + H_ROW_NUMBER + f'"{record.row}"^^<{XSD_INTEGER}> .\n'.encode())
        values = record.values
        for src in values.get("source", ()):
            found = self._sources.get(src)
            if found is None:
                found = self._sources[src] = tail(source_term(src))
            emit(rec_head + H_SOURCE + found)
        if note := values.get("note"):
            emit(subject + H_NOTE + tail_literal(note))

    def problem(self, record: Record, column: str, zh: str, en: str) -> Problem:
        return Problem(record.table, record.row, record.columns.get(column, column), record.raw.get(column), zh, en)

    # ------------------------------------------------------ reference records
    def add_catalogue_row(self, record: Record) -> list[Problem]:
        d_no, c_no = record.get("domain_no"), record.get("category_no")
        domain = URIRef(f"{self.base}{self.system.id}/domain/{iri_segment(d_no)}")
        category = URIRef(f"{self.base}{self.system.id}/category/{iri_segment(c_no)}")
        known = self.category_domain.get(category)
        if known is not None and known != domain:
            return [self.problem(record, "category_no", "该类别已属于另一个领域", "this category already belongs to another domain")]
        for iri, label, notation, cls in ((domain, record.get("domain"), d_no, STDKG.Domain),
                                          (category, record.get("category"), c_no, STDKG.ServiceCategory)):
            self.add(iri, A, cls)
            self.add(iri, A, SKOS.Concept)
            self.add(iri, PREF_LABEL, Literal(label, lang="zh"))
            self.add(iri, SKOS.notation, Literal(notation))
            self.add(iri, SKOS.inScheme, self.scheme_iri)
            self.provenance(iri, record)
        self.add(domain, SKOS.topConceptOf, self.scheme_iri)
        self.add(category, SKOS.broader, domain)
        self.category_domain[category] = domain
        for index, iri, label, notation in ((self.domains, domain, record.get("domain"), d_no),
                                            (self.categories, category, record.get("category"), c_no)):
            index[normalise_name(label)] = iri
            index.setdefault(normalise_name(notation), iri)
        return []

    def add_item_row(self, record: Record) -> list[Problem]:
        problems: list[Problem] = []
        domains = self.resolve(record, "domain", self.domains, "领域", "domain", problems)
        categories = self.resolve(record, "category", self.categories, "服务类别", "service category", problems)
        for category in categories:
            if domains and self.category_domain.get(category) not in domains:
                problems.append(self.problem(record, "category", "服务类别不属于所填领域", "the category is not in the given domain"))
        if problems:
            return problems
        item = URIRef(f"{self.base}{self.system.id}/item/{iri_segment(record.get('item'))}")
        self.add(item, A, STDKG.ServiceItem)
        self.add(item, A, SKOS.Concept)
        self.add(item, PREF_LABEL, Literal(record.get("item"), lang="zh"))
        self.add(item, SKOS.inScheme, self.scheme_iri)
        for broader in categories or domains:
            self.add(item, SKOS.broader, broader)
        if not categories:
            self.add(item, STDKG.unplaced, Literal(True))
        if obj := record.get("service_object"):
            self.add(item, SKOS.scopeNote, Literal(f"服务对象：{obj}", lang="zh"))
        if lead := record.get("lead_department"):
            self.add(item, NOTE, Literal(f"牵头负责单位：{lead}", lang="zh"))
        self.provenance(item, record)
        self.items[normalise_name(record.get("item"))] = item
        return []

    def add_committee_row(self, record: Record) -> list[Problem]:
        code, name = record.get("committee_code"), record.get("committee")
        self.committee_by_name[normalise_name(name)] = code
        self.committee_names[code] = name
        org = self._add_org(Organisation(name, code), STDKG.TechnicalCommittee)
        self.provenance(org, record)
        return []

    def resolve(self, record: Record, column: str, index: dict[str, URIRef], zh: str, en: str,
                 problems: list[Problem]) -> list[URIRef]:
        found = []
        for name in record.get(column, []):
            iri = index.get(normalise_name(name))
            if iri is None:
                problems.append(self.problem(record, column, f"未知的{zh} '{name}'（不在服务目录中）",
                                              f"unknown {en} '{name}' (not in the service catalogue)"))
            else:
                found.append(iri)
        return found

    # ------------------------------------------------------- standards records
    def add_standard_row(self, record: Record) -> list[Problem]:
        problems: list[Problem] = []
        values = record.values
        number: StandardNumber = values.get("number")
        domains = self.resolve(record, "domain", self.domains, "领域", "domain", problems)
        categories = self.resolve(record, "category", self.categories, "服务类别", "service category", problems)
        items = self.resolve(record, "service_item", self.items, "服务项目", "service item", problems)
        if values.get("region") and number.level != "local":
            problems.append(self.problem(record, "region", "只有地方标准才有地区", "only a local standard has a region"))
        if number.level == "local" and f"{number.gbt2260_code[:2]}0000" not in province_codes():
            problems.append(self.problem(record, "number", f"DB 后的 '{number.region_code[:2]}' 不是省级行政区划代码（GB/T 2260）",
                                          f"'{number.region_code[:2]}' after DB is not a provincial GB/T 2260 code"))
        if problems:
            return problems
        emit = self.lines.append
        edition = self._standard(number)
        work = self._add_number(edition.work)
        subject = work
        if number.is_dated:
            subject = self._add_number(number)
            emit(subject.head + H_IS_VERSION_OF + work.tail)
        self.described.add(subject.iri)
        self.described.add(work.iri)
        s = subject.head
        emit(s + H_IN_SYSTEM + self._system_tail)
        if title := values.get("title_zh"):
            emit(s + H_TITLE + tail_literal(title, "zh"))
        if title := values.get("title_en"):
            emit(s + H_TITLE + tail_literal(title, "en"))
        for name, predicate in CONCEPT_FIELDS:
            if (value := values.get(name)) is not None:
                emit(s + predicate + CONCEPT_TAILS[value])
        for name, predicate in DATE_FIELDS:
            if (date := values.get(name)) is not None:
                emit(s + predicate + date_tail(date))
        for code in values.get("ics", ()):
            emit(s + H_ICS + self._literal(code))
        for code in values.get("ccs", ()):
            emit(s + H_CCS + self._literal(code))
        self._add_organisations(s, values)
        for iri in domains:
            emit(s + H_DOMAIN + self._tail(iri))
        for iri in categories:
            emit(s + H_SUBJECT + self._tail(iri))
        for iri in items:
            emit(s + H_SERVICE_ITEM + self._tail(iri))
        for name, predicate in LINK_FIELDS:
            for other in values.get(name, ()):
                emit(s + predicate + self._mention(other, None))
        for name, predicate in REFERENCE_FIELDS:
            for other, title in values.get(name, ()):
                emit(s + predicate + self._mention(other, title))
        if number.level == "local":
            self._add_region(s, number, values.get("region"))
        self._provenance(s, record)
        return []

    def _add_number(self, number: StandardNumber) -> _Standard:
        entry = self._standard(number)
        if entry.added:  # a work shared by editions, or a stub named twice
            return entry
        entry.added = True
        emit, s = self.lines.append, entry.head
        emit(s + H_TYPE + (T_EDITION if number.is_dated else T_STANDARD))
        emit(s + H_IDENTIFIER + tail_literal(number.canonical))
        emit(s + H_LEVEL + CONCEPT_TAILS[f"level-{number.level}"])
        if number.nature:
            emit(s + H_NATURE + CONCEPT_TAILS[f"nature-{number.nature}"])
        if part := number.part:
            emit(s + H_PART_NUMBER + tail_literal(part))
        return entry

    def mention(self, number: StandardNumber, title: str | None) -> URIRef:
        self._mention(number, title)
        return self._standard(number).iri

    def _mention(self, number: StandardNumber, title: str | None) -> bytes:
        entry = self._standard(number)
        if title or entry.iri not in self.mentioned:
            self.mentioned[entry.iri] = (number, title)
        return entry.tail

    def _add_organisations(self, subject: bytes, values: dict[str, object]) -> None:
        committee: Organisation | None = values.get("committee")  # type: ignore[assignment]
        if code := values.get("committee_code"):
            committee = Organisation(committee.name if committee else None, code)  # type: ignore[arg-type]
        if committee is not None:
            # 归口 is often a ministry or bureau rather than a TC: the type follows the name or code.
            self.lines.append(subject + H_COMMITTEE + self._tail(self._add_org(committee, None)))
        if (authority := values.get("competent_authority")) is not None:
            self.lines.append(subject + H_AUTHORITY + self._tail(self._add_org(authority, STDKG.CompetentAuthority)))  # type: ignore[arg-type]
        for publisher in values.get("publisher", ()):  # type: ignore[attr-defined]
            self.lines.append(subject + H_PUBLISHER + self._tail(self._add_org(publisher, None)))

    def _add_org(self, org: Organisation, role: URIRef | None) -> URIRef:
        key = (org.name, org.code, role)  # not the Organisation: its dataclass hash is slow
        known = self._orgs_added.get(key)
        if known is not None:  # the same organisation on many rows: its triples are there already
            return known
        iri = self._orgs_added[key] = self.org_iri(org)
        code = org.code or (self.committee_by_name.get(normalise_name(org.name)) if org.name else None)
        self.add(iri, A, ORG.Organization)
        if code is not None or "技术委员会" in (org.name or ""):
            self.add(iri, A, STDKG.TechnicalCommittee)
        elif role is not None:
            self.add(iri, A, role)
        if code:
            self.add(iri, STDKG.committeeCode, Literal(code))
        if org.name:
            # The first name seen for a code (the committees table loads first) is the
            # preferred label; other spellings stay findable as alternative labels.
            preferred = self.committee_names.setdefault(code, org.name) if code else org.name
            label = PREF_LABEL if normalise_name(preferred) == normalise_name(org.name) else ALT_LABEL
            self.add(iri, label, Literal(org.name, lang="zh"))
        return iri

    def _add_region(self, subject: bytes, number: StandardNumber, city_name: str | None) -> None:
        code = number.gbt2260_code
        assert code is not None
        region = region_iri(code)
        if not code.endswith("0000") and (code, city_name) not in self._cities:
            # A city's own triples depend on its code and name only: added once, not per row.
            self._cities.add((code, city_name))
            self.add(region, A, STDKG.Region)
            self.add(region, A, SKOS.Concept)
            self.add(region, SKOS.notation, Literal(code))
            self.add(region, SKOS.broader, region_iri(code[:2] + "0000"))
            self.add(region, SKOS.inScheme, STDV.regions)
            if city_name:
                self.add(region, PREF_LABEL, Literal(city_name, lang="zh"))
        self.lines.append(subject + H_REGION + self._tail(region))

    # ---------------------------------------------------------------- finish
    def add_stubs(self) -> int:
        """Type every referenced standard that no row describes as an external stub."""
        stubs = 0
        emit = self.lines.append
        for iri, (number, title) in self.mentioned.items():  # any order: the lines are sorted at the end
            if iri in self.described:
                continue
            stubs += 1
            entry = self._add_number(number)
            emit(entry.head + H_TYPE + T_STUB)
            if title:
                emit(entry.head + H_TITLE + tail_literal(title, "zh"))
            if number.is_dated:
                work = self._standard(entry.work)
                emit(entry.head + H_IS_VERSION_OF + work.tail)
                if work.iri not in self.described:
                    self._add_number(work.number)
                    emit(work.head + H_TYPE + T_STUB)
        return stubs

    def extend(self, triples: Iterable[Triple]) -> None:
        self.lines.extend(line(s, p, o) for s, p, o in triples)

    def finish(self) -> TripleSet:
        """The graph: its lines sorted and distinct (the canonical N-Triples), as a TripleSet."""
        lines, self.lines = self.lines, []
        return TripleSet(canonical(lines))


@lru_cache(maxsize=1)
def province_codes() -> frozenset[str]:
    """The six-digit codes of the 34 provincial-level regions in ontology/regions.ttl."""
    text = (paths.ontology_dir() / "regions.ttl").read_text(encoding="utf-8")
    return frozenset(re.findall(r'skos:notation "(\d{6})"', text))


@lru_cache(maxsize=65536)
def date_literal(date: DateValue) -> Literal:
    """Cached: rdflib parses a typed literal's lexical form, and dates repeat across rows."""
    return Literal(date.lexical, datatype=XSD[date.datatype])


@lru_cache(maxsize=65536)
def date_tail(date: DateValue) -> bytes:
    """A date as a line's object, rendered by rdflib once per distinct date."""
    return tail(date_literal(date))
