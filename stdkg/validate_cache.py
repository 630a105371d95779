"""Incremental validation (`stdkg validate GRAPH --cache DIR`): after a rebuild, check again
only the standards a change can have touched, and reuse the previous results for the rest.

What changed is found by content hash. stdkg.nt is sorted by subject, so the cache keeps a
hash per subject and, per bucket of 64 subjects, a hash of the bucket's bytes: a new build is
cut at the same bucket boundaries by binary search, whole buckets are compared by hash, and only
the buckets that differ are split into subjects. The cache also keeps an on-disk Oxigraph store
of the graph last validated, updated subject by subject, so no run parses the whole graph again.

Which focus nodes a change reaches: the rules in shapes/ read the focus node's own triples, one
step to its neighbours (in either direction) of any kind, and up to three steps through standard
documents (an undated reference's current edition; a mutual reference between two works). So the
rules targeting standard documents run again on: the changed subjects, their neighbours before
and after the change, and the standard documents up to two further steps from those. Rules
targeting anything else (service items, categories, committees: a few thousand nodes) run whole.
A change to the shapes, the ontology, the checks or stdkg itself makes the next run a full one.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import pickle
import shutil
from bisect import bisect_left
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .problems import StdkgError
from .store import open_store
from .validate import (Result, Rule, Validation, _labels, compile_shapes, load_shapes, ontology_files, run_checks,
                       run_fast, shapes_files)

BUCKET = 64  # subjects per bucket: small enough that a change re-reads little, large enough to hash fast
STATE = "state.pickle"
STORE = "store"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DOCUMENT = "https://w3id.org/stdkg/ontology#StandardDocument"
SUBGRAPH_STEPS = 3  # steps through standard documents a rule reads from its focus (a mutual reference: three)
DOCUMENT_STEPS = 2  # steps through standard documents beyond the first step from a change


@dataclass
class State:
    fingerprint: str
    subjects: list[bytes]  # sorted subjects of the graph last validated (N-Triples form, <…>)
    hashes: list[bytes]  # their content hashes, in the same order
    boundaries: list[bytes]  # the first subject of every bucket
    bucket_hashes: list[bytes]  # hash of each bucket's bytes; bucket 0 also holds anything before boundaries[0]
    results: list[Result]
    labels: dict[str, str]
    rules: int = 0


@dataclass
class Run:
    """How an incremental run went, for reports and benchmarks."""

    full: bool
    changed_subjects: int = 0
    affected_focus: int = 0
    changed_buckets: int = 0
    notes: list[str] = field(default_factory=list)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def fingerprint(extra_shapes: Iterable[Path], checks: Iterable[Path]) -> str:
    """Everything besides the graph that decides the results: a new one forces a full run."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in [*shapes_files(extra_shapes), *ontology_files(), *checks, Path(__file__).with_name("validate.py"), Path(__file__)]:
        h.update(str(path).encode() + b"\0" + Path(path).read_bytes())
    return h.hexdigest()


# ------------------------------------------------------------------------------ the sorted file

def _subject_groups(data: bytes | mmap.mmap, start: int, end: int) -> list[tuple[bytes, bytes]]:
    """(subject, hash of its lines) for the lines in data[start:end], which are sorted by subject."""
    groups: list[tuple[bytes, bytes]] = []
    lines = data[start:end].split(b"\n")
    subject, first = None, 0
    for index, line in enumerate(lines):
        this = line[:line.find(b" ")] if line else None
        if this != subject:
            if subject is not None:
                groups.append((subject, _digest(b"\n".join(lines[first:index]))))
            subject, first = this, index
    if subject is not None:
        groups.append((subject, _digest(b"\n".join(lines[first:]))))
    return groups


def _first_line_at_or_after(data: mmap.mmap, key: bytes) -> int:
    """Offset of the first line whose subject sorts at or after ``key`` (binary search)."""
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", lo, mid) + 1 if mid > lo else lo
        start = max(start, lo)
        if data[start:data.find(b" ", start)] < key:
            lo = data.find(b"\n", start) + 1 or len(data)
        else:
            hi = start
    return lo


def _cuts(data: mmap.mmap, boundaries: list[bytes]) -> list[int]:
    """Byte offsets where each bucket begins (bucket 0 at 0), plus the end of the file."""
    return [0] + [_first_line_at_or_after(data, key) for key in boundaries[1:]] + [len(data)]


def _full_index(data: mmap.mmap) -> tuple[list[bytes], list[bytes], list[bytes], list[bytes]]:
    groups = _subject_groups(data, 0, len(data))
    subjects = [s for s, _ in groups]
    if subjects != sorted(subjects):
        raise ValueError("not sorted by subject")
    boundaries = subjects[::BUCKET] or [b""]
    cuts = _cuts(data, boundaries)
    return subjects, [h for _, h in groups], boundaries, [_digest(data[a:b]) for a, b in zip(cuts, cuts[1:])]


