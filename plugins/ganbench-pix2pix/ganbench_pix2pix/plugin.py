"""ganbench plugin module: announces pix2pix through the ``ganbench_models`` hook; its description, paper,
capabilities and defaults (with their sources) are data, in models.yaml beside this file."""

from __future__ import annotations

from ganbench_layers.spec import zoo_models_from

from . import __version__
from .model import Pix2Pix

ganbench_models = zoo_models_from(__package__, builds={"pix2pix": Pix2Pix}, version=__version__)
