"""ganbench.api.EMA against the reference recurrences written out in numpy: BigGAN-PyTorch /
StudioGAN (constant decay from a start step, buffers averaged) and StyleGAN2-ADA (half-life in
kimg with ramp-up, buffers copied)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from torch import nn

from ganbench.api import EMA


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def _set(net: nn.Module, t: int) -> None:
    """Give every parameter and float buffer a known value at step t."""
    with torch.no_grad():
        for i, p in enumerate(net.parameters()):
            p.fill_(float(t * (i + 1)))
        net[1].running_mean.fill_(float(-t))
        net[1].num_batches_tracked.fill_(t)


def test_constant_decay_matches_the_biggan_recurrence_with_a_start_step():
    net = _net()
    d, start = 0.9, 3
    ema = EMA(net, decay=d, start_step=start)
    ref_w = None  # numpy oracle for the first parameter (value t at step t)
    ref_mean = None
    for t in range(1, 9):
        _set(net, t)
        ema.update(t)
        beta = 0.0 if t < start else d  # StudioGAN Ema.update: decay 0 before start_iter
        ref_w = float(t) if ref_w is None else beta * ref_w + (1 - beta) * t
        ref_mean = float(-t) if ref_mean is None else beta * ref_mean + (1 - beta) * (-t)
        assert float(next(ema.module.parameters()).flatten()[0]) == pytest.approx(ref_w, rel=1e-6)
        assert float(ema.module[1].running_mean[0]) == pytest.approx(ref_mean, rel=1e-6)
        assert int(ema.module[1].num_batches_tracked) == t, "integer buffers are copied, not averaged"
    assert ema.updates == 8 and "decay 0.9 per G step, from G step 3" in ema.describe()


def test_half_life_decay_is_stylegan2_adas_formula():
    net = _net()
    batch, half, ramp = 64, 500.0, 0.05
    ema = EMA(net, kind="half-life", half_life_kimg=half, rampup=ramp, batch_size=batch)
    for kimg in (0.064, 1.0, 10.0, 10_000.0, 20_000.0):
        ema_nimg = min(half * 1000, kimg * 1000 * ramp)
        assert ema.current_decay(1, kimg) == pytest.approx(0.5 ** (batch / ema_nimg))
    # half-life: after half_life_kimg of images at the full rate, a weight's influence halves
    full = EMA(net, kind="half-life", half_life_kimg=half, batch_size=batch)
    steps = int(half * 1000 / batch)
    assert full.current_decay(1, 1e9) ** steps == pytest.approx(0.5, rel=1e-3)
    _set(net, 5)
    ema.update(1, 1.0)
    assert float(ema.module[1].running_mean[0]) == -5.0, "StyleGAN2 copies buffers"


def test_ema_module_is_a_frozen_eval_copy_and_round_trips_weights_only():
    net = _net()
    ema = EMA(net, decay=0.5)
    assert not ema.module.training and not any(p.requires_grad for p in ema.module.parameters())
    assert all(p is not q for p, q in zip(ema.module.parameters(), net.parameters()))
    _set(net, 2)
    ema.update(1)
    buf = io.BytesIO()
    torch.save(ema.state_dict(), buf)
    buf.seek(0)
    other = EMA(_net(), decay=0.5)
    other.load_state_dict(torch.load(buf, weights_only=True))
    for p, q in zip(other.module.parameters(), ema.module.parameters()):
        assert torch.equal(p, q)
    assert other.updates == 1


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"decay": 1.0}, "decay must be in"),
    ({"kind": "cosine"}, "unknown EMA kind"),
    ({"kind": "half-life"}, "needs half_life_kimg"),
    ({"start_step": -1}, "start_step must be"),
])
def test_bad_ema_settings_are_refused_with_the_setting(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EMA(_net(), **kwargs)


def test_numpy_oracle_of_a_long_constant_run():
    """100 updates of a random walk: the EMA equals the closed form sum_k (1-d) d^(T-k) x_k + d^T x_0."""
    net = nn.Linear(1, 1, bias=False)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=101).cumsum()
    with torch.no_grad():
        net.weight.fill_(xs[0])
    d = 0.97
    ema = EMA(net, decay=d)
    for t in range(1, 101):
        with torch.no_grad():
            net.weight.fill_(xs[t])
        ema.update(t)
    closed = d**100 * xs[0] + sum((1 - d) * d ** (100 - k) * xs[k] for k in range(1, 101))
    assert float(ema.module.weight) == pytest.approx(closed, rel=1e-5)
