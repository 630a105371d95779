"""The summary of a graph: standards by level, status and domain, and the catalogue's shape.

Every figure comes from a query in queries/reports/, so the CLI, the tests and a user with
any SPARQL client count the same way.
"""

from __future__ import annotations

import pyoxigraph as ox

from .queries import find_query
from .store import select

SUMMARY_QUERIES = ("graph_overview", "catalogue_overview", "standards_by_level", "standards_by_status",
                   "standards_by_domain", "unplaced_service_items")


def summarise(store: ox.Store) -> dict[str, list[dict[str, object]]]:
    """Query name → result rows, for every summary query."""
    return {name: select(store, find_query(name).text) for name in SUMMARY_QUERIES}
