"""Multi-scale sliced Wasserstein distance (Karras et al. 2018, Sec. 5 and Table 1).

Follows ``metrics/sliced_wasserstein.py`` of the authors' code (tkarras/progressive_growing_of_gans)
step by step, in torch so it runs on the run's device:

* images as 0..255 values, a Laplacian pyramid with the 5x5 binomial filter (``cv2.pyrDown``/``pyrUp``
  with mirrored borders); one level per resolution from the full size down to 16 px (``while res >= 16``);
* per level, 128 random 7x7 neighbourhoods per image, all channels;
* descriptors normalised per channel (mean and std over neighbourhoods and pixels), each set by its own
  statistics;
* 4 repeats of 128 random unit directions; per direction the mean absolute difference of the sorted
  projections; averaged, then multiplied by 10^3 (``SWDx1e3_<res>``, and ``_avg`` over levels).

Differences from the authors' code, none changing what is measured: any number of channels (theirs
asserts RGB), pyramid levels of odd size are cropped after the upsampling (theirs assumes powers of
two), and the randomness comes from a fixed-seed generator so that every model is measured with the
same directions and patch positions per image index.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

NHOOD_SIZE = 7
NHOODS_PER_IMAGE = 128
DIR_REPEATS = 4
DIRS_PER_REPEAT = 128
MIN_RESOLUTION = 16

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
KERNEL = torch.outer(_BINOMIAL, _BINOMIAL) / 256.0
"""The authors' ``gaussian_filter`` (cv2's pyramid kernel)."""


def levels_for(resolution: int, min_resolution: int = MIN_RESOLUTION) -> list[int]:
    """The pyramid's resolutions, as the authors' ``API.__init__``: full size, halved while >= 16."""
    out, res = [], int(resolution)
    while res >= min_resolution:
        out.append(res)
        res //= 2
    return out


def _filter(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    k = kernel.to(x.device, x.dtype).expand(c, 1, 5, 5)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="reflect"), k, groups=c)  # reflect == scipy's "mirror"


def pyr_down(x: torch.Tensor) -> torch.Tensor:
    """Blur and keep every other pixel (``cv2.pyrDown``)."""
    return _filter(x, KERNEL)[:, :, ::2, ::2]


def pyr_up(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Zero-insert to twice the size, blur with 4x the kernel (``cv2.pyrUp``), crop to ``size``."""
    n, c, h, w = x.shape
    up = torch.zeros(n, c, 2 * h, 2 * w, dtype=x.dtype, device=x.device)
    up[:, :, ::2, ::2] = x
    return _filter(up, KERNEL * 4.0)[:, :, : size[0], : size[1]]


def laplacian_pyramid(x: torch.Tensor, num_levels: int) -> list[torch.Tensor]:
    """Band-pass levels, finest first; the last level is the low-pass residual."""
    pyramid = [x.float()]
    for _ in range(1, num_levels):
        down = pyr_down(pyramid[-1])
        pyramid[-1] = pyramid[-1] - pyr_up(down, tuple(pyramid[-1].shape[2:]))
        pyramid.append(down)
    return pyramid


def descriptors(level: torch.Tensor, generator: torch.Generator, nhoods_per_image: int = NHOODS_PER_IMAGE,
                nhood_size: int = NHOOD_SIZE) -> torch.Tensor:
    """``nhoods_per_image`` random ``nhood_size``² neighbourhoods of every image, all channels:
    ``(N * nhoods, C, k, k)`` (the authors' ``get_descriptors_for_minibatch``)."""
    n, c, h, w = level.shape
    half = nhood_size // 2
    if h < nhood_size or w < nhood_size:
        raise ValueError(f"swd: a pyramid level of {h}x{w} px is smaller than the {nhood_size}x{nhood_size} patches")
    m = n * nhoods_per_image
    ys = torch.randint(half, h - half, (m,), generator=generator).to(level.device)
    xs = torch.randint(half, w - half, (m,), generator=generator).to(level.device)
    img = torch.arange(n, device=level.device).repeat_interleave(nhoods_per_image)
    off = torch.arange(-half, half + 1, device=level.device)
    rows = (ys[:, None] + off[None, :])[:, None, :, None]  # (m, 1, k, 1)
    cols = (xs[:, None] + off[None, :])[:, None, None, :]  # (m, 1, 1, k)
    chans = torch.arange(c, device=level.device)[None, :, None, None]
    return level[img[:, None, None, None], chans, rows, cols]


