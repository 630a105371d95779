"""The consoles every verb prints with, made in one place.

Data is printed as it is: rich would turn ``:x:`` in a title or an IRI (``urn:x:…``) into an
emoji and colour numbers, so both are off. A reader that goes away (``stdkg … | head``) ends
the command quietly with 141, the status a shell gives a tool stopped by SIGPIPE.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

BROKEN_PIPE = 141


class _Console(Console):
    def on_broken_pipe(self) -> None:
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(BROKEN_PIPE)


def stdout_console(*, soft_wrap: bool = False) -> Console:
    return _Console(highlight=False, emoji=False, soft_wrap=soft_wrap)


def stderr_console() -> Console:
    return _Console(stderr=True, highlight=False, emoji=False)


def wide_console(width: int = 160, *, soft_wrap: bool = False) -> Console:
    """Standard output; when piped or captured, ``COLUMNS`` (default ``width``) wide so tables do not wrap."""
    console = stdout_console(soft_wrap=soft_wrap)
    if not console.is_terminal:
        console = _Console(highlight=False, emoji=False, soft_wrap=soft_wrap,
                           width=int(os.environ.get("COLUMNS", width)))
    return console
