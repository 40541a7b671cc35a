"""``--isolate``: every run in its own worker process, with a time limit.

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
from multiprocessing.connection import Connection
from typing import Any, Iterable

from ganbench.executors.base import (
    OnDone,
    RunProgress,
    StoreCall,
    apply_call,
    checkpoint_options,
    record_failure,
    signal_error,
)
from ganbench.plugins import Registry
from ganbench.store import Store
from ganbench.suite import RunSpec
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


class IsolatedExecutor:
    """Runs one after another, each in a fresh process, killed at its ``timeout_s``.

    ``timeout_s`` (the suite's or model's; ``default_timeout_s`` otherwise) counts from the
    worker's start, so it includes the worker's imports (a few seconds).
    """

    name = "isolated"

    def __init__(
        self,
        checkpoints: CheckpointOptions | None = None,
        default_timeout_s: float | None = None,
        start_method: str | None = None,
    ):
        self.checkpoints = checkpoints
        self.default_timeout_s = default_timeout_s
        if start_method is None:
            start_method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)

    def run_all(
        self,
        runs: Iterable[RunSpec],
        registry: Registry,
        store: Store,
        *,
        progress: RunProgress | None = None,
        on_done: OnDone | None = None,
    ) -> list[RunOutcome]:
        import torch

        ckpt = checkpoint_options(self.checkpoints, store)
        outcomes = []
        for run in runs:
            outcome = self._one(run, registry, store, ckpt, torch.get_num_threads(), progress)
            outcomes.append(outcome)
            if on_done:
                on_done(run, outcome)
        return outcomes

    def _one(
        self, run: RunSpec, registry: Registry, store: Store, ckpt: CheckpointOptions,
        threads: int, progress: RunProgress | None,
    ) -> RunOutcome:
        started = time.time()
        timeout = run.timeout_s or self.default_timeout_s
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(
            target=_worker,
            args=(send, run, list(registry.extra_modules), list(sys.path), ckpt, threads),
            name=f"ganbench-{run.run_id}",
            daemon=True,
        )
        proc.start()
        send.close()  # the child holds the only writer: EOF means it is gone
        outcome: RunOutcome | None = None
        try:
            while outcome is None:
                if timeout and time.time() - started > timeout:
                    _stop(proc)
                    return record_failure(
                        store, run, f"timed out after {timeout:g} s (timeout_s); the worker was killed",
                        started, time.time(),
                    )
                if not recv.poll(POLL_S):
                    continue
                try:
                    msg = recv.recv()
                except (EOFError, OSError):
                    proc.join(KILL_GRACE_S)
                    return record_failure(store, run, signal_error(proc.exitcode), started, time.time())
                kind = msg[0]
                if kind == "call" and isinstance(msg[1], StoreCall):
                    apply_call(store, msg[1])
                elif kind == "progress" and progress:
                    progress(run, float(msg[1]), str(msg[2]))
                elif kind == "outcome":
                    outcome = msg[1]
        finally:
            recv.close()
            if proc.is_alive():
                proc.join(KILL_GRACE_S)
                if proc.is_alive():
                    _stop(proc)
        return outcome
