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


class GraphBuilder:
    """Accumulates the triples of one build and the indexes rows are resolved against."""

    def __init__(self, base: str, system: SystemInfo) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.system = system
        self.triples: set[Triple] = set()
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
        self._datasets: dict[str, str] = {}
        self.dataset_names: dict[str, str] = {}  # table → the name its source records are minted under
        self._orgs_added: dict[tuple[Organisation, URIRef | None], URIRef] = {}
        self._standard_iris: dict[StandardNumber, URIRef] = {}
        self._numbers_added: set[URIRef] = set()
        self._add_system()

    # ---------------------------------------------------------------- helpers
    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None:
            self.triples.add((s, p, o))

    def standard_iri(self, number: StandardNumber) -> URIRef:
        iri = self._standard_iris.get(number)
        if iri is None:
            iri = self._standard_iris[number] = URIRef(f"{self.base}standard/{number.slug}")
        return iri

    def org_iri(self, org: Organisation) -> URIRef:
        code = org.code or (self.committee_by_name.get(normalise_name(org.name)) if org.name else None)
        if code:
            return URIRef(f"{self.base}org/{code.replace('/', '-').replace(' ', '-')}")
        return URIRef(f"{self.base}org/{iri_segment(org.name or '')}")

    def record_iri(self, record: Record) -> URIRef:
        dataset = self._datasets.get(record.table)
        if dataset is None:
            dataset = self._datasets[record.table] = iri_segment(self.dataset_names.get(record.table, record.table))
        return URIRef(f"{self.base}record/{dataset}/{record.row}")

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
        rec = self.record_iri(record)
        self.add(subject, PROV.wasDerivedFrom, rec)
        self.add(rec, A, STDKG.SourceRecord)
        self.add(rec, STDKG.sourceFile, Literal(record.table))
        self.add(rec, STDKG.rowNumber, Literal(record.row))
        for src in record.get("source", []):
            self.add(rec, SOURCE, source_term(src))
        if note := record.get("note"):
            self.add(subject, NOTE, Literal(note))

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
        number: StandardNumber = record.get("number")
        domains = self.resolve(record, "domain", self.domains, "领域", "domain", problems)
        categories = self.resolve(record, "category", self.categories, "服务类别", "service category", problems)
        items = self.resolve(record, "service_item", self.items, "服务项目", "service item", problems)
        if record.get("region") and number.level != "local":
            problems.append(self.problem(record, "region", "只有地方标准才有地区", "only a local standard has a region"))
        if number.level == "local" and f"{number.gbt2260_code[:2]}0000" not in province_codes():
            problems.append(self.problem(record, "number", f"DB 后的 '{number.region_code[:2]}' 不是省级行政区划代码（GB/T 2260）",
                                          f"'{number.region_code[:2]}' after DB is not a provincial GB/T 2260 code"))
        if problems:
            return problems
        work = self._add_number(number.work)
        subject = work
        if number.is_dated:
            subject = self._add_number(number)
            self.add(subject, IS_VERSION_OF, work)
        self.described.update({subject, work})
        self.add(subject, STDKG.inSystem, self.system_iri)
        for lang in ("zh", "en"):
            if title := record.get(f"title_{lang}"):
                self.add(subject, TITLE, Literal(title, lang=lang))
        for name, values in (("level", STDKG.level), ("nature", STDKG.nature), ("status", STDKG.status),
                             ("standard_type", STDKG.standardType), ("adoption_degree", STDKG.adoptionDegree)):
            if (value := record.get(name)) is not None:
                self.add(subject, values, concept(value))
        for name, prop in (("issued", ISSUED), ("implemented", STDKG.implementationDate),
                           ("abolished", STDKG.abolitionDate)):
            if (date := record.get(name)) is not None:
                self.add(subject, prop, date_literal(date))
        for code in record.get("ics", []):
            self.add(subject, STDKG.icsCode, Literal(code))
        for code in record.get("ccs", []):
            self.add(subject, STDKG.ccsCode, Literal(code))
        self._add_organisations(subject, record)
        for iri in domains:
            self.add(subject, STDKG.domain, iri)
        for iri in categories:
            self.add(subject, SUBJECT, iri)
        for iri in items:
            self.add(subject, STDKG.serviceItem, iri)
        links = (("replaces", REPLACES), ("replaced_by", IS_REPLACED_BY),
                 ("adopts_international", STDKG.adoptsInternational),
                 ("local_counterpart_of", STDKG.localCounterpartOf),
                 ("thematic_counterpart", STDKG.thematicCounterpart))
        for name, prop in links:
            for other in record.get(name, []):
                self.add(subject, prop, self.mention(other, None))
        for name, prop in (("normative_references", STDKG.normativeReference),
                           ("informative_references", REFERENCES)):
            for other, title in record.get(name, []):
                self.add(subject, prop, self.mention(other, title))
        if number.level == "local":
            self._add_region(subject, number, record.get("region"))
        self.provenance(subject, record)
        return []

    def _add_number(self, number: StandardNumber) -> URIRef:
        iri = self.standard_iri(number)
        if iri in self._numbers_added:  # a work shared by editions, or a stub named twice
            return iri
        self._numbers_added.add(iri)
        self.add(iri, A, STDKG.StandardEdition if number.is_dated else STDKG.Standard)
        self.add(iri, IDENTIFIER, Literal(number.canonical))
        self.add(iri, STDKG.level, concept(f"level-{number.level}"))
        if number.nature:
            self.add(iri, STDKG.nature, concept(f"nature-{number.nature}"))
        if number.part:
            self.add(iri, STDKG.partNumber, Literal(number.part))
        return iri

    def mention(self, number: StandardNumber, title: str | None) -> URIRef:
        iri = self.standard_iri(number)
        if title or iri not in self.mentioned:
            self.mentioned[iri] = (number, title)
        return iri

    def _add_organisations(self, subject: URIRef, record: Record) -> None:
        committee: Organisation | None = record.get("committee")
        if code := record.get("committee_code"):
            committee = Organisation(committee.name if committee else None, code)
        if committee is not None:
            # 归口 is often a ministry or bureau rather than a TC: the type follows the name or code.
            self.add(subject, STDKG.committee, self._add_org(committee, None))
        if (authority := record.get("competent_authority")) is not None:
            self.add(subject, STDKG.competentAuthority, self._add_org(authority, STDKG.CompetentAuthority))
        for publisher in record.get("publisher", []):
            self.add(subject, PUBLISHER, self._add_org(publisher, None))

    def _add_org(self, org: Organisation, role: URIRef | None) -> URIRef:
        known = self._orgs_added.get((org, role))
        if known is not None:  # the same organisation on many rows: its triples are there already
            return known
        iri = self._orgs_added[(org, role)] = self.org_iri(org)
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

    def _add_region(self, subject: URIRef, number: StandardNumber, city_name: str | None) -> None:
        code = number.gbt2260_code
        assert code is not None
        region = region_iri(code)
        if code.endswith("0000"):
            self.add(subject, STDKG.region, region)
            return
        province = region_iri(code[:2] + "0000")
        self.add(region, A, STDKG.Region)
        self.add(region, A, SKOS.Concept)
        self.add(region, SKOS.notation, Literal(code))
        self.add(region, SKOS.broader, province)
        self.add(region, SKOS.inScheme, STDV.regions)
        if city_name:
            self.add(region, PREF_LABEL, Literal(city_name, lang="zh"))
        self.add(subject, STDKG.region, region)

    # ---------------------------------------------------------------- finish
    def add_stubs(self) -> int:
        """Type every referenced standard that no row describes as an external stub."""
        stubs = 0
        for iri, (number, title) in sorted(self.mentioned.items()):
            if iri in self.described:
                continue
            stubs += 1
            self._add_number(number)
            self.add(iri, A, STDKG.ExternalStub)
            if title:
                self.add(iri, TITLE, Literal(title, lang="zh"))
            if number.is_dated:
                work = self.standard_iri(number.work)
                self.add(iri, IS_VERSION_OF, work)
                if work not in self.described:
                    self._add_number(number.work)
                    self.add(work, A, STDKG.ExternalStub)
        return stubs

    def extend(self, triples: Iterable[Triple]) -> None:
        self.triples.update(triples)



@lru_cache(maxsize=1)
def province_codes() -> frozenset[str]:
    """The six-digit codes of the 34 provincial-level regions in ontology/regions.ttl."""
    text = (paths.ontology_dir() / "regions.ttl").read_text(encoding="utf-8")
    return frozenset(re.findall(r'skos:notation "(\d{6})"', text))


@lru_cache(maxsize=65536)
def date_literal(date: DateValue) -> Literal:
    """Cached: rdflib parses a typed literal's lexical form, and dates repeat across rows."""
    return Literal(date.lexical, datatype=XSD[date.datatype])
