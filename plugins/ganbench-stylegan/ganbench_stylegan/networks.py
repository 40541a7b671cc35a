"""A small StyleGAN2-like generator: mapping net, learned constant input, weight-(de)modulated
convolutions driven by per-layer styles, per-layer noise inputs, skip (toRGB) outputs, style
mixing regularisation, equalised learning rate, and StyleGAN2's ``orig`` discriminator with
minibatch std. No path-length regulariser, no FIR resampling (bilinear / average pooling)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from ganbench_layers.geometry import resolution_plan
from torch import nn


def _lrelu(x: torch.Tensor) -> torch.Tensor:
    """StyleGAN2's ``lrelu`` bias_act: slope 0.2 and gain sqrt 2, so activations keep unit scale."""
    return F.leaky_relu(x, 0.2) * math.sqrt(2.0)


class EqualLinear(nn.Module):
    """StyleGAN2's ``FullyConnectedLayer``: weights stored N(0, 1) and scaled by 1/sqrt(fan_in) at
    run time (the equalised learning rate: Adam then moves every layer at the same relative rate,
    whatever its fan-in), bias stored as is (``bias_init``)."""

    def __init__(self, d_in: int, d_out: int, bias_init: float = 0.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(d_out, d_in))
        self.bias = nn.Parameter(torch.full((d_out,), float(bias_init)))
        self.gain = 1.0 / math.sqrt(d_in)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.gain, self.bias)


class EqualConv2d(nn.Module):
    """StyleGAN2's ``Conv2dLayer`` without its FIR resampling: N(0, 1) weights scaled by
    1/sqrt(fan_in) at run time, ``same`` padding."""

    def __init__(self, c_in: int, c_out: int, k: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, k, k))
        self.bias = nn.Parameter(torch.zeros(c_out)) if bias else None
        self.gain, self.pad = 1.0 / math.sqrt(c_in * k * k), k // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.gain, self.bias, padding=self.pad)


class Mapping(nn.Module):
    """z -> pixel norm -> ``layers`` x (equalised FC, lrelu with gain sqrt 2) -> w, as StyleGAN2's
    ``MappingNetwork``; its lower learning rate is the optimiser's ``map_lr_mult`` param group
    (with Adam the same as StyleGAN2's ``lr_multiplier`` folded into the layer). w keeps
    unit-order variance, so the styles vary with z from the first step (tests/models)."""

    def __init__(self, z_dim: int, w_dim: int, layers: int):
        super().__init__()
        self.fcs = nn.ModuleList([EqualLinear(z_dim if i == 0 else w_dim, w_dim) for i in range(layers)])

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = z * torch.rsqrt(z.pow(2).mean(1, keepdim=True) + 1e-8)
        for fc in self.fcs:
            x = _lrelu(fc(x))
        return x


class ModulatedConv(nn.Module):
    """Conv whose input channels are scaled by a style s = A(w) per sample, then (optionally)
    demodulated so every output feature has unit expected variance (StyleGAN2, Sec. 2.2). Weights
    are stored N(0, 1) (equalised lr) and scaled by 1/sqrt(fan_in), which only matters without
    demodulation (toRGB); A is an equalised FC with bias 1, so styles start around 1."""

    def __init__(self, c_in: int, c_out: int, k: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_out, c_in, k, k))
        self.affine = EqualLinear(w_dim, c_in, bias_init=1.0)
        self.bias = nn.Parameter(torch.zeros(c_out))
        self.demodulate, self.k, self.c_out = demodulate, k, c_out
        self.gain = 1.0 / math.sqrt(c_in * k * k)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        b, c, h, wd = x.shape
        s = self.affine(w)
        weight = self.weight[None] * self.gain * s[:, None, :, None, None]
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
        return _lrelu(self.conv(x, w) + self.noise_strength * noise)


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


class MinibatchStd(nn.Module):
    """StyleGAN's minibatch standard deviation layer: one extra feature map holding the average
    std of every feature over a group of ``group`` samples, so D can see a batch that lacks
    variety (its defence against mode collapse). A group is the largest divisor of the batch up
    to ``group``."""

    def __init__(self, group: int):
        super().__init__()
        self.group = int(group)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        g = max(d for d in range(1, min(self.group, n) + 1) if n % d == 0)
        y = x.reshape(g, -1, c, h, w)
        y = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt()  # (n/g, c, h, w): std over each group
        y = y.mean(dim=(1, 2, 3)).reshape(-1, 1, 1, 1).repeat(g, 1, h, w)  # (n, 1, h, w)
        return torch.cat([x, y], 1)


class StyleDiscriminator(nn.Module):
    """StyleGAN2's ``orig`` discriminator, the architecture StyleGAN2-ADA's ``cifar`` config uses:
    fromRGB (1x1), per halving two 3x3 convs (the second followed by a 2x average pool), then the
    epilogue at s0 x s0: minibatch std, 3x3 conv, fully connected, output. LeakyReLU 0.2 with gain
    sqrt 2 throughout, equalised learning rate. One difference from the original: 2x average
    pooling instead of the [1,3,3,1] FIR filter."""

    def __init__(self, in_ch: int, size: int, ch: int, mbstd_group: int = 32):
        super().__init__()
        s0, k = resolution_plan(size)
        self.from_rgb = EqualConv2d(in_ch, ch, 1)
        self.convs = nn.ModuleList()
        for _ in range(k):
            self.convs.append(nn.ModuleList([EqualConv2d(ch, ch, 3), EqualConv2d(ch, ch, 3)]))
        self.mbstd = MinibatchStd(mbstd_group)
        self.conv = EqualConv2d(ch + 1, ch, 3)
        self.fc = EqualLinear(ch * s0 * s0, ch)
        self.out = EqualLinear(ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = _lrelu(self.from_rgb(x))
        for c0, c1 in self.convs:
            h = F.avg_pool2d(_lrelu(c1(_lrelu(c0(h)))), 2)
        h = _lrelu(self.conv(self.mbstd(h)))
        return self.out(_lrelu(self.fc(h.flatten(1)))).squeeze(1)
