"""Incremental validation (`stdkg validate GRAPH --cache DIR`): after a rebuild, check again
only what a change can have touched, rule by rule, and reuse the previous results for the rest.

What changed is found by content hash. stdkg.nt is sorted by subject, so the cache keeps, per
bucket of 64 subjects, the bucket's first subject, where it began, its hash, and a hash per
subject: a new build is cut at the same bucket boundaries (found where the last file had them,
shifted by the bytes added before; by binary search otherwise), whole buckets are compared by
length and hash, and only the buckets that differ are split into subjects. The cache also keeps
an on-disk Oxigraph store of the graph last validated, updated subject by subject, so no run
parses the whole graph again; which predicates of a subject changed comes from that update.

Which focus nodes a change reaches is each rule's own: `validate_reach` derives from the rule's
SPARQL the paths from its focus node to the nodes whose triples it reads (most rules: the focus
node's own; a class check: one step; NoReferenceCycle: two works and their editions), and
walking those paths backwards from the changed subjects, in the graph before and after the
change, gives the focus nodes to check again. Each rule then runs with its focus nodes as a
VALUES block. A rule whose reach cannot be bounded (one that reads NOW(), for one) runs whole.
A change to the shapes, the ontology, the checks or stdkg itself makes the next run a full one.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import mmap
import os
import pickle
import re
import shutil
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from .fingerprint import validation_fingerprint
from .problems import StdkgError
from .store import open_store
from .validate import (Result, Rule, Validation, _labels, compile_shapes, load_shapes, ontology_files, run_checks,
                       run_fast)
from .validate_reach import Reach, Walker, rule_reach

FORMAT = 2  # of the state file: another one is rebuilt, never read
BUCKET = 64  # subjects per bucket: small enough that a change re-reads little, large enough to hash fast
HASH = 20  # bytes of a digest
STATE = "state.pickle"
STORE = "store"
VALUES_CHUNK = 2000  # focus nodes per restricted query
WHOLE_ABOVE = 50_000  # focus nodes above which a rule runs whole (quicker than VALUES blocks)
TOO_MANY = 0.5  # share of subjects changed above which a full run is quicker than an incremental one
LABEL_PREDICATES = {"http://purl.org/dc/terms/identifier", "http://www.w3.org/2004/02/skos/core#prefLabel",
                    "http://www.w3.org/2004/02/skos/core#notation"}  # what _labels reads
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
# The subquery compile_shapes writes for sh:maxCount: one pattern from ?this, grouped by ?this.
_GROUPED_BY_FOCUS = re.compile(r"(\{ SELECT \?this WHERE \{)( \?this [^{}]+ \?v \} GROUP BY \?this HAVING)")


@dataclass
class State:
    format: int
    fingerprint: str
    boundaries: list[bytes]  # the first subject of every bucket (N-Triples form, <…>)
    offsets: list[int]  # where each bucket began in the file last validated, and its end
    bucket_hashes: list[bytes]  # bucket 0 also holds anything before boundaries[0]
    subjects: list[bytes]  # per bucket: its subjects, each as digest + subject + b"\n"
    subject_count: int
    rules: list[Rule]
    reaches: list[Reach | None]  # per rule: what it reads from its focus node (None: runs whole)
    candidates: dict[int, set[str] | None]  # per rule reading NOW(): the focus IRIs time can change (None: run whole)
    results: list[Result]  # sorted
    labels: dict[str, str]

    def __getstate__(self) -> dict[str, object]:
        # Results as columns (what varies per result, and an index into what a rule's share):
        # pickled ~5× faster than as objects.
        state = dict(self.__dict__)
        kinds: dict[tuple[str, ...], int] = {}
        state["results"] = (kinds, [kinds.setdefault((r.severity, r.shape, r.path, r.component, r.message_zh, r.message_en),
                                                      len(kinds)) for r in self.results],
                            [r.focus for r in self.results], [r.value for r in self.results])
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        kinds, which, focus, value = state["results"]  # type: ignore[misc]
        shared = list(kinds)
        state["results"] = [Result(k[0], k[1], f, k[2], v, k[3], k[4], k[5])
                            for k, f, v in zip((shared[i] for i in which), focus, value)]
        self.__dict__.update(state)


@dataclass
class Run:
    """How an incremental run went, for reports and benchmarks."""

    full: bool
    changed_subjects: int = 0
    affected_focus: int = 0  # focus nodes checked again, summed over rules
    changed_buckets: int = 0
    whole_rules: int = 0  # rules run on the whole graph
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, for profiling


class _Timer:
    def __init__(self, run: Run) -> None:
        self.run, self.last = run, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.run.seconds[stage] = self.run.seconds.get(stage, 0.0) + now - self.last
        self.last = now


class _Restart(Exception):
    """The graph file cannot be followed incrementally (not sorted, or mostly changed)."""


def _digest(data: bytes | memoryview) -> bytes:
    # A change detector, not a seal: SHA-1 is the fastest hash hashlib has here (hardware support).
    return hashlib.sha1(data, usedforsecurity=False).digest()


def fingerprint(extra_shapes: Iterable[Path], checks: Iterable[Path]) -> str:
    """Everything besides the graph that decides the results, as a validation report's
    fingerprint names it (stdkg's version and code, pyoxigraph's version, the rules' files by
    name and content): a new one forces a full run. No path is in it, so a checkout or a
    shapes folder moved elsewhere keeps its cache."""
    named = validation_fingerprint("", "fast", extra_shapes, checks)
    return hashlib.blake2b(json.dumps(named, sort_keys=True).encode(), digest_size=16).hexdigest()


# ------------------------------------------------------------------------------ the sorted file

def _subject_groups(data: bytes | mmap.mmap, start: int, end: int) -> list[tuple[bytes, bytes, int, int]]:
    """(subject, hash of its lines, start, end) for the lines in data[start:end], sorted by subject."""
    groups: list[tuple[bytes, bytes, int, int]] = []
    subject, first, at = None, start, start
    view = memoryview(data)
    while at < end:
        stop = data.find(b"\n", at, end)
        stop = end if stop < 0 else stop
        space = data.find(b" ", at, stop)
        this = (data[at:space] if space >= 0 else data[at:stop]) if stop > at else None
        if this != subject:
            if subject is not None:
                groups.append((subject, _digest(view[first:at]), first, at))
            subject, first = this, at
        at = stop + 1
    if subject is not None:
        groups.append((subject, _digest(view[first:end]), first, end))
    view.release()
    return groups


def _records(groups: Iterable[tuple[bytes, bytes, int, int]]) -> bytes:
    return b"".join(digest + subject + b"\n" for subject, digest, _, _ in groups)


def _parse_records(records: bytes) -> dict[bytes, bytes]:
    found, at = {}, 0
    while at < len(records):
        stop = records.index(b"\n", at + HASH)
        found[records[at + HASH:stop]] = records[at:at + HASH]
        at = stop + 1
    return found


def _subject_at(data: mmap.mmap, start: int) -> bytes:
    return data[start:data.find(b" ", start)]


def _first_line_at_or_after(data: mmap.mmap, key: bytes) -> int:
    """Offset of the first line whose subject sorts at or after ``key`` (binary search)."""
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", lo, mid) + 1 if mid > lo else lo
        start = max(start, lo)
        if _subject_at(data, start) < key:
            lo = data.find(b"\n", start) + 1 or len(data)
        else:
            hi = start
    return lo


def _begins_at(data: mmap.mmap, at: int, key: bytes) -> bool:
    """Whether the first line with subject ``key`` begins at ``at``."""
    if not 0 < at < len(data) or data[at - 1:at] != b"\n" or data[at:at + len(key) + 1] != key + b" ":
        return False
    previous = data.rfind(b"\n", 0, at - 1) + 1
    return _subject_at(data, previous) < key


def _cuts(data: mmap.mmap, boundaries: list[bytes], offsets: list[int]) -> list[int]:
    """Byte offsets where each bucket begins (bucket 0 at 0), plus the end of the file: where
    the last file had them, shifted by what changed before, else by binary search."""
    cuts, shift = [0], 0
    for key, old in zip(boundaries[1:], offsets[1:]):
        cut = old + shift if _begins_at(data, old + shift, key) else _first_line_at_or_after(data, key)
        shift = cut - old
        cuts.append(cut)
    return cuts + [len(data)]


def _hashes(data: mmap.mmap, spans: list[tuple[int, int]]) -> list[bytes]:
    """Digests of many slices on two threads (hashlib lets go of the GIL on large buffers)."""
    view = memoryview(data)
    try:
        def part(chunk: list[tuple[int, int]]) -> list[bytes]:
            return [_digest(view[a:b]) for a, b in chunk]
        half = len(spans) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.submit(part, spans[:half]), pool.submit(part, spans[half:])
            return first.result() + second.result()
    finally:
        view.release()


def _let_go(data: mmap.mmap) -> None:
    """Drop the mapped file's pages from this process (the page cache keeps them): reading a
    whole national graph would otherwise count its size again in the peak memory."""
    if hasattr(mmap, "MADV_DONTNEED"):
        data.madvise(mmap.MADV_DONTNEED)


def _full_index(data: mmap.mmap) -> tuple[list[bytes], list[int], list[bytes], list[bytes]]:
    """Boundaries, offsets, bucket hashes and per-bucket subject records of a whole file."""
    groups = _subject_groups(data, 0, len(data))
    subjects = [g[0] for g in groups]
    if any(a >= b for a, b in zip(subjects, subjects[1:])):
        raise StdkgError("stdkg.nt 未按主语排序 / stdkg.nt is not sorted by subject: use a file `stdkg build` wrote")
    starts = list(range(0, len(groups), BUCKET)) or [0]
    boundaries = [groups[i][0] for i in starts] if groups else [b""]
    offsets = [0] + [groups[i][2] for i in starts[1:]] + [len(data)]
    records = [_records(groups[i:i + BUCKET]) for i in starts]
    return boundaries, offsets, _hashes(data, list(zip(offsets, offsets[1:]))), records


# ---------------------------------------------------------------------------------- the store

def _load_store(folder: Path, nt: Path) -> ox.Store:
    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    for path in ontology_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    return store


def _terms(subjects: Iterable[bytes]) -> list[object]:
    """Subjects as written in N-Triples (escapes and all) as store terms, in the same order."""
    text = b"".join(subject + b" <urn:p> <urn:o> .\n" for subject in subjects)
    return [triple.subject for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


def _ontology_triples(subjects: set[object]) -> dict[object, set[tuple[object, object]]]:
    """The ontology's own triples about these subjects (the store holds them beside the graph's)."""
    found: dict[object, set[tuple[object, object]]] = defaultdict(set)
    for path in ontology_files():
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.subject in subjects:
                found[triple.subject].add((triple.predicate, triple.object))
    return found


def _new_triples(data: mmap.mmap, spans: list[tuple[int, int]]) -> dict[object, set[tuple[object, object]]]:
    found: dict[object, set[tuple[object, object]]] = defaultdict(set)
    text = b"".join(data[a:b].rstrip(b"\n") + b"\n" for a, b in spans)
    for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
        found[triple.subject].add((triple.predicate, triple.object))
    return found


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
        if not isinstance(state, State) or state.format != FORMAT or state.fingerprint != print_:
            return _full(nt, data, cache, print_, extra_shapes, checks)
        try:
            return _incremental(data, cache, state, checks)
        except _Restart as exc:
            reason = str(exc)
        # Rebuilt only once the except block has let go of the exception: its traceback keeps
        # the incremental run's open store alive, and a store folder cannot be opened twice.
        validation, run = _full(nt, data, cache, print_, extra_shapes, checks)
        run.notes.append(f"cache rebuilt: {reason}")
        return validation, run


def _save(cache: Path, state: State) -> None:
    """The state is written last and atomically: a run killed earlier leaves no state, so the
    next run starts over instead of trusting a store that may be half updated."""
    tmp = cache / f".{STATE}.tmp"
    tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, cache / STATE)


def _full(nt: Path, data: mmap.mmap, cache: Path, print_: str, extra_shapes: list[Path],
          checks: list[Path]) -> tuple[Validation, Run]:
    cache.mkdir(parents=True, exist_ok=True)
    (cache / STATE).unlink(missing_ok=True)
    rules = compile_shapes(load_shapes(extra_shapes))
    # Queries over the whole graph run ~3× faster in memory than on disk: the full run validates
    # an in-memory store while the on-disk one for later runs is loaded on the other core.
    # The index and the rules' reaches first, then the mapped file's pages are let go before the
    # in-memory store is built: the two never take memory at the same time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        on_disk = pool.submit(_load_store, cache / STORE, nt)
        boundaries, offsets, bucket_hashes, records = _full_index(data)
        _let_go(data)
        reaches = [rule_reach(rule.query) for rule in rules]
        store = open_store(nt, ox.RdfFormat.N_TRIPLES)
        for path in ontology_files():
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        results = sorted(set(run_fast(store, rules)) | set(run_checks(store, checks)))
        labels = _labels(store, {r.focus for r in results} | {r.value or "" for r in results})
        candidates = {i: _focus_of(store, reach.relaxed) for i, reach in enumerate(reaches) if reach and reach.relaxed}
        del store
        on_disk.result().flush()
    count = sum(len(_parse_records(r)) for r in records)
    _save(cache, State(FORMAT, print_, boundaries, offsets, bucket_hashes, records, count, rules, reaches, candidates,
                       results, labels))
    return Validation(results, "fast", len(rules), labels), Run(full=True, changed_subjects=count)


def _changes(data: mmap.mmap, state: State, run: Run) -> dict[bytes, tuple[int, int]]:
    """The subjects whose lines differ from the last file's, each with its span in the new file
    (empty when it is gone); brings the state's index up to the new file."""
    cuts = _cuts(data, state.boundaries, state.offsets)
    same_length = [i for i in range(len(state.boundaries))
                   if cuts[i + 1] - cuts[i] == state.offsets[i + 1] - state.offsets[i]]
    hashes = dict(zip(same_length, _hashes(data, [(cuts[i], cuts[i + 1]) for i in same_length])))
    _let_go(data)
    changed: dict[bytes, tuple[int, int]] = {}
    for index in range(len(state.boundaries)):
        if hashes.get(index) == state.bucket_hashes[index]:
            continue
        run.changed_buckets += 1
        low = state.boundaries[index] if index else b""
        high = state.boundaries[index + 1] if index + 1 < len(state.boundaries) else None
        new = _subject_groups(data, cuts[index], cuts[index + 1])
        subjects = [g[0] for g in new]
        if any(a >= b for a, b in zip(subjects, subjects[1:])) or (subjects and (subjects[0] < low or (high is not None and subjects[-1] >= high))):
            raise _Restart("the graph file is not sorted by subject (not written by stdkg build)")
        old = _parse_records(state.subjects[index])
        state.subject_count += len(new) - len(old)
        for subject, digest, start, end in new:
            if old.pop(subject, None) != digest:
                changed[subject] = (start, end)
        changed.update((subject, (0, 0)) for subject in old)  # gone
        state.subjects[index] = _records(new)
        state.bucket_hashes[index] = hashes.get(index) or _digest(memoryview(data)[cuts[index]:cuts[index + 1]])
    state.offsets = cuts
    return changed


