"""The training clock: what "seconds of training" means for every throughput number ganbench prints.

CUDA runs kernels asynchronously: a ``train_step`` that returns tensor losses (or floats read
before the optimiser's kernels finished) returns long before its work is done. A clock that
stops there times the launch, not the step, and the next step's clock pays for this one. So on
CUDA the clock synchronises the device at *every* boundary (start and stop), whatever the
budget kind; on the CPU a synchronise is a no-op and costs nothing.

The clock also says how the steps it timed were executed (eager, compiled, vectorised ×N), so a
number is never shown without the mode it was measured in: a replica's steps/s is its own steps
over the group's wall time, which is not comparable with a solo eager run's.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def needs_sync(device: torch.device) -> bool:
    """True where kernels run asynchronously to the host (CUDA); the clock must wait for them."""
    return device.type == "cuda"


def synchronize(device: torch.device) -> None:
    """Wait for every kernel queued on ``device`` (no-op off CUDA)."""
    if needs_sync(device):
        torch.cuda.synchronize(device)


class StepClock:
    """Times one region (a training step) with a device synchronise at both ends.

    ``sync`` is injectable so tests can model an asynchronous device on the CPU.
    """

    def __init__(self, device: torch.device, sync: Callable[[torch.device], None] | None = None):
        self.device = device
        self._sync = sync or synchronize
        self._t0: float | None = None

    def start(self) -> None:
        self._sync(self.device)  # work queued before the step is not the step's
        self._t0 = time.perf_counter()

    def stop(self) -> float:
        """Seconds since :meth:`start`, after the device finished everything the step queued."""
        if self._t0 is None:
            raise RuntimeError("StepClock.stop() without start()")
        self._sync(self.device)
        dt = time.perf_counter() - self._t0
        self._t0 = None
        return dt


def vectorized_mode(n: int) -> str:
    """The execution-mode label of a run trained as one of ``n`` replicas in a batched model."""
    return f"vectorized ×{n}"
