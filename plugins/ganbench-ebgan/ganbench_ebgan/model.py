"""The energy-based GAN with an auto-encoder discriminator.

D is an auto-encoder and its energy is the reconstruction error, D(x) = ||Dec(Enc(x)) - x|| (per
sample, the L2 norm, Zhao et al. Eq. 1 and Sec. 2.3). The hinge (margin) loss of Eq. 1-2:

    L_D = D(x) + [m - D(G(z))]^+        L_G = D(G(z)) + lambda_PT * f_PT(S)

where f_PT is the pulling-away term of Sec. 2.4 on the encoder's representations S of the generated
batch: the mean squared cosine similarity over all ordered pairs i != j, which repels the samples
of one batch from each other in D's code space (lambda_PT 0.1, EBGAN-PT; 0 gives plain EBGAN).

Networks are the fully connected ones of the paper's MNIST grid search (Sec. 4.1): G with
``g_layers`` layers of ``g_hidden`` units, D an auto-encoder with ``d_layers`` layers of
``d_hidden`` units, batch normalisation after every weight layer except G's output and D's input
layer. Images are flattened (Tanh at G's output); vectors (the 2-D mixtures) pass as they are.
"""

from __future__ import annotations

import math

import torch
from ganbench_layers.state import ModelState, eval_mode
from torch import nn

from ganbench.api import BuildContext


def _mlp(d_in: int, d_out: int, hidden: int, layers: int, bn_first: bool) -> list[nn.Module]:
    """``layers`` linear layers (``layers - 1`` hidden ones of ``hidden`` units, ReLU, BN except after the
    first layer when ``bn_first`` is False); the last layer is linear."""
    mods: list[nn.Module] = []
    d = d_in
    for i in range(layers - 1):
        mods.append(nn.Linear(d, hidden))
        if i > 0 or bn_first:
            mods.append(nn.BatchNorm1d(hidden))
        mods.append(nn.ReLU())
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return mods


class AutoEncoderD(nn.Module):
    """D(x) = ||Dec(Enc(x)) - x||; ``encode`` gives the code the pulling-away term reads."""

    def __init__(self, x_dim: int, hidden: int, layers: int, code: int, code_act: str = "relu", energy: str = "l2"):
        super().__init__()
        if energy not in ("l2", "mse"):
            raise ValueError(f"ebgan: hparam energy must be 'l2' (the paper's norm) or 'mse' (mean squared error), got {energy!r}")
        self.energy = energy
        if layers < 2:
            raise ValueError(f"ebgan: hparam d_layers must be at least 2 (an encoder and a decoder layer), got {layers}")
        enc_layers = max(1, layers // 2)
        dec_layers = layers - enc_layers
        # encoder: no BN after the input layer (the paper's rule); the code ReLU'd or linear
        if code_act not in ("relu", "none"):
            raise ValueError(f"ebgan: hparam code_act must be 'relu' or 'none', got {code_act!r}")
        self.enc = nn.Sequential(*_mlp(x_dim, code, hidden, enc_layers, bn_first=False),
                                 *([nn.ReLU()] if code_act == "relu" else []))
        self.dec = nn.Sequential(*_mlp(code, x_dim, hidden, dec_layers, bn_first=True))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        flat = x.flatten(1)
        code = self.enc(flat)
        sq = (self.dec(code) - flat).pow(2)
        energy = sq.mean(1) if self.energy == "mse" else sq.sum(1).add(1e-12).sqrt()
        return energy, code


def pulling_away(code: torch.Tensor) -> torch.Tensor:
    """f_PT = 1/(N(N-1)) sum_{i != j} (S_i . S_j / (|S_i| |S_j|))^2 (Zhao et al. Eq. 4)."""
    n = code.shape[0]
    if n < 2:
        return code.new_zeros(())
    s = code / code.norm(dim=1, keepdim=True).clamp_min(1e-8)
    sim = (s @ s.T).pow(2)
    return (sim.sum() - sim.diagonal().sum()) / (n * (n - 1))


class EBGAN(ModelState):
    def __init__(self, ctx: BuildContext):
        if ctx.pack != 1:
            raise ValueError("ebgan: the auto-encoder discriminator reconstructs one sample at a time; packing is not supported")
        self.ctx = ctx
        self.image = ctx.data_kind == "image"
        self.x_dim = math.prod(ctx.data_shape)
        self.z_dim = int(ctx.hp("z_dim", 100))
        self.margin = float(ctx.hp("margin", 10.0))
        self.pt_weight = float(ctx.hp("pt_weight", 0.1))
        if self.margin <= 0 or self.pt_weight < 0:
            raise ValueError(f"ebgan: hparam margin must be > 0 and pt_weight >= 0, got {self.margin}, {self.pt_weight}")
        g_layers, d_layers = int(ctx.hp("g_layers", 5)), int(ctx.hp("d_layers", 2))
        if g_layers < 2:
            raise ValueError(f"ebgan: hparam g_layers must be at least 2, got {g_layers}")
        g_hidden, d_hidden = int(ctx.hp("g_hidden", 800)), int(ctx.hp("d_hidden", 1024))
        self.G = nn.Sequential(*_mlp(self.z_dim, self.x_dim, g_hidden, g_layers, bn_first=True)).to(ctx.device)
        self.D = AutoEncoderD(self.x_dim, d_hidden, d_layers, int(ctx.hp("d_code", d_hidden)),
                              str(ctx.hp("code_act", "relu")), str(ctx.hp("energy", "l2"))).to(ctx.device)
        betas = (float(ctx.hp("beta1", 0.9)), float(ctx.hp("beta2", 0.999)))
        lr = float(ctx.hp("lr", 1e-3))
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=betas)
        self.latent_rng = ctx.rng("latents")

    def _z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.z_dim, device=self.ctx.device, generator=generator or self.latent_rng)

    def _g(self, z: torch.Tensor) -> torch.Tensor:
        x = self.G(z)
        if self.image:
            x = torch.tanh(x)
        return x.view(z.shape[0], *self.ctx.data_shape)

    def train_step(self, real: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        n = real.shape[0]
        with torch.no_grad():
            fake = self._g(self._z(n))
        e_real, _ = self.D(real)
        e_fake, _ = self.D(fake)
        margin_term = (self.margin - e_fake).clamp_min(0).mean()
        d_loss = e_real.mean() + margin_term
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()

        e_gen, code = self.D(self._g(self._z(n)))
        pt = pulling_away(code)
        g_loss = e_gen.mean() + self.pt_weight * pt
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach(), "energy_real": e_real.mean().detach(),
                "energy_fake": e_fake.mean().detach(), "margin_term": margin_term.detach(), "pt": pt.detach()}

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, *, generator: torch.Generator | None = None) -> torch.Tensor:
        with eval_mode(self.G):
            return self._g(self._z(n, generator))
