"""Small wrappers: optional spectral norm, and conditional batch norm (BigGAN)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def sn(module: nn.Module, on: bool = True) -> nn.Module:
    """``module`` with spectral normalisation of its weight when ``on`` (Miyato et al. 2018):
    one power iteration per training forward, none in eval mode."""
    return spectral_norm(module) if on else module


def snconv(c_in: int, c_out: int, k: int, on: bool, stride: int = 1, padding: int | None = None, bias: bool = True) -> nn.Module:
    pad = k // 2 if padding is None else padding
    return sn(nn.Conv2d(c_in, c_out, k, stride, pad, bias=bias), on)


def snlinear(d_in: int, d_out: int, on: bool, bias: bool = True) -> nn.Module:
    return sn(nn.Linear(d_in, d_out, bias=bias), on)


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm without affine, then per-sample gain ``1 + Wg c`` and bias ``Wb c`` from a
    conditioning vector ``c`` (BigGAN: shared class embedding concatenated with a z chunk)."""

    def __init__(self, channels: int, cond_dim: int, spectral: bool = True):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = snlinear(cond_dim, channels, spectral, bias=False)
        self.bias = snlinear(cond_dim, channels, spectral, bias=False)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        g = 1.0 + self.gain(c)
        b = self.bias(c)
        return self.bn(x) * g[:, :, None, None] + b[:, :, None, None]
