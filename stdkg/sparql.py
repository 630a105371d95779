"""SPARQL on the built graph: run a library query or a .rq file on the embedded store (here) or on
any SPARQL 1.1 endpoint (stdkg.endpoint); push the graph (stdkg.push); serve it (stdkg.server).

Parameters are bound as RDF terms, never pasted into the query text: as a ``VALUES`` block
of terms, each rendered from a typed value with SPARQL's escapes and placed at the start of
the WHERE group, on endpoints and (by default, see run_embedded) on the embedded store, or
through pyoxigraph's ``substitutions`` (SEP-0007) for a SELECT that projects them.
A parameter's kind comes from the query's ``# Parameters:`` header. On the embedded store a
query never reaches the network: SERVICE and FROM / FROM NAMED of a graph the store does not
hold are refused unless the caller allows them.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from .problems import StdkgError
from .serialize import PREFIXES
from .store import FORMATS
from .vocab import DEFAULT_BASE

# The names callers use as ``sparql.X`` live in these modules since the split; re-exported so
# ``stdkg.sparql`` stays the one import for running, pushing and serving.
from .endpoint import Endpoint, EndpointTimeout, EndpointUnreachable, network_error, run_endpoint
from .push import PushReport, gsp_candidates, push, update_url_for
from .server import Server, free_port, oxigraph_binary, serve_forever, start_server
from .sparql_params import (KINDS, XSD, XSD_STRING, Parameter, bind, declared_parameters,
                            parse_assignments, standard_iri, term_for)
from .sparql_results import RDF_TYPES, Result, Term, result_of, to_csv, to_json, to_tsv, to_turtle
from .sparql_text import QueryShape, analyse, render_term, values_block, where_position, with_values

__all__ = ["KINDS", "XSD", "XSD_STRING", "Endpoint", "EndpointTimeout", "EndpointUnreachable", "Parameter", "PushReport",
           "QueryShape", "RDF_TYPES", "Result", "Server", "StdkgError", "Term", "analyse", "bind", "declared_parameters",
           "display_labels", "free_port", "gsp_candidates", "network_error", "oxigraph_binary", "parse_assignments",
           "push", "render_term", "result_of", "run_embedded", "run_endpoint", "serve_forever", "short_iri",
           "standard_iri", "start_server", "term_for", "to_csv", "to_json", "to_tsv", "to_turtle", "update_url_for",
           "values_block", "where_position", "with_values"]


def run_embedded(store: ox.Store, text: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
                 allow_service: bool = False, timeout: float = 60.0, shape: QueryShape | None = None,
                 binding: str = "values") -> Result:
    """Run a query on an Oxigraph store (the built graph in its default graph, queried as the union).

    Parameters are bound by the same VALUES block an endpoint gets ("values", the default), or
    by pyoxigraph's SEP-0007 substitutions ("substitute", only for a SELECT that projects them).
    Both bind terms, never text; VALUES is the default because Oxigraph 0.5 plans around an
    inline VALUES block (it starts the join there) but not around a substituted variable, which
    on 1M triples makes a lookup by a bound standard number up to hundreds of times slower.
    """
    bindings = bindings or {}
    shape = shape or analyse(text)
    remote = [g for g in shape.from_graphs + shape.from_named if not store.contains_named_graph(ox.NamedNode(g))]
    if not allow_service:
        if shape.services:
            raise StdkgError(f"查询含 SERVICE {', '.join(shape.services)}：内嵌存储上的查询不访问网络，"
                             f"确需联邦查询请加 --allow-service / the query has SERVICE {', '.join(shape.services)}: "
                             "queries on the embedded store never reach the network; pass --allow-service to federate")
        if remote:
            raise StdkgError(f"查询的 FROM / FROM NAMED 指向存储中没有的图 {', '.join(remote)}：内嵌存储上的查询不访问网络，"
                             f"确需加载请加 --allow-service / the query's FROM / FROM NAMED names graphs the store does not hold "
                             f"({', '.join(remote)}): queries on the embedded store never reach the network; "
                             "pass --allow-service to load them")
    for iri in remote:
        _fetch_graph(store, iri, timeout)
    union = not (shape.from_graphs or shape.from_named)
    if binding not in ("values", "substitute"):
        raise ValueError(f"binding must be 'values' or 'substitute', not {binding!r}")
    substitute = binding == "substitute" and bool(bindings)
    if substitute and (shape.form != "SELECT" or shape.projected is None or not set(bindings) <= shape.projected):
        raise StdkgError("Oxigraph 只能代入 SELECT 所投影的变量 / Oxigraph substitutes only variables a SELECT projects")
    try:
        if substitute:
            raw = store.query(text, use_default_graph_as_union=union,
                              substitutions={ox.Variable(name): term for name, term in bindings.items()})
        else:
            raw = store.query(with_values(text, bindings, shape.form), use_default_graph_as_union=union)
        return result_of(raw, shape.form)
    except SyntaxError as exc:
        raise StdkgError(f"SPARQL 语法错误 / SPARQL syntax error: {exc}") from exc
    except OSError as exc:
        raise StdkgError(f"查询失败 / the query failed: {exc}") from exc


def _fetch_graph(store: ox.Store, iri: str, timeout: float) -> None:
    """Load a remote FROM graph into the store under its own name (only with --allow-service)."""
    request = urllib.request.Request(iri, headers={"Accept": ", ".join(RDF_TYPES)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user named it
            data = response.read()
            mime = response.headers.get_content_type()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StdkgError(f"{iri}: 无法获取 FROM 图 / cannot fetch the FROM graph ({exc})") from exc
    fmt = RDF_TYPES.get(mime) or FORMATS.get(Path(urllib.parse.urlparse(iri).path).suffix.lower())
    if fmt is None:
        raise StdkgError(f"{iri}: 不认识的 RDF 格式 {mime} / unknown RDF media type {mime}")
    try:
        store.load(data, format=fmt, base_iri=iri, to_graph=ox.NamedNode(iri))
    except (SyntaxError, ValueError) as exc:
        raise StdkgError(f"{iri}: 无法解析 / cannot parse ({exc})") from exc


# ------------------------------------------------------------------------ labels for display

_LABELS_QUERY = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX stdkg: <https://w3id.org/stdkg/ontology#>
SELECT ?s ?rank ?label WHERE {
  VALUES ?s { %s }
  { ?s dcterms:identifier ?label FILTER(EXISTS { ?s a stdkg:StandardEdition } || EXISTS { ?s a stdkg:Standard }) BIND(1 AS ?rank) }
  UNION { ?s skos:prefLabel ?label FILTER(LANG(?label) = "zh") BIND(2 AS ?rank) }
  UNION { ?s skos:prefLabel ?label BIND(3 AS ?rank) }
  UNION { ?s rdfs:label ?label FILTER(LANG(?label) = "zh") BIND(4 AS ?rank) }
}"""


def display_labels(run: Callable[[str], Result], iris: set[str], chunk: int = 200) -> dict[str, str]:
    """IRI → what a person reads: a standard's number, else a zh label; looked up on the same backend."""
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(iris)
    for start in range(0, len(ordered), chunk):
        terms = " ".join(render_term(ox.NamedNode(i)) for i in ordered[start:start + chunk])
        for s, rank, label in run(_LABELS_QUERY % terms).rows:
            if s is None or label is None or rank is None:
                continue
            key = (int(rank.value), label.value)
            if s.value not in found or key < found[s.value]:
                found[s.value] = key
    return {iri: label for iri, (_, label) in found.items()}


def short_iri(iri: str, base: str = DEFAULT_BASE) -> str:
    """stdkg's prefixes for vocabulary IRIs; the path after the base for minted ones."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    if iri.startswith(base) and len(iri) > len(base):
        return urllib.parse.unquote(iri[len(base):])
    return iri
