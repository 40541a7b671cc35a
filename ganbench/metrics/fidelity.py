"""Image-quality metrics (family ``fidelity``): IS, FID, KID, precision/recall, density/coverage.

The numbers come from torch-fidelity's own functions (``isc_features_to_metric``,
``fid_features_to_statistics`` + ``fid_statistics_to_metric``, ``kid_features_to_metric``,
``prc_features_to_metric``) applied to features of its own extractor classes; ganbench only feeds
them: samples are already on the run's device, so the extractor runs there directly instead of
through ``calculate_metrics`` (whose DataLoader workers and ``cuda=True`` default suit image
folders, not tensors on a GPU), and the real side's statistics come from the on-disk cache of
:mod:`ganbench.metrics.refstats`.

NumPy 2 and torch-fidelity 0.4 (worked around here; NumPy is not pinned):

* found by running it: its generative-model input path (``utils.get_featuresdict_from_generative_model``)
  calls ``rng.randint(..., dtype=np.int)`` for conditional models, and ``np.int`` no longer exists
  (AttributeError under NumPy 2). ganbench never hands it a model: it extracts features itself
  and calls the ``*_features_to_metric`` functions.
* its on-disk cache pickles NumPy arrays with ``torch.save`` (loaded with ``weights_only=False``);
  pickles written under NumPy 2 reference ``numpy._core``, which older NumPy 1.x cannot import.
  ganbench keeps its own pickle-free ``.npz`` cache (:mod:`ganbench.metrics.refstats`).

Precision choices (not NumPy-2 specific): torch-fidelity takes the FID mean in the features' dtype
(float32) and asserts both sides share a dtype, and its KID kernel stays in the features' dtype;
ganbench feeds both float64 features, so FID and KID are float64 throughout.

Sample counts are suite fields (``eval.options``): ``fid_n_samples`` generated samples at the final
evaluation (default: all ``eval.n_samples`` drawn; the CIFAR-10 protocol is 50,000),
``fid_n_samples_intermediate`` at intermediate ones (default 10,000), ``fid_n_real`` real images
for the FID moments (default 50,000 or the whole split), ``prdc_n_real`` real features kept for
KID and precision/recall (default 10,000). The counts used are stored with every number.

Stacked MNIST (three digits as RGB channels) is skipped: its mode metric (modes covered and KL
over 1000 modes) is the protocol there, and no extractor of ours sees 3-channel digits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.translation import is_translation
from ganbench.contract.versions import API_VERSION
from ganbench.metrics import prdc as prdc_mod
from ganbench.metrics.preprocess import quantise
from ganbench.metrics.refstats import reference_stats

if TYPE_CHECKING:
    from ganbench.metrics.extractors import Extractor

# torch-fidelity (and torchvision under it) is imported only when a metric is computed, so that
# loading the plugin registry (`ganbench plugins`, `--help`) stays fast.
INCEPTION_NAME = "inception-v3"
MNIST_NAME = "ganbench-mnist-cnn"

log = logging.getLogger(__name__)

FAMILY = "fidelity"
RANGE_TOL = 1e-3

DEFAULTS: dict[str, Any] = {
    "fid_n_samples": None,
    "fid_n_samples_intermediate": 10_000,
    "fid_n_real": 50_000,
    "prdc_n_real": 10_000,
    "prdc_n_samples": 10_000,
    "is_splits": 10,
    "kid_subsets": 100,
    "kid_subset_size": 1000,
    "pr_k": prdc_mod.PR_K,
    "dc_k": prdc_mod.DC_K,
    "fidelity_intermediate": True,
    "fidelity_extractor": "auto",
    "fidelity_batch_size": None,
    "inception_weights": None,
    "inception_download": True,
    "evaluator_root": None,
}


class FidelityInputError(ValueError):
    """Images a metric cannot score (NaN, out of range, wrong channels)."""


# --------------------------------------------------------------------------------------------
# The numbers (thin wrappers over torch-fidelity, float64)
# --------------------------------------------------------------------------------------------


def fid_from_stats(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """FID = ||mu1 - mu2||² + Tr(S1 + S2 - 2 (S1 S2)^½), in float64.

    torch-fidelity takes Tr((S1 S2)^½) as the sum of the square roots of the eigenvalues of S1 S2
    (computed as complex numbers, keeping the real part): the tiny imaginary parts and negative
    eigenvalues that round-off gives a product of PSD matrices are dropped, as the reference
    implementations (TTUR, pytorch-fid) do with ``scipy.linalg.sqrtm(...).real``.
    """
    from torch_fidelity.metric_fid import fid_statistics_to_metric

    st1 = {"mu": np.asarray(mu1, np.float64), "sigma": np.asarray(sigma1, np.float64)}
    st2 = {"mu": np.asarray(mu2, np.float64), "sigma": np.asarray(sigma2, np.float64)}
    return float(fid_statistics_to_metric(st1, st2, verbose=False)["frechet_inception_distance"])


def feature_stats(features: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance in float64, by torch-fidelity's ``fid_features_to_statistics``."""
    from torch_fidelity.metric_fid import fid_features_to_statistics

    st = fid_features_to_statistics(features.detach().cpu().double())
    return st["mu"], st["sigma"]


