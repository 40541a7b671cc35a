"""Atomic file writes: a temporary file in the target's folder, fsync, then rename.

A reader (a CI step, a second ganbench process, a browser) sees the old file or the new one,
never half of one; a crash leaves at most a hidden ``.NAME.*.tmp`` beside it.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

SQLITE_MAGIC = b"SQLite format 3\x00"


class UnsafeTarget(OSError):
    """A path an atomic write must not replace (a device, a pipe, a directory, a database)."""

    def __init__(self, path: Path, why: str):
        super().__init__(errno.EINVAL, why, str(path))


def check_replaceable(path: str | Path) -> None:
    """Raise :class:`UnsafeTarget` unless renaming a new file over ``path`` is safe.

    Why here, under every command's own output checks: the rename replaces whatever has that
    name, and as root that includes ``/dev/full``, a named pipe another process reads, or a
    results store. Only a missing path, a symlink (the link is replaced, never its target) or a
    regular file that is not an SQLite database may be replaced."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeTarget(p, "is a directory; give a file name")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "not a regular file")
        raise UnsafeTarget(p, f"is {kind}; ganbench writes regular files only")
    try:
        with open(p, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError:
        return  # unreadable: the rename itself will say so, or succeed without reading it
    if head == SQLITE_MAGIC:
        raise UnsafeTarget(p, "is an SQLite database (a results store?); refusing to replace it")


def write_atomic(path: str | Path, write: Callable[[BinaryIO], object], *, mode: int | None = None) -> Path:
    """Call ``write(fh)`` on a temporary binary file, then rename it over ``path``.

    ``mode`` sets the file's permissions (``mkstemp`` creates it private to the user). ``path``
    must be missing or a regular file (:func:`check_replaceable`), checked before and again just
    before the rename."""
    p = Path(path)
    check_replaceable(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        check_replaceable(p)  # it may have changed while we wrote
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def run_file(directory: str | Path, run_id: str) -> Path:
    """``directory/<run_id>.pt``; raises ValueError for a run id that is not a plain file name
    or would land outside ``directory`` (ids come from suites and stores, which users edit)."""
    base = Path(directory).resolve()
    if not run_id or "/" in run_id or "\\" in run_id or run_id in (".", "..") or "\x00" in run_id:
        raise ValueError(f"run id {run_id!r} cannot be a file name")
    path = (base / f"{run_id}.pt").resolve()
    if path.parent != base:
        raise ValueError(f"run id {run_id!r} would write outside {base}")
    return path


def write_text_atomic(path: str | Path, text: str, *, mode: int | None = None) -> Path:
    return write_atomic(path, lambda fh: fh.write(text.encode("utf-8")), mode=mode)
