"""What every section shares: the budget split, the fault hook the tests use, and :class:`Section`
(rows written to disk at once) with the timing helpers. Runs inside the section processes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "ganbench-device-check/1"
SECTIONS = ("pacgan_step", "replicas", "protocol", "fidelity", "zoo", "stylegan_learning", "seqgan")
# share of the total time budget each section may use (hard cap; the protocol gets the most)
SHARES = {"pacgan_step": 0.2, "replicas": 0.07, "protocol": 0.31, "fidelity": 0.15, "zoo": 0.27, "stylegan_learning": 0.22,
          "seqgan": 0.2}
SHARES_TINY = {"pacgan_step": 0.22, "replicas": 0.1, "protocol": 0.18, "fidelity": 0.2, "zoo": 0.3, "stylegan_learning": 0.15,
               "seqgan": 0.1}
PAPER_SUITE = ROOT / "suites" / "pacgan-mog-paper.yaml"
PROTOCOL_RUNS, PROTOCOL_STEPS = 80, 400_000
ZOO = ("dcgan", "wgan-gp", "sngan", "sagan", "biggan", "stylegan")
NA_CPU = "n/a on CPU"
# tests only: "SECTION:raise" fails a section at its start, "SECTION:hang" hangs it after its first row
ENV_FAULT = "GANBENCH_DEVICE_CHECK_FAULT"


def _fault(name: str, kind: str) -> bool:
    return f"{name}:{kind}" in os.environ.get(ENV_FAULT, "").split(",")



class Section:
    """What a section function gets: options, its deadline, and ``row()`` to record a measurement
    (written to disk at once, so a section killed at its cap keeps what it measured)."""

    def __init__(self, name: str, opts: dict[str, Any], path: Path, cap_s: float, prior: dict[str, Any]):
        import torch

        self.name, self.opts, self.path, self.prior = name, opts, path, prior
        self.tiny: bool = opts["tiny"]
        self.device = torch.device(opts["device"])
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + cap_s
        self.data: dict[str, Any] = {"rows": [], "summary": {}}
        self.flush()

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def flush(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str))
        os.replace(tmp, self.path)

    def row(self, **fields: Any) -> dict[str, Any]:
        self.data["rows"].append(fields)
        self.flush()
        if _fault(self.name, "hang"):
            time.sleep(3600)
        return fields

    def measure(self, name: str, fn: Callable[[], dict[str, Any]], **fields: Any) -> dict[str, Any]:
        """Run one measurement with a fresh peak-memory counter; an exception becomes the row's error."""
        reset_peak(self.device)
        try:
            values = fn()
        except Exception as exc:  # recorded, the section goes on
            return self.row(name=name, error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}",
                            **fields)
        return self.row(name=name, values=values, peak_mem_mb=peak_mem(self.device), **fields)


def sync(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def reset_peak(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)


def peak_mem(device: Any) -> float | str:
    import torch

    if device.type != "cuda":
        return NA_CPU
    return round(torch.cuda.max_memory_allocated(device) / 2**20, 1)


def rate(step: Callable[[], Any], device: Any, *, warmup: int, min_steps: int, max_steps: int,
         seconds: float) -> dict[str, float]:
    """Steady-state steps/s of ``step``: ``warmup`` untimed calls, then timed calls until
    ``seconds`` passed (at least ``min_steps``, at most ``max_steps``), one synchronise at the end
    (no per-step sync: the device queue stays full, as in a bare training loop)."""
    t0 = time.perf_counter()
    for _ in range(warmup):
        step()
    sync(device)
    first = time.perf_counter() - t0
    n, t0 = 0, time.perf_counter()
    while n < max_steps and (n < min_steps or time.perf_counter() - t0 < seconds):
        step()
        n += 1
    sync(device)
    dt = time.perf_counter() - t0
    return {"steps_per_s": n / dt, "timed_steps": n, "timed_s": dt, "warmup_s": max(first, 1e-9)}


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("values") or {}
