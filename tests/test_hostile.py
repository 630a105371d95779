"""Hostile content: XML entities in RDF/XML and XLSX never read files or explode memory;
markup, quotes and ../ from the data stay inert in IRIs and in the analysis report; queries
on the embedded store open no socket."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from conftest import FIXTURES, run_stdkg

HOSTILE = FIXTURES / "hostile"


def test_external_entity_is_refused(tmp_path: Path) -> None:
    done = run_stdkg("build", "--input", str(HOSTILE / "external_entity.rdf"), "--out", str(tmp_path))
    assert done.returncode == 2 and "external_entity.rdf" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "stdkg.nt").exists()


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    done = run_stdkg("build", "--input", str(HOSTILE / "billion_laughs.rdf"), "--out", str(tmp_path))
    assert done.returncode == 2 and "billion_laughs.rdf" in done.stderr and "Traceback" not in done.stderr


def test_xlsx_with_an_external_entity_in_its_xml_is_refused(tmp_path: Path) -> None:
    """An XLSX is a zip of XML parts; openpyxl parses them with defusedxml-like safety or fails."""
    book = tmp_path / "evil.xlsx"
    sheet = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>标准号</t></is></c><c r="B1" t="inlineStr"><is><t>标准名称</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>GB/T 28220-2023</t></is></c><c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
             '</sheetData></worksheet>')
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    done = run_stdkg("build", "--input", str(book), "--out", str(tmp_path / "out"))
    assert "root:" not in done.stdout + done.stderr  # /etc/passwd never reaches output
    if done.returncode == 0:
        nt = (tmp_path / "out" / "stdkg.nt").read_text(encoding="utf-8")
        assert "root:" not in nt
    else:
        assert done.returncode == 2 and "evil.xlsx" in done.stderr and "Traceback" not in done.stderr


def test_plain_namespace_entities_in_rdf_xml_still_load(tmp_path: Path) -> None:
    owl_style = tmp_path / "note.rdf"
    owl_style.write_text("""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY dc "http://purl.org/dc/terms/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="&dc;">
  <rdf:Description rdf:about="https://w3id.org/stdkg/standard/GB-T-28220-2023"><dc:alternative>hand-made test note</dc:alternative></rdf:Description>
</rdf:RDF>
""", encoding="utf-8")
    done = run_stdkg("build", "--input", str(owl_style), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "hand-made test note" in (tmp_path / "out" / "stdkg.nt").read_text(encoding="utf-8")


def test_queries_on_the_embedded_store_open_no_socket(bundled_build: Path) -> None:
    """Every library query runs with an audit hook that fails on any network call."""
    import subprocess
    import sys

    script = f"""
