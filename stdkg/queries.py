"""The SPARQL library in queries/: find a query by name, read its header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .problems import StdkgError

HEADER_FIELDS = ("Question", "Parameters", "Returns", "Example")


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    path: Path
    title: str
    header: dict[str, str]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def read_query(path: Path) -> LibraryQuery:
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    header: dict[str, str] = {}
    for line in comments[1:]:
        match = re.match(r"(\w+):\s*(.*)", line)
        if match and match.group(1) in HEADER_FIELDS:
            header[match.group(1)] = match.group(2)
    return LibraryQuery(path.stem, path, comments[0] if comments else path.stem, header)


def library() -> list[LibraryQuery]:
    return [read_query(p) for p in sorted(paths.queries_dir().rglob("*.rq"))]


def find_query(name: str) -> LibraryQuery:
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return read_query(path)
    for query in library():
        if query.name == name:
            return query
    raise StdkgError(f"没有名为 '{name}' 的查询（stdkg query --list 列出全部）/ no query named '{name}' (see stdkg query --list)")
