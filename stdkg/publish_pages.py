"""HTML pages of the published site: one per resource, zh first with English beside.

Plain string templates; every value from the graph goes through ``html.escape`` (titles with
``<script>`` or quotes show as text). Links between resources are relative and name the
``.html`` file, so the site works under any path prefix, on any static server and from
file://. One shared stylesheet, no script on resource pages.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from .publish_graph import BROADER, DCT, RDFS, SKOS, STDKG_NS, GraphIndex, Row, literal_parts
from .publish_paths import relative_link, root_prefix

SITE_ZH, SITE_EN = "标准信息资源库", "Standard information resource library"
LIST_LIMIT = 200  # values shown per property; the RDF files and dumps hold them all
PROV = "http://www.w3.org/ns/prov#"
ELI = "http://data.europa.eu/eli/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
# Labels of reused properties (the stdkg terms are labelled in the graph's own ontology).
KNOWN_LABELS: dict[str, tuple[str, str]] = {
    f"{DCT}identifier": ("标准号 / 标识", "identifier"), f"{DCT}title": ("标题", "title"),
    f"{DCT}issued": ("发布日期", "issued"), f"{DCT}modified": ("修改日期", "modified"),
    f"{DCT}replaces": ("代替", "replaces"), f"{DCT}isReplacedBy": ("被代替", "replaced by"),
    f"{DCT}isVersionOf": ("标准（作品）", "version of"), f"{DCT}hasVersion": ("版本", "has version"),
    f"{DCT}references": ("引用", "references"), f"{DCT}requires": ("需要", "requires"),
    f"{DCT}publisher": ("发布机构", "publisher"), f"{DCT}source": ("来源", "source"),
    f"{DCT}description": ("说明", "description"), f"{DCT}subject": ("主题", "subject"),
    f"{DCT}isPartOf": ("所属", "part of"), f"{DCT}license": ("许可", "licence"),
    f"{SKOS}prefLabel": ("名称", "preferred label"), f"{SKOS}altLabel": ("别名", "alternative label"),
    f"{SKOS}notation": ("编码", "notation"), f"{SKOS}broader": ("上位", "broader"),
    f"{SKOS}narrower": ("下位", "narrower"), f"{SKOS}inScheme": ("所属体系", "in scheme"),
    f"{SKOS}topConceptOf": ("顶层概念", "top concept of"), f"{SKOS}note": ("备注", "note"),
    f"{SKOS}definition": ("定义", "definition"), f"{SKOS}hasTopConcept": ("顶层概念", "has top concept"),
    f"{SKOS}scopeNote": ("适用范围说明", "scope note"),
    f"{RDFS}label": ("标签", "label"), f"{RDFS}comment": ("注释", "comment"),
    f"{RDFS}subClassOf": ("上位类", "subclass of"), f"{RDFS}subPropertyOf": ("上位属性", "subproperty of"),
    f"{RDFS}range": ("值域", "range"), f"{RDFS}domain": ("定义域", "domain"),
    f"{RDFS}isDefinedBy": ("定义于", "defined by"), f"{RDFS}seeAlso": ("参见", "see also"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("类型", "type"),
    f"{PROV}wasDerivedFrom": ("数据来源", "derived from"),
    f"{OWL}versionInfo": ("版本信息", "version"), f"{OWL}inverseOf": ("逆属性", "inverse of"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("上级组织", "sub-organisation of"),
    f"{DCAT}dataset": ("数据集", "dataset"), f"{DCAT}distribution": ("分发", "distribution"),
    f"{DCAT}accessURL": ("访问地址", "access URL"), f"{DCAT}downloadURL": ("下载地址", "download URL"),
    f"{DCAT}mediaType": ("媒体类型", "media type"), f"{DCAT}byteSize": ("字节数", "byte size"),
    f"{DCAT}compressFormat": ("压缩格式", "compression format"), f"{DCAT}keyword": ("关键词", "keyword"),
    f"{DCAT}theme": ("主题", "theme"), f"{DCAT}themeTaxonomy": ("主题分类", "theme taxonomy"),
    f"{DCAT}landingPage": ("着陆页", "landing page"), f"{DCAT}version": ("版本", "version"),
    f"{DCT}language": ("语言", "language"), f"{DCT}format": ("格式", "format"),
    "http://xmlns.com/foaf/0.1/homepage": ("主页", "homepage"), "http://xmlns.com/foaf/0.1/name": ("名称", "name"),
    "http://www.w3.org/ns/adms#versionNotes": ("版本说明", "version notes"),
    "http://spdx.org/rdf/terms#checksum": ("校验和", "checksum"),
    "http://spdx.org/rdf/terms#algorithm": ("算法", "algorithm"),
    "http://spdx.org/rdf/terms#checksumValue": ("校验值", "checksum value"),
    f"{VOID}triples": ("三元组数", "triples"), f"{VOID}entities": ("实体数", "entities"),
    f"{VOID}distinctSubjects": ("不同主语数", "distinct subjects"), f"{VOID}classes": ("类数", "classes"),
    f"{VOID}properties": ("属性数", "properties"), f"{VOID}uriSpace": ("IRI 空间", "URI space"),
    f"{VOID}vocabulary": ("所用词表", "vocabularies"), f"{VOID}exampleResource": ("示例资源", "example resources"),
    f"{VOID}dataDump": ("数据转储", "data dump"), f"{VOID}sparqlEndpoint": ("SPARQL 端点", "SPARQL endpoint"),
}
# How an incoming link reads from the page of its object ("what points here").
INVERSE_LABELS: dict[str, tuple[str, str]] = {
    f"{STDKG_NS}normativeReference": ("被规范性引用", "normatively referenced by"),
    f"{DCT}references": ("被引用", "referenced by"),
    f"{DCT}replaces": ("被代替（新版本）", "replaced by"),
    f"{DCT}isReplacedBy": ("代替", "replaces"),
    f"{STDKG_NS}localCounterpartOf": ("地方配套标准", "local counterparts"),
    f"{STDKG_NS}thematicCounterpart": ("主题对应的地方标准", "thematic local matches"),
    f"{DCT}isVersionOf": ("版本", "editions"),
    f"{STDKG_NS}committee": ("归口的标准", "standards of this committee"),
    f"{STDKG_NS}competentAuthority": ("主管的标准", "standards under this authority"),
    f"{DCT}publisher": ("发布的标准", "published standards"),
    f"{STDKG_NS}domain": ("本领域的标准与试点", "standards and pilots in this domain"),
    f"{STDKG_NS}serviceItem": ("支撑本服务项目的标准", "standards for this service item"),
    f"{STDKG_NS}region": ("本地区的地方标准、试点与实施反馈", "local standards, pilots and feedback of this region"),
    f"{STDKG_NS}appliesStandard": ("应用本标准的试点", "pilots applying it"),
    f"{STDKG_NS}aboutEdition": ("实施反馈", "implementation feedback"),
    f"{STDKG_NS}status": ("处于此状态的标准", "standards with this status"),
    f"{STDKG_NS}level": ("此层级的标准", "standards at this level"),
    f"{STDKG_NS}nature": ("此性质的标准", "standards of this nature"),
    f"{STDKG_NS}standardType": ("此类型的标准", "standards of this type"),
    BROADER[1:-1]: ("下位", "narrower"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("下属组织", "sub-organisations"),
    f"{RDFS}subClassOf": ("下位类", "subclasses"),
    f"{RDFS}subPropertyOf": ("下位属性", "subproperties"),
}
# Properties shown first on a page, in this order; the rest follow sorted.
ORDER = [f"{DCT}identifier", f"{DCT}title", f"{SKOS}prefLabel", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
         f"{STDKG_NS}status", f"{STDKG_NS}level", f"{STDKG_NS}nature", f"{DCT}issued", f"{STDKG_NS}implementationDate",
         f"{STDKG_NS}abolitionDate", f"{STDKG_NS}committee", f"{STDKG_NS}competentAuthority", f"{STDKG_NS}domain",
         f"{STDKG_NS}serviceItem", f"{STDKG_NS}standardType", f"{DCT}isVersionOf", f"{DCT}replaces",
         f"{DCT}isReplacedBy", f"{STDKG_NS}normativeReference", f"{DCT}references", f"{STDKG_NS}localCounterpartOf",
         f"{STDKG_NS}thematicCounterpart", f"{STDKG_NS}region"]
_RANK = {iri: n for n, iri in enumerate(ORDER)}
INCOMING_ORDER = [f"{STDKG_NS}normativeReference", f"{DCT}references", f"{DCT}replaces", f"{DCT}isReplacedBy",
                  f"{STDKG_NS}localCounterpartOf", f"{STDKG_NS}thematicCounterpart", f"{DCT}isVersionOf"]
_IN_RANK = {iri: n for n, iri in enumerate(INCOMING_ORDER)}


def property_label(index: GraphIndex, iri: str) -> tuple[str, str]:
    known = KNOWN_LABELS.get(iri)
    if known:
        return known
    zh, en = index.label_zh.get(iri, ""), index.label_en.get(iri, "")
    local = re.split(r"[#/]", iri)[-1]
    return zh or en or local, en or local


def page(title: str, body: str, path: str, alternates: bool = True, extra_head: str = "") -> str:
    """The HTML5 frame every page shares; ``path`` is the page's site path (no suffix)."""
    root = root_prefix(path)
    name = quote(path.rsplit("/", 1)[-1], safe="")
    alt = (f'<link rel="alternate" type="text/turtle" href="{name}.ttl">\n'
           f'<link rel="alternate" type="application/ld+json" href="{name}.jsonld">\n') if alternates else ""
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<link rel="icon" href="data:,">\n'
            f"<title>{escape(title)} — {SITE_ZH} / {SITE_EN}</title>\n"
            f'<link rel="stylesheet" href="{root}assets/site.css">\n{alt}{extra_head}</head>\n<body>\n'
            f'<header><a class="home" href="{root}index.html">{SITE_ZH} <span lang="en">/ {SITE_EN}</span></a>'
            f'<nav><a href="{root}index.html#search">检索 / Search</a> <a href="{root}ontology.html">本体 / Ontology</a> '
            f'<a href="{root}catalog.html">数据集 / Dataset</a></nav></header>\n'
            f"<main>\n{body}</main>\n</body>\n</html>\n")


