"""Caption fidelity: does a generated image show the digits its caption names, where it names them?

For every image: cut the four 30x30 quadrants (centre 28x28 crop of each), call a quadrant
occupied when its mean ink (pixels in [0, 1]) exceeds ``INK_THRESHOLD``, classify every occupied
quadrant with the dataset's own MNIST classifier (ganbench's MNIST CNN, the evaluator FID uses
for MNIST), and compare the (digit, quadrant) set with the caption's:

* ``caption_accuracy``: share of images whose detected set equals the caption's exactly
  (right digits, right places, nothing extra);
* ``digit_accuracy``: share of captioned digits found in their quadrant with the right class;
* ``count_accuracy``: share of images with as many occupied quadrants as the caption names digits.

The real images of the same captions are scored alike (``*_real``): the ceiling the locator and
classifier allow. ``caption_fid`` is the Fréchet distance between generated and real images in
the classifier's feature space (features of the four quadrant crops, concatenated).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import scipy.linalg
import torch

from ganbench.api import Dataset, MetricContext, MetricSpec, MetricValue, feature_extractor

from . import captions

INK_THRESHOLD = 0.04
"""Mean ink of a quadrant that holds a digit: real digits give about 0.10-0.20 (an MNIST digit covers
~19 % of its 28x28 box), an empty quadrant 0."""


def quadrant_crops(images: torch.Tensor) -> torch.Tensor:
    """(N, 1, 60, 60) -> (N, 4, 1, 28, 28): the centre 28x28 of each 30x30 quadrant, POSITIONS order."""
    off = (captions.QUAD - 28) // 2
    crops = [images[:, :, r + off : r + off + 28, c + off : c + off + 28] for r, c in captions.QUADRANT_ORIGIN]
    return torch.stack(crops, 1)


def detect(images: torch.Tensor, classify) -> list[set[tuple[int, int]]]:
    """The (digit, quadrant) pairs seen in each image; ``classify`` maps (M, 1, 28, 28) crops to labels."""
    crops = quadrant_crops(images)
    ink = ((crops + 1) / 2).clamp(0, 1).mean(dim=(2, 3, 4))  # (N, 4)
    occupied = ink > INK_THRESHOLD
    labels = classify(crops.reshape(-1, 1, 28, 28)).reshape(-1, 4)
    return [{(int(labels[i, q]), q) for q in range(4) if occupied[i, q]} for i in range(images.shape[0])]


def score(found: list[set[tuple[int, int]]], wanted: list[list[tuple[int, int]]]) -> dict[str, float]:
    exact = sum(f == set(w) for f, w in zip(found, wanted))
    digits = sum(len(f & set(w)) for f, w in zip(found, wanted))
    counts = sum(len(f) == len(w) for f, w in zip(found, wanted))
    total = sum(len(w) for w in wanted)
    n = len(wanted)
    return {"caption_accuracy": exact / n, "digit_accuracy": digits / max(total, 1), "count_accuracy": counts / n}


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    offset = np.eye(cov_a.shape[0]) * 1e-6  # empty quadrants give singular covariances (the pytorch-fid fix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        covmean = np.asarray(scipy.linalg.sqrtm((cov_a + offset) @ (cov_b + offset))).real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * covmean))


def applies(ds: Dataset) -> bool:
    return ds.kind == "image" and ds.info.extra.get("caption_grammar") == captions.GRAMMAR


def compute(ctx: MetricContext) -> Mapping[str, MetricValue]:
    ds = ctx.dataset
    if ctx.labels is None or ctx.labels.ndim != 2:
        raise ValueError("caption-fidelity: the samples carry no captions (is the model text-conditioned?)")
    n = ctx.samples.shape[0]
    idx = torch.arange(n) % len(ds)  # the harness draws the eval captions as the first n, cycled
    real = ds.data[idx.to(ds.data.device)]
    wanted = [captions.parse(t) for t in ctx.labels.cpu().numpy()]
    probe = Dataset("mnist", "image", ds.data[:0, :, :28, :28], info={"evaluator": "mnist", "root": ds.info.root})
    ext = feature_extractor(probe, ctx.device, ctx.options)

    def feats_logits(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        u8 = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return ext.extract(u8, 256)

    def classify(crops: torch.Tensor) -> torch.Tensor:
        return feats_logits(crops)[1].argmax(1).cpu()

    out: dict[str, MetricValue] = {}
    note = (f"{n} images; quadrant occupied when mean ink > {INK_THRESHOLD}; digits by {ext.name}; "
            f"captions of grammar {captions.GRAMMAR}")
    for suffix, images in (("", ctx.samples), ("_real", real)):
        s = score(detect(images, classify), wanted)
        for key, v in s.items():
            out[key + suffix] = MetricValue(v, "higher", ext.name, n if not suffix else None, n if suffix else None,
                                            note=note + ("; real images of the same captions: the ceiling" if suffix else ""))
    f_fake = feats_logits(quadrant_crops(ctx.samples).reshape(-1, 1, 28, 28))[0].reshape(n, -1).double().cpu().numpy()
    f_real = feats_logits(quadrant_crops(real).reshape(-1, 1, 28, 28))[0].reshape(n, -1).double().cpu().numpy()
    out["caption_fid"] = MetricValue(frechet(f_fake, f_real), "lower", ext.name, n, n,
                                     note=f"FID on {ext.name} features of the four quadrant crops (concatenated), "
                                          f"generated vs the real images of the same captions")
    return out


SPEC = MetricSpec(
    name="caption-fidelity", compute=compute, applies_to=applies, version="1", api_version="1.4",
    description="Text-to-image on captioned MNIST: digits and positions of the samples vs their captions "
                "(real images: the ceiling), and FID on the MNIST classifier's features",
)
