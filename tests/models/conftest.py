"""Fixtures for the model-zoo tests: the MNIST root and evaluator (as in tests/data), tiny hparams.

MNIST comes from $GANBENCH_DATA (CI provisions it there) or ~/.cache/ganbench/data. Locally the
tests that need it skip with the reason; in CI (CI=true) a missing MNIST is a failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # zoo_params (importlib import mode has no rootdir on sys.path)


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    from ganbench.data import default_root
    from ganbench.data.mnist import mnist_files

    root = default_root()
    missing = [p for p in mnist_files(root) if not p.is_file()]
    if missing:
        msg = f"MNIST not found under {root} (run ../shared/data/provision-datasets {root} mnist)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return root


@pytest.fixture(scope="session")
def evaluator(mnist_root):
    """Trained once per data root (about a minute on 2 CPU cores), then loaded from the cache."""
    from ganbench.metrics.evaluator import ensure_evaluator

    return ensure_evaluator(mnist_root, "cpu", progress=False)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The zoo tests use tiny nets, where a second intra-op thread only adds synchronisation (and
    on a busy machine OpenMP spin-waits make 2 threads ~20x slower); restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
