"""`stdkg publish`: the site's RDF parses everywhere and equals the graph, the description is
DCAT-AP valid, pages show what the graph says (as text, never as markup), paths never leave
the site, the gate holds, and a site appears whole or not at all."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF

from conftest import REPO, run_stdkg, serving
from stdkg import publish as publish_module
from stdkg.problems import StdkgError
from stdkg.publish import MARKER, GateFailed, publish
from stdkg.publish_conneg import choose
from stdkg.publish_paths import relative_link, site_path
from stdkg.serialize import sorted_rows, write_ntriples
from stdkg.site_server import make_server
from stdkg.validate import shapes_files

BASE = "https://w3id.org/stdkg/"
AS_OF = dt.date(2025, 10, 1)
SPDX = "http://spdx.org/rdf/terms#"
DCAT_AP = REPO / "shapes" / "publishing" / "dcat-ap.ttl"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, bundled_build: Path) -> Path:
    out = tmp_path_factory.mktemp("publish") / "site"
    report = publish(bundled_build, out, version="2025.1", as_of=AS_OF, endpoint="http://127.0.0.1:7878/query",
                     extra_files={"changelog.html": "<!DOCTYPE html><title>c</title><p>变更 / changes</p>".encode()})
    assert report.validated and report.violations == 0 and report.documents > 250
    return out


def _graph(path: Path, fmt: str) -> Graph:
    graph = Graph()
    if path.suffix == ".gz":
        graph.parse(data=gzip.decompress(path.read_bytes()).decode("utf-8"), format=fmt)
    else:
        graph.parse(path, format=fmt)
    return graph


def _description(source: Graph, document: str) -> set[tuple[object, object, object]]:
    """The graph's own triples about a document: its subject and its hash IRIs."""
    return {t for t in source if str(t[0]) == document or str(t[0]).startswith(document + "#")}


# ------------------------------------------------------------------------------------- dumps

@pytest.mark.parametrize("name,fmt", [("stdkg.ttl", "turtle"), ("stdkg.nt.gz", "nt"), ("stdkg.jsonld", "json-ld")])
def test_dumps_reload_isomorphic_to_the_source(site: Path, bundled_graph: Graph, name: str, fmt: str) -> None:
    assert isomorphic(_graph(site / "dumps" / name, fmt), bundled_graph)


