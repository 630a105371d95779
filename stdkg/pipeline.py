"""Build, validate and analyze in one process (`stdkg pipeline`), for national-scale corpora.

Run as three commands, the graph is parsed into Oxigraph three times (by the build's summary,
by validate, by analyze) and the two checks take turns on one core. Here the store the build
already loaded for its summary is reused, and validation runs in a forked child while the
parent analyses, so the two share the loaded store (copy-on-write) and use both cores.
The outputs are those of the three commands: the build folder, validation.json and the
analysis report (index.html, analysis.json, analysis.md).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .analyze import analyze
from .atomic import atomic_write
from .build import BuildResult, build, forget_caches, write_outputs
from .fingerprint import analysis_fingerprint, file_sha256, validation_fingerprint
from .ntlines import TripleSet
from .problems import StdkgError
from .validate import Validation, validate_store
from .validation_report import as_json

VALIDATION_JSON = "validation.json"


@dataclass
class PipelineResult:
    build: BuildResult
    triples: int
    validation: Validation | None
    analysis: dict[str, object] | None
    seconds: dict[str, float] = field(default_factory=dict)  # stage → wall seconds


def run_pipeline(inputs: list[Path], out_dir: Path, as_of: dt.date, system_dir: Path | None = None,
                 validate: bool = True, analyse: bool = True, parallel: bool = True,
                 progress: Callable[[str], None] | None = None) -> PipelineResult:
    """Build ``inputs`` into ``out_dir``, then validate and analyse the graph held in memory."""
    say = progress or (lambda step: None)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    say("build")
    built = build(system_dir, inputs, None, load_store=True)
    if built.rejected_rows:
        say(f"{built.rejected_rows} rows rejected (see build-report.json)")
    write_outputs(built, out_dir, keep_store=True)
    # Hashed now, not after the checks: the reports' fingerprint must name the graph they checked,
    # even if another build rewrites the folder meanwhile.
    graph_sha256 = file_sha256(out_dir / "stdkg.nt")
    triples = len(built.triples)
    built.triples = TripleSet([])  # the lines are written out; the store holds the graph from here
    forget_caches()
    gc.collect()
    _return_freed_memory()
    seconds["build"] = time.perf_counter() - start
    store = built.store
    assert store is not None
    built.store = None
    checks_start = time.perf_counter()
    validation, analysis = _checks(store, as_of, str(out_dir), validate, analyse, parallel, say, seconds)
    seconds["checks"] = time.perf_counter() - checks_start
    # Fingerprinted (stdkg.fingerprint), so that `stdkg publish` reuses both for this very graph.
    if validation is not None:
        with atomic_write(out_dir / VALIDATION_JSON) as out:
            out.write(as_json(validation, validation_fingerprint(graph_sha256)) + "\n")
    if analysis is not None:
        from .cli_analyze import write_report

        write_report(analysis, out_dir / "analysis",
                     fingerprint=analysis_fingerprint(graph_sha256, as_of, analysis["parameters"]))  # type: ignore[arg-type]
    seconds["total"] = time.perf_counter() - start
    return PipelineResult(built, triples, validation, analysis, seconds)


def _return_freed_memory() -> None:
    """Give the build's freed heap back to the system before the fork: glibc keeps freed memory
    for reuse, and the validation child would map (and count) it too. Elsewhere a no-op."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _checks(store: ox.Store, as_of: dt.date, graph: str, validate: bool, analyse: bool, parallel: bool,
            say: Callable[[str], None], seconds: dict[str, float]) -> tuple[Validation | None, dict[str, object] | None]:
    def timed_validation() -> Validation:
        t = time.perf_counter()
        found = validate_store(store)
        seconds["validate"] = time.perf_counter() - t
        return found

    def timed_analysis() -> dict[str, object]:
        t = time.perf_counter()
        doc = analyze(store, as_of, graph=graph)
        seconds["analyze"] = time.perf_counter() - t
        return doc

    if not (parallel and validate and analyse and hasattr(os, "fork")):
        say("validate")
        validation = timed_validation() if validate else None
        say("analyze")
        return validation, timed_analysis() if analyse else None
    say("validate ∥ analyze")
    with tempfile.NamedTemporaryFile(prefix="stdkg-validation-", suffix=".pickle", delete=False) as handoff:
        path = Path(handoff.name)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child validates on the second core and hands its result over in a file
            code = 0
            try:
                found = timed_validation()
                path.write_bytes(pickle.dumps((found, seconds["validate"]), protocol=pickle.HIGHEST_PROTOCOL))
            except BaseException:  # noqa: BLE001 - a child must never return into the caller's code
                code = 1
            os._exit(code)
        analysis = timed_analysis()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not path.stat().st_size:
            raise StdkgError("验证子进程失败 / the validation worker failed; run stdkg validate on the build to see why")
        validation, seconds["validate"] = pickle.loads(path.read_bytes())
        return validation, analysis
    finally:
        path.unlink(missing_ok=True)
