"""Hostile content: XML entities in RDF/XML, and XLSX, never read files or explode memory."""

from __future__ import annotations

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
