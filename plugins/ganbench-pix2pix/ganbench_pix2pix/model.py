"""pix2pix's training step: conditional GAN on (input, output) pairs plus lambda * L1 to the target.

As junyanz/pytorch-CycleGAN-and-pix2pix ``models/pix2pix_model.py``: D sees the input concatenated
with the real or generated output (a conditional PatchGAN); D's loss is half the sum of the BCE on
real and on fake pairs; G minimises BCE(D(x, G(x)), real) + lambda_L1 * |G(x) - y|_1; Adam
(lr 2e-4, beta 0.5, 0.999) for both; no image pool.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState

from ganbench.api import BuildContext, TranslationBatch

from .networks import PatchDiscriminator, UnetGenerator, init_weights


class Pix2Pix(ModelState):
    """Translates domain 0 into domain 1 of a paired two-domain dataset."""
    state_rng = None

    def __init__(self, ctx: BuildContext):
        ch = ctx.data_shape[0]
        self.device = ctx.device
        self.lambda_l1 = float(ctx.hp("lambda_l1", 100.0))
        self.G = UnetGenerator(ch, ch, int(ctx.hp("num_downs", 5)), int(ctx.hp("ngf", 64)),
                               bool(ctx.hp("dropout", True))).to(ctx.device)
        self.D = PatchDiscriminator(2 * ch, int(ctx.hp("ndf", 64)), int(ctx.hp("n_layers_d", 2))).to(ctx.device)
        init_weights(self.G, float(ctx.hp("init_gain", 0.02)))
        init_weights(self.D, float(ctx.hp("init_gain", 0.02)))
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), float(ctx.hp("lr", 2e-4)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), float(ctx.hp("lr", 2e-4)), betas=betas)

    @staticmethod
    def _bce(logits: torch.Tensor, real: bool) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 1.0 if real else 0.0))

    def train_step(self, batch: TranslationBatch) -> Mapping[str, float]:
        x, y = batch.source, batch.target
        self.G.train()
        fake = self.G(x)
        # D: real pairs vs generated pairs (G's output detached)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss = 0.5 * (self._bce(self.D(torch.cat([x, y], 1)), True)
                        + self._bce(self.D(torch.cat([x, fake.detach()], 1)), False))
        d_loss.backward()
        self.opt_d.step()
        # G: fool D, stay close to the target
        self.opt_g.zero_grad(set_to_none=True)
        g_gan = self._bce(self.D(torch.cat([x, fake], 1)), True)
        g_l1 = F.l1_loss(fake, y)
        (g_gan + self.lambda_l1 * g_l1).backward()
        self.opt_g.step()
        return {"d_loss": float(d_loss.detach()), "g_gan": float(g_gan.detach()), "g_l1": float(g_l1.detach())}

    def translate(self, source: torch.Tensor, target_domain: torch.Tensor, *,
                  generator: torch.Generator | None = None) -> torch.Tensor:
        """Domain 0 -> 1 only (pix2pix learns one direction). The reference keeps G in train mode
        at test time (dropout and batch statistics as in training); so does this."""
        if bool((target_domain != 1).any()):
            raise ValueError("pix2pix translates domain 0 into domain 1 only")
        with torch.no_grad():
            return self.G(source.to(self.device)).clamp(-1, 1)
