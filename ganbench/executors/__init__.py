"""Executors decide where runs execute: in this process (``local``), each in its own worker process
(``local`` with ``isolate``), or as Ray tasks on a laptop or cluster (``ray``).

All of them share one contract (:class:`~ganbench.executors.base.Executor`): execute the runs,
record every outcome in the store (written by the driver only), never raise for a run.
"""

from __future__ import annotations

from typing import Any

from ganbench.train.checkpoint import CheckpointOptions

EXECUTORS = ("local", "ray")


def make_executor(
    name: str = "local",
    *,
    isolate: bool = False,
    max_concurrent: int | None = None,
    ray_address: str | None = None,
    checkpoints: CheckpointOptions | None = None,
) -> Any:
    """The executor the CLI options describe. Ray always isolates (each run in a Ray worker)."""
    if name == "local":
        if isolate:
            from ganbench.executors.isolated import IsolatedExecutor

            return IsolatedExecutor(checkpoints)
        from ganbench.executors.local import LocalExecutor

        return LocalExecutor(checkpoints)
    if name == "ray":
        from ganbench.executors.ray import RayExecutor

        return RayExecutor(ray_address, max_concurrent=max_concurrent, checkpoints=checkpoints)
    raise ValueError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTORS)}")
