"""The `stdkg` command line: one verb per task, each a thin wrapper over a library function.

Exit codes: 0 = fine, 1 = the data has problems (with --strict), 2 = the command was used
wrongly or could not run. Human output by default, --format json for machines.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .console import BROKEN_PIPE, stderr_console, stdout_console
from . import __version__
from .build import build as build_graph, write_outputs, write_report
from .cli_query import COMMANDS as QUERY_COMMANDS
from .cli_validate import validate
from .cli_analyze import COMMANDS as ANALYZE_COMMANDS
from .cli_diff import COMMANDS as DIFF_COMMANDS
from .cli_progress import progress
from .cli_publish import COMMANDS as PUBLISH_COMMANDS
from .cli_synth import synth
from .cli_pipeline import pipeline
from .problems import StdkgError
from .report import print_problems, print_summary
from .stats import summarise
from .store import open_store
from .vocab import DEFAULT_BASE

err = stderr_console()


class StdkgGroup(click.Group):
    """Turns StdkgError into a bilingual message and exit code 2, without a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except StdkgError as exc:
            err.print(f"[red]错误 / error:[/] {escape(str(exc))}")
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`stdkg query … | head`): stop quietly, as Unix tools do on SIGPIPE.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(BROKEN_PIPE)
        except Exception as exc:  # an unexpected bug: say so plainly; STDKG_DEBUG=1 shows the traceback
            if os.environ.get("STDKG_DEBUG"):
                raise
            err.print(f"[red]内部错误 / internal error:[/] {type(exc).__name__}: {escape(str(exc))} "
                      "(设置 STDKG_DEBUG=1 查看详情 / set STDKG_DEBUG=1 for the traceback)")
            sys.exit(2)


@click.group(cls=StdkgGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="stdkg")
def main() -> None:
    """stdkg — 标准体系知识图谱 / a standard system as a knowledge graph.

    \b
    Start with:
      stdkg build            # build the bundled 基本公共服务标准体系 graph into build/
      stdkg stats build/     # summarise a built graph
    """


@main.command()
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Table (CSV/TSV/XLSX/JSON), RDF file to merge (.ttl/.nt/.rdf/.jsonld …) or folder of them, loaded instead of the system's own standards tables; pilot and feedback tables (matched by their headers) add to the system instead. Repeatable.")
@click.option("--system", "system_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder of another standard system (system.yaml + tables). Default: the bundled BPS system.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build"),
              show_default=True, help="Folder to write stdkg.nt, stdkg.ttl and build-report.json into.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI for minted resources.")
@click.option("--encoding", help="Encoding of CSV/JSON inputs (default: detect UTF-8, UTF-8-BOM, UTF-16, GBK/GB18030).")
@click.option("--mapping", "mapping_files", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="An extra loader mapping (YAML, like loaders/standards.yaml), tried before the bundled ones.")
@click.option("--strict", is_flag=True, help="Fail (exit 1, graph not written) when any row is rejected.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def build(inputs: tuple[Path, ...], system_dir: Path | None, out_dir: Path, base: str, encoding: str | None,
          mapping_files: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Build the knowledge graph: load tables, write canonical Turtle and N-Triples.

    Every row becomes triples or a rejection naming file, row, column and reason; the same
    input always gives byte-identical files. With --input, your tables replace the system's
    standards tables, and the system's catalogue and committees still load, so your
    标准体系表 is matched against the bundled service catalogue. Tables of standardisation
    pilots (试点名称, 地区, 领域 …) and implementation feedback (标准号, 反馈类别 …) are
    recognised by their headers and add to the system's standards (loaders/pilots.yaml,
    loaders/feedback.yaml).

    \b
    Examples:
      stdkg build
      stdkg build --input 标准体系表.xlsx --out build/mine
      stdkg build --input exports/ --encoding gbk --strict
      stdkg build --input 试点.xlsx --input 反馈.csv --out build/plan
    """
    with _progress(fmt == "text") as progress_cb:
        result = build_graph(system_dir, list(inputs), None, base, encoding, list(mapping_files), progress_cb, load_store=True)
    rejected = result.rejected_rows
    if not (strict and rejected):
        with _progress(fmt == "text") as progress_cb:
            result.outputs = write_outputs(result, out_dir, progress_cb)
    else:
        result.outputs = [write_report(result, out_dir)]
    summary = result.summary
    if fmt == "json":
        click.echo(json.dumps({"outputs": [str(p) for p in result.outputs], "triples": len(result.triples),
                               "rejected_rows": rejected, "tables": result.tables, "summary": summary,
                               "problems": [p.as_dict() for p in result.problems]}, ensure_ascii=False, indent=2))
    else:
        console = stdout_console()
        for table in result.tables:
            console.print(f"载入 / loaded {table['file']} ({table['mapping']}): {table['loaded']}/{table['rows']} 行/rows")
        print_summary(console, summary)
        print_problems(console, result.problems)
        written = ", ".join(str(p) for p in result.outputs)
        console.print(f"三元组 / triples: {len(result.triples)}；写入 / written: {written}")
    if strict and rejected:
        err.print(f"[red]--strict: {rejected} 行被拒绝，未写出图谱 / {rejected} rows rejected; graph not written[/]")
        sys.exit(1)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path, exists=True), default=Path("build"))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(graph: Path, fmt: str) -> None:
    """Summarise a built graph: standards by level, status and domain; the catalogue's shape.

    GRAPH is a build folder (default: build/) or a graph file (.nt, .ttl, .nq, .trig, .rdf, .jsonld).

    \b
    Example:
      stdkg stats build/
    """
    summary = summarise(open_store(graph))
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print_summary(stdout_console(), summary)


# Verbs that live in their own modules are plain click commands, added here, so those
# modules never import this one.
# One line per verb module: each verb lives in its own cli_*.py as a plain click command.
EXTRA_COMMANDS: list[click.Command] = [
    validate,
    *QUERY_COMMANDS,
    *ANALYZE_COMMANDS,
    *DIFF_COMMANDS,
    progress,
    *PUBLISH_COMMANDS,
    synth,
    pipeline,
]
for _command in EXTRA_COMMANDS:
    main.add_command(_command)


class _progress:
    """A progress bar on stderr for long work; silent for small inputs and when not wanted."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and err.is_terminal
        self.bar: Progress | None = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.enabled:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=err, transient=True)
            self.bar.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if self.bar is None or total < 2:
            return
        if stage not in self.tasks:
            label = {"rows": "载入行 / loading rows", "write": "写出 / writing"}.get(stage, stage)
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

