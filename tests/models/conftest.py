"""Fixtures for the model-zoo tests (the MNIST root and evaluator come from tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # zoo_params (importlib import mode has no rootdir on sys.path)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The zoo tests use tiny nets, where a second intra-op thread only adds synchronisation (and
    on a busy machine OpenMP spin-waits make 2 threads ~20x slower); restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
