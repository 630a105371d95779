"""`stdkg build`: load a standard system's tables (or the user's) into one canonical graph.

A system is a folder with ``system.yaml`` and its tables; the bundled default is
``data/bps`` (基本公共服务标准体系). With ``inputs``, the user's tables replace the system's
standards tables, while its reference tables (catalogue, committees) and work-plan targets still
load, so a user's own standard-system table is classified against the bundled catalogue.
"""

from __future__ import annotations

import gc
import json
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph

from . import cells, paths
from .atomic import Staged, atomic_write, staged
from .mapping import Mapping, bundled_mappings, choose_mapping, load_mapping, load_value_maps
from .model import GraphBuilder, SystemInfo, Triple, date_literal, date_tail
from .ntlines import TripleSet
from .model_workplan import ROW_ADDERS
from .problems import Problem, StdkgError
from .records import Record, read_records
from .serialize import write_ntriples_lines, write_turtle_lines
from .stats import summarise
from .store import BackgroundLoad, open_store, store_from_triples
from .rdf_input import RDF_SUFFIXES, read_rdf
from .tables import iter_table_files, read_table
from .vocab import DEFAULT_BASE

Progress = Callable[[str, int, int], None]
REFERENCE_ORDER = {"catalogue": 0, "service_items": 1, "committees": 2}
# Reference tables first, then standards, then what names them (targets, pilots, feedback).
KIND_ORDER = {"reference": 0, "standards": 1}
WORKPLAN_KINDS = {"targets", "pilots", "feedback"}
GRAPH_NT = "stdkg.nt"
GRAPH_TTL = "stdkg.ttl"
REPORT = "build-report.json"
HEADER_SEARCH_ROWS = 10


@dataclass
class BuildResult:
    triples: TripleSet  # the graph; triples.lines() is its canonical N-Triples
    problems: list[Problem]
    tables: list[dict[str, object]] = field(default_factory=list)
    stubs: int = 0
    outputs: list[Path] = field(default_factory=list)
    summary: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    # build(load_store=True): the graph loading into Oxigraph (and summarised, unless
    # with_summary=False) on a worker thread
    loading: Future[tuple[ox.Store, dict[str, list[dict[str, object]]]]] | None = None

    @property
    def rejected_rows(self) -> int:
        return len({(p.file, p.row) for p in self.problems if p.severity == "error"})


def forget_caches() -> None:
    """Empty the memo caches a build fills (numbers, references, dates). Their entries were made
    between the build's millions of short-lived objects and would pin most of the freed heap in
    place (and so in a forked child): a long-running caller drops them once the graph is out."""
    cells.clear_caches()
    date_tail.cache_clear()
    date_literal.cache_clear()


def default_system_dir() -> Path:
    return paths.data_dir() / "bps"


def read_system(folder: Path) -> SystemInfo:
    meta = folder / "system.yaml"
    if not meta.is_file():
        raise StdkgError(f"{folder}: 不是标准体系目录（缺少 system.yaml）/ not a system folder (no system.yaml)")
    try:
        raw = yaml.safe_load(meta.read_text(encoding="utf-8"))
        return SystemInfo(
            id=str(raw["id"]), title_zh=raw["title"]["zh"], title_en=raw["title"].get("en", ""),
            description_zh=raw.get("description", {}).get("zh", ""),
            description_en=raw.get("description", {}).get("en", ""),
            catalogue_zh=raw.get("catalogue", {}).get("zh", ""),
            catalogue_en=raw.get("catalogue", {}).get("en", ""),
            sources=[str(s) for s in raw.get("source", [])],
        )
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise StdkgError(f"{meta}: 格式不对，需要 id 与 title.zh / malformed: needs id and title.zh ({exc})") from exc


