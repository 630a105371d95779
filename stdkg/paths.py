"""Where the declarative folders (ontology/, shapes/, queries/, loaders/, data/) are.

In a source checkout they sit beside the package; in an installed wheel they ship inside it
under ``stdkg/_bundled/``. Every module asks here, so nothing hard-codes a layout.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_FOLDERS = ("ontology", "shapes", "queries", "loaders", "data")


def _resolve(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"stdkg cannot find its '{name}/' folder (looked in {_PACKAGE / '_bundled'} and "
        f"{_PACKAGE.parent}); reinstall the package / 找不到 {name}/ 目录，请重新安装"
    )


def ontology_dir() -> Path:
    return _resolve("ontology")


def shapes_dir() -> Path:
    return _resolve("shapes")


def queries_dir() -> Path:
    return _resolve("queries")


def loaders_dir() -> Path:
    return _resolve("loaders")


def data_dir() -> Path:
    return _resolve("data")
