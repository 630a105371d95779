"""The built graph in the fast embedded store (Oxigraph), for SPARQL over large graphs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

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


T = TypeVar("T")


class BackgroundLoad:
    """Loads a growing list of N-Triples lines into one Oxigraph store on a worker thread.

    Oxigraph parses and indexes without holding the GIL, so a build's rows keep converting on
    one core while the store fills on the other, instead of loading the written file after.
    Chunks load in the order they are sent (one worker). The store's contents are the set of
    triples whatever the order; every result stdkg derives from it is sorted."""

    PIECE = 500_000  # lines joined and handed to Oxigraph at once (~75 MB): 16 % faster than 100k at 6M lines

    def __init__(self) -> None:
        self.store = ox.Store()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stdkg-load")
        self._chunks: list[Future[None]] = []
        self._sent = 0

    def offer(self, lines: list[bytes]) -> None:
        """Send the lines added since the last chunk, unless the worker is still busy with it
        (the chunk then grows: few, large chunks, and no queue of copies in memory)."""
        if not self._chunks or self._chunks[-1].done():
            self._send(lines)

    def _send(self, lines: list[bytes]) -> None:
        if len(lines) > self._sent:
            # A list of references (8 bytes a line), safe from the caller's later sort; the worker
            # joins it piece by piece, so no more than one piece is ever copied at a time.
            chunk = lines[self._sent:]
            self._sent = len(lines)
            self._chunks.append(self._pool.submit(self._load, chunk))

    def _load(self, chunk: list[bytes]) -> None:
        for start in range(0, len(chunk), self.PIECE):
            self.store.bulk_load(b"".join(chunk[start:start + self.PIECE]), format=ox.RdfFormat.N_TRIPLES,
                                 to_graph=ox.DefaultGraph())

    def finish(self, lines: list[bytes], then: Callable[[ox.Store], T]) -> Future[T]:
        """Send the rest of ``lines``; ``then(store)`` runs on the worker once all is loaded.
        A chunk's error (an IRI Oxigraph refuses) is raised by the returned future."""
        self._send(lines)
        chunks = self._chunks

        def after_load() -> T:
            for chunk in chunks:  # all done (one worker, in order); raises the first chunk's error
                chunk.result()
            return then(self.store)

        done = self._pool.submit(after_load)
        self._pool.shutdown(wait=False)  # the worker ends once the queue is empty
        return done


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
