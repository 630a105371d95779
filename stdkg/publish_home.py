"""The site's front: home page (domain → category → item tree with counts, links to the
dumps, the dataset description and the reports), the client-side search and the stylesheet.

The search index is a script (``search-index.js`` sets ``window.STDKG_SEARCH``), not JSON
fetched by XHR, so it loads from file:// as well as from any static server; the search code
builds results with ``textContent`` only, so no title can inject markup. No CDN, no network.
"""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import quote

from .publish_graph import STDKG_NS, GraphIndex
from .publish_pages import page
from .publish_paths import url_path

DOMAIN, SERVICE_ITEM = f"<{STDKG_NS}domain>", f"<{STDKG_NS}serviceItem>"
COUNTED = {"StandardEdition": ("标准版本", "editions"), "Standard": ("标准（作品）", "standards (works)"),
           "ExternalStub": ("外部引用占位", "external stubs"), "TechnicalCommittee": ("技术委员会", "technical committees"),
           "Domain": ("领域", "domains"), "ServiceCategory": ("服务类别", "service categories"),
           "ServiceItem": ("服务项目", "service items"), "Region": ("地区", "regions")}

CSS = """
:root { --ink: #1d2733; --muted: #5b6775; --line: #d9dee5; --accent: #0b5cad; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       color: var(--ink); background: var(--bg); line-height: 1.55; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: baseline; justify-content: space-between;
         padding: .7rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
header .home { font-weight: 700; color: var(--ink); text-decoration: none; }
header nav a { margin-left: 1rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .6rem 0; } h1 .number { margin-right: .6rem; }
h1 .en, [lang="en"] { color: var(--muted); }
h1 .en { display: block; font-size: 1.05rem; font-weight: 400; }
.iri code { font-size: .85rem; color: var(--muted); word-break: break-all; }
table { border-collapse: collapse; width: 100%; background: #fff; margin: .5rem 0 1.2rem; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; vertical-align: top; text-align: left; }
th { width: 16rem; font-weight: 600; background: #fbfcfd; }
ul.values { margin: 0; padding-left: 1.1rem; }
li.more { color: var(--muted); list-style: none; }
small { color: var(--muted); }
section { border-top: 1px solid var(--line); margin-top: 1rem; }
.tree ul { list-style: none; padding-left: 1.3rem; margin: .2rem 0; }
.tree > ul { padding-left: 0; }
.count { color: var(--muted); font-size: .9rem; }
#search input { width: 100%; font-size: 1.1rem; padding: .5rem .7rem; border: 1px solid var(--line); border-radius: 4px; }
#results li { margin: .25rem 0; }
#results .number { font-weight: 600; margin-right: .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .6rem; padding: 0; }
.cards li { list-style: none; background: #fff; border: 1px solid var(--line); padding: .6rem .8rem; border-radius: 4px; }
"""

SEARCH_JS = r"""
// Client-side search over standard numbers and titles (zh / en); no network, no CDN.
(function () {
  var input = document.getElementById('q'), list = document.getElementById('results'),
      status = document.getElementById('search-status'), loading = false;
  function norm(text) {
    return (text || '').normalize('NFKC').toLowerCase().replace(/[\s\/\-\u2014\u2013_.:：]/g, '');
  }
  function load(then) {
    if (window.STDKG_SEARCH) { then(); return; }
    if (loading) { return; }
    loading = true;
    var script = document.createElement('script');
    script.src = 'search-index.js';
    script.onload = function () { loading = false; then(); };
    document.head.appendChild(script);
  }
  function run() {
    var raw = input.value.trim(), q = norm(raw), lower = raw.toLowerCase();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!q) { status.textContent = ''; return; }
    load(function () {
      if (input.value.trim() !== raw) { return; }
      var hits = [];
      window.STDKG_SEARCH.forEach(function (row) {
        var number = norm(row[0]), rank = -1;
        if (number === q) { rank = 0; }
        else if (number.indexOf(q) === 0) { rank = 1; }
        else if (number.indexOf(q) > 0) { rank = 2; }
        else if ((row[1] || '').indexOf(raw) >= 0 || (row[2] || '').toLowerCase().indexOf(lower) >= 0) { rank = 3; }
        if (rank >= 0) { hits.push([rank, row]); }
      });
      hits.sort(function (a, b) { return a[0] - b[0] || (a[1][0] < b[1][0] ? -1 : a[1][0] > b[1][0] ? 1 : 0); });
      hits.slice(0, 50).forEach(function (hit) {
        var row = hit[1], li = document.createElement('li'), a = document.createElement('a'),
            number = document.createElement('span');
        number.className = 'number';
        number.textContent = row[0];
        a.href = row[3];
        a.appendChild(number);
        a.appendChild(document.createTextNode(row[1] || row[2] || ''));
        li.appendChild(a);
        if (row[1] && row[2]) {
          var en = document.createElement('span');
          en.lang = 'en';
          en.textContent = ' / ' + row[2];
          li.appendChild(en);
        }
        list.appendChild(li);
      });
      status.textContent = hits.length + ' 条结果 / results' + (hits.length > 50 ? '（显示前 50 条 / first 50 shown）' : '');
    });
  }
  input.addEventListener('input', run);
  if (input.value) { run(); }
})();
"""


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def search_index(index: GraphIndex) -> str:
    """``search-index.js``: [number, zh title, en title, page] of every standard with a page."""
    rows = []
    for iri, number in index.identifier.items():
        path = index.paths.get(iri)
        if path is None or "#" in iri or not any(index.has_type(iri, t) for t in ("StandardEdition", "Standard", "ExternalStub")):
            continue
        rows.append([number, index.label_zh.get(iri, ""), index.label_en.get(iri, ""), url_path(path) + ".html"])
    rows.sort(key=lambda row: (_natural(row[0]), row[3]))
    return "window.STDKG_SEARCH=" + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n"


