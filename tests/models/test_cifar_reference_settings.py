"""suites/cifar.yaml trains each model with the settings of the reference configuration it is
compared with (audit tables in the zoo plugins' READMEs). Oracles: the values in StudioGAN's
src/configs/CIFAR10/*.yaml over its src/config.py defaults and Mimicry's CIFAR-10 baseline table,
and parameter counts of the SNGAN CIFAR ResNets computed by hand."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import BuildContext

# model label -> (hparams the reference fixes, steps)
REFERENCE = {
    # StudioGAN DCGAN.yaml: d_updates_per_step 2, total_steps 200000; config.py: z_dim 128, Adam 2e-4 (0.5, 0.999)
    "dcgan": ({"d_steps": 2, "z_dim": 128, "lr": 2e-4, "beta1": 0.5, "beta2": 0.999}, 200_000),
    # Mimicry wgan_gp_32: ResNet 256/128, Adam 2e-4 (0.0, 0.9), n_dis 5; GP lambda 10
    "wgan-gp (resnet)": ({"arch": "resnet", "g_ch": 256, "d_ch": 128, "lr": 2e-4, "beta1": 0.0, "beta2": 0.9,
                          "n_dis": 5, "gp_lambda": 10.0}, 100_000),
    # Mimicry sngan_32
    "sngan": ({"loss": "hinge", "g_ch": 256, "d_ch": 128, "z_dim": 128, "lr": 2e-4, "beta1": 0.0, "beta2": 0.9,
               "n_dis": 5}, 100_000),
    # StudioGAN SAGAN.yaml over config.py
    "sagan": ({"loss": "hinge", "g_ch": 256, "d_ch": 128, "attn_res": 16, "n_dis": 5, "lr_g": 2e-4, "lr_d": 2e-4,
               "beta1": 0.5, "beta2": 0.999}, 100_000),
    # StudioGAN BigGAN.yaml: big_resnet, g_conv_dim 96 (x4), d_conv_dim 96 (x2), z 80, shared 128, attention
    "biggan": ({"loss": "hinge", "z_dim": 80, "shared_dim": 128, "g_ch": 384, "d_ch": 192, "attn_res": 16,
                "n_dis": 5, "lr": 2e-4, "beta1": 0.5, "beta2": 0.999, "ortho_reg": 0.0}, 100_000),
    # StyleGAN2-ADA's CIFAR preset as StudioGAN's config.py quotes it: mapping 2, no style mixing, R1 0.01
    "stylegan": ({"map_layers": 2, "style_mixing": 0.0, "r1_gamma": 0.01}, 100_000),
}


@pytest.fixture(scope="module")
def cifar_runs(repo, registry):
    from ganbench.plan.matrix import build_matrix
    from ganbench.plan.suite import load_suite

    return build_matrix(load_suite(repo / "suites" / "cifar.yaml"), registry)


@pytest.mark.parametrize("label", sorted(REFERENCE))
def test_each_model_uses_its_reference_settings(cifar_runs, label):
    expected, steps = REFERENCE[label]
    runs = [r for r in cifar_runs if r.label == label]
    assert runs, label
    for r in runs:
        got = {k: r.hparams.get(k) for k in expected}
        assert got == expected, label
        assert r.budget.steps == steps and r.batch_size == 64


def _n(net: torch.nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def test_wgan_gp_resnet_is_the_sngan_cifar_resnet(cifar_runs, registry):
    """The plugin's g_ch/d_ch defaults (64, for its DCGAN nets) once narrowed the ResNets 4x.
    Oracle: the SNGAN CIFAR ResNets' weights counted by hand (spectral norm adds no parameters)."""
    g_block = 2 * 256 + 2 * (3 * 3 * 256 * 256 + 256) + (256 * 256 + 256) + 2 * 256  # BN, conv, conv, 1x1, BN
    g = (128 * 4 * 4 * 256 + 4 * 4 * 256) + 3 * g_block + 2 * 256 + (3 * 3 * 256 * 3 + 3)
    d_opt = (3 * 3 * 3 * 128 + 128) + (3 * 3 * 128 * 128 + 128) + (3 * 128 + 128)
    d_down = 2 * (3 * 3 * 128 * 128 + 128) + (128 * 128 + 128)
    d = d_opt + d_down + 2 * 2 * (3 * 3 * 128 * 128 + 128) + (128 + 1)
    (run,) = [r for r in cifar_runs if r.label == "wgan-gp (resnet)" and r.seed == 0]
    model = registry.model("wgan-gp").build(
        BuildContext((3, 32, 32), "image", None, 1, torch.device("cpu"), 0, 4, run.hparams))
    assert (_n(model.G), _n(model.D)) == (g, d) == (4_276_739, 1_053_825)
