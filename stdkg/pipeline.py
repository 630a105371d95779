"""Build, validate and analyze in one process (`stdkg pipeline`), for national-scale corpora.

Run as three commands, the graph is parsed into Oxigraph three times (by the build's summary,
by validate, by analyze) and the two checks take turns on one core. Here the store the build
loaded reaches both checks, and the graph's summary and its validation run in a forked child
while the parent analyses: the two share the loaded store (copy-on-write) and use both cores.
The child also writes validation.json and computes the analysis's coverage section, so that
both halves take about as long.
The outputs are those of the three commands: the build folder, validation.json and the
analysis report (index.html, analysis.json, analysis.md). The build's three files and
validation.json are renamed into place together once both checks are done.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import signal
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .analyze import analyze
from .analyze_coverage import coverage
from .atomic import Staged, atomic_write, staged
from .build import GRAPH_NT, BuildResult, build, forget_caches, paused_gc, write_graph_files, write_report
from .fingerprint import analysis_fingerprint, file_sha256, validation_fingerprint
from .ntlines import TripleSet
from .problems import StdkgError
from .stats import summarise
from .validate import SEVERITIES, gate_fails, validate_store
from .validation_report import as_json

VALIDATION_JSON = "validation.json"


@dataclass
class PipelineResult:
    build: BuildResult
    triples: int
    validation_counts: dict[str, int]  # severity ("Violation", "Warning", "Info") → results
    analysis: dict[str, object]
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds
    # The graph's store, handed over rather than dropped at the end of the run: at 300k, the
    # moments after the run (dropping it, collecting) took 7.5 s, which a command about to exit
    # need not wait for.
    store: ox.Store | None = None

    def fails(self, fail_on: str) -> bool:
        return gate_fails([severity for severity, n in self.validation_counts.items() if n], fail_on)


@dataclass
class _SideWork:
    """What the second core hands back: the build's summary, the validation's counts and its
    staged report, the analysis's coverage section."""

    summary: dict[str, list[dict[str, object]]]
    counts: dict[str, int]
    staged: Staged
    coverage: dict[str, object]
    seconds: dict[str, float]


def run_pipeline(inputs: list[Path], out_dir: Path, as_of: dt.date, system_dir: Path | None = None,
                 parallel: bool = True, progress: Callable[[str], None] | None = None) -> PipelineResult:
    """Build ``inputs`` into ``out_dir``, then validate and analyse the graph held in memory."""
    # The collector stays off throughout: the run allocates tens of millions of acyclic objects,
    # and each collection would rescan them (a tenth of the analysis at 100k).
    with paused_gc(), _terminated_as_exit():
        return _run(inputs, out_dir, as_of, system_dir, parallel, progress or (lambda step: None))


@contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, a service stopped) unwinds the run like an error, so that its
    staged files are removed and the child is stopped; the previous handler comes back after."""
    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, leave)
    except ValueError:  # not the main thread: leave signals as they are
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(inputs: list[Path], out_dir: Path, as_of: dt.date, system_dir: Path | None, parallel: bool,
         say: Callable[[str], None]) -> PipelineResult:
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    say("build")
    built = build(system_dir, inputs, None, load_store=True, with_summary=False)
    if built.rejected_rows:
        say(f"{built.rejected_rows} rows rejected (see build-report.json)")
    with staged() as stage:
        store = write_graph_files(built, out_dir, stage)
        # The reports' fingerprint names the graph they checked: the file about to be renamed in.
        graph_sha256 = file_sha256(next(tmp for tmp, path in stage if path.name == GRAPH_NT))
        triples = len(built.triples)
        built.triples = TripleSet([])  # the lines are written out; the store holds the graph from here
        forget_caches()
        _return_freed_memory()
        seconds["build"] = time.perf_counter() - start
        checks_start = time.perf_counter()
        side, (analysis, seconds["analyze"]) = _checks(store, out_dir, graph_sha256, as_of, parallel, say)
        seconds.update(side.seconds)
        seconds["checks"] = time.perf_counter() - checks_start
        stage.extend(side.staged)
        built.summary = side.summary
        write_report(built, out_dir, graph_written=True, stage=stage, triples=triples)
    # Fingerprinted (stdkg.fingerprint), so that `stdkg publish` reuses both reports for this very graph.
    from .cli_analyze import write_report as write_analysis

    write_analysis(analysis, out_dir / "analysis",
                   fingerprint=analysis_fingerprint(graph_sha256, as_of, analysis["parameters"]))  # type: ignore[arg-type]
    seconds["total"] = time.perf_counter() - start
    return PipelineResult(built, triples, side.counts, analysis, seconds, store)


def _return_freed_memory() -> None:
    """Give the build's freed heap back to the system before the fork: glibc keeps freed memory
    for reuse, and the validation child would map (and count) it too. Elsewhere a no-op."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _side_work(store: ox.Store, out_dir: Path, graph_sha256: str) -> _SideWork:
    """The build's summary, the validation (written to a staged validation.json) and the coverage."""
    t = time.perf_counter()
    summary = summarise(store)
    seconds = {"summary": time.perf_counter() - t}
    t = time.perf_counter()
    found = validate_store(store)
    stage: Staged = []
    with atomic_write(out_dir / VALIDATION_JSON, stage=stage) as out:
        out.write(as_json(found, validation_fingerprint(graph_sha256)) + "\n")
    seconds["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    covered = coverage(store)
    seconds["coverage"] = time.perf_counter() - t
    return _SideWork(summary, {severity: found.count(severity) for severity in SEVERITIES}, stage, covered, seconds)


def _checks(store: ox.Store, out_dir: Path, graph_sha256: str, as_of: dt.date, parallel: bool,
            say: Callable[[str], None]) -> tuple[_SideWork, tuple[dict[str, object], float]]:
    """The side work and the analysis (with its own seconds): on two cores, or one after the other."""
    if not (parallel and hasattr(os, "fork")):
        say("validate")
        side = _side_work(store, out_dir, graph_sha256)
        say("analyze")
        try:
            return side, _analysed(store, out_dir, as_of, lambda: side.coverage)
        except BaseException:
            _abandon(None, [side], out_dir)
            raise
    say("validate ∥ analyze")
    with tempfile.NamedTemporaryFile(prefix="stdkg-side-", suffix=".pickle", delete=False) as handoff:
        path = Path(handoff.name)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child works on the second core and hands its result over in a file
            _child(lambda: _side_work(store, out_dir, graph_sha256), path)
        joined: list[_SideWork] = []
        reaped: list[int] = []
        waited: list[float] = []

        def side_coverage() -> dict[str, object]:
            t = time.perf_counter()
            _, status = os.waitpid(pid, 0)
            waited.append(time.perf_counter() - t)
            reaped.append(pid)
            joined.append(_handed_over(status, path))
            return joined[0].coverage

        try:
            analysis, seconds = _analysed(store, out_dir, as_of, side_coverage)
        except BaseException:
            _abandon(pid if not reaped else None, joined, out_dir)
            raise
        return joined[0], (analysis, seconds - sum(waited))
    finally:
        path.unlink(missing_ok=True)


def _abandon(running: int | None, joined: list[_SideWork], out_dir: Path) -> None:
    """After a failed run: stop the child if it still runs, and remove the report it staged."""
    if running is not None:
        os.kill(running, signal.SIGKILL)
        os.waitpid(running, 0)
    if joined:
        for tmp, _ in joined[0].staged:
            tmp.unlink(missing_ok=True)
    else:  # killed or failed before handing its stage over: its temporary files are found by name
        for tmp in out_dir.glob(f".{VALIDATION_JSON}.*.tmp"):
            tmp.unlink(missing_ok=True)


def _analysed(store: ox.Store, out_dir: Path, as_of: dt.date,
              coverage_from: Callable[[], dict[str, object]]) -> tuple[dict[str, object], float]:
    t = time.perf_counter()
    return analyze(store, as_of, graph=str(out_dir), coverage_from=coverage_from), time.perf_counter() - t


def _handed_over(status: int, handoff: Path) -> _SideWork:
    """The child's result, given its wait status; its error, in its own words, if it failed."""
    handed = pickle.loads(handoff.read_bytes()) if handoff.stat().st_size else None
    if os.waitstatus_to_exitcode(status) == 0 and isinstance(handed, _SideWork):
        return handed
    why = handed if isinstance(handed, str) else f"exit status {os.waitstatus_to_exitcode(status)}"
    raise StdkgError(f"第二个核上的汇总、验证或覆盖分析失败，输出目录未改动 / the summary, validation or coverage "
                     f"on the second core failed, the output folder is unchanged: {why}")


def _child(work: Callable[[], _SideWork], handoff: Path) -> None:
    """Run ``work`` in a forked child, pickle its result (or its error's text) into ``handoff``
    and exit, never returning into the caller's code. It dies with its parent (Linux), so a
    parent killed outright leaves no child writing into the folder."""
    _die_with_parent()
    code = 0
    try:
        handed: object = work()
    except BaseException as exc:  # noqa: BLE001 - a child must never return into the caller's code
        code, handed = 1, str(exc) if isinstance(exc, StdkgError) else f"{type(exc).__name__}: {exc}"
    try:
        handoff.write_bytes(pickle.dumps(handed, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001
        code = 1
    os._exit(code)


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere the parent's SIGTERM handler and _abandon stop it
