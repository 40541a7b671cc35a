"""EBGAN, VAE-GAN and ProGAN plugins: the conformance kit with tiny widths, and what each paper's
training game promises, checked against the formulas written out independently."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganbench.api import BuildContext, TrainingBudget
from ganbench.testing import CHECKS, check_model

TINY = {
    "ebgan": {"z_dim": 8, "g_hidden": 64, "d_hidden": 64, "d_code": 16, "g_layers": 3, "d_layers": 4, "margin": 1.0, "beta1": 0.5},
    "vaegan": {"z_dim": 8, "ch": 8, "fc": 16, "e_fc": 16},
    "progan": {"z_dim": 16, "fmap_base": 64, "fmap_max": 16},
}


def test_plugins_are_listed(registry):
    owners = {m: registry.model_owner[m].distribution for m in TINY}
    assert owners == {"ebgan": "ganbench-zoo-ebgan", "vaegan": "ganbench-zoo-vaegan", "progan": "ganbench-zoo-progan"}


def test_ebgan_conforms_and_learns_the_ring():
    report = check_model("ebgan", hparams=TINY["ebgan"], batch_size=64)
    assert report.ok and "improves" in report.passed


@pytest.mark.parametrize("model", ["vaegan", "progan"])
def test_image_models_conform(model):
    checks = [c for c in CHECKS if c != "improves"]  # as the zoo: 150 steps of 16 px squares say little
    report = check_model(model, checks=checks, hparams=TINY[model], batch_size=16, data_shape=(1, 16, 16))
    assert report.ok, report.failures
    assert ("encoding" in report.passed) == (model == "vaegan")


# -- EBGAN --------------------------------------------------------------------------------------

def test_pulling_away_term_is_the_mean_squared_cosine_over_pairs():
    from ganbench_ebgan.model import pulling_away

    s = np.random.default_rng(0).normal(size=(6, 5))
    unit = s / np.linalg.norm(s, axis=1, keepdims=True)
    expected = np.mean([(unit[i] @ unit[j]) ** 2 for i in range(6) for j in range(6) if i != j])
    assert float(pulling_away(torch.tensor(s))) == pytest.approx(expected, rel=1e-6)
    same = torch.ones(4, 3)  # identical codes: cosine 1 for every pair
    assert float(pulling_away(same)) == pytest.approx(1.0)


def test_ebgan_losses_are_the_margin_game():
    from ganbench_ebgan.model import EBGAN

    m = EBGAN(BuildContext.for_tests((1, 8, 8), batch_size=16, hparams={**TINY["ebgan"], "margin": 1e6}))
    out = m.train_step(torch.rand(16, 1, 8, 8) * 2 - 1)
    assert set(out) == {"d_loss", "g_loss", "energy_real", "energy_fake", "margin_term", "pt"}
    # a margin far above every energy: the hinge is active, [m - D(G(z))]^+ = m - D(G(z))
    assert float(out["margin_term"]) == pytest.approx(1e6 - float(out["energy_fake"]), rel=1e-6)
    assert float(out["d_loss"]) == pytest.approx(float(out["energy_real"]) + float(out["margin_term"]), rel=1e-6)
    assert 0.0 <= float(out["pt"]) <= 1.0
    with pytest.raises(ValueError, match="margin"):
        EBGAN(BuildContext.for_tests((2,), hparams={"margin": 0}))
    mse = EBGAN(BuildContext.for_tests((1, 8, 8), batch_size=16, hparams={**TINY["ebgan"], "energy": "mse"}))
    x = torch.rand(16, 1, 8, 8) * 2 - 1
    energy, _ = mse.D(x)  # the per-pixel mean of the squared reconstruction error
    with torch.no_grad():
        flat = x.flatten(1)
        expected = (mse.D.dec(mse.D.enc(flat)) - flat).pow(2).mean(1)
    assert torch.allclose(energy, expected)
    with pytest.raises(ValueError, match="energy"):
        EBGAN(BuildContext.for_tests((2,), hparams={"energy": "l1"}))
    with pytest.raises(ValueError, match="packing"):
        EBGAN(BuildContext.for_tests((2,), pack=2))


# -- VAE-GAN ------------------------------------------------------------------------------------

def test_vaegan_routes_each_loss_to_its_network():
    from ganbench_vaegan.model import VAEGAN

    m = VAEGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, hparams={**TINY["vaegan"], "gan_margin": None}))
    before = {k: [p.detach().clone() for p in getattr(m, k).parameters()] for k in ("E", "G", "D")}
    out = m.train_step(torch.rand(8, 1, 16, 16) * 2 - 1)
    assert out["d_updated"] == out["g_updated"] == 1.0
    for k in ("E", "G", "D"):
        assert any(not torch.equal(a, b) for a, b in zip(before[k], getattr(m, k).parameters())), k
    assert float(out["kl"]) >= 0 and float(out["recon_features"]) >= 0
    # the equilibrium rule: a D far ahead (real and fake costs below 0.68 - 0.35) is not updated
    m2 = VAEGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, hparams={**TINY["vaegan"], "equilibrium": 100.0,
                                                                           "gan_margin": 0.1}))
    d_before = [p.detach().clone() for p in m2.D.parameters()]
    out2 = m2.train_step(torch.rand(8, 1, 16, 16) * 2 - 1)
    assert out2["d_updated"] == 0.0 and out2["g_updated"] == 1.0
    assert all(torch.equal(a, b) for a, b in zip(d_before, m2.D.parameters()))


def test_vaegan_encoder_gets_no_gan_gradient():
    """Enc's update is the gradient of L_prior + L_llike only (Algorithm 1)."""
    from ganbench_vaegan.model import VAEGAN

    hp = {**TINY["vaegan"], "gan_margin": None}
    a = VAEGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, seed=3, hparams={**hp, "real_vs_gen_weight": 0.5}))
    b = VAEGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, seed=3, hparams={**hp, "real_vs_gen_weight": 0.9}))
    b.load_state_dict(a.state_dict())
    x = torch.rand(8, 1, 16, 16) * 2 - 1
    a.train_step(x)
    b.train_step(x)  # only the GAN weighting differs: the encoder moves identically
    assert all(torch.allclose(p, q) for p, q in zip(a.E.parameters(), b.E.parameters()))
    assert not all(torch.allclose(p, q) for p, q in zip(a.D.parameters(), b.D.parameters()))


