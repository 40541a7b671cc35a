"""CycleGAN's training step, as junyanz/pytorch-CycleGAN-and-pix2pix ``models/cycle_gan_model.py``.

G_A: A -> B, G_B: B -> A, D_A judges B images, D_B judges A images. Least-squares GAN losses;
G minimises GAN(A->B) + GAN(B->A) + lambda_A |G_B(G_A(a)) - a|_1 + lambda_B |G_A(G_B(b)) - b|_1
+ lambda_identity (lambda_B |G_A(b) - b|_1 + lambda_A |G_B(a) - a|_1); each D minimises half the
sum of its MSE on real images and on fakes drawn from a pool of the last ``pool_size`` generated
images (Shrivastava et al.). Adam (lr 2e-4, beta 0.5, 0.999). Unpaired: a and b show different
digits, the harness guarantees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState

from ganbench.api import BuildContext, TranslationBatch

from .networks import PatchDiscriminator, ResnetGenerator, init_weights


class ImagePool:
    """A buffer of generated images; D sees a mix of fresh and older fakes (reference ``ImagePool``).

    Its random choices come from the model's own generator, and its contents are part of the
    model's state, so a resumed run continues exactly."""

    def __init__(self, size: int, g: torch.Generator):
        self.size, self.g = size, g
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        out = []
        for img in images.detach():
            if len(self.images) < self.size:
                self.images.append(img.clone())
                out.append(img)
            elif float(torch.rand((), generator=self.g, device=self.g.device)) > 0.5:
                i = int(torch.randint(0, self.size, (), generator=self.g, device=self.g.device))
                out.append(self.images[i].clone())
                self.images[i] = img.clone()
            else:
                out.append(img)
        return torch.stack(out)


class CycleGAN(ModelState):
    """Translates domain 0 <-> domain 1 of a two-domain dataset, paired or not."""
    state_parts = ("G_A", "G_B", "D_A", "D_B", "opt_g", "opt_d")  # + the image pools and rng (ModelState)
    state_rng = "rng"

    def __init__(self, ctx: BuildContext):
        ch = ctx.data_shape[0]
        self.device = ctx.device
        ngf, nb = int(ctx.hp("ngf", 64)), int(ctx.hp("n_blocks", 6))
        ndf, nl = int(ctx.hp("ndf", 64)), int(ctx.hp("n_layers_d", 2))
        self.G_A, self.G_B = ResnetGenerator(ch, ch, ngf, nb).to(ctx.device), ResnetGenerator(ch, ch, ngf, nb).to(ctx.device)
        self.D_A, self.D_B = PatchDiscriminator(ch, ndf, nl, "instance").to(ctx.device), PatchDiscriminator(ch, ndf, nl, "instance").to(ctx.device)
        for net in (self.G_A, self.G_B, self.D_A, self.D_B):
            init_weights(net, float(ctx.hp("init_gain", 0.02)))
        self.lambda_a, self.lambda_b = float(ctx.hp("lambda_a", 10.0)), float(ctx.hp("lambda_b", 10.0))
        self.lambda_idt = float(ctx.hp("lambda_identity", 0.5))
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 2e-4))
        self.opt_g = torch.optim.Adam([*self.G_A.parameters(), *self.G_B.parameters()], lr, betas=betas)
        self.opt_d = torch.optim.Adam([*self.D_A.parameters(), *self.D_B.parameters()], lr, betas=betas)
        self.rng = ctx.rng("image-pool")
        size = int(ctx.hp("pool_size", 50))
        self.pool_a, self.pool_b = ImagePool(size, self.rng), ImagePool(size, self.rng)

    @staticmethod
    def _mse(pred: torch.Tensor, real: bool) -> torch.Tensor:
        return F.mse_loss(pred, torch.full_like(pred, 1.0 if real else 0.0))

    def train_step(self, batch: TranslationBatch) -> Mapping[str, float]:
        a, b = batch.source, batch.target
        fake_b, fake_a = self.G_A(a), self.G_B(b)
        rec_a, rec_b = self.G_B(fake_b), self.G_A(fake_a)
        # G (D frozen: its gradients are discarded before D's own step)
        self.opt_g.zero_grad(set_to_none=True)
        idt = torch.zeros((), device=a.device)
        if self.lambda_idt > 0:
            idt = (F.l1_loss(self.G_A(b), b) * self.lambda_b + F.l1_loss(self.G_B(a), a) * self.lambda_a) * self.lambda_idt
        g_gan = self._mse(self.D_A(fake_b), True) + self._mse(self.D_B(fake_a), True)
        cyc = F.l1_loss(rec_a, a) * self.lambda_a + F.l1_loss(rec_b, b) * self.lambda_b
        (g_gan + cyc + idt).backward()
        self.opt_g.step()
        # D_A on B images, D_B on A images, fakes from the pools
        self.opt_d.zero_grad(set_to_none=True)
        pb, pa = self.pool_b.query(fake_b), self.pool_a.query(fake_a)
        d_a = 0.5 * (self._mse(self.D_A(b), True) + self._mse(self.D_A(pb), False))
        d_b = 0.5 * (self._mse(self.D_B(a), True) + self._mse(self.D_B(pa), False))
        (d_a + d_b).backward()
        self.opt_d.step()
        losses = {"d_a": d_a, "d_b": d_b, "g_gan": g_gan, "cycle": cyc, "idt": idt}
        return {k: float(v.detach()) for k, v in losses.items()}

    def translate(self, source: torch.Tensor, target_domain: torch.Tensor, *,
                  generator: torch.Generator | None = None) -> torch.Tensor:
        """G_A for target domain 1, G_B for target domain 0."""
        out = torch.empty_like(source)
        with torch.no_grad():
            to_b = target_domain == 1
            if bool(to_b.any()):
                out[to_b] = self.G_A(source[to_b])
            if bool((~to_b).any()):
                out[~to_b] = self.G_B(source[~to_b])
        return out.clamp(-1, 1)

    def _extra_state(self) -> dict[str, Any]:
        return {"pool_a": list(self.pool_a.images), "pool_b": list(self.pool_b.images)}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        self.pool_a.images = [t.to(self.device) for t in state["pool_a"]]
        self.pool_b.images = [t.to(self.device) for t in state["pool_b"]]