def _standards(index: GraphIndex, iri: str, predicate: str) -> set[str]:
    return {s for p, s in index.incoming.get(iri, ()) if p == predicate}


def _node(index: GraphIndex, iri: str, count: int) -> str:
    path = index.paths.get(iri)
    zh, en = index.label_zh.get(iri, ""), index.label_en.get(iri, "")
    name = escape(zh or en or iri) + (f' <span lang="en">/ {escape(en)}</span>' if zh and en else "")
    link = f'<a href="{escape(url_path(path))}.html">{name}</a>' if path else name
    return f'{link} <span class="count">({count})</span>'


def tree(index: GraphIndex) -> str:
    """Domain → category → service item, each with the number of standards linked to it."""
    def members(kind: str) -> list[str]:
        return [iri for iri in index.types if index.has_type(iri, kind)]

    def order(iris: list[str]) -> list[str]:
        return sorted(iris, key=lambda iri: (_natural(iri.rsplit("/", 1)[-1]), iri))

    categories, items = members("ServiceCategory"), members("ServiceItem")
    children: dict[str, list[str]] = {}
    for iri in categories + items:
        for parent in index.broader.get(iri, ()):
            children.setdefault(parent, []).append(iri)
    out = ['<div class="tree"><ul>']
    for domain in order(members("Domain")):
        out.append(f"<li>{_node(index, domain, len(_standards(index, domain, DOMAIN)))}<ul>")
        for child in order(children.get(domain, [])):
            if child in categories:
                category_items = order([i for i in children.get(child, []) if i in items])
                linked = set().union(*(_standards(index, i, SERVICE_ITEM) for i in category_items)) if category_items else set()
                out.append(f"<li>{_node(index, child, len(linked))}<ul>")
                out.extend(f"<li>{_node(index, item, len(_standards(index, item, SERVICE_ITEM)))}</li>" for item in category_items)
                out.append("</ul></li>")
            else:  # an item the source placed in no category hangs under its domain
                out.append(f"<li>{_node(index, child, len(_standards(index, child, SERVICE_ITEM)))} "
                           f'<small>未归类 / unplaced</small></li>')
        out.append("</ul></li>")
    out.append("</ul></div>")
    return "\n".join(out)


def home_page(index: GraphIndex, title_zh: str, title_en: str, links: list[tuple[str, str, str]],
              validated: bool) -> str:
    """index.html; ``links`` are (href, zh, en) of dumps, reports and extra pages."""
    counts = {kind: sum(1 for iri in index.types if index.has_type(iri, kind)) for kind in COUNTED}
    figures = "".join(f"<li><strong>{counts[k]}</strong> {zh} <span lang=\"en\">/ {en}</span></li>"
                      for k, (zh, en) in COUNTED.items() if counts[k])
    link_items = "".join(f'<li><a href="{escape(quote(href, safe="/.#-_"))}">{escape(zh)} <span lang="en">/ {escape(en)}</span></a></li>'
                         for href, zh, en in links)
    warning = "" if validated else ('<p class="warning"><strong>未经一致性检查 / Not validated:</strong> '
                                    "本版本以 --force 发布 / this release was published with --force.</p>")
    body = (f"<h1>{escape(title_zh)} <span lang=\"en\" class=\"en\">{escape(title_en)}</span></h1>\n{warning}"
            f'<ul class="cards">{figures}</ul>\n'
            '<section id="search"><h2>检索 / Search</h2>\n'
            '<label for="q">标准号或标题 / standard number or title</label>\n'
            '<input id="q" type="search" autocomplete="off" placeholder="GB/T 28220 · 公共图书馆 · library">\n'
            '<p id="search-status" class="count" aria-live="polite"></p><ol id="results"></ol></section>\n'
            f'<section><h2>领域 — 服务类别 — 服务项目 / Domains — categories — service items</h2>\n'
            f'<p class="count">括号内为关联的标准版本数 / in brackets: standards linked</p>\n{tree(index)}</section>\n'
            f'<section><h2>下载与报告 / Downloads and reports</h2><ul>{link_items}</ul></section>\n')
    return page(f"{title_zh} / {title_en}", body, "index", alternates=False,
                extra_head='<script src="assets/search.js" defer></script>\n')
