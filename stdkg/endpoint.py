"""Remote SPARQL 1.1 endpoints: how to reach one (authentication, timeout), running a query on
it, and the one place network failures become a timeout or an unreachable-server error."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass

import pyoxigraph as ox

from .problems import StdkgError
from .sparql_results import RDF_TYPES, Result, result_of
from .sparql_text import QueryShape, analyse, with_values

@dataclass(frozen=True)
class Endpoint:
    """A SPARQL 1.1 endpoint and how to reach it."""

    url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 60.0

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


_RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                 "text/tab-separated-values": ox.QueryResultsFormat.TSV}


def run_endpoint(endpoint: Endpoint, text: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
                 shape: QueryShape | None = None) -> Result:
    """Run a query on a SPARQL 1.1 endpoint through SPARQLWrapper (POST, URL-encoded), parameters as VALUES."""
    from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    shape = shape or analyse(text)
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(with_values(text, bindings or {}, shape.form))
    client.queryType = shape.form  # SPARQLWrapper guesses the form with a regex that words in comments fool
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setTimeout(max(1, round(endpoint.timeout)))
    client.setReturnFormat(JSON if shape.form in ("SELECT", "ASK") else TURTLE)
    if endpoint.token:
        client.addCustomHttpHeader("Authorization", f"Bearer {endpoint.token}")
    elif endpoint.user is not None:
        client.setCredentials(endpoint.user, endpoint.password or "")
    try:
        response = client.query().response
        data = response.read()
        mime = response.headers.get_content_type() if hasattr(response, "headers") else ""
    except SPARQLWrapperException as exc:
        raise StdkgError(f"{endpoint.url}: 端点拒绝了查询 / the endpoint refused the query: {exc}") from exc
    except urllib.error.HTTPError as exc:
        raise StdkgError(f"{endpoint.url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
        raise network_error(endpoint.url, endpoint.timeout, exc, "无法连接端点 / cannot reach the endpoint") from exc
    try:
        if shape.form in ("SELECT", "ASK"):
            fmt = _RESULT_TYPES.get(mime, ox.QueryResultsFormat.JSON)
            return result_of(ox.parse_query_results(data, format=fmt), shape.form)
        fmt = RDF_TYPES.get(mime, ox.RdfFormat.TURTLE)
        return Result(shape.form, triples=[q.triple for q in ox.parse(data, format=fmt)])
    except (SyntaxError, ValueError) as exc:
        raise StdkgError(f"{endpoint.url}: 无法解析端点的应答 / cannot read the endpoint's answer ({exc})") from exc


class EndpointTimeout(StdkgError):
    """A server that did not answer within the timeout: an error at once, never retried elsewhere."""


class EndpointUnreachable(StdkgError):
    """No connection, or the server closed it (e.g. refusing a request body it will not take)."""


def network_error(url: str, timeout: float, exc: OSError, unreachable: str) -> StdkgError:
    """A timeout (raised directly or wrapped in a URLError) or an unreachable server, said plainly."""
    reason = getattr(exc, "reason", exc)
    if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
        return EndpointTimeout(f"{url}: {timeout:g} 秒内无应答 / no answer within {timeout:g} s")
    return EndpointUnreachable(f"{url}: {unreachable} ({reason})")


def request(url: str, endpoint: Endpoint, method: str, data: object = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers={**endpoint.headers(), **(headers or {})})  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310 - the user named it
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type() if exc.headers else "", exc.read()
    except (urllib.error.URLError, OSError) as exc:  # TimeoutError is an OSError
        raise network_error(url, endpoint.timeout, exc, "无法连接 / cannot connect") from exc
