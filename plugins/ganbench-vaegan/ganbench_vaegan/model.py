"""VAE-GAN: a VAE whose decoder is the GAN's generator and whose reconstruction error is measured
in the discriminator's feature space (Larsen et al. 2016, Sec. 2 and Algorithm 1).

    L_prior = KL(q(z|x) || N(0, I))          L_llike = 0.5 ||Dis_l(x~) - Dis_l(x)||^2 (per sample)
    L_GAN   = log D(x) + log(1 - D(Dec(z_p))) + log(1 - D(Dec(Enc(x))))

Each network gets its own gradient, as in Algorithm 1 and the authors' code
(andersbll/autoencoding_beyond_pixels, model/aegan.py):

* Enc minimises L_prior + L_llike (the GAN loss does not reach the encoder);
* Dec minimises w * L_llike + (1 - w) * (the generated terms of L_GAN), ``w = recon_vs_gan_weight``
  (the paper's gamma, weighting content against style);
* Dis maximises L_GAN with the real term weighted ``real_vs_gen_weight`` and the two generated terms
  sharing the rest (the code's ``real_vs_gen_weight``); the reconstruction loss does not train Dis.
* The code's equilibrium rule (``aegan.GradientDescent``): Dis is not updated while its real or
  generated cost is below ``equilibrium - gan_margin``, Dec not while either is above
  ``equilibrium + gan_margin`` (both are updated when both would be skipped).

Networks: convolutional Enc/Dec/Dis after the paper's Table (5x5 convolutions, BatchNorm, ReLU,
a fully connected layer), two stride-2 stages for 28/32 px; Dis_l is Dis's last convolutional
block (the code's ``recon_depth`` picks a late convolutional layer). ``encode``/``generate``
implement ganbench's ``Encoding`` capability (the ``encoder`` metric: reconstruction and probe).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext


def _quarter(size: int) -> int:
    """The side after two stride-2, padding-2 5x5 convolutions (ceil at each halving)."""
    half = (size + 1) // 2
    return (half + 1) // 2


def _down(c_in: int, c_out: int, bn: bool = True) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 5, 2, 2, bias=not bn), *([nn.BatchNorm2d(c_out)] if bn else []), nn.ReLU()]


class Encoder(nn.Module):
    def __init__(self, c: int, size: int, ch: int, fc: int, z_dim: int):
        super().__init__()
        s = _quarter(size)
        self.conv = nn.Sequential(*_down(c, ch), *_down(ch, 2 * ch),
                                  nn.Conv2d(2 * ch, 4 * ch, 5, 1, 2, bias=False), nn.BatchNorm2d(4 * ch), nn.ReLU())
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(4 * ch * s * s, fc, bias=False), nn.BatchNorm1d(fc), nn.ReLU(),
                                nn.Linear(fc, 2 * z_dim))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_var = self.fc(self.conv(x)).chunk(2, dim=1)
        return mu, log_var.clamp(-20, 10)


class Decoder(nn.Module):
    def __init__(self, c: int, size: int, ch: int, z_dim: int):
        super().__init__()
        self.size, self.s, self.ch = size, _quarter(size), 4 * ch
        self.fc = nn.Sequential(nn.Linear(z_dim, self.ch * self.s * self.s, bias=False), nn.BatchNorm1d(self.ch * self.s * self.s), nn.ReLU())
        self.conv = nn.Sequential(
            nn.ConvTranspose2d(4 * ch, 2 * ch, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(2 * ch), nn.ReLU(),
            nn.ConvTranspose2d(2 * ch, ch, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU(),
            nn.Conv2d(ch, c, 5, 1, 2), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.fc(z).view(-1, self.ch, self.s, self.s))
        return x[:, :, : self.size, : self.size]


class Discriminator(nn.Module):
    """``features`` (Dis_l) is the last convolutional block; ``head`` ends in D's logit."""

    def __init__(self, c: int, size: int, ch: int, fc: int):
        super().__init__()
        s = _quarter(size)
        self.features = nn.Sequential(nn.Conv2d(c, ch // 2, 5, 1, 2), nn.ReLU(), *_down(ch // 2, 2 * ch), *_down(2 * ch, 4 * ch),
                                      nn.Conv2d(4 * ch, 4 * ch, 5, 1, 2, bias=False), nn.BatchNorm2d(4 * ch), nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * ch * s * s, fc, bias=False), nn.BatchNorm1d(fc), nn.ReLU(),
                                  nn.Linear(fc, 1), nn.Flatten(0))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.features(x)
        return self.head(f), f