# Files of every published site that an IRI under the base can name (the catalogue's download
# URLs); any other IRI under the base without a page of its own is shown, not linked.
SITE_FILES = frozenset({"dumps/stdkg.ttl", "dumps/stdkg.nt.gz", "dumps/stdkg.jsonld", "dumps/SHA256SUMS",
                        "context.jsonld", "catalog.ttl", "catalog.jsonld", "catalog.html", "ontology.html",
                        "index.html", "search-index.js"})


def _link(index: GraphIndex, from_path: str, iri: str) -> str:
    """A link to a resource, cached by (page depth, IRI): most links point to a few concepts,
    committees and domains, and a relative link depends only on the depth of the page."""
    key = (from_path.count("/"), iri)
    found = index.cache.get(key)
    if found is None:
        found = _make_link(index, from_path, iri)
        if len(index.cache) < 400_000:
            index.cache[key] = found
    return found


def _make_link(index: GraphIndex, from_path: str, iri: str) -> str:
    target = index.paths.get(iri)
    name = index.label(iri) or iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if target is None:
        if iri.startswith(index.base):
            rest = iri[len(index.base):]
            if rest == "":
                return f'<a href="{root_prefix(from_path)}index.html">{escape(iri)}</a>'
            if rest in SITE_FILES:  # a file every site has (a dump)
                return f'<a href="{escape(relative_link(from_path, rest, ""))}">{escape(rest)}</a>'
            # A source record (in the dumps, no page), a version IRI (…/ontology/1.0): named, not linked,
            # since no file answers for it.
            return f'<span class="record">{escape(rest)}</span>'
        if iri.startswith(("http://", "https://")):
            return f'<a class="external" href="{escape(iri)}">{escape(iri)}</a>'
        return f"<code>{escape(iri)}</code>"
    href = relative_link(from_path, target)
    if "#" in iri:
        href += "#" + quote(iri.split("#", 1)[1], safe="")
    label = escape(name)
    en = index.label_en.get(iri)
    if en and not index.identifier.get(iri) and en != name:
        label += f' <span lang="en">/ {escape(en)}</span>'
    return f'<a href="{escape(href)}">{label}</a>'


