"""What makes each zoo model that model: clipping, the gradient penalty, spectral norm, truncation,
conditioning."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from zoo_params import TINY

from ganbench.api import BuildContext, MetricContext, pack


def build(registry, name: str, shape=(3, 16, 16), pack_m: int = 1, classes: int | None = None, seed: int = 0, **hp):
    spec = registry.model(name)
    ctx = BuildContext(shape, "image", classes, pack_m, torch.device("cpu"), seed, 8, {**spec.defaults, **TINY[name], **hp})
    return spec.build(ctx)


def real_batch(model, shape=(3, 16, 16), batch: int = 8, seed: int = 0) -> torch.Tensor:
    n = model.d_steps_per_g_step * batch * model.pack
    return torch.rand(n, *shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1


# -- WGAN ---------------------------------------------------------------------------------------


def test_wgan_critic_weights_stay_within_clip_after_a_step(registry) -> None:
    model = build(registry, "wgan", clip=0.01)
    init_max = max(float(p.detach().abs().max()) for p in model.D.parameters())
    assert init_max > 0.01  # default init exceeds c, so clipping has work to do
    losses = model.train_step(real_batch(model), None)
    for name, p in model.D.named_parameters():
        assert float(p.detach().abs().max()) <= 0.01 + 1e-8, name
    assert any(abs(float(p.detach().abs().max()) - 0.01) < 1e-7 for p in model.D.parameters())  # some hit the bound
    assert "wasserstein" in losses
    assert isinstance(model.opt_d, torch.optim.RMSprop) and model.d_steps_per_g_step == 2  # TINY n_dis


def test_wgan_defaults_follow_the_paper(registry) -> None:
    d = registry.model("wgan").defaults
    assert (d["lr"], d["clip"], d["n_dis"]) == (5e-5, 0.01, 5)
    g = registry.model("wgan-gp").defaults
    assert (g["gp_lambda"], g["lr"], g["beta1"], g["beta2"], g["n_dis"]) == (10.0, 1e-4, 0.0, 0.9, 5)


# -- WGAN-GP ------------------------------------------------------------------------------------


def _reference_gp(critic, real, fake, eps, m):
    """Per packed input: autograd of that input's own score, one at a time (no batching tricks)."""
    x_hat = pack(eps.view(-1, 1, 1, 1) * real + (1 - eps.view(-1, 1, 1, 1)) * fake, m)
    terms = []
    for i in range(x_hat.shape[0]):
        xi = x_hat[i : i + 1].clone().requires_grad_(True)
        (g,) = torch.autograd.grad(critic(xi).sum(), xi)
        terms.append((g.norm() - 1) ** 2)
    return torch.stack(terms).mean()


def test_gradient_penalty_equals_autograd_reference_on_tiny_critic() -> None:
    from ganbench_layers.penalties import gradient_penalty

    torch.manual_seed(0)
    for m in (1, 2):
        critic = nn.Sequential(nn.Flatten(), nn.Linear(2 * m * 4 * 4, 5), nn.Tanh(), nn.Linear(5, 1))
        real, fake = torch.randn(6, 2, 4, 4), torch.randn(6, 2, 4, 4)
        eps = torch.rand(6)
        gp = gradient_penalty(critic, real, fake, m, eps=eps)
        ref = _reference_gp(critic, real, fake, eps, m)
        assert torch.allclose(gp, ref, rtol=1e-5, atol=1e-7), (m, gp, ref)
        gp.backward()  # differentiable w.r.t. the critic (create_graph)
        assert critic[1].weight.grad is not None and critic[1].weight.grad.abs().sum() > 0


def test_gradient_penalty_of_linear_critic_is_closed_form() -> None:
    from ganbench_layers.penalties import gradient_penalty

    w = torch.tensor([3.0, 4.0, 0.0, 0.0])  # ||grad|| = 5 everywhere -> GP = (5 - 1)^2 = 16
    gp = gradient_penalty(lambda x: x.flatten(1) @ w, torch.randn(7, 4), torch.randn(7, 4))
    assert torch.isclose(gp, torch.tensor(16.0))


def test_wgan_gp_reports_penalty_and_resnet_arch_builds(registry) -> None:
    model = build(registry, "wgan-gp")
    losses = model.train_step(real_batch(model), None)
    assert losses["gp"] >= 0 and "wasserstein" in losses
    res = build(registry, "wgan-gp", arch="resnet", g_ch=8, d_ch=8)
    assert type(res.D).__name__ == "ResNetDiscriminator"
    assert not any("parametrizations" in k for k in res.D.state_dict())  # no spectral norm in WGAN-GP


# -- spectral norm ------------------------------------------------------------------------------


def _top_singular_values(module: nn.Module) -> dict[str, float]:
    out = {}
    for name, mod in module.named_modules():
        if hasattr(mod, "parametrizations") and "weight" in mod.parametrizations:
            w = mod.weight.detach()  # the normalised weight
            out[name] = float(torch.linalg.matrix_norm(w.flatten(1), ord=2))
    return out


