"""`stdkg release`: build → validate (the gate) → analyse → changelog → publish, as one versioned release.

A release is a folder ``OUT/V/`` that appears whole or not at all: every step writes into a
staging folder beside it, renamed into place at the end, and ``OUT/latest`` (a one-line file
naming V) is rewritten last. Layout::

    OUT/V/graph/            stdkg.nt, stdkg.ttl, build-report.json (the version stamped in)
    OUT/V/validation.json   the gate's report (also validation.txt)
    OUT/V/analysis/         index.html, analysis.json, analysis.md (stdkg analyze)
    OUT/V/changelog.html    changes since the previous release (also .md and .json)
    OUT/V/site/             the published site (stdkg.publish), unless site=False
    OUT/V/release.json      what was released: version, previous, gate counts, change counts

The version is stamped on the ontology resource of the released graph: owl:versionInfo V and
owl:versionIRI <ontology IRI/V>. Each step is its own function, so a caller can run them apart.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF

from .analyze import analyze as run_analysis
from .atomic import atomic_write
from .build import BuildResult, build, write_outputs
from .diff import diff as run_diff, natural_key
from .diff_input import open_release
from .diff_report import as_html, as_json, as_markdown, as_text
from .problems import StdkgError
from .publish import PublishReport, publish
from .store import open_store
from .validate import SEVERITIES, Validation, validate_file
from .validation_report import as_json as validation_json, as_text as validation_text
from .vocab import DEFAULT_BASE

SCHEMA = "stdkg-release/1"
LATEST = "latest"
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._+-]{0,63}")
Step = Callable[[str], None]


class GateFailed(StdkgError):
    """The graph did not pass validation: nothing was released (exit 1)."""

    def __init__(self, validation: Validation, fail_on: str) -> None:
        super().__init__(f"发布前检查未通过（--fail-on {fail_on}），未发布；--force 可强制发布 / "
                         f"the gate failed (--fail-on {fail_on}): nothing released; --force releases anyway")
        self.validation = validation


class RowsRejected(StdkgError):
    """--strict and the loader rejected rows: nothing was released (exit 1)."""


@dataclass
class ReleaseResult:
    version: str
    folder: Path
    previous: str | None
    validation: Validation
    changelog: dict[str, object] | None
    manifest: dict[str, object] = field(default_factory=dict)


def check_version(version: str) -> str:
    """A version is a folder name and the end of an IRI: letters, digits, '.', '_', '+', '-'."""
    if not VERSION.fullmatch(version) or version in (LATEST,) or ".." in version:
        raise StdkgError(f"版本号 '{version}' 无效：只能用字母、数字和 . _ + -（如 2025 或 2025.1）/ "
                         f"invalid version '{version}': letters, digits and . _ + - only (e.g. 2025 or 2025.1)")
    return version


def stamp_version(triples: set, version: str) -> list[URIRef]:  # type: ignore[type-arg]
    """Put the release version on every owl:Ontology resource of the graph (in place):
    owl:versionInfo V (replacing the one the ontology file carries) and owl:versionIRI <IRI/V>."""
    ontologies = sorted(s for s, p, o in triples if p == RDF.type and o == OWL.Ontology and isinstance(s, URIRef))
    for iri in ontologies:
        triples.difference_update({t for t in triples if t[0] == iri and t[1] in (OWL.versionInfo, OWL.versionIRI)})
        triples.add((iri, OWL.versionInfo, Literal(version)))
        triples.add((iri, OWL.versionIRI, URIRef(f"{iri}/{version}")))
    return ontologies


# ------------------------------------------------------------------------------------- steps

def build_step(folder: Path, version: str, system_dir: Path | None = None, inputs: list[Path] | None = None,
               base: str = DEFAULT_BASE, strict: bool = False) -> BuildResult:
    """Build the graph with the version stamped in, into ``folder/graph``."""
    result = build(system_dir, inputs or [], None, base)
    if strict and result.rejected_rows:
        raise RowsRejected(f"--strict: {result.rejected_rows} 行被拒绝，未发布（stdkg build 列出它们）/ "
                           f"{result.rejected_rows} rows rejected (stdkg build lists them); nothing released")
    stamp_version(result.triples, version)
    result.outputs = write_outputs(result, folder / "graph")
    return result


def validate_step(folder: Path, fail_on: str = "violation", force: bool = False) -> Validation:
    """The gate: validation.json and validation.txt beside the graph; GateFailed unless it passes or ``force``."""
    validation = validate_file(folder / "graph")
    for name, text in (("validation.json", validation_json(validation)), ("validation.txt", validation_text(validation))):
        with atomic_write(folder / name) as out:
            out.write(text + "\n")
    if validation.fails(fail_on) and not force:
        raise GateFailed(validation, fail_on)
    return validation


def analyse_step(folder: Path, as_of: dt.date) -> dict[str, object]:
    """stdkg analyze's report (index.html, analysis.json, analysis.md) into ``folder/analysis``."""
    from .cli_analyze import write_report  # the writer `stdkg analyze --out` uses

    doc = run_analysis(open_store(folder / "graph"), as_of, graph="graph")
    write_report(doc, folder / "analysis")
    return doc


