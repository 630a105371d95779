"""The `query`, `push` and `serve` verbs: plain click commands that stdkg.cli adds to its group.

Thin wrappers over stdkg.sparql; user errors are StdkgError, which the group turns into a
bilingual message and exit code 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pyoxigraph as ox
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .console import stderr_console, wide_console
from . import sparql
from .problems import StdkgError
from .queries import LibraryQuery, find_query, library
from .store import open_store
from .vocab import DEFAULT_BASE

FORMATS = ["table", "csv", "tsv", "json", "turtle"]
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
NUMERIC = {"integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger"}


def _auth_options(function):  # type: ignore[no-untyped-def]
    """--user, --password, --token-env and --timeout, shared by query and push."""
    options = [
        click.option("--user", help="User name for HTTP Basic authentication at the endpoint."),
        click.option("--password", envvar="STDKG_PASSWORD", show_envvar=True,
                     help="Password for --user (better given in the environment variable)."),
        click.option("--token-env", metavar="VAR",
                     help="Name of an environment variable holding a bearer token for the endpoint."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _endpoint(url: str, user: str | None, password: str | None, token_env: str | None, timeout: float) -> sparql.Endpoint:
    if not url.startswith(("http://", "https://")):
        raise StdkgError(f"端点应为 http(s) 地址：'{url}' / the endpoint must be an http(s) URL: '{url}'")
    if timeout <= 0:
        raise StdkgError("--timeout 应大于 0 / --timeout must be more than 0")
    token = None
    if token_env:
        token = os.environ.get(token_env)
        if not token:
            raise StdkgError(f"环境变量 {token_env} 未设置或为空 / the environment variable {token_env} is not set")
    if password is not None and user is None:
        raise StdkgError("--password 需要与 --user 一起使用 / --password needs --user")
    return sparql.Endpoint(url, user, password, token, timeout)


def _stdout() -> Console:
    return wide_console(200)  # piped or captured: wide enough that rows do not wrap


# -------------------------------------------------------------------------------------- query

@click.command("query")
@click.argument("name", required=False)
@click.argument("graph", required=False, type=click.Path(path_type=Path))
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter the query declares (repeatable). Values are bound as RDF terms, never pasted into the text.")
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 query endpoint instead of the built graph.")
@_auth_options
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to wait for an endpoint.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="table (default for SELECT/ASK), csv, tsv, json (SPARQL 1.1 JSON results), turtle (default for CONSTRUCT/DESCRIBE).")
@click.option("--allow-service", is_flag=True, help="On the embedded store, let SERVICE and remote FROM / FROM NAMED reach the network.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI the graph was built with (for standard-number parameters).")
@click.option("--list", "list_queries", is_flag=True, help="List the query library with each query's question and parameters.")
def query(name: str | None, graph: Path | None, params: tuple[str, ...], endpoint: str | None, user: str | None,
          password: str | None, token_env: str | None, timeout: float, fmt: str | None, allow_service: bool,
          base: str, list_queries: bool) -> None:
    """Ask the graph a question: a query of the library by NAME, or a .rq file.

    GRAPH is a build folder or graph file (default: build/); with --endpoint the query runs on
    that SPARQL 1.1 endpoint instead. Parameters the query declares in its header are given
    with --param name=value and bound by kind (standard number, date, text …).

    \b
    Examples:
      stdkg query --list
      stdkg query standards_in_domain --param domain=老有所养
      stdkg query edition_references --param "standard=DB31/T 685-2019"
      stdkg query due_for_review -p as_of=2025-01-01 --format csv > due.csv
      stdkg query my-question.rq build/ --format json
      stdkg query title_search -p text=图书馆 --endpoint http://127.0.0.1:7878/query
    """
    if list_queries:
        _print_library(fmt or "table")
        return
    if not name:
        raise StdkgError("请给出查询名或 .rq 文件（stdkg query --list 列出全部）/ name a query or a .rq file (see stdkg query --list)")
    chosen = find_query(name)
    given = sparql.parse_assignments(params)
    bindings = sparql.bind(sparql.declared_parameters(chosen), given, base)
    shape = sparql.analyse(chosen.text)
    fmt = fmt or ("turtle" if shape.form in GRAPH_FORMS else "table")
    if fmt == "turtle" and shape.form not in GRAPH_FORMS:
        raise StdkgError("--format turtle 只用于 CONSTRUCT / DESCRIBE 查询 / --format turtle is for CONSTRUCT and DESCRIBE queries")
    if fmt in ("csv", "tsv", "json") and shape.form in GRAPH_FORMS:
        raise StdkgError(f"--format {fmt} 只用于 SELECT / ASK；CONSTRUCT / DESCRIBE 请用 --format turtle / "
                         f"--format {fmt} is for SELECT and ASK; use --format turtle for CONSTRUCT and DESCRIBE")
    if endpoint:
        if graph is not None:
            raise StdkgError("GRAPH 与 --endpoint 只能给一个 / give GRAPH or --endpoint, not both")
        target = _endpoint(endpoint, user, password, token_env, timeout)

        def run(text: str, values: dict | None = None, form_shape: sparql.QueryShape | None = None) -> sparql.Result:
            return sparql.run_endpoint(target, text, values, form_shape)
    else:
        store = open_store(graph or Path("build"))
        _warn_unknown_values(store, bindings)

        def run(text: str, values: dict | None = None, form_shape: sparql.QueryShape | None = None) -> sparql.Result:
            return sparql.run_embedded(store, text, values, allow_service, timeout, form_shape)

    result = run(chosen.text, bindings, shape)
    if fmt == "json":
        click.echo(sparql.to_json(result), nl=False)
    elif fmt == "csv":
        click.echo(sparql.to_csv(result), nl=False)
    elif fmt == "tsv":
        click.echo(sparql.to_tsv(result), nl=False)
    elif fmt == "turtle":
        click.echo(sparql.to_turtle(result), nl=False)
    else:
        print_result(_stdout(), chosen, result, bindings, lambda text: run(text), base, given)


def _warn_unknown_values(store: ox.Store, bindings: dict[str, ox.NamedNode | ox.Literal]) -> None:
    """Say so when a standard or a name (domain, service item …) is nowhere in the graph, so an
    empty answer is not mistaken for "none"."""
    for name, term in bindings.items():
        if isinstance(term, ox.NamedNode) and "/standard/" in term.value:
            missing = not any(store.quads_for_pattern(term, None, None))
        elif isinstance(term, ox.Literal) and term.language:
            missing = not any(store.quads_for_pattern(None, None, term))
        else:
            continue
        if missing:
            stderr_console().print(
                f"[yellow]注意 / note:[/] {escape(name)} = {escape(term.value)} 不在图谱中 / is not in the graph")


def print_result(console: Console, chosen: LibraryQuery, result: sparql.Result,
                 bindings: dict[str, ox.NamedNode | ox.Literal], run, base: str = DEFAULT_BASE,  # type: ignore[no-untyped-def]
                 given: dict[str, str] | None = None) -> None:
    """An aligned table: standard numbers and zh labels instead of IRIs, constant parameter columns as a caption."""
    console.print(f"[bold]{escape(chosen.title)}[/]")
    if bindings:
        shown = ", ".join(f"{name} = {(given or {}).get(name, _plain(term))}" for name, term in bindings.items())
        console.print(f"参数 / parameters: {escape(shown)}")
    if result.form == "ASK":
        console.print("是 / yes" if result.boolean else "否 / no")
        return
    if not result.rows:
        console.print("（无结果）/ (no results)")
        return
    iris = {t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)}
    labels = sparql.display_labels(run, iris) if iris else {}

    def shown(term: object) -> str:
        if term is None:
            return "—"
        if isinstance(term, ox.NamedNode):
            return labels.get(term.value) or sparql.short_iri(term.value, base)
        return _plain(term)

    cells = [[shown(t) for t in row] for row in result.rows]
    def redundant(i: int) -> bool:
        """An IRI column whose number or label a literal column of the same row already shows."""
        column = [row[i] for row in result.rows]
        if not any(isinstance(t, ox.NamedNode) for t in column):
            return False
        for r, term in enumerate(column):
            if term is None:
                continue
            if not isinstance(term, ox.NamedNode) or term.value not in labels:
                return False
            if not any(isinstance(result.rows[r][j], ox.Literal) and cells[r][j] == cells[r][i]
                       for j in range(len(result.variables))):
                return False
        return True

    keep = [i for i, name in enumerate(result.variables)
            if not (name in bindings and all(row[i] == bindings[name] for row in result.rows))  # printed above
            and not redundant(i)]
    table = Table(show_lines=False)
    widest = {i: max(cell_len(text) for text in [result.variables[i], *(row[i] for row in cells)]) for i in keep}
    short = {i: w for i, w in widest.items() if w <= 24}  # numbers, codes, statuses: kept on one line if all fit
    fits = sum(short.values()) + 12 * (len(keep) - len(short)) + 3 * len(keep) + 1 <= console.width
    for i in keep:
        column = [row[i] for row in result.rows]
        numeric = any(t is not None for t in column) and all(
            t is None or (isinstance(t, ox.Literal) and t.datatype.value.rsplit("#", 1)[-1] in NUMERIC) for t in column)
        table.add_column(result.variables[i], justify="right" if numeric else "left", overflow="fold",
                         min_width=short.get(i) if fits else None)
    for row in cells:
        table.add_row(*(escape(row[i]) for i in keep))
    console.print(table)
    console.print(f"{len(result.rows)} 行 / rows（— = 无值：未知或不适用 / no value: unknown or not applicable）")


def _plain(term: object) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _print_library(fmt: str) -> None:
    queries = library()
    if fmt == "json":
        click.echo(json.dumps([{"name": q.name, "folder": q.path.parent.name, "title": q.title,
                                "question": q.header.get("Question", ""),
                                "parameters": [{"name": p.name, "kind": p.declared_kind, "optional": p.optional,
                                                "description": p.description} for p in sparql.declared_parameters(q)],
                                "returns": q.header.get("Returns", ""), "example": q.header.get("Example", "")}
                               for q in queries], ensure_ascii=False, indent=2))
        return
    if fmt != "table":
        raise StdkgError("--list 只支持 table 或 json 格式 / --list supports --format table or json")
    table = Table(title=f"查询库 / query library ({len(queries)})", show_lines=True)
    for column in ("name", "标题 / title", "问题 / question", "参数 / parameters"):
        table.add_column(column, overflow="fold")
    for q in queries:
        parameters = "\n".join(f"{p.name} ({p.declared_kind}{', optional' if p.optional else ''})" for p in sparql.declared_parameters(q))
        table.add_row(escape(q.name), escape(q.title), escape(q.header.get("Question", "")), escape(parameters or "—"))
    _stdout().print(table)


# --------------------------------------------------------------------------------------- push

@click.command("push")
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=Path("build"))
@click.option("--endpoint", required=True, metavar="URL",
              help="The server: its base URL or any of its SPARQL endpoints (…/query, …/update, …/store, …/data).")
@click.option("--graph", "target", metavar="IRI", help="Named graph to replace. Default: the server's default graph.")
@click.option("--protocol", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="gsp: Graph Store Protocol PUT; update: SPARQL Update in batches; auto: GSP where the server has it.")
@click.option("--gsp-url", metavar="URL", help="The Graph Store Protocol endpoint, when it is not where stdkg looks.")
@click.option("--update-url", metavar="URL", help="The SPARQL Update endpoint, when it is not where stdkg looks.")
@click.option("--batch-size", type=int, default=4000, show_default=True, help="Triples per INSERT DATA (at most 5000).")
@_auth_options
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds to wait for each request.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def push(graph: Path, endpoint: str, target: str | None, protocol: str, gsp_url: str | None, update_url: str | None,
         batch_size: int, user: str | None, password: str | None, token_env: str | None, timeout: float, fmt: str) -> None:
    """Load the built graph into a SPARQL 1.1 server, replacing a named graph or the default graph.

    GRAPH is a build folder or graph file (default: build/). The Graph Store Protocol (PUT)
    replaces the graph in one request; where the server has none, SPARQL Update INSERT DATA in
    batches fills a temporary graph that one MOVE puts in place. A request that gets no
    answer within --timeout is an error (exit 2).

    \b
    Examples:
      stdkg push --endpoint http://127.0.0.1:7878
      stdkg push build/ --endpoint http://localhost:3030/stdkg --graph https://w3id.org/stdkg/graph/bps --user admin
      STDKG_TOKEN=… stdkg push --endpoint https://kg.example.org/sparql --token-env STDKG_TOKEN --protocol update
    """
    server = _endpoint(endpoint, user, password, token_env, timeout)
    err = stderr_console()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("推送 / pushing", total=None)
        report = sparql.push(graph, server, target, protocol, gsp_url, update_url, batch_size,
                             lambda done, total: bar.update(task, completed=done, total=total))
    if fmt == "json":
        click.echo(json.dumps({"method": report.method, "url": report.url, "graph": report.graph,
                               "triples": report.triples, "requests": report.requests}, ensure_ascii=False, indent=2))
        return
    how = ("Graph Store Protocol PUT" if report.method == "gsp"
           else f"SPARQL Update ({report.requests} 个请求 / requests)")
    where = f"<{report.graph}>" if report.graph else "默认图 / the default graph"
    _stdout().print(f"已推送 / pushed {report.triples} 三元组 / triples → {where} @ {report.url} ({how})")


# -------------------------------------------------------------------------------------- serve

@click.command("serve")
@click.argument("graph", required=False, type=click.Path(path_type=Path), default=Path("build"))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=7878, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--timeout", type=int, default=30, show_default=True, help="Seconds a query may run before the server stops it.")
@click.option("--max-result-mb", type=float, default=20.0, show_default=True,
              help="Refuse (HTTP 500, never cut short) an answer larger than this many MB; 0: no limit.")
@click.option("--site", type=click.Path(path_type=Path, file_okay=False),
              help="Preview a site `stdkg publish` wrote (content negotiation on Accept) instead.")
def serve(graph: Path, host: str, port: int, timeout: int, max_result_mb: float, site: Path | None) -> None:
    """Serve the built graph as a local read-only SPARQL 1.1 endpoint until Ctrl-C.

    GRAPH is a build folder or graph file (default: build/). The graph is loaded into a
    temporary Oxigraph store that the Oxigraph server (from the `oxigraph` package) serves
    read-only: SPARQL queries at /query, the graph at /store, a query page at /. The store
    directory is removed when the server stops. A small proxy in front of it refuses writes and
    any answer over --max-result-mb (Oxigraph itself bounds only a query's time).

    \b
    Examples:
      stdkg serve
      stdkg serve build/ --port 8000 --timeout 10 --max-result-mb 5
      stdkg query standards_by_level --endpoint http://127.0.0.1:7878/query
      stdkg serve --site site/
    """
    if not 0 <= port <= 65535:
        raise StdkgError(f"--port 应在 0–65535 之间 / --port must be 0–65535: {port}")
    if site is not None:
        from .site_server import announce_site, serve_site

        return serve_site(site, host, port, announce_site)
    if timeout <= 0:
        raise StdkgError("--timeout 应大于 0 / --timeout must be more than 0")
    if max_result_mb < 0:
        raise StdkgError("--max-result-mb 不能为负 / --max-result-mb cannot be negative")
    limit = round(max_result_mb * 1_000_000) if max_result_mb else None
    server = sparql.start_server(graph, host, port, read_only=True, timeout_s=timeout, max_result_bytes=limit)

    def announce(url: str) -> None:
        click.echo(f"SPARQL 端点 / endpoint: {url}/query", nl=True)
        click.echo(f"查询页面 / query page: {url}/ ；按 Ctrl-C 停止 / Ctrl-C to stop")
        click.get_text_stream("stdout").flush()

    sparql.serve_forever(server, announce)


COMMANDS: list[click.Command] = [query, push, serve]
