"""The committed CI baseline is current, and it cannot be passed by a broken model.

These run suites/ci-smoke.yaml for real but with training switched off (an untrained generator,
or one that ignores z), so each costs only the final evaluations: a few seconds.
"""

from __future__ import annotations

import json

import pytest
import torch

from ganbench.gate.baseline import load_baseline
from ganbench.gate.regression import EXIT_REGRESSION, compare
from ganbench.plan.suite import load_suite, suite_hash
from ganbench.run.runner import run_suite


@pytest.fixture(scope="module")
def smoke(repo):
    return repo / "suites" / "ci-smoke.yaml", repo / "baselines" / "ci-smoke.json"


def test_committed_baseline_matches_the_smoke_suite(smoke):
    """Fails when ci-smoke.yaml changed without regenerating the baseline (docs/ci.md says how)."""
    suite_path, baseline_path = smoke
    baseline = load_baseline(baseline_path)
    assert baseline.suite_hash == suite_hash(load_suite(suite_path)), "regenerate baselines/ci-smoke.json"
    assert {g.dataset_label for g in baseline.groups.values()} == {"ring8-wide", "grid25-wide"}
    for g in baseline.groups.values():
        assert len(g.seeds) >= 2
        assert {"modes", "hq_share", "reverse_kl"} <= set(g.metrics)


def test_trained_baseline_is_far_from_a_collapsed_generator(smoke):
    """The smoke budget must be meaningful: trained models cover many modes, so a collapse to one
    point (z ignored) is far outside any tolerance."""
    baseline = load_baseline(smoke[1])
    ring = next(g for g in baseline.groups.values() if g.dataset_label == "ring8-wide")
    grid = next(g for g in baseline.groups.values() if g.dataset_label == "grid25-wide")
    assert ring.metrics["modes"].mean >= 7
    assert grid.metrics["modes"].mean >= 10
    assert ring.metrics["reverse_kl"].mean < 1.0
    # tight enough that losing most modes is outside the tolerance k*std
    for g in (ring, grid):
        assert 3 * g.metrics["modes"].std < g.metrics["modes"].mean - 2


def _no_training(monkeypatch):
    from ganbench_gan.model import GAN

    monkeypatch.setattr(GAN, "train_step", lambda self, real, labels=None: {"d_loss": 0.0, "g_loss": 0.0})


def _ignore_z(monkeypatch):
    from ganbench_gan.model import GAN

    monkeypatch.setattr(GAN, "_z", lambda self, n, generator=None: torch.zeros(n, self.z_dim, device=self.ctx.device))


@pytest.mark.parametrize("breakage", ["untrained", "z-ignoring"])
def test_broken_generator_fails_the_ci_check(smoke, tmp_path, monkeypatch, breakage):
    _no_training(monkeypatch)
    if breakage == "z-ignoring":
        _ignore_z(monkeypatch)
    suite_path, baseline_path = smoke
    result = run_suite(suite_path, tmp_path / "out", render=False)
    assert not result.failed
    check = compare(result.store_path, load_baseline(baseline_path), baseline_path)
    assert check.exit_code == EXIT_REGRESSION, json.dumps(check.to_json(), indent=1)[:3000]
    regressed = {(r.group, r.metric) for r in check.rows if r.status == "regressed"}
    groups = {r.group for r in check.rows}
    assert {(g, "modes") for g in groups} <= regressed, "a collapse must show as lost modes on every dataset"
    assert not check.problems
