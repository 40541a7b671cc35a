"""ganbench plugin module: announces the BigGAN-style model (its metadata and defaults are data, in
models.yaml beside this file) and its truncation-sweep metric."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from ganbench.api import MetricSpec, hookimpl

from . import __version__
from .model import BigGAN
from .sweep import METRIC

ganbench_models = zoo_models_from(__package__, builds={"biggan": BigGAN}, version=__version__)


@hookimpl
def ganbench_metrics() -> list[MetricSpec]:
    return [METRIC]
