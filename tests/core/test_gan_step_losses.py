"""The GAN plugin declares ``compile_safe``, so its ``train_step`` must not read values back to the
host: it returns its losses as detached 0-d tensors on the run's device, which the harness converts
when it checks them (a float here would cost a CUDA sync every step)."""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F

from ganbench.api import BuildContext, pack


def test_losses_are_detached_device_tensors_the_harness_can_read(registry):
    spec = registry.model("gan")
    assert spec.capabilities.compile_safe
    hp = {**spec.defaults, "g_hidden": 16, "d_hidden": 8}
    ctx = BuildContext((2,), "vector", None, 2, torch.device("cpu"), 0, 10, hp)
    model = spec.build(ctx)
    real = torch.randn(20, 2, generator=torch.Generator().manual_seed(0))
    # the D loss the step computes, recomputed on copies of G and D before the update
    g, d = copy.deepcopy(model.G), copy.deepcopy(model.D)
    z = torch.randn(20, 2, generator=copy.deepcopy(model.latent_rng))
    with torch.no_grad():
        fake = g(z)
        expected = F.softplus(-d(pack(real, 2))).mean() + F.softplus(d(pack(fake, 2))).mean()
    losses = model.train_step(real, None)
    assert set(losses) == {"d_loss", "g_loss"}
    for v in losses.values():
        assert isinstance(v, torch.Tensor) and v.ndim == 0 and not v.requires_grad and v.device == ctx.device
        assert math.isfinite(float(v))
    assert float(losses["d_loss"]) == float(expected)
