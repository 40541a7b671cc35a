"""DCGAN generator and discriminator for 28x28, 32x32 and 64x64 images.

All-convolutional as in the paper: G projects z to a small feature map with one transposed
convolution and doubles the resolution with stride-2 transposed convolutions (BatchNorm + ReLU,
Tanh at the output); D mirrors it with stride-2 convolutions (LeakyReLU 0.2, BatchNorm on every
layer but the first) and ends in a convolution to one logit. No fully connected hidden layers.

28x28 starts from 7x7 (7 -> 14 -> 28), 32x32 from 4x4 (4 -> 8 -> 16 -> 32), 64x64 from 4x4 with one
more block (4 -> 8 -> 16 -> 32 -> 64): the paper's LSUN/CelebA network (Radford et al. Fig. 1; the
PyTorch DCGAN example with ngf = ndf = 64 has exactly these layers: G 512-256-128-64-C, D 64-128-256-512-1).
"""

from __future__ import annotations

from torch import nn

START = {28: (7, 2), 32: (4, 3), 64: (4, 4)}
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
        raise ValueError(f"DCGAN supports 28x28, 32x32 and 64x64 images, got {resolution}x{resolution}")
    start, ups = START[resolution]
    width = base * 2 ** (ups - 1)
    mods: list[nn.Module] = [
        nn.Unflatten(1, (z_dim, 1, 1)),
        nn.ConvTranspose2d(z_dim, width, start, 1, 0, bias=False),
        nn.BatchNorm2d(width),
        nn.ReLU(True),
    ]
    for _ in range(ups - 1):
        mods += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU(True)]
        width //= 2
    mods += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
    net = nn.Sequential(*mods)
    net.apply(_init)
    return net


def discriminator(in_channels: int, resolution: int, base: int) -> nn.Sequential:
    """``in_channels`` is ``pack * channels`` (PacGAN). Returns logits of shape (N,)."""
    if resolution not in START:
        raise ValueError(f"DCGAN supports 28x28, 32x32 and 64x64 images, got {resolution}x{resolution}")
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


# ---------------------------------------------------------------------------------------------
# The networks of PacGAN's released stacked-MNIST code (fjxmlzn/PacGAN; audit in README.md)
# ---------------------------------------------------------------------------------------------


class _Reshape(nn.Module):
    def __init__(self, *shape: int):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def _tf_init(m: nn.Module) -> None:
    """carpedm20/DCGAN-tensorflow's ops.py: weights N(0, 0.02²) (conv2d: truncated at 2 std),
    every bias 0, BatchNorm scale 1 and shift 0 (tf.contrib.layers.batch_norm's defaults)."""
    if isinstance(m, nn.Conv2d):
        nn.init.trunc_normal_(m.weight, 0.0, 0.02, -0.04, 0.04)
    elif isinstance(m, (nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.ones_(m.weight)
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.BatchNorm2d)) and m.bias is not None:
        nn.init.zeros_(m.bias)


def _bn(c: int) -> nn.BatchNorm2d:
    """tf.contrib.layers.batch_norm(decay=0.9, epsilon=1e-5, scale=True) in PyTorch's terms."""
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


