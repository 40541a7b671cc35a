"""Conditional GAN: the class label is an extra input of both networks, so G learns p(x | y) and D
judges (image, label) pairs. G gets a one-hot label next to z; D gets one one-hot label map per
channel group (for packed inputs: each of the ``pack`` samples brings its own label maps)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from ganbench_layers.base import AdversarialModel
from ganbench_layers.dcgan import ConvDiscriminator, ConvGenerator
from torch import nn

from ganbench.api import BuildContext


class LabelMapDiscriminator(nn.Module):
    """A conv D whose input is the packed images plus ``pack * num_classes`` constant label planes."""

    def __init__(self, channels: int, pack: int, num_classes: int, size: int, ch: int, norm: str):
        super().__init__()
        self.num_classes = num_classes
        self.net = ConvDiscriminator(pack * (channels + num_classes), size, ch, norm)
        self.in_ch = self.net.in_ch

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        maps = F.one_hot(y, self.num_classes).to(x.dtype).view(b, -1, 1, 1).expand(-1, -1, h, w)
        return self.net(torch.cat([x, maps], 1))


class CGAN(AdversarialModel):
    name = "cgan"
    conditional = True

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        G = ConvGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 64)), n_cond=self.num_classes)
        D = LabelMapDiscriminator(
            self.channels, self.pack, self.num_classes, self.size, int(ctx.hp("d_ch", 64)), str(ctx.hp("d_norm", "batch"))
        )
        return G, D
