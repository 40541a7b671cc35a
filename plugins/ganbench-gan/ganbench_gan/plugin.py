"""ganbench plugin module: announces the GAN model through the ``ganbench_models`` hook; its
description, paper, capabilities and defaults (with their sources) are data, in models.yaml beside
this file; the vectorised replica builder is code."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import GAN
from .replicas import build_replicas

ganbench_models = zoo_models_from(__package__, builds={"gan": GAN}, version=__version__,
                                  extra={"gan": {"build_replicas": build_replicas}})
