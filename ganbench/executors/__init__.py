"""Executors decide where runs execute: in this process (``local``), each in its own worker process
(``local`` with ``isolate``), or as Ray tasks on a laptop or cluster (``ray``).

All of them share one contract (:class:`~ganbench.executors.base.Executor`): execute the runs,
record every outcome in the store (written by the driver only), never raise for a run.
"""

from __future__ import annotations

from typing import Any

from ganbench.executors.threads import DEFAULT_THREADS_PER_RUN
from ganbench.train.checkpoint import CheckpointOptions

EXECUTORS = ("local", "ray")


def make_executor(
    name: str = "local",
    *,
    isolate: bool = False,
    jobs: int | None = None,
    threads: int = DEFAULT_THREADS_PER_RUN,
    max_concurrent: int | None = None,
    ray_address: str | None = None,
    checkpoints: CheckpointOptions | None = None,
) -> Any:
    """The executor the CLI options describe. Ray always isolates (each run in a Ray worker).

    Local: ``jobs`` runs at once (None: one per ``threads`` cores on the CPU, one on a GPU;
    docs/executors.md), each with ``threads`` torch threads whatever ``jobs`` is, so ``--jobs``
    never changes a run's numbers. More than one job, or ``isolate``, runs every run in a worker
    process. ``supports_vectorize`` says whether replica groups may train in this process
    (not under ``isolate``, which promises that no plugin code runs in the driver).
    """
    if name == "local":
        if isolate or (jobs or 1) > 1:
            from ganbench.executors.isolated import IsolatedExecutor

            ex: Any = IsolatedExecutor(checkpoints, jobs=jobs or 1, threads=threads)
            ex.supports_vectorize = not isolate
            return ex
        if jobs is None:
            from ganbench.executors.auto import AutoJobsExecutor

            return AutoJobsExecutor(checkpoints, threads=threads)
        from ganbench.executors.local import LocalExecutor

        return LocalExecutor(checkpoints, threads=threads)
    if name == "ray":
        from ganbench.executors.ray import RayExecutor

        return RayExecutor(ray_address, max_concurrent=max_concurrent, checkpoints=checkpoints)
    raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")
