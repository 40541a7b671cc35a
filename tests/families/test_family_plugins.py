"""The InfoGAN, inference-GAN and Unrolled-GAN plugins: the conformance kit (with the family
checks ``codes`` and ``encoding``) and what each family's training step promises."""

from __future__ import annotations

import math

import pytest
import torch

from ganbench.api import BuildContext
from ganbench.testing import CHECKS, check_model

TINY = {
    "infogan": {"z_dim": 8, "g_hidden": 16, "g_ch": 8, "d_hidden": 16, "d_ch": 8, "q_hidden": 8},
    "bigan": {"z_dim": 4, "g_hidden": 32, "e_hidden": 32, "d_hidden": 32},
    "ali": {"z_dim": 4, "g_hidden": 32, "e_hidden": 32, "d_hidden": 32},
    "veegan": {"z_dim": 4, "g_hidden": 32, "e_hidden": 32, "d_hidden": 32},
    "unrolled": {"z_dim": 16, "hidden": 32, "unroll_steps": 2, "lr_d": 1e-3},
}
# image models skip `improves` (as the zoo does: 150 steps of 16x16 squares say little); the
# inference GANs learn the ring's 2-D spread in 300 steps
SKIP = {"infogan": {"improves"}, "unrolled": {"improves"}}


def test_plugins_are_listed(registry):
    owners = {m: registry.model_owner[m].distribution for m in TINY}
    assert owners == {"infogan": "ganbench-zoo-infogan", "bigan": "ganbench-zoo-inference", "ali": "ganbench-zoo-inference",
                      "veegan": "ganbench-zoo-inference", "unrolled": "ganbench-zoo-unrolled"}
    assert {"latent-codes", "encoder"} <= set(registry.metrics)


@pytest.mark.parametrize("model", sorted(TINY))
def test_conformance(model):
    checks = [c for c in CHECKS if c not in SKIP.get(model, set())]
    report = check_model(model, checks=checks, hparams=TINY[model], batch_size=16)
    assert report.ok, report.failures
    family = {"infogan": "codes", "bigan": "encoding", "ali": "encoding", "veegan": "encoding"}.get(model)
    if family:  # the family check ran, and did not skip
        assert family in report.passed
    else:
        assert {"codes", "encoding"} <= set(report.skipped)


def test_unrolled_conv_arch_conforms():
    report = check_model("unrolled", checks=["shapes", "range", "state_dict", "packing", "updates"],
                         hparams={"z_dim": 8, "g_ch": 8, "d_ch": 8, "unroll_steps": 2}, data_kind="image",
                         data_shape=(3, 16, 16), batch_size=8)
    assert report.ok, report.failures


# -- InfoGAN ----------------------------------------------------------------------------------

def _infogan(**hp):
    from ganbench_infogan.model import InfoGAN

    return InfoGAN(BuildContext.for_tests((1, 16, 16), batch_size=16, hparams={**TINY["infogan"], **hp}))


def test_infogan_mi_bound_is_at_most_the_code_entropy():
    torch.manual_seed(0)
    model = _infogan()
    real = torch.rand(16, 1, 16, 16) * 2 - 1
    for _ in range(3):
        losses = model.train_step(real)
    assert float(losses["mi_cat"]) <= math.log(10) + 1e-6
    # the continuous part is E[log N(c; mu, 1)] + log 2 <= -0.5 log(2 pi) + log 2
    assert float(losses["mi_cont"]) <= 2 * (-0.5 * math.log(2 * math.pi) + math.log(2)) + 1e-6
    assert float(losses["mi"]) == pytest.approx(float(losses["mi_cat"]) + float(losses["mi_cont"]))


def test_infogan_fixing_one_code_leaves_the_rest_of_the_draw():
    model = _infogan()
    g = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    free = model.sample_codes(6, {}, generator=g())
    lat_free = model._draw(6, g())
    fixed = model.sample_codes(6, {"c1": lat_free["c1"]}, generator=g())
    assert torch.allclose(free, fixed)  # fixing c1 at the values it would have drawn changes nothing
    with pytest.raises(ValueError, match="unknown latent code"):
        model.sample_codes(6, {"c9": torch.zeros(6)})
    assert [c.name for c in model.latent_codes] == ["c1", "c2", "c3"]


