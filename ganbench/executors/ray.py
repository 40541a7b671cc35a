"""``--executor ray``: every run is a Ray task, on a laptop (``ray.init``) or an existing cluster.

Each task executes the same ``execute_run`` as the local executor, in a Ray worker process (so a
misbehaving plugin is isolated, as with ``--isolate``), reserving the run's ``num_cpus`` and
``num_gpus``. Its store writes are recorded and returned with the task; only the driver writes the
SQLite store, so the store never sits on a network filesystem with concurrent writers.

Reliability is Ray's: a task whose worker or node is lost is retried by Ray (``max_retries``),
and the retry resumes from the run's checkpoint when it can see the checkpoint directory (always
on one machine; on a cluster, when ``OUT`` is on a shared filesystem). A run that exceeds its
``timeout_s`` is cancelled (``ray.cancel(force=True)``) and recorded as failed.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from ganbench.executors.base import (
    Executor,
    OnDone,
    RunProgress,
    StoreCall,
    apply_calls,
    checkpoint_options,
    record_failure,
)
from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.store import Store
from ganbench.train.checkpoint import CheckpointOptions
from ganbench.train.loop import RunOutcome

log = logging.getLogger(__name__)

POLL_S = 0.5
PROGRESS_EVERY_S = 1.0

# Ray would otherwise try to re-create a `uv run` environment in every worker.
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")


class RayUnavailable(RuntimeError):
    pass


@dataclass
class TaskResult:
    """What a Ray task returns to the driver."""

    outcome: RunOutcome
    calls: list[StoreCall]
    worker: str


_worker_state: dict[str, Any] = {}


def _run_task(
    run: RunSpec,
    extra_modules: list[str],
    sys_path: list[str],
    checkpoints: CheckpointOptions,
    threads: int,
    progress_queue: Any = None,
) -> TaskResult:
    """Executed in a Ray worker. Registry and datasets are cached per worker process."""
    import socket

    for p in reversed(sys_path):
        if p not in sys.path:
            sys.path.insert(0, p)
    import torch

    torch.set_num_threads(threads)
    from ganbench.executors.base import StoreWrites
    from ganbench.executors.local import execute_run
    from ganbench.plugins import load_registry
    from ganbench.train.loop import DatasetCache

    key = repr(extra_modules)
    if _worker_state.get("key") != key:
        _worker_state.update(key=key, registry=load_registry(extra_plugins=extra_modules), datasets=DatasetCache())
    writes = StoreWrites()
    last = [0.0]

    def progress(r: RunSpec, fraction: float, info: str) -> None:
        now = time.monotonic()
        if progress_queue is not None and (now - last[0] >= PROGRESS_EVERY_S or fraction >= 1.0):
            last[0] = now
            try:
                progress_queue.put_nowait((r.run_id, fraction, info))
            except Exception:  # progress is best effort; a full or lost queue never fails a run
                pass

    outcome = execute_run(
        run, _worker_state["registry"], writes, datasets=_worker_state["datasets"],
        progress=progress, checkpoints=checkpoints,
    )
    return TaskResult(outcome, writes.calls, f"{socket.gethostname()}:{os.getpid()}")


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailable("--executor ray needs Ray: pip install 'ganbench[ray]'") from None
    return ray


class RayExecutor(Executor):
    """Submits every run as a Ray task, at most ``max_concurrent`` at a time; the driver writes
    the store as tasks finish and shows progress across runs."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        max_concurrent: int | None = None,
        num_cpus: int | None = None,
        checkpoints: CheckpointOptions | None = None,
        max_retries: int = 2,
        default_timeout_s: float | None = None,
        log_to_driver: bool = False,
    ):
        self.address = address
        self.max_concurrent = max_concurrent
        self.num_cpus = num_cpus
        self.checkpoints = checkpoints
        self.max_retries = max_retries
        self.default_timeout_s = default_timeout_s
        self.log_to_driver = log_to_driver

    def _init(self, ray: Any) -> bool:
        """Connect to (or start) Ray; returns whether this call started it (and must stop it)."""
        if ray.is_initialized():
            return False
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": self.log_to_driver}
        if self.address:
            kwargs["address"] = self.address
        else:
            kwargs.update(num_cpus=self.num_cpus, include_dashboard=False)
        ray.init(**kwargs)
        return True

    def _resources(self, ray: Any, run: RunSpec) -> dict[str, float]:
        gpus = run.num_gpus
        if gpus is None:
            has_gpu = ray.cluster_resources().get("GPU", 0) > 0
            gpus = 1.0 if run.device.startswith("cuda") or (run.device == "auto" and has_gpu) else 0.0
        return {"num_cpus": float(run.num_cpus), "num_gpus": float(gpus)}

    def execute(self, runs: list[RunSpec], registry: Registry, store: Store, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        ray = _import_ray()
        if not runs:
            return []
        try:
            started_here = self._init(ray)
        except Exception as exc:  # no cluster at the address, version mismatch, ...
            where = self.address or "a new local instance"
            raise RayUnavailable(f"cannot start or reach Ray ({where}): {_first_line(exc)}") from exc
        try:
            return self._run(ray, runs, registry, store, progress, on_done)
        finally:
            if started_here:
                ray.shutdown()

    def _run(
        self, ray: Any, runs: list[RunSpec], registry: Registry, store: Store,
        progress: RunProgress | None, on_done: OnDone | None,
    ) -> list[RunOutcome]:
        ckpt = checkpoint_options(self.checkpoints, store)
        task = ray.remote(_run_task)
        queue = None
        if progress is not None:
            from ray.util.queue import Queue

            queue = Queue(maxsize=1000, actor_options={"num_cpus": 0})
        by_id = {r.run_id: r for r in runs}
        pending = list(runs)
        inflight: dict[Any, tuple[RunSpec, float]] = {}
        outcomes: dict[str, RunOutcome] = {}
        # Default: as many tasks in flight as the cluster has CPUs, so a run's timeout_s (counted
        # from submission) measures running, not queueing.
        limit = self.max_concurrent or max(1, int(ray.cluster_resources().get("CPU", 1)))
        extra, path = list(registry.extra_modules), list(sys.path)

        def done(run: RunSpec, outcome: RunOutcome) -> None:
            outcomes[run.run_id] = outcome
            if on_done:
                on_done(run, outcome)

        try:
            while pending or inflight:
                while pending and len(inflight) < limit:
                    run = pending.pop(0)
                    threads = max(1, int(run.num_cpus))
                    ref = task.options(**self._resources(ray, run), max_retries=self.max_retries, name=run.run_id).remote(
                        run, extra, path, ckpt, threads, queue
                    )
                    inflight[ref] = (run, time.time())
                ready, _ = ray.wait(list(inflight), num_returns=len(inflight), timeout=POLL_S)
                if queue is not None:
                    while not queue.empty():
                        run_id, fraction, info = queue.get_nowait()
                        if run_id in by_id and run_id not in outcomes:
                            progress(by_id[run_id], fraction, info)
                for ref in ready:
                    run, submitted = inflight.pop(ref)
                    try:
                        result: TaskResult = ray.get(ref)
                    except Exception as exc:  # worker lost beyond retries, cancelled, ...
                        msg = f"Ray task failed after {self.max_retries} retries: {type(exc).__name__}: {_first_line(exc)}"
                        done(run, record_failure(store, run, msg, submitted, time.time()))
                        continue
                    for call in result.calls:  # note which worker ran it beside its hardware
                        if call.method == "upsert_run" and isinstance(call.kwargs.get("hardware"), dict):
                            call.kwargs["hardware"] = {**call.kwargs["hardware"], "ray_worker": result.worker}
                    apply_calls(store, result.calls)
                    done(run, result.outcome)
                now = time.time()
                for ref, (run, submitted) in list(inflight.items()):
                    timeout = run.timeout_s or self.default_timeout_s
                    if timeout and now - submitted > timeout:
                        ray.cancel(ref, force=True)
                        inflight.pop(ref)
                        msg = f"timed out after {timeout:g} s (timeout_s); the Ray task was cancelled"
                        done(run, record_failure(store, run, msg, submitted, now))
        finally:
            for ref in inflight:
                ray.cancel(ref, force=True)
            if queue is not None:
                queue.shutdown()
        return [outcomes[r.run_id] for r in runs if r.run_id in outcomes]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

