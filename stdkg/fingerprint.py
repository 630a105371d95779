"""Fingerprints in the reports a build folder keeps (validation.json, analysis/analysis.json), so
that `stdkg publish` reuses a report only when it was computed on exactly this graph with the
same rules, and computes it again otherwise.

A fingerprint names what decides a report: the SHA-256 of the graph file's bytes (stdkg.nt), the
stdkg version and a hash of its code (with the pyoxigraph version); for validation also the engine and one hash over the shape, ontology and
check files; for the analysis the review day (``as_of``), the parameters and one hash over the
query and ontology files. It also holds ``report_sha256``, the SHA-256 of the report's own JSON
without the fingerprint, so a report edited by hand is not trusted either. A checksum, not a
signature: whoever can write the build folder can rewrite the graph as well.

The fingerprint is the report object's last member, written exactly as ``json.dumps(indent=2)``
would write it, so the file stays plain JSON (docs/validation-schema.md, docs/analysis-schema.md)
and neither writing nor checking it serialises the report a second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph

from . import __version__, paths

KEY = "fingerprint"
_MEMBER = f',\n  "{KEY}": '  # how the last member of an indent=2 object begins


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (a national graph is hundreds of megabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_sha256(files: Iterable[Path]) -> str:
    """One SHA-256 over several files, in the order given: each one's name, length and bytes."""
    digest = hashlib.sha256()
    for path in files:
        data = Path(path).read_bytes()
        digest.update(f"{Path(path).name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def code_sha256() -> str:
    """stdkg's own code and the Oxigraph it runs on: a checkout edited without a new version
    number (or another pyoxigraph, which decides how literals compare) computes anew."""
    package = sorted(Path(__file__).parent.glob("*.py"))
    return hashlib.sha256(f"{pyoxigraph.__version__}\0{files_sha256(package)}".encode()).hexdigest()


def validation_fingerprint(graph_sha256: str, engine: str = "fast", extra_shapes: Iterable[Path] = (),
                           checks: Iterable[Path] = ()) -> dict[str, str]:
    """What decides a validation report besides the code: the graph, the engine and the rules
    (bundled shapes, then the user's own, the ontology merged in, then the checks)."""
    from .validate import ontology_files, shapes_files

    rules = [*shapes_files(extra_shapes), *ontology_files(), *checks]
    return {"graph_sha256": graph_sha256, "stdkg_version": __version__, "code_sha256": code_sha256(),
            "engine": engine, "rules_sha256": files_sha256(rules)}


def default_parameters() -> dict[str, object]:
    """The parameters a default ``analyze`` run records (what `stdkg publish` computes with)."""
    from .analyze import REVIEW_YEARS, analyze

    defaults = inspect.signature(analyze).parameters
    return {"top": defaults["top"].default, "similarity": defaults["similarity"].default, "review_years": REVIEW_YEARS}


def analysis_fingerprint(graph_sha256: str, as_of: str | dt.date, parameters: Mapping[str, object]) -> dict[str, object]:
    """What decides an analysis besides the code: the graph, the review day, the parameters and
    the queries (queries/, the ontology's labels)."""
    from .validate import ontology_files

    queries = sorted(paths.queries_dir().rglob("*.rq"))
    return {"graph_sha256": graph_sha256, "stdkg_version": __version__, "code_sha256": code_sha256(),
            "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of),
            "parameters": dict(parameters),
            "rules_sha256": files_sha256([*queries, *ontology_files()])}


def seal(text: str, fingerprint: Mapping[str, object]) -> str:
    """``text`` (a JSON object as ``json.dumps(…, ensure_ascii=False, indent=2)`` writes it) with
    the fingerprint and the report's own SHA-256 added as its last member."""
    if not text.endswith("\n}"):
        raise ValueError("seal expects an object written with indent=2")
    member = {**fingerprint, "report_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return text[:-2] + _MEMBER + json.dumps(member, ensure_ascii=False, indent=2).replace("\n", "\n  ") + "\n}"


def read_sealed(path: Path, expected: Mapping[str, object]) -> tuple[dict[str, object] | None, str]:
    """The report at ``path`` without its fingerprint, when that says it was computed exactly as
    ``expected`` and the report is as written; else None and why not (zh / en)."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except FileNotFoundError:
        return None, "没有该文件 / no such file"
    except (OSError, UnicodeDecodeError, ValueError):
        return None, "无法读取 / unreadable"
    found = doc.pop(KEY, None) if isinstance(doc, dict) else None
    if not isinstance(found, dict):
        return None, "没有指纹（旧版 stdkg 写出）/ no fingerprint (written by an older stdkg)"
    if found.get("graph_sha256") != expected.get("graph_sha256"):
        return None, "图谱已变 / computed on another graph"
    if {k: v for k, v in found.items() if k != "report_sha256"} != dict(expected):
        return None, "规则、参数或版本不同 / other rules, parameters or stdkg version"
    cut = text.rfind(_MEMBER)
    body = text[:cut] + "\n}" if cut >= 0 else ""
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != found.get("report_sha256"):
        return None, "报告已被改动 / the report was edited"
    # The whole file must be exactly what seal wrote: a member added after the fingerprint
    # (JSON keeps a repeated key's last value) is outside the report's hash.
    if text.rstrip("\n") != seal(body, {k: v for k, v in found.items() if k != "report_sha256"}):
        return None, "报告已被改动 / the report was edited"
    return doc, ""
