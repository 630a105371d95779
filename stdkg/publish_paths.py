"""Where each published resource lives in the site: IRIs under the base → safe relative paths.

An IRI ``{base}standard/GB-T-28922-2012`` is served from ``standard/GB-T-28922-2012`` with
``.html``, ``.ttl`` and ``.jsonld`` beside it, so a static server maps the IRI's path to files
(the conneg rules in ``publish_conneg`` rely on exactly this). Segments are percent-decoded,
because web servers decode a request path before looking for a file. Anything that could step
out of the site — ``..``, ``.``, separators, NUL, control characters, over-long names, a
leading dot — is neutralised into a ``_x…`` name (hex of the UTF-8 bytes); such a resource
still gets its page and links reach it, only its IRI does not dereference literally. Two
documents whose paths coincide are told apart in ``publish_graph.unique_path``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

SUFFIXES = (".html", ".ttl", ".jsonld")
MAX_SEGMENT_BYTES = 180  # file names stay under 255 bytes with a suffix and room to spare
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\?#*:<>|\"]")
RESERVED = {"index", "assets", "dumps", "catalog", "context", "search-index", "conneg", "reports"}


def _safe_segment(segment: str) -> str:
    text = unquote(segment)
    if (text in ("", ".", "..") or text.startswith(".") or _UNSAFE.search(text)
            or len(text.encode("utf-8")) > MAX_SEGMENT_BYTES or text != text.strip()):
        return "_x" + text.encode("utf-8").hex()[: MAX_SEGMENT_BYTES - 2]
    return text


def document_iri(iri: str) -> str:
    """The document an IRI is described in: a hash IRI's document is the part before '#'."""
    return iri.split("#", 1)[0]


def site_path(iri: str, base: str) -> str | None:
    """The path (without suffix, '/'-separated, relative to the site root) of a resource
    under ``base``; None for IRIs outside it. The base itself is the home page ``index``."""
    if not iri.startswith(base):
        return None
    rest = document_iri(iri)[len(base):]
    if rest == "":
        return "index"
    segments = rest.split("/")
    if segments[-1] == "":  # a trailing slash: the folder's own page
        segments[-1] = "index"
    safe = [_safe_segment(s) for s in segments]
    if len(safe) == 1 and safe[0] in RESERVED:
        safe[0] = "_r" + safe[0]  # keep site files (index, assets …) apart from resources
    return "/".join(safe)


def url_path(path: str) -> str:
    """A site path as it appears in a relative link: each segment percent-encoded."""
    return "/".join(quote(segment, safe="") for segment in path.split("/"))


def relative_link(from_path: str, to_path: str, suffix: str = ".html") -> str:
    """A relative URL from the page at ``from_path`` to ``to_path`` + suffix, so the site
    works under any prefix and from file://."""
    depth = from_path.count("/")
    return "../" * depth + url_path(to_path) + suffix


def root_prefix(from_path: str) -> str:
    """'../' repeated up to the site root from the page at ``from_path``."""
    return "../" * from_path.count("/")
