"""MLP generator and maxout discriminator, the architecture PacGAN used on 2-D mixtures."""

from __future__ import annotations

import torch
from torch import nn


class Maxout(nn.Module):
    """A linear layer with ``pieces`` outputs per unit, reduced by max (Goodfellow et al. 2013)."""

    def __init__(self, d_in: int, d_out: int, pieces: int):
        super().__init__()
        self.d_out, self.pieces = d_out, pieces
        self.linear = nn.Linear(d_in, d_out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # max(dim).values, not amax: the same forward values and the same gradient except at exact
        # float ties between pieces (rare, but a run meets some: amax splits the gradient there,
        # max gives it to one piece), and its backward is a cheap scatter through the saved
        # indices where amax's recomputes an equality mask; at PacGAN's widths on a CPU core amax
        # made the whole training step ~8 % slower (benchmarks/test_bench_gan_step.py). GAN
        # training amplifies the tie difference, so runs differ from the amax version seed by
        # seed, not in distribution (ci-smoke's baseline check: every metric within tolerance).
        return self.linear(x).view(x.shape[0], self.d_out, self.pieces).max(dim=2).values


def mlp_generator(z_dim: int, out_dim: int, hidden: int, layers: int, batch_norm: bool,
                  bn_momentum: float = 0.1, bn_eps: float = 1e-5, hidden_bias: bool = True) -> nn.Sequential:
    """``layers`` × (Linear [+ BatchNorm] + ReLU), then a linear output. PacGAN's released code
    has no bias in the hidden Linear layers (BatchNorm's shift replaces it): ``hidden_bias=False``."""
    mods: list[nn.Module] = []
    d = z_dim
    for _ in range(layers):
        mods.append(nn.Linear(d, hidden, bias=hidden_bias or not batch_norm))
        if batch_norm:
            mods.append(nn.BatchNorm1d(hidden, eps=bn_eps, momentum=bn_momentum))
        mods.append(nn.ReLU())
        d = hidden
    mods.append(nn.Linear(d, out_dim))
    return nn.Sequential(*mods)


def maxout_discriminator(in_dim: int, hidden: int, layers: int, pieces: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = in_dim
    for _ in range(layers):
        mods.append(Maxout(d, hidden, pieces))
        d = hidden
    mods.append(nn.Linear(d, 1))
    return nn.Sequential(*mods)


@torch.no_grad()
def gaussian_init(net: nn.Module, std: float) -> None:
    """PacGAN's released initialisation: every Linear weight ~ N(0, std²), every bias 0
    (Blocks' ``IsotropicGaussian(0.02)`` and ``Constant(0)``); BatchNorm keeps scale 1, shift 0."""
    for mod in net.modules():
        if isinstance(mod, nn.Linear):
            mod.weight.normal_(0.0, std)
            if mod.bias is not None:
                mod.bias.zero_()
