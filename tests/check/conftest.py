"""Fixtures for the regression-check tests: one tiny finished store, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.suites import gan, ring, suite_text

# Trains for real (so the numbers carry seed spread) but in about a second per run on 2 cores.
CHECK_SUITE = suite_text(name="check-tiny", deterministic=True, batch_size=64, budget={"steps": 60}, eval={"n_samples": 500},
                         datasets=[ring(4000)], models=[gan(packs=[1], hparams={"lr": 0.005})])


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