def changelog_step(folder: Path, version: str, previous: str | None, previous_name: str | None) -> dict[str, object] | None:
    """changelog.json, .md and .html: the changes from ``previous`` (any diff input) to this release."""
    if previous is None:
        doc = None
        first = "首个版本，无可比较的上一版本 / first release: no previous release to compare with"
        files = {"changelog.md": f"# 版本 / release {version}\n\n{first}\n", "changelog.txt": first + "\n",
                 "changelog.json": json.dumps({"schema": "stdkg-diff/1", "first_release": True, "version": version},
                                              indent=2) + "\n",
                 "changelog.html": _first_release_html(version)}
    else:
        doc = run_diff(open_release(previous), open_store(folder / "graph"), previous_name or previous, version)
        title = f"版本 {version} 的变更（相对 {previous_name or previous}）/ changes in release {version} (since {previous_name or previous})"
        files = {"changelog.md": as_markdown(doc), "changelog.json": as_json(doc) + "\n",
                 "changelog.html": as_html(doc, title), "changelog.txt": as_text(doc)}
    for name, text in files.items():
        with atomic_write(folder / name) as out:
            out.write(text)
    return doc


def _first_release_html(version: str) -> str:
    import html

    v = html.escape(version)
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n<title>版本 / release {v}</title>\n'
            f"</head>\n<body>\n<h1>版本 / release {v}</h1>\n<p>首个版本，无可比较的上一版本 / "
            "first release: no previous release to compare with</p>\n</body>\n</html>\n")


def _publish(graph_dir: Path, site: Path, *, base_iri: str, version: str, force: bool, as_of: dt.date,
             extra_files: Mapping[str, bytes], validation: Validation,
             analysis: Mapping[str, object]) -> PublishReport:
    """The site, by stdkg.publish, with the changelog pages linked from its home page; the
    release's own validation and analysis are reused, not computed again."""
    return publish(graph_dir, site, base_iri=base_iri, force=force, version=version, as_of=as_of,
                   extra_files=extra_files, validation=validation, analysis=analysis)


# ---------------------------------------------------------------------------------- the whole

def previous_release(out: Path, version: str, previous: str | None) -> tuple[str | None, str | None]:
    """(what to compare with, its name): --previous as given, else the release OUT/latest names."""
    if previous is not None:
        path = Path(previous)
        manifest = path / "release.json"
        if manifest.is_file():
            return previous, str(json.loads(manifest.read_text(encoding="utf-8")).get("version", previous))
        return previous, previous
    latest = out / LATEST
    if latest.is_file():
        name = latest.read_text(encoding="utf-8").strip()
        if name and name != version and (out / name).is_dir():
            return str(out / name), name
    return None, None


def check_after_latest(out: Path, version: str) -> None:
    """Releases move forward: OUT/latest never goes back to an older version."""
    latest = out / LATEST
    name = latest.read_text(encoding="utf-8").strip() if latest.is_file() else ""
    if name and name != version and natural_key(version) < natural_key(name):
        raise StdkgError(f"版本 {version} 早于最新版本 {name}，发布只能向前（按自然顺序：2024 < 2025，1.9 < 1.10）/ "
                         f"version {version} comes before the latest release {name}: releases only move forward "
                         "(natural order: 2024 < 2025, 1.9 < 1.10)")


def release(version: str, out: Path, *, system_dir: Path | None = None, inputs: list[Path] | None = None,
            previous: str | None = None, base: str = DEFAULT_BASE, fail_on: str = "violation", force: bool = False,
            strict: bool = False, as_of: dt.date | None = None, site: bool = True,
            step: Step = lambda name: None) -> ReleaseResult:
    """Make release ``version`` under ``out``; see the module docstring for what it writes."""
    check_version(version)
    check_after_latest(out, version)
    final = out / version
    if final.exists():
        raise StdkgError(f"{final}: 该版本已发布，发布不可覆盖；请换一个版本号 / already released; releases are "
                         "never overwritten: choose another version")
    if previous is not None and not previous.startswith("git:") and not Path(previous).exists():
        raise StdkgError(f"--previous {previous}: 找不到 / not found")  # before the build, not after it
    previous, previous_name = previous_release(out, version, previous)
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{version}.partial-", dir=out))
    try:
        step("构建 / build")
        built = build_step(stage, version, system_dir, inputs, base, strict)
        step("检查 / validate")
        validation = validate_step(stage, fail_on, force)
        step("分析 / analyse")
        today = as_of or dt.date.today()
        analysis = analyse_step(stage, today)
        step("变更 / changelog")
        changelog = changelog_step(stage, version, previous, previous_name)
        if site:
            step("站点 / publish")
            extra = {name: (stage / name).read_bytes() for name in ("changelog.html", "changelog.md", "changelog.json")}
            _publish(stage / "graph", stage / "site", base_iri=base, version=version, force=force, as_of=today,
                     extra_files=extra, validation=validation, analysis=analysis)
        manifest = _manifest(version, previous_name, base, built, validation, fail_on, changelog, as_of)
        manifest["site"] = "site" if site else None
        with atomic_write(stage / "release.json") as handle:
            handle.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        os.chmod(stage, 0o755 & ~_umask())  # mkdtemp makes 0700; a release is meant to be shared
        os.rename(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    with atomic_write(out / LATEST) as handle:
        handle.write(version + "\n")
    return ReleaseResult(version, final, previous_name, validation, changelog, manifest)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _manifest(version: str, previous: str | None, base: str, built: BuildResult, validation: Validation,
              fail_on: str, changelog: dict[str, object] | None, as_of: dt.date | None) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "version": version,
        "previous": previous,
        "base": base,
        "triples": len(built.triples),
        "rejected_rows": built.rejected_rows,
        "gate": {"fail_on": fail_on, "passed": not validation.fails(fail_on),
                 **{s.lower(): validation.count(s) for s in SEVERITIES}},
        "changes": changelog["summary"] if changelog else None,
        "as_of": (as_of or dt.date.today()).isoformat(),
    }
