"""Shared setup of the harness benchmarks (pytest-benchmark).

Run them with ``ganbench bench`` or ``python -m pytest benchmarks --benchmark-only
--benchmark-autosave``; they are outside ``testpaths``, so the normal test run never collects
them. ``--bench-quick`` shrinks every benchmark to a smoke test of itself.
"""

from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bench-quick", action="store_true", default=False,
                     help="ganbench benchmarks: fewer steps and rounds (checks they run, numbers are rough)")


@pytest.fixture(scope="session")
def quick(request) -> bool:
    return bool(request.config.getoption("--bench-quick"))


@pytest.fixture(scope="session")
def registry():
    from ganbench.plugins import load_registry

    return load_registry()


@pytest.fixture(scope="session", autouse=True)
def _threads():
    """``GANBENCH_BENCH_THREADS=N`` pins torch's thread count (else torch's default, which
    follows ``OMP_NUM_THREADS``): numbers are only comparable at equal thread counts."""
    n = os.environ.get("GANBENCH_BENCH_THREADS")
    if n:
        torch.set_num_threads(int(n))
    yield


@pytest.fixture(scope="session")
def machine() -> dict:
    """Recorded in every benchmark's extra_info: a figure without its machine means nothing."""
    from ganbench.record.hardware import hardware_info

    hw = hardware_info(torch.device("cuda" if torch.cuda.is_available() else "cpu"))
    return {k: hw.get(k) for k in ("cpu", "cpu_count", "torch", "torch_threads", "gpu", "device")}
