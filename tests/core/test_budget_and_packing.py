"""Budget accounting (steps, kimg, seconds with evaluation excluded) and packing shapes."""

from __future__ import annotations

import math
import time

import pytest
import torch

from ganbench.api import BuildContext, MetricSpec, MetricValue, pack
from ganbench.contract.hookspecs import hookimpl
from ganbench.plan.matrix import RunSpec
from ganbench.plan.suite import Budget, EvalConfig
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from ganbench.train.loop import RunLoop


def make_run(model="tiny-ok", budget=None, pack_m=1, batch=10, every=None, metrics=None) -> RunSpec:
    return RunSpec(
        run_id=f"{model}-{pack_m}", suite="t", model=model, label=model, dataset="mog-ring8",
        dataset_label="mog-ring8", dataset_params={"n_samples": 1000}, seed=0, pack=pack_m, hparams={},
        batch_size=batch, budget=budget or Budget(steps=5), eval=EvalConfig(n_samples=100, every=every),
        metrics=metrics, device="cpu",
    )


def run_loop(tmp_path, run, registry):
    with Store.open(tmp_path / "s.sqlite") as store:
        store.upsert_run(run.run_id, suite="t", model=run.model, label=run.label, dataset=run.dataset,
                         dataset_label=run.dataset, seed=0, pack=run.pack, config={}, status="running")
        loop = RunLoop(run, registry, store)
        outcome = loop.execute(torch.device("cpu"))
        return loop, outcome, store.metrics()


def test_steps_budget(tmp_path, plugin_site):
    loop, outcome, metrics = run_loop(tmp_path, make_run(budget=Budget(steps=7), every=3), load_registry())
    assert outcome.steps == 7
    # evaluations at steps 3 and 6, then the final one at 7
    assert sorted(metrics[metrics.name == "modes"].step.tolist()) == [3, 6, 7]


def test_kimg_budget_counts_real_samples_shown_to_d(tmp_path, plugin_site):
    # batch 10, pack 3 -> 30 real samples per step; 0.1 kimg = 100 samples -> 4 steps (120 samples)
    loop, outcome, _ = run_loop(tmp_path, make_run(budget=Budget(kimg=0.1), pack_m=3), load_registry())
    assert outcome.steps == math.ceil(100 / 30)
    assert outcome.kimg == pytest.approx(0.12)


class SlowMetric:
    __name__ = "slow-metric"

    @hookimpl
    def ganbench_metrics(self):
        def compute(ctx):
            time.sleep(0.2)
            return {"slow": MetricValue(1.0, "higher")}

        return [MetricSpec(name="slow-metric", compute=compute)]


def test_seconds_budget_excludes_evaluation(tmp_path, plugin_site):
    reg = load_registry(extra_plugins=[SlowMetric()])
    # each step sleeps 10 ms; each evaluation sleeps 200 ms, every 2 steps
    run = make_run(model="tiny-slow", budget=Budget(seconds=0.3), every=2, metrics=["slow-metric"])
    t0 = time.perf_counter()
    loop, outcome, metrics = run_loop(tmp_path, run, reg)
    wall = time.perf_counter() - t0
    # stops at the first step past the budget: the clock had not reached 0.3 s at the last
    # evaluation before the final one, and has at the end (no upper bound on a step's wall time,
    # which a loaded machine stretches at will)
    assert outcome.train_seconds >= 0.3
    assert 1 <= outcome.steps <= 31  # each step sleeps >= 10 ms: at most 30 fit in 0.3 s, plus the one past it
    slow = metrics[metrics.name == "slow"]
    n_evals = len(slow)
    assert n_evals == (outcome.steps - 1) // 2 + 1  # every 2 steps before the last, plus the final
    before_last = slow[slow.step < outcome.steps]
    assert (before_last.train_seconds < 0.3).all() and slow[slow.step == outcome.steps].train_seconds.iloc[0] >= 0.3
    # the evaluations' 0.2 s each happened, but outside the training clock
    assert wall >= outcome.train_seconds + 0.2 * n_evals


def test_packing_widens_d_and_batches(tmp_path, plugin_site):
    reg = load_registry()
    loop, outcome, _ = run_loop(tmp_path, make_run(pack_m=3, batch=10, budget=Budget(steps=2)), reg)
    assert outcome.status == "done"
    ctx = BuildContext(data_shape=(2,), data_kind="vector", num_classes=None, pack=4,
                       device=torch.device("cpu"), seed=0, batch_size=8)
    model = reg.models["gan"].build(ctx)
    first = model.D[0].linear
    assert first.in_features == 4 * 2
    assert ctx.d_input_shape == (8,)
    losses = model.train_step(torch.randn(8 * 4, 2), None)
    assert all(math.isfinite(v) for v in losses.values())


def test_pack_function_concatenates_consecutive_samples():
    x = torch.arange(12.0).reshape(6, 2)
    p = pack(x, 3)
    assert p.shape == (2, 6)
    assert p[0].tolist() == [0, 1, 2, 3, 4, 5] and p[1].tolist() == [6, 7, 8, 9, 10, 11]
    img = torch.randn(8, 3, 4, 4)
    assert pack(img, 2).shape == (4, 6, 4, 4)
    assert torch.equal(pack(img, 2)[1, 3:], img[3])
    with pytest.raises(ValueError, match="cannot be packed"):
        pack(torch.randn(5, 2), 2)


def test_batches_seen_by_the_model(tmp_path, plugin_site):
    loop, outcome, _ = run_loop(tmp_path, make_run(pack_m=2, batch=16, budget=Budget(steps=3)), load_registry())
    assert outcome.steps == 3


def test_same_seed_same_result(tmp_path, registry):
    run = RunSpec(
        run_id="g", suite="t", model="gan", label="gan", dataset="mog-grid25", dataset_label="g",
        dataset_params={"n_samples": 2000}, seed=3, pack=2, hparams={**registry.models["gan"].defaults, "g_hidden": 32, "d_hidden": 16},
        batch_size=32, budget=Budget(steps=15), eval=EvalConfig(n_samples=200), metrics=None, device="cpu",
    )
    finals = []
    for i in range(2):
        with Store.open(tmp_path / f"{i}.sqlite") as store:
            store.upsert_run("g", suite="t", model="gan", label="gan", dataset="mog-grid25", dataset_label="g",
                             seed=3, pack=2, config={}, status="running")
            RunLoop(run, registry, store).execute(torch.device("cpu"))
            finals.append(store.array("g", "samples"))
    assert finals[0].shape == (200, 2)
    assert (finals[0] == finals[1]).all()