class VAEGAN(ModelState):
    def __init__(self, ctx: BuildContext):
        if len(ctx.data_shape) != 3:
            raise ValueError(f"vaegan: needs image data (C, H, W), got samples of shape {ctx.data_shape}")
        if ctx.pack != 1:
            raise ValueError("vaegan: the discriminator's features are the reconstruction target; packing is not supported")
        c, h, w = ctx.data_shape
        if h != w or not 8 <= h <= 64:
            raise ValueError(f"vaegan: supports square images of 8 to 64 px, got {h}x{w}")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 128))
        ch, fc = int(ctx.hp("ch", 64)), int(ctx.hp("fc", 512))
        self.w = float(ctx.hp("recon_vs_gan_weight", 5e-5))
        self.real_weight = float(ctx.hp("real_vs_gen_weight", 0.5))
        self.margin = ctx.hp("gan_margin", 0.35)
        self.equilibrium = float(ctx.hp("equilibrium", 0.68))
        if not 0 <= self.w <= 1 or not 0 < self.real_weight < 1:
            raise ValueError("vaegan: hparams recon_vs_gan_weight must be in [0, 1] and real_vs_gen_weight in (0, 1)")
        self.E = Encoder(c, h, ch, int(ctx.hp("e_fc", 2048 if h > 32 else 1024)), self.z_dim).to(ctx.device)
        self.G = Decoder(c, h, ch, self.z_dim).to(ctx.device)
        self.D = Discriminator(c, h, ch, fc).to(ctx.device)
        lr, decay = float(ctx.hp("lr", 3e-4)), float(ctx.hp("weight_decay", 1e-5))
        self.opts = {name: torch.optim.RMSprop(getattr(self, name).parameters(), lr=lr, weight_decay=decay)
                     for name in ("E", "G", "D")}
        self.latent_rng = ctx.rng("latents")

    def _prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        n = real.shape[0]
        mu, log_var = self.E(real)
        z = mu + (0.5 * log_var).exp() * torch.randn(mu.shape, device=mu.device, generator=self.latent_rng)
        x_rec, x_p = self.G(z), self.G(self._prior(n))
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(1).mean()
        d_all, f_all = self.D(torch.cat([real, x_rec, x_p]))
        d_real, d_rec, d_p = d_all.split(n)
        f_real, f_rec = f_all[:n].detach(), f_all[n : 2 * n]
        recon = 0.5 * (f_rec - f_real).pow(2).flatten(1).sum(1).mean()
        real_cost = F.softplus(-d_real).mean()                       # -log D(x)
        fake_cost = 0.5 * (F.softplus(d_rec).mean() + F.softplus(d_p).mean())  # -log(1 - D(fake))
        gen_w = 1 - self.real_weight
        d_loss = self.real_weight * real_cost + gen_w * fake_cost
        g_gan = -fake_cost                                           # Dec: minimise log(1 - D(fake)) (the code's minimax)
        g_loss = self.w * recon + (1 - self.w) * g_gan
        e_loss = kl + recon

        update_d = update_g = True
        rc, fc = float(real_cost.detach()), float(fake_cost.detach())
        if self.margin is not None:
            m, eq = float(self.margin), self.equilibrium
            update_d = not (rc < eq - m or fc < eq - m)
            update_g = not (rc > eq + m or fc > eq + m)
            if not (update_d or update_g):
                update_d = update_g = True
        groups = {"E": (e_loss, True), "G": (g_loss, update_g), "D": (d_loss, update_d)}
        grads = {}
        for name, (loss, _) in groups.items():
            params = list(getattr(self, name).parameters())
            grads[name] = (params, torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True))
        for name, (_loss, do) in groups.items():
            if not do:
                continue
            for p, g in zip(*grads[name]):
                p.grad = g
            self.opts[name].step()
            self.opts[name].zero_grad(set_to_none=True)
        return {"kl": kl.detach(), "recon_features": recon.detach(), "d_loss": d_loss.detach(), "g_gan": g_gan.detach(),
                "d_real_cost": real_cost.detach(), "d_fake_cost": fake_cost.detach(),
                "d_updated": float(update_d), "g_updated": float(update_g)}

    # -- sampling and the Encoding capability -------------------------------------------------
    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        with eval_mode(self.G):
            return self.G(z.to(self.ctx.device))

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        with eval_mode(self.E):
            return self.E(x.to(self.ctx.device))[0]

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generate(self._prior(n, generator))

    def _state_parts(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in ("E", "G", "D")}, **{f"opt_{k}": o for k, o in self.opts.items()}}
