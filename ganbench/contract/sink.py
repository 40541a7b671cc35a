"""Tracker sinks in the plugin contract (hook ``ganbench_sinks``): what a sink is opened with, the
events it receives, and how a plugin announces one. The machinery that runs sinks in a process of
their own lives in :mod:`ganbench.record.sinks`; docs/sinks.md shows how to write one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ganbench.contract.versions import UNDECLARED_API_VERSION


@dataclass(frozen=True)
class SinkEvent:
    """One thing recorded for a run.

    ``kind``: ``metric`` (an evaluation's number), ``loss`` (a training-loss point, name ``loss/*``),
    ``samples`` (the final sample grid: ``array`` of images ``(N, C, H, W)`` in [-1, 1] or 2-D
    points ``(N, 2)``) or ``status`` (the run's status changed: ``text`` is it).
    """

    kind: str
    run_id: str
    step: int | None = None
    kimg: float | None = None
    train_seconds: float | None = None
    name: str | None = None
    value: float | None = None
    direction: str | None = None
    extractor: str | None = None
    n_samples: int | None = None
    final: bool = False
    array: np.ndarray | None = field(default=None, repr=False)
    text: str | None = None


@runtime_checkable
class Sink(Protocol):
    """What a :class:`SinkSpec`'s ``open`` returns. ``write`` is called from the sink's own thread,
    one event at a time, in order; ``close`` once at the end (flush and release)."""

    def write(self, event: SinkEvent) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SinkContext:
    """What a sink is opened with: the output directory and the suite's name and YAML."""

    out_dir: Path
    suite: str
    suite_yaml: str = ""


@dataclass(frozen=True)
class SinkSpec:
    """A tracker sink a plugin announces (hook ``ganbench_sinks``); enabled by ``--sink NAME``."""

    name: str
    open: Callable[[SinkContext], Sink]
    description: str = ""
    version: str = "0"
    """The sink's version (shown by ``ganbench plugins``)."""
    api_version: str = UNDECLARED_API_VERSION
    """The plugin API this sink is written against; undeclared reads as ``"1.0"``."""
