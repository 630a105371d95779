"""Push the built graph to a SPARQL 1.1 server, replacing a named (or the default) graph: the
Graph Store Protocol's PUT in one request, else SPARQL Update batches into a temporary graph
that one MOVE puts in place, so readers never see half a graph."""

from __future__ import annotations

import os
import re
import tempfile
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .endpoint import Endpoint, EndpointTimeout, EndpointUnreachable, request
from .problems import StdkgError
from .store import FORMATS, graph_file

@dataclass
class PushReport:
    method: str  # "gsp" or "update"
    url: str
    graph: str | None
    triples: int
    requests: int


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _graph_selector(graph: str | None) -> str:
    return "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")


def gsp_candidates(url: str) -> list[str]:
    """Where a server's Graph Store Protocol endpoint may be: Oxigraph /store, Fuseki /data or the dataset itself."""
    plain = url.rstrip("/")
    if re.search(r"/(store|data|rdf-graphs/service|sparql-graph-crud)$", plain):
        return [plain]
    base = re.sub(r"/(query|update|sparql|statements)$", "", plain)
    return list(dict.fromkeys([base + "/store", base + "/data", base]))


def update_url_for(url: str) -> str:
    plain = url.rstrip("/")
    if re.search(r"/(update|sparql|statements)$", plain):
        return plain
    base = re.sub(r"/(query|store|data)$", "", plain)
    return base + "/update"


def _ntriples(path: Path) -> Path:
    """An N-Triples file of the graph (the build's own, or converted into a temporary file)."""
    path = graph_file(path)
    if path.suffix.lower() == ".nt":
        return path
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise StdkgError(f"{path}: 不认识的 RDF 格式 / unknown RDF format (use .nt, .ttl, .nq, .trig, .rdf, .jsonld)")
    handle, name = tempfile.mkstemp(prefix="stdkg-push-", suffix=".nt")
    os.close(handle)
    try:
        triples = (q.triple for q in ox.parse(path=str(path), format=fmt))
        ox.serialize(triples, output=name, format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError, OSError) as exc:
        os.unlink(name)
        raise StdkgError(f"{path}: 无法解析 / cannot parse ({exc})") from exc
    return Path(name)


def _triple_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                yield line if line.endswith("\n") else line + "\n"


def push(graph: Path, endpoint: Endpoint, target: str | None = None, protocol: str = "auto",
         gsp_url: str | None = None, update_url: str | None = None, batch_size: int = 4000,
         progress: Callable[[int, int], None] | None = None) -> PushReport:
    """Replace a named graph (or the default graph) on a SPARQL 1.1 server with the built graph.

    The Graph Store Protocol's PUT replaces it in one request. Where the server has no GSP,
    SPARQL Update INSERT DATA in batches (a server may refuse one large update) fills a
    temporary graph, which one MOVE then puts in place, so readers never see half a graph.
    """
    if target is not None:
        try:
            ox.NamedNode(target)
        except ValueError as exc:
            raise StdkgError(f"--graph 应为绝对 IRI：'{target}' / --graph must be an absolute IRI: '{target}' ({exc})") from exc
    if not 1 <= batch_size <= 5000:
        raise StdkgError("--batch-size 应在 1–5000 之间 / --batch-size must be 1–5000")
    source = graph_file(graph)
    nt = _ntriples(source)
    try:
        total = sum(1 for _ in _triple_lines(nt))
        cut_off: list[str] = []  # GSP endpoints whose connection closed during the PUT
        if protocol in ("auto", "gsp"):
            candidates = [gsp_url] if gsp_url else gsp_candidates(endpoint.url)
            for candidate in candidates:
                if gsp_url or _looks_like_gsp(candidate, endpoint):
                    report = _push_gsp(nt, candidate, endpoint, target, total, explicit=bool(gsp_url), cut_off=cut_off)
                    if report is not None:
                        return report
            if protocol == "gsp" and cut_off:
                raise EndpointUnreachable(f"{cut_off[0]}: {_cut_off(cut_off[0], target)}")
            if protocol == "gsp":
                raise StdkgError(f"{endpoint.url}: 找不到 Graph Store Protocol 端点（试过 {', '.join(candidates)}）/ "
                                 f"no Graph Store Protocol endpoint found (tried {', '.join(candidates)}); try --gsp-url or --protocol update")
        try:
            return _push_update(nt, update_url or update_url_for(endpoint.url), endpoint, target, total, batch_size, progress)
        except StdkgError as exc:
            if not cut_off:
                raise
            raise type(exc)(f"{exc}\n{_cut_off(cut_off[0], target)}") from exc
    finally:
        if nt != source:
            nt.unlink(missing_ok=True)


def _looks_like_gsp(url: str, endpoint: Endpoint) -> bool:
    """HEAD …?default answers 2xx with RDF (not a web page) where a Graph Store Protocol endpoint is."""
    try:
        status, mime, _ = request(_with_query(url, "default"), endpoint, "HEAD")
    except EndpointTimeout:
        raise
    except StdkgError:
        return False
    return 200 <= status < 300 and mime != "text/html"


