"""The DCGAN plugin can build and train PacGAN's stacked-MNIST setups as the authors' released code
does (fjxmlzn/PacGAN, stacked_MNIST_experiments; audit table in plugins/ganbench-dcgan/README.md).
Oracles: parameter counts and feature-map sizes hand-computed from the TF variable shapes in the
authors' model.py, scipy's KS test, and the update done by hand on copies of the networks."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from ganbench.api import BuildContext, pack

TABLE2 = {"arch": "carpedm20", "z_dist": "uniform", "g_steps": 2, "reuse_z": True, "g_per_slot": True}


def _build(registry, pack_m=1, shape=(3, 28, 28), **hp):
    spec = registry.model("dcgan")
    torch.manual_seed(0)
    return spec.build(BuildContext(shape, "image", None, pack_m, torch.device("cpu"), 0, 8, {**spec.defaults, **hp}))


def _n(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize("pack_m", [1, 3])
def test_table2_network_has_the_authors_variables(registry, pack_m):
    """VEEGAN_experiment/model.py with gf_dim = df_dim = 64, z_dim 100, c_dim 3 per slot: every TF
    variable (weights, biases, BatchNorm beta and gamma) counted by hand."""
    model = _build(registry, pack_m, arch="carpedm20")
    g = (100 * 512 * 2 * 2 + 512 * 2 * 2) + 2 * 512 \
        + (5 * 5 * 512 * 256 + 256) + 2 * 256 + (5 * 5 * 256 * 128 + 128) + 2 * 128 \
        + (5 * 5 * 128 * 64 + 64) + 2 * 64 + (5 * 5 * 64 * 3 + 3)
    d = (5 * 5 * 3 * pack_m * 64 + 64) + (5 * 5 * 64 * 128 + 128) + 2 * 128 \
        + (5 * 5 * 128 * 256 + 256) + 2 * 256 + (5 * 5 * 256 * 512 + 512) + 2 * 512 + (2 * 2 * 512 + 1)
    assert (_n(model.G), _n(model.D)) == (g, d)
    # TF 'SAME' sizes: G 2 -> 4 -> 7 -> 14 -> 28, D 28 -> 14 -> 7 -> 4 -> 2
    sizes = []
    hooks = [m.register_forward_hook(lambda mod, i, o: sizes.append(o.shape[-1]))
             for m in [*model.G, *model.D] if isinstance(m, (nn.ConvTranspose2d, nn.Conv2d))]
    model.D(pack(model.G(torch.rand(4 * pack_m, 100)), pack_m))
    assert sizes == [4, 7, 14, 28, 14, 7, 4, 2]
    for h in hooks:
        h.remove()
    bns = [m for m in [*model.G, *model.D] if isinstance(m, nn.BatchNorm2d)]
    assert len(bns) == 7 and all(b.eps == 1e-5 and b.momentum == 0.1 and torch.all(b.weight == 1) for b in bns)
    assert all(m.negative_slope == 0.2 for m in model.D if isinstance(m, nn.LeakyReLU))
    convs = [m for m in model.D if isinstance(m, nn.Conv2d)]
    assert all(m.weight.abs().max() <= 0.04 for m in convs)  # truncated_normal_initializer(0.02)
    assert all(not m.bias.any() for m in [*model.G, *model.D] if isinstance(m, (nn.Conv2d, nn.Linear)))


def test_table3_network_is_the_unrolled_gan_one_with_a_quarter_width_d(registry):
    """unrolled_GAN_experiment/D=0.25G/model.py, z_dim 256: G 64/32/16/8 channels with 3x3 kernels
    and a final 3x3 convolution; D 2/4/8 channels, BatchNorm on every layer, LeakyReLU 0.3."""
    model = _build(registry, 2, arch="unrolled", z_dim=256, d_width_factor=0.25)
    g = (256 * 64 * 4 * 4 + 64 * 4 * 4) + 2 * 64 + (3 * 3 * 64 * 32 + 32) + 2 * 32 \
        + (3 * 3 * 32 * 16 + 16) + 2 * 16 + (3 * 3 * 16 * 8 + 8) + 2 * 8 + (3 * 3 * 8 * 3 + 3)
    d = (3 * 3 * 6 * 2 + 2) + 2 * 2 + (3 * 3 * 2 * 4 + 4) + 2 * 4 + (3 * 3 * 4 * 8 + 8) + 2 * 8 + (4 * 4 * 8 + 1)
    assert (_n(model.G), _n(model.D)) == (g, d)
    assert model.G(torch.randn(5, 256)).shape == (5, 3, 28, 28)
    assert all(m.negative_slope == 0.3 for m in model.D if isinstance(m, nn.LeakyReLU))
    with pytest.raises(ValueError, match="28x28"):
        _build(registry, 1, (3, 32, 32), arch="unrolled")


def test_uniform_latents(registry):
    """carpedm20 and PacGAN Table 2 draw z ~ U(-1, 1) (np.random.uniform(-1, 1, ...))."""
    model = _build(registry, z_dist="uniform", g_base_channels=8, d_base_channels=8)
    z = model._z(4000, torch.Generator().manual_seed(0)).flatten().numpy()
    assert stats.kstest(z, "uniform", args=(-1, 2)).pvalue > 1e-3
    assert stats.kstest(model._z(200).flatten().numpy(), "norm").pvalue < 1e-6  # not N(0, 1)
    default = _build(registry, g_base_channels=8, d_base_channels=8)
    assert stats.kstest(default._z(4000).flatten().numpy(), "norm").pvalue > 1e-3


def test_table2_update_by_hand(registry):
    """One iteration of VEEGAN_experiment/model.py's train loop: one latent batch per packed slot,
    a D step, then g_optim run twice on that same batch, G called once per slot."""
    m = 2
    model = _build(registry, m, **{**TABLE2, "g_base_channels": 8, "d_base_channels": 8, "z_dim": 16})
    G, D = copy.deepcopy(model.G), copy.deepcopy(model.D)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(8 * m, 3, 28, 28, generator=torch.Generator().manual_seed(1)) * 2 - 1
    rng = torch.get_rng_state()
    z = torch.rand(8 * m, 16) * 2 - 1  # what the plugin will draw from the same global state
    torch.set_rng_state(rng)

    def fake_packs():  # slot j of packed input i is G(z_j)[i], each slot its own G call (BatchNorm)
        return torch.cat([G(z[j::m]) for j in range(m)], 1)

    with torch.no_grad():
        f = fake_packs()
    d_loss = F.softplus(-D(pack(real, m))).mean() + F.softplus(D(f)).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    for _ in range(2):
        g_loss = F.softplus(-D(fake_packs())).mean()
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()

    calls = []
    model.G.register_forward_hook(lambda mod, i, o: calls.append(i[0].shape[0]))
    model.train_step(real, None)
    assert calls == [8] * 6  # (1 D step + 2 G steps) x 2 slots, 8 samples each
    for a, b in zip([*model.G.parameters(), *model.D.parameters()], [*G.parameters(), *D.parameters()]):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(model.G[2].running_var, G[2].running_var)


def test_default_update_unchanged(registry):
    """Without the opt-in hparams: one G step on a fresh latent batch, one G call over all slots."""
    model = _build(registry, 2, g_base_channels=8, d_base_channels=8, z_dim=16)
    seen = []
    model.G.register_forward_hook(lambda mod, i, o: seen.append(i[0].clone()))
    model.train_step(torch.rand(16, 3, 28, 28) * 2 - 1, None)
    assert [s.shape[0] for s in seen] == [16, 16] and not torch.equal(seen[0], seen[1])


@pytest.mark.parametrize("hp, word", [({"arch": "resnet"}, "arch"), ({"z_dist": "gamma"}, "z_dist"),
                                      ({"g_steps": 0}, "g_steps"), ({"reuse_z": True, "d_steps": 2}, "reuse_z")])
def test_bad_hparams_are_named(registry, hp, word):
    with pytest.raises(ValueError, match=word):
        _build(registry, **hp)


def test_paper_suites_build_the_authors_setups(repo, registry):
    from ganbench.plan.matrix import build_matrix
    from ganbench.plan.suite import load_suite

    t2 = build_matrix(load_suite(repo / "suites" / "pacgan-stacked-mnist-paper.yaml"), registry)
    assert {r.pack for r in t2} == {1, 2, 3, 4} and len(t2) == 40
    assert all(TABLE2.items() <= r.hparams.items() and r.hparams["z_dim"] == 100 for r in t2)
    assert all(r.budget.steps == 100_000 for r in t2)  # 50 epochs of 128,000 packed examples / 64
    t3 = build_matrix(load_suite(repo / "suites" / "pacgan-small-d-paper.yaml"), registry)
    assert {r.pack for r in t3} == {1, 2, 3, 4} and len(t3) == 200
    for r in t3:
        hp = r.hparams
        assert (hp["arch"], hp["z_dim"], hp["d_width_factor"], hp["lr_d"], hp["lr_g"], hp["beta1"], hp["beta2"]) == \
            ("unrolled", 256, 0.25, 2e-4, 1e-4, 0.5, 0.99)
        assert hp["reuse_z"] and hp["g_per_slot"] and hp.get("g_steps", 1) == 1 and r.batch_size == 128
        assert r.budget.steps == 500_000  # num_training_sample 500,000 x 128 at batch 128, one epoch
