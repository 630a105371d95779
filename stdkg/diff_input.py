"""What `stdkg diff` and `stdkg release` compare: a release given as a folder, a file or a git revision.

- a release folder (``stdkg release`` output: ``graph/stdkg.nt``) or a build folder (``stdkg.nt``);
- a graph file (.nt, .ttl, .nq, .trig, .rdf, .jsonld), also gzip-compressed (``stdkg.nt.gz``);
- a system folder (``system.yaml`` and tables), built in memory;
- ``git:REV[:PATH]``: the data folder PATH (default ``data/bps``) as it was at revision REV of
  the git repository around the current directory, exported with ``git archive`` into a
  temporary folder and built in memory; PATH may also name a graph file at that revision.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pyoxigraph as ox

from .build import build
from .problems import StdkgError
from .store import FORMATS, open_store, store_from_triples

GIT_PREFIX = "git:"
DEFAULT_DATA_PATH = "data/bps"


def open_release(spec: str) -> ox.Store:
    """The graph of one release, however it is given (see the module docstring)."""
    if spec.startswith(GIT_PREFIX):
        return _from_git(spec[len(GIT_PREFIX):])
    path = Path(spec)
    if not path.exists():
        raise StdkgError(f"{spec}: 找不到（应为发布目录、构建目录、图谱文件或 git:REV[:PATH]）/ "
                         "not found (expected a release folder, build folder, graph file or git:REV[:PATH])")
    return _from_path(path)


def _from_path(path: Path) -> ox.Store:
    if path.is_dir():
        if (path / "graph" / "stdkg.nt").is_file():
            return open_store(path / "graph")
        if (path / "system.yaml").is_file():
            return _built(path, None, str(path))
        return open_store(path)  # a build folder (or a clear "graph not found")
    if path.suffix.lower() == ".gz":
        fmt = FORMATS.get(Path(path.stem).suffix.lower())
        if fmt is None:
            raise StdkgError(f"{path}: 不认识的 RDF 格式 / unknown RDF format (use .nt.gz, .ttl.gz …)")
        store = ox.Store()
        try:
            with gzip.open(path, "rb") as data:
                store.bulk_load(data, format=fmt, to_graph=ox.DefaultGraph())
        except (SyntaxError, ValueError, OSError, EOFError) as exc:
            raise StdkgError(f"{path}: 无法解析 / cannot parse ({exc})") from exc
        return store
    return open_store(path)


def _built(system_dir: Path | None, inputs: list[Path] | None, name: str) -> ox.Store:
    """Tables built in memory; rejected rows are left out of the comparison, and said so."""
    result = build(system_dir, inputs)
    if result.rejected_rows:
        sys.stderr.write(f"注意 / note: {name}: {result.rejected_rows} 行被拒绝，未参与比较（stdkg build 可查看原因）/ "
                         f"{result.rejected_rows} rows rejected and left out of the comparison (stdkg build says why)\n")
    return store_from_triples(result.triples)


def _git(args: list[str], cwd: Path | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StdkgError(f"无法运行 git / cannot run git ({exc})") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise StdkgError(f"git {' '.join(args)}: {message}")
    return done.stdout


def _from_git(spec: str) -> ox.Store:
    rev, _, data_path = spec.partition(":")
    data_path = data_path.strip("/") or DEFAULT_DATA_PATH
    if not rev or rev.startswith("-") or data_path.startswith("-"):
        raise StdkgError(f"git:{spec}: 应为 git:REV[:PATH]，如 git:v1.0:data/bps / expected git:REV[:PATH], e.g. git:v1.0:data/bps")
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"]).decode().strip())
    except StdkgError as exc:
        raise StdkgError(f"git:{spec}: 当前目录不在 git 仓库中，请在仓库内运行 / the current folder is not inside a git "
                         f"repository: run stdkg diff from inside one ({exc})") from None
    commit = _git(["rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"], top).decode().strip()
    archive = _git(["archive", "--format=tar", commit, "--", data_path], top)
    with tempfile.TemporaryDirectory(prefix="stdkg-git-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")  # refuses absolute paths, links out of tmp, devices
        exported = Path(tmp) / data_path
        if not exported.exists():
            raise StdkgError(f"git:{spec}: 该版本中没有 {data_path} / {data_path} does not exist at {rev}")
        if exported.is_dir() and not (exported / "system.yaml").is_file() and not (exported / "stdkg.nt").is_file():
            return _built(None, [exported], f"git:{spec}")  # a folder of the user's own tables
        return _from_path(exported)
