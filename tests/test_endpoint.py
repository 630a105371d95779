"""The library against a real Oxigraph server (the `oxigraph` package's binary, started here on
127.0.0.1) after `stdkg push`: same answers as the embedded store; push, serve, timeouts, SERVICE."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import FIXTURES, invoke, run_stdkg
from stdkg import sparql
from test_query import EXPECTED, EXPECTED_GRAPHS, HOSTILE, args_for, flat, project, rows_of


@pytest.fixture(scope="module")
def server(bundled_build: Path) -> Iterator[sparql.Server]:
    """A read-write Oxigraph server on a free port, holding the bundled build pushed by `stdkg push`."""
    started = sparql.start_server(None, "127.0.0.1", sparql.free_port(), read_only=False, timeout_s=30)
    try:
        pushed = run_stdkg("push", str(bundled_build), "--endpoint", started.url, "--format", "json")
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        report = json.loads(pushed.stdout)
        assert report["method"] == "gsp" and report["url"] == started.url + "/store" and report["graph"] is None
        assert report["triples"] == len((bundled_build / "stdkg.nt").read_text(encoding="utf-8").splitlines())
        yield started
    finally:
        started.stop()


def both(name: str, graph: Path, endpoint: str, params: dict[str, str], fmt: str = "json") -> tuple[str, str]:
    """The same query's output on the embedded store and on the endpoint."""
    local = invoke("query", name, str(graph), *args_for(params), "--format", fmt)
    remote = invoke("query", name, *args_for(params), "--endpoint", endpoint, "--format", fmt)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    return local.output, remote.output


