"""A local read-only SPARQL endpoint: Oxigraph's own server over a copy of the built graph."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .problems import StdkgError
from .serve_proxy import BoundedProxy
from .store import graph_file

def oxigraph_binary() -> str:
    """The Oxigraph server binary that the `oxigraph` package installs beside this Python."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise StdkgError("找不到 Oxigraph 服务器程序，请安装：pip install oxigraph / the Oxigraph server binary was not found: "
                     "pip install oxigraph (stdkg depends on it)")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running Oxigraph server on a temporary store directory; stop() ends it and removes the directory."""

    process: subprocess.Popen[bytes]
    url: str  # http://host:port (the bounding proxy's, when there is one)
    location: Path
    proxy: BoundedProxy | None = None

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.close()
            self.proxy = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.location, ignore_errors=True)


def start_server(graph: Path | None = None, host: str = "127.0.0.1", port: int = 7878, *, read_only: bool = True,
                 timeout_s: int | None = 30, union_default_graph: bool = False, wait: float = 30.0,
                 max_result_bytes: int | None = None) -> Server:
    """Start Oxigraph's own HTTP server (SPARQL 1.1 Protocol, Graph Store Protocol) over a copy of the graph.

    The graph is bulk-loaded (`oxigraph load`) into a fresh temporary store directory, then
    `oxigraph serve-read-only` (or `serve`, read-write, when read_only is False) answers on host:port.
    With max_result_bytes, Oxigraph listens on a private loopback port instead and a read-only
    proxy (stdkg.serve_proxy) answers on host:port, refusing any answer larger than that.
    """
    binary = oxigraph_binary()
    proxy = None
    if max_result_bytes is not None:
        if not read_only:
            raise ValueError("a result limit is for the read-only endpoint")
        try:  # bound first: a port in use is said at once, and port 0 gets its number here
            proxy = BoundedProxy(host, port, max_result_bytes, timeout_s or 30)
        except OSError as exc:
            raise StdkgError(f"无法监听 {host}:{port} / cannot listen on {host}:{port} ({exc})") from exc
        public = f"http://{f'[{host}]' if ':' in host else host}:{proxy.port}"
        host, port = "127.0.0.1", 0
    port = port or free_port(host)
    location = Path(tempfile.mkdtemp(prefix="stdkg-oxigraph-"))
    try:
        if graph is not None:
            source = graph_file(graph)
            loaded = subprocess.run([binary, "load", "--location", str(location), "--file", str(source)],
                                    capture_output=True, text=True, timeout=3600)
            if loaded.returncode != 0:
                raise StdkgError(f"{source}: Oxigraph 无法载入 / Oxigraph could not load it: {loaded.stderr.strip()[-500:]}")
        args = [binary, "serve-read-only" if read_only else "serve", "--location", str(location),
                "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
        if timeout_s:
            args += ["--timeout-s", str(timeout_s)]
        if union_default_graph:
            args.append("--union-default-graph")
        log = (location / "server.log").open("wb")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
    except BaseException:
        shutil.rmtree(location, ignore_errors=True)
        if proxy is not None:
            proxy.close()
        raise
    server = Server(process, f"http://{f'[{host}]' if ':' in host else host}:{port}", location, proxy)
    deadline = time.monotonic() + wait
    probe = server.query_url + "?query=" + urllib.parse.quote("ASK {}")
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # our own server: never via a proxy
    while True:
        if process.poll() is not None:
            message = (location / "server.log").read_text(errors="replace").strip()[-500:]
            server.stop()
            raise StdkgError(f"Oxigraph 服务器未能启动 / the Oxigraph server did not start ({host}:{port}): {message}")
        try:
            with direct.open(probe, timeout=1) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise StdkgError(f"Oxigraph 服务器 {wait:g} 秒内未就绪 / the Oxigraph server was not ready within {wait:g} s")
        time.sleep(0.05)
    if proxy is not None:
        proxy.start(server.url)
        server.url = public
    return server


def serve_forever(server: Server, announce: Callable[[str], None]) -> None:
    """Block until Ctrl-C or SIGTERM, then stop the server (and remove its store directory)."""
    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        announce(server.url)
        server.process.wait()
        message = (server.location / "server.log").read_text(errors="replace").strip()[-500:]
        raise StdkgError(f"Oxigraph 服务器意外退出 / the Oxigraph server exited: {message}")
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