def _groups(rules: list[Rule]) -> dict[tuple[str, str, str | None], list[int]]:
    """Rules by what their results carry (shape, component, path): a shape's SPARQL
    constraints share it, so they are kept or checked again together."""
    groups: dict[tuple[str, str, str | None], list[int]] = defaultdict(list)
    for index, rule in enumerate(rules):
        groups[(rule.shape, rule.component, rule.path)].append(index)
    return groups


def _restricted(rule: Rule, focus: list[str]) -> Rule:
    return replace(rule, query=_with_focus(rule.query, focus))


def _focus_of(store: ox.Store, query: str) -> set[str] | None:
    """The focus IRIs a query finds (None if one is not an IRI: such a rule runs whole)."""
    found = set()
    for row in store.query(query, use_default_graph_as_union=True):
        focus = row["this"]
        if focus is not None:
            if not isinstance(focus, ox.NamedNode):
                return None
            found.add(focus.value)
    return found


def _with_focus(query: str, focus: list[str]) -> str:
    match = _WHERE.search(query)
    assert match is not None  # compile_shapes put the target there
    values = f"VALUES ?this {{ {' '.join(focus)} }}"
    # A count per focus node (sh:maxCount) groups the whole graph in a subquery before the outer
    # VALUES can join: ~1.5 s a rule on a national graph. The same VALUES inside the subquery is
    # the same restriction there (the group is keyed by ?this, which the triple pattern binds).
    inner = _GROUPED_BY_FOCUS.sub(lambda m: f"{m.group(1)} {values} {m.group(2)}", query[match.end():])
    return f"{query[:match.end()]} {values} {inner}"


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _time_candidates(store: ox.Store, state: State, index: int, relaxed: str, affected: set[object]) -> set[str]:
    """Bring up to date the focus nodes of a NOW()-reading rule's relaxed query: it reads no
    clock, so only the ``affected`` focus nodes can have joined or left them."""
    candidates = state.candidates[index]
    assert candidates is not None
    candidates -= {t.value for t in affected}
    for chunk in _chunks(sorted(str(t) for t in affected), VALUES_CHUNK):
        found = _focus_of(store, _with_focus(relaxed, chunk))
        if found is None:
            raise _Restart("a rule's focus node is not an IRI")
        candidates |= found
    return candidates


