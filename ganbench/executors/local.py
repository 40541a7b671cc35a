"""The default executor: runs one after another in this process, on one device."""

from __future__ import annotations

import logging
import time
import traceback
from typing import Callable, Iterable

from ganbench.hardware import hardware_info, resolve_device
from ganbench.plugins import Registry
from ganbench.store import Store
from ganbench.suite import RunSpec
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
) -> RunOutcome:
    """Execute one run and record its outcome; failures are recorded, never raised."""
    started = time.time()
    store.reset_run(run.run_id)
    try:
        device = resolve_device(run.device)
        store.upsert_run(run.run_id, status="running", started_at=started, error=None, hardware=hardware_info(device))
        loop = RunLoop(
            run, registry, store, datasets=datasets,
            progress=(lambda f, s: progress(run, f, s)) if progress else None,
        )
        outcome = loop.execute(device)
    except RunFailure as exc:
        outcome = RunOutcome(run.run_id, "failed", str(exc))
    except Exception as exc:  # a bug anywhere must not take the suite down
        log.debug("run %s crashed:\n%s", run.run_id, traceback.format_exc())
        outcome = RunOutcome(run.run_id, "failed", f"{type(exc).__name__}: {exc}")
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
    )
    return outcome


class LocalExecutor:
    name = "local"

    def run_all(
        self,
        runs: Iterable[RunSpec],
        registry: Registry,
        store: Store,
        *,
        progress: RunProgress | None = None,
        on_done: Callable[[RunSpec, RunOutcome], None] | None = None,
    ) -> list[RunOutcome]:
        cache = DatasetCache()
        outcomes = []
        for run in runs:
            outcome = execute_run(run, registry, store, datasets=cache, progress=progress)
            outcomes.append(outcome)
            if on_done:
                on_done(run, outcome)
        return outcomes
