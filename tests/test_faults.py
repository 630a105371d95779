"""Faults: runs killed half-way (SIGKILL), servers gone mid-push, outputs that cannot be
written: the previous output stays intact and the user is told."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import REPO, run_stdkg


def test_sigkill_mid_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert run_stdkg("build", "--out", str(out)).returncode == 0
    before = {name: (out / name).read_bytes() for name in ("stdkg.nt", "stdkg.ttl", "build-report.json")}
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--editions", "30000", "--seed", "3",
                    "--out", str(corpus)], check=True, capture_output=True)
    for delay in (1.0, 3.0):  # once while loading rows, once (most likely) while writing files
        proc = subprocess.Popen([sys.executable, "-m", "stdkg", "build", "--input", str(corpus), "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for name, data in before.items():
            now = (out / name).read_bytes()
            if now != data:  # the build finished before the kill: then the new file is whole
                if name == "build-report.json":
                    json.loads(now)
                else:
                    fmt = ox.RdfFormat.N_TRIPLES if name.endswith(".nt") else ox.RdfFormat.TURTLE
                    assert len(list(ox.parse(now, format=fmt))) > 100_000
        # The three files always come from one run: the report counts the triples beside it.
        report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
        assert report["triples"] == len((out / "stdkg.nt").read_bytes().splitlines())
        if (out / "stdkg.nt").read_bytes() == before["stdkg.nt"]:
            assert (out / "stdkg.ttl").read_bytes() == before["stdkg.ttl"]


# A run of `python -m stdkg …` that SIGKILLs itself at its Nth fsync: the moment a finished
# temporary file is on disk and nothing is renamed yet — deterministic, unlike a timed kill.
KILL_AT_FSYNC = """
import os, runpy, signal, sys
calls = 0
real_fsync = os.fsync
def fsync(fd):
    global calls
    real_fsync(fd)
    calls += 1
    if calls == int(os.environ["STDKG_KILL_AT_FSYNC"]):
        os.kill(os.getpid(), signal.SIGKILL)