def _incremental(data: mmap.mmap, cache: Path, state: State, checks: list[Path]) -> tuple[Validation, Run]:
    run = Run(full=False)
    tick = _Timer(run)
    changed = _changes(data, state, run)
    tick("detect changes")
    if len(changed) > TOO_MANY * max(1, state.subject_count):
        raise _Restart(f"{len(changed)} subjects changed")
    rules = state.rules
    if not changed and not state.candidates:  # (a rule reading NOW() may have news even so)
        if run.changed_buckets:
            _save(cache, state)
        return Validation(state.results, "fast", len(rules), state.labels), run

    (cache / STATE).unlink()  # from here the store changes: until the new state is saved, trust nothing
    store = ox.Store(str(cache / STORE))
    graph = ox.DefaultGraph()
    terms = dict(zip(changed, _terms(changed)))
    new = _new_triples(data, [span for span in changed.values() if span[1]])
    ontology = _ontology_triples(set(terms.values()))
    old = {term: {(q.predicate, q.object) for q in store.quads_for_pattern(term, None, None, graph)} for term in terms.values()}
    predicates: dict[object, set[str]] = {}  # changed subject → the predicates whose objects changed
    for term in terms.values():
        after = new.get(term, set()) | ontology.get(term, set())
        if differ := old[term] ^ after:
            predicates[term] = {p.value for p, _ in differ}
    run.changed_subjects = len(predicates)
    tick("read changed subjects")

    groups = _groups(rules)
    paths = {(path, reads) for reach in state.reaches if reach is not None for path, reads in reach.paths}

    def starts(reads: frozenset[str] | None) -> set[object]:
        return {t for t, changed_predicates in predicates.items() if reads is None or reads & changed_predicates}

    before = Walker(store).back_all(paths, starts)  # before the change: a removed link still reaches
    tick("reach before")
    for term in terms.values():
        after = new.get(term, set()) | ontology.get(term, set())
        for p, o in old[term] - after:
            store.remove(ox.Quad(term, p, o, graph))
        store.extend([ox.Quad(term, p, o, graph) for p, o in after - old[term]])
    tick("update store")
    after_change = Walker(store).back_all(paths, starts)
    tick("reach after")

    changed_iris = {t.value for t in predicates}
    whole: list[Rule] = []
    dropped: dict[tuple[str, str, str | None], set[str] | None] = {}  # group → focus rechecked (None: all)
    fresh: set[Result] = set()
    for key, members in groups.items():
        focus: set[object] | None = set()
        for i in members:
            reach = state.reaches[i]
            if reach is None or reach.constants & changed_iris or state.candidates.get(i, set()) is None:
                focus = None
                break
            for path, reads in reach.paths:
                focus |= before[(path, reads)] | after_change[(path, reads)]
        if focus is not None and any(not isinstance(t, ox.NamedNode) for t in focus):
            focus = None  # a blank node cannot be named in VALUES; a literal focus is rare: run whole
        if focus is not None:
            for i in members:  # a rule reading NOW(): also every focus node time can change
                reach = state.reaches[i]
                if reach is not None and reach.relaxed:
                    focus |= {ox.NamedNode(iri) for iri in _time_candidates(store, state, i, reach.relaxed, focus)}
        if focus is None or len(focus) > WHOLE_ABOVE:
            whole.extend(rules[i] for i in members)
            dropped[key] = None
            for i in members:  # its time candidates afresh, for the next run
                reach = state.reaches[i]
                if reach is not None and reach.relaxed:
                    state.candidates[i] = _focus_of(store, reach.relaxed)
            continue
        if not focus:
            continue
        dropped[key] = {t.value for t in focus}
        run.affected_focus += len(focus)
        ordered = sorted(str(t) for t in focus)
        for i in members:
            for chunk in _chunks(ordered, VALUES_CHUNK):
                fresh.update(run_fast(store, [_restricted(rules[i], chunk)]))
    tick("rules on focus nodes")
    run.whole_rules = len(whole)
    fresh.update(run_fast(store, whole))
    fresh.update(run_checks(store, checks))
    tick("rules whole")

    def stays(result: Result) -> bool:
        if result.component == "SPARQLCheck":
            return False
        key = (result.shape, result.component, result.path)
        if key not in dropped:
            return True
        focus = dropped[key]
        return focus is not None and result.focus not in focus

    results = [r for r in state.results if stays(r)]
    additions = sorted(fresh)
    if len(additions) > 1000:
        results = list(heapq.merge(results, additions))
        results = [r for i, r in enumerate(results) if not i or r != results[i - 1]]
    else:
        for result in additions:
            at = bisect_left(results, result)
            if at == len(results) or results[at] != result:
                results.insert(at, result)
    tick("merge results")

    relabel = {t.value for t, ps in predicates.items() if ps & LABEL_PREDICATES}
    named = {r.focus for r in additions} | {r.value or "" for r in additions}
    labels = state.labels
    for iri in relabel:
        labels.pop(iri, None)
    labels.update(_labels(store, (named | relabel) - labels.keys()))
    tick("labels")
    store.flush()
    del store
    state.results, state.labels = results, labels
    _save(cache, state)
    tick("save state")
    return Validation(results, "fast", len(rules), labels), run
