"""SNGAN: every D layer spectrally normalised (its weight divided by its top singular value,
estimated by one power iteration per step), so D is 1-Lipschitz per layer without a penalty;
hinge loss; the ResNet G/D Miyato et al. used for CIFAR-10 (the Mimicry/StudioGAN baseline)."""

from __future__ import annotations

from ganbench_layers.base import AdversarialModel
from ganbench_layers.resnet import ResNetDiscriminator, ResNetGenerator
from torch import nn

from ganbench.api import BuildContext


class SNGAN(AdversarialModel):
    name = "sngan"
    default_loss = "hinge"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        G = ResNetGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 256)), spectral=bool(ctx.hp("g_sn", False)))
        D = ResNetDiscriminator(self.pack * self.channels, self.size, int(ctx.hp("d_ch", 128)), spectral=True)
        return G, D