# ---------------------------------------------------------------------------------- the store

def _load_store(folder: Path, nt: Path) -> ox.Store:
    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store


def _iri(subject: bytes) -> ox.NamedNode:
    return ox.NamedNode(subject[1:-1].decode("utf-8"))


def _replace_subjects(store: ox.Store, data: mmap.mmap, cuts: list[int], buckets: list[int],
                      changed: set[bytes]) -> set[str]:
    """Swap the triples of the changed subjects for the new file's; return the IRIs their old
    triples pointed to (a removed link still reaches the node it used to reach)."""
    old_targets: set[str] = set()
    for subject in changed:
        for quad in list(store.quads_for_pattern(_iri(subject), None, None, ox.DefaultGraph())):
            if isinstance(quad.object, ox.NamedNode):
                old_targets.add(quad.object.value)
            store.remove(quad)
    lines = []
    for bucket in buckets:
        for line in data[cuts[bucket]:cuts[bucket + 1]].split(b"\n"):
            if line and line[:line.find(b" ")] in changed:
                lines.append(line)
    if lines:
        store.extend(list(ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_TRIPLES)))
    return old_targets


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


def _neighbours(store: ox.Store, nodes: set[str], documents_only: bool) -> set[str]:
    """IRIs one step from ``nodes``, either direction (only standard documents when asked)."""
    found: set[str] = set()
    ordered = sorted(nodes)
    keep = f"?n <{RDF_TYPE}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DOCUMENT}> ." if documents_only else ""
    for start in range(0, len(ordered), 2000):
        query = f"""SELECT DISTINCT ?n WHERE {{ VALUES ?x {{ {_values(ordered[start:start + 2000])} }}
            {{ ?x ?p ?n }} UNION {{ ?n ?p ?x }} FILTER(isIRI(?n)) {keep} }}"""
        found.update(row["n"].value for row in store.query(query))
    return found


def _documents(store: ox.Store, nodes: set[str]) -> set[str]:
    ordered = sorted(nodes)
    found: set[str] = set()
    for start in range(0, len(ordered), 2000):
        query = f"""SELECT ?x WHERE {{ VALUES ?x {{ {_values(ordered[start:start + 2000])} }}
            FILTER EXISTS {{ ?x <{RDF_TYPE}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DOCUMENT}> }} }}"""
        found.update(row["x"].value for row in store.query(query))
    return found


def _document_classes(store: ox.Store) -> set[str]:
    query = f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DOCUMENT}> }}"
    return {row["c"].value for row in store.query(query)} | {DOCUMENT}


def _neighbourhood_store(store: ox.Store, focus: set[str]) -> ox.Store:
    """An in-memory store with every triple a rule needs to judge the ``focus`` documents: those
    of the focus nodes, of their neighbours (either direction), and of the standard documents up
    to three steps away, plus the ontology. Rules run there whole, which Oxigraph does fast; run
    on the big store with the focus as VALUES, its join order made some rules slower than a full run."""
    needed = set(focus) | _neighbours(store, focus, documents_only=False)
    frontier, walked = set(focus), set(focus)
    for _ in range(SUBGRAPH_STEPS):
        frontier = _neighbours(store, frontier, documents_only=True) - walked
        walked |= frontier
    needed |= walked
    small = ox.Store()
    quads = []
    for iri in needed:
        quads.extend(store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph()))
    small.extend(quads)
    for path in ontology_files():
        small.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return small


# --------------------------------------------------------------------------------------- runs

def validate_cached(nt: Path, cache: Path, extra_shapes: Iterable[Path] = (), checks: Iterable[Path] = ()) -> tuple[Validation, Run]:
    """Validate the sorted N-Triples ``nt`` (a stdkg build's), reusing and then updating ``cache``."""
    extra_shapes, checks = list(extra_shapes), list(checks)
    print_ = fingerprint(extra_shapes, checks)
    state: State | None = None
    if (cache / STATE).is_file() and (cache / STORE).is_dir():
        try:
            state = pickle.loads((cache / STATE).read_bytes())
        except Exception:  # noqa: BLE001 - an unreadable cache is rebuilt, never trusted
            state = None
    if not nt.stat().st_size:
        raise StdkgError(f"{nt}: 图谱文件为空 / the graph file is empty")
    with open(nt, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        rules = compile_shapes(load_shapes(extra_shapes))
        if state is None or state.fingerprint != print_:
            validation, run = _full(nt, data, cache, print_, rules, checks)
        else:
            try:
                validation, run = _incremental(data, cache, state, rules, checks)
            except ValueError as exc:  # not sorted as stdkg writes it: start over
                validation, run = _full(nt, data, cache, print_, rules, checks)
                run.notes.append(f"cache rebuilt: {exc}")
    return validation, run


def _save(cache: Path, state: State) -> None:
    """The state is written last and atomically: a run killed earlier leaves no state, so the
    next run starts over instead of trusting a store that may be half updated."""
    tmp = cache / f".{STATE}.tmp"
    tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, cache / STATE)


