"""The DCGAN training game with PacGAN packing.

D sees ``pack`` samples folded along channels (:func:`ganbench.api.pack`), real packs from the
harness and fake packs from ``batch_size * pack`` generated samples. Losses are the standard
non-saturating GAN losses on logits, as in the DCGAN reference code.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode

from ganbench.api import BuildContext, pack

from . import networks

ARCHS = {
    "compact": (networks.generator, networks.discriminator),
    "carpedm20": (networks.carpedm20_generator, networks.carpedm20_discriminator),
    "unrolled": (networks.unrolled_generator, networks.unrolled_discriminator),
}
"""``arch``: ganbench's compact DCGAN (default), PacGAN Table 2's network (carpedm20/DCGAN-tensorflow),
PacGAN Table 3's (the Unrolled-GAN network). See README.md, "Audit against PacGAN's released code"."""


class DCGAN(ModelState):
    state_rng = None

    def __init__(self, ctx: BuildContext):
        if len(ctx.data_shape) != 3:
            raise ValueError(f"DCGAN needs image data (C, H, W), got samples of shape {ctx.data_shape}")
        c, h, w = ctx.data_shape
        if h != w or h not in networks.START:
            raise ValueError(f"DCGAN supports 28x28, 32x32 and 64x64 images, got {h}x{w}")
        if c not in (1, 3):
            raise ValueError(f"DCGAN supports 1 or 3 channels, got {c}")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 100))
        self.d_steps_per_g_step = int(ctx.hp("d_steps", 1))
        self.g_steps = int(ctx.hp("g_steps", 1))
        self.reuse_z = bool(ctx.hp("reuse_z", False))
        self.g_per_slot = bool(ctx.hp("g_per_slot", False))
        self.z_dist = str(ctx.hp("z_dist", "normal"))
        arch = str(ctx.hp("arch", "compact"))
        if arch not in ARCHS:
            raise ValueError(f"dcgan: hparam arch must be one of {sorted(ARCHS)}, got {arch!r}")
        if self.z_dist not in ("normal", "uniform"):
            raise ValueError(f"dcgan: hparam z_dist must be 'normal' or 'uniform', got {self.z_dist!r}")
        if self.g_steps < 1 or self.d_steps_per_g_step < 1:
            raise ValueError("dcgan: hparams g_steps and d_steps must be at least 1")
        if self.reuse_z and self.d_steps_per_g_step != 1:
            raise ValueError("dcgan: hparam reuse_z (G's steps reuse D's latent batch) needs d_steps 1")
        g_base = int(ctx.hp("g_base_channels", 64))
        d_base = int(ctx.hp("d_base_channels", 64))
        if arch == "unrolled":
            d_base = d_base // 8  # the Unrolled-GAN D is 8/16/32 channels wide where G is 64/32/16/8
        d_base = max(1, round(d_base * float(ctx.hp("d_width_factor", 1.0))))
        make_g, make_d = ARCHS[arch]
        self.G = make_g(self.z_dim, c, h, g_base).to(ctx.device)
        self.D = make_d(ctx.pack * c, h, d_base).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 2e-4))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", lr)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", lr)), betas=betas)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        if self.z_dist == "uniform":  # carpedm20/DCGAN-tensorflow and PacGAN Table 2: U(-1, 1)
            return torch.rand(n, self.z_dim, device=self.ctx.device, generator=generator) * 2 - 1
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator)

    def _fake(self, z: torch.Tensor) -> torch.Tensor:
        """G's samples for ``len(z) / pack`` packed inputs. With ``g_per_slot`` G runs once per
        packed slot, as PacGAN's code does (BatchNorm statistics over one slot's batch), and the
        slots are interleaved so that :func:`pack` puts one sample of each slot in every input."""
        m = self.ctx.pack
        if not self.g_per_slot or m == 1:
            return self.G(z)
        slots = [self.G(zs) for zs in z.reshape(-1, m, self.z_dim).unbind(1)]
        return torch.stack(slots, 1).reshape(z.shape[0], *slots[0].shape[1:])

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        m = self.ctx.pack
        self.G.train()
        for chunk in real.chunk(self.d_steps_per_g_step):
            z = self._z(chunk.shape[0])
            with torch.no_grad():
                fake = self._fake(z)
            d_loss = F.softplus(-self.D(pack(chunk, m))).mean() + F.softplus(self.D(pack(fake, m))).mean()
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
        for _ in range(self.g_steps):  # carpedm20 runs G's step twice (g_steps 2), on D's latent batch
            g_loss = F.softplus(-self.D(pack(self._fake(z if self.reuse_z else self._z(chunk.shape[0])), m))).mean()
            self.opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        with eval_mode(self.G):
            return self.G(self._z(n, generator))
