"""The published site in a headless Chromium, served on 127.0.0.1 by `stdkg serve --site`'s
server: home page, search for a real standard number, its page, a reference link followed;
no console error, no request leaving 127.0.0.1; hostile titles stay text. Screenshots are kept
in build/test-artifacts/publish-browser/ (build/ is not tracked)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, serving
from stdkg.publish import publish
from stdkg.site_server import make_server
from test_analysis_report import DevTools, chromium  # noqa: F401  (the fixture)
from test_publish import HOSTILE_TITLE, hostile_build

ARTIFACTS = REPO / "build" / "test-artifacts" / "publish-browser"


def _serve(site: Path) -> Iterator[str]:
    with serving(make_server(site)) as url:
        yield url


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory, bundled_build: Path) -> Iterator[str]:
    site = tmp_path_factory.mktemp("browser") / "site"
    publish(bundled_build, site, version="test", as_of=dt.date(2025, 10, 1))
    yield from _serve(site)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile-browser")
    publish(hostile_build(root / "build"), root / "site", force=True, as_of=dt.date(2025, 10, 1))
    yield from _serve(root / "site")


def _wait(devtools: DevTools, expression: str, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = devtools.evaluate(expression)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.1)


def _navigate(devtools: DevTools, action: str) -> None:
    """Run ``action`` (a navigation in the page) and wait for the new page's load event."""
    devtools.events = [e for e in devtools.events if e.get("method") != "Page.loadEventFired"]
    devtools.evaluate(action)
    devtools.wait_for("Page.loadEventFired")


def _screenshot(devtools: DevTools, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = devtools.call("Page.captureScreenshot", format="png")
    path = ARTIFACTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.stat().st_size > 10_000
    return path


def _search(devtools: DevTools, text: str) -> None:
    devtools.evaluate(f"(() => {{ const q = document.getElementById('q'); q.value = {json.dumps(text)};"
                      " q.dispatchEvent(new Event('input')); })()")
    _wait(devtools, "document.querySelectorAll('#results li a').length > 0")


def _problems(devtools: DevTools, served: str) -> tuple[list[dict], list[str]]:  # type: ignore[type-arg]
    errors = [e for e in devtools.events
              if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    requests = [e["params"]["request"]["url"] for e in devtools.events if e.get("method") == "Network.requestWillBeSent"]
    return errors, [r for r in requests if not r.startswith((served + "/", "data:"))]


def test_home_search_page_and_reference_in_chromium(chromium: DevTools, bundled_site: str) -> None:  # noqa: F811
    devtools = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        devtools.call(f"{domain}.enable")
    devtools.call("Page.navigate", url=f"{bundled_site}/")
    devtools.wait_for("Page.loadEventFired")
    tree = str(devtools.evaluate("document.querySelector('.tree').innerText"))
    assert "老有所养" in tree and "文体服务保障" in tree
    _screenshot(devtools, "1-home")

    _search(devtools, "DB31/T 685-2019")  # a real local standard of the bundled data
    first = json.loads(str(devtools.evaluate(
        "JSON.stringify([...document.querySelectorAll('#results li')].map(li => li.innerText))")))
    assert first[0].startswith("DB31/T 685-2019")
    _screenshot(devtools, "2-search")

    _navigate(devtools, "document.querySelector('#results li a').click()")
    assert str(devtools.evaluate("location.pathname")).endswith("/standard/DB31-T-685-2019.html")
    assert "DB31/T 685-2019" in str(devtools.evaluate("document.querySelector('h1').innerText"))
    _screenshot(devtools, "3-standard")

    _navigate(devtools, "document.querySelector('a[href$=\"JGJ-450-2018.html\"]').click()")
    assert str(devtools.evaluate("location.pathname")).endswith("/standard/JGJ-450-2018.html")
    body = str(devtools.evaluate("document.body.innerText"))
    assert "JGJ 450-2018" in body and "被规范性引用" in body and "DB31/T 685-2019" in body
    _screenshot(devtools, "4-reference")

    errors, outside = _problems(devtools, bundled_site)
    assert errors == [] and outside == []


def test_hostile_titles_stay_text_in_chromium(chromium: DevTools, hostile_site: str) -> None:  # noqa: F811
    devtools = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        devtools.call(f"{domain}.enable")
    devtools.call("Page.navigate", url=f"{hostile_site}/standard/T-FIXTURE-1-2024.html")
    devtools.wait_for("Page.loadEventFired")
    assert HOSTILE_TITLE in str(devtools.evaluate("document.querySelector('h1').innerText"))
    assert devtools.evaluate("document.querySelectorAll('main script, main img').length") == 0
    _navigate(devtools, f"location.href = {json.dumps(hostile_site + '/')}")
    _search(devtools, "FIXTURE")
    assert devtools.evaluate("document.querySelectorAll('#results li').length") == 6
    assert HOSTILE_TITLE in str(devtools.evaluate("document.getElementById('results').innerText"))
    _screenshot(devtools, "5-hostile-search")
    assert devtools.evaluate("typeof window.__xss") == "undefined"
    assert devtools.evaluate("document.querySelectorAll('#results img, #results script').length") == 0
    errors, outside = _problems(devtools, hostile_site)
    assert errors == [] and outside == []