# -- ProGAN -------------------------------------------------------------------------------------

def test_growth_schedule_is_the_authors_in_kimg_scaled_to_the_budget():
    from ganbench_progan.schedule import GrowthSchedule

    s = GrowthSchedule(3, 600, 600, 12_000)  # 4 -> 32 px
    assert [s.lod(k) for k in (0, 599, 900, 1200, 2400, 3300, 3600, 12_000)] == [3, 3, 2.5, 2, 1, 0.5, 0, 0]
    assert s.lod_at_fraction(0.075) == s.lod(900) == 2.5  # a run's fraction walks the reference kimg
    assert [s.resolution(x, 32) for x in (3, 2.5, 2, 0.5, 0)] == [4, 8, 8, 32, 32]


def test_progan_fade_in_is_continuous_and_reports_resolution():
    from ganbench_progan.model import ProGAN, blend_reals

    ctx = BuildContext.for_tests((1, 16, 16), batch_size=8, hparams=TINY["progan"], budget=TrainingBudget("steps", 100))
    m = ProGAN(ctx)
    z = torch.randn(4, 16)
    with torch.no_grad():
        at_level = m.G(z, 1.0)            # 8x8 drawn, upsampled to 16x16
        fade_start = m.G(z, 1.0 - 1e-6)  # 16x16 just starting to fade in
        assert torch.allclose(at_level, fade_start, atol=1e-4)
        assert torch.equal(at_level[:, :, ::2, ::2], at_level[:, :, 1::2, 1::2])  # nearest upsampling
        d_at, d_start = m.D(at_level, 1.0), m.D(fade_start, 1.0 - 1e-6)
        assert torch.allclose(d_at, d_start, atol=1e-3)
    x = torch.rand(2, 1, 16, 16)
    assert torch.equal(blend_reals(x, 0.0), x)
    assert torch.allclose(blend_reals(x, 1.0)[:, :, ::2, ::2], torch.nn.functional.avg_pool2d(x, 2))
    ctx.progress.update(step=50, fraction=0.5, kimg=0.4)
    out = m.train_step(torch.rand(8, 1, 16, 16) * 2 - 1)
    assert out["lod"] == 0.0 and out["resolution"] == 16.0  # half of 12,000 kimg: past the growth
    ctx.progress.update(step=0, fraction=0.0, kimg=0.0)
    assert m.train_step(torch.rand(8, 1, 16, 16) * 2 - 1)["resolution"] == 4.0


def test_progan_layers_follow_the_paper():
    from ganbench_progan.networks import EqConv2d, minibatch_stddev, pixel_norm

    conv = EqConv2d(8, 4, 3)
    assert conv.scale == pytest.approx(math.sqrt(2) / math.sqrt(8 * 9))
    x = torch.randn(3, 5, 2, 2) * 7
    assert torch.allclose(pixel_norm(x).pow(2).mean(1), torch.ones(3, 2, 2), atol=1e-4)
    y = torch.randn(8, 3, 4, 4)
    out = minibatch_stddev(y, 4)
    assert out.shape == (8, 4, 4, 4)
    groups = y.reshape(4, 2, 3, 4, 4)  # sample i is in group i % 2 (the code's reshape)
    expected = groups.std(0, unbiased=False).mean(dim=(1, 2, 3))
    assert torch.allclose(out[0, 3, 0, 0], expected[0], atol=1e-4) and torch.allclose(out[1, 3], expected[1].expand(4, 4), atol=1e-4)
    from ganbench_progan.model import ProGAN

    with pytest.raises(ValueError, match="power-of-two"):
        ProGAN(BuildContext.for_tests((1, 28, 28)))


