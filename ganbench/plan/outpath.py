"""Output paths a command may write: checked before any work, so a typo or a careless ``--out``
never replaces a results store, a device or an input, and never ends in a traceback.

Why one place: ``report``, ``baseline``, ``export``, ``sample`` and ``check --junit/--markdown`` all
take a file to write. Each used to find out at write time (``IsADirectoryError``, ``PermissionError``)
or never (an atomic rename over ``results.sqlite`` or ``/dev/full`` succeeds as root). The rules:

* an existing path must be a regular file (never a directory, device, FIFO or socket);
* it must not be a SQLite database (a results store, whatever its name), a store's ``-wal``,
  ``-shm`` or ``-journal`` side file, or (after resolving symlinks and hard links) one of the
  command's inputs;
* its folder must exist or be creatable, and be writable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


class OutputPathError(ValueError):
    """An output path that must not be written; the message is one line naming it and why."""


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_output_path(path: str | Path, *, what: str = "--out", inputs: Iterable[str | Path] = ()) -> Path:
    """Return ``path`` (user-expanded) if a command may write it, else raise :class:`OutputPathError`.

    ``what`` names the option in the message (``--out``, ``--junit``); ``inputs`` are the files or
    output directories the command reads (a directory stands for its ``results.sqlite``).
    """
    p = Path(path).expanduser()
    if str(path) == "" or p.name in ("", ".", ".."):
        raise OutputPathError(f"{what} {str(path)!r}: give a file name")
    if p.exists() or p.is_symlink():
        try:
            st = p.stat()
        except OSError as exc:
            raise OutputPathError(f"{what} {p}: cannot use it ({exc.strerror or exc})") from None
        if stat.S_ISDIR(st.st_mode):
            raise OutputPathError(f"{what} {p}: is a directory; give a file name inside it")
        if not stat.S_ISREG(st.st_mode):
            kind = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                    else "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "not a regular file")
            raise OutputPathError(f"{what} {p}: is {kind}; ganbench writes regular files only")
        if _is_sqlite(p):
            raise OutputPathError(f"{what} {p}: is a SQLite database (a results store?); refusing to overwrite it")
    for suffix in _SIDE_SUFFIXES:
        if p.name.endswith(suffix) and _is_sqlite(p.with_name(p.name[: -len(suffix)])):
            raise OutputPathError(f"{what} {p}: is a side file of the database {p.name[: -len(suffix)]}; refusing to write it")
    for item in inputs:
        src = Path(item).expanduser()
        candidates = [src, src / "results.sqlite"] if src.is_dir() else [src]
        for c in candidates:
            if c.exists() and p.exists() and _same_file(p, c):
                raise OutputPathError(f"{what} {p}: is an input of this command ({c}); write somewhere else")
            if not p.exists() and p.resolve() == c.resolve():
                raise OutputPathError(f"{what} {p}: is an input of this command ({c}); write somewhere else")
    folder = _nearest_existing(p.parent if str(p.parent) else Path("."))
    if not folder.is_dir():
        raise OutputPathError(f"{what} {p}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {p}: cannot write in {folder} (read-only or no permission)")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputPathError(f"{what} {p}: the file is read-only")
    return p


def describe_os_error(exc: OSError, path: str | Path | None = None) -> str:
    """One line for an OSError met while writing (a full disk, a folder that vanished)."""
    where = exc.filename or path
    return f"{where}: cannot write it ({exc.strerror or type(exc).__name__})" if where else f"cannot write ({exc})"
