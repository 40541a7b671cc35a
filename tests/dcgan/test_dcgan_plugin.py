"""The DCGAN plugin: discovery, shapes at 28/32 px with 1 or 3 channels, packing, bad input."""

from __future__ import annotations

import math

import pytest
import torch

from ganbench.api import BuildContext

CPU = torch.device("cpu")
SMALL = {"g_base_channels": 8, "d_base_channels": 8, "z_dim": 16}


def _ctx(shape, pack=1, **hp) -> BuildContext:
    return BuildContext(shape, "image", None, pack, CPU, 0, 4, {**SMALL, **hp})


def test_discovered_through_entry_point(registry):
    spec = registry.model("dcgan")
    assert registry.model_owner["dcgan"].distribution == "ganbench-zoo-dcgan"
    assert spec.capabilities.data_kinds == ("image",) and spec.capabilities.packing
    assert spec.defaults["lr"] == 2e-4 and spec.defaults["beta1"] == 0.5 and spec.defaults["z_dim"] == 100


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 28, 28), (1, 32, 32), (3, 32, 32)])
@pytest.mark.parametrize("pack", [1, 3])
def test_train_step_and_sample(registry, shape, pack):
    torch.manual_seed(0)
    model = registry.model("dcgan").build(_ctx(shape, pack))
    first = model.D[0]
    assert first.in_channels == pack * shape[0]
    real = torch.rand(4 * pack, *shape) * 2 - 1
    before = [p.clone() for p in model.G.parameters()]
    losses = model.train_step(real, None)
    assert set(losses) == {"d_loss", "g_loss"} and all(math.isfinite(v) for v in losses.values())
    assert any(not torch.equal(a, b) for a, b in zip(before, model.G.parameters()))
    x = model.sample(5, generator=torch.Generator().manual_seed(1))
    assert x.shape == (5, *shape) and float(x.abs().max()) <= 1.0
    y = model.sample(5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(x, y)  # same latent seed, same samples (eval mode)


def test_small_discriminator_hparam(registry):
    full = registry.model("dcgan").build(_ctx((3, 28, 28), g_base_channels=64, d_base_channels=64))
    small = registry.model("dcgan").build(_ctx((3, 28, 28), g_base_channels=64, d_base_channels=64, d_width_factor=0.25))
    assert small.D[0].out_channels == 16 and full.D[0].out_channels == 64
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert n(small.D) < n(full.D) / 8


@pytest.mark.parametrize("shape,match", [((2,), "image data"), ((3, 48, 48), "28x28, 32x32 and 64x64"), ((2, 28, 28), "1 or 3 channels")])
def test_bad_shapes_are_refused(registry, shape, match):
    with pytest.raises(ValueError, match=match):
        registry.model("dcgan").build(_ctx(shape))


def test_state_dict_round_trip(registry):
    a = registry.model("dcgan").build(_ctx((1, 28, 28)))
    a.train_step(torch.rand(4, 1, 28, 28) * 2 - 1, None)
    b = registry.model("dcgan").build(_ctx((1, 28, 28)))
    b.load_state_dict(a.state_dict())
    g = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    assert torch.equal(a.sample(3, generator=g()), b.sample(3, generator=g()))
