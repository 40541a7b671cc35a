"""The f-GAN plugin: conformance kit, the paper's synthetic set-up learning, one-line errors."""

from __future__ import annotations

import pytest
import torch
from ganbench_fgan.model import FGAN
from ganbench_fgan.plugin import DEFAULTS

from ganbench.api import BuildContext
from ganbench.data.mixture_1d import check, sample
from ganbench.metrics.gaussian_fit import as_mixture, direct_minimum
from ganbench.testing import CHECKS, check_model, one_thread

TINY_MLP = {"g_hidden": 32, "g_layers": 2, "d_hidden": 16, "d_layers": 2}


@pytest.mark.parametrize("divergence", ["jeffrey"])  # kl: tests/plugin_kit; jeffrey has the Lambert W conjugate
def test_fgan_vector_conformance(divergence: str) -> None:
    checks = [c for c in CHECKS if c != "improves"]
    report = check_model("fgan", checks=checks, hparams={"divergence": divergence, **TINY_MLP}, batch_size=16)
    assert report.ok, report.failures


def test_fgan_learns_on_the_ring() -> None:
    report = check_model("fgan", checks=["improves"], hparams={"divergence": "js", **TINY_MLP, "lr": 2e-3})
    assert report.ok, report.failures


def test_fgan_image_conformance() -> None:
    checks = [c for c in CHECKS if c != "improves"]
    report = check_model("fgan", checks=checks, data_shape=(1, 16, 16), data_kind="image", batch_size=8,
                         hparams={"divergence": "gan", "g_hidden": 32, "d_hidden": 16})
    assert report.ok, report.failures


def _ctx(div: str, **hp: object) -> BuildContext:
    return BuildContext.for_tests((1,), batch_size=256, hparams={**DEFAULTS, "divergence": div, **hp})


def test_the_papers_sampler_moves_toward_the_exact_optimum() -> None:
    """The affine sampler with the paper's V, step 0.01 and saddle objective closes most of the
    gap from (0, 1) to the exact minimiser of KL within 400 steps (the suite trains 10,000)."""
    div = "kl"
    torch.manual_seed(0)
    p = check({})
    data = sample(p, 50_000, 0)
    mu_star, sd_star, _ = direct_minimum(as_mixture(p["weights"], p["means"], p["stds"]), div)
    m = FGAN(_ctx(div))
    assert m.arch == "affine" and m.g_loss == "saddle" and isinstance(m.opt_g, torch.optim.SGD)
    g = torch.Generator().manual_seed(0)
    with one_thread():  # tiny kernels: a second thread only waits
        for _ in range(400):
            m.train_step(data[torch.randint(len(data), (256,), generator=g)])
    mu, sd = float(m.G.mu.detach()), abs(float(m.G.sigma.detach()))
    assert abs(mu - mu_star) < 0.35 * abs(mu_star), (mu, mu_star)
    assert abs(sd - sd_star) < 0.35 * abs(sd_star - 1.0), (sd, sd_star)


def test_one_line_errors_for_bad_hparams() -> None:
    with pytest.raises(ValueError, match="hparam divergence must be one of"):
        FGAN(_ctx("tv"))
    with pytest.raises(ValueError, match="hparam g_loss must be auto or one of"):
        FGAN(_ctx("kl", g_loss="minimax"))
    with pytest.raises(ValueError, match="arch affine needs vector data"):
        FGAN(BuildContext.for_tests((1, 8, 8), hparams={**DEFAULTS, "arch": "affine"}))
    with pytest.raises(ValueError, match="hparam optimizer must be auto or one of"):
        FGAN(_ctx("kl", optimizer="rmsprop"))


def test_simultaneous_update_uses_gradients_at_the_same_parameters() -> None:
    """Algorithm 1: both gradients from one forward pass. With SGD, G's step equals the gradient of
    its objective at the pre-step V, so a hand computation with the old V reproduces it."""
    m = FGAN(_ctx("pearson"))
    torch.manual_seed(1)
    real = torch.randn(256, 1) + 1.0
    mu0, sd0 = m.G.mu.detach().clone(), m.G.sigma.detach().clone()
    state = {k: v.clone() for k, v in m.D.state_dict().items()}
    rng_state = m.latent_rng.get_state()
    m.train_step(real)
    # recompute G's gradient with the pre-step D and the same latents
    m.latent_rng.set_state(rng_state)
    z = torch.randn(256, 1, generator=m.latent_rng)
    d = FGAN(_ctx("pearson")).D
    d.load_state_dict(state)
    mu, sd = mu0.clone().requires_grad_(), sd0.clone().requires_grad_()
    v = d(mu + sd * z).squeeze(1)
    obj = -(0.25 * v * v + v).mean()
    obj.backward()
    assert torch.allclose(m.G.mu.detach(), mu0 - 0.01 * mu.grad, atol=1e-6)
    assert torch.allclose(m.G.sigma.detach(), sd0 - 0.01 * sd.grad, atol=1e-6)
