"""``--isolate`` / ``--jobs N``: every run in its own worker process, with a time limit, up to N at once.

A plugin can misbehave in ways no ``try`` catches: hang in ``train_step``, call ``os._exit``,
segfault in native code, get OOM-killed, leak GPU memory into the next run. Running each run in a
fresh process (forked from a clean ``forkserver`` that has imported torch once, so a worker starts
in milliseconds yet inherits no CUDA or thread state; ``spawn`` elsewhere) contains all of these: the driver
kills a run at its ``timeout_s`` and turns any abnormal exit into a failed run with the reason,
and the suite goes on.

The worker executes the same ``execute_run`` as the local executor; its store writes stream back
over a pipe and the driver applies them as they come (workers never open the SQLite file), so a
crash loses nothing already reported, and the run's checkpoint lets a rerun continue it.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ganbench.executors.base import (
    Executor,
    OnDone,
    RunProgress,
    StoreCall,
    apply_call,
    checkpoint_options,
    record_failure,
    signal_error,
)
from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.store import Store
from ganbench.train.checkpoint import CheckpointOptions
from ganbench.train.loop import RunOutcome

log = logging.getLogger(__name__)

POLL_S = 0.2
PRELOAD = ["torch", "ganbench.executors.local", "ganbench.executors._warm"]
KILL_GRACE_S = 5.0


def _worker(
    conn: Connection,
    run: RunSpec,
    extra_modules: list[str],
    sys_path: list[str],
    checkpoints: CheckpointOptions,
    num_threads: int,
) -> None:
    """Child process entry point: rebuild the registry, execute the run, report through ``conn``."""
    import signal

    # Ctrl-C in the terminal reaches the whole process group: the driver stops the workers itself
    # (and says so in one line); a worker must not print a KeyboardInterrupt traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_driver(conn)
    for p in reversed(sys_path):  # plugins importable in the driver are importable here
        if p not in sys.path:
            sys.path.insert(0, p)
    import torch

    torch.set_num_threads(num_threads)  # same threads as in-process: same numbers
    from ganbench.executors.base import StoreWrites
    from ganbench.executors.local import execute_run
    from ganbench.plugins import load_registry

    def send(msg: tuple[Any, ...]) -> None:
        conn.send(msg)

    writes = StoreWrites(send=lambda call: send(("call", call)))
    try:
        registry = load_registry(extra_plugins=extra_modules)
    except Exception as exc:
        send(("outcome", RunOutcome(run.run_id, "failed", f"worker could not load plugins: {type(exc).__name__}: {exc}")))
        return
    outcome = execute_run(
        run, registry, writes, progress=lambda r, f, s: send(("progress", f, s)), checkpoints=checkpoints
    )
    send(("outcome", outcome))
    conn.close()


def _exit_with_driver(conn: Connection) -> None:
    """Exit this worker as soon as the driver is gone (its end of the pipe closes), so a killed
    ``ganbench run`` leaves no hung plugin behind. A thread waits for the pipe's error event;
    it fires even while the main thread sleeps or hangs in native code that released the GIL."""
    import select
    import threading

    if not hasattr(select, "poll"):
        return
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLERR | select.POLLHUP)

    def watch() -> None:
        while True:
            for _fd, event in poller.poll():
                if event & (select.POLLERR | select.POLLHUP):
                    os._exit(70)

    threading.Thread(target=watch, name="ganbench-driver-watch", daemon=True).start()


def _stop(proc: Any) -> None:
    """Terminate, then kill: a hung plugin gets no say in it."""
    proc.terminate()
    proc.join(KILL_GRACE_S)
    if proc.is_alive():
        proc.kill()
        proc.join()


@dataclass
class _Worker:
    """One run executing in a worker process, as the driver sees it."""

    run: RunSpec
    proc: Any
    recv: Connection
    started: float
    timeout: float | None
    outcome: RunOutcome | None = None


class IsolatedExecutor(Executor):
    """Runs each in a fresh process, killed at its ``timeout_s``; up to ``jobs`` at once.

    ``timeout_s`` (the suite's or model's; ``default_timeout_s`` otherwise) counts from the
    worker's start, so it includes the worker's imports (a few seconds). Every worker uses
    ``threads`` torch threads (ganbench/executors/threads.py), so a run's numbers are the same
    whatever ``jobs`` is. Results are returned in the order of ``runs``; ``on_done`` is called
    as each finishes.
    """

    name = "isolated"
    supports_vectorize = False  # make_executor allows it for --jobs N (not for --isolate)

    def __init__(
        self,
        checkpoints: CheckpointOptions | None = None,
        default_timeout_s: float | None = None,
        start_method: str | None = None,
        *,
        jobs: int = 1,
        threads: int = DEFAULT_THREADS_PER_RUN,
    ):
        if jobs < 1 or threads < 1:
            raise ValueError(f"jobs and threads must be >= 1, got jobs={jobs}, threads={threads}")
        self.checkpoints = checkpoints
        self.default_timeout_s = default_timeout_s
        self.jobs = jobs
        self.threads = threads
        if start_method is None:
            start_method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)

    def execute(self, runs: list[RunSpec], registry: Registry, store: Store, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        ckpt = checkpoint_options(self.checkpoints, store)
        pending = list(runs)
        active: dict[Connection, _Worker] = {}
        outcomes: dict[str, RunOutcome] = {}
        try:
            while pending or active:
                while pending and len(active) < self.jobs:
                    w = self._start(pending.pop(0), registry, ckpt)
                    active[w.recv] = w
                for conn in wait(list(active), timeout=POLL_S):
                    self._drain(active[conn], store, progress)
                now = time.time()
                for conn, w in list(active.items()):
                    if w.outcome is None and w.timeout and now - w.started > w.timeout:
                        _stop(w.proc)
                        w.outcome = record_failure(
                            store, w.run, f"timed out after {w.timeout:g} s (timeout_s); the worker was killed",
                            w.started, time.time(),
                        )
                    if w.outcome is not None:
                        del active[conn]
                        self._finish(w)
                        outcomes[w.run.run_id] = w.outcome
                        if on_done:
                            on_done(w.run, w.outcome)
        finally:  # the driver is leaving (Ctrl-C, a bug): no worker outlives it
            for w in active.values():
                w.recv.close()
                if w.proc.is_alive():
                    _stop(w.proc)
        return [outcomes[r.run_id] for r in runs]

    def _start(self, run: RunSpec, registry: Registry, ckpt: CheckpointOptions) -> _Worker:
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(
            target=_worker,
            args=(send, run, list(registry.extra_modules), list(sys.path), ckpt, self.threads),
            name=f"ganbench-{run.run_id}",
            daemon=True,
        )
        started = time.time()
        proc.start()
        send.close()  # the child holds the only writer: EOF means it is gone
        return _Worker(run, proc, recv, started, run.timeout_s or self.default_timeout_s)

    @staticmethod
    def _drain(w: _Worker, store: Store, progress: RunProgress | None) -> None:
        """Apply everything the worker has sent so far; note its outcome or its death."""
        while w.outcome is None and w.recv.poll():
            try:
                msg = w.recv.recv()
            except (EOFError, OSError):
                w.proc.join(KILL_GRACE_S)
                w.outcome = record_failure(store, w.run, signal_error(w.proc.exitcode), w.started, time.time())
                return
            kind = msg[0]
            if kind == "call" and isinstance(msg[1], StoreCall):
                apply_call(store, msg[1])
            elif kind == "progress" and progress:
                progress(w.run, float(msg[1]), str(msg[2]))
            elif kind == "outcome":
                w.outcome = msg[1]

    @staticmethod
    def _finish(w: _Worker) -> None:
        w.recv.close()
        if w.proc.is_alive():
            w.proc.join(KILL_GRACE_S)
            if w.proc.is_alive():
                _stop(w.proc)
