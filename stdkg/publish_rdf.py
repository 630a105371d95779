"""RDF files of the site: per-resource Turtle and JSON-LD, and the whole-graph dumps.

Turtle reuses the build's canonical writer (``serialize.turtle_chunks``). JSON-LD is written
here, compacted with one fixed ``@context`` (the prefixes of ``serialize.PREFIXES``): rdflib's
JSON-LD serialiser takes minutes on millions of triples, and a fixed context keeps the files
stable across releases. Every literal keeps its exact lexical form and datatype
(``{"@value", "@type"}``), so reading the JSON-LD back gives the same triples.
The context is embedded in each file (so any JSON-LD parser reads it offline) and also
published on its own as ``context.jsonld``.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

from .publish_graph import RDF_TYPE, Row, literal_parts
from .serialize import PREFIXES, turtle_chunks

CONTEXT: dict[str, str] = dict(PREFIXES)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NAMESPACES = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()), key=lambda item: -len(item[0]))
_compact_cache: dict[str, str] = {}


def compact(iri: str) -> str:
    """prefix:local for IRIs in a context namespace whose local part is a plain name, else the IRI."""
    found = _compact_cache.get(iri)
    if found is None:
        found = iri
        for ns, prefix in _NAMESPACES:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if local and (local[0].isalpha() or local[0] == "_") and all(c.isalnum() or c in "_-." for c in local) \
                        and not local.endswith("."):
                    found = f"{prefix}:{local}"
                break
        if len(_compact_cache) < 100_000:
            _compact_cache[iri] = found
    return found


def _value(term: str) -> object:
    if term[0] == "<":
        return {"@id": term[1:-1]}
    text, lang, datatype = literal_parts(term)
    if lang:
        return {"@value": text, "@language": lang}
    if datatype is None or datatype == _XSD_STRING:
        return text
    return {"@value": text, "@type": compact(datatype)}


def node_objects(rows: Iterable[Row]) -> Iterator[dict[str, object]]:
    """One JSON-LD node object per subject of sorted rows."""
    for subject, group in groupby(rows, key=lambda row: row[0]):
        node: dict[str, object] = {"@id": subject[1:-1]}
        for predicate, objects in groupby(group, key=lambda row: row[1]):
            if predicate == RDF_TYPE:
                node["@type"] = [compact(o[1:-1]) for _, _, o in objects]
            else:
                node[compact(predicate[1:-1])] = [_value(o) for _, _, o in objects]
        yield node


def jsonld_text(rows: list[Row]) -> str:
    """A small JSON-LD document (one resource's description) with the context inline."""
    return json.dumps({"@context": CONTEXT, "@graph": list(node_objects(rows))}, ensure_ascii=False,
                      separators=(",", ":")) + "\n"


_turtle_cache: dict[str, str] = {}


def turtle_text(rows: list[Row]) -> str:
    """Turtle of a few rows; the rendering of terms is shared across calls (bounded)."""
    if len(_turtle_cache) > 200_000:
        _turtle_cache.clear()
    return "".join(turtle_chunks(rows, _turtle_cache))


def context_text() -> str:
    return json.dumps({"@context": CONTEXT}, ensure_ascii=False, indent=2) + "\n"


def write_jsonld_dump(rows: Iterable[Row], path: Path) -> None:
    """The whole graph as one JSON-LD document, streamed node by node (one node per line)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('{"@context":' + json.dumps(CONTEXT, ensure_ascii=False) + ',\n"@graph":[\n')
        first = True
        for node in node_objects(rows):
            out.write(("" if first else ",\n") + json.dumps(node, ensure_ascii=False, separators=(",", ":")))
            first = False
        out.write("\n]}\n")


def write_gzip(source: Path, path: Path) -> None:
    """gzip with no name and no time stamp in the header, so the same input gives the same bytes."""
    with source.open("rb") as raw, path.open("wb") as sink, \
            gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0, compresslevel=6) as out:
        shutil.copyfileobj(raw, out, 1 << 20)
