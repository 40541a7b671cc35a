"""ganbench plugin module: announces BiGAN, ALI and VEEGAN through the ``ganbench_models`` hook; their
metadata and defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import ali, bigan, veegan

ganbench_models = zoo_models_from(__package__, builds={"bigan": bigan, "ali": ali, "veegan": veegan},
                                  version=__version__)