import sys
def guard(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        raise RuntimeError("network used: " + event)
sys.addaudithook(guard)
from stdkg.cli import main
from stdkg.queries import library
ran = 0
for q in library():
    if q.header.get("Parameters", "").strip().lower() in ("none", "—", "-", ""):
        main(["query", q.name, {str(bundled_build)!r}, "--format", "json"], standalone_mode=False)
        ran += 1
import socket
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
except RuntimeError:
    print("guard works")
print("ran", ran)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "guard works" in done.stdout  # the hook does see a real connection attempt
    assert int(done.stdout.split()[-1]) >= 10


PAYLOAD = "<script>alert(\"x\")</script>'\"&../../evil"


def test_analysis_report_escapes_hostile_titles_and_writes_only_its_folder(tmp_path: Path) -> None:
    """Titles, labels, committee codes and an IRI with ../ from the data, in the HTML and Markdown report."""
    import re
    from html.parser import HTMLParser

    import pyoxigraph as ox

    from stdkg import paths
    from stdkg.analyze import analyze
    from stdkg.cli_analyze import write_report
    from stdkg.store import open_store
    from test_analyze import AS_OF, SMALL

    escaped = PAYLOAD.replace("\\", "\\\\").replace('"', '\\"')
    text = SMALL.read_text(encoding="utf-8")
    text = re.sub(r'"([^"\n]*)"@zh', lambda m: f'"{m.group(1)}{escaped}"@zh', text)  # every title and label
    text = re.sub(r'stdkg:committeeCode "([^"]*)"', lambda m: f'stdkg:committeeCode "{m.group(1)}{escaped}"', text)
    text = text.replace("std:GB-T-900099", "<https://w3id.org/stdkg/standard/../../../evil>")
    store = ox.Store()
    for path in (paths.ontology_dir() / "vocab.ttl", paths.ontology_dir() / "regions.ttl"):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    graph = tmp_path / "data" / "hostile.nt"
    graph.parent.mkdir()
    with open(graph, "wb") as f:
        store.dump(f, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert "../../../evil" in graph.read_text(encoding="utf-8")

    out = tmp_path / "data" / "report"
    write_report(analyze(open_store(graph), AS_OF, graph=PAYLOAD), out)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert files == ["data", "data/hostile.nt", "data/report", "data/report/analysis.json",
                     "data/report/analysis.md", "data/report/index.html"]

    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#x27;&quot;&amp;../../evil") >= 5  # it got there, inert

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: set[str] = set()
            self.values: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.add(tag)
            self.values += [value or "" for _, value in attrs]

    parsed = Tags()
    parsed.feed(html)
    assert "script" not in parsed.tags and "<script" not in html.lower()
    assert not any("evil" in value or "alert" in value for value in parsed.values)  # never in an href, id or style
    markdown = (out / "analysis.md").read_text(encoding="utf-8")
    assert "&lt;script>alert" in markdown and "<script" not in markdown
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["graph"] == PAYLOAD


def test_iris_minted_from_cells_stay_iris(tmp_path: Path) -> None:
    """A space, quotes, angle brackets or ../ in a source URL or a committee name are
    percent-encoded in the IRI minted from them; a file:// source stays a plain literal."""
    import pyoxigraph as ox

    table = tmp_path / "iri.csv"
    table.write_text("标准号,标准名称,发布日期,归口单位,来源\n"
                     "GB/T 900001-2020,合成服务规范,2020-01-01,SAC/TC ../../x,https://example.org/a b.html\n"
                     'GB/T 900002-2020,合成服务规范二,2020-01-01,"全国合成""<委员会>""","https://example.org/x""><script>"\n'
                     "GB/T 900003-2020,合成服务规范三,2020-01-01,,file:///etc/passwd\n", encoding="utf-8")
    done = run_stdkg("build", "--input", str(table), "--out", str(tmp_path / "out"), "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    quads = list(ox.parse(path=str(tmp_path / "out" / "stdkg.nt"), format=ox.RdfFormat.N_TRIPLES))
    sources = {str(q.object.value) for q in quads if q.predicate.value == "http://purl.org/dc/terms/source"}
    assert {"https://example.org/a%20b.html", "https://example.org/x%22%3E%3Cscript%3E", "file:///etc/passwd"} <= sources
    passwd = next(q.object for q in quads if q.object.value == "file:///etc/passwd")
    assert isinstance(passwd, ox.Literal)
    iris = {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    assert "https://w3id.org/stdkg/org/SAC%2FTC%20..%2F..%2Fx" in iris
    assert not any(" " in iri or "../" in iri or '"' in iri or "<" in iri for iri in iris)


def test_xlsx_zip_bomb_is_refused_before_it_is_unzipped(tmp_path: Path) -> None:
    """A 300 MiB sheet of cells in a file of a few hundred kB: refused from the zip's directory,
    with the child's peak memory far below the sheet's size."""
    import os
    import subprocess
    import sys

    from openpyxl import Workbook

    small = tmp_path / "small.xlsx"
    book = Workbook()
    book.active.append(["标准号", "标准名称", "发布日期", "来源"])
    book.save(small)
    bomb = tmp_path / "bomb.xlsx"
    row = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in ("GB/T 900001-2020", "合成服务规范", "2020-01-01", "x"))
    block = (f"<row>{row}</row>" * 1000).encode("utf-8")
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b"<sheetData>")
            for _ in range(300 * 2**20 // len(block) + 1):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 20 * 2**20

    def build(path: Path) -> tuple[int, str, int]:
        """Exit code, output and peak memory (KiB) of the build. A forked child's peak counts the
        parent's memory at the fork, so peaks are compared with the same run on a small file."""
        with (tmp_path / "log").open("w") as log:
            child = subprocess.Popen([sys.executable, "-m", "stdkg", "build", "--input", str(path), "--out",
                                      str(tmp_path / path.stem)], stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "COLUMNS": "400"})
            _, status, usage = os.wait4(child.pid, 0)
        return os.waitstatus_to_exitcode(status), " ".join((tmp_path / "log").read_text(encoding="utf-8").split()), usage.ru_maxrss

    _, _, baseline = build(small)
    code, said, peak = build(bomb)
    assert code == 2 and "over the 256 MiB limit (a zip bomb?): refused" in said, said
    assert "Traceback" not in said and not (tmp_path / "bomb").exists()
    assert peak < baseline + 64 * 1024  # KiB: far below the 300 MiB sheet it would have unpacked