def test_infogan_information_term_teaches_q_the_categorical_code():
    """With the information term, Q learns to read c1 from G's samples within 100 steps;
    without it (lambda 0) Q is never trained and stays at chance."""
    torch.manual_seed(0)
    real = torch.rand(512, 1, 16, 16) * 2 - 1

    def q_acc(model):
        lat = model._draw(256, torch.Generator().manual_seed(5))
        with torch.no_grad():
            x = model.G(model._g_input(lat))
        return float((model.infer_codes(x)["c1"].argmax(1) == lat["c1"]).float().mean())

    with_info, without = _infogan(lr_d=1e-3), _infogan(lr_d=1e-3, lambda_cat=0.0, lambda_cont=0.0)
    for i in range(100):
        batch = real[(i * 16) % 512 : (i * 16) % 512 + 16]
        with_info.train_step(batch)
        without.train_step(batch)
    assert q_acc(with_info) > 0.4 > 0.2 > q_acc(without)  # measured at 80 steps: 0.50 and 0.05 (chance 0.1)


# -- Unrolled GAN -----------------------------------------------------------------------------

def _unrolled(**hp):
    from ganbench_unrolled.model import UnrolledGAN

    ctx = BuildContext.for_tests((2,), batch_size=32, hparams={"z_dim": 4, "hidden": 8, **hp})
    model = UnrolledGAN(ctx)
    for net in (model.G, model.D):
        net.double()
    return model


def test_adam_step_is_torch_adam():
    from ganbench_unrolled.model import adam_step

    torch.manual_seed(0)
    p = torch.randn(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01, betas=(0.5, 0.999), eps=1e-8)
    params, state = {"p": p.detach().clone()}, {}
    for _ in range(4):
        g = torch.randn(5, dtype=torch.float64)
        p.grad = g.clone()
        opt.step()
        params, state = adam_step(params, {"p": g}, state, 0.01, (0.5, 0.999), 1e-8)
    assert torch.allclose(params["p"], p.detach(), atol=1e-12)


def test_first_unrolled_step_equals_ds_real_update():
    torch.manual_seed(1)
    model = _unrolled(unroll_steps=1)
    real = torch.randn(32, 2, dtype=torch.float64)
    model.train_step(real)  # D's Adam state is no longer empty
    z = model._z(32).double()
    fake = model.G(z)
    unrolled = model.unrolled_params(real, fake)
    d_loss = torch.nn.functional.softplus(-model.D(real)).mean() + torch.nn.functional.softplus(model.D(fake.detach())).mean()
    model.opt_d.zero_grad()
    d_loss.backward()
    model.opt_d.step()
    for name, p in model.D.named_parameters():
        assert torch.allclose(unrolled[name], p, atol=1e-10), name


@pytest.mark.parametrize("second_order", [True, False])
def test_gradient_through_the_unrolled_steps_matches_finite_differences(second_order):
    """G's gradient is the derivative of the loss at D unrolled 3 steps, including (second order)
    D's dependence on G; checked against central differences in float64."""
    torch.manual_seed(2)
    model = _unrolled(unroll_steps=3, second_order=second_order)
    real = torch.randn(32, 2, dtype=torch.float64)
    for _ in range(3):
        model.train_step(real)
    z = model._z(32).double()
    w = next(model.G.parameters())

    def loss() -> torch.Tensor:
        fake = model.G(z)
        params = model.unrolled_params(real, fake)
        return -torch.nn.functional.softplus(model._d(params, fake)).mean()

    (grad,) = torch.autograd.grad(loss(), [w])
    h, idx = 1e-6, (0, 0)
    with torch.no_grad():
        w[idx] += h
    up = float(loss().detach())
    with torch.no_grad():
        w[idx] -= 2 * h
    down = float(loss().detach())
    with torch.no_grad():
        w[idx] += h
    numeric = (up - down) / (2 * h)
    if second_order:
        assert float(grad[idx]) == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    else:  # the first-order variant ignores D's dependence on G: it differs from the true derivative
        assert float(grad[idx]) != pytest.approx(numeric, rel=1e-3)


def test_zero_unroll_steps_is_a_plain_gan():
    model = _unrolled(unroll_steps=0)
    fake = model.G(model._z(8).double())
    params = model.unrolled_params(torch.randn(8, 2, dtype=torch.float64), fake)
    assert all(params[n] is p for n, p in model.D.named_parameters())
