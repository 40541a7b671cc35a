"""CycleGAN's networks at MNIST size: a ResNet generator and a PatchGAN discriminator.

Both follow junyanz/pytorch-CycleGAN-and-pix2pix (models/networks.py: ``ResnetGenerator``,
``NLayerDiscriminator``) with instance norm: c7s1-ngf, two stride-2 downsamplings, ``n_blocks``
residual blocks (reflection padding), two transposed-convolution upsamplings, c7s1-C and Tanh;
D is 4x4 convolutions with LeakyReLU 0.2 giving a grid of patch logits. Weights N(0, 0.02).
"""

from __future__ import annotations

import torch
from ganbench_layers.patchgan import PatchDiscriminator, init_weights
from torch import nn

__all__ = ["PatchDiscriminator", "ResnetBlock", "ResnetGenerator", "init_weights"]


def _norm(ch: int) -> nn.Module:
    return nn.InstanceNorm2d(ch, affine=False, track_running_stats=False)


class ResnetBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3, bias=True), _norm(ch), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(ch, ch, 3, bias=True), _norm(ch),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, ngf: int, n_blocks: int):
        super().__init__()
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_ch, ngf, 7), _norm(ngf), nn.ReLU(True)]
        for i in range(2):
            m = 2**i
            layers += [nn.Conv2d(ngf * m, ngf * m * 2, 3, 2, 1), _norm(ngf * m * 2), nn.ReLU(True)]
        layers += [ResnetBlock(ngf * 4) for _ in range(n_blocks)]
        for i in range(2):
            m = 2 ** (2 - i)
            layers += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, 2, 1, output_padding=1), _norm(ngf * m // 2),
                       nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_ch, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)
