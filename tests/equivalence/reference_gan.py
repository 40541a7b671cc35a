"""An independent, hand-written PyTorch loop of PacGAN's 2-D mixture setup.

Written from the PacGAN paper and ../shared/PROTOCOLS.md, *not* from the ganbench plugin: it
imports nothing from ganbench, draws its own data (numpy), its own latents and its own batches, and
scores its samples with its own numpy implementation of the PacGAN metric rules. The equivalence
test compares the distribution of its results over seeds with the GAN plugin's under the harness.

Setup (PacGAN's released code, fjxmlzn/PacGAN synthetic_data_experiments): ring of 8 Gaussians,
radius 1, std 0.01, 100,000 training samples; G = MLP z(2) → 4 × [Linear 400 without bias,
BatchNorm (momentum 0.05, eps 1e-4), ReLU] → Linear 2; D = 3 maxout layers of 200 units × 5
pieces → Linear 1, its input ``pack`` samples concatenated; every weight ~ N(0, 0.02²), every bias
0; Adam(lr, β = (0.8, 0.999)) for both; per step ALI's simultaneous update: one latent batch, one
forward pass, D's and G's (non-saturating) gradients both at the step's starting point, then both
steps; evaluation on 2,500 samples with G in eval mode (BatchNorm running statistics).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

RADIUS, STD, N_MODES, N_DATA, HQ = 1.0, 0.01, 8, 100_000, 3.0  # PacGAN's ring


def ring_centres() -> np.ndarray:
    a = 2 * np.pi * np.arange(N_MODES) / N_MODES
    return RADIUS * np.stack([np.cos(a), np.sin(a)], axis=1)


def ring_data(seed: int, std: float = STD) -> torch.Tensor:
    rng = np.random.default_rng(10_000 + seed)
    idx = rng.integers(N_MODES, size=N_DATA)
    return torch.from_numpy(ring_centres()[idx] + rng.normal(0, std, size=(N_DATA, 2))).float()


class MaxoutLayer(nn.Module):
    def __init__(self, d_in: int, units: int, pieces: int):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.fc = nn.Linear(d_in, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x).view(-1, self.units, self.pieces).max(dim=2).values


def _init(net: nn.Module) -> nn.Module:
    for mod in net.modules():
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0.0, 0.02)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)
    return net


def make_g(hidden: int = 400, layers: int = 4) -> nn.Module:
    mods: list[nn.Module] = []
    d = 2
    for _ in range(layers):
        mods += [nn.Linear(d, hidden, bias=False), nn.BatchNorm1d(hidden, eps=1e-4, momentum=0.05), nn.ReLU()]
        d = hidden
    return _init(nn.Sequential(*mods, nn.Linear(d, 2)))


def make_d(pack: int, units: int = 200, layers: int = 3, pieces: int = 5) -> nn.Module:
    mods: list[nn.Module] = []
    d = 2 * pack
    for _ in range(layers):
        mods.append(MaxoutLayer(d, units, pieces))
        d = units
    return _init(nn.Sequential(*mods, nn.Linear(d, 1)))


def train(seed: int, steps: int, *, pack: int = 1, batch: int = 100, lr: float = 1e-3,
          g_hidden: int = 400, g_layers: int = 4, d_units: int = 200, d_layers: int = 3,
          std: float = STD) -> np.ndarray:
    """Train one GAN and return 2,500 samples (numpy, (2500, 2))."""
    torch.manual_seed(seed)
    data = ring_data(seed, std)
    G, D = make_g(g_hidden, g_layers), make_d(pack, d_units, d_layers)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.8, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.8, 0.999))
    bce = nn.BCEWithLogitsLoss()
    n = batch * pack
    perm, pos = torch.randperm(N_DATA), 0
    for _ in range(steps):
        if pos + n > N_DATA:
            perm, pos = torch.randperm(N_DATA), 0
        real = data[perm[pos:pos + n]]
        pos += n
        fake = G(torch.randn(n, 2))
        d_real, d_fake = D(real.view(batch, 2 * pack)), D(fake.view(batch, 2 * pack))
        d_loss = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        g_loss = bce(d_fake, torch.ones_like(d_fake))  # non-saturating: maximise log D(G(z))
        opt_d.zero_grad()
        opt_g.zero_grad()
        d_loss.backward(retain_graph=True, inputs=list(D.parameters()))  # both at the same point
        g_loss.backward(inputs=list(G.parameters()))
        opt_d.step()
        opt_g.step()
    G.eval()
    with torch.no_grad():
        return G(torch.randn(2500, 2)).double().numpy()


def score(samples: np.ndarray, std: float = STD) -> dict[str, float]:
    """PacGAN's rules: nearest centre in units of std; high quality below 3 std; a mode counts with
    one high-quality sample; reverse KL of the high-quality histogram against uniform."""
    from scipy.stats import entropy

    d = np.linalg.norm(samples[:, None, :] - ring_centres()[None], axis=2) / std
    nearest, dist = d.argmin(axis=1), d.min(axis=1)
    hq = dist < HQ
    counts = np.bincount(nearest[hq], minlength=N_MODES).astype(float)
    rkl = math.log(N_MODES) if counts.sum() == 0 else float(entropy(counts, np.full(N_MODES, 1.0)))
    return {"modes": float((counts > 0).sum()), "hq_share": float(hq.mean()), "reverse_kl": rkl}
