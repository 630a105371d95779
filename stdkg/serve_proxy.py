"""A small read-only proxy in front of the local Oxigraph server that bounds what one request
may cost: the size of its answer, its time, and how many run at once.

Oxigraph's server (0.5) bounds a query's time (--timeout-s) but not the size of its result:
`SELECT * WHERE { ?s ?p ?o }` on a national graph streams hundreds of megabytes. The proxy
reads the answer up to the limit; an answer that would be larger is refused whole (HTTP 500
with a reason saying so), never cut short, so no client mistakes a truncated result for the
full one. Only reads are forwarded: GET/HEAD/POST to /query, GET/HEAD of /store and the query
page at /. Memory stays below (concurrent requests) × (result limit).
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 16
MAX_QUERY_BYTES = 1 << 20  # a query text longer than 1 MiB is not a query a person wrote
FORWARDED_REQUEST_HEADERS = ("Accept", "Content-Type", "Accept-Language")
FORWARDED_RESPONSE_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "Vary")


class BoundedProxy:
    """Listen on host:port, forward reads to ``upstream`` (http://127.0.0.1:N), bound each answer."""

    def __init__(self, host: str, port: int, max_result_bytes: int, timeout_s: float, max_concurrent: int = 8) -> None:
        self.upstream = ("127.0.0.1", 0)  # set by start()
        self.max_result_bytes = max_result_bytes
        self.timeout_s = timeout_s
        self.slots = threading.BoundedSemaphore(max_concurrent)
        proxy = self

        class Handler(_Handler):
            owner = proxy

        server_class = type("ProxyServer", (_QuietServer,), {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET})
        self.httpd = server_class((host, port), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread: threading.Thread | None = None

    def start(self, upstream: str) -> None:
        """Forward to ``upstream`` (http://127.0.0.1:N) from now on, in a background thread."""
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="stdkg-serve-proxy", daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
        self.httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up mid-answer is not news; never a traceback on the user's terminal


class _Handler(BaseHTTPRequestHandler):
    owner: BoundedProxy
    server_version = "stdkg-serve"
    timeout = 60  # seconds a client may take to send its request: a stalled one does not hold a thread for ever

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # the announcement on stdout is what a user reads; no access log

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._forward(allowed=("/", "/query", "/store"))

    def do_HEAD(self) -> None:  # noqa: N802
        self._forward(allowed=("/", "/query", "/store"))

    def do_POST(self) -> None:  # noqa: N802
        self._forward(allowed=("/query",))

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse_write()

    def do_DELETE(self) -> None:  # noqa: N802
        self._refuse_write()

    def do_PATCH(self) -> None:  # noqa: N802
        self._refuse_write()

    def _refuse_write(self) -> None:
        self._answer(405, "Read Only", "此端点只读 / this endpoint is read-only\n")

    def _answer(self, status: int, reason: str, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status, reason)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self, allowed: tuple[str, ...]) -> None:
        owner = self.owner
        path = urllib.parse.urlsplit(self.path).path
        if path not in allowed:
            if path in ("/update", "/store") or self.command == "POST":
                return self._refuse_write()
            return self._answer(404, "Not Found", f"没有 {path} / no {path} here: SPARQL queries go to /query\n")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:  # a negative length would read until the client hangs up
            return self._answer(400, "Bad Request", "Content-Length 无效 / invalid Content-Length\n")
        if length > MAX_QUERY_BYTES:
            return self._answer(413, "Query Too Large", f"查询超过 {MAX_QUERY_BYTES} 字节 / the query is over {MAX_QUERY_BYTES} bytes\n")
        body = self.rfile.read(length) if length else None
        if not owner.slots.acquire(blocking=False):
            return self._answer(503, "Busy", "同时进行的查询过多，请稍后再试 / too many queries at once: try again shortly\n")
        try:
            self._relay(body)
        finally:
            owner.slots.release()

    def _relay(self, body: bytes | None) -> None:
        owner = self.owner
        deadline = time.monotonic() + owner.timeout_s + 5  # Oxigraph stops the query itself at timeout_s
        headers = {name: value for name in FORWARDED_REQUEST_HEADERS if (value := self.headers.get(name))}
        connection = http.client.HTTPConnection(*owner.upstream, timeout=owner.timeout_s + 5)
        try:
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                chunks = list(_read_bounded(response, owner.max_result_bytes, deadline))
            except _TooLarge:
                limit = owner.max_result_bytes
                return self._answer(500, f"Result Too Large (over {limit} bytes): add LIMIT",
                                    f"结果超过本端点的 {limit} 字节上限，请加 LIMIT 或缩小查询；完整的图请用 stdkg build 的输出文件 / "
                                    f"the result is larger than this endpoint's limit of {limit} bytes: add LIMIT or narrow "
                                    "the query; for the whole graph use the files stdkg build wrote\n")
            except (TimeoutError, _Late):
                return self._answer(504, "Timeout", f"查询超过 {owner.timeout_s:g} 秒 / the query took over {owner.timeout_s:g} s\n")
            except (OSError, http.client.HTTPException) as exc:
                return self._answer(502, "Bad Gateway", f"Oxigraph 服务器无应答 / the Oxigraph server did not answer ({exc})\n")
        finally:
            connection.close()  # before a whole answer was read: Oxigraph stops producing it
        data = b"".join(chunks)
        self.send_response(response.status, response.reason)
        for name in FORWARDED_RESPONSE_HEADERS:
            if value := response.getheader(name):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _TooLarge(Exception):
    pass


class _Late(Exception):
    pass


def _read_bounded(response: http.client.HTTPResponse, limit: int, deadline: float) -> Iterator[bytes]:
    """The response body in chunks; _TooLarge past ``limit`` bytes, _Late past the deadline."""
    size = 0
    while chunk := response.read1(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        if time.monotonic() > deadline:
            raise _Late
        yield chunk