def ontology_triples() -> set[Triple]:
    """The ontology and fixed schemes, merged into every build so the graph explains itself."""
    graph = Graph()
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    triples = set(graph)
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        raise StdkgError("ontology/ 含空白节点，无法规范化输出 / ontology/ has blank nodes: canonical output needs none")
    return triples  # type: ignore[return-value]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build allocates millions of acyclic tuples and
    terms, which made the collector rescan the heap over and over (40% of a 100k-row build)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(system_dir: Path | None = None, inputs: list[Path] | None = None, out_dir: Path | None = None,
          base: str = DEFAULT_BASE, encoding: str | None = None, mapping_files: list[Path] | None = None,
          progress: Progress | None = None, load_store: bool = False, with_summary: bool = True) -> BuildResult:
    """Load tables into a graph; with ``out_dir``, write stdkg.nt, stdkg.ttl and build-report.json.

    With ``load_store`` (or ``out_dir``), the graph also loads into Oxigraph and is summarised on
    a second core while rows are converted, for write_outputs' summary and the caller's queries.
    ``with_summary=False`` leaves the summary to the caller (the pipeline makes it on another core)."""
    with paused_gc():
        return _build(system_dir, inputs, out_dir, base, encoding, mapping_files, progress,
                      load_store or out_dir is not None, with_summary)


def _build(system_dir: Path | None, inputs: list[Path] | None, out_dir: Path | None, base: str,
           encoding: str | None, mapping_files: list[Path] | None, progress: Progress | None,
           load_store: bool, with_summary: bool) -> BuildResult:
    system_dir = system_dir or default_system_dir()
    builder = GraphBuilder(base, read_system(system_dir))
    mappings = [load_mapping(p) for p in mapping_files] if mapping_files else []
    mappings += bundled_mappings()
    value_maps = load_value_maps()
    problems: list[Problem] = []
    tables: list[dict[str, object]] = []
    loaded: list[tuple[Mapping, list[Record], dict[str, object]]] = []

    sources = [(path, True) for path in iter_table_files([system_dir], RDF_SUFFIXES)]
    sources += [(path, False) for path in iter_table_files(inputs or [], RDF_SUFFIXES)]
    names_seen: dict[str, int] = {}
    merged: list[Triple] = []
    matched = list(_matched(sources, mappings, builder.base, encoding, merged, tables))
    replaced = replaced_kinds(matched, bool(inputs))
    problems += empty_input_warnings(inputs or [], matched)
    for path, from_system, table, mapping in matched:
        if from_system and mapping is not None and mapping.kind in replaced:
            continue  # the user's tables stand in for the system's own
        _load_table(path, from_system, table, mapping, inputs, names_seen, mappings, value_maps, problems, tables, loaded)
    # The tables' cells are in the records now: free them before the graph grows.
    matched.clear()
    table = None  # the loop's last table too
    loader = BackgroundLoad() if load_store else None

    loaded.sort(key=lambda pair: (KIND_ORDER.get(pair[0].kind, 2), REFERENCE_ORDER.get(pair[0].name, 9)))
    builder.dataset_names = dataset_names([str(entry["file"]) for _, _, entry in loaded])
    total = sum(len(records) for _, records, _ in loaded)
    done = 0
    for mapping, records, entry in loaded:
        add_row = {"catalogue": builder.add_catalogue_row, "service_items": builder.add_item_row,
                   "committees": builder.add_committee_row}.get(mapping.name, builder.add_standard_row)
        if mapping.kind in ROW_ADDERS:
            add_row = partial(ROW_ADDERS[mapping.kind], builder)
        accepted = 0
        records.reverse()
        while records:  # each record is freed once added: its memory goes to the graph
            record = records.pop()
            row_problems = add_row(record)
            problems.extend(row_problems)
            accepted += not row_problems
            done += 1
            if done % 2000 == 0 or done == total:
                if loader is not None:
                    loader.offer(builder.lines)
                if progress:
                    progress("rows", done, total)
        entry["loaded"] = accepted
    problems.sort(key=lambda p: (p.file, p.row or 0))
    stubs = builder.add_stubs()
    builder.extend(ontology_triples())
    builder.extend(merged)
    loading = loader.finish(builder.lines, _summarised if with_summary else _unsummarised) if loader is not None else None
    result = BuildResult(builder.finish(), problems, tables, stubs, loading=loading)
    if out_dir is not None:
        result.outputs = write_outputs(result, out_dir, progress)
    return result


def replaced_kinds(matched: list[tuple[Path, bool, object, Mapping | None]], has_inputs: bool) -> set[str]:
    """Kinds of the system's own tables that the user's inputs replace.

    With --input, the system's standards give way to the user's tables, while its reference
    tables (catalogue, committees) and its work plan (targets; pilots and feedback) always load.
    Inputs that are only work-plan tables add to the system's standards instead. Either way a
    work-plan kind the user gives (their own targets) replaces the system's.
    """
    if not has_inputs:
        return set()
    user = [mapping.kind if mapping else None for _, from_system, _, mapping in matched if not from_system]
    own = {kind for kind in user if kind and kind != "reference"}
    if user and all(kind in WORKPLAN_KINDS for kind in user):
        return own
    return {"standards"} | own