def finalize(desc: torch.Tensor) -> torch.Tensor:
    """Normalise per channel over neighbourhoods and pixels, then flatten (``finalize_descriptors``)."""
    desc = desc - desc.mean(dim=(0, 2, 3), keepdim=True)
    desc = desc / desc.std(dim=(0, 2, 3), keepdim=True, unbiased=False).clamp_min(1e-8)
    return desc.reshape(desc.shape[0], -1)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, generator: torch.Generator,
                       dir_repeats: int = DIR_REPEATS, dirs_per_repeat: int = DIRS_PER_REPEAT) -> float:
    """Mean over random unit directions of the 1-D Wasserstein-1 distance of the projections."""
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"swd: descriptor sets must have one shape (N, D), got {tuple(a.shape)} and {tuple(b.shape)}")
    results = []
    for _ in range(dir_repeats):
        dirs = torch.randn(a.shape[1], dirs_per_repeat, generator=generator).to(a.device, a.dtype)
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        pa, pb = _sorted_columns(a @ dirs), _sorted_columns(b @ dirs)
        results.append(float((pa - pb).abs().mean()))
    return sum(results) / len(results)


def _sorted_columns(x: torch.Tensor) -> torch.Tensor:
    """Each column sorted; numpy's sort on the CPU (several times faster than torch's there)."""
    if x.device.type != "cpu":
        return torch.sort(x, dim=0).values
    return torch.from_numpy(np.sort(x.T.contiguous().numpy(), axis=1)).T


def to_255(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] images as the authors feed them: 0..255, rounded (uint8 values), float."""
    return ((images.float().clamp(-1, 1) + 1) * 127.5).round()


def multiscale_swd(real: torch.Tensor, fake: torch.Tensor, seed: int = 0, *,
                   min_resolution: int = MIN_RESOLUTION, nhoods_per_image: int = NHOODS_PER_IMAGE,
                   dir_repeats: int = DIR_REPEATS, dirs_per_repeat: int = DIRS_PER_REPEAT,
                   batch: int = 512) -> dict[int, float]:
    """SWD x 10^3 per pyramid resolution between two equally large sets of [-1, 1] images
    ``(N, C, H, W)``. The patch positions and directions come from ``seed``."""
    if real.shape != fake.shape or real.ndim != 4:
        raise ValueError(f"swd: real and generated images must have one shape (N, C, H, W), got "
                         f"{tuple(real.shape)} and {tuple(fake.shape)}")
    res = levels_for(real.shape[2], min_resolution)
    if not res:
        raise ValueError(f"swd: images of {real.shape[2]} px are smaller than the {min_resolution} px the pyramid starts at")
    descs: dict[str, list[list[torch.Tensor]]] = {}
    for name, images in (("real", real), ("fake", fake)):
        g = torch.Generator().manual_seed(seed)  # the same patch positions for image i of both sets
        per_level: list[list[torch.Tensor]] = [[] for _ in res]
        for i in range(0, images.shape[0], batch):
            for lod, level in enumerate(laplacian_pyramid(to_255(images[i : i + batch]), len(res))):
                per_level[lod].append(descriptors(level, g, nhoods_per_image))
        descs[name] = per_level
    out: dict[int, float] = {}
    g_dirs = torch.Generator().manual_seed(seed + 1)
    for lod, r in enumerate(res):
        a, b = finalize(torch.cat(descs["real"][lod])), finalize(torch.cat(descs["fake"][lod]))
        out[r] = 1e3 * sliced_wasserstein(a, b, g_dirs, dir_repeats, dirs_per_repeat)
    return out
