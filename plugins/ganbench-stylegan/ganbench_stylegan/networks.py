"""A small StyleGAN2-like generator: mapping net, learned constant input, weight-(de)modulated
convolutions driven by per-layer styles, per-layer noise inputs, skip (toRGB) outputs, and style
mixing regularisation. No equalised learning rate, no path-length regulariser, no progressive
growing: the pieces the issue asks for, at a size that trains on 32x32."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from ganbench_layers.geometry import resolution_plan
from torch import nn


class Mapping(nn.Module):
    """z -> pixel norm -> ``layers`` x (Linear, LeakyReLU 0.2) -> w.

    Initialised as StyleGAN2's equalised-lr layers effectively are: weights N(0, 2 / fan_in)
    (lrelu gain sqrt 2), biases 0, so w keeps unit-order variance through the layers. PyTorch's
    default Linear init shrinks the variance about 3x per layer: w came out ~0.1, the styles
    barely varied with z, and G learned to ignore z (one digit for every z, tests/models)."""

    def __init__(self, z_dim: int, w_dim: int, layers: int):
        super().__init__()
        mods: list[nn.Module] = []
        d = z_dim
        for _ in range(layers):
            lin = nn.Linear(d, w_dim)
            nn.init.normal_(lin.weight, 0.0, math.sqrt(2.0 / d))
            nn.init.zeros_(lin.bias)
            mods += [lin, nn.LeakyReLU(0.2)]
            d = w_dim
        self.net = nn.Sequential(*mods)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = z * torch.rsqrt(z.pow(2).mean(1, keepdim=True) + 1e-8)
        return self.net(z)


class ModulatedConv(nn.Module):
    """Conv whose input channels are scaled by a style s = A(w) per sample, then (optionally)
    demodulated so every output feature has unit expected variance (StyleGAN2, Sec. 2.2)."""

    def __init__(self, c_in: int, c_out: int, k: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, k, k) / math.sqrt(c_in * k * k))
        self.affine = nn.Linear(w_dim, c_in)
        nn.init.normal_(self.affine.weight, 0.0, 1.0 / math.sqrt(w_dim))  # StyleGAN2's A: N(0,1)/sqrt(w_dim)
        nn.init.ones_(self.affine.bias)  # styles start around 1 (bias_init=1)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.demodulate, self.k, self.c_out = demodulate, k, c_out

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        b, c, h, wd = x.shape
        s = self.affine(w)
        weight = self.weight[None] * s[:, None, :, None, None]
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum(dim=(2, 3, 4), keepdim=True) + 1e-8)
        out = F.conv2d(x.reshape(1, b * c, h, wd), weight.reshape(b * self.c_out, c, self.k, self.k), padding=self.k // 2, groups=b)
        return out.view(b, self.c_out, h, wd) + self.bias[None, :, None, None]


class StyleLayer(nn.Module):
    """Modulated 3x3 conv + per-pixel noise (learned strength) + LeakyReLU."""

    def __init__(self, c_in: int, c_out: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv(c_in, c_out, 3, w_dim)
        self.noise_strength = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.conv(x, w) + self.noise_strength * noise, 0.2)


class StyleGenerator(nn.Module):
    """Constant s0 x s0 input (4x4 for 32x32) -> one style layer, then per doubling: bilinear up and
    two style layers; a toRGB per resolution summed into an upsampled skip image."""

    def __init__(self, z_dim: int, w_dim: int, out_ch: int, size: int, ch: int, map_layers: int, mixing_prob: float):
        super().__init__()
        s0, k = resolution_plan(size)
        self.z_dim, self.k, self.mixing_prob = z_dim, k, mixing_prob
        self.mapping = Mapping(z_dim, w_dim, map_layers)
        self.const = nn.Parameter(torch.randn(1, ch, s0, s0))
        self.layers = nn.ModuleList([StyleLayer(ch, ch, w_dim) for _ in range(1 + 2 * k)])
        self.to_rgb = nn.ModuleList([ModulatedConv(ch, out_ch, 1, w_dim, demodulate=False) for _ in range(k + 1)])
        self.num_ws = 2 * k + 2

    def styles(self, z: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Per-layer w's, (B, num_ws, w_dim); while training, with probability ``mixing_prob``
        layers after a random crossover point take the style of a second latent."""
        ws = self.mapping(z)[:, None].repeat(1, self.num_ws, 1)
        if self.training and self.mixing_prob > 0:
            r = torch.rand((), device=z.device, generator=generator)
            z2 = torch.randn(z.shape, device=z.device, generator=generator)
            cut = int(torch.randint(1, self.num_ws, (), device=z.device, generator=generator))
            if float(r) < self.mixing_prob:
                ws[:, cut:] = self.mapping(z2)[:, None]
        return ws

    def forward(self, z: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        ws = self.styles(z, generator)
        b = z.shape[0]

        def noise(x: torch.Tensor) -> torch.Tensor:
            return torch.randn(b, 1, *x.shape[2:], device=x.device, generator=generator)

        x = self.const.expand(b, -1, -1, -1)
        x = self.layers[0](x, ws[:, 0], noise(x))
        rgb = self.to_rgb[0](x, ws[:, 1])
        for j in range(1, self.k + 1):
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            x = self.layers[2 * j - 1](x, ws[:, 2 * j - 1], noise(x))
            x = self.layers[2 * j](x, ws[:, 2 * j], noise(x))
            rgb = F.interpolate(rgb, scale_factor=2, mode="bilinear", align_corners=False) + self.to_rgb[j](x, ws[:, 2 * j + 1])
        return rgb
