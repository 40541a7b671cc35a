"""Progress of long work inside a command: feature extraction, evaluator training.

Why: reference features of 2,006 images took 19 minutes on a CPU with nothing on screen, and
``ganbench data prepare mnist`` trained for 4.5 minutes in silence. On an interactive terminal a
rich bar shows the work; anywhere else (a log file, CI, a worker process, or while ``ganbench run``
already shows its own live display) a plain line goes to stderr once the work has lasted
``quiet_s`` seconds and then every :data:`LINE_EVERY_S` seconds, so short work stays silent and
long work is never silent.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

LINE_EVERY_S = 15.0
QUIET_S = 3.0


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class WorkProgress:
    """``with WorkProgress("inception features of 2,006 dataset images", 2006) as p: ... p.advance(n)``."""

    def __init__(self, description: str, total: int, unit: str = "images", *, stream: TextIO | None = None,
                 quiet_s: float = QUIET_S, every_s: float = LINE_EVERY_S, bar: bool | None = None):
        self.description, self.total, self.unit = description, max(0, int(total)), unit
        self.stream = stream if stream is not None else sys.stderr
        self.quiet_s, self.every_s = quiet_s, every_s
        self.done = 0
        self.t0 = time.monotonic()
        self.last_line: float | None = None
        self._bar: Any = None
        self._task: Any = None
        want_bar = bar if bar is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        if want_bar and self.total:
            self._start_bar()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.errors import LiveError
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       console=Console(file=self.stream), transient=True)
        try:
            bar.start()
        except LiveError:  # another live display (ganbench run's) owns the terminal: plain lines
            return
        self._bar, self._task = bar, bar.add_task(self.description, total=self.total)

    def advance(self, n: int = 1) -> None:
        self.done += int(n)
        if self._bar is not None:
            self._bar.advance(self._task, n)
            return
        now = time.monotonic()
        elapsed = now - self.t0
        if elapsed < self.quiet_s or (self.last_line is not None and now - self.last_line < self.every_s):
            return
        self.last_line = now
        share = self.done / self.total if self.total else 0.0
        left = f", about {_duration(elapsed / share - elapsed)} left" if 0 < share < 1 else ""
        self._line(f"{self.description}: {self.done:,}/{self.total:,} {self.unit} ({100 * share:.0f}%), "
                   f"{_duration(elapsed)}{left}")

    def _line(self, text: str) -> None:
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream never stops the work
            pass

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        elif self.last_line is not None:  # lines were shown: say it ended
            self._line(f"{self.description}: done, {self.done:,} {self.unit} in {_duration(time.monotonic() - self.t0)}")

    def __enter__(self) -> WorkProgress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
