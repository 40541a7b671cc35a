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


def write_atomic_path(path: str | Path, write_to: Callable[[Path], object], *, mode: int | None = None,
                      tmp_name: str | None = None, before_rename: Callable[[], object] | None = None) -> Path:
    """Call ``write_to(tmp)`` to write a temporary file beside ``path`` by name (pandas, ``torch.save``),
    fsync it, then rename it over ``path``: the one atomic write every ganbench writer uses.

    ``mode`` sets the file's permissions (the default ``mkstemp`` name is private to the user; a
    ``tmp_name`` is created by the writer, so the umask decides). ``tmp_name`` names the temporary
    file (checkpoints put their pid in it, so a later run can tell a live writer's file from a dead
    one's); ``before_rename`` runs just before the rename (the fault-injection hook of
    :mod:`ganbench.util.faults`). ``path`` must be missing or a regular file (:func:`check_replaceable`),
    checked before and again just before the rename. A failure removes the temporary file."""
    p = Path(path)
    check_replaceable(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    if tmp_name is None:
        fd, name = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
    else:
        tmp = p.with_name(tmp_name)
    try:
        write_to(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        if before_rename is not None:
            before_rename()
        check_replaceable(p)  # it may have changed while we wrote
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p


def write_atomic(path: str | Path, write: Callable[[BinaryIO], object], *, mode: int | None = None) -> Path:
    """:func:`write_atomic_path` for a writer of an open binary file: ``write(fh)``."""
    def write_to(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            write(fh)

    return write_atomic_path(path, write_to, mode=mode)


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