def _literal(term: str) -> str:
    text, lang, datatype = literal_parts(term)
    if lang:
        return f'<span lang="{escape(lang)}">{escape(text)}</span> <small>@{escape(lang)}</small>'
    return escape(text)


def render_value(index: GraphIndex, from_path: str, term: str) -> str:
    return _link(index, from_path, term[1:-1]) if term[0] == "<" else _literal(term)


def _values(items: list[str], total: int) -> str:
    more = f'<li class="more">… 另有 {total - len(items)} 项 / {total - len(items)} more</li>' if total > len(items) else ""
    if len(items) == 1 and not more:
        return items[0]
    return '<ul class="values">' + "".join(f"<li>{item}</li>" for item in items) + more + "</ul>"


def _heading(index: GraphIndex, iri: str) -> tuple[str, str]:
    """(h1 html, plain title) of a resource: number and titles, else labels, else the IRI's tail."""
    number = index.identifier.get(iri, "")
    zh, en = index.label_zh.get(iri, ""), index.label_en.get(iri, "")
    main = number or zh or en or iri.rstrip("/").rsplit("/", 1)[-1]
    parts = [f'<span class="number">{escape(number)}</span>'] if number else []
    if zh and zh != main:
        parts.append(f'<span lang="zh">{escape(zh)}</span>')
    elif not number and zh:
        parts.append(f'<span lang="zh">{escape(zh)}</span>')
    if en and en != main or (en and not parts):
        parts.append(f'<span lang="en" class="en">{escape(en)}</span>')
    plain = " ".join(x for x in (number, zh or en) if x) or main
    return "<h1>" + " ".join(parts or [escape(main)]) + "</h1>", plain


