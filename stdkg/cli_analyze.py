"""`stdkg analyze` and `stdkg impact`: plain click commands that stdkg.cli adds to its group.

Thin wrappers over stdkg.analyze (gaps, local support, overlaps, dependency health, review due)
and stdkg.analyze_deps.impact; user errors are StdkgError (exit 2, bilingual message).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import click

from .console import stderr_console
from .analysis_report import as_json, as_markdown, impact_markdown, print_impact, print_text
from .analyze import analyze as run_analysis
from .analyze_deps import impact as run_impact
from .analyze_html import render_html
from .atomic import atomic_write, staged
from .cli_common import as_of_day, graph_store
from .console import wide_console
from .fingerprint import analysis_fingerprint, file_sha256, seal
from .store import graph_file
from .vocab import DEFAULT_BASE

FORMATS = ["text", "json", "markdown"]


@contextmanager
def _status(enabled: bool) -> Iterator[object]:
    """A spinner with the current step on stderr, when stderr is a terminal."""
    err = stderr_console()
    if not (enabled and err.is_terminal):
        yield lambda step: None
        return
    with err.status("分析 / analysing …") as status:
        yield lambda step: status.update(f"分析 / analysing: {step}")


def write_report(doc: dict[str, object], out_dir: Path, fingerprint: Mapping[str, object] | None = None) -> list[Path]:
    """index.html (self-contained), analysis.json and analysis.md into ``out_dir``, renamed into place
    together once all three are complete: a run killed half-way leaves the previous three as they were.
    A ``fingerprint`` (stdkg.fingerprint) goes into analysis.json, so `stdkg publish` can reuse it."""
    written = []
    data = as_json(doc) if fingerprint is None else seal(as_json(doc), fingerprint)
    with staged() as stage:
        for name, text in (("index.html", render_html(doc)), ("analysis.json", data + "\n"),
                           ("analysis.md", as_markdown(doc, 50))):
            path = out_dir / name
            with atomic_write(path, stage=stage) as out:
                out.write(text)
            written.append(path)
    return written


@click.command("analyze")
@click.argument("graph", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Day the review period (标龄) is counted to. Default: today.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (bilingual tables), json (the full document, docs/analysis-schema.md) or markdown.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write a self-contained HTML report (index.html) with analysis.json and analysis.md here.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Rows per table in text output; how many most depended-on standards to rank.")
@click.option("--similarity", type=click.FloatRange(0.3, 1.0), default=0.8, show_default=True,
              help="Title similarity (cosine of character bigrams) at which two titles count as near-duplicates.")
def analyze(graph: Path, as_of: str | None, fmt: str, out_dir: Path | None, top: int, similarity: float) -> None:
    """Find gaps, local support, overlaps, dependency problems and reviews due in a built graph.

    GRAPH is a build folder (default: build/) or a graph file. Coverage of every service item by
    standard type, provinces' supporting rates, near-duplicate titles and committees that
    overlap, references to abolished editions and to standards outside the graph, reference
    cycles, the most depended-on standards, and editions due for their five-year review, by
    committee. Unknown
    is never counted as none: a standard with no status is "status unknown".

    \b
    Examples:
      stdkg analyze
      stdkg analyze build/ --as-of 2025-10-01 --out report/
      stdkg analyze build/ --format json > analysis.json
    """
    day = as_of_day(as_of)
    store = graph_store(graph)
    nt = graph_file(graph)  # hashed before the analysis, so the fingerprint cannot name a newer file
    graph_sha256 = file_sha256(nt) if out_dir is not None and nt.suffix == ".nt" else None
    with _status(fmt == "text") as step:
        doc = run_analysis(store, day, top=top, similarity=similarity, graph=str(graph), progress=step)  # type: ignore[arg-type]
    fingerprint = analysis_fingerprint(graph_sha256, day, doc["parameters"]) if graph_sha256 else None  # type: ignore[arg-type]
    written = write_report(doc, out_dir, fingerprint) if out_dir is not None else []
    if fmt == "json":
        click.echo(as_json(doc))
    elif fmt == "markdown":
        click.echo(as_markdown(doc, top), nl=False)
    else:
        console = wide_console()
        print_text(console, doc, top)
        if written:
            console.print("写入 / written: " + ", ".join(str(p) for p in written))
    if written and fmt != "text":
        click.echo("写入 / written: " + ", ".join(str(p) for p in written), err=True)


@click.command("impact")
@click.argument("number")
@click.argument("graph", type=click.Path(path_type=Path), default=Path("build"))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--depth", type=click.IntRange(min=1), help="Follow references at most this many steps (default: all).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI the graph was built with.")
def impact(number: str, graph: Path, fmt: str, depth: int | None, base: str) -> None:
    """What revising or abolishing one edition (or a whole standard) touches.

    NUMBER is a standard number, dated (an edition: GB/T 28220-2011) or not (the work). Lists
    the standards that reference it directly and transitively — dated references (which must be
    amended) apart from undated ones (which follow the current edition and need a check) — the
    local standards that declare it as their counterpart, and the committees and service items
    touched.

    \b
    Examples:
      stdkg impact "GB/T 28220-2011"
      stdkg impact "GB/T 42195-2022" build/ --format json
    """
    doc = run_impact(graph_store(graph), number, base, depth)
    if fmt == "json":
        click.echo(as_json(doc))
    elif fmt == "markdown":
        click.echo(impact_markdown(doc), nl=False)
    else:
        print_impact(wide_console(), doc)


COMMANDS: list[click.Command] = [analyze, impact]
