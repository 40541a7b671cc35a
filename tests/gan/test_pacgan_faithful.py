"""The GAN plugin builds and updates PacGAN's MoG setup as the authors' released code does
(fjxmlzn/PacGAN, synthetic_data_experiments; audit table in plugins/ganbench-gan/README.md)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from ganbench.api import BuildContext, pack


def _build(registry, pack_m=1, **hp):
    spec = registry.model("gan")
    ctx = BuildContext((2,), "vector", None, pack_m, torch.device("cpu"), 0, 100, {**spec.defaults, **hp})
    torch.manual_seed(0)
    return spec.build(ctx)


def test_default_init_is_pacgans_released_config(registry):
    """weights_init_std 0.02, biases_init Constant(0), G hidden layers without bias (use_bias=False
    before BatchNorm), Blocks' BatchNorm: population update 0.05, epsilon 1e-4."""
    model = _build(registry)
    linears = [m for net in (model.G, model.D) for m in net.modules() if isinstance(m, nn.Linear)]
    w = torch.cat([m.weight.detach().flatten() for m in linears]).numpy()
    # 2.7e5 draws: the sample std of N(0, 0.02²) lies within 0.2 % of 0.02, and the draws are normal
    assert abs(w.std() - 0.02) < 4e-5 and abs(w.mean()) < 2e-4
    assert stats.kstest(w / 0.02, "norm").pvalue > 1e-3
    assert all(m.bias is None or not m.bias.any() for m in linears)
    g_linears = [m for m in model.G if isinstance(m, nn.Linear)]
    assert all(m.bias is None for m in g_linears[:-1]) and g_linears[-1].bias is not None
    bns = [m for m in model.G if isinstance(m, nn.BatchNorm1d)]
    assert len(bns) == 4 and all(b.momentum == 0.05 and b.eps == 1e-4 for b in bns)
    # the PyTorch-default variant is still there for comparison, and really differs
    torch_default = _build(registry, init="pytorch")
    lin = torch_default.G[0]
    assert lin.bias is not None and lin.bias.abs().sum() > 0
    assert torch_default.G[1].momentum == 0.1


def test_simultaneous_update_equals_gradients_at_the_same_point(registry):
    """ALI's algorithm, which PacGAN trains with: one latent batch; D's and G's gradients both at the
    step's starting parameters; both Adam steps. Oracle: the same computed on copies, by hand."""
    model = _build(registry, pack_m=2, g_hidden=32, d_hidden=16, g_layers=2, d_layers=2)
    G, D = copy.deepcopy(model.G), copy.deepcopy(model.D)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.8, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-4, betas=(0.8, 0.999))
    real = torch.randn(200, 2, generator=torch.Generator().manual_seed(1))
    z = torch.randn(200, 2, generator=copy.deepcopy(model.latent_rng))

    # by hand: D loss backward on D only, G loss backward on G only, from one forward at the same point
    fake = G(z)
    d_real, d_fake = D(pack(real, 2)), D(pack(fake, 2))
    d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
    opt_d.zero_grad()
    d_loss.backward(retain_graph=True, inputs=list(D.parameters()))
    opt_g.zero_grad()
    F.softplus(-d_fake).mean().backward(inputs=list(G.parameters()))
    opt_d.step()
    opt_g.step()

    model.train_step(real, None)
    for a, b in zip([*model.G.parameters(), *model.D.parameters()], [*G.parameters(), *D.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(model.G[1].running_mean, G[1].running_mean)


def test_one_generator_forward_per_step_simultaneous_two_alternating(registry):
    """The fresh latent batch for G's step (an extra G forward pass) is not PacGAN's update."""
    for update, expected in (("simultaneous", 1), ("alternating", 2)):
        model = _build(registry, update=update, g_hidden=16, d_hidden=8)
        calls: list[int] = []
        model.G.register_forward_hook(lambda *a, calls=calls: calls.append(1))
        model.train_step(torch.randn(100, 2), None)
        assert len(calls) == expected, update


@pytest.mark.parametrize("hp, word", [({"update": "sgd"}, "update"), ({"init": "xavier"}, "init"),
                                      ({"d_steps": 2}, "alternating")])
def test_bad_gan_hparams_are_named(registry, hp, word):
    with pytest.raises(ValueError, match=word):
        _build(registry, **hp)


def test_replicas_follow_the_same_update(registry):
    """Vectorised replicas run the simultaneous update too: after a few steps each replica matches
    its solo model (float tolerance; batched matmuls round differently)."""
    spec = registry.model("gan")
    hp = {**spec.defaults, "g_hidden": 24, "d_hidden": 12, "g_layers": 2, "d_layers": 2, "lr": 1e-3}
    solo, rep_models = [], []
    for seed in (0, 1):
        ctx = BuildContext((2,), "vector", None, 1, torch.device("cpu"), seed, 50, hp)
        torch.manual_seed(seed)
        solo.append(spec.build(ctx))
        torch.manual_seed(seed)
        rep_models.append(spec.build(ctx))
    trainer = spec.build_replicas(rep_models)
    data = torch.randn(2, 5, 50, 2, generator=torch.Generator().manual_seed(3))
    for step in range(5):
        for i, m in enumerate(solo):
            m.train_step(data[i, step], None)
        trainer.train_step(data[:, step], None)
    for a, b in zip(solo, trainer.unstack()):
        for pa, pb in zip(a.G.parameters(), b.G.parameters()):
            np.testing.assert_allclose(pa.detach().numpy(), pb.detach().numpy(), atol=1e-4)
