"""StackGAN (Zhang et al., ICCV 2017) and a one-stage caption-conditioned GAN, for 60x60 captioned MNIST.

Both read a caption as token ids (the dataset's labels) through a fixed caption embedding that
stands in for the paper's pre-trained char-CNN-RNN text encoder (none exists offline for this
grammar): phi(t) = tanh(sum_i W[t_i, i] / sqrt(L)) with W a fixed N(0, 1) table drawn from a fixed
seed, so the embedding is order-aware, deterministic and the same for both models.

StackGAN (Sec. 3):
* Conditioning augmentation: c ~ N(mu(phi), diag sigma(phi)^2), reparameterised, with
  lambda * KL(N(mu, sigma) || N(0, I)) added to G's loss (lambda 1, Eq. 3, 6); each stage has its own.
* Stage-I: G_0(z, c_0) draws the 30x30 layout; D_0 reads the image with the compressed caption
  embedding replicated spatially.
* Stage-II: G(s_0, c) encodes the Stage-I image down to 15x15, joins the caption again (c of its
  own CA), residual blocks, upsamples to 60x60; D at 60x60 with the caption.
* Matching-aware D (Reed et al. 2016, as StackGAN): real image + its caption -> real; generated
  image + caption, and real image + a mismatched caption (the batch's captions rolled by one)
  -> fake; L_D = BCE(real) + (BCE(fake) + BCE(mismatch)) / 2. G: non-saturating.
* Stage-I trains for the first ``stage1_fraction`` of the budget, then Stage-II with Stage-I frozen
  (the paper trains them one after the other, 600 epochs each); Adam 2e-4, beta1 0.5.

``caption-cgan``: the baseline: one generator straight to 60x60 from [z, phi], a D with phi
replicated spatially, the plain conditional GAN loss (no CA, no second stage, no mismatch term).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext

EMBED_SEED = 20170101


class CaptionEmbedding(nn.Module):
    """Fixed, order-aware caption embedding (not trained): a buffer, so checkpoints carry it."""

    def __init__(self, vocab: int, max_tokens: int, dim: int):
        super().__init__()
        g = torch.Generator().manual_seed(EMBED_SEED)
        self.register_buffer("table", torch.randn(vocab, max_tokens, dim, generator=g))
        self.vocab, self.max_tokens = vocab, max_tokens

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.ndim != 2 or tokens.shape[1] > self.max_tokens:
            raise ValueError(f"captions must be token ids of shape (N, <= {self.max_tokens}), got {tuple(tokens.shape)}")
        if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= self.vocab):
            raise ValueError(f"caption token ids must lie in [0, {self.vocab}), got [{int(tokens.min())}, {int(tokens.max())}]")
        pos = torch.arange(tokens.shape[1], device=tokens.device).expand_as(tokens)
        vecs = self.table[tokens, pos] * (tokens != 0).unsqueeze(-1)
        return torch.tanh(vecs.sum(1) / math.sqrt(self.max_tokens))


class CondAug(nn.Module):
    """Conditioning augmentation: phi -> (mu, log var) -> c = mu + sigma * eps; returns c and the KL."""

    def __init__(self, d_in: int, c_dim: int):
        super().__init__()
        self.fc = nn.Linear(d_in, 2 * c_dim)

    def forward(self, phi: torch.Tensor, generator: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_var = self.fc(phi).chunk(2, 1)
        log_var = log_var.clamp(-10, 10)
        eps = torch.randn(mu.shape, device=mu.device, generator=generator)
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(1).mean()
        return mu + (0.5 * log_var).exp() * eps, kl


def up(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(True))


def down(c_in: int, c_out: int, bn: bool = True) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not bn), *([nn.BatchNorm2d(c_out)] if bn else []),
                         nn.LeakyReLU(0.2, True))


class Residual(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(True),
                                  nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.body(x))


class UpGenerator(nn.Module):
    """[z, c] -> FC -> (4ch, 8, 8) -> ``ups`` nearest-upsampling convs -> image, centre-cropped to ``size``."""

    def __init__(self, d_in: int, ch: int, channels: int, ups: int, size: int):
        super().__init__()
        self.ch, self.size = ch, size
        self.fc = nn.Sequential(nn.Linear(d_in, 4 * ch * 64, bias=False), nn.BatchNorm1d(4 * ch * 64), nn.ReLU(True))
        widths = [4 * ch] + [max(ch // 2, 4 * ch // 2 ** (i + 1)) for i in range(ups)]
        self.ups = nn.Sequential(*[up(widths[i], widths[i + 1]) for i in range(ups)])
        self.out = nn.Sequential(nn.Conv2d(widths[-1], channels, 3, 1, 1), nn.Tanh())

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        x = self.out(self.ups(self.fc(h).view(-1, 4 * self.ch, 8, 8)))
        off = (x.shape[-1] - self.size) // 2
        return x[:, :, off : off + self.size, off : off + self.size]


class StageTwoGenerator(nn.Module):
    def __init__(self, c_dim: int, ch: int, channels: int):
        super().__init__()
        self.encode = nn.Sequential(nn.Conv2d(channels, ch, 3, 1, 1), nn.ReLU(True), nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False),
                                    nn.BatchNorm2d(2 * ch), nn.ReLU(True))  # 30 -> 15
        self.joint = nn.Sequential(nn.Conv2d(2 * ch + c_dim, 2 * ch, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.ReLU(True),
                                   Residual(2 * ch), Residual(2 * ch))
        self.decode = nn.Sequential(up(2 * ch, ch), up(ch, ch // 2), nn.Conv2d(ch // 2, channels, 3, 1, 1), nn.Tanh())

    def forward(self, low: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = self.encode(low)
        h = torch.cat([h, c[:, :, None, None].expand(-1, -1, *h.shape[2:])], 1)
        return self.decode(self.joint(h))  # 15 -> 30 -> 60


class TextDiscriminator(nn.Module):
    """Image down to a 3x3 map (``downs`` stride-2 convs, 64 -> 8 ch multiples), the compressed caption
    replicated spatially and joined, a 1x1 conv, then one logit read from the whole joined map: a
    linear layer over every position (the paper's "fully-connected layer with one node"; the authors'
    code: a conv whose kernel covers the whole 4x4 map). Reading every position, not their mean, lets D
    check *where* the image shows what the caption says (a mean over positions cannot)."""

    def __init__(self, channels: int, ch: int, downs: int, embed: int, compress: int, size: int):
        super().__init__()
        widths = [channels] + [min(ch * 2 ** i, 8 * ch) for i in range(downs)]
        self.img = nn.Sequential(*[down(widths[i], widths[i + 1], bn=i > 0) for i in range(downs)])
        self.text = nn.Sequential(nn.Linear(embed, compress), nn.LeakyReLU(0.2, True))
        self.joint = nn.Sequential(nn.Conv2d(widths[-1] + compress, widths[-1], 1, bias=False), nn.BatchNorm2d(widths[-1]),
                                   nn.LeakyReLU(0.2, True))
        final = size
        for _ in range(downs):
            final = (final + 2 - 4) // 2 + 1  # a 4x4 stride-2 conv with padding 1
        self.out = nn.Conv2d(widths[-1], 1, final)  # the logit: linear in the whole final map
        nn.init.normal_(self.out.weight, 0.0, 0.02)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
        h = self.img(x)
        h = torch.cat([h, self.text(phi)[:, :, None, None].expand(-1, -1, *h.shape[2:])], 1)
        return self.out(self.joint(h)).flatten()


def make_d(channels: int, ch: int, downs: int, embed: int, compress: int, size: int) -> TextDiscriminator:
    return TextDiscriminator(channels, ch, downs, embed, compress, size)


def _check(ctx: BuildContext, who: str) -> tuple[int, int]:
    if len(ctx.data_shape) != 3 or tuple(ctx.data_shape[1:]) != (60, 60):
        raise ValueError(f"{who}: draws 60x60 captioned-MNIST canvases, got samples of shape {ctx.data_shape}")
    if not ctx.num_classes:
        raise ValueError(f"{who}: needs a captioned dataset (num_classes = the caption vocabulary size)")
    if ctx.pack != 1:
        raise ValueError(f"{who}: packing is not supported")
    return ctx.data_shape[0], int(ctx.num_classes)


def bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


class _Base(ModelState):
    ctx: BuildContext
    z_dim: int
    latent_rng: torch.Generator

    def _embed_setup(self, ctx: BuildContext, vocab: int) -> None:
        self.embed = CaptionEmbedding(vocab, int(ctx.hp("max_tokens", 20)), int(ctx.hp("embed_dim", 128))).to(ctx.device)

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)

    def _captions(self, labels: torch.Tensor | None, n: int) -> torch.Tensor:
        if labels is None or labels.ndim != 2 or labels.shape[0] != n:
            raise ValueError(f"a text-to-image model needs one caption (token ids) per sample, got "
                             f"{None if labels is None else tuple(labels.shape)} for {n} samples")
        return labels.to(self.ctx.device).long()


class StackGAN(_Base):
    def __init__(self, ctx: BuildContext):
        channels, vocab = _check(ctx, "stackgan")
        self.ctx = ctx
        self.z_dim, c_dim = int(ctx.hp("z_dim", 100)), int(ctx.hp("c_dim", 128))
        gch, dch = int(ctx.hp("g_ch", 64)), int(ctx.hp("d_ch", 64))
        self._embed_setup(ctx, vocab)
        e = self.embed.table.shape[-1]
        self.kl_weight = float(ctx.hp("kl_weight", 1.0))
        self.stage1_fraction = float(ctx.hp("stage1_fraction", 0.5))
        if not 0 < self.stage1_fraction <= 1:
            raise ValueError(f"stackgan: hparam stage1_fraction must be in (0, 1], got {self.stage1_fraction}")
        dev = ctx.device
        self.ca1, self.ca2 = CondAug(e, c_dim).to(dev), CondAug(e, c_dim).to(dev)
        self.G1 = UpGenerator(self.z_dim + c_dim, gch, channels, 2, 30).to(dev)   # 8 -> 16 -> 32, crop 30
        self.G2 = StageTwoGenerator(c_dim, gch, channels).to(dev)
        self.D1 = make_d(channels, dch, 3, e, int(ctx.hp("d_compress", 64)), 30).to(dev)  # 30 -> 15 -> 7 -> 3
        self.D2 = make_d(channels, dch, 4, e, int(ctx.hp("d_compress", 64)), 60).to(dev)  # 60 -> 30 -> 15 -> 7 -> 3
        lr, betas = float(ctx.hp("lr", 2e-4)), (float(ctx.hp("beta1", 0.5)), 0.999)
        self.opt = {
            "g1": torch.optim.Adam([*self.G1.parameters(), *self.ca1.parameters()], lr=lr, betas=betas),
            "d1": torch.optim.Adam(self.D1.parameters(), lr=lr, betas=betas),
            "g2": torch.optim.Adam([*self.G2.parameters(), *self.ca2.parameters()], lr=lr, betas=betas),
            "d2": torch.optim.Adam(self.D2.parameters(), lr=lr, betas=betas),
        }
        self.latent_rng = ctx.rng("latents")
        self.stage = 1

    def _stage1(self, phi: torch.Tensor, z: torch.Tensor, gen: torch.Generator | None) -> tuple[torch.Tensor, torch.Tensor]:
        c, kl = self.ca1(phi, gen)
        return self.G1(torch.cat([z, c], 1)), kl

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None) -> dict[str, Any]:
        n = real.shape[0]
        phi = self.embed(self._captions(labels, n))
        wrong = phi.roll(1, 0)
        if self.stage == 1 and self.ctx.progress.fraction >= self.stage1_fraction:
            self.stage = 2
        if self.stage == 1:
            D, G, opt_d, opt_g = self.D1, None, self.opt["d1"], self.opt["g1"]
            target = F.avg_pool2d(real, 2)  # Stage-I sees the 30x30 layout
            fake, kl = self._stage1(phi, self._z(n), self.latent_rng)
        else:
            D, G, opt_d, opt_g = self.D2, self.G2, self.opt["d2"], self.opt["g2"]
            target = real
            with torch.no_grad():  # Stage-I frozen
                self.G1.eval()
                low, _ = self._stage1(phi, self._z(n), self.latent_rng)
            c2, kl = self.ca2(phi, self.latent_rng)
            fake = G(low, c2)
        d_loss = bce(D(target, phi), 1.0) + 0.5 * (bce(D(fake.detach(), phi), 0.0) + bce(D(target, wrong), 0.0))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        g_adv = bce(D(fake, phi), 1.0)
        g_loss = g_adv + self.kl_weight * kl
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_adv.detach(), "kl": kl.detach(), "stage": float(self.stage)}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        phi = self.embed(self._captions(labels, n))
        nets = (self.G1, self.G2, self.ca1, self.ca2)
        with eval_mode(*nets):
            gen = generator or self.latent_rng
            c1 = self.ca1.fc(phi).chunk(2, 1)[0]  # at test time the mean condition, plus fresh z
            low = self.G1(torch.cat([self._z(n, gen), c1], 1))
            if self.stage == 1:
                return F.interpolate(low, scale_factor=2, mode="nearest")
            return self.G2(low, self.ca2.fc(phi).chunk(2, 1)[0])

    def _state_parts(self) -> dict[str, Any]:
        return {**{k: getattr(self, k) for k in ("G1", "G2", "D1", "D2", "ca1", "ca2")},
                **{f"opt_{k}": o for k, o in self.opt.items()}}

    def _extra_state(self) -> dict[str, Any]:
        return {"stage": self.stage}

    def _load_extra_state(self, state: Mapping[str, Any]) -> None:
        self.stage = int(state["stage"])


class CaptionCGAN(_Base):
    def __init__(self, ctx: BuildContext):
        channels, vocab = _check(ctx, "caption-cgan")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 100))
        self._embed_setup(ctx, vocab)
        e = self.embed.table.shape[-1]
        gch, dch = int(ctx.hp("g_ch", 64)), int(ctx.hp("d_ch", 64))
        self.G = UpGenerator(self.z_dim + e, gch, channels, 3, 60).to(ctx.device)  # 8 -> 64, crop 60
        self.D = make_d(channels, dch, 4, e, int(ctx.hp("d_compress", 64)), 60).to(ctx.device)
        lr, betas = float(ctx.hp("lr", 2e-4)), (float(ctx.hp("beta1", 0.5)), 0.999)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)
        self.latent_rng = ctx.rng("latents")

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None) -> dict[str, Any]:
        n = real.shape[0]
        phi = self.embed(self._captions(labels, n))
        fake = self.G(torch.cat([self._z(n), phi], 1))
        d_loss = bce(self.D(real, phi), 1.0) + bce(self.D(fake.detach(), phi), 0.0)
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        g_loss = bce(self.D(fake, phi), 1.0)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        phi = self.embed(self._captions(labels, n))
        with eval_mode(self.G):
            return self.G(torch.cat([self._z(n, generator), phi], 1))
