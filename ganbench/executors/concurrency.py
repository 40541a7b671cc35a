"""What else was training while a run trained: recorded with every run, shown beside throughput.

Why: ``--jobs N`` never changes a step's arithmetic (the thread rule, ganbench/executors/threads.py),
but runs that share a machine slow each other down. Every throughput number (steps/s, samples/s),
every ``seconds`` budget (fewer steps fit in the same seconds) and every ``timeout_s`` depends on
how many runs trained at once, so the store says it per run (``runs.concurrency``, JSON) and the
report prints it beside each throughput row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

SECONDS_WITH_JOBS = (
    "a `seconds` budget with {jobs} runs at once trains fewer steps per run than alone (they share "
    "the CPU cores, memory bandwidth and caches), and its steps/s are not a solo run's"
)


def describe(executor: Any, execution: str | None = None) -> dict[str, Any]:
    """The concurrency a run trained under: executor, runs at once (``jobs``), torch threads per
    run, and ``replicas`` for a vectorised group (N seeds in one batched model)."""
    inner = getattr(executor, "fallback", None) if getattr(executor, "name", "") == "vectorized" else None
    ex = inner if inner is not None else executor
    name = getattr(ex, "name", type(ex).__name__)
    if name == "ray":  # each task reserves its num_cpus: runs at once as the cluster fits
        out: dict[str, Any] = {"executor": "ray", "max_concurrent": getattr(ex, "max_concurrent", None)}
    else:
        out = {"executor": "local", "jobs": int(getattr(ex, "jobs", None) or 1), "threads": int(getattr(ex, "threads", 1) or 1)}
    if execution and execution.startswith("vectorized"):
        out["replicas"] = int(execution.rsplit("×", 1)[-1]) if "×" in execution else None
    return out


def encode(info: dict[str, Any]) -> str:
    return json.dumps(info, sort_keys=True)


def text(raw: Any) -> str:
    """``2 runs at once × 1 thread`` (or ``unrecorded`` for stores written before it was kept)."""
    if not isinstance(raw, str) or not raw:
        return "unrecorded"
    try:
        info = json.loads(raw)
    except json.JSONDecodeError:
        return "unrecorded"
    if not isinstance(info, dict):
        return "unrecorded"
    if info.get("executor") == "ray":
        m = info.get("max_concurrent")
        return f"Ray, {'≤ ' + str(m) if m else 'as many as the cluster fits'} at once"
    jobs, threads = info.get("jobs", 1), info.get("threads", 1)
    s = f"{jobs} run{'s' if jobs != 1 else ''} at once × {threads} thread{'s' if threads != 1 else ''}"
    return s


def seconds_budget_runs(runs: Iterable[Any]) -> list[Any]:
    """The runs whose budget is in seconds (the ones concurrency changes the training of)."""
    return [r for r in runs if getattr(getattr(r, "budget", None), "seconds", None)]