def fid_from_features(real: torch.Tensor, fake: torch.Tensor) -> float:
    """FID between two feature sets (each needs more rows than columns for a full-rank covariance)."""
    return fid_from_stats(*feature_stats(real), *feature_stats(fake))


def small_n_note(n_generated: int, n_real: int, dims: int) -> str:
    """FID with no more samples than feature dims is defined (the formula needs no inverse) but its
    covariance estimate is rank-deficient and the value is biased upward, more so the smaller n."""
    return (f"biased upward: {min(n_generated, n_real)} samples ≤ {dims} feature dims (rank-deficient "
            f"covariance; {n_generated} generated, {n_real} real); compare only at equal n")


def inception_score(logits: torch.Tensor, splits: int = 10) -> tuple[float, float]:
    """IS = exp(E KL(p(y|x) || p(y))) over ``splits`` splits: mean and std (torch-fidelity)."""
    from torch_fidelity.metric_isc import isc_features_to_metric

    out = isc_features_to_metric(logits.detach().cpu().double(), splits=splits, shuffle=True, rng_seed=2020)
    return float(out["inception_score_mean"]), float(out["inception_score_std"])


def kid(real: torch.Tensor | np.ndarray, fake: torch.Tensor | np.ndarray, subsets: int = 100,
        subset_size: int = 1000) -> tuple[float, float]:
    """KID: unbiased MMD² with the cubic polynomial kernel, mean and std over random subsets
    (torch-fidelity's ``kid_features_to_metric``, fed float64)."""
    from torch_fidelity.metric_kid import kid_features_to_metric

    r = torch.as_tensor(np.asarray(real.detach().cpu() if torch.is_tensor(real) else real), dtype=torch.float64)
    f = torch.as_tensor(np.asarray(fake.detach().cpu() if torch.is_tensor(fake) else fake), dtype=torch.float64)
    out = kid_features_to_metric(f, r, kid_subsets=subsets, kid_subset_size=subset_size, verbose=False)
    return float(out["kernel_inception_distance_mean"]), float(out["kernel_inception_distance_std"])


# --------------------------------------------------------------------------------------------
# Images -> extractor input
# --------------------------------------------------------------------------------------------


def check_images(x: torch.Tensor, what: str) -> None:
    """Generated or real images must be finite ``(N, C, H, W)`` in [-1, 1]: never scored otherwise."""
    if not torch.is_tensor(x) or x.ndim != 4:
        raise FidelityInputError(f"{what}: expected an (N, C, H, W) image tensor, got {getattr(x, 'shape', type(x))}")
    if not torch.isfinite(x).all():
        raise FidelityInputError(f"{what}: contain NaN or inf values")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1 - RANGE_TOL or hi > 1 + RANGE_TOL:
        raise FidelityInputError(f"{what}: values in [{lo:.3g}, {hi:.3g}], images must be in [-1, 1]")


def to_uint8(x: torch.Tensor, channels: int, what: str) -> torch.Tensor:
    """[-1, 1] float -> uint8 [0, 255] (as a saved PNG would be), with the channels the extractor takes.

    Grey images are repeated to RGB for Inception; anything else with the wrong channel count is an error.
    """
    c = x.shape[1]
    if c != channels:
        if c == 1 and channels == 3:
            x = x.expand(-1, 3, -1, -1)
        else:
            raise FidelityInputError(f"{what}: {c} channels, the extractor takes {channels}")
    return quantise(x)  # the one preprocessing path of every classifier-based metric


# --------------------------------------------------------------------------------------------
# The metric family
# --------------------------------------------------------------------------------------------


def _root(ds: Dataset, opts: Mapping[str, Any]) -> Path:
    from ganbench.data import default_root

    for value in (opts.get("evaluator_root"), ds.info.get("root"), ds.info.get("data_root")):
        if value:
            return Path(value).expanduser()
    return default_root()


