"""The GAN plugin's ``lr_decay``: the rate is a function of the run's progress alone (so any budget
and a resumed run get the same schedule), both optimisers follow it, constant is the default."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import BuildContext
from ganbench.contract.training_progress import TrainingBudget, TrainingProgress


def _model(registry, **hp):
    spec = registry.model("gan")
    ctx = BuildContext((2,), "vector", None, 1, torch.device("cpu"), 0, 16,
                       {**spec.defaults, "g_hidden": 8, "d_hidden": 4, "lr": 2e-3, **hp},
                       progress=TrainingProgress(TrainingBudget("steps", 40.0, 40)))
    return spec.build(ctx), ctx


@pytest.mark.parametrize("fraction", [0.0, 0.25, 0.9])
def test_linear_decay_follows_progress(registry, fraction):
    model, ctx = _model(registry, lr_decay="linear", lr_d=1e-3)
    ctx.progress.update(step=int(40 * fraction), fraction=fraction, kimg=0.0)
    model.train_step(torch.randn(16, 2))
    assert model.opt_g.param_groups[0]["lr"] == pytest.approx(2e-3 * (1 - fraction))
    assert model.opt_d.param_groups[0]["lr"] == pytest.approx(1e-3 * (1 - fraction))


def test_constant_is_the_default_and_never_touches_the_rate(registry):
    model, ctx = _model(registry)
    ctx.progress.update(step=30, fraction=0.75, kimg=0.0)
    model.train_step(torch.randn(16, 2))
    assert model.opt_g.param_groups[0]["lr"] == 2e-3 and model.opt_d.param_groups[0]["lr"] == 2e-3


def test_a_resumed_model_gets_the_same_rate(registry):
    """The rate comes from the progress, not from a scheduler's state: a model rebuilt from a
    checkpoint at the same progress steps at the same rate as the one that never stopped."""
    a, ctx_a = _model(registry, lr_decay="linear")
    for step in range(3):
        ctx_a.progress.update(step=step, fraction=step / 40, kimg=0.0)
        a.train_step(torch.randn(16, 2))
    b, ctx_b = _model(registry, lr_decay="linear")
    b.load_state_dict(a.state_dict())
    for m, ctx in ((a, ctx_a), (b, ctx_b)):
        ctx.progress.update(step=3, fraction=3 / 40, kimg=0.0)
        m.train_step(torch.randn(16, 2))
    assert a.opt_g.param_groups[0]["lr"] == b.opt_g.param_groups[0]["lr"] == pytest.approx(2e-3 * 37 / 40)


def test_an_unknown_schedule_is_refused_at_build(registry):
    with pytest.raises(ValueError, match="lr_decay must be one of"):
        _model(registry, lr_decay="cosine")
