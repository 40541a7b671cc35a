"""Tracker sinks: every metric, loss point and sample grid, as the store records it, also sent to
an experiment tracker (TensorBoard, wandb, MLflow, ...), never required.

Why a proxy of the store: every executor (in process, ``--isolate`` workers, Ray tasks, vectorised
replicas) ends in the driver's store writes, so a sink sees each run whatever ran it, from one place.

Why threads and queues: a tracker is someone else's code talking to disks or servers. Each sink
gets its own daemon thread and a bounded queue; the run only enqueues (never waits), so a sink that
is slow or hangs costs the run nothing, a full queue drops events (counted), a sink that raises is
logged and, after :data:`MAX_ERRORS` failures, switched off, and closing waits at most
``close_timeout`` seconds per sink before abandoning it. A sink can neither stop nor stall a run.

A plugin provides sinks through the ``ganbench_sinks`` hook (a list of :class:`SinkSpec`); the
user enables them by name with ``ganbench run --sink NAME``. docs/sinks.md shows how to write one.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

MAX_ERRORS = 10
QUEUE_SIZE = 10_000
CLOSE_TIMEOUT_S = 10.0


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


class SinkError(ValueError):
    """An unknown sink name, or a sink that cannot be opened; the message names it."""


def available_sinks(extra_plugins: Iterable[Any] = ()) -> dict[str, SinkSpec]:
    """Every sink the installed plugins (and ganbench itself) provide, by name."""
    from ganbench.plugins import PluginInfo, _load_entry_points, make_manager

    pm = make_manager()
    pm.register(__import__("ganbench.tensorboard_sink", fromlist=["_"]), name="ganbench.tensorboard_sink")
    infos: list[PluginInfo] = []
    _load_entry_points(pm, infos)
    for i, extra in enumerate(extra_plugins):
        if isinstance(extra, str):  # the registry's extra_modules are importable names
            extra = importlib.import_module(extra)
        pm.register(extra, name=getattr(extra, "__name__", f"extra-sink-{i}"))
    out: dict[str, SinkSpec] = {}
    for result in pm.hook.ganbench_sinks():
        for spec in result or []:
            if isinstance(spec, SinkSpec) and spec.name not in out:
                out[spec.name] = spec
    return out


class _Worker:
    """One sink on its own daemon thread, fed through a bounded queue."""

    def __init__(self, name: str, sink: Sink, queue_size: int):
        self.name = name
        self.sink = sink
        self.q: queue.Queue[SinkEvent] = queue.Queue(maxsize=queue_size)
        self.dropped = 0
        self.errors = 0
        self.delivered = 0
        self.disabled = False
        self.stopping = False  # set at the end: the thread drains the queue, closes the sink and ends
        self.thread = threading.Thread(target=self._loop, name=f"ganbench-sink-{name}", daemon=True)
        self.thread.start()

    def put(self, event: SinkEvent) -> None:
        if self.disabled:
            return
        try:
            self.q.put_nowait(event)
        except queue.Full:
            if self.dropped == 0:
                log.warning("sink %s: falling behind, its queue is full; dropping events (the run goes on)", self.name)
            self.dropped += 1

    def _loop(self) -> None:
        while True:
            try:
                event = self.q.get(timeout=0.05)
            except queue.Empty:
                if self.stopping:
                    break
                continue
            if self.disabled:
                continue
            try:
                self.sink.write(event)
                self.delivered += 1
            except Exception as exc:
                self.errors += 1
                if self.errors == 1:
                    log.warning("sink %s: write raised %s: %s (the run goes on)", self.name, type(exc).__name__, exc)
                if self.errors >= MAX_ERRORS:
                    log.warning("sink %s: %d errors, switched off for the rest of the suite", self.name, self.errors)
                    self.disabled = True
        try:
            self.sink.close()
        except Exception as exc:
            log.warning("sink %s: close raised %s: %s", self.name, type(exc).__name__, exc)


class SinkHub:
    """Fans events out to the enabled sinks without ever blocking the caller."""

    def __init__(self, sinks: Sequence[tuple[str, Sink]], *, queue_size: int | None = None,
                 close_timeout: float | None = None):
        self.workers = [_Worker(name, sink, queue_size or QUEUE_SIZE) for name, sink in sinks]
        self.close_timeout = CLOSE_TIMEOUT_S if close_timeout is None else close_timeout

    def emit(self, event: SinkEvent) -> None:
        for w in self.workers:
            w.put(event)

    def close(self) -> None:
        """Let every sink finish what is queued (all at once), waiting at most ``close_timeout`` s in all."""
        deadline = time.monotonic() + self.close_timeout
        for w in self.workers:
            w.stopping = True
        for w in self.workers:
            w.thread.join(max(0.0, deadline - time.monotonic()))
            if w.thread.is_alive():
                log.warning("sink %s: not finished %.0f s after the suite; abandoned with %d event(s) undelivered",
                            w.name, self.close_timeout, w.q.qsize())
            elif w.dropped:
                log.warning("sink %s: %d event(s) dropped while it fell behind", w.name, w.dropped)


def open_sinks(names: Sequence[str], ctx: SinkContext, extra_plugins: Iterable[Any] = (), **hub_options: Any) -> SinkHub:
    """The hub of the sinks named (``--sink``); unknown names and sinks failing to open are errors."""
    specs = available_sinks(extra_plugins)
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise SinkError(f"--sink: unknown sink(s) {', '.join(unknown)}; available: {', '.join(sorted(specs)) or 'none'}")
    opened: list[tuple[str, Sink]] = []
    for n in dict.fromkeys(names):
        try:
            opened.append((n, specs[n].open(ctx)))
        except Exception as exc:
            for _, s in opened:
                s.close()
            raise SinkError(f"--sink {n}: cannot open it ({type(exc).__name__}: {exc})") from None
    return SinkHub(opened, **hub_options)


class SinkStore:
    """Stands in for the store in front of the executors: every write goes to the store first, then,
    as events, to the sinks. Everything else is the store's."""

    def __init__(self, store: Any, hub: SinkHub):
        self._store = store
        self._hub = hub

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def add_metrics(self, rows: list[Any]) -> None:
        self._store.add_metrics(rows)
        for r in rows:
            name = str(r.name)
            self._hub.emit(SinkEvent(
                "loss" if name.startswith("loss/") else "metric", r.run_id, int(r.step), r.kimg, r.train_seconds, name,
                None if r.value is None else float(r.value), r.direction, r.extractor, r.n_samples, bool(r.final),
            ))

    def put_array(self, run_id: str, name: str, array: np.ndarray) -> None:
        self._store.put_array(run_id, name, array)
        if name == "samples":
            self._hub.emit(SinkEvent("samples", run_id, array=np.asarray(array, dtype=np.float32).copy()))

    def upsert_run(self, run_id: str, **fields: Any) -> None:
        self._store.upsert_run(run_id, **fields)
        if "status" in fields:
            self._hub.emit(SinkEvent("status", run_id, text=str(fields["status"])))
