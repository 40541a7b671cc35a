"""A dataset through the ``ganbench_datasets`` hook: two interleaved half-moons in 2-D.

Unlike the Gaussian mixtures it has no discrete modes, only a curved support, so mode counting
does not apply; its default metric is the sliced Wasserstein distance (see ``swd.py``).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ganbench.api import Dataset, DatasetRequest

DEFAULTS: dict[str, Any] = {"n_samples": 20_000, "noise": 0.05, "data_seed": 0}


def make_moons(n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` points on two half circles (as scikit-learn's make_moons), centred and scaled to unit size."""
    g = torch.Generator().manual_seed(seed)
    which = torch.randint(2, (n,), generator=g)
    t = torch.rand(n, generator=g) * math.pi
    x = torch.where(which == 0, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(which == 0, torch.sin(t), 0.5 - torch.sin(t))
    pts = torch.stack([x - 0.5, y - 0.25], dim=1)
    return pts + noise * torch.randn(n, 2, generator=g), which


def load_moons(req: DatasetRequest) -> Dataset:
    unknown = set(req.params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(sorted(unknown))} for dataset 'two-moons'; "
                         f"known: {', '.join(sorted(DEFAULTS))}")
    p = {**DEFAULTS, **req.params}
    if int(p["n_samples"]) < 2 or float(p["noise"]) < 0:
        raise ValueError("dataset 'two-moons': n_samples must be >= 2 and noise >= 0")
    data, which = make_moons(int(p["n_samples"]), float(p["noise"]), int(p["data_seed"]))
    return Dataset(name="two-moons", kind="vector", data=data.to(req.device), info={"params": p, "moon": which})
