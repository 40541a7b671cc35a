"""The default executor: runs one after another in this process, on one device."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

from ganbench.executors.base import Executor, OnDone, checkpoint_options
from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN, torch_threads
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.hardware import hardware_info, resolve_device
from ganbench.record.store import Store
from ganbench.train.checkpoint import Checkpointer, CheckpointOptions
from ganbench.train.loop import DatasetCache, RunFailure, RunLoop, RunOutcome

log = logging.getLogger(__name__)

RunProgress = Callable[[RunSpec, float, str], None]


def execute_run(
    run: RunSpec,
    registry: Registry,
    store: Store,
    *,
    datasets: DatasetCache | None = None,
    progress: RunProgress | None = None,
    checkpoints: CheckpointOptions | None = None,
) -> RunOutcome:
    """Execute one run and record its outcome; failures are recorded, never raised.

    ``store`` is the results store, or a :class:`~ganbench.executors.base.StoreWrites` when the
    run executes in a worker. With ``checkpoints`` the run resumes from its checkpoint, if any.
    """
    started = time.time()
    store.reset_run(run.run_id)
    loop: RunLoop | None = None
    try:
        device = resolve_device(run.device)
        store.upsert_run(run.run_id, status="running", started_at=started, error=None, hardware=hardware_info(device))
        loop = RunLoop(
            run, registry, store, datasets=datasets,
            progress=(lambda f, s: progress(run, f, s)) if progress else None,
            checkpoint=Checkpointer.for_run(run, checkpoints) if checkpoints else None,
        )
        outcome = loop.execute(device)
    except Exception as exc:  # a failing plugin (or a bug anywhere) must not take the suite down
        if not isinstance(exc, RunFailure):
            log.debug("run %s crashed:\n%s", run.run_id, traceback.format_exc())
        error = str(exc) if isinstance(exc, RunFailure) else f"{type(exc).__name__}: {exc}"
        meter = loop.meter if loop is not None else None
        outcome = RunOutcome(run.run_id, "failed", error)
        if meter is not None:  # how far it got is part of the record
            outcome.steps, outcome.kimg, outcome.train_seconds = meter.steps, meter.kimg, meter.seconds
            outcome.execution = loop.step_mode if loop is not None else None
    finished = time.time()
    store.upsert_run(
        run.run_id,
        status=outcome.status,
        error=outcome.error,
        finished_at=finished,
        duration_s=finished - started,
        train_seconds=outcome.train_seconds,
        steps=outcome.steps,
        kimg=outcome.kimg,
        execution=outcome.execution,
    )
    return outcome


class LocalExecutor(Executor):
    """Runs one after another in this process, each with ``threads`` torch threads (the thread
    rule of ganbench/executors/threads.py); checkpoints go to ``OUT/checkpoints``."""

    name = "local"
    supports_vectorize = True

    def __init__(self, checkpoints: CheckpointOptions | None = None, *, threads: int = DEFAULT_THREADS_PER_RUN):
        self.checkpoints = checkpoints
        self.threads = threads

    def execute(self, runs: list[RunSpec], registry: Registry, store: Store, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        if any(r.timeout_s for r in runs):
            log.warning("timeout_s is only enforced with --isolate or --executor ray; runs here cannot be interrupted")
        cache = DatasetCache()
        ckpt = checkpoint_options(self.checkpoints, store)
        outcomes = []
        for run in runs:
            with torch_threads(self.threads):
                outcome = execute_run(run, registry, store, datasets=cache, progress=progress, checkpoints=ckpt)
            outcomes.append(outcome)
            if on_done:
                on_done(run, outcome)
        return outcomes
