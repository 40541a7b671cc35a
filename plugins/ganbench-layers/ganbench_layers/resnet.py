"""The SNGAN ResNet generator and discriminator (Miyato et al. 2018, appendix B.4, as in Mimicry and
StudioGAN for CIFAR-10), with the switches SAGAN and BigGAN add: spectral norm in G, self-attention
at one resolution, class-conditional BN with a shared embedding and hierarchical z, projection D."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .attention import SelfAttention
from .geometry import discriminator_downs, resolution_plan
from .norms import ConditionalBatchNorm2d, sn, snconv, snlinear


class GBlock(nn.Module):
    """BN-ReLU-up-conv3-BN-ReLU-conv3, plus up-conv1 shortcut. BN is conditional when ``cond_dim``."""

    def __init__(self, c_in: int, c_out: int, spectral: bool, cond_dim: int = 0):
        super().__init__()
        self.cond = cond_dim > 0
        self.bn1 = ConditionalBatchNorm2d(c_in, cond_dim, spectral) if self.cond else nn.BatchNorm2d(c_in)
        self.bn2 = ConditionalBatchNorm2d(c_out, cond_dim, spectral) if self.cond else nn.BatchNorm2d(c_out)
        self.c1 = snconv(c_in, c_out, 3, spectral)
        self.c2 = snconv(c_out, c_out, 3, spectral)
        self.sc = snconv(c_in, c_out, 1, spectral)

    def _bn(self, bn: nn.Module, x: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
        return bn(x, c) if self.cond else bn(x)

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        h = F.interpolate(F.relu(self._bn(self.bn1, x, c)), scale_factor=2, mode="nearest")
        h = self.c2(F.relu(self._bn(self.bn2, self.c1(h), c)))
        return h + self.sc(F.interpolate(x, scale_factor=2, mode="nearest"))


class DBlock(nn.Module):
    """ReLU-conv3-ReLU-conv3(-avgpool), shortcut conv1(-avgpool) when shape changes."""

    def __init__(self, c_in: int, c_out: int, spectral: bool, down: bool):
        super().__init__()
        self.down = down
        self.c1 = snconv(c_in, c_out, 3, spectral)
        self.c2 = snconv(c_out, c_out, 3, spectral)
        self.sc = snconv(c_in, c_out, 1, spectral) if (c_in != c_out or down) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.c2(F.relu(self.c1(F.relu(x))))
        s = self.sc(x) if self.sc is not None else x
        if self.down:
            h, s = F.avg_pool2d(h, 2), F.avg_pool2d(s, 2)
        return h + s


class DBlockOptimized(nn.Module):
    """The first D block: conv3-ReLU-conv3-avgpool, shortcut avgpool-conv1 (no ReLU on the image)."""

    def __init__(self, c_in: int, c_out: int, spectral: bool):
        super().__init__()
        self.c1 = snconv(c_in, c_out, 3, spectral)
        self.c2 = snconv(c_out, c_out, 3, spectral)
        self.sc = snconv(c_in, c_out, 1, spectral)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.avg_pool2d(self.c2(F.relu(self.c1(x))), 2)
        return h + self.sc(F.avg_pool2d(x, 2))


class ResNetGenerator(nn.Module):
    """z -> linear to ``ch`` x s0 x s0 -> ``k`` up-blocks (constant width, as in the CIFAR nets) ->
    BN-ReLU-conv3-tanh. ``attn_res`` inserts self-attention after the block that reaches that size.

    Conditional (``num_classes``): BigGAN's shared class embedding of ``shared_dim``; with
    ``hierarchical`` z is split into k+1 chunks, the first feeds the linear layer and each block's
    conditional BN sees [embedding, its chunk].
    """

    def __init__(
        self,
        z_dim: int,
        out_ch: int,
        size: int,
        ch: int = 256,
        spectral: bool = False,
        attn_res: int | None = None,
        num_classes: int = 0,
        shared_dim: int = 128,
        hierarchical: bool = True,
    ):
        super().__init__()
        s0, k = resolution_plan(size)
        self.s0, self.ch, self.num_classes = s0, ch, num_classes
        self.hier = bool(num_classes and hierarchical)
        if self.hier:
            base = z_dim // (k + 1)
            if base < 1:
                raise ValueError(f"z_dim {z_dim} is too small to split into {k + 1} hierarchical chunks")
            self.chunks = [z_dim - base * k] + [base] * k
        else:
            self.chunks = [z_dim]
        cond_dim = 0
        if num_classes:
            self.shared = nn.Embedding(num_classes, shared_dim)
            cond_dim = shared_dim + (self.chunks[1] if self.hier else 0)
        self.fc = snlinear(self.chunks[0], ch * s0 * s0, spectral)
        self.blocks = nn.ModuleList()
        self.attn_after: int | None = None
        res = s0
        for i in range(k):
            self.blocks.append(GBlock(ch, ch, spectral, cond_dim))
            res *= 2
            if attn_res is not None and res == attn_res:
                self.attn_after = i
        self.attn = SelfAttention(ch, spectral) if self.attn_after is not None else None
        self.bn = nn.BatchNorm2d(ch)
        self.out = snconv(ch, out_ch, 3, spectral)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        zs = list(torch.split(z, self.chunks, dim=1))
        h = self.fc(zs[0]).view(z.shape[0], self.ch, self.s0, self.s0)
        emb = self.shared(y) if self.num_classes else None
        for i, block in enumerate(self.blocks):
            c = None
            if emb is not None:
                c = torch.cat([emb, zs[i + 1]], 1) if self.hier else emb
            h = block(h, c)
            if i == self.attn_after:
                h = self.attn(h)
        return torch.tanh(self.out(F.relu(self.bn(h))))


class ResNetDiscriminator(nn.Module):
    """Optimized down-block, further down-blocks until at most 8x8 (``discriminator_downs``: 32 ends
    at 8, 28 at 7), two plain blocks,
    ReLU, global sum pooling, linear. Conditional: projection term sum_j <embed(y_j), h> over the
    ``pack`` labels of a packed input (Miyato & Koyama 2018, extended to PacGAN packing)."""

    def __init__(
        self,
        in_ch: int,
        size: int,
        ch: int = 128,
        spectral: bool = True,
        attn_res: int | None = None,
        num_classes: int = 0,
    ):
        super().__init__()
        self.in_ch = in_ch
        n_down = discriminator_downs(size)
        blocks: list[nn.Module] = [DBlockOptimized(in_ch, ch, spectral)]
        res = size // 2
        placed = False

        def maybe_attn() -> None:
            nonlocal placed
            if attn_res is not None and res == attn_res and not placed:
                blocks.append(SelfAttention(ch, spectral))
                placed = True

        maybe_attn()
        for _ in range(n_down - 1):
            blocks.append(DBlock(ch, ch, spectral, down=True))
            res //= 2
            maybe_attn()
        blocks += [DBlock(ch, ch, spectral, down=False), DBlock(ch, ch, spectral, down=False)]
        self.blocks = nn.Sequential(*blocks)
        self.fc = snlinear(ch, 1, spectral)
        self.embed = sn(nn.Embedding(num_classes, ch), spectral) if num_classes else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.blocks(x)).sum(dim=(2, 3))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        out = self.fc(h).squeeze(1)
        if self.embed is not None:
            if y is None:
                raise ValueError("this projection discriminator needs labels")
            out = out + (self.embed(y) * h[:, None, :]).sum(dim=(1, 2))  # y: (B, pack)
        return out
