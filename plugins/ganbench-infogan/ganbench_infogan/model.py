"""InfoGAN: a GAN whose generator input holds named codes that an auxiliary network Q must recover.

G sees ``[noise z, one-hot c1, c2, c3]``. D and Q share one body; D ends in a real/fake logit, Q
in the codes' posterior parameters: logits for the categorical code, a mean for each continuous
code (a Gaussian of fixed std 1, ``fix_std=True`` in openai/InfoGAN). Besides the GAN game, G and
D+Q both maximise the variational lower bound of the mutual information between the codes and
G's output (the paper's L_I), weighted by ``lambda_cat`` / ``lambda_cont``:

    L_I = E[log Q(c | G(z, c))] + H(c)   (nats; at most log 10 for a code of 10)

``train_step`` returns it as ``mi`` (with its parts ``mi_cat`` and ``mi_cont``), so the harness
records the bound over training as the loss curve ``loss/mi``. Architecture and defaults: README.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext, LatentCode

LOG_2PI = math.log(2 * math.pi)


def _init(m: nn.Module) -> None:
    """N(0, 0.02²) weights and zero biases (DCGAN's initialisation, which openai/InfoGAN uses)."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


class Generator(nn.Module):
    """FC 1024 BN ReLU, FC (g_ch · s/4 · s/4) BN ReLU, deconv 4x4/2 to g_ch/2 BN ReLU, deconv
    4x4/2 to the image, Tanh (the paper's Table 4 for MNIST: g_ch 128, s 28)."""

    def __init__(self, in_dim: int, channels: int, res: int, hidden: int, base: int):
        super().__init__()
        self.base, self.start = base, res // 4
        self.fc = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
            nn.Linear(hidden, base * self.start**2), nn.BatchNorm1d(base * self.start**2), nn.ReLU(),
        )
        self.conv = nn.Sequential(
            nn.ConvTranspose2d(base, base // 2, 4, 2, 1), nn.BatchNorm2d(base // 2), nn.ReLU(),
            nn.ConvTranspose2d(base // 2, channels, 4, 2, 1), nn.Tanh(),
        )
        self.apply(_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.conv(self.fc(z).view(-1, self.base, self.start, self.start))


class DiscriminatorQ(nn.Module):
    """Shared body: conv 4x4/2 d_ch lReLU, conv 4x4/2 2·d_ch BN lReLU, FC d_hidden BN lReLU; D head
    FC 1; Q head FC q_hidden BN lReLU, FC to the codes' parameters (the paper's Table 4)."""

    def __init__(self, channels: int, res: int, hidden: int, base: int, q_hidden: int, q_out: int, leak: float):
        super().__init__()
        s = res // 4
        self.body = nn.Sequential(
            nn.Conv2d(channels, base, 4, 2, 1), nn.LeakyReLU(leak),
            nn.Conv2d(base, base * 2, 4, 2, 1), nn.BatchNorm2d(base * 2), nn.LeakyReLU(leak),
            nn.Flatten(), nn.Linear(base * 2 * s * s, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(leak),
        )
        self.d_head = nn.Linear(hidden, 1)
        self.q_head = nn.Sequential(nn.Linear(hidden, q_hidden), nn.BatchNorm1d(q_hidden), nn.LeakyReLU(leak),
                                    nn.Linear(q_hidden, q_out))
        self.apply(_init)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)
        return self.d_head(h).squeeze(1), self.q_head(h)


class InfoGAN(ModelState):
    """The InfoGAN model; implements ganbench's ``StructuredCodes`` capability (``latent_codes``,
    ``sample_codes``, ``infer_codes``)."""

    def __init__(self, ctx: BuildContext):
        if ctx.data_kind != "image" or len(ctx.data_shape) != 3:
            raise ValueError(f"InfoGAN needs images (C, H, W), got samples of shape {ctx.data_shape}")
        c, h, w = ctx.data_shape
        if h != w or h % 4 or h < 8:
            raise ValueError(f"InfoGAN needs square images with a side divisible by 4, got {h}x{w}")
        if ctx.pack != 1:
            raise ValueError("InfoGAN's Q head reads one image at a time: packing is not supported")
        self.ctx = ctx
        self.z_dim = int(ctx.hp("z_dim", 62))
        n_cat, self.n_cont = int(ctx.hp("categories", 10)), int(ctx.hp("continuous_codes", 2))
        codes = [LatentCode("c1", "categorical", n_cat)] if n_cat > 1 else []
        codes += [LatentCode(f"c{len(codes) + 1 + i}", "continuous") for i in range(self.n_cont)]
        if not codes:
            raise ValueError("hparams categories < 2 and continuous_codes 0 leave InfoGAN without a code")
        self.latent_codes: tuple[LatentCode, ...] = tuple(codes)
        self.n_cat = n_cat if n_cat > 1 else 0
        self.lambda_cat = float(ctx.hp("lambda_cat", 1.0))
        self.lambda_cont = float(ctx.hp("lambda_cont", 1.0))
        self.d_batch = str(ctx.hp("d_batch", "joint"))
        if self.d_batch not in ("joint", "separate"):
            raise ValueError(f"hparam d_batch must be 'joint' or 'separate', got {self.d_batch!r}")
        self.G = Generator(self.z_dim + self.n_cat + self.n_cont, c, h, int(ctx.hp("g_hidden", 1024)),
                           int(ctx.hp("g_ch", 128))).to(ctx.device)
        self.D = DiscriminatorQ(c, h, int(ctx.hp("d_hidden", 1024)), int(ctx.hp("d_ch", 64)),
                                int(ctx.hp("q_hidden", 128)), self.n_cat + self.n_cont,
                                float(ctx.hp("leak", 0.1))).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=float(ctx.hp("lr_g", 1e-3)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", 2e-4)), betas=betas)
        self.latent_rng = ctx.rng("latents")

    # -- latents ----------------------------------------------------------------------------
    def _draw(self, n: int, generator: torch.Generator | None) -> dict[str, torch.Tensor]:
        """Noise U(-1, 1)^z_dim (openai/InfoGAN's ``Uniform(62)``), c1 uniform over its categories,
        continuous codes U(-1, 1); always all of them, in one order, so fixing a code leaves the
        rest of the draw unchanged."""
        g, dev = generator or self.latent_rng, self.ctx.device
        out = {"z": torch.rand(n, self.z_dim, device=dev, generator=g) * 2 - 1}
        for code in self.latent_codes:
            if code.kind == "categorical":
                out[code.name] = torch.randint(code.size, (n,), device=dev, generator=g)
            else:
                out[code.name] = torch.rand(n, device=dev, generator=g) * (code.high - code.low) + code.low
        return out

    def _g_input(self, lat: Mapping[str, torch.Tensor]) -> torch.Tensor:
        parts = [lat["z"]]
        for code in self.latent_codes:
            v = lat[code.name]
            parts.append(F.one_hot(v.long(), code.size).float() if code.kind == "categorical" else v.float()[:, None])
        return torch.cat(parts, 1)

    def _mi(self, q: torch.Tensor, lat: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """The lower bound's categorical and continuous parts, E[log Q(c|x)] + H(c), in nats."""
        zero = q.new_zeros(())
        mi_cat, mi_cont = zero, zero
        i = 0
        for code in self.latent_codes:
            if code.kind == "categorical":
                logq = -F.cross_entropy(q[:, i : i + code.size], lat[code.name].long())
                mi_cat = mi_cat + logq + math.log(code.size)
                i += code.size
            else:  # Gaussian of std 1 around Q's mean; the prior U(low, high) has entropy log(high - low)
                logq = (-0.5 * LOG_2PI - 0.5 * (lat[code.name] - q[:, i]) ** 2).mean()
                mi_cont = mi_cont + logq + math.log(code.high - code.low)
                i += 1
        return mi_cat, mi_cont

    # -- training ---------------------------------------------------------------------------
    def _discriminate(self, real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """D's logits of real and fake, and Q's output on fake. ``d_batch: joint`` (default) passes
        both through D as one batch, so D's BatchNorm normalises them with shared statistics;
        ``separate`` is openai/InfoGAN's two calls, where each batch is normalised on its own and
        a difference in, e.g., mean brightness is invisible to D (measured on the kit's 8x8
        images: D's loss stayed at log 4 for 100 steps with G frozen; joint: 1.39 -> 1.17)."""
        if self.d_batch == "joint":
            d, q = self.D(torch.cat([real, fake]))
            n = real.shape[0]
            return d[:n], d[n:], q[n:]
        d_real, _ = self.D(real)
        d_fake, q_fake = self.D(fake)
        return d_real, d_fake, q_fake

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """openai/InfoGAN's iteration: a D+Q step, then a G step, each on its own latent draw."""
        n = real.shape[0]
        lat = self._draw(n, None)
        fake = self.G(self._g_input(lat))
        d_real, d_fake, q_fake = self._discriminate(real, fake.detach())
        mi_cat, mi_cont = self._mi(q_fake, lat)
        d_loss = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss - self.lambda_cat * mi_cat - self.lambda_cont * mi_cont).backward()
        self.opt_d.step()

        lat = self._draw(n, None)
        _, d_fake, q_fake = self._discriminate(real, self.G(self._g_input(lat)))
        mi_cat_g, mi_cont_g = self._mi(q_fake, lat)
        g_loss = F.softplus(-d_fake).mean()
        self.opt_g.zero_grad(set_to_none=True)
        (g_loss - self.lambda_cat * mi_cat_g - self.lambda_cont * mi_cont_g).backward()
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "mi": (mi_cat + mi_cont).detach(),
                "mi_cat": mi_cat.detach(), "mi_cont": mi_cont.detach()}

    # -- sampling and the codes capability --------------------------------------------------
    @torch.no_grad()
    def sample_codes(self, n: int, codes: Mapping[str, torch.Tensor], *,
                     generator: torch.Generator | None = None) -> torch.Tensor:
        known = {c.name for c in self.latent_codes}
        unknown = set(codes) - known
        if unknown:
            raise ValueError(f"unknown latent code(s) {sorted(unknown)}; this model has {sorted(known)}")
        lat = self._draw(n, generator)
        for name, v in codes.items():
            if v.shape != (n,):
                raise ValueError(f"code {name!r}: expected {n} values, got shape {tuple(v.shape)}")
            lat[name] = v.to(self.ctx.device)
        with eval_mode(self.G):
            return self.G(self._g_input(lat))

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *,
               generator: torch.Generator | None = None) -> torch.Tensor:
        return self.sample_codes(n, {}, generator=generator)

    @torch.no_grad()
    def infer_codes(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        with eval_mode(self.D):
            _, q = self.D(x.to(self.ctx.device))
        out, i = {}, 0
        for code in self.latent_codes:
            width = code.size if code.kind == "categorical" else 1
            out[code.name] = q[:, i : i + width] if code.kind == "categorical" else q[:, i]
            i += width
        return out
