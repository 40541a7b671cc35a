"""The thread rule: a run's numbers must not depend on how many runs execute beside it.

torch splits CPU reductions over its intra-op threads, and a different split rounds differently;
GAN training amplifies that into different results. So every run executes with a fixed number of
torch threads, ``threads`` (default :data:`DEFAULT_THREADS_PER_RUN`), whether it runs alone in
this process (``--jobs 1``) or in one of N worker processes (``--jobs N``): the same run gives
bit-identical metrics either way. Concurrency comes from running several runs at once, each on
its own core(s), never from changing a run's threads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch

DEFAULT_THREADS_PER_RUN = 1


def usable_cores() -> int:
    """Cores this process may use (its CPU affinity where the OS tells, else the CPU count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_jobs(devices: Iterable[str], threads: int = DEFAULT_THREADS_PER_RUN) -> int:
    """Runs to execute at once when the user did not say: one per ``threads`` cores on the CPU;
    one at a time when any run uses a GPU (runs sharing one GPU would time each other)."""
    from ganbench.record.hardware import resolve_device

    try:
        if any(resolve_device(d).type == "cuda" for d in set(devices)):
            return 1
    except RuntimeError:  # --device cuda without CUDA: the run itself reports it
        return 1
    return max(1, usable_cores() // max(1, threads))


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then restore the previous count."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
