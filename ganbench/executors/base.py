"""What every executor shares: the interface, and how a run in another process reaches the store.

Only the driver process writes the SQLite store. A run executing elsewhere (an ``--isolate`` worker
process, a Ray task) gets a :class:`StoreWrites` in place of the store: the very same
``execute_run`` code path calls ``reset_run`` / ``upsert_run`` / ``add_metrics`` / ``put_array`` on
it, and the calls are shipped to the driver (streamed over a pipe, or returned with the Ray task)
which applies them to the store in order. One code path, wherever the run executes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.plan.matrix import RunSpec
from ganbench.plugins import Registry
from ganbench.record.store import MetricRow, Store
from ganbench.train.checkpoint import CheckpointOptions
from ganbench.train.loop import RunOutcome

RunProgress = Callable[[RunSpec, float, str], None]
OnDone = Callable[[RunSpec, RunOutcome], None]

WRITE_METHODS = ("reset_run", "upsert_run", "add_metrics", "put_artifact", "put_array")
"""The store methods a run may call; nothing else crosses from a worker to the driver."""


class Executor:
    """Runs a list of runs and records each one's outcome in ``store``; never raises for a run.

    The one ``run_all`` every executor shares: it takes any iterable of runs and hands the list to
    the executor's :meth:`execute`, so the entry point's signature lives in one place.
    """

    name: str

    def run_all(
        self,
        runs: Iterable[RunSpec],
        registry: Registry,
        store: Store,
        *,
        progress: RunProgress | None = None,
        on_done: OnDone | None = None,
    ) -> list[RunOutcome]:
        return self.execute(list(runs), registry, store, progress, on_done)

    def execute(self, runs: list[RunSpec], registry: Registry, store: Store, progress: RunProgress | None,
                on_done: OnDone | None) -> list[RunOutcome]:
        """Run ``runs`` (a list, in order), calling ``progress`` as they go and ``on_done`` after each."""
        raise NotImplementedError


@dataclass
class StoreCall:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


class StoreWrites:
    """Stands in for the :class:`~ganbench.record.store.Store` in a worker: records (or forwards through
    ``send``) every write, for the driver to apply with :func:`apply_calls`."""

    def __init__(self, send: Callable[[StoreCall], None] | None = None):
        self.calls: list[StoreCall] = []
        self._send = send

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        call = StoreCall(method, args, kwargs)
        if self._send is not None:
            self._send(call)
        else:
            self.calls.append(call)

    def reset_run(self, run_id: str) -> None:
        self._record("reset_run", run_id)

    def upsert_run(self, run_id: str, **fields: Any) -> None:
        self._record("upsert_run", run_id, **fields)

    def add_metrics(self, rows: list[MetricRow]) -> None:
        self._record("add_metrics", list(rows))

    def put_artifact(self, run_id: str, name: str, kind: str, data: bytes) -> None:
        self._record("put_artifact", run_id, name, kind, bytes(data))

    def put_array(self, run_id: str, name: str, array: np.ndarray) -> None:
        self._record("put_array", run_id, name, np.asarray(array))


def apply_call(store: Store, call: StoreCall) -> None:
    """Apply one write from a worker; anything but a known write method is refused."""
    if call.method not in WRITE_METHODS:
        raise ValueError(f"worker asked for store method {call.method!r}, which is not a write method")
    getattr(store, call.method)(*call.args, **call.kwargs)


def apply_calls(store: Store, calls: Iterable[StoreCall]) -> None:
    for call in calls:
        apply_call(store, call)


def checkpoint_options(options: CheckpointOptions | None, store: Store) -> CheckpointOptions:
    """Checkpoints default to ``OUT/checkpoints`` beside the store (an absolute path, so worker
    processes on this machine find them too)."""
    options = options or CheckpointOptions()
    return options.with_directory(Path(store.path).resolve().parent / "checkpoints")


def _who(store: Store, run: RunSpec) -> str:
    """The model and the plugin that provides it, as the in-process errors name them."""
    row = store.run_row(run.run_id) if hasattr(store, "run_row") else None
    row = row or {}
    plugin = row.get("plugin_dist") or row.get("plugin") or "?"
    return f"model {run.model!r} (plugin {plugin}, version {row.get('model_version') or '?'})"


def _steps_reached(store: Store, run: RunSpec) -> tuple[int | None, str]:
    """How far a run that died without reporting got: the later of its last checkpoint and its
    last recorded evaluation (what survives the worker), and which one it was."""
    best: tuple[int | None, str] = (None, "")
    step = store.last_metric_step(run.run_id) if hasattr(store, "last_metric_step") else None
    if step is not None:
        best = (step, "last evaluation")
    try:
        from ganbench.train.checkpoint import checkpoint_path, load_checkpoint

        path = checkpoint_path(Path(store.path).resolve().parent / "checkpoints", run.run_id)
        if path.is_file():
            ck_steps = int(load_checkpoint(path)["meter"]["steps"])
            if best[0] is None or ck_steps > best[0]:
                best = (ck_steps, "last checkpoint")
    except Exception:  # an unreadable checkpoint says nothing about the steps
        pass
    return best


def record_failure(store: Store, run: RunSpec, error: str, started: float, finished: float) -> RunOutcome:
    """A run whose worker died without reporting: recorded as failed with the reason, naming the
    model's plugin and the steps it reached (as far as its checkpoint and evaluations tell)."""
    steps, source = _steps_reached(store, run)
    reached = f"reached step {steps} ({source})" if steps is not None else "no step recorded"
    error = f"{_who(store, run)}: {error}; {reached}"
    store.upsert_run(
        run.run_id, status="failed", error=error, finished_at=finished, duration_s=finished - started,
        **({"steps": steps} if steps is not None else {}),
    )
    outcome = RunOutcome(run.run_id, "failed", error)
    if steps is not None:
        outcome.steps = steps
    return outcome


def signal_error(exitcode: int | None) -> str:
    """Why a worker process ended, in words a user can act on."""
    import signal

    if exitcode is None:
        return "worker process vanished"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = {
            "SIGSEGV": " (segmentation fault in native code)",
            "SIGKILL": " (killed; out of memory?)",
            "SIGABRT": " (aborted)",
            "SIGBUS": " (bus error)",
        }.get(name, "")
        return f"worker process died from {name}{hint}"
    return f"worker process exited with code {exitcode} before reporting a result (os._exit or a crash in the plugin)"