def test_spectral_normalised_layers_have_unit_top_singular_value(registry) -> None:
    for name in ("sngan", "sagan", "biggan"):
        # xavier, not the orthogonal default of SAGAN/BigGAN, whose raw weights already have sigma 1
        model = build(registry, name, classes=10 if name == "biggan" else None, init="xavier")
        model.D.train()
        x = torch.randn(2, 3, 16, 16)
        y = torch.zeros(2, 1, dtype=torch.long)
        with torch.no_grad():
            for _ in range(25):  # each training-mode forward runs one power iteration per layer
                model.D(x, y) if name == "biggan" else model.D(x)
        model.D.eval()
        sv = _top_singular_values(model.D)
        assert len(sv) >= 8, name
        for layer, s in sv.items():
            assert abs(s - 1.0) < 0.03, (name, layer, s)
        # and the raw weights really are rescaled: their own top singular values are not 1
        raw = [float(torch.linalg.matrix_norm(m.parametrizations.weight.original.detach().flatten(1), ord=2))
               for m in model.D.modules() if hasattr(m, "parametrizations")]
        assert max(abs(r - 1) for r in raw) > 0.1


def test_spectral_norm_runs_one_power_iteration_per_step_as_every_reference(registry) -> None:
    """Mimicry's SNConv2d/SNLinear (n_power_iterations=1), StudioGAN (torch spectral_norm, default 1)
    and BigGAN-PyTorch (num_itrs=1) all run one power iteration per training forward, persistent u:
    issue 30's SNGAN/BigGAN audit found the zoo's the same (the causes were the init and D's end size)."""
    from torch.nn.utils.parametrize import is_parametrized

    for name in ("sngan", "sagan", "biggan"):
        model = build(registry, name, classes=10 if name == "biggan" else None)
        sn = [p for m in model.D.modules() if is_parametrized(m, "weight") for p in m.parametrizations.weight]
        assert sn and {type(p).__name__ for p in sn} == {"_SpectralNorm"}, name
        assert {p.n_power_iterations for p in sn} == {1}, name


@pytest.mark.parametrize(("size", "end"), [(8, 4), (16, 8), (28, 7), (32, 8), (48, 6), (64, 8)])
def test_resnet_discriminator_pools_to_at_most_8x8_like_the_cifar_reference(size: int, end: int) -> None:
    """The reference CIFAR-10 D sums over 8x8; at 28 it must not stop at 14x14 (196 positions)."""
    from ganbench_layers.resnet import ResNetDiscriminator

    D = ResNetDiscriminator(1, size, ch=4, spectral=False)
    assert D.blocks(torch.zeros(2, 1, size, size)).shape[2:] == (end, end)


def test_sngan_generator_is_not_spectral_normalised_but_sagan_is(registry) -> None:
    assert not _top_singular_values(build(registry, "sngan").G)
    assert _top_singular_values(build(registry, "sagan").G)


def test_sagan_has_attention_in_both_networks_at_the_asked_resolution(registry) -> None:
    from ganbench_layers.attention import SelfAttention

    model = build(registry, "sagan", shape=(3, 32, 32), attn_res=16)
    assert (model.g_attn, model.d_attn) == (16, 16)
    assert any(isinstance(m, SelfAttention) for m in model.G.modules())
    assert any(isinstance(m, SelfAttention) for m in model.D.modules())
    mnist = build(registry, "sagan", shape=(1, 28, 28), attn_res=16)
    assert (mnist.g_attn, mnist.d_attn) == (14, 14)


# -- BigGAN -------------------------------------------------------------------------------------


def test_truncated_normal_stays_inside_and_narrows() -> None:
    from ganbench_layers.truncation import truncated_normal

    g = torch.Generator().manual_seed(0)
    z = truncated_normal((4000, 16), 0.5, generator=g)
    assert float(z.abs().max()) < 0.5
    assert float(truncated_normal((4000, 16), None, generator=g).abs().max()) > 2.0
    assert float(z.std()) < 0.35  # the std of N(0,1) truncated at +-0.5 is 0.2863


def spread(x: torch.Tensor) -> float:
    return float(x.flatten(1).std(dim=0).mean())


def test_truncation_lowers_sample_spread(registry) -> None:
    model = build(registry, "biggan", classes=10)
    model.train_step(real_batch(model), torch.arange(16) % 10)
    labels = torch.arange(100) % 10
    spreads = [
        spread(model.sample(100, labels, generator=torch.Generator().manual_seed(1), truncation=psi))
        for psi in (0.1, 0.5, 2.0)
    ]
    assert spreads[0] < spreads[1] < spreads[2], spreads
    # the hparam sets the default the harness gets
    tmodel = build(registry, "biggan", classes=10, truncation=0.1)
    tmodel.load_state_dict(model.state_dict())
    a = tmodel.sample(50, labels[:50], generator=torch.Generator().manual_seed(2))
    b = model.sample(50, labels[:50], generator=torch.Generator().manual_seed(2), truncation=0.1)
    assert torch.equal(a, b)


