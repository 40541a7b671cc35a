"""``--jobs auto``: as many runs at once as the machine has cores for.

``ganbench run`` without ``--jobs`` does not know, when the command line is parsed, on which
device the suite's runs will train. This executor decides when it gets the runs: on the CPU, one
run per ``threads`` cores (each a worker process); on a GPU, one at a time in this process, since
runs sharing one GPU would slow and time each other. Either way every run uses ``threads`` torch
threads, so the numbers do not depend on the choice (ganbench/executors/threads.py). Suites with a
``seconds`` budget run one at a time: more at once would train fewer steps per run.
"""

from __future__ import annotations

import logging
from typing import Any

from ganbench.executors.base import Executor, OnDone, RunProgress
from ganbench.executors.concurrency import SECONDS_WITH_JOBS, seconds_budget_runs
from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN, default_jobs
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.store import Store
from ganbench.train.checkpoint import CheckpointOptions
from ganbench.train.loop import RunOutcome

log = logging.getLogger(__name__)


class AutoJobsExecutor(Executor):
    name = "local"
    supports_vectorize = True

    def __init__(self, checkpoints: CheckpointOptions | None = None, *, threads: int = DEFAULT_THREADS_PER_RUN):
        self.checkpoints = checkpoints
        self.threads = threads
        self.jobs: int | None = None  # decided in run_all; kept for the caller to report

    def choose(self, runs: list[RunSpec]) -> Any:
        """The executor for these runs: a worker pool on a multi-core CPU, else in-process."""
        self.jobs = min(default_jobs([r.device for r in runs], self.threads), max(1, len(runs)))
        if self.jobs > 1 and seconds_budget_runs(runs):
            log.warning("one run at a time: %s", SECONDS_WITH_JOBS.format(jobs=self.jobs))
            self.jobs = 1
        if self.jobs > 1:
            from ganbench.executors.isolated import IsolatedExecutor

            log.info("running %d runs at once (one per %d core(s)); --jobs 1 to run them in this process",
                     self.jobs, self.threads)
            return IsolatedExecutor(self.checkpoints, jobs=self.jobs, threads=self.threads)
        from ganbench.executors.local import LocalExecutor

        return LocalExecutor(self.checkpoints, threads=self.threads)

    def execute(self, runs: list[RunSpec], registry: Registry, store: Store, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        return self.choose(runs).run_all(runs, registry, store, progress=progress, on_done=on_done)
