"""StyleGAN-style, small: the style-based generator of ``networks.py`` against StyleGAN2's ``orig``
D with minibatch std, non-saturating logistic loss with R1 on reals, as StyleGAN2 trains it."""

from __future__ import annotations

import torch
from ganbench_layers.base import AdversarialModel
from ganbench_layers.penalties import r1_penalty
from torch import nn

from ganbench.api import BuildContext, pack

from .networks import StyleDiscriminator, StyleGenerator


class StyleGAN(AdversarialModel):
    name = "stylegan"
    default_loss = "nonsaturating"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.r1_gamma = float(ctx.hp("r1_gamma", 0.01))
        G = StyleGenerator(
            self.z_dim, int(ctx.hp("w_dim", 128)), self.channels, self.size, int(ctx.hp("g_ch", 128)),
            int(ctx.hp("map_layers", 4)), float(ctx.hp("style_mixing", 0.9)),
        )
        D = StyleDiscriminator(self.pack * self.channels, self.size, int(ctx.hp("d_ch", 128)), int(ctx.hp("mbstd_group", 32)))
        return G, D

    def build_optimizers(self, ctx: BuildContext) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        betas = (float(ctx.hp("beta1", 0.0)), float(ctx.hp("beta2", 0.99)))
        lr = float(ctx.hp("lr", 2e-4))
        lr_g = float(ctx.hp("lr_g", lr))
        mapping = list(self.G.mapping.parameters())
        ids = {id(p) for p in mapping}
        rest = [p for p in self.G.parameters() if id(p) not in ids]
        opt_g = torch.optim.Adam(
            [{"params": rest}, {"params": mapping, "lr": lr_g * float(ctx.hp("map_lr_mult", 0.01))}], lr=lr_g, betas=betas
        )
        opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", lr)), betas=betas)
        return opt_g, opt_d

    def generate(self, n, labels, generator):  # type: ignore[override]
        return self.G(self.latent(n, generator), generator=generator)

    def d_loss(self, real, fake, labels):  # type: ignore[override]
        loss, logs = super().d_loss(real, fake, labels)
        if self.r1_gamma > 0:
            r1 = r1_penalty(lambda x: self.D(x), pack(real, self.pack))
            logs["r1"] = float(r1.detach())
            loss = loss + 0.5 * self.r1_gamma * r1
        return loss, logs
