"""AC-GAN: G is conditioned on the class; D does not see the label but predicts it with an
auxiliary classifier head, and both players also minimise that classification loss (on real
and fake images for D, on fakes for G). With packing the head predicts each packed sample's class."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from ganbench_layers.base import AdversarialModel
from ganbench_layers.dcgan import ConvDiscriminator, ConvGenerator
from torch import nn

from ganbench.api import BuildContext, pack


class ACGAN(AdversarialModel):
    name = "acgan"
    conditional = True

    def build_networks(self, ctx: BuildContext) -> tuple[nn.Module, nn.Module]:
        self.aux_weight = float(ctx.hp("aux_weight", 1.0))
        G = ConvGenerator(self.z_dim, self.channels, self.size, int(ctx.hp("g_ch", 64)), n_cond=self.num_classes)
        D = ConvDiscriminator(
            self.pack * self.channels, self.size, int(ctx.hp("d_ch", 64)), str(ctx.hp("d_norm", "batch")),
            out_dim=1 + self.pack * self.num_classes,
        )
        return G, D

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(adversarial logit per packed input, class logits per original sample)."""
        out = self.D(pack(x, self.pack))
        return out[:, 0], out[:, 1:].reshape(-1, self.num_classes)

    def d_loss(self, real, fake, labels):  # type: ignore[override]
        r, r_cls = self.heads(real)
        f, f_cls = self.heads(fake)
        aux = F.cross_entropy(r_cls, labels) + F.cross_entropy(f_cls, labels)
        logs = {"d_real": float(r.detach().mean()), "d_fake": float(f.detach().mean()),
                "d_acc": float((r_cls.argmax(1) == labels).float().mean())}
        return self.loss.d(r, f) + self.aux_weight * aux, logs

    def g_loss(self, fake, labels):  # type: ignore[override]
        f, f_cls = self.heads(fake)
        aux = F.cross_entropy(f_cls, labels)
        return self.loss.g(f) + self.aux_weight * aux, {"g_aux": float(aux.detach())}
