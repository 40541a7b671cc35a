"""Atomic file writes: a temporary file in the target's folder, fsync, then rename.

A reader (a CI step, a second ganbench process, a browser) sees the old file or the new one,
never half of one; a crash leaves at most a hidden ``.NAME.*.tmp`` beside it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: str | Path, write: Callable[[BinaryIO], object], *, mode: int | None = None) -> Path:
    """Call ``write(fh)`` on a temporary binary file, then rename it over ``path``.

    ``mode`` sets the file's permissions (``mkstemp`` creates it private to the user)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
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
