"""The zoo at the resolutions the papers run it: DCGAN at 64 px (its LSUN/CelebA network), SNGAN,
SAGAN, BigGAN and StyleGAN at 64 and 128 px (one block per doubling), declared in capabilities."""

from __future__ import annotations

import pytest
import torch

from ganbench.api import BuildContext

SMALL = {"dcgan": {"g_base_channels": 4, "d_base_channels": 4, "z_dim": 8},
         "sngan": {"g_ch": 8, "d_ch": 8, "z_dim": 8},
         "sagan": {"g_ch": 8, "d_ch": 8, "z_dim": 8},
         "biggan": {"g_ch": 8, "d_ch": 8, "z_dim": 8, "shared_dim": 8},
         "stylegan": {"g_ch": 8, "d_ch": 8, "z_dim": 8, "w_dim": 8}}


@pytest.fixture(autouse=True)
def _one_torch_thread(one_thread):
    """One torch thread, as the harness runs each run (--threads 1): no oversubscription on a busy box."""


CASES = [("dcgan", 64), ("sngan", 64), ("sagan", 64), ("biggan", 64), ("stylegan", 64), ("stylegan", 128)]


@pytest.mark.parametrize("name, res", CASES)
def test_zoo_model_trains_and_samples_at(name, res, registry):
    spec = registry.model(name)
    caps = spec.capabilities
    assert caps.max_resolution is not None and caps.max_resolution >= res, caps.describe()  # declared, not implied
    assert (caps.min_resolution or 0) <= res
    n_cls = 10 if caps.conditional else None
    ctx = BuildContext.for_tests((3, res, res), num_classes=n_cls, batch_size=2, hparams={**spec.defaults, **SMALL[name]})
    model = spec.build(ctx)
    n_real = int(getattr(model, "d_steps_per_g_step", 1)) * ctx.batch_size
    labels = torch.arange(n_real) % 10 if n_cls else None
    losses = model.train_step(torch.rand(n_real, 3, res, res) * 2 - 1, labels)
    assert all(torch.isfinite(torch.tensor(float(v))) for v in losses.values())
    x = model.sample(3, None if labels is None else labels[:3])
    assert x.shape == (3, 3, res, res) and x.abs().max() <= 1 + 1e-3


def test_dcgan_at_64_is_the_papers_network(registry):
    """Radford et al.'s 64 px G: project z to 4x4x(8 base), four stride-2 transposed convolutions."""
    model = registry.model("dcgan").build(BuildContext.for_tests((3, 64, 64)))
    convs = [m for m in model.G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [c.out_channels for c in convs] == [512, 256, 128, 64, 3]
    assert [c.stride[0] for c in convs] == [1, 2, 2, 2, 2]
