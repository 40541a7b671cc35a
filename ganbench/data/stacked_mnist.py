"""Stacked MNIST: three independently drawn MNIST digits as the three channels, 1000 modes.

The VEEGAN/PacGAN protocol (Srivastava et al. 2017, Lin et al. 2018): 128,000 samples of
3x28x28 built from the MNIST training set; some follow-ups pad to 32x32 (``resolution: 32``).
The digits of each sample are drawn with replacement from ``data_seed``, so every run of a suite
trains on the same data. The label of a sample is its mode, ``100*d0 + 10*d1 + d2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params
from ganbench.data.images import check_resolution, pad_to
from ganbench.data.mnist import built_from, load_split

DEFAULTS: dict[str, Any] = {"n_samples": 128_000, "resolution": 28, "data_seed": 0, "split": "train"}
CHUNK = 16_384


def stack_indices(n_source: int, n: int, seed: int) -> torch.Tensor:
    """``(n, 3)`` source indices, one independent draw per channel."""
    g = torch.Generator().manual_seed(int(seed))
    return torch.randint(n_source, (n, 3), generator=g)


def build_stacked(
    images_u8: torch.Tensor, labels: torch.Tensor, n: int, seed: int, resolution: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stacked images ``(n, 3, R, R)`` in [-1, 1] on ``device`` and their modes (0..999).

    Built in chunks straight into the device tensor, so peak memory is the result plus one chunk.
    """
    idx = stack_indices(images_u8.shape[0], n, seed)
    out = torch.empty((n, 3, resolution, resolution), dtype=torch.float32, device=device)
    src = images_u8.to(device)
    for start in range(0, n, CHUNK):
        part = idx[start : start + CHUNK].to(device)
        x = src[part].float().div_(127.5).sub_(1.0)  # (k, 3, 28, 28)
        out[start : start + part.shape[0]] = pad_to(x, resolution)
    digits = labels[idx]
    modes = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
    return out, modes.to(device)


MAX_SAMPLES = 2_000_000


def check(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params checked when the suite loads (unknown names, resolution, sample count)."""
    p = check_params(dict(params), DEFAULTS, "stacked-mnist")
    check_resolution(p, "stacked-mnist")
    n = p["n_samples"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"dataset 'stacked-mnist': n_samples must be an integer in 1..{MAX_SAMPLES:,}, got {n!r}")
    return p


def load(req: DatasetRequest) -> Dataset:
    p = check(req.params)
    res = check_resolution(p, "stacked-mnist")
    n = p["n_samples"]
    try:
        images, labels = load_split(req.root, "mnist", str(p["split"]), req.download)
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"stacked-mnist is built from MNIST, which is not available: {exc}") from None
    data, modes = build_stacked(images, labels, n, int(p["data_seed"]), res, req.device)
    info = {"evaluator": "mnist", "digit_channels": 3, "resolution": res, "params": p, "root": str(req.root)}
    return Dataset("stacked-mnist", "image", data, modes, 1000, info)


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    description = "Stacked MNIST: 3 random MNIST digits as RGB channels, 1000 modes (VEEGAN/PacGAN), 128k samples"
    return [DatasetSpec("stacked-mnist", "image", load, description=description, defaults=DEFAULTS,
                        check_params=check, **built_from("mnist", "stacked-mnist"), api_version=API_VERSION)]
