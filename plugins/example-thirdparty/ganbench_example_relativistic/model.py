"""Relativistic discriminators (Jolicoeur-Martineau, ICLR 2019) on vector data.

A standard D estimates the probability that x is real. A relativistic D estimates the probability
that real data is *more realistic* than fake data:

* RSGAN (relativistic standard): D(x_r, x_f) = sigmoid(C(x_r) - C(x_f)) on pairs;
* RaGAN (relativistic average): D(x_r) = sigmoid(C(x_r) - E[C(x_f)]) and
  D(x_f) = sigmoid(C(x_f) - E[C(x_r)]), i.e. each sample against the other batch's mean.

In both, G's loss depends on real data too (G raises the realism of fakes *relative* to reals),
which the paper argues is what the minimax game with a standard D is missing. The critic C is an
MLP; with PacGAN packing it reads ``ctx.pack`` samples at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganbench.api import BuildContext, pack

VARIANTS = ("rsgan", "ragan")


def mlp(d_in: int, d_out: int, hidden: int, layers: int, batch_norm: bool = False) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods.append(nn.Linear(d, hidden))
        if batch_norm:
            mods.append(nn.BatchNorm1d(hidden))
        mods.append(nn.ReLU() if batch_norm else nn.LeakyReLU(0.2))
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return nn.Sequential(*mods)


def relativistic_losses(c_real: torch.Tensor, c_fake: torch.Tensor, variant: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss of D, loss of G) from critic outputs, written with softplus: -log sigmoid(t) = softplus(-t)."""
    if variant == "rsgan":
        diff = c_real - c_fake
        return F.softplus(-diff).mean(), F.softplus(diff).mean()
    real_vs_fake = c_real - c_fake.mean()
    fake_vs_real = c_fake - c_real.mean()
    d_loss = F.softplus(-real_vs_fake).mean() + F.softplus(fake_vs_real).mean()
    g_loss = F.softplus(real_vs_fake).mean() + F.softplus(-fake_vs_real).mean()
    return d_loss, g_loss


class RelativisticGAN:
    """MLP generator and critic trained with a relativistic loss (``variant``: rsgan or ragan)."""

    def __init__(self, ctx: BuildContext, variant: str):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if ctx.data_kind != "vector" or len(ctx.data_shape) != 1:
            raise ValueError(f"{variant} needs vector data, got {ctx.data_kind} of shape {ctx.data_shape}")
        self.ctx, self.variant = ctx, variant
        self.z_dim = int(ctx.hp("z_dim", 2))
        self.d_steps_per_g_step = int(ctx.hp("d_steps", 1))
        dim = ctx.data_shape[0]
        self.G = mlp(self.z_dim, dim, int(ctx.hp("g_hidden", 128)), int(ctx.hp("g_layers", 3)), batch_norm=True).to(ctx.device)
        self.C = mlp(ctx.pack * dim, 1, int(ctx.hp("d_hidden", 128)), int(ctx.hp("d_layers", 3))).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", ctx.hp("lr", 2e-4))), betas=betas)
        self.opt_d = torch.optim.Adam(self.C.parameters(), lr=float(ctx.hp("lr_d", ctx.hp("lr", 2e-4))), betas=betas)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        m = self.ctx.pack
        chunks = real.chunk(self.d_steps_per_g_step)
        for chunk in chunks:
            fake = self.G(self._z(chunk.shape[0])).detach()
            d_loss, _ = relativistic_losses(self.C(pack(chunk, m)), self.C(pack(fake, m)), self.variant)
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        last = chunks[-1]
        c_real = self.C(pack(last, m)).detach()
        c_fake = self.C(pack(self.G(self._z(last.shape[0])), m))
        _, g_loss = relativistic_losses(c_real, c_fake, self.variant)
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
        return {"G": self.G.state_dict(), "C": self.C.state_dict(),
                "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.G.load_state_dict(state["G"])
        self.C.load_state_dict(state["C"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