def choose_extractor(ds: Dataset, device: torch.device, opts: Mapping[str, Any]) -> Extractor:
    """The dataset's own classifier (its ``info["evaluator"]`` tag: ``mnist``, ``fashion-mnist``),
    Inception-v3 for natural images (tag ``inception`` or none). Never another dataset's classifier:
    a tag without a trained evaluator, or a suite forcing one dataset's CNN onto another dataset,
    raises :class:`~ganbench.metrics.evaluator.EvaluatorUnavailable`."""
    from ganbench.metrics.evaluator import EVALUATORS, EvaluatorUnavailable, spec_for
    from ganbench.metrics.extractors import load_inception, load_mnist_extractor, resolve_inception_weights

    which = opts.get("fidelity_extractor") or "auto"
    tag = ds.info.get("evaluator")
    cnn = {spec.name: key for key, spec in EVALUATORS.items()}
    if which not in ("auto", INCEPTION_NAME, *cnn):
        raise ValueError(f"eval.options.fidelity_extractor: {which!r} is not one of auto, {INCEPTION_NAME}, {', '.join(cnn)}")
    if which in cnn and cnn[which] != tag:
        raise EvaluatorUnavailable(
            f"eval.options.fidelity_extractor: {which} is the {cnn[which]} classifier and dataset {ds.name!r} is "
            f"not {cnn[which]} data; never score one dataset with another's classifier"
        )
    if which in cnn or (which == "auto" and tag not in (None, "inception")):
        spec_for(str(tag))  # refuses a tag that has no evaluator of its own
        return load_mnist_extractor(_root(ds, opts), device, str(tag))
    weights = resolve_inception_weights(opts.get("inception_weights"), download=bool(opts.get("inception_download", True)))
    return load_inception(weights, device)


def applies(ds: Dataset) -> bool:
    """Image datasets, except stacked MNIST (3 digit channels: its mode metric covers it) and
    translation datasets (the ``translation`` metric scores those against each target domain)."""
    if ds.kind != "image" or is_translation(ds):
        return False
    return not (ds.info.get("evaluator") == "mnist" and ds.sample_shape[0] != 1)


@dataclass
class Timing:
    """Where the time of the last evaluation went (for logs and benchmarks)."""

    generated_s: float = 0.0
    reference_s: float = 0.0
    reference_cached: bool = False
    metrics_s: float = 0.0



def _batch_size(opts: Mapping[str, Any], ext: Extractor, device: torch.device) -> int:
    if opts.get("fidelity_batch_size"):
        return int(opts["fidelity_batch_size"])
    if ext.name == INCEPTION_NAME:
        return 250 if device.type == "cuda" else 32
    return 2048


