"""One ``ganbench run`` per output directory.

Two runs on one ``--out`` would both train every run, overwrite each other's rows and delete each
other's checkpoint files. The first takes an exclusive lock on ``OUT/.ganbench.lock`` (the
maintained ``filelock`` library: ``fcntl``/``msvcrt`` locks the OS drops when the process dies,
so a killed run never leaves a stale lock) and writes who it is to ``OUT/.ganbench.lock.json``;
the second reads that and is refused with the holder's pid, host and start time.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

LOCK_NAME = ".ganbench.lock"
OWNER_NAME = ".ganbench.lock.json"


class OutDirLocked(RuntimeError):
    """Another process holds the output directory; the message says which one."""


class OutDirLock:
    """``with OutDirLock(out):`` holds ``out`` exclusively or raises :class:`OutDirLocked` at once."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self._lock = FileLock(str(self.out / LOCK_NAME), timeout=0)

    def holder(self) -> str:
        """Who holds the lock, from its sidecar (best effort: it may be mid-write)."""
        try:
            info = json.loads((self.out / OWNER_NAME).read_text(encoding="utf-8"))
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["started"])))
            return f"pid {info['pid']} on {info['host']} (since {since})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def __enter__(self) -> OutDirLock:
        try:
            self._lock.acquire()
        except Timeout:
            raise OutDirLocked(
                f"{self.out}: in use by another `ganbench run`: {self.holder()}; wait for it, or use another --out"
            ) from None
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        (self.out / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            (self.out / OWNER_NAME).unlink(missing_ok=True)
        finally:
            self._lock.release()
