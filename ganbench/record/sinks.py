"""Tracker sinks: every metric, loss point and sample grid, as the store records it, also sent to
an experiment tracker (TensorBoard, wandb, MLflow, ...), never required.

Why a proxy of the store: every executor (in process, ``--isolate`` workers, Ray tasks, vectorised
replicas) ends in the driver's store writes, so a sink sees each run whatever ran it, from one place.

Why a process of their own: a tracker is someone else's code talking to disks or servers, and
Python code on a thread of the training process shares its GIL: a CPU-bound sink on a thread cut
``train_steps_per_s`` from 154 to 58, and that number was stored as the model's throughput. The
sinks therefore run in one spawned process (:class:`SinkProcessHub`); the run only enqueues
(never waits), a full queue drops events (counted). In that process each sink has its own daemon
thread and bounded queue; ``open()`` gets :data:`OPEN_TIMEOUT_S`, a sink that raises (``SystemExit``
included) is one line and, after :data:`MAX_ERRORS` failures, switched off, and closing waits at most
``close_timeout`` seconds before abandoning it. Every failure is one warning line in the driver's
log; a sink can neither stop, stall nor slow a run.

A plugin provides sinks through the ``ganbench_sinks`` hook (a list of :class:`SinkSpec`); the
user enables them by name with ``ganbench run --sink NAME``. docs/sinks.md shows how to write one.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ganbench.contract.sink import Sink, SinkContext, SinkEvent, SinkSpec

log = logging.getLogger(__name__)

MAX_ERRORS = 10
QUEUE_SIZE = 10_000
CLOSE_TIMEOUT_S = 10.0
SINK_NICENESS = 19
"""The sink process's ``nice`` increment: on a machine without a spare core it only gets CPU time
training leaves."""
PROCESS_QUEUE_SIZE = 100_000
"""Events in flight to the sink process (it drains them into each sink's own queue at once)."""
OPEN_TIMEOUT_S = 30.0
"""How long a sink's ``open()`` may take (a tracker login) before the suite goes on without it."""
STARTUP_S = 60.0
"""Allowance for the sink process to start and import the plugins, on top of the open and close waits."""


class SinkError(ValueError):
    """An unknown sink name, or a sink that cannot be opened; the message names it."""


def discover_sinks(extra_plugins: Iterable[Any] = ()) -> tuple[dict[str, SinkSpec], list[str]]:
    """Every sink the installed plugins (and ganbench itself) provide, by name, and one line per
    plugin whose ``ganbench_sinks`` hook raised (``SystemExit`` too) or returned something other
    than a list of :class:`SinkSpec`.

    Sinks are discovered and validated by the one plugin registry, like models, datasets and
    metrics (:func:`ganbench.plugins.load_registry`): each plugin's hook is called on its own, so
    one broken plugin neither hides the others' sinks nor crashes ``--sink tensorboard``.
    ``extra_plugins`` are importable names (or (name, file) pairs, in the sink process) of modules
    registered in addition, as the registry's ``extra_modules``."""
    from ganbench.plugins import load_registry

    extras = [_import(e) if isinstance(e, (str, tuple)) else e for e in extra_plugins]
    registry = load_registry(list(dict.fromkeys(extras)))
    return dict(registry.sinks), list(registry.sink_problems)


def _import(ref: str | tuple[str, str | None]) -> Any:
    """A module by name, or (in the sink process) from the file the driver had it from: a module
    pytest imported in ``importlib`` mode has a name no ``sys.path`` entry resolves."""
    import sys

    name, file = (ref, None) if isinstance(ref, str) else ref
    try:
        return importlib.import_module(name)
    except ImportError:
        if not file:
            raise
    from importlib import util

    spec = util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {name} from {file}")
    module = util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _module_ref(extra: Any) -> tuple[str, str | None]:
    """(name, file) of an extra plugin, for the sink process to import it again."""
    import sys

    if isinstance(extra, str):
        mod = sys.modules.get(extra)
        return extra, getattr(mod, "__file__", None)
    return getattr(extra, "__name__", str(extra)), getattr(extra, "__file__", None)


def available_sinks(extra_plugins: Iterable[Any] = ()) -> dict[str, SinkSpec]:
    """Every sink the installed plugins provide, by name (broken sink plugins left out)."""
    return discover_sinks(extra_plugins)[0]


def check_sink_names(names: Sequence[str], extra_plugins: Iterable[Any] = ()) -> None:
    """Raise :class:`SinkError` (one line) for a ``--sink`` no plugin provides."""
    specs, problems = discover_sinks(extra_plugins)
    unknown = [n for n in names if n not in specs]
    if unknown:
        why = f" (broken sink plugin(s): {'; '.join(problems)})" if problems else ""
        raise SinkError(f"--sink: unknown sink(s) {', '.join(unknown)}; available: "
                        f"{', '.join(sorted(specs)) or 'none'}{why}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}) (the sink called sys.exit)"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


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
            except BaseException as exc:  # SystemExit too: a sink never ends silently
                self.errors += 1
                if self.errors == 1:
                    log.warning("sink %s: write raised %s (the run goes on)", self.name, _describe(exc))
                if self.errors >= MAX_ERRORS or not isinstance(exc, Exception):
                    log.warning("sink %s: %d error(s), switched off for the rest of the suite", self.name, self.errors)
                    self.disabled = True
        try:
            self.sink.close()
        except BaseException as exc:
            log.warning("sink %s: close raised %s", self.name, _describe(exc))


class SinkHub:
    """Fans events out to the enabled sinks without ever blocking the caller (threads, in the
    process that owns it: the sink process of :class:`SinkProcessHub`)."""

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


def open_with_deadline(name: str, spec: SinkSpec, ctx: SinkContext, timeout: float) -> Sink | None:
    """``spec.open(ctx)`` on a thread, given ``timeout`` seconds: a tracker login that hangs is
    abandoned, one that raises is one line, and the suite goes on without that sink."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["sink"] = spec.open(ctx)
        except BaseException as exc:
            box["error"] = exc

    th = threading.Thread(target=target, name=f"ganbench-sink-open-{name}", daemon=True)
    th.start()
    th.join(timeout)
    if th.is_alive():
        log.warning("sink %s: open() did not return within %.0f s; the suite goes on without it", name, timeout)
        return None
    if "error" in box:
        log.warning("sink %s: cannot open it (%s); the suite goes on without it", name, _describe(box["error"]))
        return None
    sink = box.get("sink")
    if not callable(getattr(sink, "write", None)) or not callable(getattr(sink, "close", None)):
        log.warning("sink %s: open() returned %s, not an object with write() and close(); the suite goes on "
                    "without it", name, type(sink).__name__)
        return None
    return sink


class _ForwardLog(logging.Handler):
    """In the sink process: every log record of this module goes back to the driver as one line."""

    def __init__(self, out: Any):
        super().__init__(logging.WARNING)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.out.put_nowait(("log", record.levelno, record.getMessage()))
        except Exception:
            pass


def _sink_process(names: list[str], ctx: SinkContext, extra_modules: list[tuple[str, str | None]], sys_path: list[str],
                  events: Any, out: Any, options: dict[str, Any]) -> None:
    """The sink process: opens the sinks (each with a deadline) and feeds them from ``events``.
    Training never waits for it and never shares a GIL with it: a CPU-bound or hanging sink costs
    the runs nothing but a core it may use."""
    import os
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver decides when sinks stop
    try:  # the lowest CPU priority: where cores are short, training runs first and the sinks wait
        os.nice(SINK_NICENESS)
    except (AttributeError, OSError):
        pass
    sys.path[:] = list(sys_path) + [p for p in sys.path if p not in sys_path]  # the driver's imports, in its order
    log.addHandler(_ForwardLog(out))
    log.setLevel(logging.WARNING)
    log.propagate = False
    parent = os.getppid()
    try:
        specs, problems = discover_sinks(extra_modules)
    except BaseException as exc:
        log.warning("sinks: could not load the sink plugins (%s); the suite goes on without sinks", _describe(exc))
        specs, problems = {}, []
    for line in problems:
        log.warning("sinks: %s", line)
    opened = []
    for n in dict.fromkeys(names):
        if n in specs:
            sink = open_with_deadline(n, specs[n], ctx, options["open_timeout"])
            if sink is not None:
                opened.append((n, sink))
    hub = SinkHub(opened, queue_size=options["queue_size"], close_timeout=options["close_timeout"])
    out.put(("opened", [n for n, _ in opened]))
    while True:
        try:
            event = events.get(timeout=0.5)
        except queue.Empty:
            if os.getppid() != parent:  # the driver died: nothing more will come
                break
            continue
        except (EOFError, OSError):
            break
        if event is None:
            break
        hub.emit(event)
    hub.close()
    out.put(("closed", None))
    out.close()
    out.join_thread()  # every warning line reaches the driver before the process ends
    os._exit(0)  # abandoned (hung) sink threads must not keep this process alive


class SinkProcessHub:
    """The driver's side: events go, pickled, to the sink process (never waiting: a full pipe drops
    them, counted); the process's warnings come back as log lines of this module."""

    def __init__(self, names: Sequence[str], ctx: SinkContext, extra_modules: Sequence[tuple[str, str | None]], *,
                 queue_size: int | None = None, close_timeout: float | None = None, open_timeout: float | None = None):
        import multiprocessing as mp
        import sys

        self.close_timeout = CLOSE_TIMEOUT_S if close_timeout is None else close_timeout
        self.open_timeout = OPEN_TIMEOUT_S if open_timeout is None else open_timeout
        mpctx = mp.get_context("spawn")
        self.events = mpctx.Queue(maxsize=PROCESS_QUEUE_SIZE)
        self.back = mpctx.Queue()
        self.dropped = 0
        self.proc = mpctx.Process(
            target=_sink_process, name="ganbench-sinks", daemon=True,
            args=(list(names), ctx, list(extra_modules), list(sys.path), self.events, self.back,
                  {"queue_size": queue_size or QUEUE_SIZE, "close_timeout": self.close_timeout,
                   "open_timeout": self.open_timeout}),
        )
        self.opened = False
        self.proc.start()
        self.closed = False
        self.listener = threading.Thread(target=self._listen, name="ganbench-sinks-log", daemon=True)
        self.listener.start()

    def _listen(self) -> None:
        while True:
            try:
                msg = self.back.get(timeout=0.5)
            except queue.Empty:
                if not self.proc.is_alive():
                    return
                continue
            except (EOFError, OSError, ValueError):
                return
            if msg[0] == "log":
                log.log(msg[1], "%s", msg[2])
            elif msg[0] == "opened":
                self.opened = True
            elif msg[0] == "closed":
                return

    def emit(self, event: SinkEvent) -> None:
        if self.closed:
            return
        try:
            self.events.put_nowait(event)
        except queue.Full:
            if self.dropped == 0:
                log.warning("sinks: falling behind, the queue to the sink process is full; dropping events "
                            "(the run goes on)")
            self.dropped += 1

    def close(self) -> None:
        """Tell the sink process to finish; wait at most ``close_timeout`` (plus its start-up)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.events.put(None, timeout=1.0)
        except (queue.Full, ValueError):
            pass
        self.proc.join(self.close_timeout + (2.0 if self.opened else self.open_timeout + STARTUP_S))
        if self.proc.is_alive():
            log.warning("sinks: the sink process did not finish %.0f s after the suite; stopped", self.close_timeout)
            self.proc.terminate()
            self.proc.join(2.0)
        self.listener.join(2.0)
        if self.dropped:
            log.warning("sinks: %d event(s) dropped while the sinks fell behind", self.dropped)
        self.events.cancel_join_thread()  # undelivered events must not hold the driver at exit
        self.events.close()


def open_sinks(names: Sequence[str], ctx: SinkContext, extra_plugins: Iterable[Any] = (), **hub_options: Any) -> SinkProcessHub:
    """The hub of the sinks named (``--sink``), running in their own process. Unknown names are a
    :class:`SinkError` (before any run); a sink that fails or hangs opening is one warning line."""
    extra = [_module_ref(e) for e in extra_plugins]
    check_sink_names(names, extra)
    return SinkProcessHub(names, ctx, extra, **hub_options)


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
