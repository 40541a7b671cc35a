"""WGAN-GP: the Wasserstein critic kept 1-Lipschitz by a soft penalty on its gradient norm at
random interpolates between real and fake samples, instead of clipping (which the paper shows
under-uses capacity and explodes or vanishes gradients). No batch norm in the critic, since the
penalty is per sample."""

from __future__ import annotations

from ganbench_layers.base import AdversarialModel
from ganbench_layers.dcgan import ConvDiscriminator, ConvGenerator
from ganbench_layers.penalties import gradient_penalty
from ganbench_layers.resnet import ResNetDiscriminator, ResNetGenerator
from torch import nn

from ganbench.api import BuildContext

ARCHS = ("dcgan", "resnet")


class WGANGP(AdversarialModel):
    name = "wgan-gp"
    default_loss = "wasserstein"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.gp_lambda = float(ctx.hp("gp_lambda", 10.0))
        arch = str(ctx.hp("arch", "dcgan"))
        c_in = self.pack * self.channels
        if arch == "dcgan":
            norm = str(ctx.hp("d_norm", "layer"))
            if norm == "batch":
                raise ValueError("wgan-gp: d_norm 'batch' breaks the per-sample gradient penalty; use layer or none")
            G = ConvGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 64)))
            D = ConvDiscriminator(c_in, self.size, int(ctx.hp("d_ch", 64)), norm)
        elif arch == "resnet":  # the Mimicry/StudioGAN CIFAR-10 WGAN-GP: SNGAN ResNets without SN
            G = ResNetGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 256)))
            D = ResNetDiscriminator(c_in, self.size, int(ctx.hp("d_ch", 128)), spectral=False)
        else:
            raise ValueError(f"wgan-gp: hparam arch must be one of {ARCHS}, got {arch!r}")
        return G, D

    def d_loss(self, real, fake, labels):  # type: ignore[override]
        loss, logs = super().d_loss(real, fake, labels)
        gp = gradient_penalty(lambda x: self.D(x).reshape(x.shape[0], -1), real, fake, self.pack, generator=self.rng)
        logs["wasserstein"] = logs["d_real"] - logs["d_fake"]
        logs["gp"] = float(gp.detach())
        return loss + self.gp_lambda * gp, logs
