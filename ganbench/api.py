"""The public plugin API: everything a plugin author imports from ganbench, and nothing else.

A plugin returns :class:`ModelSpec` objects from the ``ganbench_models`` hook (and
:class:`DatasetSpec`, :class:`MetricSpec`, :class:`SinkSpec` from the others), marking its hook
functions with :data:`hookimpl`. The harness owns the training loop, the budget, the seeds, the
clock and the metrics; a model only has to turn one batch of real data into one generator update
(``train_step``) and to draw samples (``sample``). That split is what makes every model measured
the same way.

Why a facade: the types live in :mod:`ganbench.contract` (the bottom of the import graph, which
ganbench's own modules import); this module sits at the top, re-exporting them with the helper
functions built-in metrics use (feature networks, reference statistics, FID from features), so a
third-party plugin can do anything the core does while importing one module only.

The contract is versioned (:data:`API_VERSION`); a spec declares the version it was written against
(``api_version``; undeclared reads as ``"1.0"``), and discovery refuses, with a clear message, a spec
that needs a newer API than the installed ganbench provides, or another major version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ganbench.contract.data import Dataset, DatasetInfo, DatasetRequest, DatasetSpec, Requirement
from ganbench.contract.latents import Encoding, LatentCode, StructuredCodes, can_encode, has_codes
from ganbench.contract.markers import hookimpl
from ganbench.contract.metric import MetricContext, MetricSpec, MetricValue
from ganbench.contract.model import DATA_KINDS, BuildContext, Capabilities, GANModel, ModelSpec, ReplicaGroup, pack, pack_labels
from ganbench.contract.sink import Sink, SinkContext, SinkEvent, SinkSpec
from ganbench.contract.training_progress import TrainingBudget, TrainingProgress, lr_factor, set_lr
from ganbench.contract.translation import TranslationBatch, TranslationDataset, TranslationEval, TranslationModel
from ganbench.contract.versions import API_VERSION, api_compatible
from ganbench.data import check_params, default_root
from ganbench.train.ema import EMA

if TYPE_CHECKING:
    from ganbench.metrics.extractors import Extractor
    from ganbench.metrics.refstats import RefStats


# --------------------------------------------------------------------------------------------
# For metric plugins: the feature networks, cached reference statistics and FID ganbench uses
# --------------------------------------------------------------------------------------------


def feature_extractor(dataset: Dataset, device: torch.device | str = "cpu",
                      options: Mapping[str, Any] | None = None) -> Extractor:
    """The feature network ganbench's own FID/KID use for ``dataset``: its trained classifier
    (``info.evaluator`` ``mnist``/``fashion-mnist``) or Inception-v3 for natural images.

    ``options`` are the suite's ``eval.options`` (``inception_weights``, ``fidelity_extractor``).
    Loaded once per process. Its ``name`` belongs in every :class:`MetricValue` you return
    (``extractor=``), so numbers from different networks are never compared.
    """
    from ganbench.metrics.fidelity import choose_extractor

    return choose_extractor(dataset, torch.device(device), options or {})


def image_features(extractor: Extractor, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Features of ``images`` (``(N, C, H, W)`` in [-1, 1], as models sample them), quantised to
    uint8 exactly as ganbench's FID does, computed batch by batch on the extractor's device."""
    from ganbench.metrics.fidelity import check_images, to_uint8

    check_images(images, "images")
    return extractor.extract(to_uint8(images, extractor.channels, "images"), batch_size)[0]


def reference_statistics(ctx: MetricContext, extractor: Extractor, n: int = 10_000,
                         n_features: int = 10_000, batch_size: int = 256) -> RefStats:
    """Mean, covariance and the first ``n_features`` features of ``n`` real images of the dataset
    (a fixed-seed random subset, the same for every run), cached under ``ctx.cache_dir``."""
    from ganbench.metrics.refstats import reference_stats

    ds = ctx.dataset

    def features_of(idx: torch.Tensor) -> torch.Tensor:
        return torch.cat([image_features(extractor, ds.data[idx[i : i + 10_000].to(ds.data.device)], batch_size).cpu()
                          for i in range(0, idx.shape[0], 10_000)])

    stats, _cached = reference_stats(ctx.cache_dir, ds, extractor.name, extractor.weights_id, n, n_features,
                                     features_of)
    return stats


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """The Fréchet distance ``||mu1 - mu2||² + Tr(S1 + S2 - 2 (S1 S2)^½)`` between two Gaussians, in
    float64, computed exactly as ganbench's own FID (torch-fidelity's formula): the number a metric
    reports as FID when the moments come from an extractor's features (e.g.
    :func:`reference_statistics`' ``mu``/``sigma`` against your samples')."""
    from ganbench.metrics.fidelity import fid_from_stats

    return fid_from_stats(mu1, sigma1, mu2, sigma2)


def fid_from_features(real: torch.Tensor, fake: torch.Tensor) -> float:
    """FID between two feature sets ``(N, D)`` (mean and unbiased covariance of each, then
    :func:`frechet_distance`), as the translation metric computes it from its own features. Each
    set needs more rows than columns for a full-rank covariance; fewer gives a number biased
    upward (compare only at equal ``N``)."""
    from ganbench.metrics.fidelity import fid_from_features as fid

    return fid(real, fake)


__all__ = [
    "Sink",
    "SinkContext",
    "SinkEvent",
    "SinkSpec",
    "TranslationBatch",
    "TranslationDataset",
    "TranslationEval",
    "TranslationModel",
    "EMA",
    "TrainingBudget",
    "TrainingProgress",
    "lr_factor",
    "set_lr",
    "Dataset",
    "DatasetRequest",
    "DatasetSpec",
    "Requirement",
    "MetricContext",
    "MetricSpec",
    "MetricValue",
    "API_VERSION",
    "DATA_KINDS",
    "BuildContext",
    "Capabilities",
    "GANModel",
    "ModelSpec",
    "api_compatible",
    "pack",
    "pack_labels",
    "hookimpl",
    "check_params",
    "default_root",
    "DatasetInfo",
    "ReplicaGroup",
    "feature_extractor",
    "image_features",
    "reference_statistics",
    "frechet_distance",
    "fid_from_features",
    "Encoding",
    "LatentCode",
    "StructuredCodes",
    "can_encode",
    "has_codes",
]
