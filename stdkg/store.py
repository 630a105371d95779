"""The built graph in the fast embedded store (Oxigraph), for SPARQL over large graphs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from .ntlines import TripleSet
from .problems import StdkgError
from .serialize import term_nt

FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
           ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML,
           ".jsonld": ox.RdfFormat.JSON_LD}


def graph_file(path: Path) -> Path:
    """A graph file, or a build folder holding stdkg.nt."""
    if path.is_dir():
        path = path / "stdkg.nt"
    if not path.is_file():
        raise StdkgError(f"{path}: 找不到图谱文件，请先运行 stdkg build / graph not found: run `stdkg build` first")
    return path


def open_store(path: Path, fmt: ox.RdfFormat | None = None) -> ox.Store:
    """Load a graph file (or build folder) into an in-memory Oxigraph store; the format
    follows the file name unless given."""
    path = graph_file(path)
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise StdkgError(f"{path}: 不认识的 RDF 格式 / unknown RDF format (use .nt, .ttl, .nq, .trig, .rdf, .jsonld)")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
    except (SyntaxError, ValueError, OSError) as exc:
        raise StdkgError(f"{path}: 无法解析 / cannot parse ({exc})") from exc
    return store


def store_from_triples(triples: Iterable[tuple[URIRef, URIRef, URIRef | Literal]]) -> ox.Store:
    """An Oxigraph store holding rdflib triples (via N-Triples, which both sides speak)."""
    if isinstance(triples, TripleSet):  # a build's graph: its N-Triples lines are there already
        data = b"".join(triples.lines())
    else:
        data = "".join(f"{term_nt(s)} {term_nt(p)} {term_nt(o)} .\n" for s, p, o in triples).encode()
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store


def select(store: ox.Store, query: str) -> list[dict[str, object]]:
    """Run a SELECT; rows as dicts of Python values (str/int/float/bool), unbound → None."""
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{name: python_value(solution[name]) for name in names} for solution in solutions]


def python_value(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.rsplit("#", 1)[-1]
        if datatype in {"integer", "int", "long", "nonNegativeInteger"}:
            return int(term.value)
        if datatype in {"decimal", "double", "float"}:
            return float(term.value)
        if datatype == "boolean":
            return term.value == "true"
        return term.value
    return getattr(term, "value", str(term))
