"""Fixtures for the image-data tests: the MNIST root and the trained evaluator.

MNIST comes from $GANBENCH_DATA (CI provisions it there) or ~/.cache/ganbench/data. Locally the
tests that need it skip with the reason; in CI (CI=true) a missing MNIST is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _mnist_root() -> Path:
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
def mnist_root() -> Path:
    return _mnist_root()


@pytest.fixture(scope="session")
def evaluator(mnist_root):
    """Trained once per data root (a few minutes on 2 CPU cores), then loaded from the cache."""
    from ganbench.metrics.evaluator import ensure_evaluator

    return ensure_evaluator(mnist_root, "cpu", progress=False)
