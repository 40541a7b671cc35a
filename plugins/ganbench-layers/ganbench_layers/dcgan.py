"""DCGAN-style conv generator and discriminator for any square size (Radford et al. 2016, in the
CIFAR-10 layout StudioGAN uses: 512@4x4 -> 256@8 -> 128@16 -> 64@32 for ``ch = 64``)."""

from __future__ import annotations

import torch
from torch import nn

from .geometry import resolution_plan
from .norms import snconv, snlinear

NORMS = ("batch", "layer", "spectral", "none")


class ConvGenerator(nn.Module):
    """z (plus an optional one-hot label of ``n_cond`` dims) -> linear -> ``k`` transposed-conv
    doublings with BN + ReLU -> 3x3 conv -> tanh."""

    def __init__(self, z_dim: int, out_ch: int, size: int, ch: int = 64, n_cond: int = 0):
        super().__init__()
        s0, k = resolution_plan(size)
        self.s0, self.top, self.n_cond = s0, ch * 2**k, n_cond
        self.fc = nn.Linear(z_dim + n_cond, self.top * s0 * s0)
        layers: list[nn.Module] = [nn.BatchNorm2d(self.top), nn.ReLU(True)]
        c = self.top
        for _ in range(k):
            layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.BatchNorm2d(c // 2), nn.ReLU(True)]
            c //= 2
        layers += [nn.Conv2d(c, out_ch, 3, 1, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.n_cond:
            z = torch.cat([z, nn.functional.one_hot(y, self.n_cond).to(z.dtype)], 1)
        return self.net(self.fc(z).view(z.shape[0], self.top, self.s0, self.s0))


def _norm(kind: str, c: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(c)
    if kind == "layer":
        return nn.GroupNorm(1, c)  # layer norm over (C, H, W), as WGAN-GP recommends for critics
    return nn.Identity()


class ConvDiscriminator(nn.Module):
    """3x3 conv -> ``k`` stride-2 4x4 convs (channels doubling, ``norm``, LeakyReLU 0.2) ->
    linear to ``out_dim`` outputs. ``norm`` is ``batch``, ``layer``, ``spectral`` or ``none``."""

    def __init__(self, in_ch: int, size: int, ch: int = 64, norm: str = "batch", out_dim: int = 1):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"hparam d_norm must be one of {NORMS}, got {norm!r}")
        s0, k = resolution_plan(size)
        spec = norm == "spectral"
        self.in_ch = in_ch
        layers: list[nn.Module] = [snconv(in_ch, ch, 3, spec), nn.LeakyReLU(0.2, True)]
        c = ch
        for _ in range(k):
            layers += [snconv(c, 2 * c, 4, spec, stride=2, padding=1), _norm(norm, 2 * c), nn.LeakyReLU(0.2, True)]
            c *= 2
        self.net = nn.Sequential(*layers)
        self.fc = snlinear(c * s0 * s0, out_dim, spec)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.net(x).flatten(1))
