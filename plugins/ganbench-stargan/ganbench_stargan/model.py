"""StarGAN's training step, as yunjey/stargan ``solver.py`` (single-label domains, as its RaFD setup).

D (WGAN-GP): -D_src(x) + D_src(G(x, c')) + lambda_gp * GP + lambda_cls * CE(D_cls(x), c);
G: -D_src(G(x, c')) + lambda_cls * CE(D_cls(G(x, c')), c') + lambda_rec * |G(G(x, c'), c) - x|_1.
``n_critic`` D steps per G step (the reference's ``d_train_repeat`` 5); the harness hands
``n_critic * batch_size`` images per step (``d_steps_per_g_step``) and G trains on the last slice,
as the reference updates G every fifth iteration on that iteration's batch. Adam (lr 1e-4, beta 0.5,
0.999).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState

from ganbench.api import BuildContext, TranslationBatch

from .networks import Discriminator, Generator


class StarGAN(ModelState):
    """One G for every pair of domains of a dataset with any number of domains."""
    state_rng = "rng"

    def __init__(self, ctx: BuildContext):
        ch, size = ctx.data_shape[0], ctx.data_shape[-1]
        c_dim = len(ctx.domains)
        if c_dim < 2:
            raise ValueError(f"stargan: translates between at least 2 domains, the dataset has {list(ctx.domains)} "
                             "(ctx.domains, API 1.2: is this a translation dataset?)")
        self.device, self.c_dim = ctx.device, c_dim
        self.G = Generator(ch, c_dim, int(ctx.hp("g_conv_dim", 64)), int(ctx.hp("g_repeat_num", 6))).to(ctx.device)
        self.D = Discriminator(ch, size, c_dim, int(ctx.hp("d_conv_dim", 64)), int(ctx.hp("d_repeat_num", 4))).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), float(ctx.hp("g_lr", 1e-4)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), float(ctx.hp("d_lr", 1e-4)), betas=betas)
        self.lambda_cls, self.lambda_rec = float(ctx.hp("lambda_cls", 1.0)), float(ctx.hp("lambda_rec", 10.0))
        self.lambda_gp = float(ctx.hp("lambda_gp", 10.0))
        self.d_steps_per_g_step = int(ctx.hp("n_critic", 5))
        self.rng = ctx.rng("gradient-penalty")

    def _gp(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        alpha = torch.rand(real.shape[0], 1, 1, 1, generator=self.rng, device=real.device)
        x = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        out, _ = self.D(x)
        (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
        return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()

    def train_step(self, batch: TranslationBatch) -> Mapping[str, float]:
        k = self.d_steps_per_g_step
        xs, cs, ts = batch.source.chunk(k), batch.source_domain.chunk(k), batch.target_domain.chunk(k)
        logs: dict[str, float] = {}
        for x, c_org, c_trg in zip(xs, cs, ts, strict=True):
            src, cls = self.D(x)
            fake = self.G(x, c_trg).detach()
            src_fake, _ = self.D(fake)
            d_cls = F.cross_entropy(cls, c_org)
            gp = self._gp(x, fake)
            d_loss = -src.mean() + src_fake.mean() + self.lambda_cls * d_cls + self.lambda_gp * gp
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
            logs.update(d_loss=float(d_loss.detach()), d_cls=float(d_cls.detach()), gp=float(gp.detach()))
        x, c_org, c_trg = xs[-1], cs[-1], ts[-1]
        fake = self.G(x, c_trg)
        src, cls = self.D(fake)
        g_cls = F.cross_entropy(cls, c_trg)
        g_rec = F.l1_loss(self.G(fake, c_org), x)
        g_loss = -src.mean() + self.lambda_cls * g_cls + self.lambda_rec * g_rec
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        logs.update(g_loss=float(g_loss.detach()), g_cls=float(g_cls.detach()), g_rec=float(g_rec.detach()))
        return logs

    def translate(self, source: torch.Tensor, target_domain: torch.Tensor, *,
                  generator: torch.Generator | None = None) -> torch.Tensor:
        with torch.no_grad():
            return self.G(source, target_domain.to(source.device)).clamp(-1, 1)
