"""The PatchGAN discriminator and normal init of pix2pix and CycleGAN (junyanz/pytorch-CycleGAN-and-pix2pix,
models/networks.py: ``NLayerDiscriminator``, ``init_weights(..., 'normal')``), written once for both."""

from __future__ import annotations

import torch
from torch import nn


def _norm(kind: str, ch: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "instance":
        return nn.InstanceNorm2d(ch, affine=False, track_running_stats=False)
    raise ValueError(f"PatchGAN norm must be batch or instance, got {kind!r}")


class PatchDiscriminator(nn.Module):
    """PatchGAN: 4x4 convolutions with LeakyReLU 0.2 giving a grid of real/fake logits, each seeing one
    patch. As in the reference, the inner convolutions have a bias only with instance norm
    (pix2pix: batch norm; CycleGAN: instance norm)."""

    def __init__(self, in_ch: int, ndf: int, n_layers: int, norm: str = "batch"):
        super().__init__()
        bias = norm == "instance"
        layers: list[nn.Module] = [nn.Conv2d(in_ch, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2**n, 8)
            stride = 2 if n < n_layers else 1
            layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride, 1, bias=bias), _norm(norm, ndf * mult),
                       nn.LeakyReLU(0.2, True)]
        layers.append(nn.Conv2d(ndf * mult, 1, 4, 1, 1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def init_weights(net: nn.Module, gain: float = 0.02) -> None:
    """N(0, gain) convolutions, N(1, gain) batch-norm scales, zero biases (the reference's ``normal``)."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)
