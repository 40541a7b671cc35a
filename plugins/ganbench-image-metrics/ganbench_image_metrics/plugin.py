"""ganbench plugin module: the ``swd`` and ``ms-ssim`` metric families for every image dataset."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from ganbench.api import Dataset, MetricContext, MetricSpec, MetricValue, hookimpl

from . import __version__
from .msssim import mean_pair_ms_ssim, scales_for
from .swd import DIR_REPEATS, DIRS_PER_REPEAT, NHOOD_SIZE, NHOODS_PER_IMAGE, levels_for, multiscale_swd

SWD_IMAGES = 2048
"""Images per side by default (the paper: 16,384; set ``eval.options.swd_images``)."""
MS_SSIM_PAIRS = 1000
SEED = 12345
"""Patch positions, directions and pairs come from this seed: every model is measured alike."""


def _real_subset(ds: Dataset, n: int) -> torch.Tensor:
    """The first ``n`` of a fixed permutation of the dataset: the same real images for every run."""
    if len(ds) < n:
        raise ValueError(f"dataset {ds.name!r} has {len(ds)} images, fewer than the {n} the metric compares")
    idx = torch.randperm(len(ds), generator=torch.Generator().manual_seed(SEED))[:n]
    return ds.data[idx.to(ds.data.device)]


def _is_generated_image(ds: Dataset) -> bool:
    return ds.kind == "image" and getattr(ds, "task", "generate") == "generate" and type(ds).__name__ != "TranslationDataset"


def _applies_swd(ds: Dataset) -> bool:
    return _is_generated_image(ds) and ds.data.ndim == 4 and bool(levels_for(min(ds.data.shape[2:])))


def _applies_ms_ssim(ds: Dataset) -> bool:
    if not (_is_generated_image(ds) and ds.data.ndim == 4):
        return False
    try:
        scales_for(min(ds.data.shape[2:]))
    except ValueError:
        return False
    return True


def _count(ctx: MetricContext, key: str, default: int) -> int:
    value = ctx.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValueError(f"eval.options.{key} must be an integer of at least 2, got {value!r}")
    return value


def compute_swd(ctx: MetricContext) -> Mapping[str, MetricValue]:
    n = min(_count(ctx, "swd_images", SWD_IMAGES), ctx.samples.shape[0], len(ctx.dataset))
    fake = ctx.samples[:n]
    real = _real_subset(ctx.dataset, n).to(fake.device)
    per_level = multiscale_swd(real, fake, SEED)
    proto = (f"SWD x 1e3 (Karras et al. 2018): Laplacian pyramid, {NHOODS_PER_IMAGE} {NHOOD_SIZE}x{NHOOD_SIZE} "
             f"patches per image, descriptors normalised per channel, {DIR_REPEATS}x{DIRS_PER_REPEAT} directions, "
             f"{n} generated vs {n} real images")
    out = {f"swd_{res}": MetricValue(v, "lower", None, n, n, note=f"{proto}; level {res} px")
           for res, v in per_level.items()}
    out["swd_avg"] = MetricValue(sum(per_level.values()) / len(per_level), "lower", None, n, n,
                                 note=f"{proto}; mean over levels {', '.join(map(str, per_level))} px")
    return out


def compute_ms_ssim(ctx: MetricContext) -> Mapping[str, MetricValue]:
    pairs = _count(ctx, "ms_ssim_pairs", MS_SSIM_PAIRS)
    n = min(ctx.samples.shape[0], len(ctx.dataset))
    fake = mean_pair_ms_ssim(ctx.samples, pairs, SEED)
    real = mean_pair_ms_ssim(_real_subset(ctx.dataset, n), pairs, SEED)
    scales = scales_for(min(ctx.samples.shape[2:]))
    proto = (f"mean MS-SSIM (torchmetrics, {scales} of Wang's 5 scales, 11-px Gaussian window) over {pairs} random "
             f"pairs of distinct images")
    return {
        "ms_ssim": MetricValue(fake, None, None, ctx.samples.shape[0], note=f"{proto} of the generated samples; "
                               "higher = less diverse, compare with ms_ssim_real"),
        "ms_ssim_real": MetricValue(real, None, None, None, n, note=f"{proto} of {n} real images: the target"),
        "ms_ssim_gap": MetricValue(abs(fake - real), "lower", None, ctx.samples.shape[0], n,
                                   note="|ms_ssim - ms_ssim_real|: distance from the real data's diversity"),
    }


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [
        MetricSpec(
            name="swd", compute=compute_swd, applies_to=_applies_swd, final_only=True, version=__version__, api_version="1.4",
            description="ProGAN's multi-scale sliced Wasserstein distance (x1e3) per Laplacian-pyramid level, 7x7 patches",
        ),
        MetricSpec(
            name="ms-ssim", compute=compute_ms_ssim, applies_to=_applies_ms_ssim, final_only=True, version=__version__, api_version="1.4",
            description="MS-SSIM of random pairs of samples (diversity), beside the real data's value",
        ),
    ]