def test_progan_resets_adam_when_new_layers_come_in():
    """train.py's ``reset_opt_for_new_lod``: both Adam states are reset whenever floor(lod) or
    ceil(lod) changes (a fade-in starts or ends), not within a phase."""
    from ganbench_progan.model import ProGAN, new_layers

    assert new_layers(3.0, 2.9) and new_layers(2.1, 2.0) and not new_layers(2.9, 2.5) and not new_layers(2.0, 2.0)
    ctx = BuildContext.for_tests((1, 16, 16), batch_size=8, hparams=TINY["progan"], budget=TrainingBudget("steps", 100))
    m = ProGAN(ctx)
    real = torch.rand(8, 1, 16, 16) * 2 - 1
    m.train_step(real)
    m.train_step(real)
    steps = lambda opt: {int(s["step"]) for s in opt.state.values()}  # noqa: E731
    assert steps(m.opt_g) == steps(m.opt_d) == {2}
    ctx.progress.update(step=2, fraction=0.09, kimg=0.02)  # 1,080 reference kimg: 8 px fading in
    assert m.train_step(real)["lod"] == pytest.approx(1.2)
    assert steps(m.opt_g) == steps(m.opt_d) == {1}
    kept = ProGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, hparams={**TINY["progan"], "reset_opt_for_new_lod": False},
                                         budget=TrainingBudget("steps", 100)))
    kept.train_step(real)
    kept.ctx.progress.update(step=1, fraction=0.09, kimg=0.01)
    kept.train_step(real)
    assert 2 in steps(kept.opt_g)


def test_progan_ema_rampup_keeps_the_authors_horizon():
    """``ema_rampup``: the authors' G_smoothing as a half-life in images at the suite's batch, capped at
    ramp-up x the images seen (StyleGAN2-ADA); unset, the constant 0.999 per step."""
    from ganbench_progan.model import build_ema

    G = torch.nn.Linear(2, 2)
    const = build_ema(G, BuildContext.for_tests((1, 16, 16), batch_size=64, hparams={"ema_decay": 0.999}))
    assert const.kind == "constant" and const.current_decay(600) == 0.999
    ramp = build_ema(G, BuildContext.for_tests((1, 16, 16), batch_size=64, hparams={"ema_decay": 0.999, "ema_rampup": 0.05}))
    assert ramp.current_decay(20_000, kimg=20_000 * 64 / 1000) == pytest.approx(0.999)  # a reference-length run
    assert ramp.current_decay(600, kimg=599 * 64 / 1000) == pytest.approx(0.5 ** (64 / (0.05 * 599 * 64)))  # ~0.977
    with pytest.raises(ValueError, match="ema_rampup"):
        build_ema(G, BuildContext.for_tests((1, 16, 16), hparams={"ema_decay": 0.0, "ema_rampup": 0.05}))


def test_a_kept_progan_generator_samples_at_the_resolution_it_was_trained_to():
    """A kept file holds G's and the EMA's state_dicts only (ganbench.record.kept): the current level
    of detail travels in them (an integer buffer), so ``ganbench sample`` / ``evaluate`` draw what the
    run drew, not 4 px blocks."""
    from ganbench_progan.model import ProGAN

    from ganbench.record.kept import generator_state

    def make() -> ProGAN:
        return ProGAN(BuildContext.for_tests((1, 16, 16), batch_size=8, hparams=TINY["progan"],
                                             budget=TrainingBudget("steps", 100)))

    trained = make()
    trained.ctx.progress.update(step=50, fraction=0.5, kimg=0.4)  # past the growth: full resolution
    assert trained.train_step(torch.rand(8, 1, 16, 16) * 2 - 1)["lod"] == 0.0
    state = generator_state(trained)
    fresh = make()
    untrained = fresh.sample(4, generator=torch.Generator().manual_seed(0)).unfold(2, 2, 2).unfold(3, 2, 2)
    assert untrained.std(dim=(-1, -2)).max() < 1e-6  # a fresh build draws 4 px blocks
    fresh.G.load_state_dict(state["generator"])
    fresh.ema.module.load_state_dict(state["ema"])  # as ganbench.record.kept.rebuild does
    a = trained.sample(4, generator=torch.Generator().manual_seed(0))
    b = fresh.sample(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    blocks = b.unfold(2, 2, 2).unfold(3, 2, 2)  # 2x2 blocks: constant at 8 px upsampled, not at 16 px
    assert blocks.std(dim=(-1, -2)).mean() > 1e-4