def _push_gsp(nt: Path, url: str, endpoint: Endpoint, target: str | None, total: int,
              explicit: bool = False, cut_off: list[str] | None = None) -> PushReport | None:
    size = nt.stat().st_size
    try:
        with nt.open("rb") as body:
            status, _, answer = request(_with_query(url, _graph_selector(target)), endpoint, "PUT", body,
                                         {"Content-Type": "application/n-triples", "Content-Length": str(size)})
    except EndpointUnreachable:
        if explicit:
            raise
        if cut_off is not None:
            cut_off.append(url)
        return None  # it closed the connection on the graph: not a Graph Store after all, or gone
    except EndpointTimeout as exc:
        where = "默认图 / the default graph" if target is None else f"<{target}>"
        raise EndpointTimeout(f"{exc}\n服务器是否已用上传的图替换 {where} 未知，请查询核对 / whether the server replaced "
                              f"{where} with the upload is unknown: query it to check") from exc
    if 200 <= status < 300:
        return PushReport("gsp", url, target, total, 1)
    if status in (404, 405, 501):
        return None  # not a GSP endpoint after all: try the next place, then SPARQL Update
    raise StdkgError(f"{url}: 服务器拒绝了图（HTTP {status}）/ the server refused the graph (HTTP {status}): "
                     f"{answer[:300].decode('utf-8', 'replace').strip()}")


def _push_update(nt: Path, url: str, endpoint: Endpoint, target: str | None, total: int, batch_size: int,
                 progress: Callable[[int, int], None] | None) -> PushReport:
    temporary = f"urn:stdkg:push:{uuid.uuid4()}"
    requests = 0

    def update(text: str) -> None:
        nonlocal requests
        requests += 1
        status, _, answer = request(url, endpoint, "POST", text.encode("utf-8"),
                                     {"Content-Type": "application/sparql-update; charset=utf-8"})
        if not 200 <= status < 300:
            raise StdkgError(f"{url}: SPARQL Update 失败（HTTP {status}）/ SPARQL Update failed (HTTP {status}): "
                             f"{answer[:300].decode('utf-8', 'replace').strip()}")

    destination = "DEFAULT" if target is None else f"GRAPH <{target}>"
    update(f"DROP SILENT GRAPH <{temporary}>")
    done = 0
    moving = False
    try:
        batch: list[str] = []
        for line in _triple_lines(nt):
            if "_:" in line and re.search(r'(^|\s)_:', line.split('"', 1)[0]):
                raise StdkgError("图中有空白节点，分批的 SPARQL Update 会拆散它们，请用 Graph Store Protocol / "
                                 "the graph has blank nodes, which batched SPARQL Update would split: use the Graph Store Protocol")
            batch.append(line)
            if len(batch) >= batch_size:
                update(f"INSERT DATA {{ GRAPH <{temporary}> {{\n{''.join(batch)}}} }}")
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            update(f"INSERT DATA {{ GRAPH <{temporary}> {{\n{''.join(batch)}}} }}")
            done += len(batch)
            if progress:
                progress(done, total)
        moving = True
        update(f"MOVE SILENT GRAPH <{temporary}> TO {destination}")
    except BaseException as exc:
        left = True
        if not isinstance(exc, EndpointTimeout):  # a server that does not answer would only make us wait again
            try:
                update(f"DROP SILENT GRAPH <{temporary}>")
                left = False
            except StdkgError:
                pass
        if not isinstance(exc, StdkgError):
            raise
        raise type(exc)(f"{exc}\n{_unfinished(target, temporary, moving, left)}") from exc
    return PushReport("update", url, target, total, requests)


def _unfinished(target: str | None, temporary: str, moving: bool, left: bool) -> str:
    """What an interrupted SPARQL Update push left on the server, said plainly."""
    zh_graph, en_graph = ("默认图", "the default graph") if target is None else (f"<{target}>", f"<{target}>")
    if moving:
        zh = f"服务器未确认把上传的图移入{zh_graph}，请查询核对它是否已被替换"
        en = f"the server did not confirm moving the upload into {en_graph}: query it to check whether it was replaced"
    else:
        zh = f"推送未完成：服务器上的{zh_graph}未被替换，仍是原来的内容"
        en = f"the push did not finish: {en_graph} on the server was not replaced and holds what it held before"
    if left:
        zh += f"；临时图 <{temporary}> 可能残留，可用 DROP SILENT GRAPH <{temporary}> 删除"
        en += f"; the temporary graph <{temporary}> may remain there: remove it with DROP SILENT GRAPH <{temporary}>"
    return f"{zh} / {en}"


def _cut_off(url: str, target: str | None) -> str:
    """What a Graph Store PUT that lost its connection means for the graph on the server."""
    zh_graph, en_graph = ("默认图", "the default graph") if target is None else (f"<{target}>", f"<{target}>")
    return (f"向 {url} 的 Graph Store PUT 中途断开，服务器没有确认：{zh_graph}未被 stdkg 替换；服务器是否保留原来的图取决于"
            f"服务器（Oxigraph 对一次 PUT 要么整体应用，要么完全不应用）/ the Graph Store PUT to {url} was cut off and never "
            f"confirmed: stdkg did not replace {en_graph}; whether the server kept its previous graph depends on the server "
            "(Oxigraph applies a PUT whole or not at all)")
