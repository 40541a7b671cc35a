"""The ``init`` hparam initialises as the reference code does (Mimicry's xavier with per-layer
gains, BigGAN-PyTorch/StudioGAN's orthogonal), keeps spectral norm right, and the zoo's defaults
name their reference's scheme; StyleGAN's D has StyleGAN2's minibatch-std layer."""

from __future__ import annotations

import math

import pytest
import torch
from ganbench_layers.init import initialise
from ganbench_layers.norms import snconv
from ganbench_layers.resnet import ResNetDiscriminator, ResNetGenerator
from torch import nn
from zoo_params import TINY

from ganbench.api import BuildContext


def _build(registry, name: str, seed: int = 0, **hp):
    spec = registry.model(name)
    ctx = BuildContext((1, 16, 16), "image", 10, 1, torch.device("cpu"), seed, 8, {**spec.defaults, **TINY[name], **hp})
    return spec.build(ctx)


def _xavier_std(w: torch.Tensor, gain: float) -> float:
    fan_in, fan_out = w[0].numel(), w.shape[0] * w[0][0].numel()
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def _raw_weight(m: nn.Module) -> torch.Tensor:
    """The stored weight (under spectral norm, the un-normalised original)."""
    return (m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight).detach()


def test_xavier_uses_mimicrys_gains() -> None:
    torch.manual_seed(0)
    G = initialise(ResNetGenerator(16, 1, 16, ch=64), "xavier")
    block = G.blocks[0]
    for layer, gain in ((block.c1, math.sqrt(2)), (block.c2, math.sqrt(2)), (block.sc, 1.0), (G.fc, 1.0)):
        w = _raw_weight(layer)
        assert float(w.std()) == pytest.approx(_xavier_std(w, gain), rel=0.05)
    assert float(block.c1.bias.detach().abs().max()) == 0.0


def test_ortho_gives_orthogonal_rows_and_keeps_spectral_norm() -> None:
    torch.manual_seed(0)
    D = initialise(ResNetDiscriminator(1, 16, ch=32, spectral=True), "ortho")
    conv = D.blocks[1].c1
    w0 = conv.parametrizations.weight.original.detach().flatten(1)  # (32, 288): orthonormal rows
    assert torch.allclose(w0 @ w0.t(), torch.eye(32), atol=1e-5)
    # the power-iteration vectors were recomputed for the new weight: sigma of the used weight is 1
    assert float(torch.linalg.matrix_norm(conv.weight.detach().flatten(1), 2)) == pytest.approx(1.0, abs=1e-3)
    assert list(dict(conv.named_parameters())) == ["bias", "parametrizations.weight.original"]


def test_reinitialising_a_spectral_layer_keeps_its_state_dict_keys() -> None:
    layer = snconv(4, 8, 3, True)
    keys = set(layer.state_dict())
    initialise(nn.Sequential(layer), "xavier")
    assert set(layer.state_dict()) == keys


def test_unknown_init_is_refused_by_name(registry) -> None:
    with pytest.raises(ValueError, match="hparam init must be one of"):
        _build(registry, "sngan", init="he")


@pytest.mark.parametrize(("name", "kind"), [("sngan", "xavier"), ("sagan", "ortho"), ("biggan", "ortho")])
def test_zoo_defaults_follow_their_reference(registry, name: str, kind: str) -> None:
    assert registry.model(name).defaults["init"] == kind
    a, b = _build(registry, name), _build(registry, name, init="default")
    w, w_default = (_raw_weight(m.G.blocks[0].c1) for m in (a, b))
    assert not torch.equal(w, w_default)  # the scheme is applied, not PyTorch's
    if kind == "xavier":
        assert float(w.std()) == pytest.approx(_xavier_std(w, math.sqrt(2)), rel=0.1)
    # same seed, same weights
    assert torch.equal(next(_build(registry, name).G.parameters()), next(a.G.parameters()))


def test_stylegan_d_sees_a_batch_without_variety(registry) -> None:
    """Minibatch std: a batch of one repeated image gives D a different input than a varied batch
    with the same first image, so D's output for that image changes; without it, it could not."""
    model = _build(registry, "stylegan", mbstd_group=4)
    x = torch.rand(8, 1, 16, 16) * 2 - 1
    same = x[:1].repeat(8, 1, 1, 1)
    with torch.no_grad():
        assert not torch.allclose(model.D(x)[0], model.D(same)[0], atol=1e-6)
        model.D.mbstd.group = 1  # a group of one has zero spread: the output no longer depends on the batch
        assert torch.allclose(model.D(x)[0], model.D(same)[0], atol=1e-6)
