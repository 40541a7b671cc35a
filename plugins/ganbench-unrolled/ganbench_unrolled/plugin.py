"""ganbench plugin module: announces the Unrolled GAN through the ``ganbench_models`` hook; its description, paper,
capabilities and defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import UnrolledGAN

ganbench_models = zoo_models_from(__package__, builds={"unrolled": UnrolledGAN}, version=__version__)
