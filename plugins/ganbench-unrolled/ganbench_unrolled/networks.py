"""The networks: poolio/unrolled_gan's MLPs for 2-D mixtures, a small DCGAN pair for images."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}


def mlp(d_in: int, d_out: int, hidden: int, layers: int, activation: str) -> nn.Sequential:
    """``layers`` × (Linear + activation), then a linear output (slim.stack of fully_connected)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"hparam activation must be one of {tuple(ACTIVATIONS)}, got {activation!r}")
    mods: list[nn.Module] = []
    d = d_in
    for _ in range(layers):
        mods += [nn.Linear(d, hidden), ACTIVATIONS[activation]()]
        d = hidden
    mods.append(nn.Linear(d, d_out))
    return nn.Sequential(*mods)


@torch.no_grad()
def orthogonal_init(net: nn.Module, gain: float) -> None:
    """poolio/unrolled_gan: ``tf.orthogonal_initializer(gain=1.4)`` weights, zero biases."""
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.orthogonal_(m.weight, gain)
            nn.init.zeros_(m.bias)


class _Unflatten(nn.Module):
    def __init__(self, c: int, s: int):
        super().__init__()
        self.c, self.s = c, s

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.shape[0], self.c, self.s, self.s)


def _dcgan_init(m: nn.Module) -> None:
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def conv_generator(z_dim: int, channels: int, res: int, base: int) -> nn.Sequential:
    """Linear z -> 2·base × s/4 × s/4 (BN, ReLU), deconv 4x4/2 to base (BN, ReLU), deconv 4x4/2 to
    the image, Tanh."""
    s = res // 4
    net = nn.Sequential(
        nn.Linear(z_dim, 2 * base * s * s), _Unflatten(2 * base, s), nn.BatchNorm2d(2 * base), nn.ReLU(),
        nn.ConvTranspose2d(2 * base, base, 4, 2, 1), nn.BatchNorm2d(base), nn.ReLU(),
        nn.ConvTranspose2d(base, channels, 4, 2, 1), nn.Tanh(),
    )
    net.apply(_dcgan_init)
    return net


def conv_discriminator(in_channels: int, res: int, base: int) -> nn.Sequential:
    """Conv 4x4/2 base (LeakyReLU 0.2), conv 4x4/2 2·base (LeakyReLU 0.2), linear logit. No
    BatchNorm: the unrolled copies of D then depend on their parameters only (no running
    statistics to fork)."""
    s = res // 4
    net = nn.Sequential(
        nn.Conv2d(in_channels, base, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(base, 2 * base, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * base * s * s, 1),
    )
    net.apply(_dcgan_init)
    return net
