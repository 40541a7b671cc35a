"""SAGAN self-attention (Zhang et al. 2019), in the BigGAN/StudioGAN form with pooled keys/values."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .norms import snconv


class SelfAttention(nn.Module):
    """``x + gamma * o(attention(x))`` with ``gamma`` initialised at 0, so the block starts as the
    identity and the network learns how much non-local evidence to use."""

    def __init__(self, channels: int, spectral: bool = True):
        super().__init__()
        self.c_qk = max(1, channels // 8)
        self.c_v = max(1, channels // 2)
        self.theta = snconv(channels, self.c_qk, 1, spectral, bias=False)
        self.phi = snconv(channels, self.c_qk, 1, spectral, bias=False)
        self.g = snconv(channels, self.c_v, 1, spectral, bias=False)
        self.o = snconv(self.c_v, channels, 1, spectral, bias=False)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        pool = (lambda t: F.max_pool2d(t, 2)) if min(h, w) >= 2 else (lambda t: t)
        theta = self.theta(x).flatten(2)  # (B, c_qk, HW)
        phi = pool(self.phi(x)).flatten(2)  # (B, c_qk, HW/4)
        g = pool(self.g(x)).flatten(2)  # (B, c_v, HW/4)
        beta = torch.softmax(theta.transpose(1, 2) @ phi, dim=-1)  # (B, HW, HW/4)
        o = (g @ beta.transpose(1, 2)).view(b, self.c_v, h, w)
        return x + self.gamma * self.o(o)
