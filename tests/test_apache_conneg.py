"""The Apache rules `stdkg publish` writes (.htaccess), in a real Apache httpd on 127.0.0.1.

Debian's apache2-bin, installed by scripts/setup-test-env. The server is configured as the
.htaccess's own header tells an administrator to (AllowOverride FileInfo Indexes
Options=MultiViews), so a line Apache refuses there fails this test instead of a user's site.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from stdkg.publish import publish

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
HTTPD_CONF = """ServerRoot {root}
Listen 127.0.0.1:{port}
PidFile {root}/httpd.pid
ErrorLog {root}/error.log
LogLevel warn
{modules}
TypesConfig /etc/mime.types
ServerName 127.0.0.1
{user}
DocumentRoot {site}
DirectoryIndex index.html
<Directory {site}>
    AllowOverride FileInfo Indexes Options=MultiViews
    Require all granted
</Directory>
"""
MODULE_NAMES = ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers", "unixd")
RESOURCE = "/standard/GB-T-28220-2023"
ITEM = "/bps/item/%E9%A2%84%E9%98%B2%E6%8E%A5%E7%A7%8D"  # 预防接种


@pytest.fixture(scope="module")
def apache_site(bundled_build: Path) -> Iterator[tuple[str, Path, Path]]:
    """(url, site, server root) of the bundled build published and served by Apache."""
    assert Path(APACHE).is_file(), "Apache is not installed: run scripts/setup-test-env (installs apache2-bin)"
    # Apache's workers drop root for `nobody`, so the site lives in a folder they can read
    # (pytest's own temporary folders are private to root).
    top = Path(tempfile.mkdtemp(prefix="stdkg-apache-"))
    try:
        top.chmod(0o755)
        site, root = top / "site", top / "server"
        root.mkdir()
        publish(bundled_build, site, as_of=dt.date(2025, 6, 30))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        modules = "\n".join(f"LoadModule {name}_module {MODULES / f'mod_{name}.so'}" for name in MODULE_NAMES
                            if (MODULES / f"mod_{name}.so").exists())  # unixd is built in on Debian
        user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
        conf = root / "httpd.conf"
        conf.write_text(HTTPD_CONF.format(root=root, port=port, modules=modules, user=user, site=site), encoding="utf-8")
        check = subprocess.run([APACHE, "-t", "-f", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        server = subprocess.Popen([APACHE, "-D", "FOREGROUND", "-f", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    urllib.request.urlopen(url + "/", timeout=5).close()
                    break
                except OSError:
                    log = root / "error.log"
                    assert time.monotonic() < deadline and server.poll() is None, log.read_text() if log.exists() else "no log"
                    time.sleep(0.1)
            yield url, site, root
        finally:
            server.terminate()
            server.wait(timeout=15)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _get(url: str, accept: str) -> tuple[int, str, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.headers.get("Vary", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), "", b""


def test_apache_negotiates_html_turtle_and_jsonld(apache_site: tuple[str, Path, Path]) -> None:
    url, site, root = apache_site
    for accept, media, suffix in (("text/html,*/*;q=0.8", "text/html", ".html"), ("text/turtle", "text/turtle", ".ttl"),
                                  ("application/ld+json", "application/ld+json", ".jsonld")):
        status, kind, vary, body = _get(url + RESOURCE, accept)
        assert status == 200 and kind.startswith(media) and "Accept" in vary, (accept, status, kind, vary)
        assert body == (site / (RESOURCE[1:] + suffix)).read_bytes(), accept
    status, kind, _, body = _get(url + ITEM, "text/turtle")
    assert status == 200 and kind.startswith("text/turtle") and "预防接种".encode() in body
    status, kind, _, body = _get(url + "/", "text/html")
    assert status == 200 and kind.startswith("text/html") and b"<!DOCTYPE html>" in body
    assert "Options not allowed" not in (root / "error.log").read_text(encoding="utf-8")


def test_apache_serves_a_page_that_is_also_a_folder(apache_site: tuple[str, Path, Path]) -> None:
    """/bps is bps.html, bps.ttl or bps.jsonld although bps/ is a folder (no 301 to /bps/),
    as nginx's try_files and `stdkg serve --site` have it."""
    url, site, _ = apache_site
    assert (site / "bps").is_dir()
    for accept, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"), ("text/html", ".html")):
        status, _, _, body = _get(url + "/bps", accept)
        assert status == 200 and body == (site / f"bps{suffix}").read_bytes(), accept


def test_apache_hides_dotfiles_but_serves_void_as_turtle(apache_site: tuple[str, Path, Path]) -> None:
    url, site, _ = apache_site
    for hidden in ("/.htaccess", "/.stdkg-site.json", "/standard/.htaccess", "/reports/.x"):
        status, _, _, _ = _get(url + hidden, "*/*")
        assert status in (403, 404), hidden
    status, kind, _, body = _get(url + "/.well-known/void", "*/*")
    assert status == 200 and kind.startswith("text/turtle") and body == (site / ".well-known/void").read_bytes()
    status, kind, _, _ = _get(url + "/dumps/stdkg.nt.gz", "*/*")
    assert status == 200 and kind == "application/gzip"
