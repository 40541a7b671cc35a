"""pix2pix's networks at MNIST size: a U-Net generator and (shared with CycleGAN) a PatchGAN discriminator.

Both follow junyanz/pytorch-CycleGAN-and-pix2pix (models/networks.py: ``UnetGenerator``,
``NLayerDiscriminator``): 4x4 stride-2 convolutions, LeakyReLU 0.2 down and ReLU up, batch norm,
dropout 0.5 in the innermost decoder blocks, skip connections by concatenation, Tanh output; weights
from N(0, 0.02). ``num_downs`` halvings take a 32x32 image to 1x1 at 5 (256x256 takes 8).
"""

from __future__ import annotations

import torch
from ganbench_layers.patchgan import PatchDiscriminator, init_weights
from torch import nn

__all__ = ["PatchDiscriminator", "UnetBlock", "UnetGenerator", "init_weights"]


class UnetBlock(nn.Module):
    """down -> (inner block) -> up, with the input concatenated to the output (except outermost)."""

    def __init__(self, outer: int, inner: int, in_ch: int | None = None, sub: nn.Module | None = None,
                 outermost: bool = False, innermost: bool = False, dropout: bool = False):
        super().__init__()
        self.outermost = outermost
        in_ch = in_ch or outer
        down = [nn.Conv2d(in_ch, inner, 4, 2, 1, bias=False)]
        if outermost:
            up: list[nn.Module] = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
            layers = down + [sub] + up  # type: ignore[list-item]
        elif innermost:
            up = [nn.ReLU(True), nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
            layers = [nn.LeakyReLU(0.2, True), *down, *up]
        else:
            up = [nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
            if dropout:
                up.append(nn.Dropout(0.5))
            layers = [nn.LeakyReLU(0.2, True), *down, nn.BatchNorm2d(inner), sub, *up]  # type: ignore[list-item]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.model(x)
        return y if self.outermost else torch.cat([x, y], 1)


class UnetGenerator(nn.Module):
    """The reference layout: innermost 8x/8x, ``num_downs - 5`` more 8x/8x blocks (with dropout),
    then 4x/8x, 2x/4x, 1x/2x and the outermost block. At 32x32 (``num_downs`` 5) that leaves no
    dropout block, exactly as the reference would build it for 32 px."""

    def __init__(self, in_ch: int, out_ch: int, num_downs: int, ngf: int, dropout: bool = True):
        super().__init__()
        if num_downs < 5:
            raise ValueError(f"pix2pix: num_downs must be at least 5, got {num_downs}")
        block = UnetBlock(ngf * 8, ngf * 8, innermost=True)
        for _ in range(num_downs - 5):
            block = UnetBlock(ngf * 8, ngf * 8, sub=block, dropout=dropout)
        for outer, inner in ((4, 8), (2, 4), (1, 2)):
            block = UnetBlock(ngf * outer, ngf * inner, sub=block)
        self.model = UnetBlock(out_ch, ngf, in_ch=in_ch, sub=block, outermost=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)
