"""`stdkg release`: a plain click command (registered through cli_diff.COMMANDS)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape

from .console import stderr_console
from .cli_common import as_of_day as _date
from .diff_report import KIND_NAMES
from .release import GateFailed, RowsRejected, release as make_release
from .validation_report import as_text as validation_text
from .vocab import DEFAULT_BASE


@click.command("release")
@click.option("--version", "version", required=True, help="The release's version, e.g. 2025 or 2025.1 (a folder name).")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), default=Path("releases"),
              show_default=True, help="Folder holding all releases: OUT/VERSION/ and OUT/latest.")
@click.option("--input", "inputs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Your tables instead of the system's standards tables, as in stdkg build. Repeatable.")
@click.option("--system", "system_dir", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Folder of another standard system. Default: the bundled BPS system.")
@click.option("--previous", help="What to compare with: a release folder, graph or git:REV[:PATH] "
                                 "(as in stdkg diff). Default: the release OUT/latest names.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI for minted resources.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation", show_default=True,
              help="The gate: no release when validation finds a result this severe.")
@click.option("--force", is_flag=True, help="Release even when the gate fails (the manifest records it).")
@click.option("--strict", is_flag=True, help="No release when any table row is rejected.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Day the analysis counts review ages to. Default: today.")
@click.option("--site/--no-site", default=True, show_default=True,
              help="Publish the site (stdkg.publish) into OUT/VERSION/site, the changelog linked from its home page.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def release(version: str, out: Path, inputs: tuple[Path, ...], system_dir: Path | None, previous: str | None,
            base: str, fail_on: str, force: bool, strict: bool, as_of: str | None, site: bool, fmt: str) -> None:
    """Make a versioned release: build, validate (the gate), analyse, changelog, publish.

    Writes OUT/VERSION/ whole or not at all: graph/ (stdkg.nt, stdkg.ttl, build-report.json,
    with owl:versionInfo VERSION and owl:versionIRI …/ontology/VERSION on the ontology),
    validation.json/.txt, analysis/ (stdkg analyze's report), changelog.html/.md/.json/.txt
    (stdkg diff against the previous release), site/ and release.json; then OUT/latest names
    VERSION. When the gate fails nothing is released and the exit code is 1 (--force releases
    anyway). A version is never overwritten.

    \b
    Examples:
      stdkg release --version 2025 --out releases/
      stdkg release --version 2025.1 --out releases/ --input 标准体系表.xlsx --previous releases/2025
    """
    err = stderr_console()
    show = (lambda name: err.print(f"… {name}")) if fmt == "text" and err.is_terminal else (lambda name: None)
    try:
        done = make_release(version, out, system_dir=system_dir, inputs=list(inputs), previous=previous, base=base,
                            fail_on=fail_on, force=force, strict=strict, as_of=_date(as_of) if as_of else None,
                            site=site, step=show)
    except GateFailed as failed:
        click.echo(validation_text(failed.validation))
        err.print(f"[red]{escape(str(failed))}[/]")
        sys.exit(1)
    except RowsRejected as rejected:
        err.print(f"[red]{escape(str(rejected))}[/]")
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps({"folder": str(done.folder), **done.manifest}, ensure_ascii=False, indent=2))
        return
    gate = done.manifest["gate"]
    assert isinstance(gate, dict)
    click.echo(f"版本 / release {version} → {done.folder}")
    click.echo(f"检查 / gate: 违规 {gate['violation']} violations, 警告 {gate['warning']} warnings, 提示 {gate['info']} infos"
               + ("" if gate["passed"] else "（--force 强制发布 / released with --force）"))
    if done.changelog is None:
        click.echo("变更 / changes: 首个版本 / first release")
    else:
        summary = {k: n for k, n in done.changelog["summary"].items() if n}  # type: ignore[union-attr]
        counts = ", ".join(f"{KIND_NAMES[k]} {n}" for k, n in summary.items()) or "无变更 / no changes"
        click.echo(f"变更 / changes since {done.previous}: {counts}")
    site_note = f", {done.folder}/site/" if done.manifest.get("site") else ""
    click.echo(f"写入 / written: {done.folder}/changelog.html{site_note}, {out / 'latest'}")
