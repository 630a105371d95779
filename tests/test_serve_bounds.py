"""`stdkg serve` is read-only and bounded: a proxy in front of the real Oxigraph server refuses
writes, refuses whole (never truncates) an answer over --max-result-mb, and Oxigraph's own
--timeout stops a long query: the client gets an error, not a hang."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import invoke
from stdkg.serve_proxy import BoundedProxy
from test_query import flat, rows_of

LIMIT_MB = "0.05"  # 50 kB: the bundled graph's triples as JSON are several times that


@pytest.fixture(scope="module")
def endpoint(bundled_build: Path) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "stdkg", "serve", str(bundled_build), "--port", "0", "--timeout", "1",
                                "--max-result-mb", LIMIT_MB], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert line.startswith("SPARQL 端点 / endpoint: http://127.0.0.1:"), line
        yield line.split(": ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def http(url: str, data: bytes | None = None, method: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.reason, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.reason, exc.read()


def ask(endpoint: str, query: str) -> tuple[int, str, bytes]:
    return http(endpoint, urllib.parse.urlencode({"query": query}).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})


def test_answers_within_the_limit_pass_whole(endpoint: str) -> None:
    result = invoke("query", "standards_by_level", "--endpoint", endpoint, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["standards"] for r in rows_of(result.output)[1]] == ["20", "11", "10"]
    status, _, body = ask(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 10


def test_an_answer_over_the_limit_is_refused_whole(endpoint: str, bundled_build: Path, tmp_path: Path) -> None:
    status, reason, body = ask(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 500 and "Result Too Large (over 50000 bytes)" in reason
    assert "add LIMIT" in body.decode("utf-8") and "字节上限" in body.decode("utf-8")
    status, reason, _ = http(endpoint.replace("/query", "/store") + "?default")  # the whole graph by the Graph Store
    assert status == 500 and "Result Too Large" in reason
    everything = tmp_path / "everything.rq"
    everything.write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    result = invoke("query", str(everything), "--endpoint", endpoint)
    assert result.exit_code == 2 and "larger than this endpoint's limit of 50000 bytes: add LIMIT" in flat(result.output)
    assert (bundled_build / "stdkg.nt").stat().st_size > 50_000  # the refusal was not for an empty graph


def test_writes_are_refused_before_they_reach_the_server(endpoint: str) -> None:
    base = endpoint.removesuffix("/query")
    for url, method, body in ((base + "/update", "POST", b"update=CLEAR+ALL"), (base + "/store?default", "PUT", b""),
                              (base + "/store?default", "POST", b"<urn:x:a> <urn:x:b> <urn:x:c> ."),
                              (base + "/store?default", "DELETE", None)):
        status, reason, answer = http(url, body, method, {"Content-Type": "application/n-triples"})
        assert (status, reason) == (405, "Read Only") and "read-only" in answer.decode("utf-8"), (url, method)
    status, _, body = ask(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200 and b'"0"' not in body


def test_a_query_past_the_timeout_is_an_error_not_a_hang(endpoint: str) -> None:
    status, _, _ = ask(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert status >= 500  # Oxigraph stopped it at --timeout 1; the proxy passes the error on


class Endless(BaseHTTPRequestHandler):
    """An upstream that never stops answering: the proxy must stop reading at the limit."""

    closed = threading.Event()  # set when the reader hung up: it stopped reading

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"x" * 65536)
        except OSError:
            Endless.closed.set()


def test_the_proxy_stops_reading_an_endless_answer_at_the_limit() -> None:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy = BoundedProxy("127.0.0.1", 0, 1_000_000, timeout_s=30)
    proxy.start(f"http://127.0.0.1:{upstream.server_address[1]}")
    try:
        status, reason, _ = http(f"http://127.0.0.1:{proxy.port}/query?query=SELECT")
        assert status == 500 and "over 1000000 bytes" in reason
        assert Endless.closed.wait(60)  # the proxy hung up on the endless answer rather than read on
    finally:
        proxy.close()
        upstream.shutdown()
        upstream.server_close()


def test_a_negative_content_length_is_refused_at_once(endpoint: str) -> None:
    """rfile.read(-5) would wait for the client to hang up, holding a proxy thread for a minute."""
    import socket

    parts = urllib.parse.urlsplit(endpoint)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/sparql-query\r\n"
                     "Content-Length: -5\r\n\r\n".encode())
        status = sock.recv(200).split(b"\r\n", 1)[0]  # the socket timeout fails the test if no answer comes
    assert status.split()[1] == b"400", status
