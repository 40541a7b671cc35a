"""MS-SSIM between random pairs of images: a diversity score (Odena et al. 2017; Karras et al. 2018, Table 1).

A set whose random pairs are structurally alike (high MS-SSIM) lacks variety; the real data's own value
is the target, so the metric reports the samples', the real images' and the gap between the two.

The MS-SSIM itself is torchmetrics' (``multiscale_structural_similarity_index_measure``: Gaussian window
sigma 1.5, K = (0.01, 0.03), Wang et al.'s scale weights). Wang's five scales need images of more
than 160 px; smaller images use the most scales the library accepts for their size (28-32 px: 2,
60-64 px: 3, 128 px: 4) with the first weights renormalised, and the note says how many.
"""

from __future__ import annotations

import torch

WANG_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
KERNEL = 11


def scales_for(size: int) -> int:
    """The most scales torchmetrics accepts for ``size`` px with an 11-px window (its check:
    size > (kernel - 1) * max(1, scales - 1)^2), at most Wang's five."""
    best = 0
    for s in range(1, len(WANG_WEIGHTS) + 1):
        if size > (KERNEL - 1) * max(1, s - 1) ** 2 and size // 2 ** (s - 1) > KERNEL // 2:
            best = s
    if not best:
        raise ValueError(f"ms-ssim: images of {size} px are too small for an {KERNEL}-px window")
    return best


def weights_for(size: int) -> tuple[float, ...]:
    w = WANG_WEIGHTS[: scales_for(size)]
    return tuple(x / sum(w) for x in w)


def pairwise_ms_ssim(a: torch.Tensor, b: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """MS-SSIM of each pair ``(a[i], b[i])`` of [-1, 1] images ``(N, C, H, W)``; one value per pair."""
    from torchmetrics.functional.image import multiscale_structural_similarity_index_measure as ms_ssim

    if a.shape != b.shape or a.ndim != 4:
        raise ValueError(f"ms-ssim: pairs need two image sets of one shape (N, C, H, W), got {tuple(a.shape)} and {tuple(b.shape)}")
    betas = weights_for(min(a.shape[2:]))
    out = []
    for i in range(0, a.shape[0], batch):
        x = (a[i : i + batch].float().clamp(-1, 1) + 1) / 2
        y = (b[i : i + batch].float().clamp(-1, 1) + 1) / 2
        out.append(ms_ssim(x, y, data_range=1.0, kernel_size=KERNEL, betas=betas, reduction="none").reshape(-1))
    return torch.cat(out)


def random_pairs(n: int, n_pairs: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_pairs`` pairs of distinct indices below ``n``."""
    if n < 2:
        raise ValueError(f"ms-ssim: pairs need at least 2 images, got {n}")
    i = torch.randint(0, n, (n_pairs,), generator=generator)
    j = (i + torch.randint(1, n, (n_pairs,), generator=generator)) % n  # never i itself
    return i, j


def mean_pair_ms_ssim(images: torch.Tensor, n_pairs: int, seed: int = 0) -> float:
    """Mean MS-SSIM over ``n_pairs`` random pairs of distinct images of the set."""
    i, j = random_pairs(images.shape[0], n_pairs, torch.Generator().manual_seed(seed))
    dev = images.device
    return float(pairwise_ms_ssim(images[i.to(dev)], images[j.to(dev)]).mean())
