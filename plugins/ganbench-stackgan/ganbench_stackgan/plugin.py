"""ganbench plugin module: the text-to-image models (their metadata and defaults are data, in
models.yaml beside this file), the captioned MNIST dataset and caption fidelity."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from ganbench.api import DatasetSpec, MetricSpec, hookimpl

from . import __version__
from .dataset import SPEC as DATASET
from .fidelity import SPEC as METRIC
from .model import CaptionCGAN, StackGAN

ganbench_models = zoo_models_from(__package__, builds={"stackgan": StackGAN, "caption-cgan": CaptionCGAN},
                                  version=__version__)


@hookimpl
def ganbench_datasets() -> list[DatasetSpec]:
    return [DATASET]


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [METRIC]