def _full(nt: Path, data: mmap.mmap, cache: Path, print_: str, rules: list[Rule], checks: list[Path]) -> tuple[Validation, Run]:
    cache.mkdir(parents=True, exist_ok=True)
    (cache / STATE).unlink(missing_ok=True)
    # Queries over the whole graph run ~3× faster in memory than on disk: the full run validates
    # an in-memory store while the on-disk one for later runs is loaded on the other core.
    with ThreadPoolExecutor(max_workers=1) as pool:
        on_disk = pool.submit(_load_store, cache / STORE, nt)
        store = open_store(nt, ox.RdfFormat.N_TRIPLES)
        for path in ontology_files():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        results = sorted(set(run_fast(store, rules)) | set(run_checks(store, checks)))
        labels = _labels(store, {r.focus for r in results} | {r.value or "" for r in results})
        del store
        subjects, hashes, boundaries, bucket_hashes = _full_index(data)
        on_disk.result().flush()
    _save(cache, State(print_, subjects, hashes, boundaries, bucket_hashes, results, labels, len(rules)))
    return Validation(results, "fast", len(rules), labels), Run(full=True, changed_subjects=len(subjects))


def _incremental(data: mmap.mmap, cache: Path, state: State, rules: list[Rule], checks: list[Path]) -> tuple[Validation, Run]:
    cuts = _cuts(data, state.boundaries)
    changed_buckets = []
    for index, (start, end) in enumerate(zip(cuts, cuts[1:])):
        if _digest(data[start:end]) != state.bucket_hashes[index]:
            changed_buckets.append(index)
    old = dict(zip(state.subjects, state.hashes))
    changed: set[bytes] = set()
    for index in changed_buckets:
        low = state.boundaries[index] if index else b""
        high = state.boundaries[index + 1] if index + 1 < len(state.boundaries) else None
        new = _subject_groups(data, cuts[index], cuts[index + 1])
        if any(s < low or (high is not None and s >= high) for s, _ in new) or [s for s, _ in new] != sorted(s for s, _ in new):
            raise ValueError("the graph file is not sorted by subject (not written by stdkg build)")
        first = bisect_left(state.subjects, low) if index else 0
        last = bisect_left(state.subjects, high) if high is not None else len(state.subjects)
        before = {s: old[s] for s in state.subjects[first:last]}
        after = dict(new)
        changed.update(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))
        state.subjects[first:last] = [s for s, _ in new]  # keep the sorted index in step with the new file
        state.hashes[first:last] = [h for _, h in new]
        state.bucket_hashes[index] = _digest(data[cuts[index]:cuts[index + 1]])
    run = Run(full=False, changed_subjects=len(changed), changed_buckets=len(changed_buckets))
    store = ox.Store(str(cache / STORE))
    if not changed:
        return Validation(state.results, "fast", len(rules), state.labels), run
    (cache / STATE).unlink()  # from here the store changes: until the new state is saved, trust nothing
    old_targets = _replace_subjects(store, data, cuts, changed_buckets, changed)
    seeds = {s[1:-1].decode("utf-8") for s in changed}
    reach = seeds | old_targets | _neighbours(store, seeds, documents_only=False)
    frontier = _documents(store, reach)
    affected = set(reach)
    for _ in range(DOCUMENT_STEPS):
        frontier = _neighbours(store, frontier, documents_only=True) - affected
        affected |= frontier
    focus = sorted(affected)
    run.affected_focus = len(focus)
    documents = _document_classes(store)
    again: list[Rule] = []
    whole: list[Rule] = []
    for rule in rules:
        local = rule.target_classes is not None and set(rule.target_classes) <= documents
        (again if local else whole).append(rule)
    whole_shapes = {r.shape for r in whole}
    wanted = set(focus)
    kept = [r for r in state.results if r.shape not in whole_shapes and r.component != "SPARQLCheck" and r.focus not in wanted]
    fresh: set[Result] = set(run_fast(store, whole)) | set(run_checks(store, checks))
    documents_affected = _documents(store, affected)
    small = _neighbourhood_store(store, documents_affected)
    fresh |= {r for r in run_fast(small, again) if r.focus in documents_affected}
    results = sorted(set(kept) | fresh)
    named = {r.focus for r in results} | {r.value or "" for r in results}
    labels = {k: v for k, v in state.labels.items() if k not in seeds and k in named}  # a changed node may have a new number
    labels.update(_labels(store, named - labels.keys()))
    store.flush()
    state.results, state.labels, state.rules = results, labels, len(rules)
    _save(cache, state)
    return Validation(results, "fast", len(rules), labels), run
