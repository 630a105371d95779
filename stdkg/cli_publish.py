"""`stdkg publish`: a plain click command that stdkg.cli adds to its group (thin wrapper over
stdkg.publish.publish). The gate failing is exit 1; could not run is exit 2 (StdkgError)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from .cli_common import as_of_day
from .console import stderr_console
from .problems import StdkgError
from .publish import GateFailed, publish as run_publish
from .publish_dcat import DEFAULT_LICENSE
from .publish_reuse import Earlier, earlier_reports
from .store import graph_file
from .vocab import DEFAULT_BASE


@click.command("publish")
@click.argument("graph", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the site; replaced as a whole when the new site is complete.")
@click.option("--base", "--base-iri", "base_iri", default=DEFAULT_BASE, show_default=True,
              help="Base IRI the graph was built with (as build's --base); resources under it get pages. "
                   "--base-iri is the older name.")
@click.option("--force", is_flag=True, help="Publish even if the graph has violations; the DCAT description says unvalidated.")
@click.option("--version", "version", help="Release version stamped in DCAT (dcat:version, owl:versionInfo).")
@click.option("--endpoint", metavar="URL", help="Public SPARQL endpoint of this data, named in VoID.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Release date (DCAT issued/modified) and the analysis' review date. Default: today.")
@click.option("--publisher", default="stdkg", show_default=True, help="Name of the publishing organisation (dcterms:publisher).")
@click.option("--license", "license_iri", default=DEFAULT_LICENSE, show_default=True, help="Licence IRI of the data (http or https).")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Processes writing pages (beside the gate, the analysis and the dumps, which have their own).")
@click.option("--no-analysis", is_flag=True, help="Leave the analysis report out (it is the slowest part on very large graphs).")
@click.option("--no-reuse", is_flag=True,
              help="Validate and analyse again even where the build folder holds reports of this very graph.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def publish(graph: Path, out: Path, base_iri: str, force: bool, version: str | None, endpoint: str | None,
            as_of: str | None, publisher: str, license_iri: str, workers: int, no_analysis: bool, no_reuse: bool,
            fmt: str) -> None:
    """Publish the graph as a static linked-open-data site (标准信息资源库).

    GRAPH is a build folder (default: build/). Writes one page per resource (HTML in Chinese
    and English, Turtle, JSON-LD), the dumps (Turtle, gzipped N-Triples, JSON-LD) with SHA-256,
    a DCAT + VoID description, a home page with the domain tree and an offline search, the
    validation and analysis reports, and content-negotiation rules for nginx and Apache
    (conneg/). Only a graph that passes `stdkg validate` is published unless --force.
    The build folder's validation.json and analysis/analysis.json (stdkg pipeline) are reused
    when they were computed on exactly this graph with the same rules; else computed again.

    \b
    Examples:
      stdkg publish build/ --out site/
      stdkg publish build/ --out site/ --version 2025.1 --base https://example.org/std/
      stdkg serve --site site/
    """
    day = as_of_day(as_of) if as_of else None
    if not graph.exists():
        raise StdkgError(f"{graph}: 找不到图谱，请先运行 stdkg build / graph not found: run `stdkg build` first")
    day = day or dt.date.today()  # once: the reports reused and the release must name the same day
    nt = graph_file(graph)
    earlier = Earlier() if no_reuse or nt.suffix != ".nt" else earlier_reports(nt, day, analysis=not no_analysis)
    for note in earlier.notes:
        click.echo(note, err=True)
    err = stderr_console()
    status = err.status("发布 / publishing …") if err.is_terminal and fmt == "text" else None
    try:
        if status:
            status.start()
        report = run_publish(graph, out, base_iri=base_iri, force=force, version=version, endpoint=endpoint,
                             as_of=day, publisher=publisher, license_iri=license_iri, workers=workers,
                             analysis_report=not no_analysis, validation=earlier.validation, analysis=earlier.analysis,
                             progress=(lambda stage, done, total: status.update(f"发布 / publishing: {stage}")) if status else None)
    except GateFailed as exc:
        if status:
            status.stop()
        err.print(f"[red]未发布 / not published:[/] {exc}")
        sys.exit(1)
    finally:
        if status:
            status.stop()
    if fmt == "json":
        reused = [name for name, doc in (("validation", earlier.validation), ("analysis", earlier.analysis)) if doc is not None]
        click.echo(json.dumps({**report.as_dict(), "reused": reused}, ensure_ascii=False, indent=2))
        return
    gate = ("已通过一致性检查 / validated" if report.validated
            else f"未经一致性检查（{report.violations} 项违规，--force）/ unvalidated ({report.violations} violations, --force)")
    click.echo(f"已发布 / published {report.documents} 个资源 / resources, {report.files} 个文件 / files → {report.out}")
    click.echo(f"三元组 / triples: {report.triples}；{gate}；警告 / warnings {report.warnings}，提示 / infos {report.infos}")
    for path, digest in report.dumps.items():
        click.echo(f"  {path}  sha256:{digest}")
    click.echo(f"预览 / preview: stdkg serve --site {report.out}")


COMMANDS: list[click.Command] = [publish]