def test_orthogonal_regularisation_matches_definition_and_is_in_g_loss(registry) -> None:
    from ganbench_layers.penalties import orthogonal_regularisation

    lin = nn.Linear(3, 4, bias=True)
    w = lin.weight.detach()
    ref = 1e-4 * ((w @ w.t()) * (1 - torch.eye(4))).pow(2).sum()
    assert torch.isclose(orthogonal_regularisation(lin, 1e-4), ref)
    model = build(registry, "biggan", classes=10)
    losses = model.train_step(real_batch(model), torch.arange(16) % 10)
    assert losses["ortho"] > 0


def test_truncation_sweep_metric_replays_the_evaluation_latents(registry, monkeypatch) -> None:
    """The sweep finds the model through MetricContext.model and other families through
    MetricContext.metric_families (API 1.5): it never runs plugin discovery inside a metric."""
    from ganbench_biggan.sweep import compute

    import ganbench.plugins
    from ganbench.api import MetricSpec, MetricValue

    def no_discovery(*a, **k):
        raise AssertionError("a metric ran plugin discovery")

    monkeypatch.setattr(ganbench.plugins, "load_registry", no_discovery)
    model = build(registry, "biggan", classes=10)
    labels = torch.arange(64) % 10
    x = model.sample(64, labels, generator=torch.Generator().manual_seed(3))
    ds = type("DS", (), {"kind": "image"})()
    seen = []
    probe = MetricSpec(name="probe", compute=lambda c: seen.append(c.samples.shape) or {"m": MetricValue(1.0)},
                       api_version="1.5")
    ctx = MetricContext(ds, x, labels, torch.device("cpu"), None,
                        {"truncations": [0.1, 1.0, 3.0], "truncation_metrics": ["probe"]}, True, model=model,
                        metric_families={"probe": probe})
    out = compute(ctx)
    assert len(seen) == 3 and all(s == x.shape for s in seen)  # the named family scored each psi's samples
    out = {k: v for k, v in out.items() if k.startswith("spread")}
    assert set(out) == {"spread@trunc=0.1", "spread@trunc=1", "spread@trunc=3"}
    assert out["spread@trunc=0.1"].value < out["spread@trunc=1"].value < out["spread@trunc=3"].value
    # psi far above every |z| is no truncation: the replay reproduces the harness's samples
    y = model.sample(64, labels, generator=torch.Generator().manual_seed(3), truncation=50.0)
    assert torch.equal(x, y)
    assert abs(out["spread@trunc=3"].value - spread(x)) < 0.05
    # samples of another model: no keys
    other = MetricContext(ds, torch.rand(64, 3, 16, 16), labels, torch.device("cpu"), None, {}, True, model=model)
    assert compute(other) == {}


def test_projection_discriminator_uses_every_packed_label(registry) -> None:
    model = build(registry, "biggan", classes=10, pack_m=2)
    x = torch.randn(3, 6, 16, 16)
    model.D.eval()
    with torch.no_grad():
        a = model.D(x, torch.tensor([[1, 2], [1, 2], [1, 2]]))
        b = model.D(x, torch.tensor([[1, 3], [1, 3], [1, 3]]))
    assert not torch.allclose(a, b)


# -- conditional models -------------------------------------------------------------------------


def test_acgan_classifier_head_predicts_each_packed_sample(registry) -> None:
    model = build(registry, "acgan", classes=10, pack_m=2)
    adv, cls = model.heads(torch.randn(8, 3, 16, 16))
    assert adv.shape == (4,) and cls.shape == (8, 10)
    losses = model.train_step(real_batch(model), torch.arange(16) % 10)
    assert 0.0 <= losses["d_acc"] <= 1.0 and losses["g_aux"] > 0


def test_cgan_discriminator_sees_label_planes(registry) -> None:
    m1 = build(registry, "cgan", classes=10)
    m2 = build(registry, "cgan", classes=10, pack_m=2)
    assert (m1.D.in_ch, m2.D.in_ch) == (3 + 10, 2 * (3 + 10))


def test_stylegan_noise_and_mixing(registry) -> None:
    model = build(registry, "stylegan", style_mixing=1.0)
    g = model.G
    z = torch.randn(4, 8)
    g.train()
    ws = g.styles(z, torch.Generator().manual_seed(0))
    assert ws.shape == (4, g.num_ws, 8)
    assert not torch.equal(ws[:, 0], ws[:, -1])  # mixing always on: the last layer has another style
    g.eval()
    assert torch.equal(g.styles(z, None)[:, 0], g.styles(z, None)[:, -1])  # no mixing when sampling
    with torch.no_grad():
        for layer in g.layers:
            layer.noise_strength.fill_(1.0)
    a = model.sample(4, generator=torch.Generator().manual_seed(0))
    b = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    assert tuple(g.const.shape[2:]) == (4, 4)
