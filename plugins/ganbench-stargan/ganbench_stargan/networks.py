"""StarGAN's networks, as yunjey/stargan ``model.py``, at MNIST size.

G: the target domain's one-hot code tiled over the image and concatenated to it; conv 7x7,
two 4x4 stride-2 downsamplings, ``g_repeat_num`` residual blocks, two 4x4 transposed upsamplings,
conv 7x7 and Tanh; instance norm with affine parameters and running statistics, as the reference.
D: ``d_repeat_num`` 4x4 stride-2 convolutions with LeakyReLU 0.01, then two heads: a 3x3 PatchGAN
real/fake map and a convolution over the whole remaining map giving domain logits.
"""

from __future__ import annotations

import torch
from torch import nn


def _norm(ch: int) -> nn.Module:
    return nn.InstanceNorm2d(ch, affine=True, track_running_stats=True)


class ResidualBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1, bias=False), _norm(ch), nn.ReLU(True),
                                  nn.Conv2d(ch, ch, 3, 1, 1, bias=False), _norm(ch))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.main(x)


class Generator(nn.Module):
    def __init__(self, img_ch: int, c_dim: int, conv_dim: int, repeat_num: int):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(img_ch + c_dim, conv_dim, 7, 1, 3, bias=False), _norm(conv_dim), nn.ReLU(True)]
        ch = conv_dim
        for _ in range(2):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), _norm(ch * 2), nn.ReLU(True)]
            ch *= 2
        layers += [ResidualBlock(ch) for _ in range(repeat_num)]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), _norm(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.Conv2d(ch, img_ch, 7, 1, 3, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)
        self.c_dim = c_dim

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        onehot = torch.nn.functional.one_hot(c, self.c_dim).to(x.dtype)
        tiled = onehot[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return self.main(torch.cat([x, tiled], 1))


class Discriminator(nn.Module):
    def __init__(self, img_ch: int, image_size: int, c_dim: int, conv_dim: int, repeat_num: int):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(img_ch, conv_dim, 4, 2, 1), nn.LeakyReLU(0.01)]
        ch = conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1), nn.LeakyReLU(0.01)]
            ch *= 2
        self.main = nn.Sequential(*layers)
        k = image_size // 2**repeat_num
        if k < 1:
            raise ValueError(f"stargan: d_repeat_num {repeat_num} halves {image_size} px below 1 px")
        self.src = nn.Conv2d(ch, 1, 3, 1, 1, bias=False)
        self.cls = nn.Conv2d(ch, c_dim, k, bias=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.main(x)
        return self.src(h), self.cls(h).flatten(1)
