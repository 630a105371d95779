"""Shared fixtures: the bundled graph built once per session, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from stdkg.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Subprocesses (`python -m stdkg`, scripts) import this checkout, not whichever one was
# installed in editable mode last: two worktrees can be tested side by side.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))


def run_stdkg(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "stdkg", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


@contextmanager
def serving(server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A socketserver-style HTTP server on 127.0.0.1 in a thread; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled")
    result = run_stdkg("build", "--out", str(out), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def bundled_graph(bundled_build: Path) -> Graph:
    graph = Graph()
    graph.parse(bundled_build / "stdkg.nt", format="nt")
    return graph
