"""GANs that learn an encoder E: x -> z beside G: z -> x, with a discriminator on (x, z) pairs.

``bigan`` / ``ali`` (Donahue et al. 2017; Dumoulin et al. 2017): D tells data pairs (x, E(x))
from generated pairs (G(z), z); G and E are trained together to fool it (the non-saturating
swap of labels). BiGAN's encoder is deterministic and z ~ U(-1, 1); ALI's encoder is Gaussian
(reparameterised: z = mu(x) + sigma(x) · eps) and z ~ N(0, I). Both updates are ALI's: one forward
pass, D's and (G, E)'s gradients at the same parameters, both Adam steps.

``veegan`` (Srivastava et al. 2017, Algorithm 1): a reconstructor F: x -> z, D on (z, x) trained
with the logistic loss to tell generator pairs (z, G(z)) from data pairs (F(x), x); G and F
minimise  mean D(z, G(z)) + mean ||z - F(G(z))||²  (D's raw logit estimates the KL term of the
VEEGAN bound, the squared error is the autoencoder loss over the noise).

All networks are MLPs over flattened samples (BiGAN's permutation-invariant MNIST setting; the
2-D mixtures). ``encode`` and ``generate`` implement ganbench's ``Encoding`` capability, which the
``encoder`` metric scores (reconstruction error and a linear probe). Defaults: README.md.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext

VARIANTS = ("bigan", "ali", "veegan")
Z_DISTS = ("uniform", "normal")


def mlp(d_in: int, d_out: int, hidden: int, layers: int, act: str, batch_norm: bool) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods.append(nn.Linear(d, hidden))
        if batch_norm:
            mods.append(nn.BatchNorm1d(hidden))
        mods.append(nn.LeakyReLU(0.2) if act == "lrelu" else nn.ReLU())
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return nn.Sequential(*mods)


class JointDiscriminator(nn.Module):
    """D(x, z): each input through its own layer, then the concatenation through the rest
    (BiGAN's joint discriminator), LeakyReLU 0.2, dropout ``dropout``."""

    def __init__(self, x_dim: int, z_dim: int, hidden: int, layers: int, dropout: float):
        super().__init__()
        self.fx = nn.Sequential(nn.Linear(x_dim, hidden), nn.LeakyReLU(0.2), nn.Dropout(dropout))
        self.fz = nn.Sequential(nn.Linear(z_dim, hidden), nn.LeakyReLU(0.2), nn.Dropout(dropout))
        mods: list[nn.Module] = []
        d = 2 * hidden
        for _ in range(max(layers - 1, 0)):
            mods += [nn.Linear(d, hidden), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            d = hidden
        mods.append(nn.Linear(d, 1))
        self.joint = nn.Sequential(*mods)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.joint(torch.cat([self.fx(x.flatten(1)), self.fz(z)], 1)).squeeze(1)


class InferenceGAN(ModelState):
    """One class, three games (``variant``): BiGAN, ALI or VEEGAN."""
    state_parts = ("G", "E", "D", "opt_ge", "opt_d")

    def __init__(self, ctx: BuildContext, variant: str):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        if ctx.pack != 1:
            raise ValueError(f"{variant}: the joint discriminator reads one (x, z) pair at a time; packing is not supported")
        self.ctx, self.variant = ctx, variant
        self.x_dim = math.prod(ctx.data_shape)
        self.z_dim = int(ctx.hp("z_dim", 50))
        self.z_dist = str(ctx.hp("z_dist", "normal" if variant != "bigan" else "uniform"))
        if self.z_dist not in Z_DISTS:
            raise ValueError(f"hparam z_dist must be one of {Z_DISTS}, got {self.z_dist!r}")
        hidden, layers = int(ctx.hp("g_hidden", 1024)), int(ctx.hp("layers", 2))
        e_hidden, d_hidden = int(ctx.hp("e_hidden", hidden)), int(ctx.hp("d_hidden", hidden))
        self.G = mlp(self.z_dim, self.x_dim, hidden, layers, "relu", bool(ctx.hp("batch_norm", True)))
        e_out = 2 * self.z_dim if variant == "ali" else self.z_dim  # ALI: mean and log-std
        self.E = mlp(self.x_dim, e_out, e_hidden, layers, "lrelu", bool(ctx.hp("batch_norm", True)))
        self.D = JointDiscriminator(self.x_dim, self.z_dim, d_hidden, layers, float(ctx.hp("dropout", 0.2)))
        for net in (self.G, self.E, self.D):
            net.to(ctx.device)
        self.image = ctx.data_kind == "image"
        betas = (float(ctx.hp("beta1", 0.5)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 2e-4))
        self.opt_ge = torch.optim.Adam(list(self.G.parameters()) + list(self.E.parameters()),
                                       lr=float(ctx.hp("lr_g", lr)), betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=float(ctx.hp("lr_d", lr)), betas=betas)
        # only VEEGAN has a reconstruction term (read only there: BiGAN/ALI do not declare it)
        self.rec_weight = float(ctx.hp("rec_weight", 1.0)) if variant == "veegan" else 0.0
        self.latent_rng = ctx.rng("latents")

    # -- nets -------------------------------------------------------------------------------
    def _prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        g, dev = generator or self.latent_rng, self.ctx.device
        if self.z_dist == "uniform":
            return torch.rand(n, self.z_dim, device=dev, generator=g) * 2 - 1
        return torch.randn(n, self.z_dim, device=dev, generator=g)

    def _g(self, z: torch.Tensor) -> torch.Tensor:
        x = self.G(z)
        if self.image:
            x = torch.tanh(x)
        return x.view(z.shape[0], *self.ctx.data_shape)

    def _e(self, x: torch.Tensor, stochastic: bool) -> torch.Tensor:
        h = self.E(x.flatten(1))
        if self.variant != "ali":
            return h
        mu, log_std = h[:, : self.z_dim], h[:, self.z_dim :].clamp(-10, 5)
        if not stochastic:
            return mu
        return mu + log_std.exp() * torch.randn(mu.shape, device=mu.device, generator=self.latent_rng)

    # -- training ---------------------------------------------------------------------------
    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        z = self._prior(real.shape[0])
        fake = self._g(z)
        z_real = self._e(real, stochastic=True)
        d_gen, d_data = self.D(fake, z), self.D(real, z_real)
        ge_params = list(self.G.parameters()) + list(self.E.parameters())
        d_params = list(self.D.parameters())
        if self.variant == "veegan":
            # D: logistic loss, generator pairs labelled 1, data pairs 0 (O_LR of Algorithm 1)
            d_loss = F.softplus(-d_gen).mean() + F.softplus(d_data).mean()
            rec = (z - self._e(fake, stochastic=False)).pow(2).sum(1).mean()
            g_loss = d_gen.mean() + self.rec_weight * rec
            extra = {"z_rec": rec.detach()}
        else:
            # D: data pairs 1, generated pairs 0; G and E: the labels swapped (non-saturating)
            d_loss = F.softplus(-d_data).mean() + F.softplus(d_gen).mean()
            g_loss = F.softplus(d_data).mean() + F.softplus(-d_gen).mean()
            extra = {}
        d_grads = torch.autograd.grad(d_loss, d_params, retain_graph=True)
        g_grads = torch.autograd.grad(g_loss, ge_params, allow_unused=True)
        for p, g in zip(d_params, d_grads):
            p.grad = g
        for p, g in zip(ge_params, g_grads):
            p.grad = g
        self.opt_d.step()
        self.opt_ge.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), **extra}

    # -- sampling and the encoding capability -----------------------------------------------
    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> torch.Tensor:
        with eval_mode(self.G):
            return self._g(z.to(self.ctx.device))

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        with eval_mode(self.E):
            return self._e(x.to(self.ctx.device), stochastic=False)

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *,
               generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generate(self._prior(n, generator))

def bigan(ctx: BuildContext) -> InferenceGAN:
    return InferenceGAN(ctx, "bigan")


def ali(ctx: BuildContext) -> InferenceGAN:
    return InferenceGAN(ctx, "ali")


def veegan(ctx: BuildContext) -> InferenceGAN:
    return InferenceGAN(ctx, "veegan")
