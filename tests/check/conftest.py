"""Fixtures for the regression-check tests: one tiny finished store, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# Trains for real (so the numbers carry seed spread) but in about a second per run on 2 cores.
CHECK_SUITE = """
name: check-tiny
seeds: 2
device: cpu
deterministic: true
batch_size: 64
budget: {steps: 60}
eval: {n_samples: 500}
datasets:
  - {name: mog-ring8, params: {n_samples: 4000}}
models:
  - model: gan
    packs: [1]
    hparams: {g_hidden: 32, d_hidden: 16, g_layers: 2, d_layers: 2, lr: 0.005}
"""


@pytest.fixture(scope="session")
def check_suite(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("check-suite") / "check-tiny.yaml"
    p.write_text(CHECK_SUITE)
    return p


@pytest.fixture(scope="session")
def check_store(check_suite, tmp_path_factory) -> Path:
    """The output directory of one finished run of the tiny suite (do not modify: copy it)."""
    from ganbench.run.runner import run_suite

    out = tmp_path_factory.mktemp("check-store")
    result = run_suite(check_suite, out, render=False)
    assert not result.failed
    return out


@pytest.fixture
def store_copy(check_store, tmp_path) -> Path:
    """A private copy of the tiny store, for tests that edit it."""
    dst = tmp_path / "store"
    shutil.copytree(check_store, dst)
    return dst


@pytest.fixture(scope="session")
def check_baseline(check_store, tmp_path_factory) -> Path:
    from ganbench.gate.baseline import build_baseline, save_baseline

    return save_baseline(build_baseline(check_store), tmp_path_factory.mktemp("baseline") / "tiny.json")
