"""`stdkg validate`: the consistency gate before a release (a plain click command)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from .atomic import atomic_write
from .build import build
from .problems import StdkgError
from .store import graph_file
from .validate import validate_file
from .validate_cache import validate_cached
from .fingerprint import file_sha256, validation_fingerprint
from .validation_report import RENDERERS, SUFFIX_FORMATS, as_json, as_json_utf8


@click.command()
@click.argument("graph", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Validate these tables (built in memory, as `stdkg build --input`) instead of GRAPH. Repeatable.")
@click.option("--system", "system_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="With --input: the system folder whose catalogue the tables are checked against.")
@click.option("--shapes", "extra_shapes", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Your own SHACL shapes file (Turtle), run with the bundled shapes/. Repeatable.")
@click.option("--check", "checks", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A SPARQL SELECT (.rq) whose every returned row is a violation (?focus ?path ?value). Repeatable.")
@click.option("--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
              help="fast: shapes compiled to SPARQL on Oxigraph; pyshacl: the reference engine (slow, any SHACL).")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
              help="The gate: exit 1 when a result of this severity or worse exists.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="What to print: text (grouped by rule), json, turtle (sh:ValidationReport) or junit (XML for CI).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Keep a cache here and, next time, check again only what changed since (fast engine, a build's stdkg.nt).")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the report to this file (.json, .ttl, .xml for JUnit, .txt), pass or fail.")
def validate(graph: Path, inputs: tuple[Path, ...], system_dir: Path | None, extra_shapes: tuple[Path, ...],
             checks: tuple[Path, ...], engine: str, fail_on: str, fmt: str, cache_dir: Path | None,
             report_path: Path | None) -> None:
    """Check a graph against the SHACL shapes in shapes/ before a release.

    GRAPH is a build folder (default: build/) or a graph file. Exit 0 when the gate passes,
    1 when it does not (by default: any violation; warnings and infos are reported), 2 when
    the command could not run. Every result names the rule, the standard by its number and
    says what is wrong in Chinese and English.

    \b
    Examples:
      stdkg validate
      stdkg validate build/ --fail-on warning --format junit --report validation.xml
      stdkg validate --input 标准体系表.xlsx --check my-rule.rq
      stdkg validate build/ --cache .stdkg-cache/   # after a rebuild: only what changed
    """
    if cache_dir is not None and (inputs or engine != "fast"):
        raise StdkgError("--cache 只用于快速引擎验证已构建的图谱 / --cache works with the fast engine on a built graph, not with --input")
    # A JSON report of a built graph gets its fingerprint (stdkg.fingerprint), so that `stdkg publish`
    # can reuse it; the graph is hashed before it is validated, so the fingerprint cannot name a newer file.
    fingerprinted = (report_path is not None and SUFFIX_FORMATS.get(report_path.suffix.lower()) == "json"
                     and not inputs and graph.exists() and graph_file(graph).suffix == ".nt")
    graph_sha256 = file_sha256(graph_file(graph)) if fingerprinted else None
    with tempfile.TemporaryDirectory(prefix="stdkg-validate-") as tmp:
        if inputs:
            built = build(system_dir, list(inputs), Path(tmp))
            if built.rejected_rows:
                click.echo(f"注意 / note: {built.rejected_rows} 行未载入，见 stdkg build / rows were rejected by the loader "
                           "(run stdkg build to see them)", err=True)
            graph = Path(tmp)
        elif not graph.exists():
            raise StdkgError(f"{graph}: 找不到图谱，请先运行 stdkg build / graph not found: run `stdkg build` first")
        if cache_dir is not None:
            nt = graph_file(graph)
            if nt.suffix.lower() != ".nt":
                raise StdkgError(f"{nt}: --cache 需要 stdkg build 写出的 stdkg.nt / --cache needs the stdkg.nt a build writes")
            validation, run = validate_cached(nt, cache_dir, extra_shapes, checks)
            click.echo(("全量 / full run" if run.full else
                        f"增量 / incremental: {run.changed_subjects} 个主语有变 / subjects changed, "
                        f"{run.affected_focus} 个节点重验 / nodes rechecked") + f" (cache {cache_dir})", err=True)
        else:
            validation = validate_file(graph, engine, extra_shapes, checks)
    if report_path is not None:
        report_format = SUFFIX_FORMATS.get(report_path.suffix.lower(), "text")
        with atomic_write(report_path) as out:
            if graph_sha256 is not None:
                out.write(as_json(validation, validation_fingerprint(graph_sha256, engine, extra_shapes, checks)) + "\n")
            else:
                out.write(RENDERERS[report_format](validation) + "\n")
    # JSON as bytes: a national report is ~200 MB, not worth decoding only to encode it again.
    click.echo(as_json_utf8(validation) if fmt == "json" else RENDERERS[fmt](validation))
    if validation.fails(fail_on):
        sys.exit(1)

