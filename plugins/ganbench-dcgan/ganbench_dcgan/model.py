"""The DCGAN training game with PacGAN packing.

D sees ``pack`` samples folded along channels (:func:`ganbench.api.pack`), real packs from the
harness and fake packs from ``batch_size * pack`` generated samples. Losses are the standard
non-saturating GAN losses on logits, as in the DCGAN reference code.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F

from ganbench.api import BuildContext, pack

from .networks import discriminator, generator


class DCGAN:
    def __init__(self, ctx: BuildContext):
        if len(ctx.data_shape) != 3:
            raise ValueError(f"DCGAN needs image data (C, H, W), got samples of shape {ctx.data_shape}")
        c, h, w = ctx.data_shape
        if h != w or h not in (28, 32):
            raise ValueError(f"DCGAN supports 28x28 and 32x32 images, got {h}x{w}")
        if c not in (1, 3):
            raise ValueError(f"DCGAN supports 1 or 3 channels, got {c}")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 100))
        self.d_steps_per_g_step = int(ctx.hp("d_steps", 1))
        g_base = int(ctx.hp("g_base_channels", 64))
        d_base = max(1, round(int(ctx.hp("d_base_channels", 64)) * float(ctx.hp("d_width_factor", 1.0))))
        self.G = generator(self.z_dim, c, h, g_base).to(ctx.device)
        self.D = discriminator(ctx.pack * c, h, d_base).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 2e-4))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", lr)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", lr)), betas=betas)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        m = self.ctx.pack
        self.G.train()
        for chunk in real.chunk(self.d_steps_per_g_step):
            with torch.no_grad():
                fake = self.G(self._z(chunk.shape[0]))
            d_loss = F.softplus(-self.D(pack(chunk, m))).mean() + F.softplus(self.D(pack(fake, m))).mean()
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        g_loss = F.softplus(-self.D(pack(self.G(self._z(chunk.shape[0])), m))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        self.G.eval()
        try:
            return self.G(self._z(n, generator))
        finally:
            self.G.train()

    def state_dict(self) -> dict[str, Any]:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
