"""ctx.progress (API 1.1): the harness tells a model where its run is before every train_step, in
the budget's own terms, so a schedule follows whatever budget the suite sets and a resumed run
continues it exactly."""

from __future__ import annotations

import math

import pytest
import torch
import yaml

from ganbench.api import (
    API_VERSION,
    BuildContext,
    Capabilities,
    ModelSpec,
    TrainingBudget,
    TrainingProgress,
    api_compatible,
    lr_factor,
    set_lr,
)
from ganbench.contract.hookspecs import hookimpl
from ganbench.executors.local import LocalExecutor
from ganbench.plugins import load_registry
from ganbench.record.store import Store
from ganbench.run.runner import run_suite
from ganbench.train.checkpoint import CheckpointOptions
from tests.helpers.suites import ring, suite_text

SEEN: list[tuple[int, float, float, int | None, str]] = []


class ProgressModel:
    """Records ctx.progress at every train_step; a parameter moves so samples change."""

    def __init__(self, ctx: BuildContext):
        self.ctx = ctx
        self.w = torch.zeros(ctx.data_shape[0])

    def train_step(self, real, labels=None):
        p = self.ctx.progress
        SEEN.append((p.step, p.fraction, p.kimg, p.budget.total_steps, p.budget.kind))
        self.w += 0.01
        return {"loss": 0.5}

    def sample(self, n, labels=None, *, generator=None):
        return torch.randn(n, self.ctx.data_shape[0], generator=generator) * 0.1 + self.w

    def state_dict(self):
        return {"w": self.w.clone()}

    def load_state_dict(self, state):
        self.w = state["w"].clone()


class _Plugin:
    @hookimpl
    def ganbench_models(self):
        return [ModelSpec(name="progress", build=ProgressModel, version="1.0", api_version="1.1",
                          capabilities=Capabilities(data_kinds=("vector",)))]


def _suite(budget: str) -> str:
    """One seed of the progress-recording model at ``budget`` (a YAML mapping, as a suite writes it)."""
    return suite_text(name="progress", seeds=1, batch_size=16, budget=yaml.safe_load(budget), eval={"n_samples": 50},
                      datasets=[ring(500)], models=[{"model": "progress"}])


@pytest.mark.parametrize(("budget", "total"), [("{steps: 8}", 8), ("{kimg: 0.128}", 8), ("{kimg: 0.13}", 9)])
def test_progress_before_every_step_in_the_budgets_terms(write_suite, tmp_path, budget, total):
    SEEN.clear()
    run_suite(write_suite(_suite(budget)), tmp_path / "out",
              registry=load_registry([_Plugin()]), render=False)
    steps = [s[0] for s in SEEN]
    assert steps == list(range(total)), "step = generator steps already taken, 0 in the first train_step"
    assert {s[3] for s in SEEN} == {total}, "total_steps known in advance for steps and kimg budgets"
    amount = 8 if "steps" in budget else float(budget.split(":")[1].strip(" }")) * 1000 / 16
    for step, fraction, kimg, _, _ in SEEN:
        assert fraction == pytest.approx(min(1.0, step / amount))
        assert kimg == pytest.approx(step * 16 / 1000)
        assert 0.0 <= fraction < 1.0


def test_seconds_budget_has_no_step_total_and_fraction_grows(write_suite, tmp_path):
    SEEN.clear()
    run_suite(write_suite(_suite("{seconds: 0.05}")), tmp_path / "out",
              registry=load_registry([_Plugin()]), render=False)
    assert SEEN and {s[3] for s in SEEN} == {None} and {s[4] for s in SEEN} == {"seconds"}
    fractions = [s[1] for s in SEEN]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] < 1.0


def test_resumed_run_sees_the_progress_an_uninterrupted_one_saw(write_suite, tmp_path, monkeypatch):
    """A crash at step 7 with checkpoints every 3 steps: the resumed run's first train_step sees
    step 6 of 10 at fraction 0.6 -- the schedule continues, it does not restart."""
    from ganbench.train import loop as loop_mod

    suite = write_suite(_suite("{steps: 10}"))
    reg = load_registry([_Plugin()])
    original = loop_mod.RunLoop._check_losses

    class Crash(BaseException):  # like a kill: nothing in the harness catches it

        pass

    def crash_at_7(self, losses, step):
        if step == 7:
            raise Crash
        return original(self, losses, step)

    SEEN.clear()
    monkeypatch.setattr(loop_mod.RunLoop, "_check_losses", crash_at_7)
    with pytest.raises(Crash):
        run_suite(suite, tmp_path / "out", registry=reg, render=False,
                  executor=LocalExecutor(CheckpointOptions(every=3)))
    monkeypatch.setattr(loop_mod.RunLoop, "_check_losses", original)
    SEEN.clear()
    run_suite(suite, tmp_path / "out", registry=reg, render=False, executor=LocalExecutor(CheckpointOptions(every=3)))
    assert [s[0] for s in SEEN] == [6, 7, 8, 9]
    assert [s[1] for s in SEEN] == pytest.approx([0.6, 0.7, 0.8, 0.9])
    with Store.open(tmp_path / "out", create=False) as store:
        assert store.runs().iloc[0].status == "done"


