"""CoGAN and the conditional-GAN baseline of Liu & Tuzel 2016, on ``mnist-pairs`` samples.

A real sample is ``(2, 28, 28)``: channel 0 an image of domain 1, channel 1 an unrelated image of
domain 2 (the dataset never pairs them). Both models return pairs generated from one latent:
``sample(n)[:, 0]`` in domain 1 and ``[:, 1]`` in domain 2, which the pixel-agreement metric scores.

``cogan``: two GANs whose generators share their first four layers and whose discriminators share
all layers after the first; trained with the GAN loss, D step then G step (the authors'
AlterAdam), Adam 2e-4 (0.5, 0.999), weight decay 5e-4, batch 128 per domain.
``share: false`` trains the same two GANs with nothing shared (the paper's no-sharing ablation).

``cogan-cgan``: the baseline: one generator and one discriminator, both told the domain by a
binary input (G: appended to z; D: a constant input channel), with the same layers; a pair is
G(z, 0) and G(z, 1).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext

from .networks import ImageHead, d_stem, d_trunk, g_trunk, msra_init

SHAPE = (2, 28, 28)


def _check_shape(ctx: BuildContext, name: str) -> None:
    if tuple(ctx.data_shape) != SHAPE:
        raise ValueError(f"{name} needs two-domain 28x28 pairs (dataset mnist-pairs, sample shape {SHAPE}), "
                         f"got samples of shape {tuple(ctx.data_shape)}")
    if ctx.pack != 1:
        raise ValueError(f"{name} does not pack samples (pack {ctx.pack})")


class _Base(ModelState):
    def __init__(self, ctx: BuildContext, name: str):
        _check_shape(ctx, name)
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 100))
        self.width = float(ctx.hp("width", 1.0))
        if not 0 < self.width <= 4:
            raise ValueError(f"hparam width must be in (0, 4], got {self.width}")
        self.latent_rng = ctx.rng("latents")

    def _optimizers(self, g_params: Any, d_params: Any) -> None:
        lr, wd = float(self.ctx.hp("lr", 2e-4)), float(self.ctx.hp("weight_decay", 5e-4))
        betas = (float(self.ctx.hp("beta1", 0.5)), float(self.ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(g_params, lr=lr, betas=betas, weight_decay=wd)
        self.opt_d = torch.optim.Adam(d_params, lr=lr, betas=betas, weight_decay=wd)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        g = generator or self.latent_rng
        return torch.rand(n, self.z_dim, device=self.ctx.device, generator=g) * 2 - 1  # Caffe's uniform noise

    def _modules(self) -> dict[str, nn.Module]:
        raise NotImplementedError

    def _g_modules(self) -> list[nn.Module]:
        raise NotImplementedError

    def _state_parts(self) -> dict[str, Any]:
        return {**self._modules(), "opt_g": self.opt_g, "opt_d": self.opt_d}

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        mods = self._g_modules()
        with eval_mode(*mods):
            return self._generate(self._z(n, generator))


def _gan_d_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-real).mean() + F.softplus(fake).mean()


class CoGAN(_Base):
    def __init__(self, ctx: BuildContext):
        super().__init__(ctx, "cogan")
        share = ctx.hp("share", True)
        if not isinstance(share, bool):
            raise ValueError(f"hparam share must be true or false, got {share!r}")
        self.share = share
        w = self.width
        self.g_shared = g_trunk(self.z_dim, w)
        self.g_heads = nn.ModuleList([ImageHead(w), ImageHead(w)])
        self.d_stems = nn.ModuleList([d_stem(w), d_stem(w)])
        self.d_shared = d_trunk(w)
        # without sharing, domain 2 gets its own copies of the shared layers
        self.g_shared_b = copy.deepcopy(self.g_shared) if not share else None
        self.d_shared_b = copy.deepcopy(self.d_shared) if not share else None
        for m in self._modules().values():
            msra_init(m)
            m.to(ctx.device)
        g_mods = [self.g_shared, self.g_heads] + ([self.g_shared_b] if self.g_shared_b is not None else [])
        d_mods = [self.d_stems, self.d_shared] + ([self.d_shared_b] if self.d_shared_b is not None else [])
        self._optimizers([p for m in g_mods for p in m.parameters()], [p for m in d_mods for p in m.parameters()])

    def _modules(self) -> dict[str, nn.Module]:
        mods: dict[str, nn.Module] = {"g_shared": self.g_shared, "g_heads": self.g_heads,
                                      "d_stems": self.d_stems, "d_shared": self.d_shared}
        if self.g_shared_b is not None and self.d_shared_b is not None:
            mods.update(g_shared_b=self.g_shared_b, d_shared_b=self.d_shared_b)
        return mods

    def _g_modules(self) -> list[nn.Module]:
        return [self.g_shared, self.g_heads] + ([self.g_shared_b] if self.g_shared_b is not None else [])

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        h = self.g_shared(z)
        hb = self.g_shared_b(z) if self.g_shared_b is not None else h
        return torch.cat([self.g_heads[0](h), self.g_heads[1](hb)], dim=1)

    def _d(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits of D1 on channel 0 and D2 on channel 1 of pairs ``(N, 2, 28, 28)``."""
        a = self.d_shared(self.d_stems[0](x[:, :1]))
        trunk_b = self.d_shared_b if self.d_shared_b is not None else self.d_shared
        b = trunk_b(self.d_stems[1](x[:, 1:2]))
        return a, b

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        n = real.shape[0]
        fake = self._generate(self._z(n)).detach()
        ra, rb = self._d(real)
        fa, fb = self._d(fake)
        d_loss = _gan_d_loss(ra, fa) + _gan_d_loss(rb, fb)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        fa, fb = self._d(self._generate(self._z(n)))
        g_loss = F.softplus(-fa).mean() + F.softplus(-fb).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}


class ConditionalGAN(_Base):
    def __init__(self, ctx: BuildContext):
        super().__init__(ctx, "cogan-cgan")
        w = self.width
        self.G = nn.Sequential(g_trunk(self.z_dim, w, extra_in=1), ImageHead(w))
        self.D = nn.Sequential(d_stem(w, in_ch=2), d_trunk(w))
        for m in (self.G, self.D):
            msra_init(m)
            m.to(ctx.device)
        self._optimizers(self.G.parameters(), self.D.parameters())

    def _modules(self) -> dict[str, nn.Module]:
        return {"G": self.G, "D": self.D}

    def _g_modules(self) -> list[nn.Module]:
        return [self.G]

    def _g(self, z: torch.Tensor, domain: int) -> torch.Tensor:
        return self.G(torch.cat([z, torch.full_like(z[:, :1], float(domain))], dim=1))

    def _dd(self, x: torch.Tensor, domain: int) -> torch.Tensor:
        return self.D(torch.cat([x, torch.full_like(x, float(domain))], dim=1))

    def _generate(self, z: torch.Tensor) -> torch.Tensor:
        return torch.cat([self._g(z, 0), self._g(z, 1)], dim=1)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        n = real.shape[0]
        fakes = [self._g(self._z(n), d).detach() for d in (0, 1)]
        d_loss = sum(_gan_d_loss(self._dd(real[:, d : d + 1], d), self._dd(fakes[d], d)) for d in (0, 1))
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()  # type: ignore[union-attr]
        self.opt_d.step()
        g_loss = sum(F.softplus(-self._dd(self._g(self._z(n), d), d)).mean() for d in (0, 1))
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()  # type: ignore[union-attr]
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}  # type: ignore[union-attr]
