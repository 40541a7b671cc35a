"""Vectorised execution: runs that differ only by seed train together as one batched model.

For plugins that provide ``ModelSpec.build_replicas`` (the GAN plugin does). Everything else, and
runs with a seconds budget, goes through the ordinary local path. Each run keeps its own store
row, metrics and status; its ``execution`` is recorded as ``vectorized ×N`` (not bit-for-bit the
solo run, and not shown to be statistically the same at the end of a long run: see
ganbench/train/replicas.py and docs/vectorized.md).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ganbench.executors.base import Executor, OnDone
from ganbench.executors.local import RunProgress
from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN, torch_threads
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.hardware import hardware_info, resolve_device
from ganbench.train.clock import vectorized_mode
from ganbench.train.loop import DatasetCache, RunFailure, RunOutcome
from ganbench.train.replicas import ReplicaLoop, group_runs

log = logging.getLogger(__name__)


def execute_group(
    runs: list[RunSpec], registry: Registry, store, *, datasets: DatasetCache, progress: RunProgress | None = None
) -> list[RunOutcome]:
    started = time.time()
    device = resolve_device(runs[0].device)
    for run in runs:
        store.reset_run(run.run_id)
        store.upsert_run(run.run_id, status="running", started_at=started, error=None,
                         hardware={**hardware_info(device), "vectorized_replicas": len(runs)})
    try:
        outcomes = ReplicaLoop(runs, registry, store, datasets=datasets, progress=progress).execute(device)
    except RunFailure as exc:  # the group as a whole failed: every replica records why
        outcomes = [RunOutcome(r.run_id, "failed", str(exc)) for r in runs]
    finished = time.time()
    for o in outcomes:
        store.upsert_run(o.run_id, status=o.status, error=o.error, finished_at=finished,
                         duration_s=finished - started, train_seconds=o.train_seconds, steps=o.steps, kimg=o.kimg,
                         execution=vectorized_mode(len(runs)))
    return outcomes


class VectorizedExecutor(Executor):
    """Groups runs into replicas, trained in this process; single runs all go to ``fallback``
    (the local executor by default, or a pool of worker processes with ``--jobs N``)."""

    name = "vectorized"

    def __init__(self, max_replicas: int = 80, fallback=None):
        from ganbench.executors.local import LocalExecutor

        self.max_replicas = max_replicas
        self.fallback = fallback or LocalExecutor()

    def execute(self, runs: list[RunSpec], registry: Registry, store: Any, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        cache = DatasetCache()
        outcomes: dict[str, RunOutcome] = {}
        groups = group_runs(runs, registry, self.max_replicas)
        threads = int(getattr(self.fallback, "threads", DEFAULT_THREADS_PER_RUN))
        for group in (g for g in groups if len(g) > 1):
            log.info("training %d replicas of %s together", len(group), group[0].label)
            with torch_threads(threads):  # the same thread rule as a solo run
                results = execute_group(group, registry, store, datasets=cache, progress=progress)
            for run, outcome in zip(group, results):
                outcomes[run.run_id] = outcome
                if on_done:
                    on_done(run, outcome)
        singles = [g[0] for g in groups if len(g) == 1]
        if singles:  # together, so a parallel fallback runs them side by side
            for outcome in self.fallback.run_all(singles, registry, store, progress=progress, on_done=on_done):
                outcomes[outcome.run_id] = outcome
        return [outcomes[r.run_id] for r in runs]