os.fsync = fsync
sys.argv = ["stdkg", *sys.argv[1:]]
runpy.run_module("stdkg", run_name="__main__")
"""


def run_killed(at: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", KILL_AT_FSYNC, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "STDKG_KILL_AT_FSYNC": str(at)})


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def test_sigkill_while_writing_the_analysis_report_leaves_the_previous_one(bundled_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    first = run_stdkg("analyze", str(bundled_build), "--as-of", "2020-01-01", "--out", str(out), "--format", "json")
    assert first.returncode == 0, first.stderr
    before = visible(out)
    assert sorted(before) == ["analysis.json", "analysis.md", "index.html"]
    for at in (1, 2, 3):  # killed after the first, second and third file is complete, before any rename
        killed = run_killed(at, "analyze", str(bundled_build), "--as-of", "2025-10-01", "--out", str(out))
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert visible(out) == before  # all three from the first run, none from the killed one
    again = run_stdkg("analyze", str(bundled_build), "--as-of", "2025-10-01", "--out", str(out), "--format", "json")
    assert again.returncode == 0 and visible(out) != before
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["as_of"] == "2025-10-01"


# A run of `python -m stdkg …` that SIGKILLs itself when it reaches a named function: for
# publish, whose pages are written without fsync into a temporary folder swapped in at the end.
KILL_AT_CALL = """
import importlib, os, runpy, signal, sys
module, name = os.environ["STDKG_KILL_AT"].rsplit(".", 1)
setattr(importlib.import_module(module), name, lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
sys.argv = ["stdkg", *sys.argv[1:]]
runpy.run_module("stdkg", run_name="__main__")
"""


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("moment", ["stdkg.publish._write_content",  # pages being written, nothing else yet
                                    "stdkg.publish._swap"])  # the whole new site written, not swapped in
def test_sigkill_while_publishing_leaves_the_previous_site(moment: str, bundled_build: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = run_stdkg("publish", str(bundled_build), "--out", str(site), "--version", "1", "--as-of", "2025-10-01")
    assert first.returncode == 0, first.stderr
    before = site_files(site)
    killed = subprocess.run([sys.executable, "-c", KILL_AT_CALL, "publish", str(bundled_build), "--out", str(site),
                             "--version", "2", "--as-of", "2025-10-01"], capture_output=True, text=True, timeout=600,
                            env={**os.environ, "STDKG_KILL_AT": moment})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert site_files(site) == before  # every file of version 1, nothing of version 2
    again = run_stdkg("publish", str(bundled_build), "--out", str(site), "--version", "2", "--as-of", "2025-10-01")
    assert again.returncode == 0, again.stderr  # a killed run never blocks the next one
    assert '"version": "2"' in (site / ".stdkg-site.json").read_text(encoding="utf-8")


def test_sigkill_while_writing_the_validation_report_leaves_the_previous_one(bundled_build: Path, tmp_path: Path) -> None:
    report = tmp_path / "validation.json"
    report.write_text('{"previous": "report"}\n', encoding="utf-8")  # differs from what the killed run writes
    killed = run_killed(1, "validate", str(bundled_build), "--report", str(report))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert report.read_text(encoding="utf-8") == '{"previous": "report"}\n'
    finished = run_stdkg("validate", str(bundled_build), "--report", str(report))
    assert finished.returncode == 0 and "previous" not in report.read_text(encoding="utf-8")
    json.loads(report.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ a server killed mid-push

def oxigraph_serve(location: Path, port: int) -> subprocess.Popen[bytes]:
    """A read-write Oxigraph server on a persistent store directory, ready to answer."""
    from stdkg.server import oxigraph_binary

    process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            count_where(port, "?s ?p ?o")
            return process
        except OSError:
            assert process.poll() is None, "oxigraph serve exited"
            time.sleep(0.05)
    process.kill()
    raise AssertionError("oxigraph serve did not start")


def sparql_select(port: int, query: str) -> list[dict[str, dict[str, str]]]:
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/query", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["results"]["bindings"]


def count_where(port: int, pattern: str) -> int:
    return int(sparql_select(port, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]["n"]["value"])


def test_server_killed_mid_push_keeps_the_previous_graph(bundled_build: Path, tmp_path: Path) -> None:
    from stdkg.server import free_port

    target = "https://w3id.org/stdkg/graph/bps"
    location = tmp_path / "store"
    port = free_port()
    server = oxigraph_serve(location, port)
    try:
        first = run_stdkg("push", str(bundled_build), "--endpoint", f"http://127.0.0.1:{port}", "--graph", target,
                          "--protocol", "update")
        assert first.returncode == 0, first.stderr
        previous = count_where(port, f"GRAPH <{target}> {{ ?s ?p ?o }}")
        assert previous == len((bundled_build / "stdkg.nt").read_bytes().splitlines())
        big = tmp_path / "big.nt"  # synthetic triples, many small batches: time to kill the server half-way
        big.write_text("".join(f"<urn:x:s{i}> <urn:x:p> \"synthetic {i}\" .\n" for i in range(300_000)), encoding="utf-8")
        push = subprocess.Popen([sys.executable, "-m", "stdkg", "push", str(big), "--endpoint", f"http://127.0.0.1:{port}",
                                 "--graph", target, "--protocol", "update", "--batch-size", "200"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "500"})
        uploading = 'GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:stdkg:push:"))'
        while count_where(port, uploading) == 0:  # the upload has begun in its temporary graph
            assert push.poll() is None, push.communicate()
            time.sleep(0.02)
        server.kill()  # SIGKILL: the server goes away mid-upload
        server.wait()
        out, err = push.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert push.returncode == 2 and "Traceback" not in err, err
    said = " ".join(err.split())
    assert "cannot connect" in said and f"the push did not finish: <{target}> on the server was not replaced" in said, said
    temporary = re.search(r"DROP SILENT GRAPH <(urn:stdkg:push:[0-9a-f-]+)>", said)
    assert temporary, said
    server = oxigraph_serve(location, port)  # restarted on the same store
    try:
        assert count_where(port, f"GRAPH <{target}> {{ ?s ?p ?o }}") == previous
        assert count_where(port, f"GRAPH <{target}> {{ ?s <urn:x:p> ?o }}") == 0
        left = count_where(port, f"GRAPH <{temporary[1]}> {{ ?s ?p ?o }}")
        assert 0 < left < 300_000  # the half-upload is where the message says, and the advice removes it
        import urllib.request
        drop = urllib.request.Request(f"http://127.0.0.1:{port}/update", data=f"DROP SILENT GRAPH <{temporary[1]}>".encode(),
                                      headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(drop, timeout=30).close()
        assert count_where(port, f"GRAPH <{temporary[1]}> {{ ?s ?p ?o }}") == 0
    finally:
        server.kill()
        server.wait()


class CuttingRelay:
    """A TCP relay to a server that holds a large upload half-way (``half`` is set) until the
    test has killed the server (``go_on``), then drops the connection: a server gone mid-PUT."""

    def __init__(self, upstream_port: int, cut_after: int) -> None:
        import socket
        import threading

        self.upstream_port, self.cut_after = upstream_port, cut_after
        self.half, self.go_on = threading.Event(), threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.pipe, args=(client,), daemon=True).start()

    def pipe(self, client: object) -> None:
        import socket
        import threading

        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()  # type: ignore[attr-defined]
            return

        def back() -> None:
            try:
                while data := upstream.recv(65536):
                    client.sendall(data)  # type: ignore[attr-defined]
            except OSError:
                pass

        threading.Thread(target=back, daemon=True).start()
        sent = 0
        try:
            while data := client.recv(65536):  # type: ignore[attr-defined]
                upstream.sendall(data)
                sent += len(data)
                if sent > self.cut_after and not self.half.is_set():
                    self.half.set()
                    self.go_on.wait(120)
                    break
        except OSError:
            pass
        client.close()  # type: ignore[attr-defined]
        upstream.close()


def test_server_killed_mid_graph_store_put_keeps_the_previous_graph(bundled_build: Path, tmp_path: Path) -> None:
    """The default protocol with Oxigraph is one Graph Store PUT: killed half-way, the graph stays."""
    from stdkg.server import free_port

    target = "https://w3id.org/stdkg/graph/bps"
    location, port = tmp_path / "store", free_port()
    server = oxigraph_serve(location, port)
    relay = CuttingRelay(port, cut_after=2_000_000)
    try:
        first = run_stdkg("push", str(bundled_build), "--endpoint", f"http://127.0.0.1:{port}", "--graph", target, "--format", "json")
        assert first.returncode == 0 and json.loads(first.stdout)["method"] == "gsp", first.stderr
        previous = count_where(port, f"GRAPH <{target}> {{ ?s ?p ?o }}")
        big = tmp_path / "big.nt"
        big.write_text("".join(f"<urn:x:s{i}> <urn:x:p> \"synthetic {i}\" .\n" for i in range(300_000)), encoding="utf-8")
        push = subprocess.Popen([sys.executable, "-m", "stdkg", "push", str(big), "--endpoint", f"http://127.0.0.1:{relay.port}",
                                 "--graph", target], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "COLUMNS": "500"})
        assert relay.half.wait(120), push.communicate()  # 2 MB of the PUT have reached the server
        server.kill()
        server.wait()
        relay.go_on.set()
        _, err = push.communicate(timeout=120)
    finally:
        relay.go_on.set()
        relay.listener.close()
        if server.poll() is None:
            server.kill()
            server.wait()
    assert push.returncode == 2 and "Traceback" not in err, err
    said = " ".join(err.split())
    assert f"/store was cut off and never confirmed: stdkg did not replace <{target}>" in said, said
    server = oxigraph_serve(location, port)
    try:
        assert count_where(port, f"GRAPH <{target}> {{ ?s ?p ?o }}") == previous
        assert count_where(port, "GRAPH ?g { ?s <urn:x:p> ?o }") == 0  # nothing of the cut-off upload anywhere
    finally:
        server.kill()
        server.wait()


def test_an_output_that_cannot_be_written_is_a_clear_error(bundled_build: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    for args in (("build", "--out", str(blocker / "build")),
                 ("validate", str(bundled_build), "--report", str(blocker / "report.json")),
                 ("analyze", str(bundled_build), "--out", str(blocker / "report"), "--format", "json")):
        done = run_stdkg(*args, env={"COLUMNS": "400"})
        assert done.returncode == 2, (args, done.stderr)
        assert str(blocker) in done.stderr and "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


def test_a_full_disk_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from stdkg.atomic import atomic_write
    from stdkg.problems import StdkgError

    target = tmp_path / "report.json"
    target.write_text("previous\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StdkgError, match="No space left on device"):
        with atomic_write(target) as out:
            out.write("new\n")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # the temporary file is gone
