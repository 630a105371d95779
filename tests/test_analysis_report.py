"""The analysis report: a self-contained HTML page (checked in a headless Chromium over the
DevTools protocol: heatmap, charts, Chinese labels, no console errors, no request leaving the
page's own server), Markdown and terminal text from the same sections."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shlex
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rich.console import Console

from conftest import REPO, run_stdkg, serving
from stdkg.analysis_report import as_markdown, print_text, sections
from stdkg.analyze import analyze
from stdkg.analyze_html import render_html
from stdkg.cli_analyze import write_report
from stdkg.store import open_store
from test_analyze import AS_OF, build_small

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, bundled_build: Path) -> dict[str, Path]:
    """The report of the bundled data and of the small hand-made graph, each in its own folder."""
    root = tmp_path_factory.mktemp("reports")
    small = build_small(root)
    out = {}
    for name, graph in (("bundled", bundled_build), ("small", small)):
        write_report(analyze(open_store(graph), AS_OF, graph=name), root / name)
        out[name] = root / name
    return out


def test_html_is_self_contained(reports: dict[str, Path]) -> None:
    for folder in reports.values():
        html = (folder / "index.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
        assert "<script" not in html and "@import" not in html
        links = re.findall(r'(?:src|href)="([^"]*)"', html) + re.findall(r"url\(([^)]*)\)", html)
        assert links and all(link.startswith(("#", "data:")) for link in links), links
        for chart in ("heatmap-coverage", "heatmap-standards", "chart-provinces", "hub-0"):
            assert f'id="{chart}"' in html, chart


def test_html_shows_the_numbers_of_the_document(reports: dict[str, Path]) -> None:
    html = (reports["small"] / "index.html").read_text(encoding="utf-8")
    assert "1/3" in html  # 合成领域甲 × 服务流程与质量: one of three items covered
    assert "100% (1/1)" in html  # 北京市 supports the one standard that calls for counterparts
    assert "GB/T 900030 → GB/T 900031 → GB/T 900032 → GB/T 900030" in html
    real = (reports["bundled"] / "index.html").read_text(encoding="utf-8")
    assert "公共图书馆业务规范 第1部分：省级公共图书馆" in real and "农村免费孕前优生健康检查" in real


def test_markdown_and_text_come_from_the_same_sections(reports: dict[str, Path]) -> None:
    doc = json.loads((reports["small"] / "analysis.json").read_text(encoding="utf-8"))
    titles = [s.title for s in sections(doc)]
    markdown = as_markdown(doc)
    console = Console(record=True, width=200)
    print_text(console, doc)
    text = console.export_text()
    for title in titles:
        assert f"## {title}" in markdown and title in text
    assert "| 合成领域甲 | 6 | 3 | 1 | 0 | 1 | 0 | 0 | 1 | 33.3% | 8.3% |" in markdown
    limited = as_markdown(doc, 1)
    assert "1 more rows" in limited  # a cut table says how much is left out


def test_html_is_deterministic(bundled_build: Path) -> None:
    store = open_store(bundled_build)
    first = render_html(analyze(store, dt.date(2025, 10, 1)))
    assert render_html(analyze(store, dt.date(2025, 10, 1))) == first


# -------------------------------------------------------------------------- headless Chromium

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def served(reports: dict[str, Path]) -> Iterator[str]:
    """The reports folder over HTTP on 127.0.0.1, a free port, in a thread."""
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(reports["bundled"].parent)))) as url:
        yield url


class DevTools:
    """Just enough of the Chrome DevTools protocol: commands by id, events collected on the way."""

    def __init__(self, url: str) -> None:
        import websocket  # websocket-client, a test extra

        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []  # type: ignore[type-arg]

    def call(self, method: str, **params: object) -> dict:  # type: ignore[type-arg]
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            assert time.monotonic() < deadline, f"no {method} within {timeout} s"
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    # The browser is part of the test set-up (scripts/setup-test-env), not optional: fail, never skip.
    assert CHROMIUM is not None, "chromium is not installed: bash scripts/setup-test-env installs Debian's chromium"
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    assert fonts.strip(), "no CJK font: bash scripts/setup-test-env installs fonts-noto-cjk"
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "--window-size=1300,1600", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None and time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        devtools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield devtools
        devtools.ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


PAGE_FACTS = """JSON.stringify({
  heatmap: document.querySelectorAll('#heatmap-coverage rect.cell').length,
  standardsMap: document.querySelectorAll('#heatmap-standards rect.cell').length,
  provinceBars: document.querySelectorAll('#chart-provinces rect.bar').length,
  hubs: document.querySelectorAll('svg.chart circle.hub').length,
  heatmapText: document.querySelector('#heatmap-coverage').textContent,
  provinceText: document.querySelector('#chart-provinces').textContent,
  heatmapWidth: document.querySelector('#heatmap-coverage').getBoundingClientRect().width,
  title: document.title
})"""


@pytest.mark.parametrize("report", ["bundled", "small"])
def test_report_in_headless_chromium(report: str, chromium: DevTools, served: str, tmp_path: Path) -> None:
    devtools = chromium
    for domain in ("Page", "Runtime", "Log", "Network"):
        devtools.call(f"{domain}.enable")
    url = f"{served}/{report}/index.html"
    devtools.call("Page.navigate", url=url)
    devtools.wait_for("Page.loadEventFired")
    facts = json.loads(str(devtools.evaluate(PAGE_FACTS)))
    domains = 10 if report == "bundled" else 3  # nine domains and the items placed in none; three
    assert facts["heatmap"] == domains * 4 and facts["standardsMap"] > 0 and facts["hubs"] >= 1
    assert facts["provinceBars"] >= 4 and facts["heatmapWidth"] > 500
    for label in ("设施设备资源配置", "服务流程与质量", "运行管理", "绩效评价"):
        assert label in facts["heatmapText"]
    assert ("陕西省" if report == "bundled" else "北京市") in facts["provinceText"]
    assert "标准体系分析" in facts["title"]
    metrics = devtools.call("Page.getLayoutMetrics")["cssContentSize"]
    shot = devtools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1})
    picture = tmp_path / f"report-{report}.png"
    picture.write_bytes(base64.b64decode(shot["data"]))
    assert picture.stat().st_size > 50_000
    errors = [e for e in devtools.events
              if (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in devtools.events if e.get("method") == "Network.requestWillBeSent"]
    assert requests and all(r.startswith((served, "data:")) for r in requests), requests


# ------------------------------------------------------------------------------- the README

@pytest.mark.parametrize("command", ['stdkg analyze build/ --as-of 2025-10-01 --out report/', 'stdkg impact "GB/T 33528-2017"'])
def test_readme_analysis_output_is_real(command: str, bundled_build: Path, tmp_path: Path) -> None:
    """The README's analysis examples show what the commands print."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```console\n(.*?)```", readme, flags=re.S) if b.startswith(f"$ {command}\n")]
    assert blocks, f"the README lost its example of {command}"
    (tmp_path / "build").symlink_to(bundled_build, target_is_directory=True)
    done = run_stdkg(*shlex.split(command)[1:], cwd=tmp_path, env={"COLUMNS": "140"})
    assert done.returncode == 0, done.stderr
    printed = [line.rstrip() for line in done.stdout.splitlines()]
    shown = [line.rstrip() for line in blocks[0].splitlines()[1:] if line.strip() and line.strip() != "…"]
    assert shown and all(line in printed for line in shown), [line for line in shown if line not in printed]
