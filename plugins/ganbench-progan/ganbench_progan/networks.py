"""ProGAN's generator and discriminator (Karras et al. 2018, Table 2; the authors' networks.py).

* Equalised learning rate: weights drawn from N(0, 1) and scaled at run time by gain / sqrt(fan_in)
  (He's constant, gain sqrt(2); ``use_wscale``).
* Pixelwise feature normalisation after every convolution of G and on the latent (``pixelnorm``,
  ``normalize_latents``).
* Minibatch standard deviation before D's last block (group size 4, one averaged feature map).
* G: latent -> 4x4 (dense) -> conv 3x3; per resolution doubling: nearest upsampling, two 3x3 convs;
  a 1x1 ``toRGB`` (linear, gain 1) at every resolution. D mirrors it with ``fromRGB``, two 3x3 convs
  and 2x2 average pooling per level, ending in minibatch std, conv 3x3, dense 4x4 -> fmaps, dense -> 1.
* Widths ``min(fmap_base / 2^(level+1), fmap_max)`` for level 0 = 4x4 (the code's ``nf(stage)``).
* Fade-in: ``lod`` (level of detail, 0 = full resolution) selects the top level; a fractional lod
  blends the upsampled output of the level below with the new level (``lerp_clip`` in the code), and
  D blends its ``fromRGB`` inputs the same way.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class EqConv2d(nn.Module):
    def __init__(self, c_in: int, c_out: int, k: int, gain: float = math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, k, k))
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.scale = gain / math.sqrt(c_in * k * k)
        self.pad = k // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.pad)


class EqLinear(nn.Module):
    def __init__(self, d_in: int, d_out: int, gain: float = math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d_out, d_in))
        self.bias = nn.Parameter(torch.zeros(d_out))
        self.scale = gain / math.sqrt(d_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


def minibatch_stddev(x: torch.Tensor, group: int = 4) -> torch.Tensor:
    """Append one feature map: the std of each feature over a group of samples, averaged over
    features and pixels (the code's ``minibatch_stddev_layer``)."""
    n, c, h, w = x.shape
    g = min(group, n)
    if n % g:
        g = 1
    y = x.reshape(g, -1, c, h, w).float()
    y = (y - y.mean(0)).pow(2).mean(0).add(1e-8).sqrt()
    y = y.mean(dim=(1, 2, 3)).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)
    return torch.cat([x, y.to(x.dtype)], 1)


def lrelu(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, 0.2)


def widths(levels: int, fmap_base: int, fmap_max: int) -> list[int]:
    return [min(fmap_base // 2 ** (i + 1), fmap_max) for i in range(levels + 1)]


LOD_SCALE = 1_000_000


class Generator(nn.Module):
    def __init__(self, z_dim: int, channels: int, levels: int, fmap_base: int, fmap_max: int):
        super().__init__()
        nf = widths(levels, fmap_base, fmap_max)
        self.levels, self.nf0 = levels, nf[0]
        # The level of detail G currently draws at, in millionths: a buffer, so a kept generator (its
        # state_dict alone) samples at the resolution it was trained to; an integer, so the EMA copies
        # it exactly instead of averaging it.
        self.register_buffer("lod_micro", torch.tensor(levels * LOD_SCALE, dtype=torch.int64))
        self.dense = EqLinear(z_dim, nf[0] * 16, gain=math.sqrt(2) / 4)  # the code's Dense gain for 4x4
        self.conv0 = EqConv2d(nf[0], nf[0], 3)
        self.blocks = nn.ModuleList(
            nn.ModuleList([EqConv2d(nf[i - 1], nf[i], 3), EqConv2d(nf[i], nf[i], 3)]) for i in range(1, levels + 1))
        self.to_rgb = nn.ModuleList(EqConv2d(nf[i], channels, 1, gain=1.0) for i in range(levels + 1))

    def set_lod(self, lod: float) -> None:
        self.lod_micro.fill_(round(lod * LOD_SCALE))

    @property
    def current_lod(self) -> float:
        return int(self.lod_micro) / LOD_SCALE

    def forward(self, z: torch.Tensor, lod: float) -> torch.Tensor:
        top = self.levels - lod
        hi, lo = min(math.ceil(top), self.levels), max(math.floor(top), 0)
        alpha = top - lo
        x = pixel_norm(lrelu(self.dense(pixel_norm(z)).view(-1, self.nf0, 4, 4)))
        x = pixel_norm(lrelu(self.conv0(x)))
        img_lo = self.to_rgb[0](x) if lo == 0 else None
        for i in range(1, hi + 1):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            for conv in self.blocks[i - 1]:
                x = pixel_norm(lrelu(conv(x)))
            if i == lo:
                img_lo = self.to_rgb[i](x)
        img = self.to_rgb[hi](x)
        if hi != lo and img_lo is not None:
            img = torch.lerp(F.interpolate(img_lo, scale_factor=2, mode="nearest"), img, alpha)
        return F.interpolate(img, scale_factor=2 ** (self.levels - hi), mode="nearest") if hi < self.levels else img


class Discriminator(nn.Module):
    def __init__(self, channels: int, levels: int, fmap_base: int, fmap_max: int, mbstd_group: int = 4):
        super().__init__()
        nf = widths(levels, fmap_base, fmap_max)
        self.levels, self.mbstd_group = levels, mbstd_group
        self.from_rgb = nn.ModuleList(EqConv2d(channels, nf[i], 1) for i in range(levels + 1))
        self.blocks = nn.ModuleList(
            nn.ModuleList([EqConv2d(nf[i], nf[i], 3), EqConv2d(nf[i], nf[i - 1], 3)]) for i in range(1, levels + 1))
        self.conv_last = EqConv2d(nf[0] + 1, nf[0], 3)
        self.dense0 = EqLinear(nf[0] * 16, nf[0])
        self.dense1 = EqLinear(nf[0], 1, gain=1.0)

    def forward(self, img: torch.Tensor, lod: float) -> torch.Tensor:
        top = self.levels - lod
        hi, lo = min(math.ceil(top), self.levels), max(math.floor(top), 0)
        alpha = top - lo
        x_hi = F.avg_pool2d(img, 2 ** (self.levels - hi)) if hi < self.levels else img
        x = lrelu(self.from_rgb[hi](x_hi))
        for i in range(hi, 0, -1):
            for conv in self.blocks[i - 1]:
                x = lrelu(conv(x))
            x = F.avg_pool2d(x, 2)
            if i == hi and hi != lo:
                x = torch.lerp(lrelu(self.from_rgb[lo](F.avg_pool2d(x_hi, 2))), x, alpha)
        x = lrelu(self.conv_last(minibatch_stddev(x, self.mbstd_group)))
        return self.dense1(lrelu(self.dense0(x.flatten(1)))).squeeze(1)
