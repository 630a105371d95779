"""`stdkg serve --site SITE`: preview a published site with real content negotiation.

A small ``http.server`` on 127.0.0.1 by default: a request for a resource path (no suffix)
gets its ``.html``, ``.ttl`` or ``.jsonld`` file by the Accept header (``Vary: Accept``,
``Content-Location`` naming the file), as the generated nginx and Apache rules do. Files are
served as they are. Paths are resolved inside the site folder only, and hidden names
(``.htaccess``, the site marker) are not served.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .problems import StdkgError
from .publish_conneg import MEDIA_TYPES, choose


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files plus Accept-based choice among P.html, P.ttl and P.jsonld."""

    server_version = "stdkg-site"

    def __init__(self, *args: object, directory: str, quiet: bool = False, **kwargs: object) -> None:
        self.quiet = quiet
        super().__init__(*args, directory=directory, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.quiet:
            super().log_message(format, *args)

    def guess_type(self, path: str | Path) -> str:  # type: ignore[override]
        return MEDIA_TYPES.get(Path(str(path)).suffix.lower()) or super().guess_type(path)

    def _resolve(self) -> tuple[Path | None, str | None]:
        """(file to send, its URL path when negotiated) for the request path, or (None, None).

        The order is the generated nginx rule's, ``try_files $uri$stdkg_suffix $uri $uri/``:
        the negotiated representation first, so ``/bps`` is ``bps.html`` (or ``bps.ttl``)
        although a folder ``bps/`` exists; then the file itself; then a folder's index.html.
        Hidden names (``.htaccess``, the site marker) are never served; ``.well-known/`` is
        the one exception, as it is a published part of the site (VoID).
        """
        root = Path(self.directory).resolve()
        url = urlsplit(self.path).path
        raw = unquote(url)
        segments = [s for s in raw.split("/") if s]
        if "\x00" in raw or "\\" in raw or any(s.startswith(".") for s in segments[1:]) or \
                (segments and segments[0].startswith(".") and segments[0] != ".well-known"):
            return None, None  # also every '.' and '..' segment: nothing outside the site
        target = (root / "/".join(segments)).resolve()
        if target != root and root not in target.parents:
            return None, None
        if segments and not raw.endswith("/"):
            suffix = choose(self.headers.get("Accept"))
            for candidate in (suffix, ".html"):
                found = target.with_name(target.name + candidate)
                if found.is_file():
                    return found, url + candidate
            if target.is_file():
                return target, None
        if target.is_dir():
            index = target / "index.html"
            return (index, None) if index.is_file() else (None, None)
        return None, None

    def send_head(self):  # type: ignore[no-untyped-def]
        found, location = self._resolve()
        if found is None:
            self.send_error(404, "Not found")  # the status line is Latin-1 only
            return None
        data = found.open("rb")
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(found))
        self.send_header("Content-Length", str(found.stat().st_size))
        self.send_header("Vary", "Accept")
        if location:
            self.send_header("Content-Location", location)
        self.end_headers()
        return data


def make_server(site: Path, host: str = "127.0.0.1", port: int = 0, quiet: bool = True) -> ThreadingHTTPServer:
    """A server for ``site`` (not started); port 0 picks a free one."""
    if not (site / "index.html").is_file():
        raise StdkgError(f"{site}: 不是已发布的站点（缺少 index.html），请先运行 stdkg publish / "
                         "not a published site (no index.html): run `stdkg publish` first")
    try:
        return ThreadingHTTPServer((host, port), partial(SiteHandler, directory=str(site.resolve()), quiet=quiet))
    except OSError as exc:
        raise StdkgError(f"无法在 {host}:{port} 监听 / cannot listen on {host}:{port} ({exc})") from exc


def serve_site(site: Path, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve until Ctrl-C."""
    server = make_server(site, host, port, quiet=False)
    announce(f"http://{host}:{server.server_address[1]}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def announce_site(url: str) -> None:
    """What `stdkg serve --site` prints once it listens (flushed: tests and scripts read it)."""
    print(f"站点 / site: {url}/ ；按 Ctrl-C 停止 / Ctrl-C to stop", flush=True)
