"""Shared fixtures. Area-specific fixtures live in each tests/<area>/ folder's own conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")
torch.set_num_threads(min(2, os.cpu_count() or 1))

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def registry():
    from ganbench.plugins import load_registry

    return load_registry()


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    """MNIST from $GANBENCH_DATA (CI provisions it there) or ~/.cache/ganbench/data. Locally the
    tests that need it skip with the reason; in CI (CI=true) a missing MNIST is a failure."""
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
def fashion_root() -> Path:
    """Fashion-MNIST, found and failed/skipped like :func:`mnist_root` (CI provisions it)."""
    from ganbench.data import default_root
    from ganbench.data.mnist import mnist_files

    root = default_root()
    missing = [p for p in mnist_files(root, "fashion-mnist") if not p.is_file()]
    if missing:
        msg = f"Fashion-MNIST not found under {root} (run ../shared/data/provision-datasets {root} fashion-mnist)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return root


@pytest.fixture(scope="session")
def fashion_evaluator(fashion_root):
    """The Fashion-MNIST evaluator: trained once per data root (a few minutes on 2 CPU cores), then cached."""
    from ganbench.metrics.evaluator import ensure_evaluator

    return ensure_evaluator(fashion_root, "cpu", progress=False, dataset="fashion-mnist")


@pytest.fixture(scope="session")
def evaluator(mnist_root):
    """The MNIST evaluator: trained once per data root (a few minutes on 2 CPU cores), then cached."""
    from ganbench.metrics.evaluator import ensure_evaluator

    return ensure_evaluator(mnist_root, "cpu", progress=False)


@pytest.fixture
def write_suite(tmp_path):
    """Write a suite YAML text to a file and return its path."""

    def _write(text: str, name: str = "suite.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text)
        return p

    return _write


TINY_SUITE = """
name: tiny
seeds: 2
device: cpu
batch_size: 32
budget: {steps: 20}
eval: {n_samples: 200, every: 10}
datasets:
  - {name: mog-ring8, params: {n_samples: 2000}}
models:
  - model: gan
    packs: [1, 2]
    hparams: {g_hidden: 32, d_hidden: 16, g_layers: 2, d_layers: 2}
"""


@pytest.fixture
def tiny_suite(write_suite) -> Path:
    """A MoG suite that trains in about a second per run."""
    return write_suite(TINY_SUITE)
