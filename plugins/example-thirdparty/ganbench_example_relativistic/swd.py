"""A metric through the ``ganbench_metrics`` hook: sliced Wasserstein distance to the data.

SWD_1(P, Q) = E_θ W_1(θ·P, θ·Q) over random unit directions θ; for 1-D projections W_1 is the
mean absolute difference of sorted samples (Rabin et al. 2011; Deshpande et al., CVPR 2018).
It needs no feature extractor and no modes, so it fits any low-dimensional vector dataset.
"""

from __future__ import annotations

import torch

from ganbench.api import Dataset, MetricContext, MetricValue

PROJECTIONS = 128


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, projections: int = PROJECTIONS, seed: int = 0) -> float:
    a = a.reshape(a.shape[0], -1).double().cpu()
    b = b.reshape(b.shape[0], -1).double().cpu()
    n = min(len(a), len(b))
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(a.shape[1], projections, generator=g, dtype=torch.float64)
    dirs /= dirs.norm(dim=0, keepdim=True)
    pa, _ = (a[:n] @ dirs).sort(dim=0)
    pb, _ = (b[:n] @ dirs).sort(dim=0)
    return float((pa - pb).abs().mean())


def applies(ds: Dataset) -> bool:
    return ds.kind == "vector" and ds.data.ndim == 2 and ds.data.shape[1] <= 64


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    n = int(ctx.samples.shape[0])
    g = torch.Generator().manual_seed(int(ctx.options.get("swd_seed", 0)))
    idx = torch.randperm(len(ctx.dataset), generator=g)[:n].to(ctx.dataset.data.device)
    real = ctx.dataset.data[idx]
    value = sliced_wasserstein(ctx.samples, real, int(ctx.options.get("swd_projections", PROJECTIONS)))
    return {"swd": MetricValue(value, "lower", n_samples=n, n_real=len(real),
                               note="sliced Wasserstein-1 distance to real samples")}