def test_dumps_parse_with_independent_parsers(site: Path, bundled_graph: Graph, tmp_path: Path) -> None:
    nt = tmp_path / "stdkg.nt"
    nt.write_bytes(gzip.decompress((site / "dumps/stdkg.nt.gz").read_bytes()))
    for path, syntax in ((site / "dumps/stdkg.ttl", "turtle"), (nt, "ntriples")):
        done = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert f"returned {len(bundled_graph)} triples" in done.stderr
    # rapper reads no JSON-LD: Oxigraph's parser (Rust, not rdflib) reads it instead.
    triples = list(ox.parse(path=str(site / "dumps/stdkg.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(triples) == len(bundled_graph)


def test_checksums_and_sizes_match_the_files(site: Path) -> None:
    sums = dict(reversed(line.split("  ")) for line in (site / "dumps/SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"stdkg.ttl", "stdkg.nt.gz", "stdkg.jsonld"}
    catalog = _graph(site / "catalog.ttl", "turtle")
    for name, digest in sums.items():
        data = (site / "dumps" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        dist = next(catalog.subjects(DCAT.downloadURL, URIRef(f"{BASE}dumps/{name}")))
        assert int(catalog.value(dist, DCAT.byteSize)) == len(data)
        checksum = catalog.value(dist, URIRef(SPDX + "checksum"))
        assert str(catalog.value(checksum, URIRef(SPDX + "checksumValue"))) == digest


def test_dumps_and_pages_are_deterministic(site: Path, bundled_build: Path, tmp_path: Path) -> None:
    """A second run, with three page writers instead of one, gives the same files byte for byte."""
    again = tmp_path / "again"
    publish(bundled_build, again, version="2025.1", as_of=AS_OF, endpoint="http://127.0.0.1:7878/query", workers=3,
            extra_files={"changelog.html": "<!DOCTYPE html><title>c</title><p>变更 / changes</p>".encode()})
    first = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert gzip.decompress((site / "dumps/stdkg.nt.gz").read_bytes()) == (bundled_build / "stdkg.nt").read_bytes()
    different = [str(p) for p in first if (site / p).read_bytes() != (again / p).read_bytes()]
    assert different == []


# ------------------------------------------------------------------------ per-resource files

def test_every_resource_file_parses_and_matches_the_graph(site: Path, bundled_graph: Graph) -> None:
    """Each .ttl (rdflib and rapper) and .jsonld (rdflib and Oxigraph) holds exactly the
    graph's triples about its resource."""
    records = set(bundled_graph.subjects(RDF.type, URIRef("https://w3id.org/stdkg/ontology#SourceRecord")))
    subjects = {str(s) for s in bundled_graph.subjects() if str(s).startswith(BASE) and s not in records}
    documents = {s.split("#")[0] for s in subjects}
    assert records and not any((site / (site_path(str(r), BASE) or "")).with_suffix(".html").exists() for r in records)
    checked = 0
    for document in sorted(documents):
        path = site / (site_path(document, BASE) or "")
        expected = _description(bundled_graph, document)
        turtle, jsonld = _graph(Path(f"{path}.ttl"), "turtle"), _graph(Path(f"{path}.jsonld"), "json-ld")
        assert set(turtle) == expected and set(jsonld) == expected, document
        assert len(list(ox.parse(path=f"{path}.jsonld", format=ox.RdfFormat.JSON_LD))) == len(expected)
        assert Path(f"{path}.html").is_file()
        checked += 1
    assert checked == len(documents) > 250
    for path in site.rglob("*.jsonld"):  # every JSON-LD file but the bare context, catalog.jsonld too
        if path.name != "context.jsonld":
            assert list(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)), path
    ttl_files = [str(p) for p in site.rglob("*.ttl")] + [str(site / ".well-known" / "void")]
    for start in range(0, len(ttl_files), 200):  # rapper, one process per file, in batches
        script = "".join(f'rapper -q -i turtle -c "{f}" || exit 1\n' for f in ttl_files[start:start + 200])
        done = subprocess.run(["sh", "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------------ DCAT, VoID, shapes

def _conforms(data: Graph) -> tuple[bool, str]:
    import pyshacl

    conforms, _, text = pyshacl.validate(data, shacl_graph=Graph().parse(DCAT_AP), allow_warnings=False)
    return conforms, text


def test_dcat_description_conforms_to_dcat_ap(site: Path, bundled_build: Path) -> None:
    catalog = _graph(site / "catalog.ttl", "turtle")
    conforms, text = _conforms(catalog)
    assert conforms, text
    dataset = URIRef(f"{BASE}catalog#dataset")
    void = "http://rdfs.org/ns/void#"
    assert str(catalog.value(dataset, URIRef(f"{DCAT}version"))) == "2025.1"
    triples = sum(1 for _ in (bundled_build / "stdkg.nt").open(encoding="utf-8"))
    assert int(catalog.value(dataset, URIRef(void + "triples"))) == triples
    assert catalog.value(dataset, URIRef(void + "sparqlEndpoint")) == URIRef("http://127.0.0.1:7878/query")
    assert len(list(catalog.objects(dataset, URIRef(void + "exampleResource")))) == 3
    assert "validated" in str(catalog.value(dataset, URIRef("http://www.w3.org/ns/adms#versionNotes")))
    assert isomorphic(catalog, _graph(site / "catalog.jsonld", "json-ld"))
    assert isomorphic(catalog, _graph(site / ".well-known" / "void", "turtle"))


def test_a_broken_description_does_not_conform(site: Path) -> None:
    catalog = _graph(site / "catalog.ttl", "turtle")
    dataset = URIRef(f"{BASE}catalog#dataset")
    for predicate in ("http://purl.org/dc/terms/title", "http://purl.org/dc/terms/description"):
        catalog.remove((dataset, URIRef(predicate), None))
    catalog.add((URIRef(f"{BASE}catalog#turtle"), DCAT.byteSize, Literal("many")))
    conforms, text = _conforms(catalog)
    assert not conforms
    assert "the dataset has no title" in text and "the dataset has no description" in text
    assert "byte size must be one xsd:nonNegativeInteger" in text


def test_default_gate_does_not_load_the_publishing_shapes() -> None:
    files = shapes_files()
    assert DCAT_AP not in files and all(p.parent == REPO / "shapes" for p in files) and files


# ------------------------------------------------------------------------------------ pages

def test_edition_page_shows_its_facts_with_links(site: Path) -> None:
    html = (site / "standard/GB-T-28220-2023.html").read_text(encoding="utf-8")
    for text in ("GB/T 28220-2023", "公共图书馆服务规范", "Public library service specifications", "现行", "2023-03-17",
                 "2023-07-01", "全国图书馆标准化技术委员会", "文体服务保障"):
        assert text in html, text
    assert 'href="../standard/GB-T-28220-2011.html"' in html  # the edition it replaces
    assert 'href="../org/SAC-TC-389.html"' in html and 'href="../bps/domain/9.html"' in html
    older = (site / "standard/GB-T-28220-2011.html").read_text(encoding="utf-8")
    assert "被代替（新版本） <span lang=\"en\">/ replaced by</span>" in older
    assert 'href="../standard/GB-T-28220-2023.html"' in older
    citing = (site / "standard/DB31-T-685-2019.html").read_text(encoding="utf-8")
    assert 'href="../standard/JGJ-450-2018.html"' in citing  # a dated normative reference
    cited = (site / "standard/JGJ-450-2018.html").read_text(encoding="utf-8")
    assert "被规范性引用" in cited and 'href="../standard/DB31-T-685-2019.html"' in cited


def test_home_page_tree_search_and_links(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "基本公共服务标准体系" in html
    for text in ("老有所养", 'id="q"', 'href="dumps/stdkg.ttl"', 'href="catalog.html"', 'href="ontology.html"',
                 'href="reports/validation.html"', 'href="reports/analysis/index.html"', 'href="changelog.html"'):
        assert text in html, text
    assert (site / "changelog.html").read_text(encoding="utf-8").endswith("变更 / changes</p>")
    index = (site / "search-index.js").read_text(encoding="utf-8")
    rows = json.loads(index[index.index("=") + 1:].rstrip().rstrip(";"))
    assert ["GB/T 28220-2023", "公共图书馆服务规范", "Public library service specifications",
            "standard/GB-T-28220-2023.html"] in rows
    assert all((site / row[3]).is_file() for row in rows)
    assert "StandardEdition" in (site / "ontology.html").read_text(encoding="utf-8")
    assert "违规 0 violations" in (site / "reports/validation.html").read_text(encoding="utf-8")
    assert "标准体系分析" in (site / "reports/analysis/index.html").read_text(encoding="utf-8")


def broken_links(site: Path) -> list[tuple[str, str]]:
    """Every local href (and src) of every page of the site whose target is not a file in it."""
    import html
    import re

    broken = []
    for page in sorted(site.rglob("*.html")):
        for href in re.findall(r'(?:href|src)="([^"#]*)', page.read_text(encoding="utf-8")):
            href = html.unescape(href)
            if href == "" or href.startswith(("http://", "https://", "data:", "mailto:")):
                continue
            target = (page.parent / urllib.request.url2pathname(href)).resolve()
            if not (target.is_file() and site.resolve() in target.parents):
                broken.append((str(page.relative_to(site)), href))
    return broken


def test_every_relative_link_resolves(site: Path) -> None:
    """A crawl of the whole bundled site: every local link of every page reaches a file."""
    assert len(list(site.rglob("*.html"))) > 250
    assert broken_links(site) == []


def test_version_iris_are_not_broken_links(tmp_path: Path, bundled_build: Path) -> None:
    """owl:versionIRI …/ontology/1.0 (as `stdkg release` stamps it) names no file: shown as text."""
    graph = Graph().parse(bundled_build / "stdkg.nt", format="nt")
    ontology = URIRef(BASE + "ontology")
    for version in ("1.0", "2025"):
        graph.add((ontology, URIRef("http://www.w3.org/2002/07/owl#versionIRI"), URIRef(f"{BASE}ontology/{version}")))
    (tmp_path / "build").mkdir()
    write_ntriples(sorted_rows(graph), tmp_path / "build" / "stdkg.nt")  # type: ignore[arg-type]
    done = run_stdkg("publish", str(tmp_path / "build"), "--out", str(tmp_path / "site"), "--version", "1.0",
                     "--no-analysis")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "site/ontology.html").read_text(encoding="utf-8")
    assert 'href="ontology/1.0"' not in text and '<span class="record">ontology/1.0</span>' in text
    assert '<span class="record">ontology/2025</span>' in text
    assert broken_links(tmp_path / "site") == []


# ------------------------------------------------------------------------ content negotiation

@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(make_server(site)) as url:
        yield url


def _get(url: str, accept: str) -> tuple[str, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["Content-Type"], response.headers.get("Vary", ""), response.read()


@pytest.mark.parametrize("iri", [f"{BASE}standard/GB-T-28220-2023", f"{BASE}bps/item/%E9%A2%84%E9%98%B2%E6%8E%A5%E7%A7%8D",
                                 f"{BASE}org/SAC-TC-389", f"{BASE}ontology"])
def test_one_iri_three_representations(served: str, iri: str, bundled_graph: Graph) -> None:
    url = served + "/" + iri[len(BASE):]
    kind, vary, body = _get(url, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert kind.startswith("text/html") and vary == "Accept" and body.startswith(b"<!DOCTYPE html>")
    expected = _description(bundled_graph, iri)
    for accept, media, fmt in (("text/turtle", "text/turtle", "turtle"),
                               ("application/ld+json", "application/ld+json", "json-ld"),
                               ("text/html;q=0.5, text/turtle", "text/turtle", "turtle")):
        kind, _, body = _get(url, accept)
        assert kind.startswith(media), (accept, kind)
        assert set(Graph().parse(data=body.decode("utf-8"), format=fmt, publicID=url)) == expected


def test_accept_header_choice() -> None:
    assert choose(None) == ".html" and choose("*/*") == ".html"
    assert choose("text/turtle;q=0.9, application/ld+json") == ".jsonld"
    assert choose("application/ld+json;q=0.2, text/turtle;q=0.8, */*;q=0.1") == ".ttl"
    assert choose("image/png") == ".html" and choose("text/turtle;q=0") == ".html"


def test_served_paths_stay_in_the_site(served: str) -> None:
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/standard/..%2F..%2F..%2Fetc%2Fpasswd"):
        try:
            with urllib.request.urlopen(served + path, timeout=10) as response:
                assert b"root:" not in response.read()
        except urllib.error.HTTPError as exc:
            assert exc.code == 404


def test_a_resource_named_like_a_folder_is_negotiated(served: str, site: Path) -> None:
    """/bps is bps.html or bps.ttl, as nginx's try_files $uri$stdkg_suffix $uri $uri/ has it,
    though the folder bps/ exists (the system's IRI and its domains' IRIs below it)."""
    name = "bps"
    assert (site / name).is_dir() and (site / f"{name}.ttl").is_file()
    for accept, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"), ("text/html", ".html")):
        request = urllib.request.Request(f"{served}/{name}", headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read() == (site / f"{name}{suffix}").read_bytes(), accept
            assert response.headers["Content-Location"] == f"/{name}{suffix}"


def test_hidden_files_are_never_served(served: str, site: Path) -> None:
    assert (site / MARKER).is_file() and (site / ".htaccess").is_file()
    for path in (f"/{MARKER}", "/.htaccess", "/%2Ehtaccess", "/standard/.htaccess", "/./.htaccess",
                 "/standard/../.htaccess", "/.well-known/../.htaccess"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(served + path, timeout=10)
        assert refused.value.code == 404, path
    kind, _, body = _get(served + "/.well-known/void", "*/*")  # the one published hidden folder
    assert body == (site / ".well-known/void").read_bytes()


def test_conneg_rules_are_written(site: Path) -> None:
    nginx = (site / "conneg/nginx.conf").read_text(encoding="utf-8") + (site / "conneg/nginx-server.conf").read_text(encoding="utf-8")
    assert "try_files $uri$stdkg_suffix" in nginx and "text/turtle" in nginx
    apache = (site / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteRule ^(.+)$ $1.ttl [L]" in apache and "Vary Accept" in apache


# ------------------------------------------------------------------- hostile identifiers and titles

HOSTILE_TITLE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'


def hostile_build(folder: Path) -> Path:
    """A hand-made graph (obviously a fixture) with markup in titles and '..' in IRIs."""
    s = "https://w3id.org/stdkg/standard/"
    edition = "https://w3id.org/stdkg/ontology#StandardEdition"
    triples = []
    for iri, number in ((s + "T-FIXTURE-1-2024", "T/FIXTURE 1-2024"), (s + "../../../escaped", "T/FIXTURE 2-2024"),
                        (s + "%2e%2e/%2E%2E/escaped2", "T/FIXTURE 3-2024"), (s + "a%2Fb%5Cc", "T/FIXTURE 4-2024"),
                        ("https://w3id.org/stdkg/..", "T/FIXTURE 5-2024"), (s + ".hidden", "T/FIXTURE 6-2024")):
        triples += [(URIRef(iri), RDF.type, URIRef(edition)),
                    (URIRef(iri), URIRef("http://purl.org/dc/terms/identifier"), Literal(number)),
                    (URIRef(iri), URIRef("http://purl.org/dc/terms/title"), Literal(HOSTILE_TITLE, lang="zh")),
                    (URIRef(iri), URIRef("http://purl.org/dc/terms/title"), Literal("It's \"quoted\" & <b>bold</b>", lang="en"))]
    triples.append((URIRef(s + "T-FIXTURE-1-2024"), URIRef("http://purl.org/dc/terms/references"), URIRef(s + "../../../escaped")))
    folder.mkdir(parents=True)
    write_ntriples(sorted_rows(triples), folder / "stdkg.nt")
    return folder


def test_site_paths_never_leave_the_site() -> None:
    for hostile in ("standard/../../x", "..", "standard/%2e%2e", "a/%2F..%2F..", "standard/.hidden", "x/%00",
                    "standard/" + "长" * 200, "a\\..\\b", "standard/a%2Fb"):
        path = site_path(BASE + hostile, BASE)
        assert path is not None
        assert all(part not in ("", ".", "..") and not part.startswith(".") and "\\" not in part and "\x00" not in part
                   for part in path.split("/")), (hostile, path)
        assert all(len(part.encode()) < 200 for part in path.split("/"))
    assert site_path("https://elsewhere.org/x", BASE) is None
    assert site_path(BASE + "ontology#Standard", BASE) == "ontology"
    assert relative_link("standard/a", "bps/item/预防接种") == "../bps/item/%E9%A2%84%E9%98%B2%E6%8E%A5%E7%A7%8D.html"


def test_hostile_titles_and_identifiers(tmp_path: Path) -> None:
    build = hostile_build(tmp_path / "work" / "build")
    out = tmp_path / "work" / "site"
    publish(build, out, force=True, as_of=AS_OF)
    outside = sorted(str(p) for p in (tmp_path / "work").rglob("*") if out not in p.parents and p != out and p.parent != build
                     and p != build)
    assert outside == [] and not (tmp_path / "escaped").exists()
    pages = list(out.rglob("*.html"))
    assert len([p for p in pages if "FIXTURE" in p.read_text(encoding="utf-8")]) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>window" not in text and "<img src=x" not in text and "<b>bold" not in text, page
    text = (out / "standard/T-FIXTURE-1-2024.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;" in text
    assert "It&#x27;s &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;" in text


# ------------------------------------------------------------------------------ gate and safety

def seeded_build(folder: Path) -> Path:
    graph = Graph().parse(REPO / "tests/fixtures/shapes/seeded.ttl")
    folder.mkdir(parents=True)
    write_ntriples(sorted_rows(graph), folder / "stdkg.nt")  # type: ignore[arg-type]
    return folder


def test_gate_refuses_a_graph_with_violations_unless_forced(tmp_path: Path) -> None:
    build = seeded_build(tmp_path / "seeded")
    with pytest.raises(GateFailed):
        publish(build, tmp_path / "site")
    assert not (tmp_path / "site").exists() and [p.name for p in tmp_path.iterdir()] == ["seeded"]
    done = run_stdkg("publish", str(build), "--out", str(tmp_path / "site"))
    assert done.returncode == 1 and "违规" in done.stderr and "violations" in done.stderr
    done = run_stdkg("publish", str(build), "--out", str(tmp_path / "site"), "--force", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["validated"] is False and report["violations"] > 0
    catalog = _graph(tmp_path / "site" / "catalog.ttl", "turtle")
    notes = [str(n) for n in catalog.objects(URIRef(f"{BASE}catalog#dataset"), URIRef("http://www.w3.org/ns/adms#versionNotes"))]
    assert any(n.startswith("unvalidated") for n in notes)
    assert "Not validated" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_refuses_to_replace_a_folder_it_did_not_publish(tmp_path: Path, bundled_build: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("keep me")
    done = run_stdkg("publish", str(bundled_build), "--out", str(mine))
    assert done.returncode == 2 and "not replaced" in done.stderr
    assert (mine / "thesis.docx").read_text() == "keep me"
    with pytest.raises(StdkgError):
        publish(bundled_build, tmp_path / "x", extra_files={"../evil.html": b"x"})
    assert not (tmp_path / "evil.html").exists()


def test_a_failed_run_leaves_the_previous_site(tmp_path: Path, bundled_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    publish(bundled_build, out, version="1", as_of=AS_OF, workers=1)
    before = (out / "catalog.ttl").read_bytes()

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(publish_module, "search_index", broken)
    with pytest.raises(RuntimeError):
        publish(bundled_build, out, version="2", as_of=AS_OF, workers=1)
    assert (out / "catalog.ttl").read_bytes() == before and (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left
    monkeypatch.undo()
    publish(bundled_build, out, version="2", as_of=AS_OF, workers=1)
    assert b'"2"' in (out / "catalog.ttl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# ------------------------------------------------------------------------------------- README

def test_readme_publish_section_is_real(bundled_build: Path, tmp_path: Path) -> None:
    """The README's publish, serve --site and curl lines, run as written (the port made free)."""
    import re
    import shlex
    import sys

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```console\n(.*?)```", readme, flags=re.S) if b.startswith("$ stdkg publish "))
    commands = [(line[2:], []) for line in block.splitlines() if line.startswith("$ ")]
    current = None
    for line in block.splitlines():
        if line.startswith("$ "):
            current = next(c for c in commands if c[0] == line[2:])
        elif line.strip() and line.strip() != "…":
            current[1].append(line)  # type: ignore[index]
    (publish_cmd, publish_out), (serve_cmd, serve_out), (curl_cmd, curl_out) = commands
    (tmp_path / "build").symlink_to(bundled_build, target_is_directory=True)
    done = run_stdkg(*shlex.split(publish_cmd)[1:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert publish_out and all(line in done.stdout.splitlines() for line in publish_out), done.stdout
    args = shlex.split(serve_cmd)[1:]
    port = args[args.index("--port") + 1]
    args[args.index("--port") + 1] = "0"  # any free port; the announced line is compared with it
    server = subprocess.Popen([sys.executable, "-m", "stdkg", *args], cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        announced = server.stdout.readline().rstrip("\n")  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", announced)
        assert url and announced.replace(url.group(1), port) == serve_out[0]
        curl = shlex.split(curl_cmd)
        request = urllib.request.Request(curl[-1].replace(port, url.group(1)), headers=dict([curl[2].split(": ", 1)]))
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode("utf-8").splitlines()
        assert curl_out and all(line in body for line in curl_out)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_publish_into_a_symlinked_out(tmp_path: Path, bundled_build: Path) -> None:
    """A symlinked docroot: the site goes into the folder the link points to, the link stays a
    link, and nothing else is left beside either."""
    real = tmp_path / "realsite"
    real.mkdir()
    link = tmp_path / "lnk"
    link.symlink_to(real, target_is_directory=True)
    for version in ("1", "2"):  # into the empty folder, then replacing the site there
        done = run_stdkg("publish", str(bundled_build), "--out", str(link), "--version", version, "--no-analysis",
                         "--as-of", "2025-10-01")
        assert done.returncode == 0, done.stderr
        assert link.is_symlink() and link.resolve() == real.resolve()
        assert f'"{version}"'.encode() in (real / "catalog.ttl").read_bytes() and (real / MARKER).is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["lnk", "realsite"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("keep me")
    link.unlink()
    link.symlink_to(mine, target_is_directory=True)
    done = run_stdkg("publish", str(bundled_build), "--out", str(link), "--no-analysis")
    assert done.returncode == 2 and "not replaced" in done.stderr
    assert link.is_symlink() and [p.name for p in mine.iterdir()] == ["thesis.docx"]


@pytest.mark.parametrize("option,value", [("--license", "not an iri with spaces"), ("--license", "javascript:alert(1)"),
                                          ("--license", "https://example.org/a>b"), ("--endpoint", "ftp://x/sparql"),
                                          ("--base", "https://example.org/std dev/"), ("--base-iri", "urn:isbn:7-01")])
def test_iri_options_are_checked(tmp_path: Path, bundled_build: Path, option: str, value: str) -> None:
    done = run_stdkg("publish", str(bundled_build), "--out", str(tmp_path / "site"), option, value)
    message = " ".join(done.stderr.split())  # rich wraps long lines
    assert done.returncode == 2 and "must be an http(s) IRI" in message and "应为 http(s) IRI" in message, message
    assert value in message and not (tmp_path / "site").exists() and list(tmp_path.iterdir()) == []


def test_base_must_end_with_a_slash_or_hash(tmp_path: Path, bundled_build: Path) -> None:
    done = run_stdkg("publish", str(bundled_build), "--out", str(tmp_path / "site"), "--base", "https://example.org/std")
    message = " ".join(done.stderr.split())
    assert done.returncode == 2 and "must end with '/' or '#'" in message and "/ 或 #" in message, message
    help_text = run_stdkg("publish", "--help").stdout
    assert "--base, --base-iri" in help_text


COLLIDING = ["index", "_rindex", "standard/a%2Fb", "standard/_x612f62", "standard/_x612f62~82c24656",
             "standard/" + "A" + "a" * 40, "standard/" + "a" * 41, "standard/" + "aA" + "a" * 39]


def test_colliding_iris_each_get_their_own_page(tmp_path: Path) -> None:
    """IRIs whose site paths coincide (a reserved name and its renaming, an escaped segment and
    the name it escapes to, names equal but for case) still get one page each, the same in
    every run; the first in sorted order keeps the path its IRI dereferences to."""
    edition = URIRef("https://w3id.org/stdkg/ontology#StandardEdition")
    triples = []
    for number, rest in enumerate(COLLIDING):  # a hand-made fixture, not standards
        triples += [(URIRef(BASE + rest), RDF.type, edition),
                    (URIRef(BASE + rest), URIRef("http://purl.org/dc/terms/identifier"), Literal(f"T/FIXTURE {number}-2024"))]
    (tmp_path / "build").mkdir()
    write_ntriples(sorted_rows(triples), tmp_path / "build" / "stdkg.nt")
    runs = []
    for name in ("site", "again"):
        done = run_stdkg("publish", str(tmp_path / "build"), "--out", str(tmp_path / name), "--force", "--no-analysis",
                         "--as-of", "2025-10-01")
        assert done.returncode == 0, done.stderr
        runs.append(sorted(str(p.relative_to(tmp_path / name)) for p in (tmp_path / name).rglob("*.ttl")))
    assert runs[0] == runs[1]
    site = tmp_path / "site"
    pages = {}
    for ttl in list(site.glob("*.ttl")) + list(site.glob("standard/*.ttl")):
        subjects = {str(s) for s in _graph(ttl, "turtle").subjects()}
        if ttl.name != "catalog.ttl":
            assert len(subjects) == 1, ttl
            pages[subjects.pop()] = ttl
    assert sorted(pages) == sorted(BASE + rest for rest in COLLIDING)
    assert pages[BASE + "_rindex"] == site / "_rindex.ttl" and pages[BASE + "standard/_x612f62"] == site / "standard/_x612f62.ttl"
    index = (site / "search-index.js").read_text(encoding="utf-8")
    rows = json.loads(index[index.index("=") + 1:].rstrip().rstrip(";"))
    assert len(rows) == len(COLLIDING) and len({row[3] for row in rows}) == len(COLLIDING)  # one page each
    assert broken_links(site) == []


def test_pages_are_well_formed_html5(site: Path) -> None:
    """Every element opened is closed, in order (void elements aside), and each page has one h1."""
    from html.parser import HTMLParser

    void = {"meta", "link", "br", "img", "input", "hr", "wbr", "source"}

    class Checker(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[str] = []
            self.h1 = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.h1 += tag == "h1"
            if tag not in void:
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack.pop() == tag, (tag, self.stack)

    pages = [p for p in site.rglob("*.html") if "analysis" not in p.parts and p.name != "changelog.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="zh">') and '<meta charset="utf-8">' in text, page
        checker = Checker()
        checker.feed(text)
        checker.close()
        assert checker.stack == [] and checker.h1 == 1, page


def test_extra_files_never_replace_the_sites_own(tmp_path: Path, bundled_build: Path) -> None:
    for name in ("index.html", "catalog.ttl", "standard/GB-T-28220-2023.html", "dumps/stdkg.ttl"):
        with pytest.raises(StdkgError, match="would replace a file of the site"):
            publish(bundled_build, tmp_path / "site", extra_files={name: b"x"}, workers=1)
        assert not (tmp_path / "site").exists() and list(tmp_path.iterdir()) == []


def test_another_base_iri(tmp_path: Path) -> None:
    base = "https://example.org/std/"
    assert run_stdkg("build", "--out", str(tmp_path / "build"), "--base", base).returncode == 0
    wrong = run_stdkg("publish", str(tmp_path / "build"), "--out", str(tmp_path / "wrong"))
    assert wrong.returncode == 2 and "another --base" in wrong.stderr and not (tmp_path / "wrong").exists()
    done = run_stdkg("publish", str(tmp_path / "build"), "--out", str(tmp_path / "site"), "--base", base)
    assert done.returncode == 0, done.stderr
    turtle = (tmp_path / "site/standard/GB-T-28220-2023.ttl").read_text(encoding="utf-8")
    assert f"<{base}standard/GB-T-28220-2023>" in turtle
    catalog = _graph(tmp_path / "site/catalog.ttl", "turtle")
    assert (URIRef(f"{base}catalog"), RDF.type, DCAT.Catalog) in catalog


NGINX_CONF = """worker_processes 1;
daemon off;
user root;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    include {site}/conneg/nginx.conf;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/conneg/nginx-server.conf;
    }}
}}
"""


def test_generated_nginx_rules_negotiate(site: Path, tmp_path: Path) -> None:
    """The generated nginx rules, in a real nginx on 127.0.0.1 (Debian's nginx-light)."""
    import socket
    import time

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert nginx is not None, "nginx is not installed: run scripts/setup-test-env (installs nginx-light)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp_path, site=site, port=port), encoding="utf-8")
    check = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                kind, _, body = _get(url + "/", "text/html")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "error.log").read_text()
                time.sleep(0.1)
        assert kind.startswith("text/html") and b"<!DOCTYPE html>" in body
        resource = "/standard/GB-T-28220-2023"
        for accept, media, suffix in (("text/html,*/*;q=0.8", "text/html", ".html"), ("text/turtle", "text/turtle", ".ttl"),
                                      ("application/ld+json", "application/ld+json", ".jsonld")):
            kind, vary, body = _get(url + resource, accept)
            assert kind.startswith(media) and "Accept" in vary, (accept, kind, vary)
            assert body == (site / (resource[1:] + suffix)).read_bytes()
        kind, _, body = _get(url + "/bps/item/%E9%A2%84%E9%98%B2%E6%8E%A5%E7%A7%8D", "text/turtle")
        assert kind.startswith("text/turtle") and "预防接种".encode() in body
        kind, _, _ = _get(url + "/.well-known/void", "*/*")
        assert kind.startswith("text/turtle")
        kind, _, body = _get(url + "/bps", "text/turtle")  # a resource that is also a folder, as serve --site does
        assert kind.startswith("text/turtle") and body == (site / "bps.ttl").read_bytes()
        for hidden in (f"/{MARKER}", "/.htaccess", "/reports/.x"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                _get(url + hidden, "*/*")
            assert refused.value.code == 404, hidden
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_no_analysis_leaves_the_report_out(tmp_path: Path, bundled_build: Path) -> None:
    done = run_stdkg("publish", str(bundled_build), "--out", str(tmp_path / "site"), "--no-analysis")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "site/reports/analysis").exists() and (tmp_path / "site/reports/validation.html").is_file()
    assert "reports/analysis" not in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def test_as_of_is_only_yyyy_mm_dd(bundled_build: Path, tmp_path: Path) -> None:
    """The same strict --as-of as analyze, progress and release (not Python's week dates)."""
    done = run_stdkg("publish", str(bundled_build), "--out", str(tmp_path / "site"), "--as-of", "2025-W26-1")
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr and not (tmp_path / "site").exists()
