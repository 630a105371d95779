"""Problems found in input, reported with where they are and what to do, in zh and en.

A ``Problem`` is data (file, row, column, value, message), so the CLI can print it, count it,
write it as JSON, and decide the exit code, while library code never prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


class StdkgError(Exception):
    """The command could not run (bad usage, unreadable file): exit code 2, no traceback."""


@dataclass(frozen=True)
class Problem:
    """One rejected row or cell, or a warning about a table, with its location."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    zh: str
    en: str
    severity: str = "error"  # error: the row was rejected; warning: loaded, but look at it

    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"第{self.row}行/row {self.row}")
        if self.column:
            parts.append(f"列/column '{self.column}'")
        return ", ".join(parts)

    def message(self) -> str:
        shown = f" [{self.value}]" if self.value not in (None, "") else ""
        return f"{self.where()}{shown}: {self.zh} / {self.en}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