def empty_input_warnings(inputs: list[Path], matched: list[tuple[Path, bool, object, Mapping | None]]) -> list[Problem]:
    """A warning for an --input folder that holds no table and for a standards table given with
    no rows: either builds a graph without the user's standards, which should not pass silently."""
    warnings = [Problem(str(folder), None, None, None, "该文件夹中没有可载入的表格（CSV/TSV/XLSX/JSON）或 RDF 文件，未载入任何标准",
                        "this folder holds no table (CSV/TSV/XLSX/JSON) or RDF file: no standard was loaded from it", "warning")
                for folder in inputs if folder.is_dir() and next(iter_table_files([folder], RDF_SUFFIXES), None) is None]
    warnings += [Problem(str(path), None, None, None, "标准表只有表头，没有数据行，未载入任何标准",
                         "the standards table has a header but no rows: no standard was loaded from it", "warning")
                 for path, from_system, table, mapping in matched
                 if not from_system and mapping is not None and mapping.kind == "standards" and not table.rows]  # type: ignore[attr-defined]
    return warnings


def _matched(sources: list[tuple[Path, bool]], mappings: list[Mapping], base: str, encoding: str | None,
             merged: list[Triple], tables: list[dict[str, object]]) -> Iterator[tuple[Path, bool, object, Mapping | None]]:
    """Each table file with the mapping its header matches (RDF files are merged on the way)."""
    for path, from_system in sources:
        if path.suffix.lower() in RDF_SUFFIXES:
            rdf = read_rdf(path, base)
            merged.extend(rdf)
            tables.append({"file": path.name, "path": str(path), "mapping": "rdf", "rows": len(rdf),
                           "loaded": len(rdf), "encoding": None, "notes": []})
            continue
        table = read_table(path, encoding)
        mapping = choose_mapping(table.header, mappings)
        for index in range(min(HEADER_SEARCH_ROWS, len(table.rows))) if mapping is None else ():
            # A title row (often merged cells) above the real header is common in Excel sheets.
            candidate = table.with_header_at(index)
            mapping = choose_mapping(candidate.header, mappings)
            if mapping is not None:
                table = candidate
                break
        yield path, from_system, table, mapping


def _load_table(path: Path, from_system: bool, table, mapping: Mapping | None, inputs: list[Path] | None,  # type: ignore[no-untyped-def]
                names_seen: dict[str, int], mappings: list[Mapping], value_maps: dict[str, dict[str, str]],
                problems: list[Problem], tables: list[dict[str, object]],
                loaded: list[tuple[Mapping, list[Record], dict[str, object]]]) -> None:
    """Read one matched table's rows into records (or report why it cannot be read)."""
    # Two inputs with one file name (a/standards.csv, b/standards.csv) stay apart in provenance.
    seen = names_seen.get(table.name, 0)
    names_seen[table.name] = seen + 1
    display = table.name if seen == 0 else f"{table.name}~{seen}"
    if mapping is None:
        problem = _unmatched(display, table.header, mappings)
        if not from_system and path in (inputs or []):
            # A file the user named and nobody can read is a usage error, not a warning.
            raise StdkgError(f"{path}: {problem.zh} / {problem.en}")
        problems.append(problem)
        return
    records, table_problems = read_records(table, mapping, value_maps, display)
    problems.extend(table_problems)
    entry: dict[str, object] = {"file": display, "path": str(path), "mapping": mapping.name,
                                "rows": len(table.rows), "loaded": 0, "encoding": table.encoding,
                                "notes": table.notes}
    tables.append(entry)
    loaded.append((mapping, records, entry))


def dataset_names(tables: list[str]) -> dict[str, str]:
    """Source records are named by a table's stem, so one table saved as CSV or XLSX is one
    dataset; two different tables with one stem in a build keep their full names apart."""
    stems = [name.rsplit(".", 1)[0] if "." in name else name for name in tables]
    return {name: stem if stems.count(stem) == 1 else name for name, stem in zip(tables, stems, strict=True)}


