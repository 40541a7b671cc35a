"""CoGAN's MNIST networks, as the authors' Caffe generator script builds them
(``cogan/scripts/run_mnist.edge.cogan.sh``: g_neurons 1024,512,256,128,1, g_kernels 4,3,3,3,6,
d_neurons 20,50,500, d_kernels 5,5).

G: z (100) -> ConvT 4x4 (1024) -> ConvT 3x3/2 (512, 7x7) -> ConvT 3x3/2 (256, 13x13) ->
ConvT 3x3/2 (128, 25x25), each with BatchNorm and PReLU, then a ConvT 6x6 to one 28x28 channel
and a sigmoid. D: Conv 5x5 (20) + MaxPool 2 -> Conv 5x5 (50) + MaxPool 2 -> FC 500 + PReLU ->
FC 1. ``width`` scales every hidden width (1 = the paper's) for CPU budgets.

Coupling: the first four G layers are shared by both domains' generators and only the output
layer is per domain; D's first convolution is per domain and everything after it is shared.
"""

from __future__ import annotations

import torch
from torch import nn


def _w(n: int, width: float) -> int:
    return max(1, int(round(n * width)))


def g_trunk(z_dim: int, width: float, extra_in: int = 0) -> nn.Sequential:
    """The four (shared) G layers: ``(N, z_dim + extra_in)`` -> ``(N, 128 w, 25, 25)``."""
    c = [_w(1024, width), _w(512, width), _w(256, width), _w(128, width)]
    return nn.Sequential(
        nn.Unflatten(1, (z_dim + extra_in, 1, 1)),
        nn.ConvTranspose2d(z_dim + extra_in, c[0], 4, 1), nn.BatchNorm2d(c[0]), nn.PReLU(),
        nn.ConvTranspose2d(c[0], c[1], 3, 2, 1), nn.BatchNorm2d(c[1]), nn.PReLU(),
        nn.ConvTranspose2d(c[1], c[2], 3, 2, 1), nn.BatchNorm2d(c[2]), nn.PReLU(),
        nn.ConvTranspose2d(c[2], c[3], 3, 2, 1), nn.BatchNorm2d(c[3]), nn.PReLU(),
    )


class ImageHead(nn.Module):
    """G's last layer: ConvT 6x6 to one 28x28 channel; the paper's sigmoid, mapped to [-1, 1]."""

    def __init__(self, width: float):
        super().__init__()
        self.conv = nn.ConvTranspose2d(_w(128, width), 1, 6, 1, 1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(0.5 * self.conv(h))  # 2 sigmoid(a) - 1


def d_stem(width: float, in_ch: int = 1) -> nn.Sequential:
    """D's first layer (per domain in CoGAN): Conv 5x5 (20) + MaxPool 2: 28x28 -> 12x12."""
    return nn.Sequential(nn.Conv2d(in_ch, _w(20, width), 5), nn.MaxPool2d(2))


def d_trunk(width: float) -> nn.Sequential:
    """D's shared layers: Conv 5x5 (50) + MaxPool 2 -> FC 500 + PReLU -> FC 1 (a logit)."""
    return nn.Sequential(
        nn.Conv2d(_w(20, width), _w(50, width), 5), nn.MaxPool2d(2),
        nn.Conv2d(_w(50, width), _w(500, width), 4), nn.PReLU(),  # the FC 500 on the 4x4 map
        nn.Conv2d(_w(500, width), 1, 1), nn.Flatten(),
    )


@torch.no_grad()
def msra_init(net: nn.Module) -> None:
    """Caffe's ``msra`` filler (the authors' ``--weight_filter msra``): N(0, 2 / fan_in), bias 0."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                m.bias.zero_()
