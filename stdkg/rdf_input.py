"""RDF files to merge into a build (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD).

Parsed by Oxigraph, whose RDF/XML parser resolves no external entities, so a hostile file
cannot read local files or the network. Blank nodes are skolemised to IRIs numbered in order
of appearance in their file, so merged graphs stay canonical and builds stay byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .model import Triple, iri_segment
from .problems import StdkgError
from .store import FORMATS

RDF_SUFFIXES = set(FORMATS)
_XSD_STRING = str(XSD.string)


def read_rdf(path: Path, base: str) -> list[Triple]:
    """The triples of one RDF file, blank nodes skolemised under ``base``/.well-known/genid/."""
    fmt = FORMATS[path.suffix.lower()]
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
    return triples
