"""Vectorised replicas: N seeds trained as one batched model track each seed's solo run over the
first steps (the long-horizon, statistical claim is tests/equivalence/test_gan_equivalence.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganbench.plan.matrix import build_matrix
from ganbench.plan.suite import load_suite
from ganbench.run.runner import run_suite
from ganbench.train.replicas import group_runs
from tests.helpers.store import stored_runs
from tests.helpers.suites import gan, ring, suite_text

REPLICA_GAN = gan(packs=[2], hparams={"g_hidden": 48, "d_hidden": 24, "lr": 0.001})


def _suite(**overrides) -> str:
    fields = dict(name="rep", seeds=3, budget={"steps": 12}, eval={"n_samples": 300, "every": 6},
                  datasets=[ring(3000, name="mog-grid25")], models=[REPLICA_GAN])
    return suite_text(**{**fields, **overrides})


SUITE = _suite()
def test_replicas_track_solo_runs_over_the_first_steps(write_suite, tmp_path, registry):
    suite = write_suite(SUITE)
    run_suite(suite, tmp_path / "solo", registry=registry, render=False)
    run_suite(suite, tmp_path / "vec", registry=registry, vectorize=3, render=False)
    solo_runs, solo_m, solo_s = stored_runs(tmp_path / "solo")
    vec_runs, vec_m, vec_s = stored_runs(tmp_path / "vec")
    assert (vec_runs.status == "done").all() and len(vec_runs) == 3
    assert all(h.get("vectorized_replicas") == 3 for h in vec_runs.hardware)
    assert "vectorized_replicas" not in solo_runs.hardware.iloc[0]
    assert set(vec_runs.execution) == {"vectorized ×3"} and set(solo_runs.execution) == {"eager"}
    assert (vec_runs.steps == solo_runs.steps).all()
    for rid in solo_runs.index:
        assert solo_s[rid].shape == (300, 2)
        # batched matmuls round differently, and Adam turns near-zero gradients' rounding into
        # full-size steps: after 12 steps the replicas agree to a few 1e-3, the seeds differ by > 0.05
        np.testing.assert_allclose(vec_s[rid], solo_s[rid], atol=5e-3)
    # seeds really differ from each other (so equality above is not trivial)
    a, b = list(solo_s.values())[:2]
    assert np.abs(a - b).max() > 0.05
    keys = ["run_id", "step", "name"]
    quality = ["modes", "hq_share", "reverse_kl"]
    s = solo_m[solo_m.name.isin(quality)].sort_values(keys).reset_index(drop=True)
    v = vec_m[vec_m.name.isin(quality)].sort_values(keys).reset_index(drop=True)
    assert s[keys].equals(v[keys])  # same evaluation points, same metrics, per run
    np.testing.assert_allclose(v.value, s.value, atol=0.01)


def test_grouping_rules(write_suite, registry):
    path = write_suite(_suite(seeds=5, models=[{**REPLICA_GAN, "packs": [1, 2]}]))
    runs = build_matrix(load_suite(path), registry)
    groups = group_runs(runs, registry, max_replicas=4)
    # per pack: 5 seeds -> a group of 4 and a group of 1; packs never mix
    assert sorted(len(g) for g in groups) == [1, 1, 4, 4]
    assert all(len({r.pack for r in g}) == 1 for g in groups)
    assert group_runs(runs, registry, max_replicas=1) == [[r] for r in runs]
    timed = build_matrix(load_suite(path), registry, budget=__import__("ganbench.plan.suite").plan.suite.Budget(seconds=1))
    assert all(len(g) == 1 for g in group_runs(timed, registry, 8))  # replicas would share one clock


def test_vectorize_field_validated(write_suite):
    from ganbench.plan.suite import SuiteError

    with pytest.raises(SuiteError, match="vectorize"):
        load_suite(write_suite(SUITE + "vectorize: 0\n"))


def test_compile_falls_back_to_eager_and_says_so(monkeypatch):
    """A failing torch.compile never fails the run: the step runs eagerly and the mode says why."""
    import torch

    from ganbench.train.compiled import TrainStep

    class M:
        calls = 0

        def train_step(self, real, labels):
            M.calls += 1
            return {"loss": float(real.sum())}

        def state_dict(self):  # the harness snapshots it before the first compiled call
            return {}

        def load_state_dict(self, state):
            pass

    def broken_compile(fn, **kw):
        def run(*a, **k):
            raise RuntimeError("inductor exploded")

        return run

    monkeypatch.setattr(torch, "compile", broken_compile)
    step = TrainStep(M(), want_compile=True, safe=True, device=torch.device("cpu"))
    assert step.mode.startswith("compiled")
    assert step(torch.ones(3), None) == {"loss": 3.0}
    assert step.mode == "eager (compile failed: RuntimeError)" and M.calls == 1
    unsafe = TrainStep(M(), want_compile=True, safe=False, device=torch.device("cpu"))
    assert "does not declare compile_safe" in unsafe.mode
    assert TrainStep(M(), want_compile=False, safe=True, device=torch.device("cpu")).mode == "eager"


def _cond_suite(model: str) -> str:
    return suite_text(name="cond-rep", batch_size=8, budget={"steps": 3}, eval={"n_samples": 20, "every": 2},
                      datasets=[{"name": "mnist"}], metrics=[], models=[{"model": model}])


@pytest.fixture
def replica_registry():
    from ganbench.plugins import load_registry
    from tests.core import replica_plugins

    replica_plugins.SEEN["solo"].clear()
    replica_plugins.SEEN["group"].clear()
    return load_registry(extra_plugins=[replica_plugins]), replica_plugins.SEEN


def test_vectorised_groups_give_conditional_replicas_their_labels(write_suite, tmp_path, mnist_root, replica_registry):
    """The reference is the solo run: each replica must be trained on the labels its solo twin
    gets (its own data order), not on None."""
    registry, seen = replica_registry
    suite = write_suite(_cond_suite("cond-replicas"))
    run_suite(suite, tmp_path / "solo", registry=registry, render=False, check_ready=False)
    run_suite(suite, tmp_path / "vec", registry=registry, vectorize=2, render=False, check_ready=False)
    runs, _, _ = stored_runs(tmp_path / "vec")
    assert (runs.status == "done").all(), runs.error.tolist()
    solo = {seed: [lab for s, lab in seen["solo"] if s == seed] for seed in (0, 1)}
    assert len(seen["group"]) == 3 and all(len(solo[s]) == 3 for s in (0, 1))
    for step, labels in enumerate(seen["group"]):
        assert labels is not None and labels.shape == (2, 8)
        for k, seed in enumerate((0, 1)):
            assert torch.equal(labels[k], solo[seed][step])


def test_an_unstack_that_raises_fails_the_groups_runs_not_the_suite(write_suite, tmp_path, mnist_root, replica_registry):
    registry, _ = replica_registry
    suite = write_suite(_cond_suite("cond-broken-unstack"))
    result = run_suite(suite, tmp_path / "vec", registry=registry, vectorize=2, render=False, check_ready=False)
    runs, _, _ = stored_runs(tmp_path / "vec")
    assert len(runs) == 2 and (runs.status == "failed").all()
    assert all("unstack raised RuntimeError: deliberate failure in unstack" in e for e in runs.error)
    assert result is not None
