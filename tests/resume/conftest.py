"""Fixtures for the resume tests: a deterministic tiny suite long enough to interrupt."""

from __future__ import annotations

from pathlib import Path

import pytest

RESUME_SUITE = """
name: resume
seeds: 1
device: cpu
deterministic: true
batch_size: 32
budget: {steps: 24}
eval: {n_samples: 200, every: 8}
datasets:
  - {name: mog-ring8, params: {n_samples: 2000}}
models:
  - model: gan
    packs: [1]
    hparams: {g_hidden: 32, d_hidden: 16, g_layers: 2, d_layers: 2}
"""


@pytest.fixture
def resume_suite(write_suite) -> Path:
    return write_suite(RESUME_SUITE, "resume.yaml")


def comparable(store_path: Path):
    """Every metric row except wall-clock throughput, which no two runs share."""
    from ganbench.record.store import Store

    with Store.open(store_path, create=False) as s:
        m = s.metrics()
        runs = s.runs()
    m = m[~m["name"].str.endswith("_per_s")]
    return (
        m[["run_id", "step", "name", "value", "final"]].sort_values(["run_id", "step", "name"]).reset_index(drop=True),
        runs[["run_id", "status", "steps"]].sort_values("run_id").reset_index(drop=True),
    )


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models gain nothing from a second thread, and on a busy machine OpenMP threads that
    wait on each other make runs 20x slower; one thread keeps these tests fast everywhere."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