def _halvings(resolution: int, n: int) -> list[int]:
    """TF 'SAME' stride-2 sizes: 28 -> 14 -> 7 -> 4 -> 2 (ceil at each halving)."""
    sizes = [resolution]
    for _ in range(n):
        sizes.append(-(-sizes[-1] // 2))
    return sizes


def _up(c_in: int, c_out: int, k: int, size_in: int, size_out: int) -> nn.ConvTranspose2d:
    """A stride-2 transposed convolution from ``size_in`` to ``size_out`` (TF's explicit output_shape)."""
    return nn.ConvTranspose2d(c_in, c_out, k, 2, k // 2, output_padding=size_out - (2 * size_in - 1))


def carpedm20_generator(z_dim: int, channels: int, resolution: int, base: int) -> nn.Sequential:
    """PacGAN Table 2 (VEEGAN_experiment/model.py): linear z -> 8·base x s/16 x s/16, BatchNorm,
    ReLU; four 5x5 stride-2 transposed convolutions (BatchNorm + ReLU, Tanh at the output)."""
    s = _halvings(resolution, 4)
    widths = [base * 8, base * 4, base * 2, base, channels]
    mods: list[nn.Module] = [nn.Linear(z_dim, widths[0] * s[4] ** 2), _Reshape(widths[0], s[4], s[4]), _bn(widths[0]), nn.ReLU()]
    for i in range(4):
        mods.append(_up(widths[i], widths[i + 1], 5, s[4 - i], s[3 - i]))
        mods += [_bn(widths[i + 1]), nn.ReLU()] if i < 3 else [nn.Tanh()]
    net = nn.Sequential(*mods)
    net.apply(_tf_init)
    return net


def carpedm20_discriminator(in_channels: int, resolution: int, base: int) -> nn.Sequential:
    """PacGAN Table 2: four 5x5 stride-2 convolutions (base, 2, 4, 8 x base), LeakyReLU 0.2,
    BatchNorm on all but the first, then a linear logit."""
    s = _halvings(resolution, 4)
    widths = [in_channels, base, base * 2, base * 4, base * 8]
    mods: list[nn.Module] = []
    for i in range(4):
        mods.append(nn.Conv2d(widths[i], widths[i + 1], 5, 2, 2))
        mods += ([_bn(widths[i + 1])] if i else []) + [nn.LeakyReLU(0.2)]
    mods += [nn.Flatten(), nn.Linear(widths[4] * s[4] ** 2, 1), nn.Flatten(0)]
    net = nn.Sequential(*mods)
    net.apply(_tf_init)
    return net


def unrolled_generator(z_dim: int, channels: int, resolution: int, base: int) -> nn.Sequential:
    """PacGAN Table 3 (unrolled_GAN_experiment, the Unrolled-GAN network): linear z -> base x 4 x 4,
    BatchNorm, ReLU; three 3x3 stride-2 transposed convolutions to base/2, base/4, base/8 channels
    (BatchNorm + ReLU); a 3x3 stride-1 convolution to the image, Tanh. Base 64 is the paper's."""
    if resolution != 28:
        raise ValueError(f"arch 'unrolled' is the 28x28 stacked-MNIST network, got {resolution}x{resolution}")
    sizes, widths = [4, 7, 14, 28], [base, base // 2, base // 4, base // 8]
    mods: list[nn.Module] = [nn.Linear(z_dim, base * 16), _Reshape(base, 4, 4), _bn(base), nn.ReLU()]
    for i in range(3):
        mods += [_up(widths[i], widths[i + 1], 3, sizes[i], sizes[i + 1]), _bn(widths[i + 1]), nn.ReLU()]
    mods += [nn.Conv2d(widths[3], channels, 3, 1, 1), nn.Tanh()]
    net = nn.Sequential(*mods)
    net.apply(_tf_init)
    return net


def unrolled_discriminator(in_channels: int, resolution: int, width: int) -> nn.Sequential:
    """PacGAN Table 3's D: three 3x3 stride-2 convolutions of width, 2·width, 4·width channels,
    each with BatchNorm and LeakyReLU 0.3, then a linear logit (width 2 is "D = 1/4 G")."""
    if resolution != 28:
        raise ValueError(f"arch 'unrolled' is the 28x28 stacked-MNIST network, got {resolution}x{resolution}")
    widths, mods = [in_channels, width, width * 2, width * 4], []
    for i in range(3):
        mods += [nn.Conv2d(widths[i], widths[i + 1], 3, 2, 1), _bn(widths[i + 1]), nn.LeakyReLU(0.3)]
    mods += [nn.Flatten(), nn.Linear(widths[3] * 4 * 4, 1), nn.Flatten(0)]
    net = nn.Sequential(*mods)
    net.apply(_tf_init)
    return net
