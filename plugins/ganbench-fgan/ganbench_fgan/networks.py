"""The three architectures f-GAN is run with.

``affine``: the paper's synthetic experiment (Sec. 4): G(z) = mu + sigma z with z ~ N(0, 1), the
two scalars mu and sigma being all of G; the variational function is an MLP with two hidden layers
of 64 tanh units.
``mlp``: for the 2-D rings and grids, the networks the GAN plugin uses there (PacGAN's: G 4 x 400
Linear + BatchNorm + ReLU, D 3 maxout layers of 200 units x 5 pieces), so that beside the GAN
only the divergence differs.
``mnist``: the paper's MNIST networks (Sec. 4): G takes z ~ U(-1, 1)^100 through two Linear
layers of 1200 units each followed by BatchNorm and ReLU, then a Linear layer and a sigmoid;
V has three Linear layers with ELUs in between (the paper gives no widths for V: 240, see README).
"""

from __future__ import annotations

import math

import torch
from torch import nn


class Affine(nn.Module):
    """x = mu + sigma * z, elementwise: the paper's Gaussian "neural sampler" (theta = (mu, sigma))."""

    def __init__(self, dim: int, mu: float = 0.0, sigma: float = 1.0):
        super().__init__()
        self.mu = nn.Parameter(torch.full((dim,), float(mu)))
        self.sigma = nn.Parameter(torch.full((dim,), float(sigma)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.mu + self.sigma * z


class Maxout(nn.Module):
    def __init__(self, d_in: int, d_out: int, pieces: int):
        super().__init__()
        self.d_out, self.pieces = d_out, pieces
        self.linear = nn.Linear(d_in, d_out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).view(x.shape[0], self.d_out, self.pieces).amax(dim=2)


def tanh_mlp(d_in: int, hidden: int, layers: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), nn.Tanh()]
        d = hidden
    mods.append(nn.Linear(d, 1))
    return nn.Sequential(*mods)


def bn_relu_generator(z_dim: int, out_dim: int, hidden: int, layers: int, out: str, bias: bool = True) -> nn.Sequential:
    """``layers`` x (Linear + BatchNorm + ReLU) then Linear, and a sigmoid mapped to [-1, 1]
    (``out="sigmoid"``, images) or nothing (``out="linear"``)."""
    mods: list[nn.Module] = []
    d = z_dim
    for _ in range(layers):
        mods += [nn.Linear(d, hidden, bias=bias), nn.BatchNorm1d(hidden), nn.ReLU()]
        d = hidden
    mods.append(nn.Linear(d, out_dim))
    if out == "sigmoid":
        mods.append(Sigmoid11())
    return nn.Sequential(*mods)


class Sigmoid11(nn.Module):
    """The paper's sigmoid output, rescaled from [0, 1] to ganbench's image range [-1, 1]
    (2 sigmoid(a) - 1 = tanh(a / 2))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(0.5 * x)


def maxout_critic(d_in: int, hidden: int, layers: int, pieces: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods.append(Maxout(d, hidden, pieces))
        d = hidden
    mods.append(nn.Linear(d, 1))
    return nn.Sequential(*mods)


def elu_critic(d_in: int, hidden: int, layers: int) -> nn.Sequential:
    mods: list[nn.Module] = [nn.Flatten()]
    d = d_in
    for _ in range(layers - 1):
        mods += [nn.Linear(d, hidden), nn.ELU()]
        d = hidden
    mods.append(nn.Linear(d, 1))
    return nn.Sequential(*mods)


@torch.no_grad()
def gaussian_init(net: nn.Module, std: float) -> None:
    """Every Linear weight ~ N(0, std^2), biases 0 (PacGAN's initialisation of the MoG networks)."""
    for mod in net.modules():
        if isinstance(mod, nn.Linear):
            mod.weight.normal_(0.0, std)
            if mod.bias is not None:
                mod.bias.zero_()


def flat_size(shape: tuple[int, ...]) -> int:
    return int(math.prod(shape))
