"""DCGAN generator and discriminator for 28x28 and 32x32 images.

All-convolutional as in the paper: G projects z to a small feature map with one transposed
convolution and doubles the resolution with stride-2 transposed convolutions (BatchNorm + ReLU,
Tanh at the output); D mirrors it with stride-2 convolutions (LeakyReLU 0.2, BatchNorm on every
layer but the first) and ends in a convolution to one logit. No fully connected hidden layers.

28x28 starts from 7x7 (7 -> 14 -> 28), 32x32 from 4x4 (4 -> 8 -> 16 -> 32).
"""

from __future__ import annotations

from torch import nn

START = {28: (7, 2), 32: (4, 3)}
"""resolution -> (start size, number of stride-2 upsamplings)."""


def _init(m: nn.Module) -> None:
    """N(0, 0.02) weights, as in the paper."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def generator(z_dim: int, channels: int, resolution: int, base: int) -> nn.Sequential:
    if resolution not in START:
        raise ValueError(f"DCGAN supports 28x28 and 32x32 images, got {resolution}x{resolution}")
    start, ups = START[resolution]
    width = base * 2 ** (ups - 1)
    mods: list[nn.Module] = [
        nn.Unflatten(1, (z_dim, 1, 1)),
        nn.ConvTranspose2d(z_dim, width, start, 1, 0, bias=False),
        nn.BatchNorm2d(width),
        nn.ReLU(True),
    ]
    for i in range(ups - 1):
        mods += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU(True)]
        width //= 2
    mods += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
    net = nn.Sequential(*mods)
    net.apply(_init)
    return net


def discriminator(in_channels: int, resolution: int, base: int) -> nn.Sequential:
    """``in_channels`` is ``pack * channels`` (PacGAN). Returns logits of shape (N,)."""
    if resolution not in START:
        raise ValueError(f"DCGAN supports 28x28 and 32x32 images, got {resolution}x{resolution}")
    start, downs = START[resolution]
    mods: list[nn.Module] = [nn.Conv2d(in_channels, base, 4, 2, 1), nn.LeakyReLU(0.2, True)]
    width = base
    for _ in range(downs - 1):
        mods += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2, True)]
        width *= 2
    mods += [nn.Conv2d(width, 1, start, 1, 0), nn.Flatten(0)]
    net = nn.Sequential(*mods)
    net.apply(_init)
    return net
