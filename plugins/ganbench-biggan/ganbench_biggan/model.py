"""BigGAN-style, small: class-conditional BN whose gains/biases come from one shared class
embedding concatenated with a chunk of z (hierarchical latents), a projection discriminator,
spectral norm in G and D, hinge loss, orthogonal regularisation of G (which makes G amenable to
truncation), and the truncation trick at sampling time."""

from __future__ import annotations

import torch
from ganbench_layers.base import AdversarialModel
from ganbench_layers.penalties import orthogonal_regularisation
from ganbench_layers.resnet import ResNetDiscriminator, ResNetGenerator
from ganbench_layers.truncation import truncated_normal
from torch import nn

from ganbench.api import BuildContext

from .sweep import note_head, remember


class BigGAN(AdversarialModel):
    name = "biggan"
    conditional = True
    default_loss = "hinge"

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.ortho = float(ctx.hp("ortho_reg", 1e-4))
        t = ctx.hp("truncation", None)
        self.truncation: float | None = None if t in (None, 0) else float(t)
        attn = ctx.hp("attn_res", None)
        attn = None if attn in (None, 0) else int(attn)
        G = ResNetGenerator(
            self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 256)), spectral=True, attn_res=attn,
            num_classes=self.num_classes, shared_dim=int(ctx.hp("shared_dim", 128)),
            hierarchical=bool(ctx.hp("hierarchical_z", True)),
        )
        D = ResNetDiscriminator(
            self.pack * self.channels, self.size, int(ctx.hp("d_ch", 256)), spectral=True, attn_res=attn,
            num_classes=self.num_classes,
        )
        return G, D

    def g_loss(self, fake, labels):  # type: ignore[override]
        loss, logs = super().g_loss(fake, labels)
        if self.ortho > 0:
            reg = orthogonal_regularisation(self.G, self.ortho)
            logs["ortho"] = float(reg.detach())
            loss = loss + reg
        return loss, logs

    def latent(self, n: int, generator: torch.Generator | None, truncation: float | None = None) -> torch.Tensor:
        return truncated_normal((n, self.z_dim), truncation, device=self.device, generator=generator)

    def generate(self, n, labels, generator, truncation=None):  # type: ignore[override]
        return self.G(self.latent(n, generator, truncation), labels)

    @torch.no_grad()
    def sample(
        self,
        n: int,
        labels: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
        truncation: float | None = None,
    ) -> torch.Tensor:
        """Samples with latents truncated at ``truncation`` (default: the ``truncation`` hparam;
        None or 0 = plain normal latents). Training never truncates."""
        psi = self.truncation if truncation is None else (None if truncation <= 0 else float(truncation))
        if labels is None:
            labels = self.balanced_labels(n)
        remember(self, n, labels, generator)  # lets the truncation-sweep metric replay these latents
        with self.sampling():  # the EMA G when the protocol keeps one (StudioGAN's BigGAN does)
            out = self.generate(n, labels, generator, psi).clamp(-1, 1)
        note_head(self, out)
        return out

