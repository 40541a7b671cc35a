"""``pixel-agreement``: CoGAN's measure of a learned joint distribution (Liu & Tuzel 2016, Table 1).

A model trained on ``mnist-pairs`` generates pairs (channel 0 in domain 1, channel 1 in domain 2)
from one latent. If it learned the joint distribution, the second image is the first one's
transform (its edges, its negative). The pixel agreement ratio is the share of pixels on which the
transformed first image and the second image agree, both binarised at half intensity, averaged
over the generated pairs. Domain 1 must be ``digits`` or ``negative`` (a transform we can undo to
recover the digit); a model that ignores the correspondence scores the agreement of two unrelated
digits (about 0.8 for digits/edges, mostly the shared background).
"""

from __future__ import annotations

import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.data.domain_pairs import transform

UNDO = {"digits": lambda x: x, "negative": lambda x: -x}
"""Domain-1 transforms that can be undone exactly on [-1, 1] images (back to the digit)."""


def _pair(ds: Dataset) -> list[str] | None:
    pair = ds.info.extra.get("domain_pair") if ds.info.extra else None
    return list(pair) if isinstance(pair, (list, tuple)) and len(pair) == 2 else None


def applies(ds: Dataset) -> bool:
    pair = _pair(ds)
    return pair is not None and pair[0] in UNDO and ds.sample_shape[:1] == (2,)


def expected_second(first: torch.Tensor, domains: list[str]) -> torch.Tensor:
    """What the domain-2 image of a pair should be, given its domain-1 image ``(N, 1, H, W)``."""
    return transform(domains[1], UNDO[domains[0]](first))


def agreement(samples: torch.Tensor, domains: list[str]) -> torch.Tensor:
    """Per-pair pixel agreement ratio of ``(N, 2, H, W)`` pairs in [-1, 1]."""
    x = samples.detach().float()
    want = expected_second(x[:, :1], domains) > 0
    got = x[:, 1:2] > 0
    return (want == got).float().mean(dim=(1, 2, 3))


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    pair = _pair(ctx.dataset)
    if pair is None or pair[0] not in UNDO:
        raise ValueError("pixel-agreement needs an mnist-pairs dataset whose first domain is digits or negative")
    ratio = agreement(ctx.samples, pair)
    if ctx.final:
        k = min(10, ctx.samples.shape[0])
        first, second = ctx.samples[:k, :1].cpu(), ctx.samples[:k, 1:2].cpu()
        grid = torch.stack([first, second, expected_second(first, pair)])  # (3, k, 1, H, W)
        ctx.figures[f"pairs ({pair[0]} / {pair[1]} / expected {pair[1]})"] = grid.clamp(-1, 1).numpy()
    return {
        "pixel_agreement": MetricValue(
            float(ratio.mean()), "higher", n_samples=int(ratio.numel()),
            note=f"share of pixels where T(first) and second agree, binarised at 0.5; T: {pair[0]} -> {pair[1]}",
        )
    }


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = "CoGAN's pixel agreement ratio of generated domain pairs (Liu & Tuzel 2016, Table 1)"
    return [MetricSpec("pixel-agreement", compute, applies_to=applies, description=description, version="1", api_version=API_VERSION)]