def count_graph(server: sparql.Server, graph: str | None, tmp_path: Path) -> int:
    query = tmp_path / "count.rq"
    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    query.write_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}\n")
    result = invoke("query", str(query), "--endpoint", server.query_url, "--format", "json")
    assert result.exit_code == 0, result.output
    return int(rows_of(result.output)[1][0]["n"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_query_same_answer_on_the_server(name: str, bundled_build: Path, server: sparql.Server) -> None:
    params, columns, expected = EXPECTED[name]
    local, remote = both(name, bundled_build, server.query_url, params)
    assert remote == local
    assert project(rows_of(remote)[1], columns) == expected


@pytest.mark.parametrize("name", sorted(EXPECTED_GRAPHS))
def test_construct_query_same_graph_on_the_server(name: str, bundled_build: Path, server: sparql.Server) -> None:
    params, _, count = EXPECTED_GRAPHS[name]
    local, remote = both(name, bundled_build, server.query_url, params, "turtle")
    assert remote == local
    assert len(Graph().parse(data=remote, format="turtle")) == count


def test_table_output_same_on_the_server(bundled_build: Path, server: sparql.Server) -> None:
    local, remote = both("edition_references", bundled_build, server.query_url, {"standard": "DB31/T 685-2019"}, "table")
    assert remote == local and "GB/T 10001.9-2021" in remote and "https://" not in remote


def test_hostile_values_arrive_unchanged_at_the_server(server: sparql.Server) -> None:
    for value in HOSTILE:
        echo = invoke("query", str(FIXTURES / "query_echo_param.rq"), "--param", f"text={value}",
                      "--endpoint", server.query_url, "--format", "json")
        assert echo.exit_code == 0, echo.output
        assert rows_of(echo.output)[1] == [{"text": value, "length": str(len(value))}]
        ask = invoke("query", "title_search", "--param", f"text={value}", "--endpoint", server.query_url, "--format", "json")
        assert rows_of(ask.output)[1] == []


def test_push_replaces_a_named_graph_by_update_and_by_gsp(bundled_build: Path, server: sparql.Server, tmp_path: Path) -> None:
    graph = "https://w3id.org/stdkg/graph/test-named"
    triples = count_graph(server, None, tmp_path)
    first = invoke("push", str(bundled_build), "--endpoint", server.update_url, "--graph", graph,
                   "--protocol", "update", "--batch-size", "1000", "--format", "json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    batches = -(-triples // 1000)  # the bundled graph in batches of 1000 triples
    assert report["method"] == "update" and report["requests"] == batches + 2  # drop, the batches, move
    assert count_graph(server, graph, tmp_path) == triples
    again = invoke("push", str(bundled_build), "--endpoint", server.url, "--graph", graph)
    assert again.exit_code == 0 and "Graph Store Protocol" in again.output
    assert count_graph(server, graph, tmp_path) == triples  # replaced, not added to
    assert count_graph(server, None, tmp_path) == triples  # the default graph untouched
    leftovers = tmp_path / "leftovers.rq"
    leftovers.write_text('SELECT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), "urn:stdkg:push:")) }\n')
    assert rows_of(invoke("query", str(leftovers), "--endpoint", server.query_url, "--format", "json").output)[1] == []


class _NoGraphStore(BaseHTTPRequestHandler):
    """A server with SPARQL Update (forwarded to the real one) but no Graph Store Protocol."""

    target = ""

    def log_message(self, *args: object) -> None:
        pass

    def _refuse(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = do_PUT = _refuse

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path != "/sparql":
            self._refuse()
            return
        request = urllib.request.Request(self.target, data=body, method="POST",
                                         headers={"Content-Type": self.headers["Content-Type"]})
        with urllib.request.urlopen(request, timeout=30) as answer:
            self.send_response(answer.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_push_falls_back_to_sparql_update_without_a_graph_store(bundled_build: Path, server: sparql.Server,
                                                                tmp_path: Path) -> None:
    handler = type("Handler", (_NoGraphStore,), {"target": server.update_url})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        graph = "https://w3id.org/stdkg/graph/test-fallback"
        url = f"http://127.0.0.1:{proxy.server_address[1]}/sparql"
        result = invoke("push", str(bundled_build), "--endpoint", url, "--graph", graph, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["method"] == "update"
        assert count_graph(server, graph, tmp_path) == count_graph(server, None, tmp_path)
        forced = invoke("push", str(bundled_build), "--endpoint", url, "--protocol", "gsp")
        assert forced.exit_code == 2 and "no Graph Store Protocol endpoint found" in flat(forced.output)
    finally:
        proxy.shutdown()
        proxy.server_close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_a_server_that_does_not_answer_is_an_error_not_a_hang(bundled_build: Path, silent_port: int) -> None:
    url = f"http://127.0.0.1:{silent_port}"
    pushed = invoke("push", str(bundled_build), "--endpoint", url, "--timeout", "1")
    assert pushed.exit_code == 2 and "no answer within 1 s" in flat(pushed.output)
    asked = invoke("query", "standards_by_level", "--endpoint", url + "/query", "--timeout", "1")
    assert asked.exit_code == 2 and "no answer within 1 s" in flat(asked.output)


def test_endpoint_errors_are_exit_2(bundled_build: Path, server: sparql.Server, silent_port: int) -> None:
    nobody = f"http://127.0.0.1:{sparql.free_port()}"
    for args, message in (
            (["push", str(bundled_build), "--endpoint", nobody, "--protocol", "update"], "cannot connect"),
            (["push", str(bundled_build), "--endpoint", server.url, "--graph", "not an iri"], "--graph must be an absolute IRI"),
            (["push", str(bundled_build), "--endpoint", "ftp://example.org/"], "must be an http(s) URL"),
            (["query", "standards_by_level", "--endpoint", nobody + "/query"], "cannot reach the endpoint"),
            (["query", "standards_by_level", str(bundled_build), "--endpoint", server.query_url], "not both"),
            (["query", "standards_by_level", "--endpoint", server.query_url, "--token-env", "STDKG_NO_SUCH_VARIABLE"],
             "STDKG_NO_SUCH_VARIABLE is not set")):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert message in flat(result.output)


def test_service_and_remote_from_reach_the_network_only_when_allowed(bundled_build: Path, server: sparql.Server,
                                                                     tmp_path: Path) -> None:
    federated = tmp_path / "federated.rq"
    federated.write_text("PREFIX stdkg: <https://w3id.org/stdkg/ontology#>\n"
                         f"SELECT (COUNT(*) AS ?domains) WHERE {{ SERVICE <{server.query_url}> {{ ?d a stdkg:Domain }} }}\n")
    refused = invoke("query", str(federated), str(bundled_build))
    assert refused.exit_code == 2 and "--allow-service" in refused.output
    allowed = invoke("query", str(federated), str(bundled_build), "--allow-service", "--format", "json")
    assert allowed.exit_code == 0, allowed.output
    assert rows_of(allowed.output)[1] == [{"domains": "9"}]
    remote = tmp_path / "remote.rq"
    remote.write_text(f"SELECT (COUNT(*) AS ?triples) FROM <{server.url}/store?default> WHERE {{ ?s ?p ?o }}\n")
    assert invoke("query", str(remote), str(bundled_build)).exit_code == 2
    fetched = invoke("query", str(remote), str(bundled_build), "--allow-service", "--format", "json")
    assert fetched.exit_code == 0, fetched.output
    assert rows_of(fetched.output)[1] == [{"triples": str(count_graph(server, None, tmp_path))}]


def test_serve_answers_read_only_and_cleans_up(bundled_build: Path, tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "stdkg", "serve", str(bundled_build), "--port", "0", "--timeout", "5"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("SPARQL 端点 / endpoint: http://127.0.0.1:"), line + (process.stderr.read() if process.stderr else "")
        endpoint = line.split(": ", 1)[1].strip()
        assert any(tmp_path.glob("stdkg-oxigraph-*"))
        result = invoke("query", "standards_by_level", "--endpoint", endpoint, "--format", "json")
        assert result.exit_code == 0, result.output
        assert [r["standards"] for r in rows_of(result.output)[1]] == ["20", "11", "10"]
        update = urllib.request.Request(endpoint.replace("/query", "/update"), data=b"update=CLEAR+ALL", method="POST",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(update, timeout=10)  # read-only
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert not any(tmp_path.glob("stdkg-oxigraph-*"))  # store directory removed, server stopped
