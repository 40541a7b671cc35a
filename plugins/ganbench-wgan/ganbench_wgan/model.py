"""WGAN: a critic estimating the Wasserstein-1 distance, kept 1-Lipschitz (roughly) by clipping
every weight to [-c, c] after each critic update. No sigmoid, no log: the critic outputs a score.
RMSProp instead of Adam because the paper found momentum made the critic unstable."""

from __future__ import annotations

import torch
from ganbench_layers.base import AdversarialModel
from ganbench_layers.dcgan import ConvDiscriminator, ConvGenerator
from ganbench_layers.penalties import clip_weights
from torch import nn

from ganbench.api import BuildContext


class WGAN(AdversarialModel):
    name = "wgan"
    default_loss = "wasserstein"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.clip = float(ctx.hp("clip", 0.01))
        if self.clip <= 0:
            raise ValueError(f"wgan: hparam clip must be > 0, got {self.clip}")
        G = ConvGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 64)))
        D = ConvDiscriminator(self.pack * self.channels, self.size, int(ctx.hp("d_ch", 64)), str(ctx.hp("d_norm", "batch")))
        return G, D

    def build_optimizers(self, ctx: BuildContext) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        lr = float(ctx.hp("lr", 5e-5))
        return (
            torch.optim.RMSprop(self.G.parameters(), lr=float(ctx.hp("lr_g", lr))),
            torch.optim.RMSprop(self.D.parameters(), lr=float(ctx.hp("lr_d", lr))),
        )

    def after_d_step(self) -> None:
        clip_weights(self.D.parameters(), self.clip)

    def d_loss(self, real, fake, labels):  # type: ignore[override]
        loss, logs = super().d_loss(real, fake, labels)
        logs["wasserstein"] = logs["d_real"] - logs["d_fake"]  # the critic's distance estimate
        return loss, logs
