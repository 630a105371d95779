"""`stdkg publish`: the graph as a static linked-open-data site (标准信息资源库).

``publish(build_dir, out)`` checks the graph with the consistency gate, then writes into a
temporary folder beside ``out``: one page per resource under the base IRI (HTML, Turtle,
JSON-LD), the dumps with their SHA-256, the DCAT + VoID description, the home page with the
domain tree and search, the validation and analysis reports, and content-negotiation rules
for nginx and Apache. Only when all of it is written is the folder swapped into place, so a
web server never sees half a release. Pages are written by worker processes, each taking
every n-th document of the sorted N-Triples; the dumps are written meanwhile.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
import multiprocessing
from multiprocessing import get_context
from pathlib import Path

from .atomic import atomic_write
from .fingerprint import file_sha256
from .problems import StdkgError
from .publish_conneg import APACHE, NGINX, NGINX_SERVER
from .publish_dcat import DEFAULT_LICENSE, Dump, describe
from .publish_graph import STANDARD_TYPES, GraphIndex, document_groups, index_graph, index_rows, read_rows
from .publish_home import CSS, SEARCH_JS, home_page, search_index
from .publish_pages import page, resource_page
from .publish_rdf import context_text, jsonld_text, turtle_text, write_gzip, write_jsonld_dump
from .publish_reports import analysis_files, validation_files
from .validate import Validation
from .serialize import sorted_rows
from .store import graph_file
from .vocab import DEFAULT_BASE

Progress = Callable[[str, int, int], None]
MARKER = ".stdkg-site.json"
# Workers share the graph's index by forking (no pickling of a million-entry index).
FORK = "fork" in multiprocessing.get_all_start_methods()  # says "this folder is a site stdkg published": safe to replace


class GateFailed(StdkgError):
    """The graph has violations and --force was not given: nothing was published (exit 1)."""

    def __init__(self, message: str, violations: int) -> None:
        super().__init__(message)
        self.violations = violations


@dataclass
class PublishReport:
    out: Path
    base_iri: str
    validated: bool  # passed the gate (False only with force)
    violations: int
    warnings: int
    infos: int
    triples: int
    documents: int  # resources (documents) with a page
    files: int
    dumps: dict[str, str] = field(default_factory=dict)  # site path → SHA-256
    version: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        doc = asdict(self)
        doc["out"] = str(self.out)
        return doc


def publish(build_dir: Path, out: Path, *, base_iri: str = DEFAULT_BASE, force: bool = False,
            version: str | None = None, endpoint: str | None = None,
            extra_files: Mapping[str, bytes] | None = None, as_of: dt.date | None = None,
            publisher: str = "stdkg", license_iri: str = DEFAULT_LICENSE, workers: int = 1,
            analysis_report: bool = True, progress: Progress | None = None,
            validation: Validation | None = None, analysis: Mapping[str, object] | None = None) -> PublishReport:
    """Publish the graph of ``build_dir`` (a build folder or its stdkg.nt) as a site in ``out``.

    Raises GateFailed when the graph has violations and ``force`` is false; StdkgError when it
    cannot run. ``extra_files`` (relative path → bytes) are written with everything else;
    .html ones are linked from the home page. ``as_of`` is the release day (DCAT issued and
    modified, the analysis' review date); ``analysis_report=False`` leaves the analysis out.
    A caller that has already validated or analysed this very graph (``stdkg release``) passes
    its ``validation`` and ``analysis`` document, so neither is computed twice.
    ``workers`` page-writing processes run beside the gate, the analysis and the dumps; one is
    the default because two writers creating files in the same directories contended for it
    on ext4 here (system time tripled, wall time rose).
    """
    started = time.perf_counter()
    step = progress or (lambda stage, done, total: None)
    nt = graph_file(build_dir)
    if nt.suffix != ".nt":
        raise StdkgError(f"{nt}: 需要 stdkg build 输出的排序 N-Triples / publish needs the sorted N-Triples of a build folder")
    check_iri(base_iri, "--base")
    if not base_iri.endswith(("/", "#")):
        raise StdkgError(f"--base 应以 / 或 # 结尾：'{base_iri}' / the base IRI must end with '/' or '#': '{base_iri}'")
    check_iri(license_iri, "--license")
    if endpoint is not None:
        check_iri(endpoint, "--endpoint")
    extras = _checked_extras(extra_files or {})
    link = out
    out = _real_out(out)
    _check_out(out, nt)
    today = as_of or dt.date.today()

    index = index_graph(nt, base_iri)
    if not any(iri in index.paths for iri, types in index.types.items() if not STANDARD_TYPES.isdisjoint(types)):
        raise StdkgError(f"图谱中没有以 {base_iri} 开头的标准（构建时用了别的 --base？）/ "
                         f"no standard in the graph has an IRI under {base_iri} (was it built with another --base?)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    release = Release(nt, tmp, index, extras, today, version, endpoint, publisher, license_iri)
    # The gate and the analysis run in their own processes while the pages and dumps are
    # written: the site is built in a temporary folder anyway, and dropped if the gate fails.
    jobs = Jobs()
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a site is meant to be read
        # Every process is forked here, before any thread starts: the page writers (sharing the
        # index), the gate and the analysis. The site is built in a temporary folder anyway,
        # and dropped if the gate fails.
        global _INDEX
        _INDEX = index
        pages = [jobs.start(_write_documents, str(nt), str(tmp), k, workers) for k in range(workers)]
        gate = jobs.start(_validate, nt) if validation is None else ("done", validation)
        analysed = (None if not analysis_report else
                    jobs.start(analysis_files, nt, tmp / "reports", today) if analysis is None else
                    ("done", analysis_files(nt, tmp / "reports", today, analysis)))
        _INDEX = None
        _write_content(release, step)
        documents = sum(int(jobs.result(job)) for job in pages)  # type: ignore[call-overload]
        step("pages", 1, 1)
        step("validate", 0, 1)
        validation = jobs.result(gate)  # type: ignore[assignment]
        assert isinstance(validation, Validation)
        violations = validation.count("Violation")
        if violations and not force:
            raise GateFailed(f"图谱有 {violations} 项违规，未发布（运行 stdkg validate 查看；--force 仍可发布并标为未经检查）/ "
                             f"the graph has {violations} violations; nothing published (see stdkg validate; "
                             "--force publishes it marked unvalidated)", violations)
        step("validate", 1, 1)
        links = jobs.result(analysed) if analysed else []
        dumps = _write_description(release, validation, links)  # type: ignore[arg-type]
        report = PublishReport(link, base_iri, not violations, violations, validation.count("Warning"),
                               validation.count("Info"), index.triples, documents, 0,
                               {d.path: d.sha256 for d in dumps}, version)
        report.files = sum(len(files) for _, _, files in os.walk(tmp))
        with atomic_write(tmp / MARKER) as marker:
            json.dump({"base_iri": base_iri, "version": version, "validated": not violations,
                       "issued": today.isoformat()}, marker, ensure_ascii=False, indent=2)
        _swap(tmp, out)
    except BaseException:
        jobs.stop()  # the gate, the analysis or page writers still running: nothing may write into tmp now
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


Job = tuple[object, object]  # (process, the read end of its pipe), or ("done", value) when run inline


class Jobs:
    """Functions run in forked processes, results back through a pipe; run inline where
    processes cannot be forked (not Linux), one after the other."""

    def __init__(self) -> None:
        self.processes: list[multiprocessing.Process] = []

    def start(self, function: Callable[..., object], *args: object) -> Job:
        if not FORK:
            return ("done", function(*args))
        context = get_context("fork")
        reader, writer = context.Pipe(duplex=False)

        def run() -> None:
            try:
                writer.send(("ok", function(*args)))
            except BaseException as exc:  # sent back and raised in the parent
                writer.send(("error", StdkgError(f"{type(exc).__name__}: {exc}") if not isinstance(exc, StdkgError) else exc))

        process = context.Process(target=run, daemon=True)
        process.start()
        writer.close()
        self.processes.append(process)
        return (process, reader)

    def result(self, job: Job) -> object:
        process, reader = job
        if process == "done":
            return reader
        try:
            kind, value = reader.recv()  # type: ignore[attr-defined]
        except EOFError:
            raise StdkgError("发布的子进程意外退出 / a publishing worker process died") from None
        process.join()  # type: ignore[attr-defined]
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()


def _validate(nt: Path) -> Validation:
    from .validate import validate_file

    return validate_file(nt)


# ----------------------------------------------------------------------------- the parts

def _checked_extras(extra_files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Extra files by safe relative path: no absolute paths, no '..', nothing hidden."""
    checked = {}
    for name, data in extra_files.items():
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or any(p in ("..", ".") or p.startswith(".") for p in parts) \
                or "\\" in name or "\x00" in name:
            raise StdkgError(f"附加文件路径不安全：'{name}' / unsafe extra file path: '{name}'")
        checked["/".join(parts)] = bytes(data)
    return checked


_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f<>"{}|^`\\]')


def check_iri(value: str, option: str) -> None:
    """An absolute http(s) IRI that Turtle and N-Triples can write between <>: no spaces,
    quotes, braces or backslashes (RFC 3987 excludes them), no other scheme (javascript:…)."""
    if not re.match(r"https?://[^/?#]", value) or _NOT_IN_IRI.search(value):
        raise StdkgError(f"{option} 应为 http(s) IRI（不含空格、引号、尖括号等）：'{value}' / "
                         f"{option} must be an http(s) IRI (no spaces, quotes, angle brackets …): '{value}'")


def _real_out(out: Path) -> Path:
    """Where the site goes: a symlinked --out (a docroot often is one) is published into the
    folder it points to, and the link stays as it is; swapping the link itself would turn it
    into a folder and leave the temporary one behind."""
    if out.is_symlink():
        return Path(os.path.realpath(out))
    return out


def _check_out(out: Path, nt: Path) -> None:
    """Refuse to replace a folder that is not a site stdkg published (or empty)."""
    if out.exists() and not out.is_dir():
        raise StdkgError(f"{out}: 已存在且不是目录 / exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise StdkgError(f"{out}: 目录非空且不是 stdkg 发布的站点，不会覆盖 / the folder is not empty and is not a site "
                         "stdkg published; it is not replaced")
    resolved = out.resolve()
    if resolved == nt.parent.resolve() or resolved in nt.resolve().parents:
        raise StdkgError(f"{out}: 不能发布到构建目录 / cannot publish into the build folder")


_INDEX: GraphIndex | None = None  # set before worker processes fork, so they share it unpickled


def _write_documents(nt: str, tmp: str, worker: int, workers: int) -> int:
    """Write page, Turtle and JSON-LD of every ``workers``-th document (this worker's share)."""
    index = _INDEX
    assert index is not None
    root = Path(tmp)
    made: set[str] = set()
    count = 0
    for number, (doc, rows) in enumerate(document_groups(read_rows(Path(nt)), index.base, index.hash_docs)):
        path = index.doc_paths.get(doc)
        if number % workers != worker or path is None:
            continue
        folder = path.rpartition("/")[0]
        if folder not in made:
            (root / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        target = f"{root}/{path}"
        for suffix, text in ((".html", resource_page(index, doc, path, rows)), (".ttl", turtle_text(rows)),
                             (".jsonld", jsonld_text(rows))):
            # os-level calls: hundreds of thousands of small files, and io.open's buffering costs more than it saves
            data = memoryview(text.encode("utf-8"))
            fd = os.open(target + suffix, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                while data:
                    data = data[os.write(fd, data):]
            finally:
                os.close(fd)
        count += 1
    return count


@dataclass
class Release:
    """What the parts of one publishing run share."""

    nt: Path
    tmp: Path
    index: GraphIndex
    extras: dict[str, bytes]
    today: dt.date
    version: str | None
    endpoint: str | None
    publisher: str
    license_iri: str


def _write_content(release: Release, step: Progress) -> None:
    """Dumps, assets and the search index, in this process while the page writers run."""
    nt, tmp, index = release.nt, release.tmp, release.index
    step("pages", 0, 1)
    # The dumps, meanwhile: gzip in a thread (zlib releases the GIL), JSON-LD here.
    dumps_dir = tmp / "dumps"
    dumps_dir.mkdir()
    gz = threading.Thread(target=write_gzip, args=(nt, dumps_dir / "stdkg.nt.gz"))
    gz.start()
    ttl = nt.with_suffix(".ttl")
    if ttl.is_file() and ttl.stat().st_mtime >= nt.stat().st_mtime:
        shutil.copyfile(ttl, dumps_dir / "stdkg.ttl")  # the build's canonical Turtle of the same rows
    else:
        (dumps_dir / "stdkg.ttl").write_text(turtle_text(list(read_rows(nt))), encoding="utf-8")
    write_jsonld_dump(read_rows(nt), dumps_dir / "stdkg.jsonld")
    gz.join()
    step("dumps", 1, 1)
    (tmp / "context.jsonld").write_text(context_text(), encoding="utf-8")
    assets = tmp / "assets"
    assets.mkdir()
    (assets / "site.css").write_text(CSS.lstrip(), encoding="utf-8")
    (assets / "search.js").write_text(SEARCH_JS.lstrip(), encoding="utf-8")
    (tmp / "search-index.js").write_text(search_index(index), encoding="utf-8")
    conneg = tmp / "conneg"
    conneg.mkdir()
    (conneg / "nginx.conf").write_text(NGINX, encoding="utf-8")
    (conneg / "nginx-server.conf").write_text(NGINX_SERVER, encoding="utf-8")
    (conneg / "apache.htaccess").write_text(APACHE, encoding="utf-8")
    (tmp / ".htaccess").write_text(APACHE, encoding="utf-8")


def _write_description(release: Release, validation: Validation, analysis_links: list[tuple[str, str, str]]) -> list[Dump]:
    """What depends on the gate: DCAT + VoID (with the dumps' sizes and checksums), the
    validation report, the home page."""
    tmp, index = release.tmp, release.index
    validated = not validation.count("Violation")
    dumps = [Dump("turtle", "dumps/stdkg.ttl", "text/turtle", "RDF_TURTLE", 0, ""),
             Dump("ntriples", "dumps/stdkg.nt.gz", "application/n-triples", "RDF_N_TRIPLES", 0, "", "application/gzip"),
             Dump("jsonld", "dumps/stdkg.jsonld", "application/ld+json", "JSON_LD", 0, "")]
    dumps = [Dump(d.key, d.path, d.media_type, d.file_type, (tmp / d.path).stat().st_size, file_sha256(tmp / d.path), d.compress)
             for d in dumps]
    (tmp / "dumps" / "SHA256SUMS").write_text("".join(f"{d.sha256}  {d.path.split('/')[-1]}\n" for d in dumps),
                                              encoding="utf-8")
    system = next((iri for iri in index.types if index.has_type(iri, "StandardSystem")), None)
    title_zh = index.label_zh.get(system or "", "") or "标准体系"
    title_en = index.label_en.get(system or "", "") or "Standard system"
    gate = (("已通过一致性检查（stdkg validate：0 项违规）", "validated: passed the consistency gate, stdkg validate, 0 violations")
            if validated else
            ("未经一致性检查：以 --force 发布，图谱含违规", "unvalidated: published with --force although the graph has violations"))
    editions = sorted(iri for iri in index.types if index.has_type(iri, "StandardEdition") and iri in index.paths)
    examples = editions[:: max(1, len(editions) // 3)][:3] if editions else sorted(index.paths)[:3]
    description = describe(index, dumps, title_zh=title_zh, title_en=title_en,
                           description_zh=f"{title_zh}知识图谱：标准版本、标准、归口单位、分类与引用关系",
                           description_en=f"The {title_en} as a knowledge graph: editions, standards, committees, classification and references",
                           publisher=release.publisher, license_iri=release.license_iri, issued=release.today,
                           version=release.version, endpoint=release.endpoint, validated=validated, gate_note=gate,
                           examples=examples)
    rows = sorted_rows(description)  # type: ignore[arg-type]
    small = index_rows(iter(rows), index.base)  # the catalogue page links into the site like any page
    small.paths = {**index.paths, **{iri: "catalog" for iri in small.paths}}
    small.label_zh = {**index.label_zh, **small.label_zh}
    small.label_en = {**index.label_en, **small.label_en}
    small.identifier = {**index.identifier, **small.identifier}
    small.types = {**index.types, **small.types}
    (tmp / "catalog.ttl").write_text(turtle_text(rows), encoding="utf-8")
    (tmp / "catalog.jsonld").write_text(jsonld_text(rows), encoding="utf-8")
    (tmp / "catalog.html").write_text(resource_page(small, index.base + "catalog", "catalog", rows), encoding="utf-8")
    (tmp / ".well-known").mkdir()
    (tmp / ".well-known" / "void").write_text(turtle_text(rows), encoding="utf-8")

    links = [("dumps/stdkg.ttl", "完整图谱（Turtle）", "whole graph (Turtle)"),
             ("dumps/stdkg.nt.gz", "完整图谱（N-Triples，gzip）", "whole graph (N-Triples, gzipped)"),
             ("dumps/stdkg.jsonld", "完整图谱（JSON-LD）", "whole graph (JSON-LD)"),
             ("dumps/SHA256SUMS", "校验和（SHA-256）", "checksums (SHA-256)"),
             ("catalog.html", "数据集描述（DCAT、VoID）", "dataset description (DCAT, VoID)"),
             ("context.jsonld", "JSON-LD 上下文", "JSON-LD context")]
    if (tmp / "ontology.html").exists():
        links.append(("ontology.html", "本体文档", "ontology documentation"))
    else:
        (tmp / "ontology.html").write_text(page("本体 / Ontology", "<h1>本体 / Ontology</h1><p>图谱未包含本体 / "
                                                "the graph does not include the ontology.</p>\n", "ontology",
                                                alternates=False), encoding="utf-8")
    links += validation_files(validation, index, tmp / "reports") + analysis_links
    for name, data in release.extras.items():  # last, so that one never hides a generated file
        target = tmp / name
        if target.exists() or name in ("index.html",):
            raise StdkgError(f"附加文件 '{name}' 与站点自身的文件同名 / the extra file '{name}' would replace a file of the site")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    links += [(name, name, "附加页面 / extra page") for name in sorted(release.extras) if name.endswith(".html")]
    (tmp / "index.html").write_text(home_page(index, title_zh, title_en, links, validated), encoding="utf-8")
    return dumps


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished folder in place: an atomic exchange where Linux offers one
    (renameat2), else two renames a moment apart; the previous site is then removed."""
    if not out.exists():
        os.rename(tmp, out)
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        exchanged = libc.renameat2(-100, os.fsencode(tmp), -100, os.fsencode(out), 2) == 0  # AT_FDCWD, RENAME_EXCHANGE
    except (AttributeError, OSError):
        exchanged = False
    if exchanged:
        shutil.rmtree(tmp)  # now the previous site
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old)


__all__ = ["publish", "PublishReport", "GateFailed", "DEFAULT_BASE"]
