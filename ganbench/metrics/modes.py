"""Mode-collapse metrics on mixtures of Gaussians (PacGAN/VEEGAN protocol).

Rules of the PacGAN code: each sample is assigned to its nearest centre (distance measured in
units of the mode's std); it is *high quality* when that distance is below 3 std; a mode is
*captured* when at least one high-quality sample lands on it; reverse KL is
KL(histogram of the high-quality samples over modes || uniform).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION

HQ_STDS = 3.0


@dataclass(frozen=True)
class MixtureScore:
    modes_covered: int
    n_modes: int
    hq_share: float
    reverse_kl: float
    counts: np.ndarray


def kl_to_uniform(counts: np.ndarray) -> float:
    """KL(p || uniform) of a histogram, with 0·log 0 = 0. A histogram with no mass scores the
    worst case log K (as if everything sat on one mode): no sample, no diversity."""
    counts = np.asarray(counts, dtype=np.float64)
    k = counts.size
    total = counts.sum()
    if total <= 0:
        return math.log(k)
    p = counts[counts > 0] / total
    return float(np.sum(p * np.log(p * k)))


def score_mixture(samples: torch.Tensor, centers: torch.Tensor, std: float) -> MixtureScore:
    """Score 2-D (or any-D) samples against mixture centres with a shared isotropic std."""
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples of shape {tuple(samples.shape)} do not match centres {tuple(centers.shape)}")
    x = samples.detach().to("cpu", torch.float64)
    c = centers.detach().to("cpu", torch.float64)
    dist = torch.cdist(x, c) / std
    nearest_d, nearest = dist.min(dim=1)
    hq = nearest_d < HQ_STDS
    counts = torch.bincount(nearest[hq], minlength=len(c)).numpy()
    return MixtureScore(
        modes_covered=int((counts > 0).sum()),
        n_modes=len(c),
        hq_share=float(hq.double().mean()) if len(x) else 0.0,
        reverse_kl=kl_to_uniform(counts),
        counts=counts,
    )


def _is_mixture(ds: Dataset) -> bool:
    return "centers" in ds.info and "std" in ds.info


def compute_mog(ctx: MetricContext) -> dict[str, MetricValue]:
    s = score_mixture(ctx.samples, ctx.dataset.info["centers"], ctx.dataset.info["std"])
    n = int(ctx.samples.shape[0])
    return {
        "modes": MetricValue(s.modes_covered, "higher", n_samples=n, note=f"out of {s.n_modes}"),
        "hq_share": MetricValue(s.hq_share, "higher", n_samples=n, note="within 3 std of a centre"),
        "reverse_kl": MetricValue(s.reverse_kl, "lower", n_samples=n, note="KL(HQ mode histogram || uniform)"),
    }


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = "Modes captured, high-quality share and reverse KL on Gaussian mixtures (PacGAN)"
    return [MetricSpec("mog-modes", compute_mog, applies_to=_is_mixture, description=description, api_version=API_VERSION)]
