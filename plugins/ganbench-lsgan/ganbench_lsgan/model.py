"""LSGAN: the DCGAN-style game with least-squares losses instead of the log loss.

Mao et al. argue the sigmoid cross-entropy saturates for fakes that are already on the correct side
of the decision boundary but far from the data; the squared loss keeps penalising them, which gives
G gradients longer and training that is more stable.
"""

from __future__ import annotations

from ganbench_layers.base import AdversarialModel
from ganbench_layers.dcgan import ConvDiscriminator, ConvGenerator
from torch import nn

from ganbench.api import BuildContext


class LSGAN(AdversarialModel):
    name = "lsgan"
    default_loss = "least_squares"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        G = ConvGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 64)))
        D = ConvDiscriminator(self.pack * self.channels, self.size, int(ctx.hp("d_ch", 64)), str(ctx.hp("d_norm", "batch")))
        return G, D
