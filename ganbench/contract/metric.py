"""Metrics in the plugin contract (hook ``ganbench_metrics``): the number a metric returns, what it
gets at an evaluation point, and how a metric family is announced."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganbench.contract.data import Dataset, DatasetSpec, Requirement
from ganbench.contract.versions import UNDECLARED_API_VERSION

if TYPE_CHECKING:
    from ganbench.contract.translation import TranslationEval


@dataclass(frozen=True)
class MetricValue:
    """One number with what is needed to never misread it.

    ``direction`` is ``"higher"`` or ``"lower"`` (which way is better; used by reports and
    ``ganbench check``); ``extractor`` names the feature network (``inception-v3``,
    ``ganbench-mnist-cnn``) so numbers from different extractors are never compared.
    """

    value: float
    direction: str | None = None
    extractor: str | None = None
    n_samples: int | None = None
    n_real: int | None = None
    note: str | None = None


@dataclass
class MetricContext:
    """What a metric gets at an evaluation point."""

    dataset: Dataset
    samples: torch.Tensor
    """Generated samples on the device (``n_samples`` of them)."""
    labels: torch.Tensor | None
    """The labels the samples were conditioned on (conditional models) or None."""
    device: torch.device
    cache_dir: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    """The suite's ``eval.options`` (e.g. sample counts, extractor paths)."""
    final: bool = False
    translation: TranslationEval | None = None
    """(API 1.2) For translation models: the inputs, translations, ground truth and cycle
    reconstructions of this evaluation (``samples`` are the translations); None otherwise."""
    model: Any = None
    """The model being evaluated (API 1.1), for metrics of an optional capability
    (:class:`Encoding`: ``encode``/``generate``; :class:`StructuredCodes`: InfoGAN's codes). Check
    with :func:`can_encode` / :func:`has_codes`; a metric must not train it. None outside a run."""
    figures: dict[str, Any] = field(default_factory=dict)
    """Image grids to show in the report (API 1.1): at the final evaluation a metric may add
    ``{title: (rows, cols, C, H, W) array in [-1, 1]}``; the harness stores them with the run and
    the report draws them under "Model figures" (ganbench/contract/figures.py)."""
    metric_families: Mapping[str, MetricSpec] = field(default_factory=dict)
    """(API 1.5) Every metric family the harness knows, by name, so a metric can score samples of its
    own with another family (BigGAN's truncation sweep re-runs ``fidelity`` at each psi) without
    running plugin discovery itself. A metric must not call itself through it. Empty outside a run."""


@dataclass(frozen=True)
class MetricSpec:
    """A metric family. ``compute`` returns ``{key: MetricValue}`` (several keys per family,
    e.g. ``modes`` and ``hq_share``); ``applies_to`` says whether it fits a dataset."""

    name: str
    compute: Callable[[MetricContext], Mapping[str, MetricValue]]
    applies_to: Callable[[Dataset], bool] = lambda ds: True
    description: str = ""
    final_only: bool = False
    """Costly metrics (e.g. 50k-sample FID) run only at the final evaluation."""
    requirements: Callable[[DatasetSpec, Path, Mapping[str, Any]], list[Requirement]] | None = None
    """Files this metric needs for runs on a dataset (feature-extractor weights, an evaluator),
    given the dataset's spec, the data root and the suite's ``eval.options``; the preflight checks
    them before the first step. Return ``[]`` for datasets the metric does not apply to."""
    version: str = "0"
    """The metric's version, recorded with every run (bump it when its numbers change meaning)."""
    api_version: str = UNDECLARED_API_VERSION
    """The plugin API this metric is written against; declare it. Undeclared reads as ``"1.0"``; a
    version newer than the installed API is refused at discovery."""
