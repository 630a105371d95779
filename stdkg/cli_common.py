"""Small helpers the report verbs share (analyze, impact, progress, release): the --as-of day,
the graph a verb reads and a console that does not wrap when piped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox

from .problems import StdkgError
from .store import open_store

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_of_day(text: str | None) -> dt.date:
    """The day --as-of names (default: today). Only YYYY-MM-DD, as documented: Python's
    date.fromisoformat also takes 2025-W26-1 and 20250630, which a user would not mean."""
    if text is None:
        return dt.date.today()
    wanted = text.strip()
    try:
        if not ISO_DAY.fullmatch(wanted):
            raise ValueError(wanted)
        return dt.date.fromisoformat(wanted)
    except ValueError as exc:
        raise StdkgError(f"--as-of 应为日期 YYYY-MM-DD：'{text}' / --as-of must be a date, YYYY-MM-DD: '{text}'") from exc


def graph_store(graph: Path) -> ox.Store:
    """The built graph at ``graph`` (a build folder or a graph file), or a usage error."""
    if not graph.exists():
        raise StdkgError(f"{graph}: 找不到图谱，请先运行 stdkg build / graph not found: run `stdkg build` first")
    return open_store(graph)
