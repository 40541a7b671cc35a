"""SAGAN-style: the SNGAN ResNets plus a self-attention block (at 16x16 for 32x32 images) in both
G and D, spectral norm in G as well as D, hinge loss, and TTUR (D learns 4x faster than G) so that
one D step per G step suffices."""

from __future__ import annotations

from ganbench_layers.base import AdversarialModel
from ganbench_layers.geometry import resolution_plan
from ganbench_layers.resnet import ResNetDiscriminator, ResNetGenerator
from torch import nn

from ganbench.api import BuildContext


def nearest_resolution(size: int, wanted: int) -> tuple[int, int]:
    """The G and D feature-map sizes closest to ``wanted`` (ties: the smaller), so that e.g.
    28x28 MNIST gets attention at 14x14 where 32x32 CIFAR gets it at 16x16."""
    s0, k = resolution_plan(size)
    g_res = [s0 * 2**i for i in range(1, k + 1)]
    d_res = [size // 2**i for i in range(1, max(1, k - 1) + 1)]
    pick = lambda rs: min(rs, key=lambda r: (abs(r - wanted), r))  # noqa: E731
    return pick(g_res), pick(d_res)


class SAGAN(AdversarialModel):
    name = "sagan"
    default_loss = "hinge"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.g_attn, self.d_attn = nearest_resolution(self.size, int(ctx.hp("attn_res", 16)))
        G = ResNetGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 256)), spectral=True, attn_res=self.g_attn)
        D = ResNetDiscriminator(self.pack * self.channels, self.size, int(ctx.hp("d_ch", 128)), spectral=True, attn_res=self.d_attn)
        return G, D