def _unmatched(name: str, header: list[str], mappings: list[Mapping]) -> Problem:
    def column(mapping: Mapping, field: str) -> str:
        aliases = mapping.fields[field].aliases
        return f"{aliases[0]}/{field}" if aliases else field

    needs = "; ".join(f"{m.name}: {', '.join(column(m, f) for f in m.missing_required(header))}" for m in mappings)
    return Problem(name, None, None, None,
                   f"没有映射认得这个表的表头（各映射缺少的必填列：{needs}），整个文件未载入",
                   f"no mapping recognises this header (missing required columns per mapping: {needs}); file not loaded")


def write_outputs(result: BuildResult, out_dir: Path, progress: Progress | None = None) -> list[Path]:
    """Write stdkg.nt, stdkg.ttl and build-report.json, renamed into place together; summarise
    on the way. A run killed before the rename leaves the previous build's three files, never a mix."""
    with paused_gc(), staged() as stage:
        write_graph_files(result, out_dir, stage, progress)
        report = write_report(result, out_dir, graph_written=True, stage=stage)
    if progress:
        progress("write", 3, 3)
    return [out_dir / GRAPH_NT, out_dir / GRAPH_TTL, report]


def write_graph_files(result: BuildResult, out_dir: Path, stage: Staged, progress: Progress | None = None) -> ox.Store:
    """stdkg.nt and stdkg.ttl into ``stage``; returns the graph in Oxigraph (the build's loading
    store, or the written file loaded), and keeps its summary in ``result.summary`` if it made one."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StdkgError(f"{out_dir}: 无法创建输出目录 / cannot create the output folder ({exc.strerror or exc})") from exc
    if progress:
        progress("write", 0, 3)
    lines = result.triples.lines()
    if progress:
        progress("write", 1, 3)
    loading, result.loading = result.loading, None
    if not result.triples.as_built:  # changed since the build (a release's version stamp)
        loading = None
    write_ntriples_lines(lines, out_dir / GRAPH_NT, stage)
    if progress:
        progress("write", 2, 3)
    new_nt = stage[-1][0]
    # Oxigraph's Rust parser runs (without the GIL) beside the Turtle writer on the second
    # core: either loading since the build began (build(load_store=True)) or from the file.
    with ThreadPoolExecutor(max_workers=1) as pool:
        if loading is None:
            loading = pool.submit(_load_and_summarise, new_nt)
        write_turtle_lines(lines, out_dir / GRAPH_TTL, stage)
        try:
            store, summary = loading.result()
        except (SyntaxError, ValueError, OSError) as exc:
            raise StdkgError(f"{new_nt}: 无法解析 / cannot parse ({exc})") from exc
    if summary:
        result.summary = summary
    return store


def _load_and_summarise(nt: Path) -> tuple[ox.Store, dict[str, list[dict[str, object]]]]:
    return _summarised(open_store(nt, ox.RdfFormat.N_TRIPLES))


def _summarised(store: ox.Store) -> tuple[ox.Store, dict[str, list[dict[str, object]]]]:
    return store, summarise(store)


def _unsummarised(store: ox.Store) -> tuple[ox.Store, dict[str, list[dict[str, object]]]]:
    return store, {}


def write_report(result: BuildResult, out_dir: Path, graph_written: bool = False, stage: Staged | None = None,
                 triples: int | None = None) -> Path:
    """build-report.json: the tables read, the rejected rows and warnings, always written.

    ``graph_written`` says whether stdkg.nt/.ttl beside it come from this run: after a
    failed --strict run they are the previous build's, kept on purpose. ``triples``: the graph's
    size, when the caller has already let go of ``result.triples``."""
    if not result.summary:
        loading, result.loading = result.loading, None
        result.summary = (loading.result()[1] if loading is not None and result.triples.as_built
                          else summarise(store_from_triples(result.triples)))
    report = out_dir / REPORT
    with atomic_write(report, stage=stage) as out:
        json.dump({"graph_written": graph_written, "triples": len(result.triples) if triples is None else triples, "stubs": result.stubs, "tables": result.tables,
                   "rejected_rows": result.rejected_rows, "summary": result.summary,
                   "problems": [p.as_dict() for p in result.problems]}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    return report