def _properties(index: GraphIndex, path: str, rows: list[Row]) -> str:
    by_predicate: dict[str, list[str]] = {}
    for _, p, o in rows:
        by_predicate.setdefault(p[1:-1], []).append(o)
    lines = []
    for predicate in sorted(by_predicate, key=lambda iri: (_RANK.get(iri, len(_RANK)), iri)):
        objects = by_predicate[predicate]
        header = index.cache.get(predicate)
        if header is None:
            zh, en = property_label(index, predicate)
            header = index.cache[predicate] = f'<tr><th scope="row">{escape(zh)} <span lang="en">/ {escape(en)}</span></th>'
        shown = [render_value(index, path, o) for o in objects[:LIST_LIMIT]]
        lines.append(f"{header}<td>{_values(shown, len(objects))}</td></tr>")
    return '<table class="properties">\n' + "\n".join(lines) + "\n</table>\n"


def _incoming(index: GraphIndex, path: str, iri: str) -> str:
    links = index.incoming.get(iri)
    if not links:
        return ""
    by_predicate: dict[str, list[str]] = {}
    for p, s in links:
        by_predicate.setdefault(p[1:-1], []).append(s)
    lines = []
    for predicate in sorted(by_predicate, key=lambda p: (_IN_RANK.get(p, len(_IN_RANK)), p)):
        subjects = sorted(set(by_predicate[predicate]))
        zh, en = INVERSE_LABELS.get(predicate) or tuple(f"← {x}" for x in property_label(index, predicate))
        shown = [_link(index, path, s) for s in subjects[:LIST_LIMIT]]
        lines.append(f'<tr><th scope="row">{escape(zh)} <span lang="en">/ {escape(en)}</span> ({len(subjects)})</th>'
                     f"<td>{_values(shown, len(subjects))}</td></tr>")
    return ('<h2>指向本资源的链接 / Links to this resource</h2>\n<table class="properties incoming">\n'
            + "\n".join(lines) + "\n</table>\n")


def _downloads(path: str, iri: str) -> str:
    name = quote(path.rsplit("/", 1)[-1], safe="")
    return (f'<p class="iri"><code>{escape(iri)}</code> · <a href="{name}.ttl">Turtle</a> · '
            f'<a href="{name}.jsonld">JSON-LD</a></p>\n')


def resource_page(index: GraphIndex, doc: str, path: str, rows: list[Row]) -> str:
    """The page of one document: its subject's properties and what links to it. A document
    describing hash IRIs (the ontology) has one section per term, anchored by its fragment."""
    subjects: dict[str, list[Row]] = {}
    for row in rows:
        subjects.setdefault(row[0][1:-1], []).append(row)
    heading, plain = _heading(index, doc)
    body = [heading, _downloads(path, doc)]
    if doc in subjects:
        body.append(_properties(index, path, subjects.pop(doc)))
        body.append(_incoming(index, path, doc))
    if subjects:
        toc = " · ".join(_link(index, path, s) for s in subjects)
        body.append(f'<nav class="toc"><h2>术语 / Terms ({len(subjects)})</h2><p>{toc}</p></nav>\n')
        for subject, own in subjects.items():
            fragment = subject.split("#", 1)[1] if "#" in subject else subject
            term_heading, _ = _heading(index, subject)
            body.append(f'<section id="{escape(fragment)}">{term_heading.replace("<h1>", "<h2>").replace("</h1>", "</h2>")}'
                        f"<p class=\"iri\"><code>{escape(subject)}</code></p>\n{_properties(index, path, own)}"
                        f"{_incoming(index, path, subject)}</section>\n")
    return page(plain, "".join(body), path)


