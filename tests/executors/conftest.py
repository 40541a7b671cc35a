"""Fixtures for executor tests: broken plugins importable by name (also in worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def broken_registry(monkeypatch):
    """The installed plugins plus ``misbehaving_plugins``, registered by module name so worker
    processes can import it again (its folder is on sys.path, which workers inherit)."""
    from ganbench.plugins import load_registry

    monkeypatch.syspath_prepend(str(HERE))
    return load_registry(extra_plugins=["misbehaving_plugins"])


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray instance (2 CPUs) for all Ray tests of a module: Ray starts slowly."""
    import os

    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray

    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(autouse=True)
def _one_torch_thread(one_thread):
    """Tiny models gain nothing from a second thread, and on a busy machine OpenMP threads that
    wait on each other make runs 20x slower; one thread keeps these tests fast everywhere."""
