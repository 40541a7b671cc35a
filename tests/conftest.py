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
