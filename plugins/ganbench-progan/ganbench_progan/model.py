"""The ProGAN training game: WGAN-GP with the drift term, progressive growing over the budget.

Loss as the authors' default config (``loss.G_wgan``, ``loss.D_wgangp``): D minimises
D(G(z)) - D(x) + lambda (||grad D(x^)|| - 1)^2 + epsilon D(x)^2 with lambda 10 and epsilon 0.001;
G minimises -D(G(z)). Adam lr 0.001, betas (0, 0.99), eps 1e-8, both states reset when a fade-in
starts or ends (``reset_opt_for_new_lod``); one D step per G step. Samples come from an exponential
moving average of G (``Gs``, beta 0.999; optionally with StyleGAN2-ADA's ramp-up for short runs).
Reals are blended between resolutions during a fade-in as the code's ``process_reals`` does, so D
sees real and generated images alike.
``train_step`` returns ``lod`` and ``resolution`` beside the losses, so the loss curves show where
the growth is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState

from ganbench.api import EMA, BuildContext

from .networks import Discriminator, Generator
from .schedule import GrowthSchedule


def blend_reals(x: torch.Tensor, lod: float) -> torch.Tensor:
    """Reals at the current level of detail: average-pooled to the resolution G draws at, blended with
    the level below during a fade-in, and upsampled back (nearest) to full size."""
    if lod <= 0:
        return x
    k = 2 ** math.floor(lod)
    y = F.avg_pool2d(x, k) if k > 1 else x
    frac = lod - math.floor(lod)
    if frac > 0:
        lower = F.interpolate(F.avg_pool2d(y, 2), scale_factor=2, mode="nearest")
        y = torch.lerp(y, lower, frac)
    return F.interpolate(y, scale_factor=k, mode="nearest") if k > 1 else y


def new_layers(prev_lod: float, lod: float) -> bool:
    """True when ``lod`` brings in (or completes) a resolution that ``prev_lod`` did not have: where the
    authors' train.py resets both Adam states (``reset_opt_for_new_lod``), so the moments gathered for
    the old output path do not steer the new layers."""
    return math.floor(lod) != math.floor(prev_lod) or math.ceil(lod) != math.ceil(prev_lod)


def build_ema(G: torch.nn.Module, ctx: BuildContext) -> EMA:
    """``Gs``: the authors' constant ``G_smoothing`` (``ema_decay`` per G step), or, with ``ema_rampup``,
    the same horizon as a half-life in images (``ema_decay`` at the suite's batch) capped at
    ``ema_rampup`` x the images seen so far (StyleGAN2-ADA's ramp-up): a short run then averages
    over a horizon in proportion to its length instead of sampling a generator that is mostly its
    random initialisation (0.999^600 = 0.55); a reference-length run is unchanged after its first
    few percent."""
    decay = float(ctx.hp("ema_decay", 0.999))
    ramp = ctx.hp("ema_rampup", None)
    if ramp is None:
        return EMA(G, decay=decay)
    if not 0.0 < decay < 1.0 or float(ramp) <= 0:
        raise ValueError(f"progan: ema_rampup needs 0 < ema_decay < 1 and ema_rampup > 0, got {decay}, {ramp}")
    half_life_kimg = ctx.batch_size * math.log(0.5) / math.log(decay) / 1000.0
    return EMA(G, kind="half-life", half_life_kimg=half_life_kimg, rampup=float(ramp), batch_size=int(ctx.batch_size))


class ProGAN(ModelState):
    state_parts = ("G", "D", "opt_g", "opt_d", "ema")  # + lod and latent_rng (ModelState)

    def __init__(self, ctx: BuildContext):
        if len(ctx.data_shape) != 3:
            raise ValueError(f"progan: needs image data (C, H, W), got samples of shape {ctx.data_shape}")
        c, h, w = ctx.data_shape
        growing = ctx.hp("growing", True)
        if not isinstance(growing, bool):
            raise ValueError(f"progan: hparam growing must be true or false, got {growing!r}")
        init = int(ctx.hp("initial_resolution", 4)) if growing else h
        if h != w or h & (h - 1) or h < 4:
            raise ValueError(f"progan: grows by doubling, so the images must be square with a power-of-two side of at "
                             f"least 4 px, got {h}x{w} (MNIST: dataset param resolution: 32)")
        if init < 4 or init & (init - 1) or init > h:
            raise ValueError(f"progan: hparam initial_resolution must be a power of two between 4 and {h}, got {init}")
        if ctx.pack != 1:
            raise ValueError("progan: packing is not supported (the minibatch std layer is ProGAN's own batch statistic)")
        self.ctx = ctx
        self.levels = int(math.log2(h)) - 2
        self.z_dim = int(ctx.hp("z_dim", 512))
        base, fmax = int(ctx.hp("fmap_base", 8192)), int(ctx.hp("fmap_max", 512))
        self.G = Generator(self.z_dim, c, self.levels, base, fmax).to(ctx.device)
        self.D = Discriminator(c, self.levels, base, fmax, int(ctx.hp("mbstd_group", 4))).to(ctx.device)
        self.schedule = GrowthSchedule(int(math.log2(h / init)), float(ctx.hp("lod_training_kimg", 600.0)),
                                       float(ctx.hp("lod_transition_kimg", 600.0)), float(ctx.hp("total_kimg", 12_000.0)))
        lr = float(ctx.hp("lr", 1e-3))
        betas = (float(ctx.hp("beta1", 0.0)), float(ctx.hp("beta2", 0.99)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas, eps=1e-8)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas, eps=1e-8)
        self.gp_weight, self.drift = float(ctx.hp("gp_weight", 10.0)), float(ctx.hp("drift", 0.001))
        self.ema = build_ema(self.G, ctx)
        self.reset_opt = bool(ctx.hp("reset_opt_for_new_lod", True))
        self.latent_rng = ctx.rng("latents")
        self.lod = float(self.schedule.levels)
        for g in (self.G, self.ema.module):  # where the schedule starts (0 without growing)
            g.set_lod(self.lod)

    def current_lod(self) -> float:
        return self.schedule.lod_at_fraction(self.ctx.progress.fraction)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, Any]:
        lod = self.current_lod()
        if self.reset_opt and new_layers(self.lod, lod):
            self.opt_g.state.clear()
            self.opt_d.state.clear()
        self.lod = lod
        self.G.set_lod(lod)
        n = real.shape[0]
        real = blend_reals(real, lod)
        with torch.no_grad():
            fake = self.G(self._z(n), lod)
        d_real, d_fake = self.D(real, lod), self.D(fake, lod)
        eps = torch.rand(n, 1, 1, 1, device=real.device, generator=self.latent_rng)
        mixed = torch.lerp(real, fake, eps).requires_grad_(True)
        grad, = torch.autograd.grad(self.D(mixed, lod).sum(), mixed, create_graph=True)
        gp = (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
        wdist = d_real.mean() - d_fake.mean()
        d_loss = -wdist + self.gp_weight * gp + self.drift * d_real.pow(2).mean()
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        g_loss = -self.D(self.G(self._z(n), lod), lod).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        step = self.ctx.progress.step
        self.ema.update(step + 1, step * n / 1000.0)
        h = self.ctx.data_shape[1]
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "wasserstein": wdist.detach(), "gp": gp.detach(),
                "lod": lod, "resolution": float(self.schedule.resolution(lod, h))}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        g = self.ema.module  # its lod_micro: the resolution it was trained to, also in a kept file
        return g(self._z(n, generator), g.current_lod).clamp(-1, 1)

    def _extra_state(self) -> dict[str, Any]:
        return {"lod": self.lod}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        self.lod = float(state["lod"])
