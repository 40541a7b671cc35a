"""Mode coverage on MNIST and stacked MNIST, labelled by the MNIST evaluator (PacGAN protocol).

Each channel of a generated sample is classified by :mod:`ganbench.metrics.evaluator`; the mode
is the tuple of predicted digits (10 modes for MNIST, 1000 for stacked MNIST), with no confidence
threshold, as in the PacGAN code. Samples are quantised to uint8 first, exactly as the fidelity
metrics do (:mod:`ganbench.metrics.preprocess`), so both score the same images. ``modes`` is the number of distinct modes among the samples and
``kl`` is KL(generated mode histogram || uniform) (see :func:`modes.kl_to_uniform`). PacGAN used
26,000 samples: set ``eval.n_samples: 26000`` in the suite.

For a class-conditional model on (single-channel) MNIST, ``label_agreement`` is the share of
samples the evaluator labels as the digit they were conditioned on (chance: 10 %). Covering all
10 modes says nothing about conditioning: a model that ignores its labels covers them too (the
zoo-sanity BigGAN 0.2.0 did, at 11.5 % agreement).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganbench.contract import Dataset, MetricContext, MetricSpec, MetricValue
from ganbench.contract.hookspecs import hookimpl
from ganbench.contract.versions import API_VERSION
from ganbench.metrics.evaluator import EVALUATOR_NAME, MnistEvaluator, load_evaluator
from ganbench.metrics.modes import kl_to_uniform
from ganbench.metrics.preprocess import quantise


def channel_digits(samples: torch.Tensor, evaluator: MnistEvaluator) -> torch.Tensor:
    """The evaluator's digit for every channel of every sample, (N, C), from the quantised images."""
    n, c = samples.shape[:2]
    return evaluator.predict_uint8(quantise(samples.reshape(n * c, 1, *samples.shape[2:]))).reshape(n, c)


def digit_histogram(digits: torch.Tensor) -> np.ndarray:
    """Counts of each mode (``10**C`` bins for C channels; channel 0 is the most significant digit)."""
    c = digits.shape[1]
    weights = 10 ** torch.arange(c - 1, -1, -1, device=digits.device)
    return torch.bincount((digits * weights).sum(1).cpu(), minlength=10**c).numpy()


def _score(counts: np.ndarray) -> tuple[int, float, int]:
    return int((counts > 0).sum()), kl_to_uniform(counts), counts.size


def score_modes(samples: torch.Tensor, evaluator: MnistEvaluator) -> tuple[int, float, int]:
    """(modes covered, KL to uniform, number of modes)."""
    return _score(digit_histogram(channel_digits(samples, evaluator)))


def label_agreement(digits: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of single-channel samples whose evaluator digit (:func:`channel_digits`) is their label."""
    return float((digits[:, 0].cpu() == labels.reshape(-1).cpu()).float().mean())


def _applies(ds: Dataset) -> bool:
    return ds.kind == "image" and ds.info.get("evaluator") == "mnist" and ds.info.get("digit_channels") in (1, 3)


def _evaluator_root(ctx: MetricContext) -> Path:
    """The data root holds the evaluator; ``eval.options.evaluator_root`` overrides it."""
    opt = ctx.options.get("evaluator_root")
    if opt:
        return Path(opt).expanduser()
    from ganbench.data import default_root

    return Path(ctx.dataset.info.get("root") or default_root())


def compute(ctx: MetricContext) -> dict[str, MetricValue]:
    ev = load_evaluator(_evaluator_root(ctx), ctx.device)
    digits = channel_digits(ctx.samples, ev)  # classified once, for the modes and the label agreement
    modes, kl, k = _score(digit_histogram(digits))
    n = int(ctx.samples.shape[0])
    acc = f"evaluator acc {100 * ev.test_accuracy:.2f}%"
    out = {
        "modes": MetricValue(modes, "higher", EVALUATOR_NAME, n, note=f"out of {k}; {acc}"),
        "kl": MetricValue(kl, "lower", EVALUATOR_NAME, n, note=f"KL(mode histogram || uniform over {k}); {acc}"),
    }
    if ctx.labels is not None and ctx.samples.shape[1] == 1 and ctx.labels.numel() == n:
        out["label_agreement"] = MetricValue(
            label_agreement(digits, ctx.labels), "higher", EVALUATOR_NAME, n,
            note=f"share of conditional samples the evaluator labels as the asked digit (chance 0.10); {acc}",
        )
    return out


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    description = "Modes covered (of 10 or 1000) and KL to uniform, labelled by the MNIST evaluator (PacGAN)"
    # version 1: label_agreement for class-conditional models
    return [MetricSpec("mnist-modes", compute, applies_to=_applies, description=description, version="1", api_version=API_VERSION)]
