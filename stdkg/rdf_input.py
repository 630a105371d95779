"""RDF files to merge into a build (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD).

Parsed by Oxigraph, whose RDF/XML parser resolves no external entities, so a hostile file
cannot read local files or the network. Blank nodes are skolemised to IRIs numbered in order
of appearance in their file, so merged graphs stay canonical and builds stay byte-identical.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .model import Triple, iri_segment
from .problems import StdkgError
from .store import FORMATS

RDF_SUFFIXES = set(FORMATS)
_XSD_STRING = str(XSD.string)


_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.S)
_ENTITY = re.compile(rb"<!ENTITY\s+%?\s*[\w.-]+\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)


def check_xml_entities(path: Path) -> None:
    """Refuse external entities and entities built from other entities (billion laughs).

    Plain entities that abbreviate namespaces (<!ENTITY xsd "http://…#">), common in OWL
    files, are allowed; Oxigraph expands entities in full, so nesting must be stopped here.
    """
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    doctype = _DOCTYPE.search(head)
    if doctype is None:
        return
    for match in _ENTITY.finditer(doctype.group(1)):
        value = match.group(1)
        if value in (b"SYSTEM", b"PUBLIC"):
            raise StdkgError(f"{path}: 含外部实体（XXE），已拒绝 / external XML entity (XXE) refused")
        if b"&" in value or b"%" in value:
            raise StdkgError(f"{path}: 含嵌套实体（可能是“十亿笑”攻击），已拒绝 / nested XML entities (billion laughs) refused")


def read_rdf(path: Path, base: str) -> list[Triple]:
    """The triples of one RDF file, blank nodes skolemised under ``base``/.well-known/genid/."""
    fmt = FORMATS[path.suffix.lower()]
    if fmt == ox.RdfFormat.RDF_XML:
        check_xml_entities(path)
    skolem: dict[str, URIRef] = {}
    prefix = f"{base}.well-known/genid/{iri_segment(path.name)}-"

    def term(node: object) -> URIRef | Literal:
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.BlankNode):
            return skolem.setdefault(node.value, URIRef(f"{prefix}{len(skolem) + 1}"))
        if isinstance(node, ox.Literal):
            if node.language:
                return Literal(node.value, lang=node.language)
            datatype = node.datatype.value
            return Literal(node.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
        raise StdkgError(f"{path}: 不支持的 RDF 项 / unsupported RDF term {node!r} (RDF-star is not supported)")

    triples: list[Triple] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
            triples.append((term(quad.subject), term(quad.predicate), term(quad.object)))  # type: ignore[arg-type]
    except (SyntaxError, ValueError, OSError) as exc:
        raise StdkgError(f"{path}: 无法解析 RDF / cannot parse RDF ({exc})") from exc
    except MemoryError as exc:  # Oxigraph caps entity expansion ("billion laughs") at 16 MiB
        raise StdkgError(f"{path}: XML 实体展开过大，已拒绝 / XML entity expansion too large, refused ({exc})") from exc
    return triples
