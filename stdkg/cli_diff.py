"""`stdkg diff` (and `stdkg release`, from cli_release): plain click commands stdkg.cli adds to its group."""

from __future__ import annotations

from contextlib import nullcontext

import click

from .console import stderr_console
from .cli_release import release
from .diff import diff as run_diff
from .diff_input import open_release
from .diff_report import RENDERERS


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="text (bilingual lines), json (docs/diff-schema.md) or markdown.")
def diff(old: str, new: str, fmt: str) -> None:
    """What changed between two releases, standard by standard: a semantic changelog.

    OLD and NEW are each a release folder (`stdkg release`), a build folder, a graph file
    (.nt, .ttl, .jsonld …, or .nt.gz), a system folder of tables (built in memory), or
    git:REV[:PATH] — the data folder PATH (default data/bps) at git revision REV of the
    repository around the current directory, exported with `git archive` and built in memory.

    Lists editions added, removed from the system, abolished, replaced (old → new number, once),
    re-classified (domain, service category, service item or standard type changed), committee,
    title and status changed, references and local counterparts added or removed, and counts
    per domain. Standards are compared by IRI and values by content, so the order of a file and
    the labels of blank nodes do not matter. Exit 0 whether or not anything changed.

    \b
    Examples:
      stdkg diff releases/2024 releases/2025
      stdkg diff git:v2024 git:HEAD --format markdown > CHANGES.md
      stdkg diff old/stdkg.nt.gz build/ --format json
    """
    err = stderr_console()
    with err.status("比较 / comparing …") if err.is_terminal else nullcontext():  # seconds on a large graph
        doc = run_diff(open_release(old), open_release(new), old, new)
    click.echo(RENDERERS[fmt](doc), nl=False)


COMMANDS: list[click.Command] = [diff, release]