def test_linear_lr_factor_is_mimicrys_decay_over_the_budget():
    p = TrainingProgress(TrainingBudget("steps", 100, 100))
    for step in (0, 25, 50, 99, 100):
        p.update(step=step, fraction=step / 100, kimg=0.0)
        # Mimicry: lr = lr0 + (0 - lr0) * (step - start) / (num_steps - start), start 0
        assert lr_factor("linear", p) == pytest.approx(1 - step / 100)
        assert lr_factor("constant", p) == 1.0
    p.update(step=60, fraction=0.6, kimg=0.0)
    assert lr_factor("linear", p, start=0.5) == pytest.approx(1 - 0.1 / 0.5)
    p.update(step=40, fraction=0.4, kimg=0.0)
    assert lr_factor("linear", p, start=0.5) == 1.0
    with pytest.raises(ValueError, match="unknown lr schedule 'cosine'"):
        lr_factor("cosine", p)
    with pytest.raises(ValueError, match="fraction must be in"):
        p.update(step=1, fraction=math.nan, kimg=0.0)


def test_linear_lr_factor_over_a_fixed_schedule_length_ignores_the_budget():
    """``steps`` = Mimicry's num_steps: a 600-step run trains the first 600 of 100k steps."""
    p = TrainingProgress(TrainingBudget("steps", 600, 600))
    for step in (0, 300, 599):
        p.update(step=step, fraction=step / 600, kimg=0.0)
        assert lr_factor("linear", p, steps=100_000) == pytest.approx(1 - step / 100_000)
        assert lr_factor("linear", p) == pytest.approx(1 - step / 600)
    p.update(step=150, fraction=0.25, kimg=0.0)
    assert lr_factor("linear", p, steps=100, start=0.5) == 0.0  # past the schedule's end: stays at 0
    p.update(step=75, fraction=0.125, kimg=0.0)
    assert lr_factor("linear", p, steps=100, start=0.5) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="positive number of generator steps"):
        lr_factor("linear", p, steps=0)


def test_set_lr_scales_every_group_from_its_base():
    a = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    b = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    set_lr([a, b], [2e-4, 0.5], 0.25)
    assert a.param_groups[0]["lr"] == pytest.approx(5e-5) and b.param_groups[0]["lr"] == pytest.approx(0.125)
    set_lr(a, 1e-3, 0.5)
    assert a.param_groups[0]["lr"] == pytest.approx(5e-4)
    with pytest.raises(ValueError, match="2 optimizers but 1"):
        set_lr([a, b], [1e-3], 1.0)
    two = torch.optim.Adam([{"params": [torch.nn.Parameter(torch.zeros(1))]},
                            {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1e-4}], lr=1e-3)
    set_lr(two, [[1e-3, 1e-4]], 0.5)
    assert [g["lr"] for g in two.param_groups] == pytest.approx([5e-4, 5e-5])
    with pytest.raises(ValueError, match="2 param groups but 1"):
        set_lr(two, [[1e-3]], 1.0)


def test_a_newer_minor_api_is_refused_an_older_one_accepted():
    major, minor = (int(x) for x in API_VERSION.split("."))
    assert api_compatible(f"{major}.0") and api_compatible(API_VERSION)
    assert not api_compatible(f"{major}.{minor + 1}")
    assert not api_compatible(f"{major + 1}.0")


def test_refusal_of_a_newer_minor_says_upgrade_ganbench():
    class Newer:
        @hookimpl
        def ganbench_models(self):
            major, minor = API_VERSION.split(".")
            return [ModelSpec(name="newer", build=ProgressModel, api_version=f"{major}.{int(minor) + 1}")]

    reg = load_registry([Newer()])
    assert "newer" not in reg.models
    assert any("upgrade ganbench" in p for p in reg.problems)


def test_for_tests_context_carries_a_progress_the_test_can_move():
    ctx = BuildContext.for_tests(budget=TrainingBudget("steps", 10, 10))
    assert ctx.progress.step == 0 and ctx.progress.budget.total_steps == 10
    ctx.progress.update(step=5, fraction=0.5, kimg=0.32)
    assert ctx.progress.fraction == 0.5
