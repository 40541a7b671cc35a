"""2-D mixtures of Gaussians: the ring of 8 and the grid of 25 of VEEGAN and PacGAN.

Settings follow PacGAN (Lin et al. 2018, after Srivastava et al. 2017), see docs/datasets.md:
ring: 8 modes at (cos 2πi/8, sin 2πi/8), radius 1, std 0.01; grid: 25 modes at {-4,-2,0,2,4}²,
std 0.05; 100,000 training samples drawn once (from ``data_seed``) so every run of a suite trains
on the same data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganbench.contract import Dataset, DatasetRequest, DatasetSpec
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data import check_params

RING_DEFAULTS: dict[str, Any] = {"modes": 8, "radius": 1.0, "std": 0.01, "n_samples": 100_000, "data_seed": 0}
GRID_DEFAULTS: dict[str, Any] = {"side": 5, "spacing": 2.0, "std": 0.05, "n_samples": 100_000, "data_seed": 0}


def ring_centers(modes: int = 8, radius: float = 1.0) -> torch.Tensor:
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return torch.stack([radius * torch.cos(angles), radius * torch.sin(angles)], dim=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> torch.Tensor:
    coords = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2) * spacing
    gx, gy = torch.meshgrid(coords, coords, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def sample_mixture(centers: torch.Tensor, std: float, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` samples of an equal-weight isotropic mixture, with the mode index of each."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(len(centers), (n,), generator=g)
    noise = torch.randn(n, centers.shape[1], generator=g, dtype=torch.float64) * std
    return (centers[idx] + noise).float(), idx


MAX_SAMPLES = 10_000_000


def _positive(params: dict[str, Any], *names: str) -> None:
    for name in names:
        v = params[name]
        if isinstance(v, bool) or not (isinstance(v, (int, float)) and 0 < v < float("inf")):
            raise ValueError(f"dataset parameter {name!r} must be a positive number, got {v!r}")
    if "n_samples" in names and params["n_samples"] > MAX_SAMPLES:
        raise ValueError(f"dataset parameter 'n_samples' must be <= {MAX_SAMPLES:,}, got {params['n_samples']!r}")


def check_ring(params: Mapping[str, Any]) -> dict[str, Any]:
    """The ring's params, checked without sampling (the suite loader calls it)."""
    p = check_params(dict(params), RING_DEFAULTS, "mog-ring8")
    _positive(p, "modes", "radius", "std", "n_samples")
    return p


def check_grid(params: Mapping[str, Any]) -> dict[str, Any]:
    p = check_params(dict(params), GRID_DEFAULTS, "mog-grid25")
    _positive(p, "side", "spacing", "std", "n_samples")
    return p


def _load(name: str, centers: torch.Tensor, p: dict[str, Any], req: DatasetRequest) -> Dataset:
    data, modes = sample_mixture(centers, float(p["std"]), int(p["n_samples"]), int(p["data_seed"]))
    return Dataset(
        name=name,
        kind="vector",
        data=data.to(req.device),
        labels=None,
        num_classes=None,
        info={"centers": centers.float(), "std": float(p["std"]), "modes": modes, "params": p},
    )


def load_ring(req: DatasetRequest) -> Dataset:
    p = check_ring(req.params)
    return _load("mog-ring8", ring_centers(int(p["modes"]), float(p["radius"])), p, req)


def load_grid(req: DatasetRequest) -> Dataset:
    p = check_grid(req.params)
    return _load("mog-grid25", grid_centers(int(p["side"]), float(p["spacing"])), p, req)


def _mixture_spec(name: str, load: Any, check: Any, defaults: dict[str, Any], description: str) -> DatasetSpec:
    """Both mixtures are 2-D vectors scored by the mode-coverage metric; only geometry differs."""
    return DatasetSpec(name, "vector", load, description=description, defaults=defaults, check_params=check,
                       default_metrics=("mog-modes",), api_version=API_VERSION)


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [
        _mixture_spec("mog-ring8", load_ring, check_ring, RING_DEFAULTS,
                      "2-D ring of 8 Gaussians, radius 1, std 0.01 (PacGAN/VEEGAN)"),
        _mixture_spec("mog-grid25", load_grid, check_grid, GRID_DEFAULTS,
                      "2-D 5x5 grid of Gaussians at {-4,-2,0,2,4}^2, std 0.05 (PacGAN/VEEGAN)"),
    ]
