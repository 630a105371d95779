"""Write files so that a run killed half-way leaves the previous output intact."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .problems import StdkgError


Staged = list[tuple[Path, Path]]  # (temporary file, final path) written but not yet renamed


@contextmanager
def atomic_write(path: Path, encoding: str = "utf-8", stage: Staged | None = None) -> Iterator[TextIO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds.

    With ``stage``, the finished temporary file is only recorded there, so several outputs can
    be renamed together by ``publish`` once all of them are complete.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\n") as out:
            try:
                yield out
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                if exc.errno in _STORAGE_ERRORS:  # the disk, not the caller's code: say where
                    raise _cannot_write(path, exc) from exc
                raise
        # mkstemp makes 0600 files; outputs are meant to be read (served, shared) like any other file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if stage is None:
            os.replace(tmp, path)
        else:
            stage.append((Path(tmp), path))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_STORAGE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG}


def _cannot_write(path: Path, exc: OSError) -> StdkgError:
    return StdkgError(f"{path}: 无法写入（{exc.strerror or exc}），原有文件保持不变 / cannot write "
                      f"({exc.strerror or exc}); any previous file there is unchanged")


@contextmanager
def staged() -> Iterator[Staged]:
    """Collect outputs written with ``stage=``; rename them all at the end, or remove them all."""
    stage: Staged = []
    try:
        yield stage
    except BaseException:
        for tmp, _ in stage:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in stage:  # renames only: microseconds between the first and the last
        os.replace(tmp, path)