def compute_fidelity(ctx: MetricContext, timing: Timing | None = None) -> dict[str, MetricValue]:
    """All fidelity numbers of one evaluation point (see the module docstring for the options).

    ``timing``, when given, is filled with where the time went (benchmarks and tests pass one;
    no module-level state, so concurrent evaluations never overwrite each other's numbers)."""
    opts = {**DEFAULTS, **{k: v for k, v in ctx.options.items() if v is not None}}
    if not ctx.final and not opts["fidelity_intermediate"]:
        return {}
    ds = ctx.dataset
    n_req = opts["fid_n_samples"] if ctx.final else opts["fid_n_samples_intermediate"]
    n_avail = int(ctx.samples.shape[0])
    n = n_avail if n_req is None else min(int(n_req), n_avail)
    shortfall = f"; asked {int(n_req)}, only {n_avail} drawn (eval.n_samples)" if n_req and int(n_req) > n_avail else ""
    x = ctx.samples[:n]
    check_images(x, "generated samples")
    ext = choose_extractor(ds, ctx.device, opts)
    bs = _batch_size(opts, ext, ctx.device)
    timing = timing if timing is not None else Timing()

    from ganbench.util.work_progress import WorkProgress

    t0 = time.perf_counter()
    with WorkProgress(f"{ext.name} features of {n:,} generated samples", n) as wp:
        feats, logits = ext.extract(to_uint8(x, ext.channels, "generated samples"), bs, progress=wp.advance)
    timing.generated_s = time.perf_counter() - t0

    def real_features(idx: torch.Tensor) -> torch.Tensor:
        out = []
        # the reference statistics of a dataset (computed once, then cached): the long wait of a new folder
        with WorkProgress(f"{ext.name} reference features of {idx.shape[0]:,} {ds.name} images "
                          "(computed once, then cached)", int(idx.shape[0])) as wp:
            for i in range(0, idx.shape[0], 10_000):
                real = ds.data[idx[i : i + 10_000].to(ds.data.device)]
                check_images(real, f"dataset {ds.name!r}")
                out.append(ext.extract(to_uint8(real, ext.channels, f"dataset {ds.name!r}"), bs,
                                       progress=wp.advance)[0].cpu())
        return torch.cat(out)

    t0 = time.perf_counter()
    ref, hit = reference_stats(ctx.cache_dir, ds, ext.name, ext.weights_id, int(opts["fid_n_real"]),
                               int(opts["prdc_n_real"]), real_features)
    timing.reference_s, timing.reference_cached = time.perf_counter() - t0, hit

    t0 = time.perf_counter()
    notes = [s for s in (ext.note,) if s]
    split = ds.info.get("params", {}).get("split") if isinstance(ds.info.get("params"), Mapping) else None
    vs = f"vs {ds.name}{f' {split}' if split else ''} split (random subset, seed {ref.subset_seed})"

    def mv(value: float, direction: str, n_real: int | None, note: str, n_used: int | None = None) -> MetricValue:
        return MetricValue(float(value), direction, ext.name, n if n_used is None else n_used, n_real,
                           "; ".join([note, *notes]) + shortfall)

    out: dict[str, MetricValue] = {}
    splits = max(1, min(int(opts["is_splits"]), n))
    is_mean, is_std = inception_score(logits, splits)
    out["is"] = mv(is_mean, "higher", None, f"± {is_std:.3g} over {splits} splits")

    d = feats.shape[1]
    mu_g, sigma_g = feature_stats(feats)
    if n < 2 or ref.n < 2:
        out["fid"] = mv(float("nan"), "lower", ref.n, f"undefined: a covariance needs 2 samples (got {n} generated, {ref.n} real)")
    elif n <= d or ref.n <= d:
        out["fid"] = mv(fid_from_stats(mu_g, sigma_g, ref.mu, ref.sigma), "lower", ref.n,
                        f"{vs}; {small_n_note(n, ref.n, d)}")
    else:
        out["fid"] = mv(fid_from_stats(mu_g, sigma_g, ref.mu, ref.sigma), "lower", ref.n, vs)

    real_f = torch.from_numpy(ref.features)
    size = min(int(opts["kid_subset_size"]), n, ref.n_features)
    if size >= 2:
        k_mean, k_std = kid(real_f, feats, int(opts["kid_subsets"]), size)
        out["kid"] = mv(k_mean, "lower", ref.n_features, f"± {k_std:.3g}; {int(opts['kid_subsets'])} subsets of {size}; {vs}")
    else:
        out["kid"] = mv(float("nan"), "lower", ref.n_features, "undefined: fewer than 2 samples per subset")

    m = min(n, int(opts["prdc_n_samples"]))
    fake_f = feats[:m].to(ctx.device)
    real_dev = real_f.to(ctx.device)
    pr_k, dc_k = int(opts["pr_k"]), int(opts["dc_k"])
    if min(m, ref.n_features) > pr_k:
        p, r = prdc_mod.precision_recall(real_dev, fake_f, pr_k)
        out["precision"] = mv(p, "higher", ref.n_features, f"k={pr_k} (Kynkäänniemi 2019)", m)
        out["recall"] = mv(r, "higher", ref.n_features, f"k={pr_k} (Kynkäänniemi 2019)", m)
    if min(m, ref.n_features) > dc_k:
        dens, cov = prdc_mod.density_coverage(real_dev, fake_f, dc_k)
        out["density"] = mv(dens, "higher", ref.n_features, f"k={dc_k} (Naeem 2020)", m)
        out["coverage"] = mv(cov, "higher", ref.n_features, f"k={dc_k} (Naeem 2020)", m)
    timing.metrics_s = time.perf_counter() - t0
    log.info("fidelity (%s, n=%d): generated %.1f s, reference %.1f s (%s), metrics %.1f s", ext.name, n,
             timing.generated_s, timing.reference_s, "cached" if hit else "computed", timing.metrics_s)
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    from ganbench.metrics.requirements import fidelity_requirements  # checked by the preflight

    description = ("IS, FID, KID (torch-fidelity), precision/recall (k=3) and density/coverage (k=5) on "
                   "Inception-v3 features, or the ganbench MNIST CNN's for MNIST-family data")
    return [MetricSpec(FAMILY, compute_fidelity, applies_to=applies, requirements=fidelity_requirements,
                       description=description, api_version=API_VERSION)]


__all__ = [
    "FAMILY",
    "FidelityInputError",
    "check_images",
    "choose_extractor",
    "compute_fidelity",
    "feature_stats",
    "fid_from_features",
    "fid_from_stats",
    "inception_score",
    "kid",
    "to_uint8",
]
